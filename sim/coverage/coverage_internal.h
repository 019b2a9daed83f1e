/* coverage_internal.h — what the coverage driver (coverage.c) shares with
 * its engine table (engines.c), the engines (geos.c, naive.c; the exact
 * engine has its own interface in exact/exact.h), the footprint index (index.c) and the covered parts
 * (parts.c). Private to sim/coverage/. */
#ifndef TOWNCOV_COVERAGE_INTERNAL_H
#define TOWNCOV_COVERAGE_INTERNAL_H

#include <geos_c.h>

#include "towncov/coverage.h"

struct township;
struct covx_rings;
struct covx_scratch;

/* ---- covered parts, gathered per thread (parts.c) ----------------------*/

/* One thread's rings, townships in the order it did them. */
struct ring_store {
    double *x, *y;
    long nv, vcap;
    long *start, *shell; /* start[r] in x/y; shell[r] relative to the township's first ring */
    long nring, rcap;
};

/* Where township t's rings went: which thread's store, from which ring. */
struct parts_place {
    int store;
    long ring, nring;
};

/* Appends one township's rings (borrowed, copied) to st and says where in
 * *pl; -1 when out of memory. */
int cov_store_add(struct ring_store *st, const struct covx_rings *r, struct parts_place *pl,
                  int store);

/* Frees st's arrays (st itself is the caller's). */
void cov_store_free(struct ring_store *st);

/* Gathers the threads' rings in township order: the layout, like the
 * results, does not depend on the threads. Returns parts the caller frees
 * with cov_parts_free, or NULL when out of memory. */
struct cov_parts *cov_parts_gather(int n, const struct parts_place *place,
                                   const struct ring_store *stores, int nstores);

/* ---- one thread's state (coverage.c) -----------------------------------*/
struct cov_worker {
    GEOSContextHandle_t ctx;    /* this thread's */
    struct covx_scratch *exact; /* the exact engine's scratch, or NULL */
    long *ids;                  /* candidate footprints */
    long cap;                   /* room in ids and polys */
    GEOSGeometry **polys;
    struct ring_store rings;    /* covered parts, when kept */
    int id;                     /* the thread: its store's index */
};

/* Makes room for n candidates in w->ids and w->polys; -1 when out of memory. */
int cov_worker_reserve(struct cov_worker *w, long n);

/* ---- the footprint index (index.c) -------------------------------------*/

/* Bucket entries over the cells township t's envelope meets: a cheap
 * upper bound of its candidates (grid_load), to order the work. */
long cov_index_load(const struct cov_index *ix, const struct township *t);

/* The candidates of township t (cov_index_query) into w->ids, growing it
 * as needed; returns their count, or -1 when out of memory. */
long cov_candidates(struct cov_worker *w, const struct cov_index *ix,
                    const struct tc_footprints *fp, const struct township *t);

/* ---- the engine table (engines.c) -------------------------------------*/

/* What an engine can do (struct cov_engine's caps). */
enum cov_engine_caps {
    COV_CAP_INDEX = 1u << 0,   /* answers from the index's candidates (else it
                                * tests every footprint's envelope itself) */
    COV_CAP_THREADS = 1u << 1, /* runs on many threads (else on one) */
    COV_CAP_RINGS = 1u << 2    /* keeps the covered part's rings (cov_parts) */
};

/* An engine's answer when memory ran out (asking GEOS then would only
 * need more): reported as such (TC_EXIT_RESOURCE). */
#define COV_NO_MEMORY (-2)

/* One coverage engine. */
struct cov_engine {
    const char *name;   /* as the [coverage] engine key writes it */
    unsigned caps;      /* enum cov_engine_caps */
    /* Sets up worker w's engine state (with w->ctx); NULL: none. 0, or -1
     * when out of memory. */
    int (*prepare)(struct cov_worker *w);
    /* The covered part of polygon t (a township, or its seat area as one)
     * from the candidates w->ids[0..n-1] (ascending) into r->covered_m2,
     * r->seat_covered and r->footprints; with pl, also keeps its rings
     * (COV_CAP_RINGS). 0, 1 when the engine declines t (a degenerate
     * contact), COV_NO_MEMORY when out of memory, or -1 on another failure. */
    int (*area)(struct cov_worker *w, const struct tc_footprints *fp, const struct township *t,
                long n, struct cov_result *r, struct parts_place *pl);
};

/* The engine of enum cov_engine_id id (static storage), or NULL. */
const struct cov_engine *cov_engine_of(int id);

/* e's answer for polygon t (as e->area), or, where e declines, GEOS's on
 * the same candidates with r->by_geos set: the one fallback. 0,
 * COV_NO_MEMORY, or -1. */
int cov_engine_answer(const struct cov_engine *e, struct cov_worker *w,
                      const struct tc_footprints *fp, const struct township *t, long n,
                      struct cov_result *r, struct parts_place *pl);

/* ---- engines (geos.c, naive.c; exact/ through exact/exact.h) -----------*/

/* Area of township ∩ union(polys[0..n-1]) with GEOS; takes ownership of
 * polys; *covered_out (when not NULL) gets the covered part, which the
 * caller destroys (NULL when n is 0). NAN when GEOS fails. */
double cov_covered_area(GEOSContextHandle_t ctx, const GEOSGeometry *township,
                        GEOSGeometry **polys, unsigned n, GEOSGeometry **covered_out);

/* The geos engine on the n candidates already in w->ids: fills
 * r->covered_m2, r->seat_covered and r->footprints. 0, or -1 on failure. */
int cov_geos_on_candidates(struct cov_worker *w, const struct tc_footprints *fp,
                           const struct township *t, long n, struct cov_result *r);

/* The naive engine on township t: every footprint's envelope tested, plain
 * union. 0, or -1 on failure. */
int cov_naive_township(struct cov_worker *w, const struct tc_footprints *fp,
                       const struct township *t, struct cov_result *r);

#endif
