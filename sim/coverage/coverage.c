/* coverage.c — per-township coverage on polygons (see coverage.h). */
#include "towncov/coverage.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/grid.h"
#include "towncov/map.h"
#include "towncov/sites.h"

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

/* ---- the footprint index: a uniform grid of envelope buckets ------------*/
struct cov_index {
    struct grid grid;
};

static void footprint_envelope(const void *items, long i, double box[4])
{
    const struct tc_footprints *fp = items;
    box[0] = fp->xmin[i];
    box[1] = fp->ymin[i];
    box[2] = fp->xmax[i];
    box[3] = fp->ymax[i];
}

struct cov_index *cov_index_new(const struct tc_map *map, const struct tc_footprints *fp)
{
    struct cov_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    double extent[4] = {map->xmin, map->ymin, map->xmax, map->ymax};
    for (long i = 0; i < fp->n; i++) {
        extent[0] = fmin(extent[0], fp->xmin[i]);
        extent[1] = fmin(extent[1], fp->ymin[i]);
        extent[2] = fmax(extent[2], fp->xmax[i]);
        extent[3] = fmax(extent[3], fp->ymax[i]);
    }
    /* About one footprint per cell, capped so the grid stays small. */
    long cells = fp->n < 1 ? 1 : fp->n > 4000000 ? 4000000 : fp->n;
    if (grid_build(&ix->grid, extent, cells, fp->n, footprint_envelope, fp) != 0)
        cov_index_free(&ix);
    return ix;
}

void cov_index_free(struct cov_index **pix)
{
    struct cov_index *ix = *pix;
    if (!ix)
        return;
    grid_free(&ix->grid);
    free(ix);
    *pix = NULL;
}

long cov_index_query(const struct cov_index *ix, const struct tc_footprints *fp, double xmin,
                     double ymin, double xmax, double ymax, long *ids, long capacity)
{
    const double box[4] = {xmin, ymin, xmax, ymax};
    return grid_query(&ix->grid, box, footprint_envelope, fp, ids, capacity);
}

/* ---- GEOS helpers ----------------------------------------------------------*/
/* Area of township ∩ union(footprints); the union is built with GEOS's
 * cascaded UnaryUnion. Takes ownership of polys. */
static double covered_area(GEOSContextHandle_t ctx, const GEOSGeometry *township,
                           GEOSGeometry **polys, unsigned n, GEOSGeometry **covered_out)
{
    if (n == 0) {
        if (covered_out)
            *covered_out = NULL;
        return 0.0;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys, n);
    GEOSGeometry *uni = GEOSUnaryUnion_r(ctx, coll);
    GEOSGeom_destroy_r(ctx, coll);
    GEOSGeometry *cut = uni ? GEOSIntersection_r(ctx, township, uni) : NULL;
    if (uni)
        GEOSGeom_destroy_r(ctx, uni);
    double area = NAN;
    if (cut)
        GEOSArea_r(ctx, cut, &area);
    if (covered_out)
        *covered_out = cut;
    else if (cut)
        GEOSGeom_destroy_r(ctx, cut);
    return area;
}

/* ---- covered parts, gathered per thread --------------------------------*/

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

/* Appends one township's rings; -1 when out of memory. */
static int store_add(struct ring_store *st, const struct covx_rings *r, struct parts_place *pl,
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

static void store_free(struct ring_store *st)
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
static struct cov_parts *parts_gather(int n, const struct parts_place *place,
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

/* ---- the reference engine: index, envelope filter, union per township --*/
struct worker {
    GEOSContextHandle_t ctx;
    struct covx_scratch *exact;
    long *ids;
    long cap;
    GEOSGeometry **polys;
    struct ring_store rings; /* covered parts, when kept */
    int id;
};

static int worker_reserve(struct worker *w, long n)
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

static long candidates(struct worker *w, const struct cov_index *ix,
                       const struct tc_footprints *fp, const struct township *t)
{
    long n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, w->ids, w->cap);
    if (n > w->cap) {
        if (worker_reserve(w, n) != 0)
            return -1;
        n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, w->ids, w->cap);
    }
    return n;
}

/* Builds the footprints among ids[0..n-1] that meet the township into
 * w->polys; returns how many, and whether one covers the seat. */
static unsigned reaching_footprints(struct worker *w, const struct tc_footprints *fp,
                                    const struct township *t, long n, int *seat_covered)
{
    GEOSContextHandle_t ctx = w->ctx;
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, t->geom);
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    unsigned k = 0;
    *seat_covered = 0;
    for (long j = 0; j < n; j++) {
        GEOSGeometry *poly = footprint_polygon(ctx, fp, w->ids[j]);
        if (GEOSPreparedIntersects_r(ctx, prep, poly) != 1) {
            GEOSGeom_destroy_r(ctx, poly);
            continue;
        }
        if (!*seat_covered && GEOSIntersects_r(ctx, poly, seat) == 1)
            *seat_covered = 1;
        w->polys[k++] = poly;
    }
    GEOSGeom_destroy_r(ctx, seat);
    GEOSPreparedGeom_destroy_r(ctx, prep);
    return k;
}

/* The GEOS computation on the n candidates already in w->ids. */
static int geos_on_candidates(struct worker *w, const struct tc_footprints *fp,
                              const struct township *t, long n, struct cov_result *r)
{
    unsigned k = reaching_footprints(w, fp, t, n, &r->seat_covered);
    r->footprints = (int)k;
    r->covered_m2 = covered_area(w->ctx, t->geom, w->polys, k, NULL);
    return isnan(r->covered_m2) ? -1 : 0;
}

static int geos_township(struct worker *w, const struct cov_index *ix,
                         const struct tc_footprints *fp, const struct township *t,
                         struct cov_result *r)
{
    long n = candidates(w, ix, fp, t);
    return n < 0 ? -1 : geos_on_candidates(w, fp, t, n, r);
}

/* Keeps the exact engine's rings of the township it just did, when they
 * chained (else pl->store stays -1 and the exporter asks GEOS). */
static int keep_rings(struct worker *w, struct parts_place *pl)
{
    struct covx_rings r;
    if (covx_rings(w->exact, &r) != 0)
        return 0;
    return store_add(&w->rings, &r, pl, w->id);
}

static int exact_township(struct worker *w, const struct cov_index *ix,
                          const struct tc_footprints *fp, const struct township *t,
                          struct cov_result *r, struct parts_place *pl)
{
    long n = candidates(w, ix, fp, t);
    if (n < 0)
        return -1;
    if (covx_township(w->exact, t, fp, w->ids, n, r) == 0)
        return pl ? keep_rings(w, pl) : 0;
    r->by_geos = 1; /* a case the exact engine declines */
    return geos_on_candidates(w, fp, t, n, r);
}

GEOSGeometry *cov_township_geometry(GEOSContextHandle_t ctx, const struct tc_map *map,
                                    const struct tc_footprints *fp, const struct cov_index *idx,
                                    int t)
{
    struct worker w = {.ctx = ctx};
    const struct township *tw = &map->t[t];
    long n = candidates(&w, idx, fp, tw);
    GEOSGeometry *covered = NULL;
    if (n >= 0) {
        int seat;
        unsigned k = reaching_footprints(&w, fp, tw, n, &seat);
        if (k == 0)
            covered = GEOSGeom_createEmptyPolygon_r(ctx);
        else
            covered_area(ctx, tw->geom, w.polys, k, &covered);
    }
    free(w.ids);
    free(w.polys);
    return covered;
}

/* ---- the naive engine: what anyone would write first ---------------------*/
static int naive_township(struct worker *w, const struct tc_footprints *fp,
                          const struct township *t, struct cov_result *r)
{
    GEOSContextHandle_t ctx = w->ctx;
    if (worker_reserve(w, fp->n) != 0)
        return -1;
    unsigned k = 0;
    for (long i = 0; i < fp->n; i++)
        if (!(fp->xmax[i] < t->xmin || fp->xmin[i] > t->xmax || fp->ymax[i] < t->ymin ||
              fp->ymin[i] > t->ymax))
            w->polys[k++] = footprint_polygon(ctx, fp, i);
    r->footprints = (int)k;
    GEOSGeometry *covered = NULL;
    r->covered_m2 = covered_area(ctx, t->geom, w->polys, k, &covered);
    /* Seats lie inside their township, so covered part and union agree there. */
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    r->seat_covered = covered && GEOSIntersects_r(ctx, covered, seat) == 1;
    GEOSGeom_destroy_r(ctx, seat);
    if (covered)
        GEOSGeom_destroy_r(ctx, covered);
    return isnan(r->covered_m2) ? -1 : 0;
}

/* ---- driver ----------------------------------------------------------------*/
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
static struct worker *workers_new(int n, int engine, int keep)
{
    struct worker *workers = calloc((size_t)n, sizeof *workers);
    for (int i = 0; workers && i < n; i++) {
        struct worker *w = &workers[i];
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

static int workers_ready(const struct worker *workers, int n, int engine)
{
    for (int i = 0; i < n; i++)
        if (!workers[i].ctx || (engine == COV_ENGINE_EXACT && !workers[i].exact))
            return 0;
    return 1;
}

static void workers_free(struct worker *workers, int n)
{
    for (int i = 0; workers && i < n; i++) {
        if (workers[i].ctx)
            GEOS_finish_r(workers[i].ctx);
        covx_scratch_free(&workers[i].exact);
        free(workers[i].ids);
        free(workers[i].polys);
        store_free(&workers[i].rings);
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
 * footprints first (counted roughly, from the index's buckets), so that dynamic scheduling does not end on one big
 * township while the other threads idle (a tail that grows with the
 * threads). The order changes no result. NULL when out of memory. */
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
    for (int t = 0; t < map->n; t++) {
        const struct township *tw = &map->t[t];
        const double box[4] = {tw->xmin, tw->ymin, tw->xmax, tw->ymax};
        w[t] = (struct work){ix ? grid_load(&ix->grid, box) : 0, t};
    }
    qsort(w, (size_t)map->n, sizeof *w, by_cost);
    for (int k = 0; k < map->n; k++)
        order[k] = w[k].t;
    free(w);
    return order;
}

static int township_coverage(struct worker *w, int engine, const struct cov_index *ix,
                             const struct tc_footprints *fp, const struct township *t,
                             struct cov_result *r, struct parts_place *pl)
{
    r->by_geos = 0;
    switch (engine) {
    case COV_ENGINE_NAIVE:
        return naive_township(w, fp, t, r);
    case COV_ENGINE_EXACT:
        return exact_township(w, ix, fp, t, r, pl);
    default:
        return geos_township(w, ix, fp, t, r);
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
    struct worker *workers = workers_new(nthreads, engine, parts != NULL);
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
        struct worker *w = &workers[omp_get_thread_num()];
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
        *parts = stores ? parts_gather(map->n, place, stores, nthreads) : NULL;
        free(stores);
        if (!*parts)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the covered parts");
    }
    workers_free(workers, nthreads);
    free(place);
    free(order);
    return rc;
}
