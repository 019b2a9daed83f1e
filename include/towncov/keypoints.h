/* keypoints.h — key points of a township (the village committee's, the
 * school's, the clinic's: what village checks ask to be covered), read from
 * [map] key_points and joined to their townships by code. Each is reported
 * covered or not; [goal] key_points judges them. */
#ifndef TOWNCOV_KEYPOINTS_H
#define TOWNCOV_KEYPOINTS_H

#include <stdio.h>

#include "towncov/common.h"

struct tc_map;
struct seat_config;

struct tc_key_points {
    long n;
    char **code;     /* its township's code, as given */
    char **kind;     /* government, school, clinic, market (or what the file says) */
    double *lon, *lat;
    double *x, *y;   /* the map's metric CRS */
    int *township;   /* index into map->t */
    long *first;     /* township t's points are first[t] .. first[t+1]-1 (by township) */
    long *order;     /* ... of this permutation of 0..n-1 */
    unsigned char *covered; /* filled by the coverage stage */
};

/* The key points of cfg->key_points (NULL = none asked: returns an empty
 * set), located by lon/lat (WGS 84) and joined to the map's townships by
 * code. A code the map does not have, or bad coordinates, is an error with
 * file:line (exit 5). Free with key_points_free. */
struct tc_key_points *key_points_load(const struct seat_config *cfg, const struct tc_map *map,
                                      const char *base_dir, FILE *warn, struct tc_error *err);

void key_points_free(struct tc_key_points **k);

#endif
