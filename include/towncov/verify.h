/* verify.h — the run checks itself, as XSBench and CoMD do: invariants
 * after each stage. A broken one is an internal error (exit 8) naming the
 * township or station, never a silently corrected number. */
#ifndef TOWNCOV_VERIFY_H
#define TOWNCOV_VERIFY_H

#include "towncov/common.h"

struct tc_map;
struct tc_sites;
struct cov_result;

/* Relative slack of the area invariants: rounding of unions and
 * intersections, nothing more. */
#define VERIFY_AREA_REL 1e-9

/* After loading: every township has a finite positive area, an envelope
 * holding its seat when the loader chose it (a seat the map gives may lie
 * outside), and the areas add up to the map's. */
int verify_map(const struct tc_map *map, struct tc_error *err);

/* After placing: every station stands in a township (its index in range,
 * its point inside that township's envelope or at its seat), or outside
 * every township only when the scenario keeps such stations
 * (keep_outside). */
int verify_sites(const struct tc_map *map, const struct tc_sites *sites, int keep_outside,
                 struct tc_error *err);

/* After coverage: 0 <= covered <= area within VERIFY_AREA_REL, the area the
 * township's, the fraction their ratio, and the stations counted per
 * township add up to the stations that stand in one. */
int verify_coverage(const struct tc_map *map, const struct tc_sites *sites,
                    const struct cov_result *results, struct tc_error *err);

#endif
