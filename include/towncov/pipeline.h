/* pipeline.h — one run: scenario -> map -> sites -> footprints -> coverage
 * -> goal -> report. Kept apart from main.c so that sweeps and the
 * optimizer can drive runs without a command line. */
#ifndef TOWNCOV_PIPELINE_H
#define TOWNCOV_PIPELINE_H

#include <stdio.h>

#include "towncov/common.h"

struct scenario;

struct run_options {
    int threads;          /* >= 1 */
    const char *out_dir;  /* NULL: the scenario's [output] dir or out/<name> */
    int quiet;            /* no summary on stdout */
    FILE *log;            /* warnings and progress (stderr), never NULL */
    int progress;         /* print phase progress on log */
};

/* Runs the scenario end to end and writes its outputs. Returns 0 when the
 * run completed (whatever the verdict; *goal_met tells), or -1 with err. */
int pipeline_run(const struct scenario *scn, const struct run_options *opt, int *goal_met,
                 struct tc_error *err);

#endif
