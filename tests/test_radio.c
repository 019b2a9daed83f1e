/* test_radio.c — the radio model: key table, path-loss formulas against the
 * standards written out here independently (and a few values worked by
 * hand), O2I, antenna pattern, link budget, range solver, footprints,
 * the model handle (bad configs, copies, threads), the disc model, and
 * `towncov link` / `towncov pathloss`. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sim/cli/cli.h"
#include "towncov/radio.h"

#define L10(x) log10(x)

/* ---- helpers ------------------------------------------------------------- */

/* A config holding every key's compiled-in default (what the scenario
 * parser would give for an empty [radio] section); the caller frees it. */
static struct radio_config *defaults(void)
{
    struct radio_config *rc = calloc(1, sizeof *rc);
    cr_assert(rc);
    for (int i = 0; i < radio_nkeys; i++) {
        const struct key_desc *d = &radio_keys[i];
        char *field = (char *)rc + d->offset;
        switch (d->type) {
        case KEY_INT:
            *(long *)field = strtol(d->def, NULL, 10);
            break;
        case KEY_DOUBLE:
            *(double *)field = strtod(d->def, NULL);
            break;
        case KEY_ENUM: {
            int found = -1;
            for (int c = 0; d->choices[c]; c++)
                if (strcmp(d->choices[c], d->def) == 0)
                    found = c;
            cr_assert(found >= 0, "default of %s not among its choices", d->name);
            *(int *)field = found;
            break;
        }
        default:
            cr_assert_fail("unexpected key type for %s", d->name);
        }
    }
    return rc;
}

static struct radio_config *link_defaults(void)
{
    struct radio_config *rc = defaults();
    rc->model = RADIO_LINK;
    return rc;
}

/* The model of rc, which must be a good configuration. */
static struct radio_model *model_of(const struct radio_config *rc)
{
    struct tc_error err = {0};
    struct radio_model *m = radio_model_new(rc, &err);
    cr_assert_not_null(m, "%s", err.msg);
    return m;
}

static struct radio_site blank_site(void)
{
    struct radio_site s = {NAN, NAN, NAN, 0, {0}};
    return s;
}

static double shoelace(const double *xy, int n)
{
    double a = 0;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        a += xy[2 * i] * xy[2 * j + 1] - xy[2 * j] * xy[2 * i + 1];
    }
    return 0.5 * a;
}

/* ---- key table -------------------------------------------------------------- */

Test(radio, keys_are_documented_and_defaults_in_range)
{
    for (int i = 0; i < radio_nkeys; i++) {
        const struct key_desc *d = &radio_keys[i];
        cr_expect_str_eq(d->section, "radio");
        cr_expect(d->doc && strlen(d->doc) > 10, "%s has no doc", d->name);
        cr_expect(d->def && d->def[0], "%s has no default", d->name);
        cr_expect(d->unit != NULL, "%s has no unit string", d->name);
        for (int j = 0; j < i; j++)
            cr_expect(strcmp(d->name, radio_keys[j].name) != 0, "%s twice", d->name);
        if (d->type == KEY_DOUBLE || d->type == KEY_INT) {
            double v = strtod(d->def, NULL);
            cr_expect(v >= d->min && v <= d->max, "%s default %s out of [%g, %g]", d->name,
                      d->def, d->min, d->max);
        }
        /* Keys with a unit carry it at the end of their name (radius_town_m). */
        if (d->unit[0] && strcmp(d->unit, "MHz") && strcmp(d->unit, "kHz"))
            cr_expect(strstr(d->name, "_") != NULL);
    }
    struct radio_config *rc = defaults();
    struct tc_error err = {0};
    cr_expect_eq(radio_config_check(rc, &err), 0, "%s", err.msg);
    cr_expect_eq(rc->model, RADIO_DISC, "model stays disc by default");
    cr_expect_eq(rc->band[KIND_SUBDISTRICT], RADIO_BAND_N78);
    cr_expect_eq(rc->band[KIND_TOWNSHIP], RADIO_BAND_N28);
    cr_expect_eq(rc->pathloss[KIND_SPECIAL], RADIO_PL_RMA_NLOS);
    free(rc);
}

Test(radio, config_check_rejects_inconsistent_values)
{
    struct radio_config *rc = link_defaults();
    struct tc_error err = {0};
    rc->angle_step_deg = 7; /* 360/7 is no whole number of vertices */
    cr_expect_neq(radio_config_check(rc, &err), 0);
    cr_expect(strstr(err.msg, "angle_step_deg") != NULL, "%s", err.msg);
    rc->angle_step_deg = 5;
    rc->band[KIND_TOWN] = RADIO_BAND_CUSTOM;
    rc->custom_bandwidth_mhz = 37; /* not in Table 5.3.2-1 */
    cr_expect_neq(radio_config_check(rc, &err), 0);
    cr_expect(strstr(err.msg, "custom_nrb") != NULL, "%s", err.msg);
    rc->custom_nrb = 100; /* 100 x 12 x 30 kHz = 36 MHz fits */
    cr_expect_eq(radio_config_check(rc, &err), 0, "%s", err.msg);
    rc->custom_nrb = 110; /* 39.6 MHz does not */
    cr_expect_neq(radio_config_check(rc, &err), 0);
    rc->custom_nrb = 0;
    rc->custom_bandwidth_mhz = 40;
    rc->custom_scs_khz = 45;
    cr_expect_neq(radio_config_check(rc, &err), 0);
    free(rc);
}

/* ---- statistics and bands ------------------------------------------------------- */

Test(radio, norm_quantile_matches_tables_and_inverts_phi)
{
    /* Quantiles from any normal table (e.g. Abramowitz & Stegun 26.2). */
    cr_expect_float_eq(radio_norm_quantile(0.5), 0.0, 1e-15);
    cr_expect_float_eq(radio_norm_quantile(0.75), 0.6744897501960817, 1e-13);
    cr_expect_float_eq(radio_norm_quantile(0.9), 1.2815515655446004, 1e-13);
    cr_expect_float_eq(radio_norm_quantile(0.975), 1.959963984540054, 1e-13);
    cr_expect_float_eq(radio_norm_quantile(0.999), 3.090232306167813, 1e-12);
    for (double p = 1e-6; p < 1; p += 0.01234) {
        double x = radio_norm_quantile(p);
        cr_expect_float_eq(0.5 * erfc(-x / sqrt(2)), p, 1e-14 + 1e-12 * p, "p = %g", p);
        cr_expect_float_eq(radio_norm_quantile(1 - p), -x, 1e-9);
    }
}

Test(radio, nrb_from_ts38101_table)
{
    cr_expect_eq(radio_nrb(100, 30), 273);
    cr_expect_eq(radio_nrb(30, 15), 160);
    cr_expect_eq(radio_nrb(20, 15), 106);
    cr_expect_eq(radio_nrb(40, 30), 106);
    cr_expect_eq(radio_nrb(100, 60), 135);
    cr_expect_eq(radio_nrb(100, 15), -1); /* 15 kHz stops at 50 MHz */
    cr_expect_eq(radio_nrb(37, 30), -1);
}

/* ---- path-loss models: TR 38.901 Table 7.4.1-1 written out again ------------------ */

static struct radio_pl_params rma_p(double f)
{
    return (struct radio_pl_params){f, 35, 1.5, 5, 20, 8};
}

static double d3d(double d2, double hbs, double hut)
{
    return sqrt(d2 * d2 + (hbs - hut) * (hbs - hut));
}

static double ref_rma_pl1(double d3, double f, double h)
{
    return 20 * L10(40 * M_PI * d3 * f / 3) + fmin(0.03 * pow(h, 1.72), 10) * L10(d3) -
           fmin(0.044 * pow(h, 1.72), 14.77) + 0.002 * L10(h) * d3;
}

static double ref_rma_los(double d2, double f, double hbs, double hut, double h)
{
    double dbp = 2 * M_PI * hbs * hut * f * 1e9 / 3.0e8;
    double d3 = d3d(d2, hbs, hut);
    return d2 <= dbp ? ref_rma_pl1(d3, f, h) : ref_rma_pl1(dbp, f, h) + 40 * L10(d3 / dbp);
}

static double ref_rma_nlos(double d2, double f, double hbs, double hut, double h, double w)
{
    double d3 = d3d(d2, hbs, hut);
    double n = 161.04 - 7.1 * L10(w) + 7.5 * L10(h) - (24.37 - 3.7 * pow(h / hbs, 2)) * L10(hbs) +
               (43.42 - 3.1 * L10(hbs)) * (L10(d3) - 3) + 20 * L10(f) -
               (3.2 * pow(L10(11.75 * hut), 2) - 4.97);
    return fmax(ref_rma_los(d2, f, hbs, hut, h), n);
}

static double ref_uma_los(double d2, double f, double hbs, double hut)
{
    double dbp = 4 * (hbs - 1) * (hut - 1) * f * 1e9 / 3.0e8, d3 = d3d(d2, hbs, hut);
    if (d2 <= dbp)
        return 28.0 + 22 * L10(d3) + 20 * L10(f);
    return 28.0 + 40 * L10(d3) + 20 * L10(f) - 9 * L10(dbp * dbp + pow(hbs - hut, 2));
}

static double ref_uma_nlos(double d2, double f, double hbs, double hut)
{
    double n = 13.54 + 39.08 * L10(d3d(d2, hbs, hut)) + 20 * L10(f) - 0.6 * (hut - 1.5);
    return fmax(ref_uma_los(d2, f, hbs, hut), n);
}

static double ref_umi_los(double d2, double f, double hbs, double hut)
{
    double dbp = 4 * (hbs - 1) * (hut - 1) * f * 1e9 / 3.0e8, d3 = d3d(d2, hbs, hut);
    if (d2 <= dbp)
        return 32.4 + 21 * L10(d3) + 20 * L10(f);
    return 32.4 + 40 * L10(d3) + 20 * L10(f) - 9.5 * L10(dbp * dbp + pow(hbs - hut, 2));
}

static double ref_umi_nlos(double d2, double f, double hbs, double hut)
{
    double n = 35.3 * L10(d3d(d2, hbs, hut)) + 22.4 + 21.3 * L10(f) - 0.3 * (hut - 1.5);
    return fmax(ref_umi_los(d2, f, hbs, hut), n);
}

static double pl(enum radio_pathloss m, struct radio_pl_params p, double d)
{
    return radio_pathloss(m, &p, d, NULL, NULL);
}

Test(radio, fspl)
{
    struct radio_pl_params p = {3.5, 1.5, 1.5, 5, 20, 8};
    /* By hand: 20 log10(4 pi d f / c) = 20 log10(1000) + 20 log10(3.5e9)
     * + 20 log10(4 pi / 299792458) = 60 + 190.8814 - 147.5522 = 103.3291. */
    cr_expect_float_eq(pl(RADIO_PL_FSPL, p, 1000), 103.3291, 1e-4);
    for (double f = 0.7; f < 30; f *= 2.3)
        for (double d = 10; d < 20000; d *= 3.7) {
            p.f_ghz = f;
            cr_expect_float_eq(pl(RADIO_PL_FSPL, p, d),
                               20 * L10(d) + 20 * L10(f * 1e9) + 20 * L10(4 * M_PI / 299792458.0),
                               1e-9);
        }
}

Test(radio, rma_los_both_sides_of_breakpoint)
{
    /* d_BP = 2 pi 35 1.5 3.5e9 / 3e8 = 3848.45 m at 3.5 GHz; 769.7 m at 0.7 GHz. */
    /* Worked (Python, from the table's text): PL(3000 m) = 118.0210 (PL1),
     * PL(5000 m) = 125.9690 (PL2) at 3.5 GHz with the default RMa heights. */
    cr_expect_float_eq(pl(RADIO_PL_RMA_LOS, rma_p(3.5), 3000), 118.0210, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_RMA_LOS, rma_p(3.5), 5000), 125.9690, 1e-4);
    const double fs[] = {0.7, 2.6, 3.5, 6.0};
    const double ds[] = {10, 100, 700, 760, 780, 2000, 3800, 3900, 5000, 9000};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 10; j++)
            cr_expect_float_eq(pl(RADIO_PL_RMA_LOS, rma_p(fs[i]), ds[j]),
                               ref_rma_los(ds[j], fs[i], 35, 1.5, 5), 1e-9, "f %g d %g", fs[i],
                               ds[j]);
    /* Other heights, building height, street width. */
    struct radio_pl_params p = {2.6, 50, 3, 12, 30, 8};
    for (int j = 0; j < 10; j++)
        cr_expect_float_eq(pl(RADIO_PL_RMA_LOS, p, ds[j]), ref_rma_los(ds[j], 2.6, 50, 3, 12),
                           1e-9);
    double sigma;
    radio_pathloss(RADIO_PL_RMA_LOS, &(struct radio_pl_params){3.5, 35, 1.5, 5, 20, 8}, 3000,
                   &sigma, NULL);
    cr_expect_eq(sigma, 4);
    radio_pathloss(RADIO_PL_RMA_LOS, &(struct radio_pl_params){3.5, 35, 1.5, 5, 20, 8}, 3900,
                   &sigma, NULL);
    cr_expect_eq(sigma, 6);
}

Test(radio, rma_nlos_is_max_of_los_and_nlos_prime)
{
    /* Worked: 0.7 GHz, 1000 m: 116.4449; 4000 m: 139.6957 (NLOS' wins). */
    cr_expect_float_eq(pl(RADIO_PL_RMA_NLOS, rma_p(0.7), 1000), 116.4449, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_RMA_NLOS, rma_p(0.7), 4000), 139.6957, 1e-4);
    const double fs[] = {0.7, 3.5, 28};
    for (int i = 0; i < 3; i++)
        for (double d = 10; d <= 5000; d *= 1.9) {
            double n = pl(RADIO_PL_RMA_NLOS, rma_p(fs[i]), d);
            cr_expect_float_eq(n, ref_rma_nlos(d, fs[i], 35, 1.5, 5, 20), 1e-9);
            cr_expect_geq(n, pl(RADIO_PL_RMA_LOS, rma_p(fs[i]), d) - 1e-12);
        }
    double sigma;
    struct radio_pl_params p = rma_p(0.7);
    radio_pathloss(RADIO_PL_RMA_NLOS, &p, 1000, &sigma, NULL);
    cr_expect_eq(sigma, 8);
}

Test(radio, uma_both_sides_of_breakpoint)
{
    /* d'_BP = 4 (25-1)(1.5-1) 3.5e9 / 3e8 = 560 m at 3.5 GHz. */
    struct radio_pl_params p = {3.5, 25, 1.5, 5, 20, 8};
    /* Worked: NLOS' at 1000 m = 13.54 + 39.08 log10(1000.276) + 20 log10(3.5)
     * = 13.54 + 117.2447 + 10.8814 = 141.6660; LOS PL2 there 109.4119. */
    cr_expect_float_eq(pl(RADIO_PL_UMA_NLOS, p, 1000), 141.6660, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_UMA_LOS, p, 1000), 109.4119, 1e-4);
    const double fs[] = {0.7, 2.6, 3.5, 28};
    const double ds[] = {10, 50, 300, 550, 570, 1000, 2500, 5000};
    for (int i = 0; i < 4; i++) {
        p.f_ghz = fs[i];
        for (int j = 0; j < 8; j++) {
            double los = pl(RADIO_PL_UMA_LOS, p, ds[j]), nlos = pl(RADIO_PL_UMA_NLOS, p, ds[j]);
            cr_expect_float_eq(los, ref_uma_los(ds[j], fs[i], 25, 1.5), 1e-9);
            cr_expect_float_eq(nlos, ref_uma_nlos(ds[j], fs[i], 25, 1.5), 1e-9);
            cr_expect_geq(nlos, los);
        }
    }
    /* A taller UE moves the breakpoint: h_UT 10 m -> d'_BP = 4 24 9 f/c. */
    p = (struct radio_pl_params){3.5, 25, 10, 5, 20, 8};
    for (int j = 0; j < 8; j++)
        cr_expect_float_eq(pl(RADIO_PL_UMA_NLOS, p, ds[j] * 3), ref_uma_nlos(ds[j] * 3, 3.5, 25, 10),
                           1e-9);
}

Test(radio, umi_both_sides_of_breakpoint)
{
    /* d'_BP = 4 (10-1)(1.5-1) 3.5e9 / 3e8 = 210 m at 3.5 GHz. */
    struct radio_pl_params p = {3.5, 10, 1.5, 5, 20, 8};
    const double fs[] = {0.7, 3.5, 28};
    const double ds[] = {10, 100, 200, 220, 800, 5000};
    for (int i = 0; i < 3; i++) {
        p.f_ghz = fs[i];
        for (int j = 0; j < 6; j++) {
            double los = pl(RADIO_PL_UMI_LOS, p, ds[j]), nlos = pl(RADIO_PL_UMI_NLOS, p, ds[j]);
            cr_expect_float_eq(los, ref_umi_los(ds[j], fs[i], 10, 1.5), 1e-9);
            cr_expect_float_eq(nlos, ref_umi_nlos(ds[j], fs[i], 10, 1.5), 1e-9);
            cr_expect_geq(nlos, los);
        }
    }
    double sigma;
    radio_pathloss(RADIO_PL_UMI_NLOS, &p, 100, &sigma, NULL);
    cr_expect_float_eq(sigma, 7.82, 1e-12);
}

Test(radio, hata_and_cost231_worked_by_hand)
{
    struct radio_pl_params p = {0.9, 30, 1.5, 5, 20, 8};
    /* 900 MHz, h_b 30 m, h_m 1.5 m, 5 km. log f = 2.954243, log h_b = 1.477121,
     * a_small = (1.1 log f - 0.7) 1.5 - (1.56 log f - 0.8) = 0.015882,
     * L_u = 69.55 + 26.16 log f - 13.82 log h_b - a + (44.9 - 6.55 log h_b) log 5
     *     = 69.55 + 77.28300 - 20.41381 - 0.01588 + 24.62078 = 151.0244.
     * Large city: a = 3.2 (log 17.625)^2 - 4.97 = -0.00092 -> 151.0412.
     * Suburban: L_u - 2 (log(900/28))^2 - 5.4 = 151.0244 - 4.5426 - 5.4 = 141.0818.
     * Open: L_u - 4.78 (log f)^2 + 18.33 log f - 40.94 = 122.5180. */
    cr_expect_float_eq(pl(RADIO_PL_HATA_URBAN_SMALL, p, 5000), 151.0244, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_HATA_URBAN_LARGE, p, 5000), 151.0412, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_HATA_SUBURBAN, p, 5000), 141.0818, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_HATA_OPEN, p, 5000), 122.5180, 1e-4);
    /* Below 300 MHz the large-city correction is 8.29 (log 1.54 h_m)^2 - 1.1. */
    p.f_ghz = 0.15;
    cr_expect_float_eq(pl(RADIO_PL_HATA_URBAN_LARGE, p, 5000), 130.6878, 1e-4);
    /* COST-231, 1800 MHz, 2 km: 46.3 + 33.9 log 1800 - 13.82 log 30 - a_small
     * + (44.9 - 6.55 log 30) log 2 = 46.3 + 110.35375 - 20.41381 - 0.04297
     * + 10.60374 = 146.8007; metropolitan centres + 3 dB. */
    p.f_ghz = 1.8;
    cr_expect_float_eq(pl(RADIO_PL_COST231, p, 2000), 146.8007, 1e-4);
    cr_expect_float_eq(pl(RADIO_PL_COST231_METRO, p, 2000), 149.8007, 1e-4);
    /* Slope 44.9 - 6.55 log h_b per decade of distance, other heights. */
    p = (struct radio_pl_params){0.8, 60, 3, 5, 20, 8};
    double slope = pl(RADIO_PL_HATA_URBAN_SMALL, p, 10000) - pl(RADIO_PL_HATA_URBAN_SMALL, p, 1000);
    cr_expect_float_eq(slope, 44.9 - 6.55 * L10(60), 1e-9);
    double sigma;
    radio_pathloss(RADIO_PL_COST231, &p, 3000, &sigma, NULL);
    cr_expect_eq(sigma, 8);
}

Test(radio, validity_flags)
{
    unsigned w = 0;
    struct radio_pl_params p = {3.5, 25, 1.5, 5, 20, 8};
    radio_pathloss(RADIO_PL_UMA_NLOS, &p, 1000, NULL, &w);
    cr_expect_eq(w, 0u);
    radio_pathloss(RADIO_PL_UMA_NLOS, &p, 6000, NULL, &w);
    cr_expect(w & RADIO_WARN_DIST_FAR);
    w = 0;
    radio_pathloss(RADIO_PL_UMA_NLOS, &p, 5, NULL, &w);
    cr_expect(w & RADIO_WARN_DIST_NEAR);
    w = 0;
    radio_pathloss(RADIO_PL_HATA_URBAN_SMALL, &p, 5000, NULL, &w); /* 3.5 GHz, 25 m mast */
    cr_expect(w & RADIO_WARN_FREQ);
    cr_expect(w & RADIO_WARN_H_BS);
    w = 0;
    p = rma_p(0.7);
    p.h_building = 60;
    radio_pathloss(RADIO_PL_RMA_NLOS, &p, 5500, NULL, &w);
    cr_expect_eq(w, RADIO_WARN_H_BUILDING | RADIO_WARN_DIST_FAR);
    char text[512];
    radio_warning_text(w, RADIO_PL_RMA_NLOS, text, sizeof text);
    cr_expect(strstr(text, "building height") && strstr(text, "beyond 5000 m"), "%s", text);
}

/* ---- O2I, pattern, budget ---------------------------------------------------------- */

Test(radio, o2i_building_loss_worked_by_hand)
{
    /* 38.901 Table 7.4.3-1/-2 at 3.5 GHz: L_glass = 2.7, L_concrete = 19,
     * L_IRRglass = 24.05. Low loss: 5 - 10 log10(0.3 10^-0.27 + 0.7 10^-1.9)
     * = 5 - 10 log10(0.161110 + 0.008813) = 12.6975; high loss:
     * 5 - 10 log10(0.7 10^-2.405 + 0.3 10^-1.9) = 26.8498. PL_in = 0.5 d_in. */
    double s;
    cr_expect_float_eq(radio_o2i_loss(RADIO_O2I_LOW, 3.5, 0, &s), 12.6975, 1e-4);
    cr_expect_float_eq(s, 4.4, 1e-12);
    cr_expect_float_eq(radio_o2i_loss(RADIO_O2I_HIGH, 3.5, 10, &s), 26.8498 + 5, 1e-4);
    cr_expect_float_eq(s, 6.5, 1e-12);
    cr_expect_eq(radio_o2i_loss(RADIO_O2I_NONE, 3.5, 10, &s), 0);
    cr_expect_eq(s, 0);
}

Test(radio, sector_pattern_shape)
{
    struct radio_config *rc = defaults();
    /* Peak 0 dB on the tilted boresight, -3 dB at half the HPBW either side,
     * A_max = 30 dB at the back, symmetric about the azimuth (also with a
     * mechanical tilt, whose rotation mixes the two planes). */
    cr_expect_float_eq(radio_pattern_db(rc, 0, 6, 0, 6), 0, 1e-9);
    cr_expect_float_eq(radio_pattern_db(rc, 4, 2, 0, 6), 0, 1e-9);
    cr_expect_float_eq(radio_pattern_db(rc, 0, 0, 32.5, 0), -3, 1e-9);
    cr_expect_float_eq(radio_pattern_db(rc, 0, 0, 0, 32.5), -3, 1e-9);
    for (double dep = 0; dep < 60; dep += 7.5) {
        cr_expect_float_eq(radio_pattern_db(rc, 8, 3, 180, dep), -30, 1e-9);
        for (double psi = 0; psi <= 180; psi += 11.25)
            cr_expect_float_eq(radio_pattern_db(rc, 8, 3, psi, dep),
                               radio_pattern_db(rc, 8, 3, -psi, dep), 1e-9);
    }
    /* 12 ((phi)/65)^2 at 50 deg, no tilt, horizon: -7.1006 dB. */
    cr_expect_float_eq(radio_pattern_db(rc, 0, 0, 50, 0), -12.0 * 50 * 50 / (65 * 65), 1e-9);
    free(rc);
}

/* Table 7.3-1 evaluated after turning the UE direction into the frame of
 * an antenna tilted down by beta: x' along the boresight, z' its "up". */
static double ref_tilted_pattern(double beta, double etilt, double psi, double dep)
{
    double r = M_PI / 180, b = beta * r, p = psi * r, e = dep * r;
    double vx = cos(e) * cos(p), vy = cos(e) * sin(p), vz = -sin(e);
    double lx = vx * cos(b) - vz * sin(b), lz = vx * sin(b) + vz * cos(b);
    double th = acos(lz) / r, ph = atan2(vy, lx) / r;
    double av = -fmin(12 * pow((th - 90 - etilt) / 65, 2), 30);
    double ah = -fmin(12 * pow(ph / 65, 2), 30);
    return -fmin(-(av + ah), 30);
}

Test(radio, tilted_pattern_matches_explicit_rotation)
{
    struct radio_config *rc = defaults();
    const double tilts[] = {0, 4, 10, 25};
    for (int t = 0; t < 4; t++)
        for (double psi = -175; psi <= 180; psi += 17.5)
            for (double dep = -5; dep <= 60; dep += 6.5)
                cr_expect_float_eq(radio_pattern_db(rc, tilts[t], 2, psi, dep),
                                   ref_tilted_pattern(tilts[t], 2, psi, dep), 1e-9,
                                   "tilt %g psi %g dep %g", tilts[t], psi, dep);
    /* Worked: 10 deg mechanical tilt, UE on the horizon 90 deg off the
     * azimuth: the rotation leaves it at theta' = 90, phi' = 90, so only
     * A_H = -12 (90/65)^2 = -23.005 dB remains. */
    cr_expect_float_eq(radio_pattern_db(rc, 10, 0, 90, 0), -23.0059, 1e-4);
    free(rc);
}

Test(radio, link_budget_terms_worked_by_hand)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    struct radio_budget b;
    radio_budget(m, KIND_SUBDISTRICT, NULL, &b);
    /* n78: 273 PRB x 12 = 3276 subcarriers; 53 dBm - 10 log10(3276) =
     * 53 - 35.1534 = 17.8466 dBm per RE; + 17 dBi - 0 dB cable = 34.8466;
     * + 0 dBi UE - 3 dB body - 0 O2I - 0.67449 x 6 dB (UMa NLOS sigma, 75 %)
     * = 4.0469 dB margin; + 110 dBm threshold -> MAPL 137.7996 dB. */
    cr_expect_str_eq(b.band, "n78");
    cr_expect_eq(b.subcarriers, 3276);
    cr_expect_float_eq(b.re_power_dbm, 17.8466, 1e-4);
    cr_expect_float_eq(b.eirp_re_dbm, 34.8466, 1e-4);
    cr_expect_float_eq(b.sigma_db, 6, 1e-12);
    cr_expect_float_eq(b.margin_db, 4.0469, 1e-4);
    cr_expect_float_eq(b.mapl_db, 137.7996, 1e-4);
    /* n28 township: 160 PRB (15 kHz, 30 MHz); 53.8 - 32.8330 = 20.9670;
     * + 15 - 0.5 = 35.4670; - 3 - 0.67449 x 8 (RMa NLOS) + 113 = 140.0711. */
    radio_budget(m, KIND_TOWNSHIP, NULL, &b);
    cr_expect_str_eq(b.band, "n28");
    cr_expect_eq(b.nrb, 160);
    cr_expect_float_eq(b.eirp_re_dbm, 35.4670, 1e-4);
    cr_expect_float_eq(b.mapl_db, 140.0711, 1e-4);
    /* High-loss O2I adds its mean loss and its sigma in quadrature. */
    rc->o2i[KIND_SUBDISTRICT] = RADIO_O2I_HIGH;
    rc->o2i_depth_m = 10;
    radio_model_free(&m);
    m = model_of(rc);
    radio_budget(m, KIND_SUBDISTRICT, NULL, &b);
    cr_expect_float_eq(b.o2i_db, 26.8498 + 5, 1e-4);
    cr_expect_float_eq(b.sigma_db, sqrt(36 + 6.5 * 6.5), 1e-12);
    cr_expect_float_eq(b.mapl_db, 34.8466 - 3 - 31.8498 - 0.6744898 * sqrt(78.25) + 110, 1e-4);
    radio_model_free(&m);
    free(rc);
}

/* ---- solver and footprints ------------------------------------------------------------ */

/* Loss minus budget at ground distance d, re-derived from the public
 * pieces: path loss + O2I + z sigma - pattern - MAPL-before-margin. */
static double ref_excess(const struct radio_model *m, enum tc_kind k, double h_bs,
                         double power, double mtilt, double psi, int omni, double d)
{
    const struct radio_config *rc = radio_model_config(m);
    struct radio_budget b;
    struct radio_site s = blank_site();
    s.height_m = h_bs;
    s.power_dbm = power;
    s.tilt_deg = mtilt;
    radio_budget(m, k, &s, &b);
    double f = b.f_mhz / 1000, sigma, so2i;
    struct radio_pl_params p = {f, h_bs, rc->ue_height_m, rc->building_height_m,
                                rc->street_width_m, rc->empirical_sigma_db};
    double loss = radio_pathloss(rc->pathloss[k], &p, d, &sigma, NULL);
    loss += radio_o2i_loss(rc->o2i[k], f, rc->o2i_depth_m, &so2i);
    loss += b.z * sqrt(sigma * sigma + so2i * so2i);
    if (!omni)
        loss -= radio_pattern_db(rc, mtilt, rc->etilt_deg[k], psi,
                                 atan((h_bs - rc->ue_height_m) / d) * 180 / M_PI);
    double budget = b.eirp_re_dbm + b.ue_gain_dbi - b.body_loss_db - b.rsrp_threshold_dbm;
    return loss - budget;
}

/* The forward check: the excess changes sign within 0.5 m of r. */
static void expect_edge(const struct radio_model *m, enum tc_kind k, double h, double pw,
                        double mt, double psi, int omni, double r)
{
    cr_expect_leq(ref_excess(m, k, h, pw, mt, psi, omni, r - 0.5), 0, "inside edge at %g", r);
    cr_expect_gt(ref_excess(m, k, h, pw, mt, psi, omni, r + 0.5), 0, "outside edge at %g", r);
}

Test(radio, omni_footprint_is_the_budget_circle)
{
    struct radio_config *rc = link_defaults();
    for (int k = 0; k < KIND_COUNT; k++)
        rc->sectors[k] = 0;
    struct radio_model *m = model_of(rc);
    int n = radio_footprint_max_vertices(rc);
    cr_assert_eq(n, 72);
    double xy[2 * 72];
    for (int k = 0; k < KIND_COUNT; k++) {
        struct radio_range_info info;
        cr_assert_eq(radio_footprint(m, (enum tc_kind)k, NULL, xy, n, &info), n);
        double r = hypot(xy[0], xy[1]);
        expect_edge(m, (enum tc_kind)k, rc->height_m[k], rc->tx_power_dbm[k], 0, 0, 1, r);
        /* The inscribed 72-gon falls short of pi r^2 by 1 - 72 sin(2 pi/72)/(2 pi). */
        double a = shoelace(xy, n), circle = M_PI * r * r;
        cr_expect_float_eq(a, circle, circle * (1 - n * sin(2 * M_PI / n) / (2 * M_PI)) + 1e-6);
        cr_expect_lt(a, circle);
        cr_expect_float_eq(info.min_range_m, r, 1e-9);
        cr_expect_float_eq(info.max_range_m, r, 1e-9);
    }
    radio_model_free(&m);
    free(rc);
}

Test(radio, footprint_ccw_open_and_first_vertex_east)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    double xy[2 * RADIO_MAX_VERTICES];
    int n = radio_footprint(m, KIND_TOWN, NULL, xy, RADIO_MAX_VERTICES, NULL);
    cr_assert_eq(n, 72);
    cr_expect_gt(shoelace(xy, n), 0, "counter-clockwise");
    cr_expect_gt(xy[0], 0);
    cr_expect_float_eq(xy[1], 0, 1e-9);
    cr_expect(xy[2 * (n - 1)] != xy[0] || xy[2 * (n - 1) + 1] != xy[1], "not closed");
    cr_expect_eq(radio_footprint(m, KIND_TOWN, NULL, xy, n - 1, NULL), -1);
    radio_model_free(&m);
    free(rc);
}

/* Radius of vertex j of a footprint. */
static double rad(const double *xy, int j)
{
    return hypot(xy[2 * j], xy[2 * j + 1]);
}

/* Vertex index whose compass bearing is b (vertices every 5 deg, vertex 0 east). */
static int vert_at(double bearing, int n)
{
    int j = (int)lround((90 - bearing) / (360.0 / n));
    return ((j % n) + n) % n;
}

Test(radio, single_sector_symmetric_and_30_db_at_the_back)
{
    struct radio_config *rc = link_defaults();
    rc->mtilt_deg[KIND_TOWN] = 4; /* the rotation must keep the symmetry */
    struct radio_model *m = model_of(rc);
    struct radio_site s = blank_site();
    s.n_azimuths = 1;
    s.azimuth_deg[0] = 30;
    double xy[2 * RADIO_MAX_VERTICES];
    int n = radio_footprint(m, KIND_TOWN, &s, xy, RADIO_MAX_VERTICES, NULL);
    for (int d = 5; d <= 175; d += 5)
        cr_expect_float_eq(rad(xy, vert_at(30 + d, n)), rad(xy, vert_at(30 - d, n)), 0.01,
                           "offset %d", d);
    double front = rad(xy, vert_at(30, n)), back = rad(xy, vert_at(210, n));
    expect_edge(m, KIND_TOWN, 25, 53, 4, 0, 0, front);
    expect_edge(m, KIND_TOWN, 25, 53, 4, 180, 0, back);
    /* 30 dB less at the back; UMa NLOS loses 39.08 dB/decade, so the back
     * range is about 10^(-30/39.08) = 0.17 of the front one. */
    cr_expect_float_eq(back / front, pow(10, -30 / 39.08), 0.02);
    radio_model_free(&m);
    free(rc);
}

Test(radio, coarse_step_that_does_not_divide_90)
{
    /* 40-degree steps: vertex 0 looks east (bearing 90), vertex 1 at 50,
     * vertex 2 at 10; a sector at 0 sees them 90, 50 and 10 deg off. */
    struct radio_config *rc = link_defaults();
    rc->angle_step_deg = 40;
    struct radio_model *m = model_of(rc);
    struct radio_site s = blank_site();
    s.n_azimuths = 1;
    s.azimuth_deg[0] = 0;
    double xy[2 * 9];
    cr_assert_eq(radio_footprint(m, KIND_TOWN, &s, xy, 9, NULL), 9);
    expect_edge(m, KIND_TOWN, 25, 53, 0, 90, 0, rad(xy, 0));
    expect_edge(m, KIND_TOWN, 25, 53, 0, 50, 0, rad(xy, 1));
    expect_edge(m, KIND_TOWN, 25, 53, 0, 10, 0, rad(xy, 2));
    /* The same with a custom height (full solve) and without tables. */
    s.height_m = 30;
    cr_assert_eq(radio_footprint(m, KIND_TOWN, &s, xy, 9, NULL), 9);
    expect_edge(m, KIND_TOWN, 30, 53, 0, 90, 0, rad(xy, 0));
    expect_edge(m, KIND_TOWN, 30, 53, 0, 50, 0, rad(xy, 1));
    /* Three default sectors (0/120/240): vertex 0 is 30 deg off the one at 120. */
    cr_assert_eq(radio_footprint(m, KIND_SUBDISTRICT, NULL, xy, 9, NULL), 9);
    expect_edge(m, KIND_SUBDISTRICT, 25, 53, 0, 30, 0, rad(xy, 0));
    radio_model_free(&m);
    free(rc);
}

Test(radio, three_sector_union_is_max_of_sectors)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    double xy3[2 * RADIO_MAX_VERTICES], xy1[3][2 * RADIO_MAX_VERTICES];
    int n = radio_footprint(m, KIND_SUBDISTRICT, NULL, xy3, RADIO_MAX_VERTICES, NULL);
    for (int s = 0; s < 3; s++) {
        struct radio_site site = blank_site();
        site.n_azimuths = 1;
        site.azimuth_deg[0] = 120.0 * s;
        radio_footprint(m, KIND_SUBDISTRICT, &site, xy1[s], RADIO_MAX_VERTICES, NULL);
    }
    for (int j = 0; j < n; j++) {
        double m = fmax(rad(xy1[0], j), fmax(rad(xy1[1], j), rad(xy1[2], j)));
        cr_expect_float_eq(rad(xy3, j), m, 1.0, "vertex %d", j);
    }
    /* Boresights at 0/120/240 are the longest, the gaps at 60/180/300 the shortest. */
    cr_expect_gt(rad(xy3, vert_at(0, n)), rad(xy3, vert_at(60, n)) * 1.5);
    cr_expect_float_eq(rad(xy3, vert_at(0, n)), rad(xy3, vert_at(120, n)), 1e-6);
    radio_model_free(&m);
    free(rc);
}

Test(radio, model_tables_agree_with_full_solves)
{
    struct radio_config *rc = link_defaults();
    rc->mtilt_deg[KIND_TOWNSHIP] = 3;
    struct radio_model *m = model_of(rc);
    double a[2 * RADIO_MAX_VERTICES], b[2 * RADIO_MAX_VERTICES];
    /* Default stations (the kind's footprint) and off-grid azimuths
     * (interpolated in the kind's sector table), against the same stations
     * 1e-9 m taller: a link of their own, so every direction is solved in
     * full, and the same ranges to far below a millimetre. */
    struct radio_site s = blank_site();
    s.n_azimuths = 3;
    s.azimuth_deg[0] = 12.3;
    s.azimuth_deg[1] = 131.7;
    s.azimuth_deg[2] = 250.05;
    for (int k = 0; k < KIND_COUNT; k++)
        for (int pass = 0; pass < 2; pass++) {
            struct radio_site tab = pass ? s : blank_site(), full = tab;
            full.height_m = rc->height_m[k] + 1e-9;
            int n = radio_footprint(m, (enum tc_kind)k, &tab, a, RADIO_MAX_VERTICES, NULL);
            cr_assert_eq(radio_footprint(m, (enum tc_kind)k, &full, b, RADIO_MAX_VERTICES, NULL), n);
            for (int j = 0; j < n; j++)
                cr_expect_leq(fabs(rad(a, j) - rad(b, j)), 1.0, "kind %d pass %d vertex %d: %g %g",
                              k, pass, j, rad(a, j), rad(b, j));
        }
    radio_model_free(&m);
    free(rc);
}

Test(radio, custom_station_solved_against_forward_formula)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    struct radio_site s = blank_site();
    s.height_m = 40;
    s.power_dbm = 50;
    s.tilt_deg = 5;
    s.n_azimuths = 2;
    s.azimuth_deg[0] = 45;
    s.azimuth_deg[1] = 200;
    double xy[2 * RADIO_MAX_VERTICES];
    struct radio_range_info info;
    int n = radio_footprint(m, KIND_TOWNSHIP, &s, xy, RADIO_MAX_VERTICES, &info);
    cr_assert_eq(n, 72);
    /* Both boresights (bearings 45 and 200) fall on the 5-degree grid. */
    expect_edge(m, KIND_TOWNSHIP, 40, 50, 5, 0, 0, rad(xy, vert_at(45, n)));
    expect_edge(m, KIND_TOWNSHIP, 40, 50, 5, 0, 0, rad(xy, vert_at(200, n)));
    cr_expect_str_eq(info.band, "n28");
    cr_expect_str_eq(info.pathloss, "rma-nlos");
    cr_expect_gt(info.max_range_m, 1000);
    /* More power, more range. */
    s.power_dbm = 56;
    double xy2[2 * RADIO_MAX_VERTICES];
    radio_footprint(m, KIND_TOWNSHIP, &s, xy2, RADIO_MAX_VERTICES, NULL);
    cr_expect_gt(rad(xy2, vert_at(45, n)), rad(xy, vert_at(45, n)) * 1.1);
    radio_model_free(&m);
    free(rc);
}

Test(radio, model_keeps_its_own_copy_of_the_config)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    double a[2 * RADIO_MAX_VERTICES], b[2 * RADIO_MAX_VERTICES], c[2 * RADIO_MAX_VERTICES];
    int n = radio_footprint(m, KIND_TOWN, NULL, a, RADIO_MAX_VERTICES, NULL);
    rc->tx_power_dbm[KIND_TOWN] += 6; /* changed after the model was built ... */
    cr_assert_eq(radio_footprint(m, KIND_TOWN, NULL, b, RADIO_MAX_VERTICES, NULL), n);
    cr_expect_eq(memcmp(a, b, sizeof(double) * 2 * (size_t)n), 0, "... the model is not");
    cr_expect_float_eq(radio_model_config(m)->tx_power_dbm[KIND_TOWN], 53, 0);
    /* A model of the changed config has the longer range. */
    struct radio_model *m2 = model_of(rc);
    radio_footprint(m2, KIND_TOWN, NULL, c, RADIO_MAX_VERTICES, NULL);
    cr_expect_gt(rad(c, 0), rad(a, 0) * 1.2);
    /* Vertex 0 looks east: 30 deg off the sector at 120 deg, which wins. */
    expect_edge(m2, KIND_TOWN, 25, 59, 0, 30, 0, rad(c, 0));
    radio_model_free(&m2);
    radio_model_free(&m);
    cr_expect_null(m);
    radio_model_free(&m); /* freeing NULL is fine */
    free(rc);
}

Test(radio, range_clipped_and_no_cover_flags)
{
    struct radio_config *rc = link_defaults();
    rc->sectors[KIND_TOWN] = 0;
    rc->pathloss[KIND_TOWN] = RADIO_PL_FSPL;
    rc->max_range_m = 5000;
    rc->sectors[KIND_SPECIAL] = 0;
    rc->rsrp_threshold_dbm[KIND_SPECIAL] = -40; /* unreachable */
    rc->tx_power_dbm[KIND_SPECIAL] = 0;
    struct radio_model *m = model_of(rc);
    double xy[2 * RADIO_MAX_VERTICES];
    struct radio_range_info info;
    radio_footprint(m, KIND_TOWN, NULL, xy, RADIO_MAX_VERTICES, &info);
    cr_expect(info.warnings & RADIO_WARN_RANGE_CAP);
    cr_expect_float_eq(info.max_range_m, 5000, 1e-9);
    int n = radio_footprint(m, KIND_SPECIAL, NULL, xy, RADIO_MAX_VERTICES, &info);
    cr_expect(info.warnings & RADIO_WARN_NO_COVER);
    cr_expect_gt(shoelace(xy, n), 0, "still a valid polygon");
    radio_model_free(&m);
    free(rc);
}

/* ---- the model handle ------------------------------------------------------------------ */

Test(radio, model_new_rejects_a_bad_config_with_a_message)
{
    struct radio_config *rc = link_defaults();
    rc->angle_step_deg = 7; /* does not divide 360 */
    struct tc_error err = {0};
    struct radio_model *m = radio_model_new(rc, &err);
    cr_expect_null(m);
    cr_expect_eq(err.exit_code, TC_EXIT_SCENARIO);
    cr_expect(strstr(err.msg, "radio.angle_step_deg = 7") != NULL, "%s", err.msg);
    rc->angle_step_deg = 5;
    rc->band[KIND_TOWN] = RADIO_BAND_CUSTOM;
    rc->custom_bandwidth_mhz = 33; /* no N_RB in Table 5.3.2-1 */
    memset(&err, 0, sizeof err);
    cr_expect_null(radio_model_new(rc, &err));
    cr_expect(strstr(err.msg, "radio.band_town = custom") != NULL, "%s", err.msg);
    rc->custom_nrb = 100; /* 36 MHz at 30 kHz */
    cr_expect_null(radio_model_new(rc, &err));
    cr_expect(strstr(err.msg, "do not fit") != NULL, "%s", err.msg);
    rc->custom_nrb = 90;
    m = radio_model_new(rc, &err);
    cr_expect_not_null(m, "%s", err.msg);
    radio_model_free(&m);
    free(rc);
}

/* Stations of every kind down every path of radio_footprint(): the kind's
 * own, its own azimuths (interpolated), its own height, power or tilt
 * (solved in full), omni. */
#define NSTATIONS 480
static void stations(struct radio_site *s, enum tc_kind *kind)
{
    for (int i = 0; i < NSTATIONS; i++) {
        s[i] = blank_site();
        kind[i] = (enum tc_kind)(i % KIND_COUNT);
        switch (i / KIND_COUNT % 6) {
        case 1:
            s[i].n_azimuths = 3;
            for (int a = 0; a < 3; a++)
                s[i].azimuth_deg[a] = fmod(17.0 * i + 120 * a, 360);
            break;
        case 2:
            s[i].height_m = 20 + i % 30;
            break;
        case 3:
            s[i].power_dbm = 44 + i % 11;
            s[i].tilt_deg = i % 9;
            break;
        case 4:
            s[i].n_azimuths = 1 + i % RADIO_MAX_SECTORS;
            for (int a = 0; a < s[i].n_azimuths; a++)
                s[i].azimuth_deg[a] = fmod(7.5 * i + 31.0 * a, 360);
            s[i].tilt_deg = 2;
            break;
        default: /* the kind's own */
            break;
        }
    }
}

/* Footprint, facts and budget of every station. */
struct outcome {
    int n[NSTATIONS];
    double xy[NSTATIONS][2 * RADIO_MAX_VERTICES];
    struct radio_range_info info[NSTATIONS];
    struct radio_budget budget[NSTATIONS];
};

static void compute(const struct radio_model *m, const struct radio_site *s,
                    const enum tc_kind *kind, struct outcome *o, int threads)
{
    memset(o, 0, sizeof *o);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int i = 0; i < NSTATIONS; i++) {
        o->n[i] = radio_footprint(m, kind[i], &s[i], o->xy[i], RADIO_MAX_VERTICES, &o->info[i]);
        radio_budget(m, kind[i], &s[i], &o->budget[i]);
    }
}

static void expect_same(const struct outcome *a, const struct outcome *b)
{
    for (int i = 0; i < NSTATIONS; i++) {
        cr_assert_gt(a->n[i], 2, "station %d", i);
        cr_assert_eq(a->n[i], b->n[i], "station %d", i);
        cr_expect_eq(memcmp(a->xy[i], b->xy[i], sizeof(double) * 2 * (size_t)a->n[i]), 0,
                     "station %d", i);
        cr_expect(memcmp(&a->info[i].min_range_m, &b->info[i].min_range_m, sizeof(double)) == 0 &&
                  memcmp(&a->info[i].max_range_m, &b->info[i].max_range_m, sizeof(double)) == 0 &&
                  a->info[i].warnings == b->info[i].warnings &&
                  strcmp(a->info[i].band, b->info[i].band) == 0, "station %d", i);
        cr_expect(memcmp(&a->budget[i].range_boresight_m, &b->budget[i].range_boresight_m,
                         sizeof(double)) == 0 && a->budget[i].mapl_db == b->budget[i].mapl_db,
                  "budget of station %d", i);
    }
}

Test(radio, two_models_of_one_config_give_identical_footprints)
{
    static struct radio_site s[NSTATIONS];
    static enum tc_kind kind[NSTATIONS];
    static struct outcome a, b;
    stations(s, kind);
    for (int model = RADIO_DISC; model <= RADIO_LINK; model++) {
        struct radio_config *rc = defaults();
        rc->model = model;
        rc->mtilt_deg[KIND_TOWNSHIP] = 3;
        struct radio_model *m1 = model_of(rc), *m2 = model_of(rc);
        compute(m1, s, kind, &a, 1);
        compute(m2, s, kind, &b, 1);
        expect_same(&a, &b);
        radio_model_free(&m1);
        radio_model_free(&m2);
        free(rc);
    }
}

Test(radio, one_model_shared_by_8_threads_equals_serial)
{
    static struct radio_site s[NSTATIONS];
    static enum tc_kind kind[NSTATIONS];
    static struct outcome ser, par;
    stations(s, kind);
    for (int model = RADIO_DISC; model <= RADIO_LINK; model++) {
        struct radio_config *rc = defaults();
        rc->model = model;
        rc->mtilt_deg[KIND_TOWNSHIP] = 3;
        struct radio_model *m = model_of(rc);
        compute(m, s, kind, &ser, 1);
        for (int rep = 0; rep < 3; rep++) {
            compute(m, s, kind, &par, 8);
            expect_same(&ser, &par);
        }
        radio_model_free(&m);
        free(rc);
    }
}

/* ---- the disc model, unchanged ---------------------------------------------------------- */

Test(radio, disc_model_unchanged)
{
    struct radio_config *rc = defaults();
    struct radio_model *m = model_of(rc);
    int n = radio_footprint_max_vertices(rc);
    cr_assert_eq(n, 64);
    double xy[2 * 64];
    struct radio_range_info info;
    for (int k = 0; k < KIND_COUNT; k++) {
        cr_assert_eq(radio_footprint(m, (enum tc_kind)k, NULL, xy, 64, &info), 64);
        double r = rc->radius_m[k];
        cr_expect_float_eq(shoelace(xy, n), n / 2.0 * r * r * sin(2 * M_PI / n), 1e-6 * r * r);
        cr_expect_float_eq(xy[0], r, 1e-9);
        cr_expect_float_eq(info.max_range_m, r, 1e-9);
        cr_expect_float_eq(info.min_range_m, r * cos(M_PI / n), 1e-9);
        cr_expect_str_eq(info.band, "disc");
        cr_expect_str_eq(info.pathloss, "disc");
    }
    cr_expect_float_eq(rc->radius_m[KIND_SUBDISTRICT], 400, 0);
    cr_expect_eq(radio_footprint(m, KIND_TOWN, NULL, xy, 63, NULL), -1);
    radio_model_free(&m);
    free(rc);
}

/* ---- towncov link / pathloss ------------------------------------------------------------ */

/* Runs radio_cmd_pathloss with stdout and stderr captured into out / err. */
static int run_pathloss(int argc, char **argv, char *out, size_t nout, char *errbuf, size_t nerr)
{
    fflush(stdout);
    fflush(stderr);
    FILE *fo = tmpfile(), *fe = tmpfile();
    cr_assert(fo && fe);
    int so = dup(STDOUT_FILENO), se = dup(STDERR_FILENO);
    dup2(fileno(fo), STDOUT_FILENO);
    dup2(fileno(fe), STDERR_FILENO);
    int rc = radio_cmd_pathloss(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, STDOUT_FILENO);
    dup2(se, STDERR_FILENO);
    close(so);
    close(se);
    rewind(fo);
    rewind(fe);
    size_t n = fread(out, 1, nout - 1, fo);
    out[n] = '\0';
    n = fread(errbuf, 1, nerr - 1, fe);
    errbuf[n] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

Test(radio, pathloss_command_output)
{
    char out[4096], err[4096], expect[64];
    char *a1[] = {"pathloss", "--model", "fspl", "--freq-ghz", "3.5", "--distance-m", "1000"};
    cr_assert_eq(run_pathloss(7, a1, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect_str_eq(out, "103.3291\n");
    cr_expect_str_eq(err, "");
    /* RMa defaults h_BS 35, h_UT 1.5, h 5, W 20: the worked 118.0210. */
    char *a2[] = {"pathloss", "--model=rma-los", "--freq-ghz=3.5", "--distance-m", "3000"};
    cr_assert_eq(run_pathloss(5, a2, out, sizeof out, err, sizeof err), 0);
    cr_expect_str_eq(out, "118.0210\n");
    /* Explicit heights reach the formula. */
    char *a3[] = {"pathloss", "--model", "uma-nlos", "--freq-ghz", "2.6", "--distance-m", "800",
                  "--h-bs", "25", "--h-ut", "10"};
    cr_assert_eq(run_pathloss(11, a3, out, sizeof out, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%.4f\n", ref_uma_nlos(800, 2.6, 25, 10));
    cr_expect_str_eq(out, expect);
    /* Outside validity: warning on stderr, value still printed. */
    char *a4[] = {"pathloss", "--model", "uma-nlos", "--freq-ghz", "3.5", "--distance-m", "8000"};
    cr_assert_eq(run_pathloss(7, a4, out, sizeof out, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%.4f\n", ref_uma_nlos(8000, 3.5, 25, 1.5));
    cr_expect_str_eq(out, expect);
    cr_expect(strstr(err, "warning") && strstr(err, "5000 m"), "%s", err);
    /* Hata at 900 MHz, 30 m, 5 km: the worked 151.0244. */
    char *a5[] = {"pathloss", "--model", "hata-urban-small", "--freq-ghz", "0.9",
                  "--distance-m", "5000"};
    cr_assert_eq(run_pathloss(7, a5, out, sizeof out, err, sizeof err), 0);
    cr_expect_str_eq(out, "151.0244\n");
}

Test(radio, pathloss_command_errors_and_help)
{
    char out[4096], err[4096];
    char *h[] = {"pathloss", "--help"};
    cr_expect_eq(run_pathloss(2, h, out, sizeof out, err, sizeof err), 0);
    cr_expect(strstr(out, "Usage: towncov pathloss") != NULL);
    char *b1[] = {"pathloss", "--model", "nope", "--freq-ghz", "3.5", "--distance-m", "100"};
    cr_expect_eq(run_pathloss(7, b1, out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "unknown model") != NULL, "%s", err);
    cr_expect_str_eq(out, "");
    char *b2[] = {"pathloss", "--model", "fspl", "--freq-ghz", "3.5"};
    cr_expect_eq(run_pathloss(5, b2, out, sizeof out, err, sizeof err), 2);
    char *b3[] = {"pathloss", "--model", "fspl", "--freq-ghz", "x", "--distance-m", "1"};
    cr_expect_eq(run_pathloss(7, b3, out, sizeof out, err, sizeof err), 2);
    char *b4[] = {"pathloss", "--model", "fspl", "--freq-ghz", "3.5", "--distance-m", "-4"};
    cr_expect_eq(run_pathloss(7, b4, out, sizeof out, err, sizeof err), 2);
    char *b5[] = {"pathloss", "--model", "fspl", "--freq-ghz", "3.5", "--distance-m"};
    cr_expect_eq(run_pathloss(6, b5, out, sizeof out, err, sizeof err), 2);
    char *b6[] = {"pathloss", "--bogus", "1"};
    cr_expect_eq(run_pathloss(3, b6, out, sizeof out, err, sizeof err), 2);
}

Test(radio, print_link_reports_every_kind)
{
    struct radio_config *rc = link_defaults();
    struct radio_model *m = model_of(rc);
    FILE *f = tmpfile();
    cr_assert(f);
    cr_assert_eq(radio_print_link(f, m), 0);
    rewind(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    cr_expect(strstr(buf, "subdistrict") && strstr(buf, "special"));
    cr_expect(strstr(buf, "n78") && strstr(buf, "n28") && strstr(buf, "rma-nlos"));
    cr_expect(strstr(buf, "137.80") != NULL, "MAPL of the n78 kinds:\n%s", buf);
    cr_expect(strstr(buf, "range, boresight") && strstr(buf, "back 180"));
    radio_model_free(&m);
    free(rc);
}
