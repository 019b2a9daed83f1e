/* summary.c — the terminal summary (see report.h): the verdict first, then
 * by kind, the radio model, by county, the worst townships, the phases. */
#include "report_int.h"

#include <stdlib.h>

#include "towncov/raster.h"
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/sites.h"

/* Terminal columns a UTF-8 string takes: CJK and other wide characters
 * (code points from U+1100, roughly) take two, so Chinese names line up. */
static int display_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p;
        int len = cp < 0x80 ? 1 : (cp & 0xE0) == 0xC0 ? 2 : (cp & 0xF0) == 0xE0 ? 3 : 4;
        if (len == 3)
            cp = (cp & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
        else if (len == 4)
            cp = 0x10000;
        for (int i = 0; i < len && *p; i++)
            p++;
        w += cp >= 0x1100 ? 2 : 1;
    }
    return w;
}

/* Prints s left-aligned in `width` columns (at least one space after). */
void report_print_cell(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int pad = width - display_width(s); pad > 0; pad--)
        fputc(' ', out);
    fputc(' ', out);
}

static void print_by_kind(FILE *out, const struct run_outcome *run)
{
    fprintf(out, "\nBy kind        townships  failing   area km2  covered  seats covered\n");
    for (int k = 0; k < KIND_COUNT; k++) {
        int n = 0, fail = 0, seats = 0;
        double area = 0, cov = 0;
        for (int t = 0; t < run->map->n; t++) {
            if (run->map->t[t].kind != (enum tc_kind)k)
                continue;
            n++;
            fail += !run->verdict->township_met[t];
            area += run->results[t].area_m2;
            cov += run->results[t].covered_m2;
            seats += run->results[t].seat_covered;
        }
        if (n)
            fprintf(out, "  %-12s %9d %8d %10.1f %7.2f%% %8d (%5.1f%%)\n", tc_kind_name(k), n,
                    fail, area / 1e6, 100 * cov / area, seats, 100.0 * seats / n);
    }
}

/* Counties with failing townships, most failures first. */
struct county_row { const char *name, *code; int n, fail; double area, cov; };

static int by_failures(const void *a, const void *b)
{
    const struct county_row *x = a, *y = b;
    if (x->fail != y->fail)
        return y->fail - x->fail;
    int d = strcmp(x->name, y->name);
    return d ? d : strcmp(x->code, y->code);
}

/* The county's name, with its code when another county has that name, as
 * a new string (NULL when out of memory). */
static char *county_label(const struct county_row *rows, int n, int c)
{
    const char *code = "";
    for (int k = 0; k < n && rows[c].code[0]; k++)
        if (k != c && strcmp(rows[k].name, rows[c].name) == 0)
            code = rows[c].code;
    size_t len = strlen(rows[c].name) + strlen(code) + 2;
    char *label = malloc(len);
    if (label)
        snprintf(label, len, "%s%s%s", rows[c].name, code[0] ? " " : "", code);
    return label;
}

static void print_by_county(FILE *out, const struct run_outcome *run)
{
    const struct tc_map *m = run->map;
    struct county_row *rows = calloc((size_t)m->n_counties + 1, sizeof *rows);
    if (!rows)
        return;
    int nc = m->n_counties;
    for (int t = 0; t < m->n; t++) {
        struct county_row *r = &rows[m->t[t].county_id];
        r->name = m->t[t].county;
        r->code = m->t[t].county_code;
        r->n++;
        r->fail += !run->verdict->township_met[t];
        r->area += run->results[t].area_m2;
        r->cov += run->results[t].covered_m2;
    }
    qsort(rows, (size_t)nc, sizeof *rows, by_failures);
    int shown = 0, with_failures = 0;
    for (int c = 0; c < nc; c++)
        with_failures += rows[c].fail > 0;
    fprintf(out, "\nBy county (%d counties, %d with failing townships)\n", nc, with_failures);
    for (int c = 0; c < nc && shown < 10 && rows[c].fail > 0; c++, shown++) {
        fputs("  ", out);
        char *label = county_label(rows, nc, c);
        report_print_cell(out, label ? label : rows[c].name, 16);
        free(label);
        fprintf(out, "%3d of %3d failing, %6.2f%% covered\n", rows[c].fail, rows[c].n,
                100 * rows[c].cov / rows[c].area);
    }
    if (with_failures > shown)
        fprintf(out, "  ... and %d more counties with failures (see townships.csv)\n",
                with_failures - shown);
    free(rows);
}

static void print_worst(FILE *out, const struct run_outcome *run)
{
    const struct goal_verdict *v = run->verdict;
    long worst = run->output->worst;
    if (v->n_failing == 0 || worst == 0)
        return;
    fprintf(out, "\nWorst townships\n  ");
    const char *head[] = {"code", "name", "county", "kind"};
    const int width[] = {12, 22, 16, 11};
    for (int c = 0; c < 4; c++)
        report_print_cell(out, head[c], width[c]);
    fprintf(out, " covered  seat\n");
    for (int i = 0; i < v->n_failing && i < worst; i++) {
        int t = v->failing[i];
        const struct township *tw = &run->map->t[t];
        const char *cell[] = {tw->code, tw->name, tw->county, tc_kind_name(tw->kind)};
        fputs("  ", out);
        for (int c = 0; c < 4; c++)
            report_print_cell(out, cell[c], width[c]);
        fprintf(out, "%7.2f%%  %s\n", 100 * run->results[t].covered_frac,
                run->results[t].seat_covered ? "covered" : "NOT covered");
    }
    if (v->n_failing > worst)
        fprintf(out, "  ... %d more in townships.csv (goal_met = no)\n", v->n_failing - (int)worst);
}


static void print_radio(FILE *out, const struct run_outcome *run)
{
    struct radio_row rows[KIND_COUNT];
    report_radio_by_kind(run, rows);
    fprintf(out, "\nRadio by kind  stations  band  model      reach m: shortest  longest  "
                 "(mean longest)\n");
    for (int k = 0; k < KIND_COUNT; k++)
        if (rows[k].stations)
            fprintf(out, "  %-12s %9ld  %-5s %-10s %17.0f %8.0f  (%.0f)\n", tc_kind_name(k),
                    rows[k].stations, rows[k].band, rows[k].model, rows[k].min_range,
                    rows[k].max_range, rows[k].sum_max_range / rows[k].stations);
}

void report_print_summary(FILE *out, const struct run_outcome *run)
{
    const struct goal_verdict *v = run->verdict;
    char words[400];
    goal_criterion(run->goal, words, sizeof words);
    int lacks = strncmp(words, "under ", 6) == 0;
    if (v->met)
        fprintf(out, "GOAL MET: all %d townships have 5G service (%s%s)\n", run->map->n,
                lacks ? "at least " : "", lacks ? words + 6 : words);
    else if (lacks)
        fprintf(out, "GOAL NOT MET: %d of %d townships have %s\n", v->n_failing, run->map->n,
                words);
    else
        fprintf(out, "GOAL NOT MET: %d of %d townships fail (%s)\n", v->n_failing, run->map->n,
                words);
    fprintf(out, "  scenario %s: %ld stations, %d townships, %.1f km2, %.2f %% covered, "
                 "%.2f %% of seat areas covered, %d/%d seats covered\n",
            run->info.name, run->sites->n, run->map->n, v->area_m2 / 1e6,
            100 * v->covered_m2 / v->area_m2,
            v->seat_area_m2 > 0 ? 100 * v->seat_covered_m2 / v->seat_area_m2 : 0.0,
            v->seats_covered, run->map->n);
    print_by_kind(out, run);
    print_radio(out, run);
    report_print_by_province(out, run);
    print_by_county(out, run);
    print_worst(out, run);
    const struct raster_outcome *ro = run->raster;
    if (ro && ro->layers)
        fprintf(out, "\nRasters: %d x %d cells of %g m (%ld in townships), %.3f s (cells %.3f "
                     "s, strips and overviews written alongside %.3f s, COG copies %.3f s); "
                     "consistency with the exact covered shares: largest difference %.2f "
                     "%%%s%s, mean %.2f %% over %d townships\n",
                ro->grid.width, ro->grid.height, ro->grid.res, ro->cells_in, ro->seconds,
                ro->cells_seconds, ro->write_seconds, ro->finish_seconds,
                100 * ro->consistency_max, ro->consistency_township >= 0 ? " in " : "",
                ro->consistency_township >= 0 ? run->map->t[ro->consistency_township].code : "",
                100 * ro->consistency_mean, ro->townships_compared);
    double total = 0;
    fprintf(out, "\nPhases (%d thread%s, engine %s", run->threads, run->threads > 1 ? "s" : "",
            cov_engine_name(run->info.engine));
    if (run->info.engine == COV_ENGINE_EXACT)
        fprintf(out, ", %d townships by GEOS", report_townships_by_geos(run));
    fprintf(out, "):");
    for (int p = 0; p < PHASE_COUNT; p++) {
        fprintf(out, " %s %.3f s%s", phase_name(p), run->seconds[p],
                p + 1 < PHASE_COUNT ? "," : "");
        total += run->seconds[p];
    }
    fprintf(out, "; total %.3f s\nChecksum %016llx\n", total, run->checksum);
}
