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
struct tc_worker;
struct radio_model;

/* The sample grid's step is the candidate spacing divided by this: about
 * 1,000 points on a town's seat area of 2.27 km2 at the default spacing
 * (435 m), so that the sampled share of a seat area is within a fraction
 * of a percent of its area share (docs/plan-optimality.md). */
#define PLAN_GRID_DIVISOR 8.0
/* ... and finer where a seat area is small: this many points at least. */
#define PLAN_SEAT_POINTS 1000.0

/* A sorted list of footprint ids. */
struct idlist {
    long *id;
    long n, cap;
};

/* Slot f's discretised instance (sample.c): its open sample points grouped
 * by the candidates covering them. Atom a weighs w[a] points and is
 * covered by candidates cand[off[a]] .. cand[off[a+1]-1] (indices j). */
struct plan_atoms {
    long n;
    double *w;
    long *off;
    long *cand;
    long points;  /* sample points inside the seat area, not covered before */
    double req;   /* points the goal needs covered: points (need - before) / (area - before) */
};

enum plan_comp_status { COMP_OPTIMAL, COMP_WORK_LIMIT, COMP_TIME_LIMIT, COMP_INFEASIBLE,
                        COMP_FAILED, COMP_STATUSES };

/* A component's branch and bound stops when its nodes times its columns
 * pass this: a work limit the same on every machine (the plan stays
 * byte-identical), where the time limit is not. On the default scenario
 * at 45,000 weighted stations it stops 15 of 791 components (the largest,
 * 2,000-2,800 atoms), each after 0.1-0.4 s of one core; a component it
 * stops is planned by the greedy. */
#define PLAN_MIP_WORK 2e4

/* Solves again of a component whose optimal solution the exact engine
 * finds short (mip.c); then the greedy repairs it. */
#define PLAN_MIP_ROUNDS 3
extern const char *const plan_comp_status_names[COMP_STATUSES];

/* A component of the discretised instance (mip.c). */
struct plan_comp {
    int n_slots;
    int *slot;          /* ascending */
    int n_cand;
    long *cand;         /* candidates (j) covering some of its atoms, ascending */
    long atoms;
    int status;         /* enum plan_comp_status */
    int lp_ok;
    double lp;          /* its LP relaxation's optimum */
    long mip;           /* its MIP optimum (status optimal) */
    long bound;         /* mip when optimal, else ceil(lp), else 0 */
    long *chosen;       /* the MIP's candidates (optimal), or the greedy's (time limit) */
    long n_chosen;
    long added;         /* stations of the final plan among its candidates */
    long repaired;      /* of which the greedy added after the MIP */
    int rounds;         /* solves again with raised requirements (mip.c) */
    long greedy_size;   /* the greedy's solution on the (first) discretised instance */
    char note[96];
};

struct plan_mip {
    int n;
    struct plan_comp *c; /* numbered by their smallest slot */
    double step_m;       /* the sample grid */
    double seconds;      /* time limit per component */
    long points;         /* sample points over every fixable slot */
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

    struct plan_atoms *atoms; /* slot -> its discretised instance (fixable slots) */
    struct plan_mip mip;

    long *added;         /* candidates chosen, in order (after the drop pass: kept ones) */
    long n_fixed;        /* added[0..n_fixed-1]: the components' solutions (mip.c) */
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

/* Places the components' solutions (their MIP's, or at the time limit
 * their greedy's: p->added[0..n_fixed-1])
 * and recomputes the cover of the slots they reach. */
int plan_place_fixed(struct plan *p, struct tc_error *err);

/* Slot f's covered seat area with what stands near it now plus candidates
 * js[0..n-1] (indices j, ascending); NAN when the engine failed. */
double plan_cover_with(const struct plan *p, struct tc_worker *w, int f, const long *js, long n);

/* Whether slot f meets the need now. */
int plan_slot_met(const struct plan *p, int f);

void plan_free(struct plan *p);

/* ---- sample.c / mip.c -----------------------------------------------------*/

/* The atoms of every fixable slot on the grid of step h. */
int plan_sample(struct plan *p, double h, struct tc_error *err);

/* The discretised instance, its components and their MIPs (time limit
 * `seconds` each), in parallel; see mip.c. */
int plan_mip(struct plan *p, double h, double seconds, struct tc_error *err);

/* The components of p->atoms and their MIPs; exact: check each optimal
 * solution with the coverage engine and solve again when short (the plan);
 * 0 leaves p->map and p->seats unread (a hand-made instance). */
int plan_mip_solve(struct plan *p, double seconds, int exact, struct tc_error *err);
void plan_mip_free(struct plan *p);

/* The greedy on component c's atoms: x[k] = 1 for the chosen c->cand[k].
 * 0, 1 when the requirement cannot be met, -1 when out of memory. */
int plan_comp_greedy(const struct plan *p, const struct plan_comp *c, unsigned char *x);

#endif
