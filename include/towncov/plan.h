/* plan.h — `towncov plan`: the fewest added stations that make every
 * township meet the scenario's goal, the existing stations staying.
 * Candidates (a sites CSV, or a hexagonal lattice over the failing
 * townships' seat areas), a lazy greedy (CELF) on the capped covered seat
 * area, a pass dropping stations no longer needed, a lower bound from the
 * covering LP of a discretised instance (GLPK), the plan's files, and a
 * check: the ordinary pipeline run on the planned scenario. Sources in
 * sim/plan/. */
#ifndef TOWNCOV_PLAN_H
#define TOWNCOV_PLAN_H

#include <stdio.h>

#include "towncov/common.h"

struct scenario;

struct plan_options {
    const char *candidates; /* sites CSV of candidate places; NULL: a generated lattice */
    double spacing_m;       /* lattice spacing; 0: the default (see the README) */
    long max_added;         /* 0: no limit */
    int threads;            /* >= 1 */
    const char *out_dir;    /* NULL: the scenario's [output] dir or out/<name>, + "-plan" */
    int quiet;              /* no summary on stdout */
    FILE *log;              /* warnings and progress, never NULL */
    int progress;
};

/* Plans, writes DIR (added_sites.csv, planned_sites.csv, planned.ini,
 * plan.json, check/ with the re-run of planned.ini) and prints a summary
 * unless quiet. Returns 0 (whatever the plan achieved; *all_met says
 * whether the check run met the goal), or -1 with err set. */
int plan_run(const struct scenario *scn, const struct plan_options *opt, int *all_met,
             struct tc_error *err);

#endif
