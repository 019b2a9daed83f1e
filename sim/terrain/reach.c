/* terrain/reach.c — how far a station reaches along one direction over the
 * ground (see terrain_reach in terrain.h).
 *
 * The brute force evaluates the delta-Bullington excess of the profile
 * from the station to every sample in turn, O(k) each: O(n^2) a direction.
 * Most samples need not be evaluated. Along the walk the highest slope
 * from the station to the ground so far (S_tim of §4.5.1) is kept as a
 * running maximum: with the earth's bulge d_i (d - d_i) / (2 a_e) split
 * into a part of i and a part of d,
 *     S_tim(d) = max_i [(h_i - h_ts) / d_i - d_i / (2 a_e)] + d / (2 a_e),
 * one comparison a sample. Where S_tim < S_tr the path is line of sight
 * (case 1): every point lies below the direct ray, so every nu < 0 and the
 * knife-edge loss is at most J(0) = 6.03 dB; the excess is then at most
 * the Bullington loss of J(0), and a sample whose flat-ground margin is
 * above that passes whatever the profile. In shadow (case 2) the
 * Bullington point lies between the two horizon points, so no farther
 * than the last intermediate sample d_{k-1}; its parameter
 *     nu_b = (S_tim - S_tr) sqrt(2 d d_bp / (lambda (d - d_bp)))
 * grows with d_bp, so d_bp = d_{k-1} bounds it, again in O(1). Only
 * samples that neither bound clears are evaluated: first L_ba alone, which
 * bounds the excess L_ba - L_bs (L_bs >= 0) and clears most of them, then,
 * where it does not, the whole excess by the function
 * the brute force calls, so the result is the brute force's bit for bit
 * (tests/test_terrain.c compares them on random relief). */
#include "terrain_internal.h"

#define C_LIGHT 299792458.0
#define EARTH_RADIUS_M 6371000.0
/* Slack on the line-of-sight test and the bound: the running maximum and
 * the exact function round differently (by ~1e-15); these keep a sample
 * at the boundary evaluated rather than skipped. */
#define SLOPE_SLACK 1e-9
#define BOUND_SLACK_DB 1e-9

static double excess_at(const struct terrain_ray *r, const struct terrain_params *p, int k,
                        long *ev)
{
    (*ev)++;
    return terrain_excess_db(r->d, r->h, k + 1, r->h_tx_m, r->h_rx_m, p);
}

double terrain_reach(const struct terrain_ray *r, const struct terrain_params *p, int exhaustive,
                     long *evaluated)
{
    double a_e = p->k_factor * EARTH_RADIUS_M, half_c = 0.5 / a_e;
    double h_ts = r->h[0] + r->h_tx_m, run = -INFINITY;
    double j0 = terrain_knife_edge_db(0), lam = C_LIGHT / p->f_hz;
    long ev = 0;
    int prev_known = 1; /* whether te_prev holds sample k-1's excess */
    double te_prev = 0, reach = r->d[r->n - 1];
    for (int k = 1; k < r->n; k++) {
        if (r->fill)
            r->fill(r->ctx, k);
        double dk = r->d[k];
        double s_tim = run + half_c * dk;
        double s_tr = (r->h[k] + r->h_rx_m - h_ts) / dk;
        int skip = 0;
        if (!exhaustive && s_tim < s_tr - SLOPE_SLACK) {
            skip = r->margin_db[k] >= terrain_bull_of_luc(j0, dk) + BOUND_SLACK_DB;
        } else if (!exhaustive && k >= 2) {
            double dp = r->d[k - 1];
            double nu = (s_tim - s_tr + SLOPE_SLACK) * sqrt(2 * dk * dp / (lam * (dk - dp)));
            double ub = terrain_bull_of_luc(terrain_knife_edge_db(nu + 1e-9), dk);
            skip = r->margin_db[k] >= ub + BOUND_SLACK_DB;
        }
        if (!skip && !exhaustive) {
            /* L_ba <= margin: the excess, no larger, passes too. */
            int los;
            ev++;
            skip = terrain_bullington(r->d, r->h, k + 1, h_ts, r->h[k] + r->h_rx_m, a_e, lam,
                                      &los) <= r->margin_db[k];
        }
        double te = 0;
        if (!skip) {
            te = excess_at(r, p, k, &ev);
            if (te > 0 && r->margin_db[k] - te < 0) {
                if (!prev_known)
                    te_prev = excess_at(r, p, k - 1, &ev);
                double gp = r->margin_db[k - 1] - te_prev, gk = r->margin_db[k] - te;
                double span = dk - r->d[k - 1];
                reach = r->d[k - 1] + (gp > 0 ? span * gp / (gp - gk) : 0);
                break;
            }
        }
        prev_known = !skip;
        te_prev = te;
        run = tmax(run, (r->h[k] - h_ts) / dk - half_c * dk);
    }
    if (evaluated)
        *evaluated = ev;
    return reach;
}
