/* footprint/shapes.c — the shape store: each distinct footprint shape
 * kept once, found by content (see footprint.h). */
#include "footprint_internal.h"

#include <stdlib.h>
#include <string.h>

static int same_info(const struct radio_range_info *a, const struct radio_range_info *b)
{
    return memcmp(&a->min_range_m, &b->min_range_m, sizeof a->min_range_m) == 0 &&
           memcmp(&a->max_range_m, &b->max_range_m, sizeof a->max_range_m) == 0 &&
           strcmp(a->band, b->band) == 0 && strcmp(a->pathloss, b->pathloss) == 0 &&
           a->warnings == b->warnings;
}

/* Shape s's vertices: in the store, or still in the caller's block. */
static const double *shape_xy(const struct tc_footprints *fp, const struct shape_table *t, long s)
{
    if (t->pending && s >= t->first_pending)
        return t->pending[s - t->first_pending];
    return fp->sxy + 2 * fp->shape_off[s];
}

static int same_shape(const struct tc_footprints *fp, const struct shape_table *t, long s,
                      const struct shape_view *v)
{
    long a = fp->shape_off[s];
    return fp->shape_off[s + 1] - a == v->n &&
           memcmp(shape_xy(fp, t, s), v->xy, sizeof(double) * 2 * (size_t)v->n) == 0 &&
           same_info(&fp->shape_info[s], v->info);
}

/* Doubles the hash table, re-inserting every shape. */
static int table_rehash(struct shape_table *t, long nshape)
{
    size_t size = t->mask ? 2 * (t->mask + 1) : 64;
    long *slot = calloc(size, sizeof *slot);
    if (!slot)
        return -1;
    for (long s = 0; s < nshape; s++) {
        size_t i = (size_t)t->hash[s] & (size - 1);
        while (slot[i])
            i = (i + 1) & (size - 1);
        slot[i] = s + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = size - 1;
    return 0;
}

/* Room for one more shape of n vertices. */
static int table_reserve(struct tc_footprints *fp, struct shape_table *t, int n)
{
    if (fp->nshape + 1 > t->cap) {
        long cap = 2 * t->cap + 16;
        if (tc_resize((void **)&fp->shape_off, (size_t)cap + 1, sizeof *fp->shape_off) ||
            tc_resize((void **)&fp->shape_info, (size_t)cap, sizeof *fp->shape_info) ||
            tc_resize((void **)&t->hash, (size_t)cap, sizeof *t->hash))
            return -1;
        t->cap = cap;
    }
    long need = fp->shape_off[fp->nshape] + n;
    if (need > t->vcap) {
        long vcap = 2 * t->vcap + need;
        if (tc_resize((void **)&fp->sxy, 2 * (size_t)vcap, sizeof *fp->sxy))
            return -1;
        t->vcap = vcap;
    }
    if (2 * (size_t)(fp->nshape + 1) > t->mask + 1 && table_rehash(t, fp->nshape) != 0)
        return -1;
    return 0;
}

/* The slot holding v's shape, or the empty slot where it would go. */
static size_t find_slot(const struct tc_footprints *fp, const struct shape_table *t,
                        const struct shape_view *v, uint64_t hash)
{
    size_t i = (size_t)hash & t->mask;
    for (; t->slot[i]; i = (i + 1) & t->mask) {
        long s = t->slot[i] - 1;
        if (t->hash[s] == hash && same_shape(fp, t, s, v))
            break;
    }
    return i;
}

long footprint_shape_find(const struct tc_footprints *fp, const struct shape_table *t,
                          const struct shape_view *v, uint64_t hash)
{
    if (!t->slot)
        return -1;
    return t->slot[find_slot(fp, t, v, hash)] - 1;
}

/* v's shape, added if new (its vertices copied unless deferred). */
static long add(struct tc_footprints *fp, struct shape_table *t, const struct shape_view *v,
                uint64_t hash, int deferred)
{
    if (table_reserve(fp, t, v->n) != 0)
        return -1;
    size_t i = find_slot(fp, t, v, hash);
    if (t->slot[i])
        return t->slot[i] - 1;
    long s = fp->nshape;
    if (deferred) {
        if (!t->pending)
            t->first_pending = s;
        long k = s - t->first_pending;
        if (k >= t->pending_cap) {
            long cap = 2 * t->pending_cap + 64;
            if (tc_resize((void **)&t->pending, (size_t)cap, sizeof *t->pending) != 0)
                return -1;
            t->pending_cap = cap;
        }
        t->pending[k] = v->xy;
    }
    fp->nshape++;
    long a = fp->shape_off[s];
    if (!deferred)
        memcpy(fp->sxy + 2 * a, v->xy, sizeof(double) * 2 * (size_t)v->n);
    fp->shape_off[s + 1] = a + v->n;
    fp->shape_info[s] = *v->info;
    t->hash[s] = hash;
    t->slot[i] = s + 1;
    return s;
}

long footprint_shape_intern(struct tc_footprints *fp, struct shape_table *t,
                            const struct shape_view *v, uint64_t hash)
{
    return add(fp, t, v, hash, 0);
}

long footprint_shape_add_deferred(struct tc_footprints *fp, struct shape_table *t,
                                  const struct shape_view *v, uint64_t hash)
{
    return add(fp, t, v, hash, 1);
}

void footprint_shapes_copy_pending(struct tc_footprints *fp, struct shape_table *t, int threads)
{
    if (!t->pending)
        return;
    long first = t->first_pending, n = fp->nshape - first;
    #pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static)
    for (long k = 0; k < n; k++) {
        long s = first + k;
        memcpy(fp->sxy + 2 * fp->shape_off[s], t->pending[k],
               sizeof(double) * 2 * (size_t)(fp->shape_off[s + 1] - fp->shape_off[s]));
    }
    free(t->pending);
    t->pending = NULL;
    t->pending_cap = 0;
}

void footprint_shape_table_free(struct shape_table *t)
{
    free(t->slot);
    free(t->hash);
    free(t->pending);
    *t = (struct shape_table){0};
}
