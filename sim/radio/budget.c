/* radio/budget.c — the link of one station, the range solver, the
 * footprint's shape (radio_footprint) and the link budget term by term
 * (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <string.h>

/* ---- the link of one station and the range solver ------------------------------ */

void radio_link_init(struct link *lk, const struct radio_config *rc, enum tc_kind k,
                     double h_bs, double power_dbm, double mtilt)
{
    lk->band = radio_band_of(rc, rc->band[k]);
    lk->model = (enum radio_pathloss)rc->pathloss[k];
    lk->pp = (struct radio_pl_params){lk->band.f_mhz / 1000, h_bs, rc->ue_height_m,
                                      rc->building_height_m, rc->street_width_m,
                                      rc->empirical_sigma_db};
    radio_plm_init(&lk->pl, lk->model, &lk->pp);
    radio_ant_init(&lk->ant, rc, mtilt, rc->etilt_deg[k]);
    lk->dh = h_bs - rc->ue_height_m;
    double re = power_dbm - 10 * log10(12.0 * lk->band.nrb);
    lk->budget_db = re + rc->gain_dbi[k] - rc->cable_loss_db[k] + rc->ue_gain_dbi -
                    rc->body_loss_db - rc->rsrp_threshold_dbm[k];
    lk->o2i_db = radio_o2i_loss((enum radio_o2i)rc->o2i[k], lk->pp.f_ghz, rc->o2i_depth_m,
                                &lk->sigma_o2i);
    lk->z = radio_norm_quantile(rc->edge_probability);
    lk->max_range = rc->max_range_m;
    lk->sectors = (int)rc->sectors[k];
}

void radio_link_default(struct link *lk, const struct radio_config *rc, enum tc_kind k)
{
    radio_link_init(lk, rc, k, rc->height_m[k], rc->tx_power_dbm[k], rc->mtilt_deg[k]);
}

/* Loss minus budget at ground distance d: <= 0 where SS-RSRP meets the
 * threshold with the edge probability. dir NULL: omni antenna. */
static double excess(const struct link *lk, const struct dir *dir, double d)
{
    double d3 = sqrt(d * d + lk->dh * lk->dh), s;
    double loss = plm_eval(&lk->pl, d, d3, &s);
    loss += lk->o2i_db + lk->z * sqrt(s * s + lk->sigma_o2i * lk->sigma_o2i);
    if (dir)
        loss -= ant_gain(&lk->ant, dir, lk->dh, d, d3);
    return loss - lk->budget_db;
}

/* The range in one direction: where the excess crosses zero, to within
 * 0.5 m. A bracket grows from the guess by factors 1.02, 1.04, 1.08 ... up
 * to 2: outward while covered, inward while not. Coming from outside it
 * stops at the first covered point, so a hole near the mast (a deep
 * vertical null) leaves the outer edge, the one a planner means. Then
 * regula falsi, each step followed by a probe 0.5 m toward the other end
 * (so one good secant step closes the bracket), bisecting whenever a step
 * fails to halve the bracket. The excess is close to linear over the
 * bracket, so this takes 3 to 5 evaluations from a good guess. */
double radio_solve_range(const struct link *lk, const struct dir *dir, double guess)
{
    double dmax = lk->max_range;
    double x = guess > MIN_RANGE_M && guess < dmax ? guess : min2(1000, 0.5 * dmax);
    double gx = excess(lk, dir, x), lo, hi, glo, ghi, f = 1.02;
    if (gx <= 0) {
        lo = x, glo = gx;
        for (;;) {
            hi = min2(lo * f, dmax);
            ghi = excess(lk, dir, hi);
            if (ghi > 0)
                break;
            if (hi >= dmax)
                return dmax;
            lo = hi, glo = ghi, f = min2(f * f, 2);
        }
    } else {
        hi = x, ghi = gx;
        for (;;) {
            lo = max2(hi / f, MIN_RANGE_M);
            glo = excess(lk, dir, lo);
            if (glo <= 0)
                break;
            if (lo <= MIN_RANGE_M)
                return MIN_RANGE_M;
            hi = lo, ghi = glo, f = min2(f * f, 2);
        }
    }
    int bisect = 0;
    for (int it = 0; it < 200 && hi - lo > SOLVE_TOL_M; it++) {
        double width = hi - lo, m = 0.1 * SOLVE_TOL_M;
        if (bisect || !(ghi > glo))
            x = hi / lo > 1.01 ? sqrt(lo * hi) : 0.5 * (lo + hi);
        else
            x = hi - ghi * (hi - lo) / (ghi - glo);
        x = min2(max2(x, lo + m), hi - m);
        gx = excess(lk, dir, x);
        double p;
        if (gx <= 0) {
            lo = x, glo = gx;
            p = lo + 0.5 * SOLVE_TOL_M;
        } else {
            hi = x, ghi = gx;
            p = hi - 0.5 * SOLVE_TOL_M;
        }
        if (p > lo && p < hi) {
            double gp = excess(lk, dir, p);
            if (gp <= 0)
                lo = p, glo = gp;
            else
                hi = p, ghi = gp;
        }
        bisect = hi - lo > 0.5 * width;
    }
    return 0.5 * (lo + hi);
}

static void default_azimuths(int n, double *az)
{
    for (int i = 0; i < n; i++)
        az[i] = 360.0 * i / n;
}

void radio_station_of(const struct radio_config *rc, enum tc_kind k,
                      const struct radio_site *site, struct station *st)
{
    st->h_bs = rc->height_m[k];
    st->power = rc->tx_power_dbm[k];
    st->mtilt = rc->mtilt_deg[k];
    st->n_az = (int)rc->sectors[k];
    default_azimuths(st->n_az, st->az);
    st->custom_link = st->custom_az = 0;
    if (!site)
        return;
    if (isfinite(site->height_m))
        st->h_bs = max2(site->height_m, 1.0); /* a mast below 1 m is a typo */
    if (isfinite(site->power_dbm))
        st->power = site->power_dbm;
    if (isfinite(site->tilt_deg))
        st->mtilt = min2(max2(site->tilt_deg, -90), 90);
    st->custom_link = st->h_bs != rc->height_m[k] || st->power != rc->tx_power_dbm[k] ||
                      st->mtilt != rc->mtilt_deg[k];
    int n = site->n_azimuths;
    if (n > 0 && n <= RADIO_MAX_SECTORS) {
        int same = n == st->n_az;
        for (int i = 0; i < n && same; i++)
            same = fabs(site->azimuth_deg[i] - st->az[i]) < 1e-9;
        if (!same) {
            st->n_az = n;
            memcpy(st->az, site->azimuth_deg, sizeof(double) * (size_t)n);
            st->custom_az = 1;
        }
    }
}

/* |offset| in [0, 180] between the compass bearing of vertex j (at the math
 * angle 360 j / n counter-clockwise from east) and an azimuth. */
static double offset_deg(int j, int n, double az)
{
    double psi = 90.0 - 360.0 * j / n - az;
    return fabs(psi - 360.0 * floor((psi + 180.0) / 360.0));
}

/* Linear interpolation in a sector range table (0.1 deg steps). */
static double table_range(const double *tab, double psi)
{
    double x = psi * (RADIO_PSI_STEPS / 180.0);
    int i = (int)x;
    if (i >= RADIO_PSI_STEPS)
        return tab[RADIO_PSI_STEPS];
    double t = x - i;
    return tab[i] + t * (tab[i + 1] - tab[i]);
}

/* Without mechanical tilt every sector's gain falls as |offset| grows, at
 * any distance (A_H does, and A = -min(-(A_V + A_H), A_max) follows), so
 * its range does too and the nearest sector gives the union's radius. */
static double nearest_offset(int j, int n, const struct station *st)
{
    double m = 180;
    for (int s = 0; s < st->n_az; s++)
        m = min2(m, offset_deg(j, n, st->az[s]));
    return m;
}

/* Radii of a station with the kind's link but its own azimuths, from the
 * kind's sector table. */
static void table_footprint(const double *tab, int untilted, const struct station *st, int n,
                            double *r)
{
    for (int j = 0; j < n; j++) {
        if (untilted) {
            r[j] = table_range(tab, nearest_offset(j, n, st));
            continue;
        }
        r[j] = 0;
        for (int s = 0; s < st->n_az; s++)
            r[j] = max2(r[j], table_range(tab, offset_deg(j, n, st->az[s])));
    }
}

void radio_sweep_init(struct sweep *sw, const struct link *lk, const double *tab)
{
    struct dir d = dir_init(&lk->ant, 0);
    sw->lk = lk;
    sw->tab = tab;
    sw->prev = radio_solve_range(lk, &d, tab ? tab[0] : 0);
    sw->scale = tab && tab[0] > 0 ? sw->prev / tab[0] : 1;
    sw->floored = 0;
}

double radio_sweep_solve(struct sweep *sw, double psi)
{
    struct dir d = dir_init(&sw->lk->ant, psi);
    if (d.floored && sw->floored > 0)
        return sw->floored;
    double guess = sw->tab ? sw->scale * table_range(sw->tab, psi) : sw->prev;
    sw->prev = radio_solve_range(sw->lk, &d, guess);
    if (d.floored)
        sw->floored = sw->prev;
    return sw->prev;
}

/* The range psi off a sector's azimuth; with rk (aligned azimuths) psi is
 * a whole number of steps and each is solved once. */
static double solve_at(struct sweep *sw, double psi, double *rk, double step)
{
    if (!rk)
        return radio_sweep_solve(sw, psi);
    int k = (int)(psi / step + 0.5);
    if (rk[k] < 0)
        rk[k] = radio_sweep_solve(sw, k * step);
    return rk[k];
}

/* Radii of the footprint, solving every direction needed: the star polygon
 * of the maximum over sectors (of the nearest sector when untilted). tab:
 * the kind's sector range table for guesses, or NULL. */
void radio_solve_footprint(const struct link *lk, const struct station *st, int n,
                           const double *tab, double *r)
{
    if (st->n_az == 0) {
        double r0 = radio_solve_range(lk, NULL, 0);
        for (int j = 0; j < n; j++)
            r[j] = r0;
        return;
    }
    /* Vertex j looks at bearing 90 - j step: offsets are whole steps when
     * every 90 - azimuth is. */
    double step = 360.0 / n, rk[RADIO_MAX_VERTICES / 2 + 1];
    int aligned = 1;
    for (int s = 0; s < st->n_az && aligned; s++) {
        double q = (90.0 - st->az[s]) / step;
        aligned = fabs(q - nearbyint(q)) < 1e-9;
    }
    struct sweep sw;
    radio_sweep_init(&sw, lk, tab);
    for (int k = 0; k <= n / 2; k++)
        rk[k] = k ? -1 : sw.prev;
    double *cache = aligned ? rk : NULL;
    int untilted = lk->ant.sb == 0;
    for (int j = 0; j < n; j++) {
        if (untilted) {
            r[j] = solve_at(&sw, nearest_offset(j, n, st), cache, step);
            continue;
        }
        r[j] = 0;
        for (int s = 0; s < st->n_az; s++)
            r[j] = max2(r[j], solve_at(&sw, offset_deg(j, n, st->az[s]), cache, step));
    }
}

/* The warnings of a station: those of its parameters (param_warn) and
 * those that follow from the ranges found. */
unsigned radio_range_warnings(const struct radio_config *rc, enum tc_kind k,
                              unsigned param_warn, double rmin, double rmax)
{
    enum radio_pathloss m = (enum radio_pathloss)rc->pathloss[k];
    unsigned w = param_warn | radio_distance_check(m, rmin) | radio_distance_check(m, rmax);
    if (rmax >= rc->max_range_m)
        w |= RADIO_WARN_RANGE_CAP;
    if (rmin <= MIN_RANGE_M)
        w |= RADIO_WARN_NO_COVER;
    return w;
}

/* ---- footprints -------------------------------------------------------------- */

/* A regular N-gon inscribed in the circle of radius r: its vertices lie on
 * the circle, so its area is N/2 r^2 sin(2 pi / N). */
static void disc_ring(double r, int n, double *xy)
{
    for (int i = 0; i < n; i++) {
        double a = 2.0 * M_PI * i / n;
        xy[2 * i] = r * cos(a);
        xy[2 * i + 1] = r * sin(a);
    }
}

static int disc_footprint(const struct radio_model *m, enum tc_kind kind, double *xy,
                          int capacity, struct radio_range_info *info)
{
    int n = (int)m->cfg.vertices;
    if (n > capacity)
        return -1;
    double r = m->cfg.radius_m[kind];
    if (m->nvert == n) {
        for (int i = 0; i < n; i++) {
            xy[2 * i] = r * m->ux[i];
            xy[2 * i + 1] = r * m->uy[i];
        }
    } else { /* more vertices than the tables hold */
        disc_ring(r, n, xy);
    }
    if (info) {
        info->min_range_m = r * cos(M_PI / n);
        info->max_range_m = r;
        info->band = "disc";
        info->pathloss = "disc";
        info->warnings = 0;
    }
    return n;
}

int radio_footprint(const struct radio_model *m, enum tc_kind kind,
                    const struct radio_site *site, double *xy, int capacity,
                    struct radio_range_info *info)
{
    const struct radio_config *rc = &m->cfg;
    if (rc->model != RADIO_LINK)
        return disc_footprint(m, kind, xy, capacity, info);
    int n = nvert_of(rc);
    if (n > capacity || n > RADIO_MAX_VERTICES)
        return -1;
    struct station st;
    radio_station_of(rc, kind, site, &st);
    double rbuf[RADIO_MAX_VERTICES];
    const double *r = rbuf;
    double lo = INFINITY, hi = 0;
    unsigned warn;
    if (!st.custom_link && !st.custom_az) {
        /* The common case: the kind's own footprint, solved once. */
        r = m->default_r[kind];
        lo = m->default_min_r[kind];
        hi = m->default_max_r[kind];
        warn = m->default_warn[kind];
    } else {
        unsigned param_warn;
        if (!st.custom_link) {
            /* Only the azimuths differ: the sector's range against the
             * offset is the kind's table (interpolation error << 1 m). */
            table_footprint(m->sector_r[kind], rc->mtilt_deg[kind] == 0, &st, n, rbuf);
            param_warn = m->param_warn[kind];
        } else {
            struct link lk;
            radio_link_init(&lk, rc, kind, st.h_bs, st.power, st.mtilt);
            radio_solve_footprint(&lk, &st, n, m->sector_r[kind], rbuf);
            param_warn = radio_pathloss_check(lk.model, &lk.pp);
        }
        for (int j = 0; j < n; j++)
            lo = min2(lo, rbuf[j]), hi = max2(hi, rbuf[j]);
        warn = radio_range_warnings(rc, kind, param_warn, lo, hi);
    }
    for (int j = 0; j < n; j++) {
        xy[2 * j] = r[j] * m->ux[j];
        xy[2 * j + 1] = r[j] * m->uy[j];
    }
    if (info) {
        info->min_range_m = lo;
        info->max_range_m = hi;
        info->band = radio_band_names[rc->band[kind]];
        info->pathloss = radio_pathloss_names[rc->pathloss[kind]];
        info->warnings = warn;
    }
    return n;
}

/* ---- link budget, term by term ---------------------------------------------------- */

int radio_budget(const struct radio_model *m, enum tc_kind kind, const struct radio_site *site,
                 struct radio_budget *b)
{
    const struct radio_config *rc = &m->cfg;
    struct station st;
    radio_station_of(rc, kind, site, &st);
    struct link lk;
    radio_link_init(&lk, rc, kind, st.h_bs, st.power, st.mtilt);
    memset(b, 0, sizeof *b);
    b->band = radio_band_names[rc->band[kind]];
    b->pathloss = radio_pathloss_names[lk.model];
    b->f_mhz = lk.band.f_mhz;
    b->bandwidth_mhz = lk.band.bw_mhz;
    b->scs_khz = lk.band.scs_khz;
    b->nrb = lk.band.nrb;
    b->subcarriers = 12 * lk.band.nrb;
    b->tx_power_dbm = st.power;
    b->re_power_dbm = st.power - 10 * log10((double)b->subcarriers);
    b->gain_dbi = rc->gain_dbi[kind];
    b->cable_loss_db = rc->cable_loss_db[kind];
    b->eirp_re_dbm = b->re_power_dbm + b->gain_dbi - b->cable_loss_db;
    b->ue_gain_dbi = rc->ue_gain_dbi;
    b->body_loss_db = rc->body_loss_db;
    b->o2i_db = lk.o2i_db;
    b->sigma_o2i_db = lk.sigma_o2i;
    b->edge_probability = rc->edge_probability;
    b->z = lk.z;
    b->rsrp_threshold_dbm = rc->rsrp_threshold_dbm[kind];
    b->h_bs = st.h_bs;
    b->h_ut = rc->ue_height_m;
    b->mtilt_deg = st.mtilt;
    b->etilt_deg = rc->etilt_deg[kind];
    b->sectors = st.n_az;
    struct dir d0 = dir_init(&lk.ant, 0);
    double r = radio_solve_range(&lk, st.n_az ? &d0 : NULL, 0);
    double d3 = sqrt(r * r + lk.dh * lk.dh);
    plm_eval(&lk.pl, r, d3, &b->sigma_sf_db);
    b->sigma_db = sqrt(b->sigma_sf_db * b->sigma_sf_db + b->sigma_o2i_db * b->sigma_o2i_db);
    b->margin_db = b->z * b->sigma_db;
    b->mapl_db = b->eirp_re_dbm + b->ue_gain_dbi - b->body_loss_db - b->o2i_db - b->margin_db -
                 b->rsrp_threshold_dbm;
    b->range_boresight_m = r;
    b->warnings = radio_range_warnings(rc, kind, radio_pathloss_check(lk.model, &lk.pp), r, r);
    return 0;
}
