/* radio_internal.h — what the radio stage's files share: constants, the
 * precomputed forms of a path-loss model, an antenna and a station's link,
 * and the hot helpers of the range solver, kept static inline so that the
 * split into files costs no speed. Private to sim/radio/. */
#ifndef TOWNCOV_RADIO_INTERNAL_H
#define TOWNCOV_RADIO_INTERNAL_H

#include <math.h>

#include "towncov/radio.h"

#define DEG (180.0 / M_PI)
#define C_901 3.0e8 /* m/s: the value TR 38.901's breakpoint notes use */
#define C_EXACT 299792458.0
#define MIN_RANGE_M 1.0 /* no footprint is smaller: keeps polygons valid */
#define SOLVE_TOL_M 1.0 /* final bracket width: error <= 0.5 m */

/* fmax/fmin without their NaN rules, which keep GCC from inlining them in
 * the solver's inner loops; no NaN reaches these. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

static inline double min2(double a, double b)
{
    return a < b ? a : b;
}

/* ---- keys.c ------------------------------------------------------------- */

extern const char *const radio_o2i_names[]; /* NULL-terminated, by enum radio_o2i */

/* A carrier: nominal frequency, channel bandwidth, subcarrier spacing, N_RB. */
struct band {
    const char *name;
    double f_mhz, bw_mhz;
    int scs_khz, nrb;
};

/* The carrier of band b (enum radio_band; custom_* for RADIO_BAND_CUSTOM). */
struct band radio_band_of(const struct radio_config *rc, int b);

/* ---- pathloss.c ---------------------------------------------------------- */

/* Validity flags of `model` for a ground distance. */
unsigned radio_distance_check(enum radio_pathloss model, double d2d);

/* A path-loss model with every distance-free term computed once, so that
 * the solver's inner loop costs one sqrt and one log10. PL in dB:
 *   LOS part   a1 + b1 log10(d3D) + c1 d3D   for d2D <= d_bp,
 *              a2 + b2 log10(d3D)            beyond;
 *   NLOS part  an + bn log10(d3D), and PL = max(LOS, NLOS) when nlos;
 *   Hata-like  an + bn log10(d2D / 1 km) alone when hata. */
struct plm {
    double dh2;
    double d_bp;
    double a1, b1, c1, a2, b2, an, bn;
    double sigma1, sigma2, sigma_n;
    int nlos, hata;
};

/* The distance-free terms of `model` for the carrier and heights in p. */
void radio_plm_init(struct plm *m, enum radio_pathloss model, const struct radio_pl_params *p);

/* Median path loss (dB) at ground distance d2 and 3-D distance d3; *sigma
 * gets the shadow-fading sigma there. */
static inline double plm_eval(const struct plm *m, double d2, double d3, double *sigma)
{
    /* Selects rather than branches, and one log10 for either form, so that
     * a loop over points vectorises (radio_rx_row); the values are those
     * of the branches. */
    double km = d2 / 1000; /* unconditional: a division under a select is not vectorised */
    double lg = log10(m->hata ? km : d3);
    int near = d2 <= m->d_bp;
    double los = near ? m->a1 + m->b1 * lg + m->c1 * d3 : m->a2 + m->b2 * lg;
    double nlos = m->an + m->bn * lg;
    double pl = m->hata ? nlos : m->nlos ? max2(los, nlos) : los;
    *sigma = m->hata | m->nlos ? m->sigma_n : near ? m->sigma1 : m->sigma2;
    return pl;
}

/* ---- antenna.c ----------------------------------------------------------- */

/* A sector antenna with its distance-free terms computed. */
struct ant {
    double cb, sb;   /* cos, sin of the mechanical downtilt */
    double etilt;    /* electrical downtilt, deg */
    double kv, kh;   /* 12 / HPBW^2 */
    double sla, amax;
};

/* One direction relative to the sector azimuth, with what does not depend
 * on the distance. */
struct dir {
    double cpsi, spsi;
    double ah;   /* horizontal pattern at psi: the gain's azimuth part when untilted */
    int floored; /* untilted and ah at -A_max: the gain is -A_max at any distance */
};

/* The sector antenna of rc with these downtilts (deg). */
void radio_ant_init(struct ant *a, const struct radio_config *rc, double mtilt, double etilt);

/* The direction psi_deg off the sector azimuth. */
static inline struct dir dir_init(const struct ant *a, double psi_deg)
{
    struct dir d = {cos(psi_deg / DEG), sin(psi_deg / DEG), 0, 0};
    d.ah = -min2(a->kh * psi_deg * psi_deg, a->amax);
    d.floored = (a->sb == 0) & (d.ah <= -a->amax); /* & not &&: no branch */
    return d;
}

/* The gain from the zenith angle th (deg) in the antenna's own frame and
 * the horizontal pattern's value ah there (dB). */
static inline double ant_combine(const struct ant *a, double th, double ah)
{
    double v = th - 90 - a->etilt;
    double av = -min2(a->kv * v * v, a->sla);
    return -min2(-(av + ah), a->amax);
}

/* ant_gain of an untilted antenna (a->sb == 0): local angles are the
 * global ones. Apart so that a vectorised loop over untilted stations
 * (radio_rx_row) carries none of the tilted branch's maths. */
static inline double ant_gain_untilted(const struct ant *a, const struct dir *d, double dh,
                                       double dg)
{
    double g = ant_combine(a, 90 + atan2(dh, dg) * DEG, d->ah);
    return d->floored ? -a->amax : g;
}

/* ant_gain of a mechanically tilted antenna (a->sb != 0). */
static inline double ant_gain_tilted(const struct ant *a, const struct dir *d, double dh,
                                     double dg, double d3)
{
    double ct = -dh / d3, st = dg / d3;
    double cl = a->cb * ct + a->sb * d->cpsi * st;
    double th = acos(cl > 1 ? 1 : cl < -1 ? -1 : cl) * DEG;
    double ph = atan2(d->spsi * st, a->cb * st * d->cpsi - a->sb * ct) * DEG;
    return ant_combine(a, th, -min2(a->kh * ph * ph, a->amax));
}

/* TR 38.901 Table 7.3-1 relative to the peak, in the antenna's own frame
 * after the mechanical tilt (eq. 7.1-7/7.1-8 with bearing 0 and slant 0);
 * the electrical tilt moves the vertical pattern's peak down by etilt.
 * Toward a UE dh below the antenna at ground distance d (3-D d3). */
static inline double ant_gain(const struct ant *a, const struct dir *d, double dh, double dg,
                              double d3)
{
    return a->sb == 0 ? ant_gain_untilted(a, d, dh, dg) : ant_gain_tilted(a, d, dh, dg, d3);
}

/* ---- budget.c ------------------------------------------------------------ */

/* The link of one station: everything but the distance and direction. */
struct link {
    struct plm pl;
    struct ant ant;
    enum radio_pathloss model;
    struct radio_pl_params pp;
    struct band band;
    double dh;         /* h_BS - h_UT */
    double budget_db;  /* RE power + gains - losses - threshold: MAPL before O2I and margin */
    double o2i_db, sigma_o2i, z;
    double max_range;
    int sectors;       /* the kind's default count; 0 = omni */
};

/* The link of a station of kind k with this height, power and mechanical tilt. */
void radio_link_init(struct link *lk, const struct radio_config *rc, enum tc_kind k, double h_bs,
                     double power_dbm, double mtilt);

/* The link of a station with the kind's default height, power and tilt. */
void radio_link_default(struct link *lk, const struct radio_config *rc, enum tc_kind k);

/* The range (m) in one direction, to within 0.5 m; dir NULL: omni. */
double radio_solve_range(const struct link *lk, const struct dir *dir, double guess);

/* The station as it stands: the kind's defaults with the site's overrides. */
struct station {
    double h_bs, power, mtilt;
    int n_az;           /* 0: omni */
    double az[RADIO_MAX_SECTORS];
    int custom_link;    /* height, power or tilt differ from the kind's */
    int custom_az;      /* azimuths differ from the kind's */
};

void radio_station_of(const struct radio_config *rc, enum tc_kind k,
                      const struct radio_site *site, struct station *st);

/* Vertices of a link-model footprint. */
static inline int nvert_of(const struct radio_config *rc)
{
    return (int)lround(360.0 / rc->angle_step_deg);
}

/* Range solves of one station, direction after direction: each starts
 * from a good guess (the kind's table scaled by the boresight ratio, or
 * the previous direction), and every direction whose gain is -A_max at
 * any distance shares one solve. */
struct sweep {
    const struct link *lk;
    const double *tab;   /* the kind's sector table, or NULL */
    double scale;        /* this station's boresight range / the table's */
    double prev;         /* the last range found */
    double floored;      /* the range at gain -A_max; 0 until solved */
};

/* tab: the kind's sector range table for guesses, or NULL. */
void radio_sweep_init(struct sweep *sw, const struct link *lk, const double *tab);
/* The range psi degrees off the sector azimuth. */
double radio_sweep_solve(struct sweep *sw, double psi);

/* Radii of the footprint, solving every direction needed: the star polygon
 * of the maximum over sectors (of the nearest sector when untilted). tab:
 * the kind's sector range table for guesses, or NULL. */
void radio_solve_footprint(const struct link *lk, const struct station *st, int n,
                           const double *tab, double *r);

/* The warnings of a station: those of its parameters (param_warn) and
 * those that follow from the ranges found. */
unsigned radio_range_warnings(const struct radio_config *rc, enum tc_kind k,
                              unsigned param_warn, double rmin, double rmax);

/* ---- model.c ------------------------------------------------------------- */

/* What radio_model_new() derives from a configuration; never written after
 * it returns, so that any number of threads may read it. */
struct radio_model {
    struct radio_config cfg; /* a copy of the configuration it was built from */
    int nvert;               /* vertices of ux, uy: the footprints' (0: none tabulated) */
    double ux[RADIO_MAX_VERTICES], uy[RADIO_MAX_VERTICES]; /* unit vector of vertex j */
    /* Link model. One sector's range (m) against |azimuth offset| 0, 0.1,
     * ..., 180 deg, for a station with the kind's default height, power
     * and tilts. */
    double sector_r[KIND_COUNT][RADIO_PSI_STEPS + 1];
    /* The footprint radii of a default station (default azimuths), vertex j
     * at the math angle 360 j / nvert deg (counter-clockwise from east). */
    double default_r[KIND_COUNT][RADIO_MAX_VERTICES];
    double default_min_r[KIND_COUNT], default_max_r[KIND_COUNT];
    unsigned default_warn[KIND_COUNT];
    unsigned param_warn[KIND_COUNT]; /* of the kind's band, heights: radio_pathloss_check() */
};

#endif
