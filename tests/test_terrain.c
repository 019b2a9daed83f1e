/* test_terrain.c — the delta-Bullington model of ITU-R P.526-15 §4.5
 * (sim/terrain/p526.c) against J(nu) worked by hand, a smooth sphere, the
 * ITU validation path "rburg" (Py1812's published log), reciprocity, flat
 * and sloping ground; the reach walk against its brute force; and
 * `towncov pathloss --profile`. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/terrain.h"

#define C_LIGHT 299792458.0

static struct terrain_params params(double f_hz, double k)
{
    return (struct terrain_params){f_hz, k, 22, 0.003, TERRAIN_POL_VERTICAL};
}

/* n points every step metres, heights from fn(d). */
static void profile(double *d, double *h, int n, double step, double (*fn)(double))
{
    for (int i = 0; i < n; i++) {
        d[i] = i * step;
        h[i] = fn(d[i]);
    }
}

/* ---- J(nu), eq. (31) ------------------------------------------------------ */

Test(terrain, knife_edge_formula_by_hand)
{
    /* J(nu) = 6.9 + 20 log10(sqrt((nu - 0.1)^2 + 1) + nu - 0.1), worked:
     * nu = 0: sqrt(1.01) - 0.1 = 0.904988 -> 6.9 - 0.86720 = 6.03280;
     * nu = 1: sqrt(1.81) + 0.9 = 2.245362 -> 6.9 + 7.02563 = 13.92563;
     * nu = 2.4: sqrt(2.3^2 + 1) + 2.3 = 4.807987 -> 6.9 + 13.63927 = 20.53927. */
    cr_assert_float_eq(terrain_knife_edge_db(0), 6.03280, 1e-4);
    cr_assert_float_eq(terrain_knife_edge_db(1), 13.92563, 1e-4);
    cr_assert_float_eq(terrain_knife_edge_db(2.4), 20.53927, 1e-4);
    cr_assert_eq(terrain_knife_edge_db(-0.78), 0);
    cr_assert_eq(terrain_knife_edge_db(-3), 0);
}

/* A single thin ridge across a flat path: the Bullington loss is that of
 * one knife edge, J(nu) with nu = H sqrt(2 d / (lambda d1 d2)), H the
 * ridge's height above the ray (the earth's bulge d1 d2 / 2 a_e included),
 * plus §4.5.1's (1 - exp(-J/6)) (10 + 0.02 d[km]). */
Test(terrain, single_knife_edge_against_j_nu)
{
    double d[101], h[101];
    for (int i = 0; i <= 100; i++)
        d[i] = 100.0 * i, h[i] = i == 40 ? 60 : 0; /* 60 m ridge at 4 km of 10 km */
    double f = 900e6, k = 4.0 / 3, lam = C_LIGHT / f, a = k * 6371000;
    struct terrain_params p = params(f, k);
    struct terrain_terms t;
    cr_assert_eq(terrain_delta_bullington(d, h, 101, 20, 10, &p, &t), 0);
    double d1 = 4000, d2 = 6000, dt = 10000;
    double ray = (20.0 * d2 + 10.0 * d1) / dt; /* the ray's height over the ridge */
    double hh = 60 + d1 * d2 / (2 * a) - ray;
    double nu = hh * sqrt(2 * dt / (lam * d1 * d2));
    double v = nu - 0.1;
    double j = 6.9 + 20 * log10(sqrt(v * v + 1) + v);
    double want = j + (1 - exp(-j / 6)) * (10 + 0.02 * 10);
    cr_assert_eq(t.los, 0, "the ridge blocks the ray: trans-horizon");
    cr_assert_float_eq(t.bull_actual_db, want, 1e-9, "L_ba %.6f, J(nu) by hand gives %.6f",
                       t.bull_actual_db, want);
    cr_assert(t.excess_db > 10 && t.diffraction_db >= t.bull_actual_db);
    /* The same ridge 5 m below the ray: line of sight, nu < 0 */
    h[40] = ray - d1 * d2 / (2 * a) - 5;
    cr_assert_eq(terrain_delta_bullington(d, h, 101, 20, 10, &p, &t), 0);
    nu = -5 * sqrt(2 * dt / (lam * d1 * d2));
    v = nu - 0.1;
    j = nu > -0.78 ? 6.9 + 20 * log10(sqrt(v * v + 1) + v) : 0;
    cr_assert_eq(t.los, 1);
    cr_assert_float_eq(t.bull_actual_db, j + (1 - exp(-j / 6)) * 10.2, 1e-9);
}

/* ---- the spherical earth ---------------------------------------------------- */

static double sea(double x)
{
    (void)x;
    return 0;
}

Test(terrain, smooth_sphere_zero_inside_horizon_growing_past_it)
{
    /* 30 m and 10 m antennas over the sea-level sphere of radius 4/3
     * 6371 km: the radio horizon is sqrt(2 a) (sqrt 30 + sqrt 10) = 35.6 km.
     * §3.2 gives no loss while the ray clears the sphere by 0.552 of the
     * first Fresnel zone's radius (to ~21 km at 3.5 GHz here); the loss
     * then grows, through the horizon and past it. */
    struct terrain_params p = params(3.5e9, 4.0 / 3);
    double a = p.k_factor * 6371000, horizon = sqrt(2 * a) * (sqrt(30) + sqrt(10));
    cr_assert(horizon > 35000 && horizon < 36000);
    static double d[801], h[801];
    double prev = -1;
    for (int km = 2; km <= 80; km += 2) {
        int n = km * 10 + 1;
        profile(d, h, n, 100, sea);
        struct terrain_terms t;
        cr_assert_eq(terrain_delta_bullington(d, h, n, 30, 10, &p, &t), 0);
        cr_assert_eq(t.excess_db, 0, "smooth ground has no terrain excess (%d km)", km);
        if (km <= 20)
            cr_assert_eq(t.diffraction_db, 0, "%d km, well inside the horizon: %.6f dB", km,
                         t.diffraction_db);
        if (km >= 24) {
            cr_assert(t.diffraction_db > 0 || km * 1000 < horizon, "%d km, past the horizon", km);
            cr_assert(t.diffraction_db > prev, "grows with distance: %d km %.3f after %.3f", km,
                      t.diffraction_db, prev);
        }
        prev = t.diffraction_db;
    }
}

/* ---- ITU's validation path ----------------------------------------------------- */

/* Py1812's validation log of path "rburg" (98.2 MHz, 12 m and 19 m above
 * ground, horizontal polarization, land): at the effective radius 3 6371 km
 * L_bulla 33.10888247, L_bulls 16.1773341, L_dsph 37.42847713, L_d
 * 54.3600255; at the median radius 8930.776786 km (Delta N = 45) L_d50 =
 * 60.53920448. P.1812 takes lambda = 0.2998 / f[GHz]; we take c / f, which
 * moves the Bullington terms by ~1e-4 dB. */
Test(terrain, itu_validation_path_rburg)
{
    double *d, *h;
    int n;
    struct tc_error err;
    cr_assert_eq(terrain_profile_read("tests/data/p1812_rburg.csv", &d, &h, &n, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(n, 963);
    struct terrain_params p = params(98.2e6, 3);
    p.polarization = TERRAIN_POL_HORIZONTAL;
    struct terrain_terms t;
    cr_assert_eq(terrain_delta_bullington(d, h, n, 12, 19, &p, &t), 0);
    cr_assert_float_eq(t.bull_actual_db, 33.10888247, 2e-3, "L_ba %.6f", t.bull_actual_db);
    cr_assert_float_eq(t.bull_smooth_db, 16.1773341, 2e-3, "L_bs %.6f", t.bull_smooth_db);
    cr_assert_float_eq(t.sphere_db, 37.42847713, 2e-3, "L_sph %.6f", t.sphere_db);
    cr_assert_float_eq(t.diffraction_db, 54.3600255, 2e-3, "L_d %.6f", t.diffraction_db);
    p.k_factor = 8930.776786 / 6371;
    cr_assert_eq(terrain_delta_bullington(d, h, n, 12, 19, &p, &t), 0);
    cr_assert_float_eq(t.diffraction_db, 60.53920448, 2e-3, "L_d50 %.6f", t.diffraction_db);
    free(d);
    free(h);
}

/* ---- reciprocity, flat and sloping ground ----------------------------------------- */

/* Fractal relief: midpoint displacement, seeded. */
static void relief(double *h, int n, uint64_t seed, double amp)
{
    uint64_t s = seed;
    h[0] = amp * fx_rnd(&s), h[n - 1] = amp * fx_rnd(&s);
    for (int step = n - 1; step > 1; step /= 2) {
        for (int i = 0; i + step < n; i += step) {
            int m = i + step / 2;
            h[m] = 0.5 * (h[i] + h[i + step]) + amp * step / n * (fx_rnd(&s) - 0.5);
        }
        if (step % 2)
            break;
    }
}

Test(terrain, reciprocity)
{
    enum { N = 129 };
    double d[N], h[N], hr[N];
    for (uint64_t seed = 1; seed <= 40; seed++) {
        relief(h, N, seed, 400);
        for (int i = 0; i < N; i++)
            d[i] = 75.0 * i, hr[i] = h[N - 1 - i];
        struct terrain_params p = params(seed % 2 ? 700e6 : 3.5e9, 4.0 / 3);
        struct terrain_terms a, b;
        cr_assert_eq(terrain_delta_bullington(d, h, N, 35, 1.5, &p, &a), 0);
        cr_assert_eq(terrain_delta_bullington(d, hr, N, 1.5, 35, &p, &b), 0);
        cr_assert_float_eq(a.diffraction_db, b.diffraction_db, 1e-9,
                           "seed %lu: %.12f one way, %.12f the other", (unsigned long)seed,
                           a.diffraction_db, b.diffraction_db);
        cr_assert_float_eq(a.excess_db, b.excess_db, 1e-9);
    }
}

/* §4.5.1 and §4.5.2 as the Recommendation writes them, one quantity a
 * loop, a division and a root a point: what p526.c's fused, vectorised
 * scans (one division a point, nu found from nu |nu|) must reproduce. */
static double ref_bullington(const double *d, const double *h, int n, double h_ts, double h_rs,
                             double a_e, double lam, int *los)
{
    double dt = d[n - 1], s_tim = -INFINITY, s_rim = -INFINITY, nu = -INFINITY;
    for (int i = 1; i < n - 1; i++)
        s_tim = fmax(s_tim, ((h ? h[i] : 0) + d[i] * (dt - d[i]) / (2 * a_e) - h_ts) / d[i]);
    double s_tr = (h_rs - h_ts) / dt;
    if (s_tim < s_tr) {
        for (int i = 1; i < n - 1; i++) {
            double c = (h ? h[i] : 0) + d[i] * (dt - d[i]) / (2 * a_e) -
                       (h_ts * (dt - d[i]) + h_rs * d[i]) / dt;
            nu = fmax(nu, c * sqrt(2 * dt / (lam * d[i] * (dt - d[i]))));
        }
        *los = 1;
    } else {
        for (int i = 1; i < n - 1; i++)
            s_rim = fmax(s_rim, ((h ? h[i] : 0) + d[i] * (dt - d[i]) / (2 * a_e) - h_rs) /
                                    (dt - d[i]));
        double d_bp = (h_rs - h_ts + s_rim * dt) / (s_tim + s_rim);
        nu = (h_ts + s_tim * d_bp - (h_ts * (dt - d_bp) + h_rs * d_bp) / dt) *
             sqrt(2 * dt / (lam * d_bp * (dt - d_bp)));
        *los = 0;
    }
    double l_uc = terrain_knife_edge_db(nu);
    return l_uc + (1 - exp(-l_uc / 6)) * (10 + 0.02 * dt / 1000);
}

static void ref_terms(const double *d, const double *h, int n, double h_tx, double h_rx,
                      const struct terrain_params *p, struct terrain_terms *t)
{
    double a_e = p->k_factor * 6371000.0, lam = C_LIGHT / p->f_hz, dt = d[n - 1];
    double h_ts = h[0] + h_tx, h_rs = h[n - 1] + h_rx, v1 = 0, v2 = 0;
    t->bull_actual_db = ref_bullington(d, h, n, h_ts, h_rs, a_e, lam, &t->los);
    for (int i = 1; i < n; i++) {
        v1 += (d[i] - d[i - 1]) * (h[i] + h[i - 1]);
        v2 += (d[i] - d[i - 1]) * (h[i] * (2 * d[i] + d[i - 1]) + h[i - 1] * (d[i] + 2 * d[i - 1]));
    }
    double st = (2 * v1 * dt - v2) / (dt * dt), sr = (v2 - v1 * dt) / (dt * dt);
    double h_obs = -INFINITY, a_t = -INFINITY, a_r = -INFINITY;
    for (int i = 1; i < n - 1; i++) {
        double hh = h[i] - (h_ts * (dt - d[i]) + h_rs * d[i]) / dt;
        h_obs = fmax(h_obs, hh), a_t = fmax(a_t, hh / d[i]), a_r = fmax(a_r, hh / (dt - d[i]));
    }
    if (h_obs > 0)
        st -= h_obs * a_t / (a_t + a_r), sr -= h_obs * a_r / (a_t + a_r);
    t->h_st_m = fmin(st, h[0]), t->h_sr_m = fmin(sr, h[n - 1]);
    int los_s;
    t->bull_smooth_db = ref_bullington(d, NULL, n, h_ts - t->h_st_m, h_rs - t->h_sr_m, a_e, lam,
                                       &los_s);
    t->excess_db = fmax(t->bull_actual_db - t->bull_smooth_db, 0);
}

Test(terrain, the_fused_scans_equal_the_equations_point_by_point)
{
    enum { N = 257 };
    double d[N], h[N];
    long los = 0, shadow = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        int n = 3 + (int)(seed * 37 % (N - 3));
        relief(h, N, seed, seed % 3 ? 300 : 40);
        double step = seed % 2 ? 90 : 30.7;
        for (int i = 0; i < n; i++)
            d[i] = step * i;
        d[n - 1] -= seed % 5 ? 0 : 0.4 * step; /* a cell's centre: the last step short */
        struct terrain_params p = params(seed % 4 ? 700e6 : 3.5e9, 4.0 / 3);
        double h_tx = seed % 7 ? 30 : 120;
        struct terrain_terms a, b;
        cr_assert_eq(terrain_delta_bullington(d, h, n, h_tx, 1.5, &p, &a), 0);
        ref_terms(d, h, n, h_tx, 1.5, &p, &b);
        los += b.los, shadow += !b.los;
        cr_assert_eq(a.los, b.los, "seed %lu: the path's case", (unsigned long)seed);
        cr_assert_float_eq(a.bull_actual_db, b.bull_actual_db, 1e-9, "seed %lu: L_ba %.12f vs "
                           "%.12f", (unsigned long)seed, a.bull_actual_db, b.bull_actual_db);
        cr_assert_float_eq(a.h_st_m, b.h_st_m, 1e-7, "seed %lu: h_st", (unsigned long)seed);
        cr_assert_float_eq(a.h_sr_m, b.h_sr_m, 1e-7, "seed %lu: h_sr", (unsigned long)seed);
        cr_assert_float_eq(a.bull_smooth_db, b.bull_smooth_db, 1e-9, "seed %lu: L_bs %.12f vs "
                           "%.12f", (unsigned long)seed, a.bull_smooth_db, b.bull_smooth_db);
        cr_assert_float_eq(a.excess_db, b.excess_db, 1e-9, "seed %lu", (unsigned long)seed);
        cr_assert_float_eq(terrain_excess_db(d, h, n, h_tx, 1.5, &p), a.excess_db, 1e-12);
    }
    cr_assert(los > 20 && shadow > 20, "both cases met: %ld line of sight, %ld shadowed", los,
              shadow);
}

static double slope_h;
static double sloping(double x)
{
    return slope_h + 0.06 * x;
}

Test(terrain, flat_or_evenly_sloping_ground_has_no_excess)
{
    static double d[401], h[401];
    double bases[] = {0, 35, 812.5, 1500};
    for (int b = 0; b < 4; b++)
        for (int sl = 0; sl < 2; sl++)
            for (int n = 3; n <= 401; n += 37) {
                slope_h = bases[b];
                for (int i = 0; i < n; i++)
                    d[i] = 90.0 * i, h[i] = bases[b] + (sl ? 0.06 * d[i] : 0);
                struct terrain_params p = params(n % 2 ? 700e6 : 3.5e9, 4.0 / 3);
                struct terrain_terms t;
                cr_assert_eq(terrain_delta_bullington(d, h, n, 25, 1.5, &p, &t), 0);
                cr_assert_eq(t.excess_db, 0, "height %.1f slope %d, %d points: excess %.3g",
                             bases[b], sl, n, t.excess_db);
                cr_assert(fabs(t.bull_actual_db - t.bull_smooth_db) < 1e-9);
            }
    (void)sloping;
}

/* ---- the reach walk against its brute force ---------------------------------------- */

Test(terrain, reach_equals_brute_force)
{
    enum { N = 257 };
    double d[N], h[N], m[N];
    long pruned = 0, brute = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        uint64_t s = seed * 7919;
        int n = 2 + (int)(fx_rnd(&s) * (N - 2));
        double step = 30 + 90 * fx_rnd(&s), amp = 1500 * fx_rnd(&s);
        relief(h, n, seed, amp);
        double budget = 20 + 60 * fx_rnd(&s);
        for (int i = 0; i < n; i++) {
            d[i] = i * step;
            /* a flat-ground margin falling to 0 at the last sample, as a
             * path loss of 35 log10 d does */
            m[i] = i == 0 ? budget : 35 * log10((n - 1.0) * step / d[i]);
        }
        struct terrain_params p = params(seed % 3 ? 700e6 : 3.5e9, 4.0 / 3);
        struct terrain_ray r = {d, h, m, n, 10 + 30 * fx_rnd(&s), 1.5, NULL, NULL};
        long e1, e2;
        double a = terrain_reach(&r, &p, 0, &e1), b = terrain_reach(&r, &p, 1, &e2);
        cr_assert(a == b, "seed %lu: reach %.17g with the bound, %.17g brute force",
                  (unsigned long)seed, a, b);
        cr_assert(a >= 0 && a <= d[n - 1]);
        pruned += e1, brute += e2;
    }
    cr_assert(pruned < brute, "the bound skipped nothing (%ld of %ld)", pruned, brute);
}

/* Grazing line of sight, where the line-of-sight bound J(0) is tight: a
 * ridge just below the ray to the far end (nu in (-0.8, 0)), margins of
 * 5 to 13 dB. */
Test(terrain, reach_equals_brute_force_at_grazing_incidence)
{
    enum { N = 80 };
    double d[N], h[N], m[N];
    int stopped = 0;
    for (uint64_t seed = 1; seed <= 400; seed++) {
        uint64_t s = seed * 104729;
        int n = 10 + (int)(fx_rnd(&s) * (N - 10)), at = 1 + (int)(fx_rnd(&s) * (n - 2));
        double step = 90, a = 4.0 / 3 * 6371000, lam = C_LIGHT / 700e6;
        for (int i = 0; i < n; i++)
            d[i] = i * step, h[i] = 0, m[i] = 5 + 8 * fx_rnd(&s);
        double dt = d[n - 1], d1 = d[at], d2 = dt - d1;
        double ray = (35.0 * d2 + 1.5 * d1) / dt, fz = sqrt(lam * d1 * d2 / dt);
        h[at] = ray - d1 * d2 / (2 * a) - fz * 0.55 * fx_rnd(&s);
        struct terrain_params p = params(700e6, 4.0 / 3);
        struct terrain_ray r = {d, h, m, n, 35, 1.5, NULL, NULL};
        double x = terrain_reach(&r, &p, 0, NULL), y = terrain_reach(&r, &p, 1, NULL);
        cr_assert(x == y, "seed %lu: %.17g with the bound, %.17g brute force",
                  (unsigned long)seed, x, y);
        stopped += y < dt;
    }
    cr_assert(stopped > 20, "only %d walks stopped: the case is not tested", stopped);
}

Test(terrain, reach_on_flat_ground_is_the_flat_range)
{
    enum { N = 60 };
    double d[N], h[N], m[N];
    for (int i = 0; i < N; i++)
        d[i] = 90.0 * i, h[i] = 640, m[i] = i == 0 ? 50 : 35 * log10((N - 1.0) / i);
    d[N - 1] = 90.0 * (N - 2) + 37.5; /* the flat range falls between samples */
    struct terrain_params p = params(700e6, 4.0 / 3);
    struct terrain_ray r = {d, h, m, N, 35, 1.5, NULL, NULL};
    cr_assert_eq(terrain_reach(&r, &p, 0, NULL), d[N - 1]);
    cr_assert_eq(terrain_reach(&r, &p, 1, NULL), d[N - 1]);
}

Test(terrain, reach_stops_at_a_ridge)
{
    enum { N = 60 };
    double d[N], h[N], m[N];
    for (int i = 0; i < N; i++)
        d[i] = 90.0 * i, h[i] = i == 20 ? 300 : 100, m[i] = i == 0 ? 50 : 35 * log10((N - 1.0) / i);
    struct terrain_params p = params(700e6, 4.0 / 3);
    struct terrain_ray r = {d, h, m, N, 35, 1.5, NULL, NULL};
    double reach = terrain_reach(&r, &p, 0, NULL);
    cr_assert(reach > d[20] && reach < d[22], "a 200 m ridge at 1.8 km: reach %.1f m", reach);
}

/* ---- towncov pathloss --profile --------------------------------------------------- */

Test(terrain, pathloss_profile_prints_the_terms)
{
    char out[8192];
    int rc = fx_run("pathloss --model rma-nlos --freq-ghz 0.7 --h-bs 35 --profile "
                    "tests/data/p1812_rburg.csv --k-factor 1.3333333333333333 2>/dev/null",
                    out, sizeof out);
    cr_assert_eq(rc, 0, "%s", out);
    double pl, dif, ex, tot;
    cr_assert(sscanf(strstr(out, "pathloss_db: "), "pathloss_db: %lf", &pl) == 1, "%s", out);
    cr_assert(strstr(out, "\ndiffraction_db: "), "%s", out);
    cr_assert(strstr(out, "\nterrain_excess_db: "), "%s", out);
    sscanf(strstr(out, "\ndiffraction_db: "), "\ndiffraction_db: %lf", &dif);
    sscanf(strstr(out, "\nterrain_excess_db: "), "\nterrain_excess_db: %lf", &ex);
    cr_assert(sscanf(strstr(out, "\ntotal_db: "), "\ntotal_db: %lf", &tot) == 1);
    cr_assert(dif > 0 && ex > 0 && ex <= dif + 1e-4);
    cr_assert_float_eq(tot, pl + ex, 2e-4);
    rc = fx_run("pathloss --model rma-nlos --freq-ghz 0.7 --profile /nonexistent.csv", out,
                sizeof out);
    cr_assert_eq(rc, 2, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, "/nonexistent.csv"), "%s", out);
}
