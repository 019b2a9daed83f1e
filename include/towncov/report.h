/* report.h — stage 7: the terminal summary and the report files
 * (townships.csv, sites.csv, summary.json); the pipeline writes them into
 * the output folder's temporary twin (outdir.h). */
#ifndef TOWNCOV_REPORT_H
#define TOWNCOV_REPORT_H

#include <stdio.h>

#include "towncov/common.h"

struct tc_map;
struct tc_sites;
struct tc_footprints;
struct cov_result;
struct goal_verdict;
struct scenario;

/* Scenario section [output]; described by output_keys[]. */
struct output_config {
    char dir[TC_STR_MAX];  /* "" = out/<scenario name> */
    int layers;            /* write the QGIS layers, styles and project */
    int picture;           /* draw map.png */
    int footprints;        /* also export each station's footprint */
    long worst;            /* failing townships listed in the summary */
};

extern const struct key_desc output_keys[];
extern const int output_nkeys;

enum phase { PHASE_LOAD, PHASE_PLACE, PHASE_FOOTPRINTS, PHASE_COVERAGE, PHASE_GOAL,
             PHASE_REPORT, PHASE_COUNT };

/* Everything a run produced, borrowed by the report writers. */
struct run_outcome {
    const struct scenario *scn;
    const struct tc_map *map;
    const struct tc_sites *sites;
    const struct tc_footprints *fp;
    const struct cov_result *results;
    const struct cov_parts *parts;   /* covered parts as rings; NULL: not kept */
    const struct goal_verdict *verdict;
    int threads;
    double seconds[PHASE_COUNT];
    unsigned long long checksum;
};

const char *phase_name(enum phase p);

/* FNV-1a over every township's results quantised to 1e-3 m2 and its seat
 * flag, in township order: the same for any number of threads. */
unsigned long long report_checksum(const struct tc_map *map, const struct cov_result *results);

/* The terminal summary: verdict first, then by kind, by county, the worst
 * townships, the phases. */
void report_print_summary(FILE *out, const struct run_outcome *run);

/* Report files; each returns 0 or -1 with err set. */
int report_write_csv(const char *path, const struct run_outcome *run, struct tc_error *err);
int report_write_json(const char *path, const struct run_outcome *run, struct tc_error *err);
/* sites.csv: where each station stands and what the radio model gave it. */
int report_write_sites_csv(const char *path, const struct run_outcome *run,
                           struct tc_error *err);

#endif
