/* terrain/p526.c — diffraction over a path profile by the delta-Bullington
 * method of Recommendation ITU-R P.526-15 (see terrain.h and
 * docs/terrain.md):
 *
 *   §4.1 eq. (31)   J(nu), the knife-edge loss;
 *   §4.5.1          the Bullington construction over a profile, with the
 *                   earth's curvature as the effective radius k 6371 km;
 *   §4.5.2          the complete method: Bullington over the real profile
 *                   (L_ba) and over the smooth profile with every height 0
 *                   and the antennas above the least-squares surface (L_bs),
 *                   plus the spherical-earth loss L_sph of §3.2:
 *                   L_d = L_ba + max(L_sph - L_bs, 0);
 *   §3.2            the spherical-earth loss at any distance, from the first
 *                   term of the residue series of §3.1.1.2 (F(X), G(Y)).
 *
 * The same construction is the diffraction model of P.1812-6 §4.3 and
 * P.452-17 §4.2; the tests check it against the ITU validation values
 * published with those Recommendations' reference code.
 *
 * Units are SI throughout (metres, Hz); the Recommendation's practical
 * forms (km, MHz, "500 C_e d_i (d - d_i)", "0.002 d / (lambda d_i d_j)")
 * are the same numbers: 500 C_e d_i d_j [km] = d_i d_j / (2 a_e) [m]. */
#include "terrain_internal.h"

#include <math.h>

#include "towncov/vecmath.h"

#define C_LIGHT 299792458.0
#define EARTH_RADIUS_M 6371000.0

struct terrain_params terrain_params_of(const struct terrain_config *cfg, double f_hz)
{
    return (struct terrain_params){f_hz, cfg->k_factor, cfg->ground_eps_r, cfg->ground_sigma,
                                   cfg->polarization};
}

double terrain_knife_edge_db(double nu)
{
    if (nu <= -0.78)
        return 0;
    double v = nu - 0.1;
    return 6.9 + 20 * log10(sqrt(v * v + 1) + v);
}

/* What §4.5.1 reads off the intermediate points (1 .. n-2) of a profile,
 * in one pass: the highest slope from either end (S_tim, S_rim of eqs.
 * 47 and 49) and, for a line-of-sight path, the largest diffraction
 * parameter nu_i = c_i sqrt(2 d / (lambda d_i (d - d_i))) (eq. 48), kept
 * as key_i = c_i |c_i| / (d_i (d - d_i)), which orders the points as nu_i
 * does, so that the square root is taken once, of the largest. For the
 * real profile also the smooth surface's obstruction terms of §4.5.2
 * (h_obs, alpha_obt, alpha_obr). One division a point, no root: the
 * loops vectorise (maxima only, which any order gives alike). */
struct bull_scan {
    double s_tim, s_rim, key;
    double h_obs, a_t, a_r;
};

/* The real profile: heights h, antennas at h_ts and h_rs above sea level.
 * The obstruction terms are scan_obs's (a second loop, so that each loop
 * carries few maxima: GCC 12 vectorises three, not six), left -inf here. */
static inline TERRAIN_INLINE void scan_real(const double *d, const double *h, int n,
                                            double h_ts, double h_rs, double half_c,
                                            struct bull_scan *o)
{
    double dt = d[n - 1], idt = 1 / dt;
    double s_tim = -INFINITY, s_rim = -INFINITY, key = -INFINITY;
    TERRAIN_SIMD_MAX(s_tim, s_rim, key)
    for (int i = 1; i < n - 1; i++) {
        double di = d[i], dr = dt - di, q = 1 / (di * dr);
        double b = half_c * di * dr; /* the earth's bulge */
        double e = h[i] + b, c = e - (h_ts * dr + h_rs * di) * idt;
        s_tim = tmax(s_tim, (e - h_ts) * dr * q);
        s_rim = tmax(s_rim, (e - h_rs) * di * q);
        key = tmax(key, c * fabs(c) * q);
    }
    *o = (struct bull_scan){s_tim, s_rim, key, -INFINITY, -INFINITY, -INFINITY};
}

/* The smooth surface's obstruction terms of §4.5.2 (h_obs, alpha_obt,
 * alpha_obr) into o: only where the smooth profile is wanted (not for the
 * excess of a profile whose L_ba is 0: four in ten of the rasters'). */
static inline TERRAIN_INLINE void scan_obs(const double *d, const double *h, int n,
                                           double h_ts, double h_rs, struct bull_scan *o)
{
    double dt = d[n - 1], idt = 1 / dt;
    double h_obs = -INFINITY, a_t = -INFINITY, a_r = -INFINITY;
    TERRAIN_SIMD_MAX(h_obs, a_t, a_r)
    for (int i = 1; i < n - 1; i++) {
        double di = d[i], dr = dt - di, q = 1 / (di * dr);
        double hh = h[i] - (h_ts * dr + h_rs * di) * idt; /* above the direct line */
        h_obs = tmax(h_obs, hh);
        a_t = tmax(a_t, hh * dr * q);
        a_r = tmax(a_r, hh * di * q);
    }
    o->h_obs = h_obs, o->a_t = a_t, o->a_r = a_r;
}

/* The smooth profile: every height 0. */
static inline TERRAIN_INLINE void scan_smooth(const double *d, int n, double h_ts, double h_rs, double half_c,
                               struct bull_scan *o)
{
    double dt = d[n - 1], idt = 1 / dt;
    double s_tim = -INFINITY, s_rim = -INFINITY, key = -INFINITY;
    TERRAIN_SIMD_MAX(s_tim, s_rim, key)
    for (int i = 1; i < n - 1; i++) {
        double di = d[i], dr = dt - di, q = 1 / (di * dr);
        double b = half_c * di * dr, c = b - (h_ts * dr + h_rs * di) * idt;
        s_tim = tmax(s_tim, (b - h_ts) * dr * q);
        s_rim = tmax(s_rim, (b - h_rs) * di * q);
        key = tmax(key, c * fabs(c) * q);
    }
    *o = (struct bull_scan){s_tim, s_rim, key, 0, 0, 0};
}

/* §4.5.1 from a scan: case 1 (line of sight, S_tim < S_tr) the largest
 * nu, case 2 the Bullington point's; the loss of eq. (52). */
static double bull_of_scan(const struct bull_scan *s, double dt, double h_ts, double h_rs,
                           double lam, int *los)
{
    double s_tr = (h_rs - h_ts) / dt, nu;
    if (s->s_tim < s_tr) {
        double k2 = s->key * (2 * dt / lam); /* nu |nu| */
        nu = k2 >= 0 ? sqrt(k2) : -sqrt(-k2);
        *los = 1;
    } else {
        double d_bp = (h_rs - h_ts + s->s_rim * dt) / (s->s_tim + s->s_rim);
        nu = (h_ts + s->s_tim * d_bp - (h_ts * (dt - d_bp) + h_rs * d_bp) / dt) *
             sqrt(2 * dt / (lam * d_bp * (dt - d_bp)));
        *los = 0;
    }
    if (nu <= -0.78)
        return 0; /* J(nu) = 0, and L_b with it (eq. 52 at L_uc = 0) */
    return terrain_bull_of_luc(terrain_knife_edge_db(nu), dt);
}

TC_VEC_CLONES
double terrain_bullington(const double *d, const double *h, int n, double h_ts, double h_rs,
                          double a_e, double lam, int *los)
{
    struct bull_scan s;
    if (h)
        scan_real(d, h, n, h_ts, h_rs, 0.5 / a_e, &s);
    else
        scan_smooth(d, n, h_ts, h_rs, 0.5 / a_e, &s);
    return bull_of_scan(&s, d[n - 1], h_ts, h_rs, lam, los);
}

/* The least-squares line's heights at the ends (§4.5.2, v1 and v2), lowered
 * where the profile obstructs the direct path (the scan's h_obs, shared
 * between the ends by the obstruction's angles seen from each), and never
 * above the ground at either end. The sums run in order, one point after
 * another: the same bits on any processor. */
static void smooth_of_scan(const double *d, const double *h, int n, const struct bull_scan *s,
                           double *h_st, double *h_sr)
{
    double dt = d[n - 1], v1 = 0, v2 = 0;
    for (int i = 1; i < n; i++) {
        double w = d[i] - d[i - 1];
        v1 += w * (h[i] + h[i - 1]);
        v2 += w * (h[i] * (2 * d[i] + d[i - 1]) + h[i - 1] * (d[i] + 2 * d[i - 1]));
    }
    double st = (2 * v1 * dt - v2) / (dt * dt), sr = (v2 - v1 * dt) / (dt * dt);
    if (s->h_obs > 0) {
        st -= s->h_obs * s->a_t / (s->a_t + s->a_r);
        sr -= s->h_obs * s->a_r / (s->a_t + s->a_r);
    }
    *h_st = fmin(st, h[0]);
    *h_sr = fmin(sr, h[n - 1]);
}

void terrain_smooth_heights(const double *d, const double *h, int n, double h_ts, double h_rs,
                            double *h_st, double *h_sr)
{
    struct bull_scan s;
    scan_obs(d, h, n, h_ts, h_rs, &s);
    smooth_of_scan(d, h, n, &s, h_st, h_sr);
}

/* §3.1.1.2: the first term of the residue series, -(F(X) + G(Y1) + G(Y2)),
 * for path d, heights h1, h2 (m) and effective radius a (m). */
static double first_term_db(double d, double h1, double h2, double a, const struct terrain_params *p)
{
    double f_mhz = p->f_hz / 1e6, a_km = a / 1000, d_km = d / 1000;
    double s = 18000 * p->sigma / f_mhz;
    double k = 0.36 * pow(a_km * f_mhz, -1.0 / 3) *
               pow((p->eps_r - 1) * (p->eps_r - 1) + s * s, -0.25);
    if (p->polarization == TERRAIN_POL_VERTICAL)
        k *= sqrt(p->eps_r * p->eps_r + s * s);
    double k2 = k * k, k4 = k2 * k2;
    double beta = (1 + 1.6 * k2 + 0.67 * k4) / (1 + 4.5 * k2 + 1.53 * k4);
    double x = 2.188 * beta * pow(f_mhz, 1.0 / 3) * pow(a_km, -2.0 / 3) * d_km;
    double fx = x >= 1.6 ? 11 + 10 * log10(x) - 17.6 * x : -20 * log10(x) - 5.6488 * pow(x, 1.425);
    double y_per_m = 9.575e-3 * beta * pow(f_mhz, 2.0 / 3) * pow(a_km, -1.0 / 3);
    double g_min = 2 + 20 * log10(k), g[2];
    double hh[2] = {h1, h2};
    for (int j = 0; j < 2; j++) {
        double b = beta * y_per_m * hh[j];
        g[j] = b > 2 ? 17.6 * sqrt(b - 1.1) - 5 * log10(b - 1.1) - 8 : 20 * log10(b + 0.1 * b * b * b);
        g[j] = fmax(g[j], g_min);
    }
    return -(fx + g[0] + g[1]);
}

double terrain_sphere_db(double d, double h1, double h2, const struct terrain_params *p)
{
    double a = p->k_factor * EARTH_RADIUS_M, lam = C_LIGHT / p->f_hz;
    h1 = fmax(h1, 0), h2 = fmax(h2, 0);
    double d_los = sqrt(2 * a) * (sqrt(h1) + sqrt(h2));
    if (d >= d_los)
        return first_term_db(d, h1, h2, a, p);
    if (h1 + h2 <= 0)
        return 0;
    /* Within the horizon: the smallest clearance h of the ray over the
     * sphere, against the clearance h_req that gives no loss. */
    double c = (h1 - h2) / (h1 + h2), m = d * d / (4 * a * (h1 + h2));
    double b = 2 * sqrt((m + 1) / (3 * m)) *
               cos(M_PI / 3 + acos(1.5 * c * sqrt(3 * m / ((m + 1) * (m + 1) * (m + 1)))) / 3);
    double d1 = 0.5 * d * (1 + b), d2 = d - d1;
    double h = ((h1 - d1 * d1 / (2 * a)) * d2 + (h2 - d2 * d2 / (2 * a)) * d1) / d;
    double h_req = 0.552 * sqrt(d1 * d2 * lam / d);
    if (h > h_req)
        return 0;
    /* The radius that makes the path marginally line of sight. */
    double a_em = 0.5 * pow(d / (sqrt(h1) + sqrt(h2)), 2);
    double a_h = first_term_db(d, h1, h2, a_em, p);
    return a_h < 0 ? 0 : (1 - h / h_req) * a_h;
}

/* L_ba, L_bs and the smooth heights: what the excess and the whole loss
 * share. */
/* excess_only: the smooth terms are skipped where L_ba is 0 (the excess
 * is 0 then, whatever L_bs >= 0 is). */
/* d: 0, then increasing (n >= 2), checked by the caller. */
TC_VEC_CLONES
static void bullington_pair(const double *d, const double *h, int n, double h_tx, double h_rx,
                            const struct terrain_params *p, int excess_only,
                            struct terrain_terms *t, double *h_ts1, double *h_rs1)
{
    double a = p->k_factor * EARTH_RADIUS_M, lam = C_LIGHT / p->f_hz, dt = d[n - 1];
    double h_ts = h[0] + h_tx, h_rs = h[n - 1] + h_rx;
    struct bull_scan s;
    scan_real(d, h, n, h_ts, h_rs, 0.5 / a, &s);
    t->bull_actual_db = bull_of_scan(&s, dt, h_ts, h_rs, lam, &t->los);
    if (excess_only && !(t->bull_actual_db > 0)) {
        t->excess_db = 0;
        return;
    }
    scan_obs(d, h, n, h_ts, h_rs, &s);
    smooth_of_scan(d, h, n, &s, &t->h_st_m, &t->h_sr_m);
    *h_ts1 = h_ts - t->h_st_m;
    *h_rs1 = h_rs - t->h_sr_m;
    int los_s;
    scan_smooth(d, n, *h_ts1, *h_rs1, 0.5 / a, &s);
    t->bull_smooth_db = bull_of_scan(&s, dt, *h_ts1, *h_rs1, lam, &los_s);
    double ex = t->bull_actual_db - t->bull_smooth_db;
    t->excess_db = ex > TERRAIN_EXCESS_EPS_DB ? ex : 0;
}

/* d starts at 0 and increases (n >= 2). */
static int profile_ok(const double *d, int n)
{
    if (n < 2 || !(d[0] == 0))
        return 0;
    for (int i = 1; i < n; i++)
        if (!(d[i] > d[i - 1]))
            return 0;
    return 1;
}

int terrain_delta_bullington(const double *d, const double *h, int n, double h_tx, double h_rx,
                             const struct terrain_params *p, struct terrain_terms *t)
{
    double h1, h2;
    if (!profile_ok(d, n))
        return -1;
    bullington_pair(d, h, n, h_tx, h_rx, p, 0, t, &h1, &h2);
    t->sphere_db = terrain_sphere_db(d[n - 1], h1, h2, p);
    t->diffraction_db = t->bull_actual_db + fmax(t->sphere_db - t->bull_smooth_db, 0);
    return 0;
}

double terrain_excess_db(const double *d, const double *h, int n, double h_tx, double h_rx,
                         const struct terrain_params *p)
{
    return profile_ok(d, n) ? terrain_excess_steps_db(d, h, n, h_tx, h_rx, p) : 0;
}

double terrain_excess_steps_db(const double *d, const double *h, int n, double h_tx,
                               double h_rx, const struct terrain_params *p)
{
    struct terrain_terms t;
    double h1, h2;
    bullington_pair(d, h, n, h_tx, h_rx, p, 1, &t, &h1, &h2);
    return t.excess_db;
}
