/* footprint.h — stage 4: each station's footprint polygon, from the radio
 * model's one function radio_footprint(). */
#ifndef TOWNCOV_FOOTPRINT_H
#define TOWNCOV_FOOTPRINT_H

#include "towncov/common.h"
#include "towncov/radio.h"

struct tc_map;
struct tc_sites;

/* All footprints, vertices in the map's metric CRS, stored back to back:
 * footprint i is vertices offset[i] .. offset[i+1]-1 of xy (x, y pairs),
 * counter-clockwise, not closed. */
struct tc_footprints {
    long n;
    long *offset;
    double *xy;
    double *xmin, *ymin, *xmax, *ymax; /* envelope of each footprint */
    struct radio_range_info *info;
};

/* Computes every station's footprint in parallel. Returns NULL with err set
 * on failure; the caller frees with footprints_free. */
struct tc_footprints *footprints_build(const struct radio_config *radio, const struct tc_map *map,
                                       const struct tc_sites *sites, int threads,
                                       struct tc_error *err);

void footprints_free(struct tc_footprints **fp);

/* Is point (x, y) inside footprint i (boundary counts as inside)? */
int footprint_contains(const struct tc_footprints *fp, long i, double x, double y);

#endif
