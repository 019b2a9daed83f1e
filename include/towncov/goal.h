/* goal.h — stage 6: the "township-to-township" verdict. */
#ifndef TOWNCOV_GOAL_H
#define TOWNCOV_GOAL_H

#include <stddef.h>

#include "towncov/common.h"
#include "towncov/goal_config.h"

struct tc_map;
struct cov_result;

struct goal_verdict {
    int met;          /* every township meets the goal */
    int n_failing;
    int *failing;     /* township indices, worst first */
    unsigned char *township_met; /* per township */
    double covered_m2, area_m2;  /* province totals (sums of townships) */
    double seat_covered_m2, seat_area_m2; /* the same over the seat areas */
    int seats_covered;
    double population, population_covered; /* province totals (0: no population) */
};

/* Judges every township. Returns 0 or -1 with err set (out of memory;
 * population_min_fraction set on a map without population: exit 3). */
int goal_judge(const struct goal_config *cfg, const struct tc_map *map,
               const struct cov_result *results, struct goal_verdict *v, struct tc_error *err);

void goal_verdict_free(struct goal_verdict *v);

/* The criterion in words, for the verdict line: "under 95 % of their seat
 * area covered" (what a failing township has), or the conditions joined. */
void goal_criterion(const struct goal_config *cfg, char *buf, size_t size);

/* Whether one township meets cfg with results r. */
int goal_township_met(const struct goal_config *cfg, const struct cov_result *r);

#endif
