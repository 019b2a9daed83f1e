/* json.c — summary.json (see report.h): the run's numbers, the build that
 * made them and the failing townships, for programs to read. */
#include "report_int.h"

#include "towncov/buildinfo.h"

#include <errno.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/raster.h"
#include "towncov/sites.h"

/* "build": what built the binary, beside every result. */
static void json_build(FILE *f)
{
    const struct tc_build *b = tc_build_info();
    const char *keys[] = {"version", "git_rev", "compiler", "cflags", "libraries"};
    const char *vals[] = {b->version, b->git_rev, b->compiler, b->cflags, b->libs};
    fprintf(f, ",\n  \"build\": {");
    for (int i = 0; i < 5; i++) {
        fprintf(f, "%s\"%s\": ", i ? ", " : "", keys[i]);
        report_json_string(f, vals[i]);
    }
    fputc('}', f);
}

void report_json_township(FILE *f, const struct township *t)
{
    fputs("\"code\": ", f);
    report_json_string(f, t->code);
    fputs(", \"name\": ", f);
    report_json_string(f, t->name);
    fputs(", \"county\": ", f);
    report_json_string(f, t->county);
}

void report_json_string(FILE *f, const char *s)
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
        fprintf(f, "%s\n    {", i ? "," : "");
        report_json_township(f, tw);
        fprintf(f, ", \"kind\": \"%s\", \"covered_frac\": %.10f, \"seat_area_km2\": %.6f, "
                "\"seat_covered_frac\": %.10f, \"seat_covered\": %s",
                tc_kind_name(tw->kind), run->results[t].covered_frac,
                run->results[t].seat_area_m2 / 1e6, run->results[t].seat_covered_frac,
                run->results[t].seat_covered ? "true" : "false");
        if (run->map->has_population)
            fprintf(f, ", \"population\": %ld, \"population_covered\": %.3f, "
                    "\"population_covered_frac\": %.10f", tw->population,
                    run->results[t].population_covered, run->results[t].population_covered_frac);
        fputc('}', f);
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
    report_json_string(f, run->info.name);
    json_build(f);
    fprintf(f, ",\n  \"scenario_file\": ");
    report_json_string(f, run->info.scenario_path);
    fprintf(f, ",\n  \"map\": ");
    report_json_string(f, run->map->source_file);
    fprintf(f, ",\n  \"metric_crs\": ");
    report_json_string(f, run->map->metric_crs);
    fprintf(f, ",\n  \"seed\": %ld,\n  \"engine\": \"%s\",\n  \"townships\": %d,\n"
               "  \"sites\": %ld,\n  \"goal_met\": %s,\n  \"townships_failing\": %d,\n"
               "  \"goal\": {\"seat_area_min_fraction\": %.6f, \"min_covered_fraction\": %.6f, "
               "\"seat_covered\": %s},\n"
               "  \"area_km2\": %.6f,\n  \"covered_km2\": %.6f,\n  \"covered_frac\": %.10f,\n"
               "  \"seat_area_km2\": %.6f,\n  \"seat_covered_km2\": %.6f,\n"
               "  \"seat_covered_frac\": %.10f,\n"
               "  \"seats_covered\": %d,\n  \"threads\": %d,\n  \"checksum\": \"%016llx\",\n"
               "  \"townships_by_geos\": %d,\n  \"seconds\": {",
            run->info.seed, cov_engine_name(run->info.engine), run->map->n,
            run->sites->n, v->met ? "true" : "false", v->n_failing,
            run->goal->seat_area_min_fraction, run->goal->min_covered_fraction,
            run->goal->seat_covered ? "true" : "false",
            v->area_m2 / 1e6, v->covered_m2 / 1e6, v->covered_m2 / v->area_m2,
            v->seat_area_m2 / 1e6, v->seat_covered_m2 / 1e6,
            v->seat_area_m2 > 0 ? v->seat_covered_m2 / v->seat_area_m2 : 0.0, v->seats_covered,
            run->threads, run->checksum, report_townships_by_geos(run));
    for (int p = 0; p < PHASE_COUNT; p++)
        fprintf(f, "%s\"%s\": %.6f", p ? ", " : "", phase_name(p), run->seconds[p]);
    fprintf(f, "},\n");
    if (run->map->has_population) /* only with people: other runs write what they did */
        fprintf(f, "  \"population\": %.0f,\n  \"population_covered\": %.3f,\n"
                   "  \"population_covered_frac\": %.10f,\n"
                   "  \"population_min_fraction\": %.6f,\n",
                v->population, v->population_covered,
                v->population > 0 ? v->population_covered / v->population : 0.0,
                run->goal->population_min_fraction);
    const struct raster_outcome *ro = run->raster;
    if (ro && ro->layers)
        fprintf(f, "  \"raster\": {\"resolution_m\": %.6f, \"width\": %d, \"height\": %d, "
                   "\"cells_in_townships\": %ld, \"seconds\": %.6f, "
                   "\"cells_seconds\": %.6f, \"write_seconds\": %.6f, "
                   "\"finish_seconds\": %.6f, \"cells_per_second\": %.0f, "
                   "\"townships_compared\": %d, \"consistency_mean\": %.6f",
                ro->grid.res, ro->grid.width, ro->grid.height, ro->cells_in, ro->seconds,
                ro->cells_seconds, ro->write_seconds, ro->finish_seconds,
                ro->seconds > 0 ? (double)ro->grid.width * ro->grid.height / ro->seconds : 0.0,
                ro->townships_compared, ro->consistency_mean);
    if (ro && ro->layers && ro->terrain) /* over terrain only: flat runs' files unchanged */
        fprintf(f, ", \"terrain_pairs\": %ld, \"terrain_pairs_missing\": %ld",
                ro->terrain_pairs, ro->terrain_pairs_missing);
    if (ro && ro->layers)
        fprintf(f, "},\n  \"raster_consistency\": %.6f,\n", ro->consistency_max);
    fprintf(f, "  \"radio\": [");
    struct radio_row rows[KIND_COUNT];
    report_radio_by_kind(run, rows);
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
