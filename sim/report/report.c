/* report.c — terminal summary, townships.csv, summary.json (see report.h). */
#define _XOPEN_SOURCE 700
#include "towncov/report.h"

#include "towncov/buildinfo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

const struct key_desc output_keys[] = {
    {"output", "dir", KEY_STRING, offsetof(struct output_config, dir), 0, 0, NULL, "", "",
     "output folder (relative to the current folder); empty: out/<scenario name>"},
    {"output", "layers", KEY_BOOL, offsetof(struct output_config, layers), 0, 0, NULL, "yes",
     "", "write the QGIS layers (townships, coverage, sites, seats .shp with .qml styles) and "
     "towncov.qgs"},
    {"output", "picture", KEY_BOOL, offsetof(struct output_config, picture), 0, 0, NULL, "yes",
     "", "draw map.png"},
    {"output", "footprints", KEY_BOOL, offsetof(struct output_config, footprints), 0, 0, NULL,
     "no", "", "also export every station's footprint polygon (footprints.shp; needs layers)"},
    {"output", "worst", KEY_INT, offsetof(struct output_config, worst), 0, 1e6, NULL, "10",
     "townships", "failing townships listed in the terminal summary"},
};
const int output_nkeys = (int)(sizeof output_keys / sizeof output_keys[0]);

static const char *const phase_names[PHASE_COUNT] = {"load", "place", "footprints",
                                                     "coverage", "goal", "report"};

const char *phase_name(enum phase p)
{
    return phase_names[p];
}

unsigned long long report_checksum(const struct tc_map *map, const struct cov_result *results)
{
    unsigned long long h = 1469598103934665603ULL;
    for (int t = 0; t < map->n; t++) {
        long long q[3] = {llround(results[t].covered_m2 * 1e3), llround(results[t].area_m2 * 1e3),
                          results[t].seat_covered};
        const unsigned char *b = (const unsigned char *)q;
        for (size_t k = 0; k < sizeof q; k++)
            h = (h ^ b[k]) * 1099511628211ULL;
    }
    return h;
}

/* ---- terminal summary ------------------------------------------------------*/

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
static void print_cell(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int pad = width - display_width(s); pad > 0; pad--)
        fputc(' ', out);
    fputc(' ', out);
}

static void goal_words(const struct goal_config *g, char *buf, size_t size)
{
    if (g->seat_covered && g->min_covered_fraction > 0)
        snprintf(buf, size, "seat covered and >= %g %% of area covered",
                 100 * g->min_covered_fraction);
    else if (g->seat_covered)
        snprintf(buf, size, "seat covered");
    else
        snprintf(buf, size, ">= %g %% of area covered", 100 * g->min_covered_fraction);
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
        print_cell(out, label ? label : rows[c].name, 16);
        free(label);
        fprintf(out, "%3d of %3d failing, %6.2f%% covered\n", rows[c].fail, rows[c].n,
                100 * rows[c].cov / rows[c].area);
    }
    if (with_failures > shown)
        fprintf(out, "  ... and %d more counties with failures (see townships.csv)\n",
                with_failures - shown);
    free(rows);
}

/* Townships the exact engine declined (degenerate contacts) and GEOS
 * computed instead: rare, and worth knowing when it is not. */
static int townships_by_geos(const struct run_outcome *run)
{
    int n = 0;
    for (int t = 0; t < run->map->n; t++)
        n += run->results[t].by_geos;
    return n;
}

static void print_worst(FILE *out, const struct run_outcome *run)
{
    const struct goal_verdict *v = run->verdict;
    long worst = run->scn->output.worst;
    if (v->n_failing == 0 || worst == 0)
        return;
    fprintf(out, "\nWorst townships\n  ");
    const char *head[] = {"code", "name", "county", "kind"};
    const int width[] = {12, 22, 16, 11};
    for (int c = 0; c < 4; c++)
        print_cell(out, head[c], width[c]);
    fprintf(out, " covered  seat\n");
    for (int i = 0; i < v->n_failing && i < worst; i++) {
        int t = v->failing[i];
        const struct township *tw = &run->map->t[t];
        const char *cell[] = {tw->code, tw->name, tw->county, tc_kind_name(tw->kind)};
        fputs("  ", out);
        for (int c = 0; c < 4; c++)
            print_cell(out, cell[c], width[c]);
        fprintf(out, "%7.2f%%  %s\n", 100 * run->results[t].covered_frac,
                run->results[t].seat_covered ? "covered" : "NOT covered");
    }
    if (v->n_failing > worst)
        fprintf(out, "  ... %d more in townships.csv (goal_met = no)\n", v->n_failing - (int)worst);
}

/* What the radio model gave the stations of one township kind. */
struct radio_row {
    long stations;
    const char *band, *model;
    double min_range, max_range; /* shortest and longest reach of any footprint */
    double sum_max_range;
};

static void radio_by_kind(const struct run_outcome *run, struct radio_row rows[KIND_COUNT])
{
    memset(rows, 0, sizeof(struct radio_row) * KIND_COUNT);
    for (long i = 0; i < run->sites->n; i++) {
        int t = run->sites->township[i];
        int k = t >= 0 ? (int)run->map->t[t].kind : KIND_SPECIAL;
        const struct radio_range_info *info = footprint_info(run->fp, i);
        struct radio_row *r = &rows[k];
        if (!r->stations++) {
            r->band = info->band;
            r->model = info->pathloss;
            r->min_range = info->min_range_m;
            r->max_range = info->max_range_m;
        }
        r->min_range = info->min_range_m < r->min_range ? info->min_range_m : r->min_range;
        r->max_range = info->max_range_m > r->max_range ? info->max_range_m : r->max_range;
        r->sum_max_range += info->max_range_m;
    }
}

static void print_radio(FILE *out, const struct run_outcome *run)
{
    struct radio_row rows[KIND_COUNT];
    radio_by_kind(run, rows);
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
    char words[128];
    goal_words(&run->scn->goal, words, sizeof words);
    if (v->met)
        fprintf(out, "GOAL MET: all %d townships have 5G service (%s)\n", run->map->n, words);
    else
        fprintf(out, "GOAL NOT MET: %d of %d townships fail (%s)\n", v->n_failing, run->map->n,
                words);
    fprintf(out, "  scenario %s: %ld stations, %d townships, %.1f km2, %.2f %% covered, "
                 "%d/%d seats covered\n",
            run->scn->info.name, run->sites->n, run->map->n, v->area_m2 / 1e6,
            100 * v->covered_m2 / v->area_m2, v->seats_covered, run->map->n);
    print_by_kind(out, run);
    print_radio(out, run);
    print_by_county(out, run);
    print_worst(out, run);
    double total = 0;
    fprintf(out, "\nPhases (%d thread%s, engine %s", run->threads, run->threads > 1 ? "s" : "",
            cov_engine_name(run->scn->coverage.engine));
    if (run->scn->coverage.engine == COV_ENGINE_EXACT)
        fprintf(out, ", %d townships by GEOS", townships_by_geos(run));
    fprintf(out, "):");
    for (int p = 0; p < PHASE_COUNT; p++) {
        fprintf(out, " %s %.3f s%s", phase_names[p], run->seconds[p],
                p + 1 < PHASE_COUNT ? "," : "");
        total += run->seconds[p];
    }
    fprintf(out, "; total %.3f s\nChecksum %016llx\n", total, run->checksum);
}

/* ---- files -----------------------------------------------------------------*/

/* A growable text buffer: CSV rows are formatted into it (one per thread
 * for the stations) and written out in order. */
struct text {
    char *p;
    size_t n, cap;
    int failed; /* out of memory: the file is not written */
};

/* Room for `more` bytes at the end; NULL (and failed set) when out of
 * memory. */
static char *text_room(struct text *t, size_t more)
{
    if (t->n + more + 1 > t->cap) {
        size_t cap = 2 * t->cap + more + 4096;
        char *p = t->failed ? NULL : realloc(t->p, cap);
        if (!p) {
            t->failed = 1;
            return NULL;
        }
        t->p = p;
        t->cap = cap;
    }
    return t->p + t->n;
}

static void text_str(struct text *t, const char *s)
{
    size_t len = strlen(s);
    char *p = text_room(t, len);
    if (p) {
        memcpy(p, s, len);
        t->n += len;
    }
}

static void text_char(struct text *t, char c)
{
    char *p = text_room(t, 1);
    if (p)
        p[0] = c, t->n++;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void text_csv(struct text *t, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        text_str(t, s);
        return;
    }
    text_char(t, '"');
    for (; *s; s++) {
        if (*s == '"')
            text_char(t, '"');
        text_char(t, *s);
    }
    text_char(t, '"');
}

static void text_fixed(struct text *t, double v, int decimals)
{
    char *p = text_room(t, TC_FIXED_MAX);
    if (p)
        t->n += (size_t)tc_format_fixed(p, v, decimals);
}

static void text_int(struct text *t, long v)
{
    char *p = text_room(t, 24);
    if (p)
        t->n += (size_t)snprintf(p, 24, "%ld", v);
}

/* Writes t to f and empties it; -1 when t ran out of memory or f failed. */
static int text_flush(struct text *t, FILE *f)
{
    if (t->failed || (t->n > 0 && fwrite(t->p, 1, t->n, f) != t->n))
        return -1;
    t->n = 0;
    return 0;
}

static int write_text_file(const char *path, struct text *t, struct tc_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    if (t->failed) {
        fclose(f);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", path);
    }
    text_flush(t, f);
    return tc_fclose_checked(f, path, err);
}

static void township_row(struct text *t, const struct run_outcome *run, int i)
{
    const struct township *tw = &run->map->t[i];
    const struct cov_result *r = &run->results[i];
    text_csv(t, tw->code);
    text_char(t, ',');
    text_csv(t, tw->name);
    text_char(t, ',');
    text_csv(t, tw->county);
    text_char(t, ',');
    text_str(t, tc_kind_name(tw->kind));
    text_char(t, ',');
    text_fixed(t, r->area_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->covered_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->covered_frac, 12);
    text_str(t, r->seat_covered ? ",yes," : ",no,");
    text_int(t, r->sites);
    text_str(t, run->verdict->township_met[i] ? ",yes," : ",no,");
    text_fixed(t, tw->seat_lon, 7);
    text_char(t, ',');
    text_fixed(t, tw->seat_lat, 7);
    text_char(t, ',');
    text_int(t, r->footprints);
    text_char(t, '\n');
}

int report_write_csv(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    struct text t = {0};
    text_str(&t, "code,name,county,kind,area_km2,covered_km2,covered_frac,seat_covered,sites,"
                 "goal_met,seat_lon,seat_lat,footprints\n");
    for (int i = 0; i < run->map->n; i++)
        township_row(&t, run, i);
    int rc = write_text_file(path, &t, err);
    free(t.p);
    return rc;
}

static void site_row(struct text *t, const struct run_outcome *run, long i)
{
    const struct tc_sites *s = run->sites;
    char id[32];
    int tw = s->township[i];
    const struct radio_range_info *info = footprint_info(run->fp, i);
    text_csv(t, sites_id(s, i, id, sizeof id));
    const double v[4] = {s->lon[i], s->lat[i], s->x[i], s->y[i]};
    for (int k = 0; k < 4; k++) {
        text_char(t, ',');
        text_fixed(t, v[k], k < 2 ? 9 : 4);
    }
    text_char(t, ',');
    text_csv(t, tw >= 0 ? run->map->t[tw].code : "");
    text_char(t, ',');
    text_str(t, tw >= 0 ? tc_kind_name(run->map->t[tw].kind) : "");
    text_char(t, ',');
    text_str(t, info->band);
    text_char(t, ',');
    text_str(t, info->pathloss);
    text_char(t, ',');
    text_fixed(t, info->min_range_m, 3);
    text_char(t, ',');
    text_fixed(t, info->max_range_m, 3);
    text_char(t, '\n');
}

/* Stations are formatted in blocks, each thread a contiguous share into
 * its own buffer, written in station order: millions of rows in seconds,
 * the same bytes for any number of threads. */
#define SITE_BLOCK 262144L

static int write_site_blocks(FILE *f, const struct run_outcome *run, struct text *bufs,
                             int threads)
{
    long n = run->sites->n;
    int failed = 0;
    for (long first = 0; first < n && !failed; first += SITE_BLOCK) {
        long m = n - first < SITE_BLOCK ? n - first : SITE_BLOCK;
        #pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int k = 0; k < threads; k++)
            for (long i = first + m * k / threads; i < first + m * (k + 1) / threads; i++)
                site_row(&bufs[k], run, i);
        for (int k = 0; k < threads && !failed; k++)
            failed = text_flush(&bufs[k], f) != 0;
    }
    return failed ? -1 : 0;
}

int report_write_sites_csv(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    int threads = run->threads > 0 ? run->threads : 1;
    struct text *bufs = calloc((size_t)threads, sizeof *bufs);
    FILE *f = bufs ? fopen(path, "w") : NULL;
    if (!f) {
        free(bufs);
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    }
    fputs("id,lon,lat,x_m,y_m,township,kind,band,model,min_range_m,max_range_m\n", f);
    int failed = write_site_blocks(f, run, bufs, threads);
    int out_of_memory = 0;
    for (int k = 0; k < threads; k++) {
        out_of_memory |= bufs[k].failed;
        free(bufs[k].p);
    }
    free(bufs);
    if (failed && out_of_memory) {
        fclose(f);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", path);
    }
    return tc_fclose_checked(f, path, err);
}

static void json_string(FILE *f, const char *s);

/* "build": what built the binary, beside every result. */
static void json_build(FILE *f)
{
    const struct tc_build *b = tc_build_info();
    const char *keys[] = {"version", "git_rev", "compiler", "cflags", "libraries"};
    const char *vals[] = {b->version, b->git_rev, b->compiler, b->cflags, b->libs};
    fprintf(f, ",\n  \"build\": {");
    for (int i = 0; i < 5; i++) {
        fprintf(f, "%s\"%s\": ", i ? ", " : "", keys[i]);
        json_string(f, vals[i]);
    }
    fputc('}', f);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_failing(FILE *f, const struct run_outcome *run)
{
    const struct goal_verdict *v = run->verdict;
    fprintf(f, "  \"failing\": [");
    for (int i = 0; i < v->n_failing; i++) {
        int t = v->failing[i];
        const struct township *tw = &run->map->t[t];
        fprintf(f, "%s\n    {\"code\": ", i ? "," : "");
        json_string(f, tw->code);
        fprintf(f, ", \"name\": ");
        json_string(f, tw->name);
        fprintf(f, ", \"county\": ");
        json_string(f, tw->county);
        fprintf(f, ", \"kind\": \"%s\", \"covered_frac\": %.10f, \"seat_covered\": %s}",
                tc_kind_name(tw->kind), run->results[t].covered_frac,
                run->results[t].seat_covered ? "true" : "false");
    }
    fprintf(f, "%s]\n", v->n_failing ? "\n  " : "");
}

int report_write_json(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    const struct goal_verdict *v = run->verdict;
    fprintf(f, "{\n  \"scenario\": ");
    json_string(f, run->scn->info.name);
    json_build(f);
    fprintf(f, ",\n  \"scenario_file\": ");
    json_string(f, run->scn->path);
    fprintf(f, ",\n  \"map\": ");
    json_string(f, run->map->source_file);
    fprintf(f, ",\n  \"metric_crs\": ");
    json_string(f, run->map->metric_crs);
    fprintf(f, ",\n  \"seed\": %ld,\n  \"engine\": \"%s\",\n  \"townships\": %d,\n"
               "  \"sites\": %ld,\n  \"goal_met\": %s,\n  \"townships_failing\": %d,\n"
               "  \"goal\": {\"seat_covered\": %s, \"min_covered_fraction\": %.6f},\n"
               "  \"area_km2\": %.6f,\n  \"covered_km2\": %.6f,\n  \"covered_frac\": %.10f,\n"
               "  \"seats_covered\": %d,\n  \"threads\": %d,\n  \"checksum\": \"%016llx\",\n"
               "  \"townships_by_geos\": %d,\n  \"seconds\": {",
            run->scn->info.seed, cov_engine_name(run->scn->coverage.engine), run->map->n,
            run->sites->n, v->met ? "true" : "false", v->n_failing,
            run->scn->goal.seat_covered ? "true" : "false", run->scn->goal.min_covered_fraction,
            v->area_m2 / 1e6, v->covered_m2 / 1e6, v->covered_m2 / v->area_m2, v->seats_covered,
            run->threads, run->checksum, townships_by_geos(run));
    for (int p = 0; p < PHASE_COUNT; p++)
        fprintf(f, "%s\"%s\": %.6f", p ? ", " : "", phase_names[p], run->seconds[p]);
    fprintf(f, "},\n  \"radio\": [");
    struct radio_row rows[KIND_COUNT];
    radio_by_kind(run, rows);
    for (int k = 0, first = 1; k < KIND_COUNT; k++) {
        if (!rows[k].stations)
            continue;
        fprintf(f, "%s\n    {\"kind\": \"%s\", \"stations\": %ld, \"band\": \"%s\", "
                   "\"model\": \"%s\", \"min_range_m\": %.3f, \"max_range_m\": %.3f, "
                   "\"mean_max_range_m\": %.3f}",
                first ? "" : ",", tc_kind_name(k), rows[k].stations, rows[k].band,
                rows[k].model, rows[k].min_range, rows[k].max_range,
                rows[k].sum_max_range / rows[k].stations);
        first = 0;
    }
    fprintf(f, "\n  ],\n");
    json_failing(f, run);
    fprintf(f, "}\n");
    return tc_fclose_checked(f, path, err);
}
