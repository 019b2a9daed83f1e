/* radio/pathloss.c — the path-loss models (free space, TR 38.901
 * RMa/UMa/UMi, Hata, COST-231), where their sources say they are valid,
 * the warnings that say so, and the normal quantile of the shadowing
 * margin (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

unsigned radio_distance_check(enum radio_pathloss model, double d2d)
{
    struct validity v = validity_of(model);
    return (d2d < v.d_lo ? RADIO_WARN_DIST_NEAR : 0u) | (d2d > v.d_hi ? RADIO_WARN_DIST_FAR : 0u);
}

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

void radio_plm_init(struct plm *m, enum radio_pathloss model, const struct radio_pl_params *p)
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

double radio_pathloss(enum radio_pathloss model, const struct radio_pl_params *p, double d2d_m,
                      double *sigma_db, unsigned *warn)
{
    struct plm m;
    radio_plm_init(&m, model, p);
    double s, d3 = sqrt(d2d_m * d2d_m + m.dh2);
    double pl = plm_eval(&m, d2d_m, d3, &s);
    if (sigma_db)
        *sigma_db = s;
    if (warn)
        *warn |= radio_pathloss_check(model, p) | radio_distance_check(model, d2d_m);
    return pl;
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
