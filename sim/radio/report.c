/* radio/report.c — `towncov link`: the link budget per township kind,
 * term by term, and the ranges it gives (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <stdio.h>

/* One sector's range psi degrees off its azimuth (any psi when omni). */
static double range_at(const struct link *lk, double psi)
{
    struct dir d = dir_init(&lk->ant, psi);
    return radio_solve_range(lk, lk->sectors ? &d : NULL, 0);
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
        txt[k] = radio_o2i_names[rc->o2i[k]];
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
        radio_station_of(rc, (enum tc_kind)k, NULL, &st);
        double r[RADIO_MAX_VERTICES];
        radio_solve_footprint(&lk[k], &st, n, NULL, r);
        rmin[k] = INFINITY, rmax[k] = 0;
        for (int j = 0; j < n; j++)
            rmin[k] = min2(rmin[k], r[j]), rmax[k] = max2(rmax[k], r[j]);
        area[k] = star_area(r, n);
        warn[k] = radio_range_warnings(rc, (enum tc_kind)k,
                                       radio_pathloss_check(lk[k].model, &lk[k].pp), rmin[k],
                                       rmax[k]);
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

int radio_print_link(FILE *out, const struct radio_model *m)
{
    const struct radio_config *rc = &m->cfg;
    struct radio_budget b[KIND_COUNT];
    struct link lk[KIND_COUNT];
    const char *names[KIND_COUNT];
    for (int k = 0; k < KIND_COUNT; k++) {
        radio_budget(m, (enum tc_kind)k, NULL, &b[k]);
        radio_link_default(&lk[k], rc, (enum tc_kind)k);
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

