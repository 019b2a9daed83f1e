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

/* §4.5.1: the Bullington loss of the profile (heights h_i at d_i, i = 0 ..
 * n-1; h NULL: every height 0, the smooth profile) between antennas at h_ts
 * and h_rs above sea level; the effective earth radius a_e and wavelength
 * lam. Intermediate points only (1 .. n-2). */
double terrain_bullington(const double *d, const double *h, int n, double h_ts, double h_rs,
                          double a_e, double lam, int *los)
{
    double dt = d[n - 1], half_c = 0.5 / a_e;
    /* The highest slope from the transmitter to a point (eq. 47's S_tim)
     * and the slope of the direct line (S_tr). */
    double s_tim = -INFINITY;
    for (int i = 1; i < n - 1; i++) {
        double e = (h ? h[i] : 0) + half_c * d[i] * (dt - d[i]);
        s_tim = tmax(s_tim, (e - h_ts) / d[i]);
    }
    double s_tr = (h_rs - h_ts) / dt, nu;
    if (s_tim < s_tr) {
        /* Case 1, line of sight: the highest diffraction parameter. */
        nu = -INFINITY;
        for (int i = 1; i < n - 1; i++) {
            double e = (h ? h[i] : 0) + half_c * d[i] * (dt - d[i]);
            double c = e - (h_ts * (dt - d[i]) + h_rs * d[i]) / dt;
            nu = tmax(nu, c * sqrt(2 * dt / (lam * d[i] * (dt - d[i]))));
        }
        *los = 1;
    } else {
        /* Case 2, trans-horizon: the Bullington point, where the highest
         * lines from either end meet. */
        double s_rim = -INFINITY;
        for (int i = 1; i < n - 1; i++) {
            double e = (h ? h[i] : 0) + half_c * d[i] * (dt - d[i]);
            s_rim = tmax(s_rim, (e - h_rs) / (dt - d[i]));
        }
        double d_bp = (h_rs - h_ts + s_rim * dt) / (s_tim + s_rim);
        nu = (h_ts + s_tim * d_bp - (h_ts * (dt - d_bp) + h_rs * d_bp) / dt) *
             sqrt(2 * dt / (lam * d_bp * (dt - d_bp)));
        *los = 0;
    }
    double l_uc = terrain_knife_edge_db(nu);
    return terrain_bull_of_luc(l_uc, dt);
}

/* The smooth-earth surface's heights at the two ends (§4.5.2): the
 * least-squares line through the profile, lowered where the profile
 * obstructs the direct path (shared between the ends by the obstruction's
 * angles seen from each), and never above the ground at either end. */
void terrain_smooth_heights(const double *d, const double *h, int n, double h_ts, double h_rs,
                            double *h_st, double *h_sr)
{
    double dt = d[n - 1], v1 = 0, v2 = 0;
    for (int i = 1; i < n; i++) {
        double w = d[i] - d[i - 1];
        v1 += w * (h[i] + h[i - 1]);
        v2 += w * (h[i] * (2 * d[i] + d[i - 1]) + h[i - 1] * (d[i] + 2 * d[i - 1]));
    }
    double st = (2 * v1 * dt - v2) / (dt * dt), sr = (v2 - v1 * dt) / (dt * dt);
    double h_obs = -INFINITY, a_t = -INFINITY, a_r = -INFINITY;
    for (int i = 1; i < n - 1; i++) {
        double hh = h[i] - (h_ts * (dt - d[i]) + h_rs * d[i]) / dt;
        h_obs = tmax(h_obs, hh);
        a_t = tmax(a_t, hh / d[i]);
        a_r = tmax(a_r, hh / (dt - d[i]));
    }
    if (h_obs > 0) {
        st -= h_obs * a_t / (a_t + a_r);
        sr -= h_obs * a_r / (a_t + a_r);
    }
    *h_st = fmin(st, h[0]);
    *h_sr = fmin(sr, h[n - 1]);
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
static int bullington_pair(const double *d, const double *h, int n, double h_tx, double h_rx,
                           const struct terrain_params *p, struct terrain_terms *t,
                           double *h_ts1, double *h_rs1)
{
    if (n < 2 || !(d[0] == 0))
        return -1;
    for (int i = 1; i < n; i++)
        if (!(d[i] > d[i - 1]))
            return -1;
    double a = p->k_factor * EARTH_RADIUS_M, lam = C_LIGHT / p->f_hz;
    double h_ts = h[0] + h_tx, h_rs = h[n - 1] + h_rx;
    t->bull_actual_db = terrain_bullington(d, h, n, h_ts, h_rs, a, lam, &t->los);
    terrain_smooth_heights(d, h, n, h_ts, h_rs, &t->h_st_m, &t->h_sr_m);
    *h_ts1 = h_ts - t->h_st_m;
    *h_rs1 = h_rs - t->h_sr_m;
    int los_s;
    t->bull_smooth_db = terrain_bullington(d, NULL, n, *h_ts1, *h_rs1, a, lam, &los_s);
    double ex = t->bull_actual_db - t->bull_smooth_db;
    t->excess_db = ex > TERRAIN_EXCESS_EPS_DB ? ex : 0;
    return 0;
}

int terrain_delta_bullington(const double *d, const double *h, int n, double h_tx, double h_rx,
                             const struct terrain_params *p, struct terrain_terms *t)
{
    double h1, h2;
    if (bullington_pair(d, h, n, h_tx, h_rx, p, t, &h1, &h2) != 0)
        return -1;
    t->sphere_db = terrain_sphere_db(d[n - 1], h1, h2, p);
    t->diffraction_db = t->bull_actual_db + fmax(t->sphere_db - t->bull_smooth_db, 0);
    return 0;
}

double terrain_excess_db(const double *d, const double *h, int n, double h_tx, double h_rx,
                         const struct terrain_params *p)
{
    struct terrain_terms t;
    double h1, h2;
    return bullington_pair(d, h, n, h_tx, h_rx, p, &t, &h1, &h2) == 0 ? t.excess_db : 0;
}
