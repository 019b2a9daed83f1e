/* footprint_internal.h — the footprint stage's shape store, shared by its
 * files: distinct shapes found by content. Private to sim/footprint/. */
#ifndef TOWNCOV_FOOTPRINT_INTERNAL_H
#define TOWNCOV_FOOTPRINT_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "towncov/footprint.h"

/* One station's shape as the radio model returned it. */
struct shape_view {
    const double *xy;
    int n;
    const struct radio_range_info *info;
};

/* The distinct shapes so far, found by content (open addressing). */
struct shape_table {
    long *slot;      /* shape + 1; 0: empty */
    size_t mask;
    uint64_t *hash;  /* of each shape */
    long cap;        /* shapes the arrays below hold */
    long vcap;       /* vertices sxy holds */
    /* Shapes first_pending .. nshape-1 were added by
     * footprint_shape_add_deferred: their vertices are still at pending[s -
     * first_pending] (the caller's block), copied into sxy by
     * footprint_shapes_copy_pending. */
    const double **pending;
    long first_pending, pending_cap;
};

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 31; /* splitmix64's finaliser */
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

/* Every bit of the vertices counts (stations whose azimuths differ a
 * little have shapes that differ in a few vertices), cheaply: one
 * multiply per coordinate, x and y in two independent lanes. */
static inline uint64_t shape_hash(const struct shape_view *v)
{
    uint64_t hx = (uint64_t)v->n, hy = 0x9E3779B97F4A7C15ull;
    for (int k = 0; k < v->n; k++) {
        uint64_t x, y;
        memcpy(&x, &v->xy[2 * k], sizeof x);
        memcpy(&y, &v->xy[2 * k + 1], sizeof y);
        hx = ((hx ^ x) << 27 | (hx ^ x) >> 37) * 0x9E3779B97F4A7C15ull;
        hy = ((hy ^ y) << 31 | (hy ^ y) >> 33) * 0xC2B2AE3D27D4EB4Full;
    }
    uint64_t r;
    memcpy(&r, &v->info->max_range_m, sizeof r);
    return mix64(hx ^ mix64(hy ^ r ^ v->info->warnings));
}

/* The shape equal to v (whose hash is `hash`), added to fp's store if
 * new; -1 when out of memory. */
long footprint_shape_intern(struct tc_footprints *fp, struct shape_table *t,
                            const struct shape_view *v, uint64_t hash);

/* The shape equal to v already in the store, or -1: only reads the store
 * (threads may look up at once while none adds). */
long footprint_shape_find(const struct tc_footprints *fp, const struct shape_table *t,
                          const struct shape_view *v, uint64_t hash);

/* As footprint_shape_intern, but a new shape's vertices are left where v
 * points (they must stay there) until footprint_shapes_copy_pending. */
long footprint_shape_add_deferred(struct tc_footprints *fp, struct shape_table *t,
                                  const struct shape_view *v, uint64_t hash);

/* Copies the deferred shapes' vertices into the store, in parallel. */
void footprint_shapes_copy_pending(struct tc_footprints *fp, struct shape_table *t, int threads);

void footprint_shape_table_free(struct shape_table *t);

/* ---- local maps without their second-order terms (local_bound.c) ---------*/
struct projection_local;
struct projection_map;

/* What the bound needs of the metric CRS: usable when it is LAEA in
 * metres on an ellipsoid with e^2 <= 0.0069. */
struct local_bound {
    int usable;
    double x0, y0; /* the centre's coordinates (false easting, northing) */
    double rq;     /* authalic radius */
    double a, es;  /* semi-major axis, e^2 */
};

void local_bound_init(struct local_bound *b, const struct projection_local *l);

/* G: a bound on |gamma''| (1/m) of every geodesic within ground range d of
 * (x, y), gamma its image in the metric CRS; INFINITY where there is none
 * (not usable, too far from the centre). */
double local_bound_curvature(const struct local_bound *b, double x, double y, double d);

/* 1 when the local map at (x, y) of the metric CRS, fitted at range d,
 * provably has Q terms that projection_map_round makes zero, given that
 * PROJ's inverse of (x, y) projects back delta metres off it. */
int local_bound_q_is_zero(const struct local_bound *b, double x, double y, double d,
                          double delta);

/* 1 with m = projection_local_map's fit at (x, y) for range d, rounded
 * (projection_map_round), where local_bound_q_is_zero holds: the geodesic
 * placements skipped, m's Q zeros, and projection_map_apply giving the
 * full fit's bits on each of the n vertices of src. Else 0 (m unspecified:
 * fit it). */
int local_map_without_fit(const struct projection_local *l, const struct local_bound *b,
                          double x, double y, double d, const double *src, int n,
                          struct projection_map *m);

#endif
