/* radio/rsrp.c — the received SS-RSRP at a point (see radio.h): the same
 * terms as the range solver's excess() in budget.c, read the other way,
 * so that RSRP - margin >= threshold exactly where a footprint ends. */
#include "radio_internal.h"

#include <stdlib.h>

struct radio_rx {
    struct link lk;
    struct station st;
    double peak_dbm;     /* RSRP before path loss and pattern: budget + threshold - O2I */
    double threshold_dbm;
    double scs_hz;
    int band;
    int omni;
};

struct radio_rx *radio_rx_new(const struct radio_model *m, enum tc_kind kind,
                              const struct radio_site *site)
{
    const struct radio_config *rc = &m->cfg;
    if (rc->model != RADIO_LINK)
        return NULL;
    struct radio_rx *rx = calloc(1, sizeof *rx);
    if (!rx)
        return NULL;
    radio_station_of(rc, kind, site, &rx->st);
    radio_link_init(&rx->lk, rc, kind, rx->st.h_bs, rx->st.power, rx->st.mtilt);
    rx->threshold_dbm = rc->rsrp_threshold_dbm[kind];
    rx->peak_dbm = rx->lk.budget_db + rx->threshold_dbm - rx->lk.o2i_db;
    rx->scs_hz = 1000.0 * rx->lk.band.scs_khz;
    rx->band = rc->band[kind];
    rx->omni = rx->st.n_az == 0;
    return rx;
}

void radio_rx_free(struct radio_rx **rx)
{
    if (rx) {
        free(*rx);
        *rx = NULL;
    }
}

double radio_rx_rsrp(const struct radio_rx *rx, double dx_m, double dy_m, double *margin_db)
{
    const struct link *lk = &rx->lk;
    double d = sqrt(dx_m * dx_m + dy_m * dy_m);
    double d3 = sqrt(d * d + lk->dh * lk->dh), s;
    double pl = plm_eval(&lk->pl, d, d3, &s);
    if (margin_db)
        *margin_db = lk->z * sqrt(s * s + lk->sigma_o2i * lk->sigma_o2i);
    double gain = 0;
    if (!rx->omni) {
        /* Bearing clockwise from north; the best sector serves (for an
         * untilted antenna that is the nearest, as the footprint takes). */
        double bearing = atan2(dx_m, dy_m) * DEG;
        if (lk->ant.sb == 0) {
            /* Untilted: the vertical part is the same for every sector and
             * the horizontal one falls with |psi|: the nearest sector is
             * the best, one gain to evaluate. */
            double near = 180;
            for (int s2 = 0; s2 < rx->st.n_az; s2++) {
                double psi = bearing - rx->st.az[s2];
                near = min2(near, fabs(psi - 360.0 * floor((psi + 180.0) / 360.0)));
            }
            struct dir dr = dir_init(&lk->ant, near);
            gain = ant_gain(&lk->ant, &dr, lk->dh, d, d3);
        } else {
            gain = -INFINITY;
            for (int s2 = 0; s2 < rx->st.n_az; s2++) {
                double psi = bearing - rx->st.az[s2];
                psi = fabs(psi - 360.0 * floor((psi + 180.0) / 360.0));
                struct dir dr = dir_init(&lk->ant, psi);
                gain = max2(gain, ant_gain(&lk->ant, &dr, lk->dh, d, d3));
            }
        }
    }
    return rx->peak_dbm - pl + gain;
}

int radio_rx_covers(const struct radio_rx *rx, double dx_m, double dy_m, double *rsrp_dbm)
{
    double margin;
    double r = radio_rx_rsrp(rx, dx_m, dy_m, &margin);
    if (rsrp_dbm)
        *rsrp_dbm = r;
    double d2 = dx_m * dx_m + dy_m * dy_m, dmax = rx->lk.max_range;
    return r - margin >= rx->threshold_dbm && d2 <= dmax * dmax;
}

double radio_rx_threshold_dbm(const struct radio_rx *rx)
{
    return rx->threshold_dbm;
}

double radio_rx_scs_hz(const struct radio_rx *rx)
{
    return rx->scs_hz;
}

int radio_rx_band(const struct radio_rx *rx)
{
    return rx->band;
}

double radio_rsrp_dbm(const struct radio_model *m, enum tc_kind kind,
                      const struct radio_site *site, double dx_m, double dy_m)
{
    struct radio_rx *rx = radio_rx_new(m, kind, site);
    double r = rx ? radio_rx_rsrp(rx, dx_m, dy_m, NULL) : NAN;
    radio_rx_free(&rx);
    return r;
}
