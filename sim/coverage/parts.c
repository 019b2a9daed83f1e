/* parts.c — the covered parts (struct cov_parts, see coverage.h): each
 * thread keeps the exact engine's rings in its own store, in the order it
 * did its townships; after the loop they are gathered in township order. */
#include "towncov/coverage.h"

#include <stdlib.h>
#include <string.h>

#include "coverage_internal.h"
#include "exact/exact.h"

/* Appends one township's rings; -1 when out of memory. */
int cov_store_add(struct ring_store *st, const struct covx_rings *r, struct parts_place *pl,
                  int store)
{
    *pl = (struct parts_place){.store = store, .ring = st->nring, .nring = r->nring};
    long nv = r->start[r->nring];
    if (r->nring == 0)
        return 0; /* nothing covered: no rings */
    if (st->nv + nv > st->vcap) {
        long cap = 2 * st->vcap + nv + 1024;
        if (tc_resize((void **)&st->x, (size_t)cap, sizeof *st->x) ||
            tc_resize((void **)&st->y, (size_t)cap, sizeof *st->y))
            return -1;
        st->vcap = cap;
    }
    if (st->nring + r->nring > st->rcap) {
        long cap = 2 * st->rcap + r->nring + 64;
        if (tc_resize((void **)&st->start, (size_t)cap, sizeof *st->start) ||
            tc_resize((void **)&st->shell, (size_t)cap, sizeof *st->shell))
            return -1;
        st->rcap = cap;
    }
    memcpy(st->x + st->nv, r->x, sizeof *st->x * (size_t)nv);
    memcpy(st->y + st->nv, r->y, sizeof *st->y * (size_t)nv);
    for (long k = 0; k < r->nring; k++) {
        st->start[st->nring + k] = st->nv + r->start[k];
        st->shell[st->nring + k] = r->shell[k];
    }
    st->nv += nv;
    st->nring += r->nring;
    return 0;
}

void cov_store_free(struct ring_store *st)
{
    free(st->x);
    free(st->y);
    free(st->start);
    free(st->shell);
}

void cov_parts_free(struct cov_parts **pp)
{
    struct cov_parts *p = *pp;
    if (!p)
        return;
    free(p->first);
    free(p->start);
    free(p->shell);
    free(p->x);
    free(p->y);
    free(p->missing);
    free(p);
    *pp = NULL;
}

/* The length of the rings of a store up to ring k (exclusive). */
static long store_ring_end(const struct ring_store *st, long k)
{
    return k < st->nring ? st->start[k] : st->nv;
}

/* Gathers the threads' rings in township order: the layout, like the
 * results, does not depend on the threads. NULL when out of memory. */
struct cov_parts *cov_parts_gather(int n, const struct parts_place *place,
                                   const struct ring_store *stores, int nstores)
{
    long nring = 0, nv = 0;
    for (int i = 0; i < nstores; i++) {
        nring += stores[i].nring;
        nv += stores[i].nv;
    }
    struct cov_parts *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n = n;
    p->first = malloc(sizeof *p->first * ((size_t)n + 1));
    p->start = malloc(sizeof *p->start * ((size_t)nring + 1));
    p->shell = malloc(sizeof *p->shell * ((size_t)nring + 1));
    p->x = malloc(sizeof *p->x * ((size_t)nv + 1));
    p->y = malloc(sizeof *p->y * ((size_t)nv + 1));
    p->missing = calloc((size_t)n + 1, 1);
    if (!p->first || !p->start || !p->shell || !p->x || !p->y || !p->missing) {
        cov_parts_free(&p);
        return NULL;
    }
    long r = 0, v = 0;
    for (int t = 0; t < n; t++) {
        p->first[t] = r;
        const struct parts_place *pl = &place[t];
        p->missing[t] = pl->store < 0;
        if (pl->store < 0 || pl->nring == 0)
            continue;
        const struct ring_store *st = &stores[pl->store];
        long v0 = store_ring_end(st, pl->ring), v1 = store_ring_end(st, pl->ring + pl->nring);
        memcpy(p->x + v, st->x + v0, sizeof *p->x * (size_t)(v1 - v0));
        memcpy(p->y + v, st->y + v0, sizeof *p->y * (size_t)(v1 - v0));
        for (long k = 0; k < pl->nring; k++) {
            p->start[r + k] = v + st->start[pl->ring + k] - v0;
            p->shell[r + k] = r + st->shell[pl->ring + k];
        }
        r += pl->nring;
        v += v1 - v0;
    }
    p->first[n] = r;
    p->start[r] = v;
    return p;
}
