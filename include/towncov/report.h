/* report.h — stage 7: the terminal summary and the report files
 * (townships.csv, sites.csv, summary.json); the pipeline writes them into
 * the output folder's temporary twin (outdir.h). The writers read a
 * struct run_outcome (run_outcome.h): what the run produced and the pieces of
 * the scenario they print, never the scenario itself. */
#ifndef TOWNCOV_REPORT_H
#define TOWNCOV_REPORT_H

#include <stdio.h>

#include "towncov/common.h"

struct tc_map;
struct cov_result;
struct run_outcome;

/* FNV-1a over every township's results quantised to 1e-3 m2 and its seat
 * flag, in township order: the same for any number of threads. Its offset
 * basis is 1469598103934665603 (the standard one short of its last digit):
 * kept, so that checksums stay comparable with every earlier run. */
unsigned long long report_checksum(const struct tc_map *map, const struct cov_result *results);

/* The terminal summary: verdict first, then by kind, by county, the worst
 * townships (run->output->worst of them), the phases. */
void report_print_summary(FILE *out, const struct run_outcome *run);

/* Writes s as one CSV field, as townships.csv writes its texts: quoted
 * when it holds a comma, a quote or a line break, quotes doubled. 0, or
 * -1 when out of memory (nothing written). */
int report_csv_field(FILE *out, const char *s);

/* Report files; each returns 0 or -1 with err set. run is borrowed for the
 * call. sites.csv: where each station stands and what the radio model
 * gave it; it is formatted on run->threads threads. */
int report_write_csv(const char *path, const struct run_outcome *run, struct tc_error *err);
/* s as a JSON string, quotes and control characters escaped. */
void report_json_string(FILE *out, const char *s);

/* "code": ..., "name": ..., "county": ... of township t (no braces). */
struct township;
void report_json_township(FILE *out, const struct township *t);

int report_write_json(const char *path, const struct run_outcome *run, struct tc_error *err);
/* key_points.csv: each key point, its township and whether it is covered
 * (written only when the scenario has key points). */
int report_write_key_points_csv(const char *path, const struct run_outcome *run,
                                struct tc_error *err);
int report_write_sites_csv(const char *path, const struct run_outcome *run,
                           struct tc_error *err);

#endif
