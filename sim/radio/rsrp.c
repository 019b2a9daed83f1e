/* radio/rsrp.c — the received SS-RSRP at a point (see radio.h): the same
 * terms as the range solver's excess() in budget.c, read the other way,
 * so that RSRP - margin >= threshold exactly where a footprint ends. */
#include "towncov/vecmath.h" /* first: its declarations before any use */

#include "radio_internal.h"

#include <stdint.h>
#include <stdlib.h>

/* The antenna's form, which decides the maths of the gain: each has its
 * own copy of the row loop (radio_rx_row), so that a vectorised loop
 * computes one form's terms and not the others'. */
enum rx_form {
    RX_OMNI,     /* no sectors: no gain */
    RX_UNTILTED, /* sectors, no mechanical tilt: the nearest sector serves */
    RX_TILTED,   /* sectors, tilted: the best of them serves */
};

struct radio_rx {
    struct link lk;
    struct station st;
    double peak_dbm;     /* RSRP before path loss and pattern: budget + threshold - O2I */
    double threshold_dbm;
    double scs_hz;
    int band;
    enum rx_form form;
    /* The sectors' azimuths, the unused entries copies of the first: a
     * loop of fixed count (3, 6 or RADIO_MAX_SECTORS) then gives the same
     * min or max as one over n_az, and vectorises. */
    double az[RADIO_MAX_SECTORS];
    int az_pad;          /* the fixed count used: >= st.n_az */
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
    rx->form = rx->st.n_az == 0 ? RX_OMNI : rx->lk.ant.sb == 0 ? RX_UNTILTED : RX_TILTED;
    for (int k = 0; k < RADIO_MAX_SECTORS; k++)
        rx->az[k] = rx->st.az[k < rx->st.n_az ? k : 0];
    rx->az_pad = rx->st.n_az <= 3 ? 3 : rx->st.n_az <= 6 ? 6 : RADIO_MAX_SECTORS;
    return rx;
}

void radio_rx_free(struct radio_rx **rx)
{
    if (rx) {
        free(*rx);
        *rx = NULL;
    }
}

/* |psi| folded into [0, 180]: psi degrees off a sector's azimuth. */
static inline double fold_deg(double psi)
{
    return fabs(psi - 360.0 * floor((psi + 180.0) / 360.0));
}

/* The sector pattern's gain toward (dx, dy) at ground distance d (3-D d3),
 * bearing clockwise from north, over the first nsec of rx->az; form is
 * rx->form (constants both, where inlined into one form's loop). */
static inline __attribute__((always_inline)) double
sector_gain(const struct radio_rx *rx, enum rx_form form, int nsec, double dx, double dy,
            double d, double d3)
{
    const struct link *lk = &rx->lk;
    if (form == RX_OMNI)
        return 0;
    double bearing = atan2(dx, dy) * DEG;
    if (form == RX_UNTILTED) {
        /* The vertical part is the same for every sector and the
         * horizontal one falls with |psi|: the nearest sector is the best,
         * one gain to evaluate (as the footprint takes). */
        double near = 180;
        #pragma GCC unroll 12 /* unrolled whole, so that the row loop vectorises */
        for (int k = 0; k < nsec; k++)
            near = min2(near, fold_deg(bearing - rx->az[k]));
        struct dir dr = dir_init(&lk->ant, near);
        return ant_gain_untilted(&lk->ant, &dr, lk->dh, d);
    }
    double gain = -INFINITY;
    #pragma GCC unroll 12
    for (int k = 0; k < nsec; k++) {
        struct dir dr = dir_init(&lk->ant, fold_deg(bearing - rx->az[k]));
        gain = max2(gain, ant_gain_tilted(&lk->ant, &dr, lk->dh, d, d3));
    }
    return gain;
}

/* The median RSRP at ground offset (dx, dy), and the shadowing margin
 * there into *margin: the one formula behind radio_rx_rsrp, radio_rx_covers
 * and radio_rx_row. */
static inline __attribute__((always_inline)) double
rsrp_at(const struct radio_rx *rx, enum rx_form form, int nsec, double dx, double dy,
        double *margin)
{
    const struct link *lk = &rx->lk;
    double d = sqrt(dx * dx + dy * dy);
    double d3 = sqrt(d * d + lk->dh * lk->dh), s;
    double pl = plm_eval(&lk->pl, d, d3, &s);
    *margin = lk->z * sqrt(s * s + lk->sigma_o2i * lk->sigma_o2i);
    return rx->peak_dbm - pl + sector_gain(rx, form, nsec, dx, dy, d, d3);
}

/* Covered as the footprint means it: RSRP r - margin >= threshold, and no
 * farther than the longest range. */
static inline int covers_at(const struct radio_rx *rx, double dx, double dy, double r,
                            double margin)
{
    double dmax = rx->lk.max_range;
    return (r - margin >= rx->threshold_dbm) & (dx * dx + dy * dy <= dmax * dmax);
}

double radio_rx_rsrp(const struct radio_rx *rx, double dx_m, double dy_m, double *margin_db)
{
    double margin;
    double r = rsrp_at(rx, rx->form, rx->st.n_az, dx_m, dy_m, &margin);
    if (margin_db)
        *margin_db = margin;
    return r;
}

double radio_rx_margin_db(const struct radio_rx *rx, double dx_m, double dy_m)
{
    const struct link *lk = &rx->lk;
    double d = sqrt(dx_m * dx_m + dy_m * dy_m);
    double d3 = sqrt(d * d + lk->dh * lk->dh), s;
    plm_eval(&lk->pl, d, d3, &s);
    return lk->z * sqrt(s * s + lk->sigma_o2i * lk->sigma_o2i);
}

int radio_rx_covers(const struct radio_rx *rx, double dx_m, double dy_m, double *rsrp_dbm)
{
    double margin;
    double r = rsrp_at(rx, rx->form, rx->st.n_az, dx_m, dy_m, &margin);
    if (rsrp_dbm)
        *rsrp_dbm = r;
    return covers_at(rx, dx_m, dy_m, r, margin);
}

/* One form's loop over points: vectorised (libmvec) where the compiler
 * can. Every type is 64 bits wide, so that a vector holds as many points
 * in each array. */
static inline __attribute__((always_inline)) void
points_of_form(const struct radio_rx *restrict rx, enum rx_form form, int nsec,
               const double *restrict xs, double x, double dy, int n, double *restrict rsrp,
               double *restrict mw, int64_t *restrict cover)
{
    TC_SIMD
    for (int i = 0; i < n; i++) {
        double dx = xs[i] - x, margin;
        double r = rsrp_at(rx, form, nsec, dx, dy, &margin);
        rsrp[i] = r;
        mw[i] = exp(r * (M_LN10 / 10));
        cover[i] = covers_at(rx, dx, dy, r, margin);
    }
}

/* Points in a chunk: a multiple of every vector width (2, 4, 8 doubles). */
#define ROW_CHUNK 8

/* A row of one form: the whole chunks in place, the last few points as a
 * chunk of their own padded with copies of the last point, so that no
 * point goes through the compiler's scalar remainder loop (spans are
 * short: a remainder would be a large share of them, and computed by
 * scalar libm, to other last bits than the vector loop). */
static inline __attribute__((always_inline)) void
row_of_form(const struct radio_rx *restrict rx, enum rx_form form, int nsec,
            const double *restrict xs, double x, double dy, int n, double *restrict rsrp,
            double *restrict mw, int64_t *restrict cover)
{
    int whole = n / ROW_CHUNK * ROW_CHUNK;
    for (int i = 0; i < whole; i += ROW_CHUNK)
        points_of_form(rx, form, nsec, xs + i, x, dy, ROW_CHUNK, rsrp + i, mw + i, cover + i);
    if (whole == n)
        return;
    double txs[ROW_CHUNK], trsrp[ROW_CHUNK], tmw[ROW_CHUNK];
    int64_t tcover[ROW_CHUNK];
    for (int i = 0; i < ROW_CHUNK; i++)
        txs[i] = xs[whole + i < n ? whole + i : n - 1];
    points_of_form(rx, form, nsec, txs, x, dy, ROW_CHUNK, trsrp, tmw, tcover);
    for (int i = 0; whole + i < n; i++)
        rsrp[whole + i] = trsrp[i], mw[whole + i] = tmw[i], cover[whole + i] = tcover[i];
}

/* One form and sector count a case of radio_rx_row's switch. */
#define ROW_CASE(form, nsec) row_of_form(rx, form, nsec, xs, x, dy, n, rsrp_dbm, mw, cover)

TC_VEC_CLONES
void radio_rx_row(const struct radio_rx *restrict rx, const double *xs, double x, double dy,
                  int n, double *rsrp_dbm, double *mw, int64_t *cover)
{
    int pad = rx->az_pad;
    if (rx->form == RX_OMNI)
        ROW_CASE(RX_OMNI, 0);
    else if (rx->form == RX_UNTILTED)
        pad == 3 ? ROW_CASE(RX_UNTILTED, 3)
        : pad == 6 ? ROW_CASE(RX_UNTILTED, 6) : ROW_CASE(RX_UNTILTED, RADIO_MAX_SECTORS);
    else
        pad == 3 ? ROW_CASE(RX_TILTED, 3)
        : pad == 6 ? ROW_CASE(RX_TILTED, 6) : ROW_CASE(RX_TILTED, RADIO_MAX_SECTORS);
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

double radio_rx_freq_hz(const struct radio_rx *rx)
{
    return rx->lk.band.f_mhz * 1e6;
}

double radio_rx_height_m(const struct radio_rx *rx)
{
    return rx->st.h_bs;
}

double radio_rsrp_dbm(const struct radio_model *m, enum tc_kind kind,
                      const struct radio_site *site, double dx_m, double dy_m)
{
    struct radio_rx *rx = radio_rx_new(m, kind, site);
    double r = rx ? radio_rx_rsrp(rx, dx_m, dy_m, NULL) : NAN;
    radio_rx_free(&rx);
    return r;
}
