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

#endif
