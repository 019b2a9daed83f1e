/* plan_internal.h — what the planner's files share (private to sim/plan/):
 * the candidates (candidates.c), the greedy (greedy.c), the bound
 * (bound.c), the outputs (output.c) and the driver (plan.c). */
#ifndef TOWNCOV_PLAN_INTERNAL_H
#define TOWNCOV_PLAN_INTERNAL_H

#include <stdio.h>

#include "towncov/common.h"

struct tc_map;
struct tc_seat_areas;
struct tc_sites;
struct tc_footprints;
struct tc_workers;
struct cov_result;
struct goal_verdict;
struct radio_model;

/* A sorted list of footprint ids. */
struct idlist {
    long *id;
    long n, cap;
};

/* The instance and the greedy's state. Failing townships are "slots"
 * 0..nf-1 (town[f] is the township). Footprints 0..n_exist-1 of `all` are
 * the existing stations', n_exist + j candidate j's. */
struct plan {
    const struct tc_map *map;
    const struct tc_seat_areas *seats;
    int engine;                     /* enum cov_engine_id */
    const struct tc_footprints *all;
    long n_exist, n_cand;
    int threads;
    struct tc_workers *ws;          /* cov_workers_new(threads) */

    int nf;
    int *town;           /* slot -> township */
    double *need;        /* covered seat area the goal needs, m2 */
    double *before;      /* covered by the existing stations */
    double *cover;       /* covered now */
    double *with_all;    /* covered with every candidate near it */
    unsigned char *fixable;
    struct idlist *cur;  /* slot -> footprints now standing near its seat area */
    struct idlist *near; /* slot -> candidates near it (footprint ids) */
    int **aff;           /* candidate -> slots whose seat area its envelope meets */
    int *naff;

    long *added;         /* candidates chosen, in order (after the drop pass: kept ones) */
    long n_added, n_greedy, n_dropped, n_trimmed; /* trimmed: --max-added */
    long evaluations;    /* marginal gains computed */
};

/* ---- candidates.c ---------------------------------------------------------*/

/* The default lattice spacing: the shortest reach (min_range_m) of the
 * radio model over the kinds of the failing townships. */
double plan_default_spacing(const struct tc_map *map, const struct goal_verdict *v,
                            const struct radio_model *radio);

/* Candidate stations: read from `csv` (located errors, exit 5), or a
 * hexagonal lattice of `spacing` metres inside the failing townships' seat
 * areas plus each failing seat. NULL with err; freed with sites_free. */
struct tc_sites *plan_candidates(const struct tc_map *map, const struct tc_seat_areas *seats,
                                 const struct goal_verdict *v, const char *csv, double spacing,
                                 FILE *warn, struct tc_error *err);

/* ---- greedy.c -------------------------------------------------------------*/

/* Sets up the slots (needs, what stands near them, fixability) from the
 * verdict's failing townships; share is the goal's seat_area_min_fraction. */
int plan_setup(struct plan *p, const struct goal_verdict *v, double share, struct tc_error *err);

/* The lazy greedy and the drop pass, then, when the plan has more than
 * max_added stations (0: no limit), the trim to max_added. */
int plan_greedy(struct plan *p, long max_added, struct tc_error *err);

/* Whether slot f meets the need now. */
int plan_slot_met(const struct plan *p, int f);

void plan_free(struct plan *p);

/* ---- bound.c --------------------------------------------------------------*/

struct plan_bound {
    int ok;             /* the LP was solved */
    double lp;          /* its optimum */
    long bound;         /* ceil(lp - 1e-6) */
    long points;        /* sample points */
    double step_m;      /* their grid */
    int ip_ok;          /* the IP was solved to optimality */
    long ip;            /* its optimum */
    char note[256];     /* why not, when not */
};

/* The covering LP of the discretised instance (see the README). */
void plan_bound(const struct plan *p, double step_m, struct plan_bound *b);

#endif
