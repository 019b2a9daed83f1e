/* coverage.c — the coverage stage's driver (see coverage.h): its scenario
 * keys, the engine table, the per-thread state, and cov_compute's loop
 * over the townships. */
#include "towncov/coverage.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/sites.h"

#include "coverage_internal.h"
#include "exact/exact.h"

static const char *const engine_names[] = {"geos", "naive", "exact", NULL};

const struct key_desc cov_keys[] = {
    {"coverage", "engine", KEY_ENUM, offsetof(struct cov_config, engine), 0, 0, engine_names,
     "exact", "",
     "geos: GEOS union per township, OpenMP (the reference); naive: one thread, plain union, "
     "no index (the baseline); exact: boundary integration without overlay (fastest)"},
};
const int cov_nkeys = (int)(sizeof cov_keys / sizeof cov_keys[0]);

const char *cov_engine_name(int engine)
{
    return engine >= 0 && engine < COV_ENGINE_COUNT ? engine_names[engine] : "?";
}

/* ---- one thread's state ----------------------------------------------------*/

int cov_worker_reserve(struct cov_worker *w, long n)
{
    if (n <= w->cap)
        return 0;
    long cap = n + n / 2 + 16;
    if (tc_resize((void **)&w->ids, (size_t)cap, sizeof *w->ids) ||
        tc_resize((void **)&w->polys, (size_t)cap, sizeof *w->polys))
        return -1;
    w->cap = cap;
    return 0;
}

/* ---- the driver ------------------------------------------------------------*/

static void count_sites(const struct tc_map *map, const struct tc_sites *sites,
                        struct cov_result *results)
{
    for (int t = 0; t < map->n; t++)
        results[t].sites = 0;
    for (long i = 0; i < sites->n; i++)
        if (sites->township[i] >= 0)
            results[sites->township[i]].sites++;
}

static void finish_result(const struct township *t, struct cov_result *r)
{
    r->area_m2 = t->area_m2;
    /* Union and intersection round differently: keep covered <= area. */
    if (r->covered_m2 > r->area_m2)
        r->covered_m2 = r->area_m2;
    r->covered_frac = r->area_m2 > 0 ? r->covered_m2 / r->area_m2 : 0.0;
}

/* Workers: contexts are created serially (GEOS and PROJ want it so). */
static struct cov_worker *workers_new(int n, int engine, int keep)
{
    struct cov_worker *workers = calloc((size_t)n, sizeof *workers);
    for (int i = 0; workers && i < n; i++) {
        struct cov_worker *w = &workers[i];
        w->id = i;
        w->ctx = GEOS_init_r();
        if (engine == COV_ENGINE_EXACT) {
            w->exact = covx_scratch_new();
            if (w->exact)
                covx_keep_rings(w->exact, keep);
        }
    }
    return workers;
}

static int workers_ready(const struct cov_worker *workers, int n, int engine)
{
    for (int i = 0; i < n; i++)
        if (!workers[i].ctx || (engine == COV_ENGINE_EXACT && !workers[i].exact))
            return 0;
    return 1;
}

static void workers_free(struct cov_worker *workers, int n)
{
    for (int i = 0; workers && i < n; i++) {
        if (workers[i].ctx)
            GEOS_finish_r(workers[i].ctx);
        covx_scratch_free(&workers[i].exact);
        free(workers[i].ids);
        free(workers[i].polys);
        cov_store_free(&workers[i].rings);
    }
    free(workers);
}

static struct parts_place *places_new(int n)
{
    struct parts_place *place = malloc(sizeof *place * ((size_t)n + 1));
    for (int t = 0; place && t < n; t++)
        place[t] = (struct parts_place){.store = -1};
    return place;
}

/* Townships in the order they are handed to the threads: the most
 * footprints first (counted roughly, from the index's buckets), so that
 * dynamic scheduling does not end on one big township while the other
 * threads idle (a tail that grows with the threads). The order changes no result. NULL when out of memory. */
struct work { long cost; int t; };

static int by_cost(const void *a, const void *b)
{
    const struct work *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

static int *work_order(const struct tc_map *map, const struct cov_index *ix, int threads)
{
    struct work *w = malloc(sizeof *w * ((size_t)map->n + 1));
    int *order = malloc(sizeof *order * ((size_t)map->n + 1));
    if (!w || !order) {
        free(w);
        free(order);
        return NULL;
    }
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < map->n; t++)
        w[t] = (struct work){ix ? cov_index_load(ix, &map->t[t]) : 0, t};
    qsort(w, (size_t)map->n, sizeof *w, by_cost);
    for (int k = 0; k < map->n; k++)
        order[k] = w[k].t;
    free(w);
    return order;
}

/* ---- the engine table ------------------------------------------------------*/

/* Keeps the exact engine's rings of the township it just did, when they
 * chained (else pl->store stays -1 and the exporter asks GEOS). */
static int keep_rings(struct cov_worker *w, struct parts_place *pl)
{
    struct covx_rings r;
    if (covx_rings(w->exact, &r) != 0)
        return 0;
    return cov_store_add(&w->rings, &r, pl, w->id);
}

static int exact_township(struct cov_worker *w, const struct cov_index *ix,
                          const struct tc_footprints *fp, const struct township *t,
                          struct cov_result *r, struct parts_place *pl)
{
    long n = cov_candidates(w, ix, fp, t);
    if (n < 0)
        return -1;
    if (covx_township(w->exact, t, fp, w->ids, n, r) == 0)
        return pl ? keep_rings(w, pl) : 0;
    r->by_geos = 1; /* a case the exact engine declines */
    return cov_geos_on_candidates(w, fp, t, n, r);
}

static int township_coverage(struct cov_worker *w, int engine, const struct cov_index *ix,
                             const struct tc_footprints *fp, const struct township *t,
                             struct cov_result *r, struct parts_place *pl)
{
    r->by_geos = 0;
    switch (engine) {
    case COV_ENGINE_NAIVE:
        return cov_naive_township(w, fp, t, r);
    case COV_ENGINE_EXACT:
        return exact_township(w, ix, fp, t, r, pl);
    default:
        return cov_geos_township(w, ix, fp, t, r);
    }
}

int cov_compute(const struct cov_config *cfg, const struct tc_map *map,
                const struct tc_sites *sites, const struct tc_footprints *fp, int threads,
                struct cov_result *results, struct cov_parts **parts, struct tc_error *err)
{
    count_sites(map, sites, results);
    int engine = cfg->engine, naive = engine == COV_ENGINE_NAIVE;
    int nthreads = naive ? 1 : threads;
    struct cov_index *ix = naive ? NULL : cov_index_new(map, fp);
    struct cov_worker *workers = workers_new(nthreads, engine, parts != NULL);
    struct parts_place *place = parts ? places_new(map->n) : NULL;
    int *order = work_order(map, ix, nthreads);
    if ((!naive && !ix) || !workers || !workers_ready(workers, nthreads, engine) ||
        (parts && !place) || !order) {
        cov_index_free(&ix);
        workers_free(workers, nthreads);
        free(place);
        free(order);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the coverage engine");
    }
    int failed_at = -1;
    #pragma omp parallel num_threads(nthreads)
    {
        struct cov_worker *w = &workers[omp_get_thread_num()];
        #pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < map->n; k++) {
            int t = order[k];
            if (tc_interrupted())
                continue; /* OpenMP loops cannot break: skip what is left */
            if (township_coverage(w, engine, ix, fp, &map->t[t], &results[t],
                                  place ? &place[t] : NULL) != 0) {
                #pragma omp critical(towncov_cov_fail)
                if (failed_at < 0 || t < failed_at)
                    failed_at = t;
            }
            finish_result(&map->t[t], &results[t]);
        }
    }
    cov_index_free(&ix);
    int rc = 0;
    if (tc_interrupted())
        rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while computing coverage");
    else if (failed_at >= 0)
        rc = tc_fail(err, TC_EXIT_INTERNAL, "GEOS failed on township %s (%s)",
                     map->t[failed_at].code, map->t[failed_at].name);
    if (rc == 0 && parts) {
        struct ring_store *stores = malloc(sizeof *stores * (size_t)nthreads);
        for (int i = 0; stores && i < nthreads; i++)
            stores[i] = workers[i].rings;
        *parts = stores ? cov_parts_gather(map->n, place, stores, nthreads) : NULL;
        free(stores);
        if (!*parts)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the covered parts");
    }
    workers_free(workers, nthreads);
    free(place);
    free(order);
    return rc;
}
