/* sweep.h — `towncov sweep`: many runs of one scenario whose keys vary
 * (iterations in the file, --vary), sharing the map, one after another
 * with OpenMP inside each (and spread over MPI ranks in the MPI build);
 * or the smallest value of a key that meets the goal (--find-min). */
#ifndef TOWNCOV_SWEEP_H
#define TOWNCOV_SWEEP_H

#include <stdio.h>

#include "towncov/common.h"

struct sweep_options {
    const char *scenario;
    const char *const *vary;  /* "section.key=SPEC", each a loop after the file's */
    int n_vary;
    long repeat;              /* > 0: overrides [sweep] repeat */
    const char *const *sets;  /* --set section.key=value */
    int n_sets;
    int threads;
    const char *out_dir;      /* NULL: out/<name>-sweep */
    int quiet;                /* no table, no progress */
    int progress;             /* a line per member on log */
    int list;                 /* print the members and stop */
    int keep_members;         /* each member's usual outputs under members/NNN */
    const char *find_min;     /* the key to bisect on (sites.count); NULL: a sweep */
    long range_lo, range_hi;  /* --range; 0, 0: from the scenario */
    int full_probes;          /* --find-min sites.count: every probe judges every township
                                 (default: a probe above a failing one re-judges only the
                                 townships that failed there; findmin.c) */
    FILE *log;
};

/* Runs the sweep; returns the exit status (0, or TC_EXIT_* with the error
 * printed on opt->log). */
int sweep_main_run(const struct sweep_options *opt);

/* MPI_Init and MPI_Finalize in the MPI build (make MPI=1), around
 * the sweep command; nothing in the default build. start: 0, or -1. */
int sweep_ranks_start(int *argc, char ***argv);
void sweep_ranks_stop(void);

#endif
