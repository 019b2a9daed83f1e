/* radio/radio.c — footprints from the radio model (see radio.h).
 *
 * Reading order: names and key table; bands; path-loss models; O2I;
 * antenna pattern; the link of one station and the range solver; config
 * check and prepare; footprints; link budget report; `towncov pathloss`. */
#include "towncov/radio.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const model_names[] = {"disc", "link", NULL};
const char *const radio_band_names[] = {"n78", "n41", "n28", "custom", NULL};
const char *const radio_pathloss_names[] = {
    "fspl",     "rma-los",          "rma-nlos",         "uma-los",       "uma-nlos",
    "umi-los",  "umi-nlos",         "hata-urban-large", "hata-urban-small", "hata-suburban",
    "hata-open", "cost231",         "cost231-metro",    NULL};
static const char *const o2i_names[] = {"none", "low", "high", NULL};

/* ---- scenario keys ------------------------------------------------------ */

#define KOFF(field, k) \
    (offsetof(struct radio_config, field) + (size_t)(k) * sizeof(((struct radio_config *)0)->field[0]))
#define GOFF(field) offsetof(struct radio_config, field)

/* One key per township kind: name_<kind>suffix, one default each. */
#define PER_KIND(pre, post, type, field, lo, hi, choices, d0, d1, d2, d3, unit, doc)              \
    {"radio", pre "_subdistrict" post, type, KOFF(field, KIND_SUBDISTRICT), lo, hi, choices, d0, \
     unit, doc ", subdistrict stations"},                                                        \
    {"radio", pre "_town" post, type, KOFF(field, KIND_TOWN), lo, hi, choices, d1, unit,         \
     doc ", town stations"},                                                                     \
    {"radio", pre "_township" post, type, KOFF(field, KIND_TOWNSHIP), lo, hi, choices, d2, unit, \
     doc ", township stations"},                                                                 \
    {"radio", pre "_special" post, type, KOFF(field, KIND_SPECIAL), lo, hi, choices, d3, unit,   \
     doc ", special-zone stations"}

const struct key_desc radio_keys[] = {
    {"radio", "model", KEY_ENUM, GOFF(model), 0, 0, model_names,
     "disc", "", "footprint model: disc (fixed radius per kind) or link (5G NR link budget)"},
    {"radio", "vertices", KEY_INT, GOFF(vertices), 8, 4096, NULL,
     "64", "", "disc model: vertices of the regular polygon drawn for each disc"},
    {"radio", "radius_subdistrict_m", KEY_DOUBLE, KOFF(radius_m, KIND_SUBDISTRICT), 1, 1e5, NULL,
     "400", "m", "disc model: radius of a station standing in a subdistrict"},
    {"radio", "radius_town_m", KEY_DOUBLE, KOFF(radius_m, KIND_TOWN), 1, 1e5, NULL,
     "900", "m", "disc model: radius of a station standing in a town"},
    {"radio", "radius_township_m", KEY_DOUBLE, KOFF(radius_m, KIND_TOWNSHIP), 1, 1e5, NULL,
     "1500", "m", "disc model: radius of a station standing in a township"},
    {"radio", "radius_special_m", KEY_DOUBLE, KOFF(radius_m, KIND_SPECIAL), 1, 1e5, NULL,
     "1200", "m", "disc model: radius of a station standing in a special zone"},

    PER_KIND("band", "", KEY_ENUM, band, 0, 0, radio_band_names, "n78", "n78", "n28", "n28", "",
             "link model: NR band (n78 3.5 GHz/100 MHz/30 kHz, n41 2.6 GHz/100 MHz/30 kHz, "
             "n28 700 MHz/30 MHz/15 kHz, or custom_*)"),
    PER_KIND("pathloss", "", KEY_ENUM, pathloss, 0, 0, radio_pathloss_names, "uma-nlos",
             "uma-nlos", "rma-nlos", "rma-nlos", "",
             "link model: path-loss model (TR 38.901 rma/uma/umi -los/-nlos, hata-*, cost231*, "
             "fspl)"),
    PER_KIND("tx_power", "_dbm", KEY_DOUBLE, tx_power_dbm, 0, 80, NULL, "53", "53", "53.8",
             "53.8", "dBm", "link model: gNB transmit power, total over the carrier and ports"),
    PER_KIND("height", "_m", KEY_DOUBLE, height_m, 1, 300, NULL, "25", "25", "35", "35", "m",
             "link model: gNB antenna height above ground"),
    PER_KIND("gain", "_dbi", KEY_DOUBLE, gain_dbi, -10, 40, NULL, "17", "17", "15", "15", "dBi",
             "link model: gNB antenna peak gain (SSB beam for an AAU)"),
    PER_KIND("cable_loss", "_db", KEY_DOUBLE, cable_loss_db, 0, 20, NULL, "0", "0", "0.5", "0.5",
             "dB", "link model: feeder and jumper loss between radio and antenna"),
    PER_KIND("sectors", "", KEY_INT, sectors, 0, RADIO_MAX_SECTORS, NULL, "3", "3", "3", "3", "",
             "link model: sectors at azimuths 360 i/n deg from north (0 = omni)"),
    PER_KIND("mtilt", "_deg", KEY_DOUBLE, mtilt_deg, -15, 45, NULL, "0", "0", "0", "0", "deg",
             "link model: mechanical downtilt (a sites file's tilt_deg replaces it)"),
    PER_KIND("etilt", "_deg", KEY_DOUBLE, etilt_deg, -15, 45, NULL, "6", "6", "3", "3", "deg",
             "link model: electrical downtilt"),
    PER_KIND("o2i", "", KEY_ENUM, o2i, 0, 0, o2i_names, "none", "none", "none", "none", "",
             "link model: outdoor-to-indoor loss: none, low or high (TR 38.901 7.4.3)"),
    PER_KIND("rsrp_threshold", "_dbm", KEY_DOUBLE, rsrp_threshold_dbm, -160, -40, NULL, "-110",
             "-110", "-113", "-113", "dBm", "link model: SS-RSRP needed at the cell edge"),

    {"radio", "custom_freq_mhz", KEY_DOUBLE, GOFF(custom_freq_mhz), 100, 100000, NULL, "3500",
     "MHz", "link model: carrier frequency of band = custom"},
    {"radio", "custom_bandwidth_mhz", KEY_DOUBLE, GOFF(custom_bandwidth_mhz), 1, 400, NULL,
     "100", "MHz", "link model: channel bandwidth of band = custom"},
    {"radio", "custom_scs_khz", KEY_INT, GOFF(custom_scs_khz), 15, 120, NULL, "30", "kHz",
     "link model: subcarrier spacing of band = custom (15, 30, 60 or 120)"},
    {"radio", "custom_nrb", KEY_INT, GOFF(custom_nrb), 0, 275, NULL, "0", "",
     "link model: resource blocks of band = custom (0 = TS 38.101-1 Table 5.3.2-1)"},
    {"radio", "ue_height_m", KEY_DOUBLE, GOFF(ue_height_m), 0.5, 100, NULL, "1.5", "m",
     "link model: UE antenna height above ground"},
    {"radio", "ue_gain_dbi", KEY_DOUBLE, GOFF(ue_gain_dbi), -20, 20, NULL, "0", "dBi",
     "link model: UE antenna gain"},
    {"radio", "body_loss_db", KEY_DOUBLE, GOFF(body_loss_db), 0, 30, NULL, "3", "dB",
     "link model: body loss of a handheld UE"},
    {"radio", "edge_probability", KEY_DOUBLE, GOFF(edge_probability), 0.5, 0.9999, NULL, "0.75",
     "", "link model: probability of SS-RSRP >= threshold at the cell edge (sets the margin)"},
    {"radio", "empirical_sigma_db", KEY_DOUBLE, GOFF(empirical_sigma_db), 0, 20, NULL, "8", "dB",
     "link model: shadow-fading sigma for Hata and COST-231 (38.901 models carry their own)"},
    {"radio", "o2i_depth_m", KEY_DOUBLE, GOFF(o2i_depth_m), 0, 100, NULL, "8.3", "m",
     "link model: indoor distance d_2D-in of the O2I loss (0.5 dB/m)"},
    {"radio", "building_height_m", KEY_DOUBLE, GOFF(building_height_m), 1, 100, NULL, "5", "m",
     "link model: RMa average building height h"},
    {"radio", "street_width_m", KEY_DOUBLE, GOFF(street_width_m), 1, 200, NULL, "20", "m",
     "link model: RMa average street width W"},
    {"radio", "hpbw_h_deg", KEY_DOUBLE, GOFF(hpbw_h_deg), 1, 360, NULL, "65", "deg",
     "link model: sector antenna horizontal half-power beamwidth (TR 38.901 Table 7.3-1)"},
    {"radio", "hpbw_v_deg", KEY_DOUBLE, GOFF(hpbw_v_deg), 1, 180, NULL, "65", "deg",
     "link model: sector antenna vertical half-power beamwidth (TR 38.901 Table 7.3-1)"},
    {"radio", "front_to_back_db", KEY_DOUBLE, GOFF(front_to_back_db), 0, 60, NULL, "30", "dB",
     "link model: sector antenna front-to-back ratio A_max (TR 38.901 Table 7.3-1)"},
    {"radio", "sla_v_db", KEY_DOUBLE, GOFF(sla_v_db), 0, 60, NULL, "30", "dB",
     "link model: sector antenna vertical side-lobe limit SLA_V (TR 38.901 Table 7.3-1)"},
    {"radio", "angle_step_deg", KEY_DOUBLE, GOFF(angle_step_deg), 1, 30, NULL, "5", "deg",
     "link model: footprint sampled every this many degrees (must divide 360)"},
    {"radio", "max_range_m", KEY_DOUBLE, GOFF(max_range_m), 100, 100000, NULL, "30000", "m",
     "link model: longest range searched; longer ranges are clipped with a warning"},
};
const int radio_nkeys = (int)(sizeof radio_keys / sizeof radio_keys[0]);

/* ---- bands -------------------------------------------------------------- */

struct band {
    const char *name;
    double f_mhz, bw_mhz;
    int scs_khz, nrb;
};

/* Nominal carriers of the presets; N_RB from TS 38.101-1 Table 5.3.2-1. */
static const struct band band_presets[RADIO_BAND_CUSTOM] = {
    {"n78", 3500, 100, 30, 273},
    {"n41", 2600, 100, 30, 273},
    {"n28", 700, 30, 15, 160},
};

/* TS 38.101-1 (and 38.104) Table 5.3.2-1, FR1: N_RB per channel bandwidth;
 * 0 where the table has no entry. */
static const int nrb_bw_mhz[16] = {3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100};
static const int nrb_table[3][16] = {
    {15, 25, 52, 79, 106, 133, 160, 188, 216, 242, 270, 0, 0, 0, 0, 0},      /* 15 kHz */
    {0, 11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273}, /* 30 kHz */
    {0, 0, 11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135},      /* 60 kHz */
};

int radio_nrb(double bandwidth_mhz, int scs_khz)
{
    int row = scs_khz == 15 ? 0 : scs_khz == 30 ? 1 : scs_khz == 60 ? 2 : -1;
    if (row < 0)
        return -1;
    for (int i = 0; i < 16; i++)
        if (fabs(bandwidth_mhz - nrb_bw_mhz[i]) < 1e-9)
            return nrb_table[row][i] > 0 ? nrb_table[row][i] : -1;
    return -1;
}

static struct band band_of(const struct radio_config *rc, int b)
{
    if (b >= 0 && b < RADIO_BAND_CUSTOM)
        return band_presets[b];
    struct band c = {"custom", rc->custom_freq_mhz, rc->custom_bandwidth_mhz,
                     (int)rc->custom_scs_khz, (int)rc->custom_nrb};
    if (c.nrb <= 0)
        c.nrb = radio_nrb(c.bw_mhz, c.scs_khz);
    return c;
}

/* ---- statistics ---------------------------------------------------------- */

double radio_norm_quantile(double p)
{
    /* P. J. Acklam's rational approximation (relative error 1.15e-9) ... */
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    const double plow = 0.02425;
    if (!(p > 0 && p < 1))
        return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    double x;
    if (p < plow) {
        double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - plow) {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        double q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    /* ... and one Halley step on Phi(x) = erfc(-x/sqrt 2)/2 brings it to
     * full double precision. */
    double e = 0.5 * erfc(-x / M_SQRT2) - p;
    double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* ---- path-loss models ------------------------------------------------------ */

/* Where each model is valid, as its source states. */
struct validity {
    double f_lo, f_hi;      /* GHz */
    double d_lo, d_hi;      /* ground distance, m */
    double hbs_lo, hbs_hi;  /* equal bounds: the nominal height */
    double hut_lo, hut_hi;
    int rma;                /* also check h and W */
};

static struct validity validity_of(enum radio_pathloss m)
{
    switch (m) {
    case RADIO_PL_FSPL:
        return (struct validity){0, INFINITY, 0, INFINITY, 0, INFINITY, 0, INFINITY, 0};
    case RADIO_PL_RMA_LOS:
        return (struct validity){0.5, 30, 10, 10000, 10, 150, 1, 10, 1};
    case RADIO_PL_RMA_NLOS:
        return (struct validity){0.5, 30, 10, 5000, 10, 150, 1, 10, 1};
    case RADIO_PL_UMA_LOS:
    case RADIO_PL_UMA_NLOS:
        return (struct validity){0.5, 100, 10, 5000, 25, 25, 1.5, 22.5, 0};
    case RADIO_PL_UMI_LOS:
    case RADIO_PL_UMI_NLOS:
        return (struct validity){0.5, 100, 10, 5000, 10, 10, 1.5, 22.5, 0};
    case RADIO_PL_COST231:
    case RADIO_PL_COST231_METRO:
        return (struct validity){1.5, 2.0, 1000, 20000, 30, 200, 1, 10, 0};
    default: /* Hata */
        return (struct validity){0.15, 1.5, 1000, 20000, 30, 200, 1, 10, 0};
    }
}

unsigned radio_pathloss_check(enum radio_pathloss model, const struct radio_pl_params *p)
{
    struct validity v = validity_of(model);
    unsigned w = 0;
    if (p->f_ghz < v.f_lo || p->f_ghz > v.f_hi)
        w |= RADIO_WARN_FREQ;
    if (p->h_bs < v.hbs_lo - 1e-9 || p->h_bs > v.hbs_hi + 1e-9)
        w |= RADIO_WARN_H_BS;
    if (p->h_ut < v.hut_lo || p->h_ut > v.hut_hi)
        w |= RADIO_WARN_H_UT;
    if (v.rma && (p->h_building < 5 || p->h_building > 50))
        w |= RADIO_WARN_H_BUILDING;
    if (v.rma && (p->street_width < 5 || p->street_width > 50))
        w |= RADIO_WARN_STREET;
    return w;
}

static unsigned distance_check(enum radio_pathloss model, double d2d)
{
    struct validity v = validity_of(model);
    return (d2d < v.d_lo ? RADIO_WARN_DIST_NEAR : 0u) | (d2d > v.d_hi ? RADIO_WARN_DIST_FAR : 0u);
}

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

/* Hata's mobile-antenna correction for small and medium cities. */
static double hata_a_small(double f_mhz, double h_m)
{
    return (1.1 * log10(f_mhz) - 0.7) * h_m - (1.56 * log10(f_mhz) - 0.8);
}

/* Hata's large-city correction; Hata gives it for f <= 200 and >= 400 MHz,
 * the switch at 300 MHz is the usual reading of the gap. */
static double hata_a_large(double f_mhz, double h_m)
{
    if (f_mhz <= 300) {
        double t = log10(1.54 * h_m);
        return 8.29 * t * t - 1.1;
    }
    double t = log10(11.75 * h_m);
    return 3.2 * t * t - 4.97;
}

static void plm_init(struct plm *m, enum radio_pathloss model, const struct radio_pl_params *p)
{
    memset(m, 0, sizeof *m);
    double f = p->f_ghz, hbs = p->h_bs, hut = p->h_ut, dh = hbs - hut;
    m->dh2 = dh * dh;
    m->d_bp = INFINITY;
    switch (model) {
    case RADIO_PL_FSPL:
        m->a1 = 20 * log10(4 * M_PI * f * 1e9 / C_EXACT);
        m->b1 = 20;
        break;
    case RADIO_PL_RMA_LOS:
    case RADIO_PL_RMA_NLOS: {
        double h = p->h_building, w = p->street_width, hp = pow(h, 1.72);
        m->a1 = 20 * log10(40 * M_PI * f / 3) - min2(0.044 * hp, 14.77);
        m->b1 = 20 + min2(0.03 * hp, 10);
        m->c1 = 0.002 * log10(h);
        m->d_bp = 2 * M_PI * hbs * hut * f * 1e9 / C_901;
        /* PL2 = PL1(d_BP) + 40 log10(d3D / d_BP), PL1 taken at distance d_BP. */
        double pl1_bp = m->a1 + m->b1 * log10(m->d_bp) + m->c1 * m->d_bp;
        m->a2 = pl1_bp - 40 * log10(m->d_bp);
        m->b2 = 40;
        m->sigma1 = 4;
        m->sigma2 = 6;
        if (model == RADIO_PL_RMA_NLOS) {
            double lh = log10(hbs), lu = log10(11.75 * hut);
            m->nlos = 1;
            m->bn = 43.42 - 3.1 * lh;
            m->an = 161.04 - 7.1 * log10(w) + 7.5 * log10(h) - (24.37 - 3.7 * (h / hbs) * (h / hbs)) * lh
                    - 3 * m->bn + 20 * log10(f) - (3.2 * lu * lu - 4.97);
            m->sigma_n = 8;
        }
        break;
    }
    case RADIO_PL_UMA_LOS:
    case RADIO_PL_UMA_NLOS:
    case RADIO_PL_UMI_LOS:
    case RADIO_PL_UMI_NLOS: {
        int uma = model == RADIO_PL_UMA_LOS || model == RADIO_PL_UMA_NLOS;
        /* Effective heights h' = h - h_E with h_E = 1 m: always so for UMi;
         * for UMa the table's value whenever h_UT < 13 m (above, h_E is
         * random and we keep its most likely value, 1 m). */
        double dbp = 4 * (hbs - 1) * (hut - 1) * f * 1e9 / C_901;
        m->d_bp = dbp > 0 ? dbp : 0;
        m->a1 = (uma ? 28.0 : 32.4) + 20 * log10(f);
        m->b1 = uma ? 22 : 21;
        m->a2 = m->a1 - (uma ? 9.0 : 9.5) * log10(dbp * dbp + m->dh2);
        m->b2 = 40;
        m->sigma1 = m->sigma2 = 4;
        if (model == RADIO_PL_UMA_NLOS) {
            m->nlos = 1;
            m->an = 13.54 + 20 * log10(f) - 0.6 * (hut - 1.5);
            m->bn = 39.08;
            m->sigma_n = 6;
        } else if (model == RADIO_PL_UMI_NLOS) {
            m->nlos = 1;
            m->an = 22.4 + 21.3 * log10(f) - 0.3 * (hut - 1.5);
            m->bn = 35.3;
            m->sigma_n = 7.82;
        }
        break;
    }
    default: { /* Okumura-Hata and COST-231 Hata, f in MHz, d in km */
        double fm = f * 1000, lf = log10(fm), lh = log10(hbs);
        m->hata = 1;
        m->bn = 44.9 - 6.55 * lh;
        m->sigma_n = p->empirical_sigma_db;
        if (model == RADIO_PL_COST231 || model == RADIO_PL_COST231_METRO) {
            m->an = 46.3 + 33.9 * lf - 13.82 * lh - hata_a_small(fm, hut) +
                    (model == RADIO_PL_COST231_METRO ? 3 : 0);
            break;
        }
        double a = model == RADIO_PL_HATA_URBAN_LARGE ? hata_a_large(fm, hut)
                                                      : hata_a_small(fm, hut);
        m->an = 69.55 + 26.16 * lf - 13.82 * lh - a;
        if (model == RADIO_PL_HATA_SUBURBAN) {
            double t = log10(fm / 28);
            m->an -= 2 * t * t + 5.4;
        } else if (model == RADIO_PL_HATA_OPEN) {
            m->an -= 4.78 * lf * lf - 18.33 * lf + 40.94;
        }
        break;
    }
    }
}

static double plm_eval(const struct plm *m, double d2, double d3, double *sigma)
{
    if (m->hata) {
        *sigma = m->sigma_n;
        return m->an + m->bn * log10(d2 / 1000);
    }
    double lg = log10(d3), pl;
    if (d2 <= m->d_bp) {
        pl = m->a1 + m->b1 * lg + m->c1 * d3;
        *sigma = m->sigma1;
    } else {
        pl = m->a2 + m->b2 * lg;
        *sigma = m->sigma2;
    }
    if (m->nlos) {
        pl = max2(pl, m->an + m->bn * lg);
        *sigma = m->sigma_n;
    }
    return pl;
}

double radio_pathloss(enum radio_pathloss model, const struct radio_pl_params *p, double d2d_m,
                      double *sigma_db, unsigned *warn)
{
    struct plm m;
    plm_init(&m, model, p);
    double s, d3 = sqrt(d2d_m * d2d_m + m.dh2);
    double pl = plm_eval(&m, d2d_m, d3, &s);
    if (sigma_db)
        *sigma_db = s;
    if (warn)
        *warn |= radio_pathloss_check(model, p) | distance_check(model, d2d_m);
    return pl;
}

/* ---- outdoor to indoor ----------------------------------------------------- */

double radio_o2i_loss(enum radio_o2i o2i, double f_ghz, double depth_m, double *sigma_db)
{
    double l_glass = 2 + 0.2 * f_ghz, l_irr = 23 + 0.3 * f_ghz, l_concrete = 5 + 4 * f_ghz;
    double tw, sigma;
    switch (o2i) {
    case RADIO_O2I_LOW:
        tw = 5 - 10 * log10(0.3 * pow(10, -l_glass / 10) + 0.7 * pow(10, -l_concrete / 10));
        sigma = 4.4;
        break;
    case RADIO_O2I_HIGH:
        tw = 5 - 10 * log10(0.7 * pow(10, -l_irr / 10) + 0.3 * pow(10, -l_concrete / 10));
        sigma = 6.5;
        break;
    default:
        if (sigma_db)
            *sigma_db = 0;
        return 0;
    }
    if (sigma_db)
        *sigma_db = sigma;
    return tw + 0.5 * depth_m;
}

/* ---- antenna pattern --------------------------------------------------------- */

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

static void ant_init(struct ant *a, const struct radio_config *rc, double mtilt, double etilt)
{
    a->cb = cos(mtilt / DEG);
    a->sb = sin(mtilt / DEG);
    a->etilt = etilt;
    a->kv = 12 / (rc->hpbw_v_deg * rc->hpbw_v_deg);
    a->kh = 12 / (rc->hpbw_h_deg * rc->hpbw_h_deg);
    a->sla = rc->sla_v_db;
    a->amax = rc->front_to_back_db;
}

static struct dir dir_init(const struct ant *a, double psi_deg)
{
    struct dir d = {cos(psi_deg / DEG), sin(psi_deg / DEG), 0, 0};
    d.ah = -min2(a->kh * psi_deg * psi_deg, a->amax);
    d.floored = a->sb == 0 && d.ah <= -a->amax;
    return d;
}

/* TR 38.901 Table 7.3-1 relative to the peak, in the antenna's own frame
 * after the mechanical tilt (eq. 7.1-7/7.1-8 with bearing 0 and slant 0);
 * the electrical tilt moves the vertical pattern's peak down by etilt.
 * Toward a UE dh below the antenna at ground distance d (3-D d3). */
static double ant_gain(const struct ant *a, const struct dir *d, double dh, double dg, double d3)
{
    if (d->floored)
        return -a->amax;
    double th, ah;
    if (a->sb == 0) { /* untilted: local angles are the global ones */
        th = 90 + atan2(dh, dg) * DEG;
        ah = d->ah;
    } else {
        double ct = -dh / d3, st = dg / d3;
        double cl = a->cb * ct + a->sb * d->cpsi * st;
        th = acos(cl > 1 ? 1 : cl < -1 ? -1 : cl) * DEG;
        double ph = atan2(d->spsi * st, a->cb * st * d->cpsi - a->sb * ct) * DEG;
        ah = -min2(a->kh * ph * ph, a->amax);
    }
    double v = th - 90 - a->etilt;
    double av = -min2(a->kv * v * v, a->sla);
    return -min2(-(av + ah), a->amax);
}

double radio_pattern_db(const struct radio_config *rc, double mtilt_deg, double etilt_deg,
                        double psi_deg, double depression_deg)
{
    struct ant a;
    ant_init(&a, rc, mtilt_deg, etilt_deg);
    struct dir d = dir_init(&a, psi_deg);
    double t = depression_deg / DEG;
    return ant_gain(&a, &d, sin(t), cos(t), 1.0);
}

/* ---- the link of one station and the range solver ------------------------------ */

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

static void link_init(struct link *lk, const struct radio_config *rc, enum tc_kind k,
                      double h_bs, double power_dbm, double mtilt)
{
    lk->band = band_of(rc, rc->band[k]);
    lk->model = (enum radio_pathloss)rc->pathloss[k];
    lk->pp = (struct radio_pl_params){lk->band.f_mhz / 1000, h_bs, rc->ue_height_m,
                                      rc->building_height_m, rc->street_width_m,
                                      rc->empirical_sigma_db};
    plm_init(&lk->pl, lk->model, &lk->pp);
    ant_init(&lk->ant, rc, mtilt, rc->etilt_deg[k]);
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

static void link_default(struct link *lk, const struct radio_config *rc, enum tc_kind k)
{
    link_init(lk, rc, k, rc->height_m[k], rc->tx_power_dbm[k], rc->mtilt_deg[k]);
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
static double solve_range(const struct link *lk, const struct dir *dir, double guess)
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

/* The station as it stands: the kind's defaults with the site's overrides. */
struct station {
    double h_bs, power, mtilt;
    int n_az;           /* 0: omni */
    double az[RADIO_MAX_SECTORS];
    int custom_link;    /* height, power or tilt differ from the kind's */
    int custom_az;      /* azimuths differ from the kind's */
};

static void default_azimuths(int n, double *az)
{
    for (int i = 0; i < n; i++)
        az[i] = 360.0 * i / n;
}

static void station_of(const struct radio_config *rc, enum tc_kind k,
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

static int nvert_of(const struct radio_config *rc)
{
    return (int)lround(360.0 / rc->angle_step_deg);
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

static void sweep_init(struct sweep *sw, const struct link *lk, const double *tab)
{
    struct dir d = dir_init(&lk->ant, 0);
    sw->lk = lk;
    sw->tab = tab;
    sw->prev = solve_range(lk, &d, tab ? tab[0] : 0);
    sw->scale = tab && tab[0] > 0 ? sw->prev / tab[0] : 1;
    sw->floored = 0;
}

static double sweep_solve(struct sweep *sw, double psi)
{
    struct dir d = dir_init(&sw->lk->ant, psi);
    if (d.floored && sw->floored > 0)
        return sw->floored;
    double guess = sw->tab ? sw->scale * table_range(sw->tab, psi) : sw->prev;
    sw->prev = solve_range(sw->lk, &d, guess);
    if (d.floored)
        sw->floored = sw->prev;
    return sw->prev;
}

/* The range psi off a sector's azimuth; with rk (aligned azimuths) psi is
 * a whole number of steps and each is solved once. */
static double solve_at(struct sweep *sw, double psi, double *rk, double step)
{
    if (!rk)
        return sweep_solve(sw, psi);
    int k = (int)(psi / step + 0.5);
    if (rk[k] < 0)
        rk[k] = sweep_solve(sw, k * step);
    return rk[k];
}

/* Radii of the footprint, solving every direction needed: the star polygon
 * of the maximum over sectors (of the nearest sector when untilted). tab:
 * the kind's sector range table for guesses, or NULL. */
static void solve_footprint(const struct link *lk, const struct station *st, int n,
                            const double *tab, double *r)
{
    if (st->n_az == 0) {
        double r0 = solve_range(lk, NULL, 0);
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
    sweep_init(&sw, lk, tab);
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
static unsigned range_warnings(const struct radio_config *rc, enum tc_kind k, unsigned param_warn,
                               double rmin, double rmax)
{
    enum radio_pathloss m = (enum radio_pathloss)rc->pathloss[k];
    unsigned w = param_warn | distance_check(m, rmin) | distance_check(m, rmax);
    if (rmax >= rc->max_range_m)
        w |= RADIO_WARN_RANGE_CAP;
    if (rmin <= MIN_RANGE_M)
        w |= RADIO_WARN_NO_COVER;
    return w;
}

/* ---- configuration ---------------------------------------------------------- */

/* A fingerprint of every key value, so that tables prepared for other
 * values are never used (FNV-style over the values, field by field:
 * padding never enters). */
static uint64_t config_stamp(const struct radio_config *rc)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < radio_nkeys; i++) {
        const char *p = (const char *)rc + radio_keys[i].offset;
        uint64_t v = 0;
        if (radio_keys[i].type == KEY_DOUBLE)
            memcpy(&v, p, sizeof(double));
        else if (radio_keys[i].type == KEY_INT)
            memcpy(&v, p, sizeof(long));
        else
            memcpy(&v, p, sizeof(int));
        h = (h ^ v) * 1099511628211ULL;
        h ^= h >> 32;
    }
    return h;
}

static int prep_valid(const struct radio_config *rc)
{
    return rc->prep.ready && rc->prep.stamp == config_stamp(rc);
}

int radio_config_check(const struct radio_config *rc, struct tc_error *err)
{
    if (rc->model != RADIO_DISC && rc->model != RADIO_LINK)
        return tc_fail(err, TC_EXIT_SCENARIO, "radio.model: unknown model %d", rc->model);
    double q = 360.0 / rc->angle_step_deg;
    if (fabs(q - nearbyint(q)) > 1e-9 || nearbyint(q) > RADIO_MAX_VERTICES || nearbyint(q) < 8)
        return tc_fail(err, TC_EXIT_SCENARIO,
                       "radio.angle_step_deg = %g must divide 360 into 8 to %d steps",
                       rc->angle_step_deg, RADIO_MAX_VERTICES);
    long scs = rc->custom_scs_khz;
    if (scs != 15 && scs != 30 && scs != 60 && scs != 120)
        return tc_fail(err, TC_EXIT_SCENARIO,
                       "radio.custom_scs_khz = %ld must be 15, 30, 60 or 120", scs);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (rc->band[k] < 0 || rc->band[k] >= RADIO_BAND_COUNT || rc->pathloss[k] < 0 ||
            rc->pathloss[k] >= RADIO_PL_COUNT || rc->o2i[k] < 0 || rc->o2i[k] > RADIO_O2I_HIGH)
            return tc_fail(err, TC_EXIT_SCENARIO, "radio: bad band, pathloss or o2i for %s",
                           tc_kind_name((enum tc_kind)k));
        if (rc->band[k] != RADIO_BAND_CUSTOM)
            continue;
        struct band b = band_of(rc, rc->band[k]);
        if (b.nrb <= 0)
            return tc_fail(err, TC_EXIT_SCENARIO,
                           "radio.band_%s = custom: TS 38.101-1 Table 5.3.2-1 has no N_RB for "
                           "%g MHz at %ld kHz; set radio.custom_nrb",
                           tc_kind_name((enum tc_kind)k), b.bw_mhz, scs);
        if (12.0 * b.nrb * (double)b.scs_khz > b.bw_mhz * 1000 + 1e-6)
            return tc_fail(err, TC_EXIT_SCENARIO,
                           "radio.custom_nrb = %d resource blocks (%g MHz) do not fit in "
                           "custom_bandwidth_mhz = %g", b.nrb, 12e-3 * b.nrb * b.scs_khz,
                           b.bw_mhz);
    }
    return 0;
}

int radio_prepare(struct radio_config *rc, struct tc_error *err)
{
    struct radio_prepared *p = &rc->prep;
    p->ready = 0;
    if (radio_config_check(rc, err) != 0)
        return -1;
    if (rc->model == RADIO_DISC && rc->vertices <= RADIO_MAX_VERTICES) {
        /* The disc's unit vectors: one table instead of a sincos per vertex
         * of every station. */
        int n = p->nvert = (int)rc->vertices;
        for (int j = 0; j < n; j++) {
            p->ux[j] = cos(2.0 * M_PI * j / n);
            p->uy[j] = sin(2.0 * M_PI * j / n);
        }
    }
    if (rc->model == RADIO_LINK) {
        int n = p->nvert = nvert_of(rc);
        for (int j = 0; j < n; j++) {
            p->ux[j] = cos(2 * M_PI * j / n);
            p->uy[j] = sin(2 * M_PI * j / n);
        }
        for (int k = 0; k < KIND_COUNT; k++) {
            struct link lk;
            link_default(&lk, rc, (enum tc_kind)k);
            struct sweep sw;
            sweep_init(&sw, &lk, NULL);
            for (int i = 0; i <= RADIO_PSI_STEPS; i++)
                p->sector_r[k][i] = i ? sweep_solve(&sw, i * (180.0 / RADIO_PSI_STEPS)) : sw.prev;
            struct station st;
            station_of(rc, (enum tc_kind)k, NULL, &st);
            double *r = p->default_r[k];
            solve_footprint(&lk, &st, n, p->sector_r[k], r);
            double lo = INFINITY, hi = 0;
            for (int j = 0; j < n; j++)
                lo = min2(lo, r[j]), hi = max2(hi, r[j]);
            p->default_min_r[k] = lo;
            p->default_max_r[k] = hi;
            p->param_warn[k] = radio_pathloss_check(lk.model, &lk.pp);
            p->default_warn[k] = range_warnings(rc, (enum tc_kind)k, p->param_warn[k], lo, hi);
        }
    }
    p->stamp = config_stamp(rc);
    p->ready = 1;
    return 0;
}

int radio_footprint_max_vertices(const struct radio_config *rc)
{
    return rc->model == RADIO_LINK ? nvert_of(rc) : (int)rc->vertices;
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

static int disc_footprint(const struct radio_config *rc, enum tc_kind kind, double *xy,
                          int capacity, struct radio_range_info *info)
{
    int n = (int)rc->vertices;
    if (n > capacity)
        return -1;
    double r = rc->radius_m[kind];
    if (prep_valid(rc) && rc->prep.nvert == n) {
        for (int i = 0; i < n; i++) {
            xy[2 * i] = r * rc->prep.ux[i];
            xy[2 * i + 1] = r * rc->prep.uy[i];
        }
    } else {
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

int radio_footprint(const struct radio_config *rc, enum tc_kind kind,
                    const struct radio_site *site, double *xy, int capacity,
                    struct radio_range_info *info)
{
    if (rc->model != RADIO_LINK)
        return disc_footprint(rc, kind, xy, capacity, info);
    int n = nvert_of(rc);
    if (n > capacity || n > RADIO_MAX_VERTICES)
        return -1;
    int prepared = prep_valid(rc);
    struct station st;
    station_of(rc, kind, site, &st);
    double rbuf[RADIO_MAX_VERTICES];
    const double *r = rbuf;
    double lo = INFINITY, hi = 0;
    unsigned warn;
    if (prepared && !st.custom_link && !st.custom_az) {
        /* The common case: the kind's own footprint, solved once. */
        r = rc->prep.default_r[kind];
        lo = rc->prep.default_min_r[kind];
        hi = rc->prep.default_max_r[kind];
        warn = rc->prep.default_warn[kind];
    } else {
        unsigned param_warn;
        if (prepared && !st.custom_link) {
            /* Only the azimuths differ: the sector's range against the
             * offset is the kind's table (interpolation error << 1 m). */
            table_footprint(rc->prep.sector_r[kind], rc->mtilt_deg[kind] == 0, &st, n, rbuf);
            param_warn = rc->prep.param_warn[kind];
        } else {
            struct link lk;
            link_init(&lk, rc, kind, st.h_bs, st.power, st.mtilt);
            solve_footprint(&lk, &st, n, prepared ? rc->prep.sector_r[kind] : NULL, rbuf);
            param_warn = radio_pathloss_check(lk.model, &lk.pp);
        }
        for (int j = 0; j < n; j++)
            lo = min2(lo, rbuf[j]), hi = max2(hi, rbuf[j]);
        warn = range_warnings(rc, kind, param_warn, lo, hi);
    }
    for (int j = 0; j < n; j++) {
        double cx = prepared ? rc->prep.ux[j] : cos(2 * M_PI * j / n);
        double cy = prepared ? rc->prep.uy[j] : sin(2 * M_PI * j / n);
        xy[2 * j] = r[j] * cx;
        xy[2 * j + 1] = r[j] * cy;
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

/* ---- link budget report ---------------------------------------------------------- */

int radio_budget(const struct radio_config *rc, enum tc_kind kind, const struct radio_site *site,
                 struct radio_budget *b)
{
    struct station st;
    station_of(rc, kind, site, &st);
    struct link lk;
    link_init(&lk, rc, kind, st.h_bs, st.power, st.mtilt);
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
    double r = solve_range(&lk, st.n_az ? &d0 : NULL, 0);
    double d3 = sqrt(r * r + lk.dh * lk.dh);
    plm_eval(&lk.pl, r, d3, &b->sigma_sf_db);
    b->sigma_db = sqrt(b->sigma_sf_db * b->sigma_sf_db + b->sigma_o2i_db * b->sigma_o2i_db);
    b->margin_db = b->z * b->sigma_db;
    b->mapl_db = b->eirp_re_dbm + b->ue_gain_dbi - b->body_loss_db - b->o2i_db - b->margin_db -
                 b->rsrp_threshold_dbm;
    b->range_boresight_m = r;
    b->warnings = range_warnings(rc, kind, radio_pathloss_check(lk.model, &lk.pp), r, r);
    return 0;
}

char *radio_warning_text(unsigned flags, enum radio_pathloss model, char *buf, size_t size)
{
    struct validity v = validity_of(model);
    char part[160];
    buf[0] = '\0';
    for (unsigned bit = 1; bit <= RADIO_WARN_NO_COVER; bit <<= 1) {
        if (!(flags & bit))
            continue;
        switch ((enum radio_warning)bit) {
        case RADIO_WARN_FREQ:
            snprintf(part, sizeof part, "carrier frequency outside %g-%g GHz", v.f_lo, v.f_hi);
            break;
        case RADIO_WARN_DIST_NEAR:
            snprintf(part, sizeof part, "ground distance below %g m", v.d_lo);
            break;
        case RADIO_WARN_DIST_FAR:
            snprintf(part, sizeof part, "ground distance beyond %g m", v.d_hi);
            break;
        case RADIO_WARN_H_BS:
            if (v.hbs_lo == v.hbs_hi)
                snprintf(part, sizeof part, "gNB height is not the model's %g m", v.hbs_lo);
            else
                snprintf(part, sizeof part, "gNB height outside %g-%g m", v.hbs_lo, v.hbs_hi);
            break;
        case RADIO_WARN_H_UT:
            snprintf(part, sizeof part, "UE height outside %g-%g m", v.hut_lo, v.hut_hi);
            break;
        case RADIO_WARN_H_BUILDING:
            snprintf(part, sizeof part, "building height outside 5-50 m");
            break;
        case RADIO_WARN_STREET:
            snprintf(part, sizeof part, "street width outside 5-50 m");
            break;
        case RADIO_WARN_RANGE_CAP:
            snprintf(part, sizeof part, "range clipped at radio.max_range_m");
            break;
        case RADIO_WARN_NO_COVER:
            snprintf(part, sizeof part, "threshold not met even %g m from the mast", MIN_RANGE_M);
            break;
        }
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%s", len ? "; " : "", part);
    }
    return buf;
}

/* One sector's range psi degrees off its azimuth (any psi when omni). */
static double range_at(const struct link *lk, double psi)
{
    struct dir d = dir_init(&lk->ant, psi);
    return solve_range(lk, lk->sectors ? &d : NULL, 0);
}

/* Shoelace area of a star polygon given by radii at equal angles. */
static double star_area(const double *r, int n)
{
    double a = 0;
    for (int j = 0; j < n; j++)
        a += r[j] * r[(j + 1) % n];
    return 0.5 * a * sin(2 * M_PI / n);
}

#define ROW_LABEL "%-38s"
#define ROW_CELL "%15s"

/* One row of the table: a label and one formatted value per kind. */
static void print_row(FILE *out, const char *label, const char *fmt, const double *v)
{
    fprintf(out, ROW_LABEL, label);
    for (int k = 0; k < KIND_COUNT; k++) {
        char cell[40];
        snprintf(cell, sizeof cell, fmt, v[k]);
        fprintf(out, ROW_CELL, cell);
    }
    fputc('\n', out);
}

static void print_text_row(FILE *out, const char *label, const char *const *v)
{
    fprintf(out, ROW_LABEL, label);
    for (int k = 0; k < KIND_COUNT; k++)
        fprintf(out, ROW_CELL, v[k]);
    fputc('\n', out);
}

/* A row whose value for kind k is `expr`. */
#define ROW(label, fmt, expr)                \
    do {                                     \
        double v_[KIND_COUNT];               \
        for (int k = 0; k < KIND_COUNT; k++) \
            v_[k] = (expr);                  \
        print_row(out, label, fmt, v_);      \
    } while (0)

/* The budget, term by term, in the order a planner adds them up. */
static void print_budget(FILE *out, const struct radio_config *rc, const struct radio_budget *b)
{
    const char *txt[KIND_COUNT];
    for (int k = 0; k < KIND_COUNT; k++)
        txt[k] = b[k].band;
    print_text_row(out, "band", txt);
    ROW("carrier frequency (MHz)", "%.1f", b[k].f_mhz);
    ROW("channel bandwidth (MHz)", "%.1f", b[k].bandwidth_mhz);
    ROW("subcarrier spacing (kHz)", "%.0f", b[k].scs_khz);
    ROW("resource blocks N_RB", "%.0f", b[k].nrb);
    ROW("subcarriers 12 N_RB", "%.0f", b[k].subcarriers);
    ROW("gNB transmit power, total (dBm)", "%.2f", b[k].tx_power_dbm);
    ROW("- 10 log10(subcarriers) (dB)", "%.2f", 10 * log10((double)b[k].subcarriers));
    ROW("= power per RE (dBm)", "%.2f", b[k].re_power_dbm);
    ROW("+ gNB antenna gain (dBi)", "%.2f", b[k].gain_dbi);
    ROW("- cable loss (dB)", "%.2f", b[k].cable_loss_db);
    ROW("= EIRP per RE at the peak (dBm)", "%.2f", b[k].eirp_re_dbm);
    ROW("+ UE antenna gain (dBi)", "%.2f", b[k].ue_gain_dbi);
    ROW("- body loss (dB)", "%.2f", b[k].body_loss_db);
    for (int k = 0; k < KIND_COUNT; k++)
        txt[k] = o2i_names[rc->o2i[k]];
    print_text_row(out, "O2I building model", txt);
    ROW("- O2I loss PL_tw + PL_in (dB)", "%.2f", b[k].o2i_db);
    for (int k = 0; k < KIND_COUNT; k++)
        txt[k] = b[k].pathloss;
    print_text_row(out, "path-loss model", txt);
    ROW("shadow fading sigma_SF (dB)", "%.2f", b[k].sigma_sf_db);
    ROW("O2I sigma (dB)", "%.2f", b[k].sigma_o2i_db);
    ROW("total sigma (dB)", "%.2f", b[k].sigma_db);
    ROW("normal quantile z", "%.4f", b[k].z);
    ROW("- shadowing margin z sigma (dB)", "%.2f", b[k].margin_db);
    ROW("- SS-RSRP threshold (dBm)", "%.2f", b[k].rsrp_threshold_dbm);
    ROW("= max. path loss at the peak (dB)", "%.2f", b[k].mapl_db);
    ROW("gNB height (m)", "%.1f", b[k].h_bs);
    ROW("UE height (m)", "%.1f", b[k].h_ut);
    ROW("sectors (0 = omni)", "%.0f", b[k].sectors);
    ROW("mechanical downtilt (deg)", "%.1f", b[k].mtilt_deg);
    ROW("electrical downtilt (deg)", "%.1f", b[k].etilt_deg);
}

/* One sector's range in six directions, then the default footprint's
 * extent and area, with the warnings they raise. */
static void print_ranges(FILE *out, const struct radio_config *rc, const struct link *lk,
                         const struct radio_budget *b)
{
    static const double dirs[] = {0, 30, 60, 90, 120, 180};
    static const char *const labels[] = {
        "range, boresight (m)", "range, +-30 deg (m)",  "range, +-60 deg (m)",
        "range, +-90 deg (m)",  "range, +-120 deg (m)", "range, back 180 deg (m)"};
    for (int i = 0; i < 6; i++)
        ROW(labels[i], "%.0f", range_at(&lk[k], dirs[i]));
    double rmin[KIND_COUNT], rmax[KIND_COUNT], area[KIND_COUNT];
    unsigned warn[KIND_COUNT];
    int n = nvert_of(rc);
    for (int k = 0; k < KIND_COUNT; k++) {
        struct station st;
        station_of(rc, (enum tc_kind)k, NULL, &st);
        double r[RADIO_MAX_VERTICES];
        solve_footprint(&lk[k], &st, n, NULL, r);
        rmin[k] = INFINITY, rmax[k] = 0;
        for (int j = 0; j < n; j++)
            rmin[k] = min2(rmin[k], r[j]), rmax[k] = max2(rmax[k], r[j]);
        area[k] = star_area(r, n);
        warn[k] = range_warnings(rc, (enum tc_kind)k, radio_pathloss_check(lk[k].model, &lk[k].pp),
                                 rmin[k], rmax[k]);
    }
    ROW("footprint: shortest range (m)", "%.0f", rmin[k]);
    ROW("footprint: longest range (m)", "%.0f", rmax[k]);
    ROW("footprint: area (km2)", "%.3f", area[k] / 1e6);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (!warn[k])
            continue;
        char text[1024];
        fprintf(out, "warning: %s: %s: %s\n", tc_kind_name((enum tc_kind)k), b[k].pathloss,
                radio_warning_text(warn[k], lk[k].model, text, sizeof text));
    }
}
#undef ROW

int radio_print_link(FILE *out, const struct radio_config *rc)
{
    struct radio_budget b[KIND_COUNT];
    struct link lk[KIND_COUNT];
    const char *names[KIND_COUNT];
    for (int k = 0; k < KIND_COUNT; k++) {
        radio_budget(rc, (enum tc_kind)k, NULL, &b[k]);
        link_default(&lk[k], rc, (enum tc_kind)k);
        names[k] = tc_kind_name((enum tc_kind)k);
    }
    fprintf(out, "SS-RSRP link budget per township kind%s\n",
            rc->model == RADIO_LINK ? "" : " (radio.model = disc: footprints do not use it)");
    fprintf(out, "Shadowing margin for %.1f %% probability at the cell edge; ranges are "
            "ground distances.\n\n", 100 * rc->edge_probability);
    print_text_row(out, "", names);
    print_budget(out, rc, b);
    print_ranges(out, rc, lk, b);
    return ferror(out) ? -1 : 0;
}

/* ---- towncov pathloss ---------------------------------------------------------- */

static const char pathloss_usage[] =
    "Usage: towncov pathloss --model MODEL --freq-ghz F --distance-m D\n"
    "                        [--h-bs M] [--h-ut M] [--h-building M] [--street-width M]\n"
    "\n"
    "Prints the median path loss in dB (four decimals) at ground distance D metres.\n"
    "\n"
    "MODEL: fspl, rma-los, rma-nlos, uma-los, uma-nlos, umi-los, umi-nlos\n"
    "       (3GPP TR 38.901 Table 7.4.1-1; NLOS = max(LOS, NLOS')),\n"
    "       hata-urban-large, hata-urban-small, hata-suburban, hata-open (Hata 1980),\n"
    "       cost231, cost231-metro (COST-231 Hata, C_m = 0 or 3 dB).\n"
    "Defaults: --h-bs 35 m (rma), 25 m (uma), 10 m (umi), 30 m (hata, cost231),\n"
    "          1.5 m (fspl, so that the distance is D); --h-ut 1.5 m;\n"
    "          --h-building 5 m and --street-width 20 m (rma only).\n"
    "The 38.901 models and fspl use the 3-D distance from the two heights; Hata\n"
    "and COST-231 use D. Outside a model's validity a warning goes to stderr and\n"
    "the value is still printed. Exit status 0, or 2 for a bad command line.\n";

static int pathloss_bad(const char *what, const char *arg)
{
    fprintf(stderr, "towncov pathloss: %s%s%s\n(see towncov pathloss --help)\n", what,
            arg ? ": " : "", arg ? arg : "");
    return TC_EXIT_USAGE;
}

static double default_h_bs(enum radio_pathloss m)
{
    switch (m) {
    case RADIO_PL_FSPL:
        return 1.5;
    case RADIO_PL_RMA_LOS:
    case RADIO_PL_RMA_NLOS:
        return 35;
    case RADIO_PL_UMA_LOS:
    case RADIO_PL_UMA_NLOS:
        return 25;
    case RADIO_PL_UMI_LOS:
    case RADIO_PL_UMI_NLOS:
        return 10;
    default:
        return 30;
    }
}

int radio_cmd_pathloss(int argc, char **argv)
{
    static const char *const opts[] = {"--model",  "--freq-ghz",   "--distance-m",
                                       "--h-bs",   "--h-ut",       "--h-building",
                                       "--street-width"};
    double val[7] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    int model = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(pathloss_usage, stdout);
            return 0;
        }
        int o = -1;
        const char *value = NULL;
        for (int k = 0; k < 7 && o < 0; k++) {
            size_t len = strlen(opts[k]);
            if (strncmp(a, opts[k], len) == 0 && (a[len] == '\0' || a[len] == '=')) {
                o = k;
                value = a[len] == '=' ? a + len + 1 : NULL;
            }
        }
        if (o < 0)
            return pathloss_bad("unknown argument", a);
        if (!value) {
            if (i + 1 >= argc)
                return pathloss_bad("missing value after", a);
            value = argv[++i];
        }
        if (o == 0) {
            model = -1;
            for (int m = 0; radio_pathloss_names[m]; m++)
                if (strcmp(value, radio_pathloss_names[m]) == 0)
                    model = m;
            if (model < 0)
                return pathloss_bad("unknown model", value);
            continue;
        }
        char *end;
        double x = strtod(value, &end);
        if (end == value || *end || !isfinite(x) || x <= 0)
            return pathloss_bad("expected a positive number", a);
        val[o] = x;
    }
    if (model < 0)
        return pathloss_bad("--model is required", NULL);
    if (isnan(val[1]))
        return pathloss_bad("--freq-ghz is required", NULL);
    if (isnan(val[2]))
        return pathloss_bad("--distance-m is required", NULL);
    struct radio_pl_params p = {
        val[1], isnan(val[3]) ? default_h_bs((enum radio_pathloss)model) : val[3],
        isnan(val[4]) ? 1.5 : val[4], isnan(val[5]) ? 5 : val[5], isnan(val[6]) ? 20 : val[6], 8};
    unsigned warn = 0;
    double pl = radio_pathloss((enum radio_pathloss)model, &p, val[2], NULL, &warn);
    if (warn) {
        char text[1024];
        fprintf(stderr, "towncov pathloss: warning: %s: %s\n", radio_pathloss_names[model],
                radio_warning_text(warn, (enum radio_pathloss)model, text, sizeof text));
    }
    printf("%.4f\n", pl);
    return 0;
}
