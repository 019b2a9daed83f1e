/* coverage.c — the coverage stage's driver (see coverage.h): its scenario
 * keys, the engine table, the per-thread state, and cov_compute's loop
 * over the townships. */
#include "towncov/coverage.h"

#include <omp.h>
#include <stddef.h>
#include <stdlib.h>

#include "towncov/footprint.h"
#include "towncov/keypoints.h"
#include "towncov/map.h"
#include "towncov/progress.h"
#include "towncov/seat.h"
#include "towncov/sites.h"
#include "towncov/worker.h"

#include "coverage_internal.h"

#include "towncov/verify.h"
#include "exact/exact.h"

/* The key's choices, in enum cov_engine_id order: the engine table's names
 * (engines.c; tests/test_coverage.c checks that they agree). */
static const char *const engine_names[] = {"geos", "naive", "exact", NULL};

const struct key_desc cov_keys[] = {
    {"coverage", "engine", KEY_ENUM, offsetof(struct cov_config, engine), 0, 0, engine_names,
     "exact", "",
     "geos: GEOS union per township, OpenMP (the reference); naive: one thread, plain union, "
     "no index (the baseline); exact: boundary integration without overlay (fastest)"},
};
const int cov_nkeys = (int)(sizeof cov_keys / sizeof cov_keys[0]);

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

/* A worker's scratch_free. */
static void cov_worker_free(void *p)
{
    struct cov_worker *w = p;
    covx_scratch_free(&w->exact);
    free(w->ids);
    free(w->polys);
    cov_store_free(&w->rings);
    free(w);
}

/* n workers from the project's factory (tc_workers_new: serially, each
 * with its own GEOS context), each holding its coverage state as scratch;
 * the exact engine's scratch reads geometries with that same context.
 * NULL with err set. */
static struct tc_workers *workers_new(int n, const struct cov_engine *e, struct tc_error *err);

struct tc_workers *cov_workers_new(int n, int engine, struct tc_error *err)
{
    return workers_new(n, cov_engine_of(engine), err);
}

static struct tc_workers *workers_new(int n, const struct cov_engine *e, struct tc_error *err)
{
    struct tc_workers *ws = tc_workers_new(n, NULL, 0, err);
    for (int i = 0; ws && i < ws->n; i++) {
        struct tc_worker *tw = &ws->w[i];
        struct cov_worker *w = calloc(1, sizeof *w);
        if (w) {
            tw->scratch = w;
            tw->scratch_free = cov_worker_free;
            w->id = i;
            w->ctx = tw->geos;
        }
        if (!w || (e->prepare && e->prepare(w) != 0)) {
            tc_workers_free(&ws);
            tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the coverage engine");
        }
    }
    return ws;
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

/* Union and intersection round differently: a covered area past the
 * polygon's by rounding alone (VERIFY_AREA_REL) is the whole polygon;
 * anything more is left as it is, for verify_coverage to report. */
static double clamp_rounding(double covered_m2, double area_m2)
{
    return covered_m2 > area_m2 && covered_m2 <= area_m2 * (1 + VERIFY_AREA_REL) ? area_m2
                                                                                 : covered_m2;
}

static void finish_result(const struct township *t, struct cov_result *r)
{
    r->area_m2 = t->area_m2;
    r->covered_m2 = clamp_rounding(r->covered_m2, r->area_m2);
    r->covered_frac = r->area_m2 > 0 ? r->covered_m2 / r->area_m2 : 0.0;
    r->seat_covered_m2 = clamp_rounding(r->seat_covered_m2, r->seat_area_m2);
    r->seat_covered_frac = r->seat_area_m2 > 0 ? r->seat_covered_m2 / r->seat_area_m2 : 0.0;
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

static int *work_order(const struct tc_map *map, const struct cov_index *ix, int threads,
                       const unsigned char *mine, int *count)
{
    struct work *w = malloc(sizeof *w * ((size_t)map->n + 1));
    int *order = malloc(sizeof *order * ((size_t)map->n + 1));
    if (!w || !order) {
        free(w);
        free(order);
        return NULL;
    }
    int n = 0;
    for (int t = 0; t < map->n; t++)
        if (!mine || mine[t])
            w[n++].t = t;
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (int k = 0; k < n; k++)
        w[k].cost = ix ? cov_index_load(ix, &map->t[w[k].t]) : 0;
    qsort(w, (size_t)n, sizeof *w, by_cost);
    for (int k = 0; k < n; k++)
        order[k] = w[k].t;
    free(w);
    *count = n;
    return order;
}

/* ---- one township ---------------------------------------------------------*/

/* The seat area as a township of the engines' own: the same seat, its own
 * polygon, area and envelope. */
static void seat_township(const struct township *t, const struct tc_seat_areas *s, int i,
                          struct township *out)
{
    *out = *t;
    out->geom = s->geom[i];
    out->area_m2 = s->area_m2[i];
    out->xmin = s->envelope[i][0];
    out->ymin = s->envelope[i][1];
    out->xmax = s->envelope[i][2];
    out->ymax = s->envelope[i][3];
}

/* Township i's key points: covered when inside one of the candidates
 * w->ids[0..n-1] (every footprint meeting the township's envelope; a
 * point outside that envelope, or the naive engine, asks every footprint).
 * Each key point has one township, so this thread alone writes its flag. */
static void key_points_coverage(const struct cov_worker *w, const struct tc_footprints *fp,
                                const struct township *t, struct tc_key_points *kp, int i,
                                long n, int all, struct cov_result *r)
{
    r->key_points = (int)(kp->first[i + 1] - kp->first[i]);
    r->key_points_covered = 0;
    for (long j = kp->first[i]; j < kp->first[i + 1]; j++) {
        long p = kp->order[j];
        double x = kp->x[p], y = kp->y[p];
        int any = all || x < t->xmin || x > t->xmax || y < t->ymin || y > t->ymax, in = 0;
        for (long c = 0; !in && c < (any ? fp->n : n); c++)
            in = footprint_contains(fp, any ? c : w->ids[c], x, y);
        kp->covered[p] = (unsigned char)in;
        r->key_points_covered += in;
    }
}

/* Keeps of the township's candidates w->ids[0..n-1] those whose envelope
 * meets the seat area's (in order); returns how many. */
static long near_seat(struct cov_worker *w, const struct tc_footprints *fp,
                      const struct township *seat, long n)
{
    long k = 0;
    for (long j = 0; j < n; j++) {
        long f = w->ids[j];
        if (fp->xmax[f] >= seat->xmin && fp->xmin[f] <= seat->xmax && fp->ymax[f] >= seat->ymin &&
            fp->ymin[f] <= seat->ymax)
            w->ids[k++] = f;
    }
    return k;
}

/* The covered part of township i's seat area, by the engine that did the
 * township, from the candidates it found for it (w->ids[0..n-1]: every
 * footprint meeting the township's envelope, so the seat area's too). */
static int seat_coverage(struct cov_worker *w, const struct cov_engine *e, long n,
                         const struct tc_footprints *fp,
                         const struct township *t, const struct tc_seat_areas *seats, int i,
                         struct cov_result *r)
{
    r->seat_area_m2 = seats->area_m2[i];
    r->seat_covered_m2 = 0;
    if (!(r->seat_area_m2 > 0))
        return 0;
    if (seats->whole[i]) { /* the township itself: its answer */
        r->seat_covered_m2 = r->covered_m2;
        return 0;
    }
    struct township seat;
    seat_township(t, seats, i, &seat);
    n = near_seat(w, fp, &seat, n);
    struct cov_result sr = {0};
    int rc = cov_engine_answer(e, w, fp, &seat, n, &sr, NULL);
    r->seat_covered_m2 = sr.covered_m2;
    return rc;
}

int cov_seat_with(struct tc_worker *tw, int engine, const struct tc_map *map,
                  const struct tc_seat_areas *seats, int t, const struct tc_footprints *fp,
                  const long *ids, long n, double *covered_m2)
{
    struct cov_worker *w = tw->scratch;
    *covered_m2 = 0;
    if (!(seats->area_m2[t] > 0))
        return 0;
    if (cov_worker_reserve(w, n) != 0)
        return -1;
    for (long j = 0; j < n; j++)
        w->ids[j] = ids[j];
    struct township seat;
    if (seats->whole[t])
        seat = map->t[t]; /* the township itself, as cov_compute does it */
    else
        seat_township(&map->t[t], seats, t, &seat);
    /* An engine that finds its own candidates (naive) is answered here by
     * the reference on these, which is its union on them. */
    const struct cov_engine *e = cov_engine_of(engine);
    if (!(e->caps & COV_CAP_INDEX))
        e = cov_engine_of(COV_ENGINE_GEOS);
    struct cov_result sr = {0};
    if (cov_engine_answer(e, w, fp, &seat, n, &sr, NULL) != 0)
        return -1;
    *covered_m2 = clamp_rounding(sr.covered_m2, seats->area_m2[t]);
    return 0;
}

static int township_coverage(struct cov_worker *w, const struct cov_engine *e,
                             const struct cov_index *ix,
                             const struct tc_footprints *fp, const struct tc_map *map,
                             const struct tc_seat_areas *seats, int i, struct cov_result *r,
                             struct parts_place *pl)
{
    const struct township *t = &map->t[i];
    r->by_geos = 0;
    int indexed = (e->caps & COV_CAP_INDEX) != 0;
    long n = indexed ? cov_candidates(w, ix, fp, t) : 0;
    if (n < 0)
        return -1;
    int rc = cov_engine_answer(e, w, fp, t, n, r, pl);
    if (rc == 0 && seats) {
        key_points_coverage(w, fp, t, seats->keys, i, n, !indexed, r);
        rc = seat_coverage(w, e, n, fp, t, seats, i, r);
    }
    return rc;
}

int cov_compute(const struct cov_config *cfg, const struct tc_map *map,
                const struct tc_sites *sites, const struct tc_footprints *fp,
                const struct tc_seat_areas *seats, int threads,
                struct cov_result *results, struct cov_parts **parts, struct tc_error *err)
{
    return cov_compute_some(cfg, map, sites, fp, seats, threads, NULL, results, parts, err);
}

int cov_compute_some(const struct cov_config *cfg, const struct tc_map *map,
                     const struct tc_sites *sites, const struct tc_footprints *fp,
                     const struct tc_seat_areas *seats, int threads, const unsigned char *mine,
                     struct cov_result *results, struct cov_parts **parts, struct tc_error *err)
{
    count_sites(map, sites, results);
    const struct cov_engine *e = cov_engine_of(cfg->engine);
    int naive = !(e->caps & COV_CAP_INDEX); /* no index to build */
    int nthreads = e->caps & COV_CAP_THREADS ? threads : 1;
    struct tc_workers *ws = workers_new(nthreads, e, err);
    if (!ws)
        return -1;
    nthreads = ws->n;
    struct cov_index *ix = naive ? NULL : cov_index_new(map, fp);
    struct parts_place *place = parts ? places_new(map->n) : NULL;
    int n_work = 0;
    int *order = work_order(map, ix, nthreads, mine, &n_work);
    if ((!naive && !ix) || (parts && !place) || !order) {
        cov_index_free(&ix);
        tc_workers_free(&ws);
        free(place);
        free(order);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the coverage engine");
    }
    #pragma omp parallel num_threads(nthreads)
    {
        struct tc_worker *tw = &ws->w[omp_get_thread_num()];
        struct cov_worker *w = tw->scratch;
        #pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < n_work; k++) {
            int t = order[k];
            if (tc_interrupted())
                continue; /* OpenMP loops cannot break: skip what is left */
            if (omp_get_thread_num() == 0) /* handed out in order: k is the share done */
                tc_progress("coverage", k, n_work);
            if (township_coverage(w, e, ix, fp, map, seats, t, &results[t],
                                  place ? &place[t] : NULL) != 0)
                /* in this thread's slot: the lowest township wins, after the loop */
                tc_worker_failf(tw, t, tc_worker_geos_status(tw), "%s on township %s (%s)",
                                tc_worker_geos_status(tw) == TC_EXIT_RESOURCE
                                    ? "out of memory" : "GEOS failed",
                                map->t[t].code, map->t[t].name);
            finish_result(&map->t[t], &results[t]);
        }
    }
    tc_progress_end();
    cov_index_free(&ix);
    int rc = 0;
    if (tc_interrupted())
        rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while computing coverage");
    else
        rc = tc_workers_failure(ws, err);
    if (rc == 0 && parts) {
        struct ring_store *stores = malloc(sizeof *stores * (size_t)nthreads);
        for (int i = 0; stores && i < nthreads; i++)
            stores[i] = ((const struct cov_worker *)ws->w[i].scratch)->rings;
        *parts = stores ? cov_parts_gather(map->n, place, stores, nthreads) : NULL;
        free(stores);
        if (!*parts)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the covered parts");
    }
    tc_workers_free(&ws);
    free(place);
    free(order);
    return rc;
}
