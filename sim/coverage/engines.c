/* engines.c — the coverage engines' table (see coverage_internal.h): each
 * engine's name, what it can do and how it answers one polygon (a township
 * or its seat area). The driver (coverage.c) picks an entry and never
 * names an engine; the fallback to GEOS where an engine declines is the
 * driver's, written once (cov_engine_answer). */
#include "coverage_internal.h"

#include <stdlib.h>

#include "exact/exact.h"

/* ---- exact: boundary integration (exact/) -------------------------------- */

/* Each worker's scratch, reading geometries with the worker's GEOS context. */
static int exact_prepare(struct cov_worker *w)
{
    w->exact = covx_scratch_new(w->ctx);
    return w->exact ? 0 : -1;
}

/* Keeps the rings of the township the engine just did, when they chained
 * (else pl->store stays -1 and the exporter asks GEOS). */
static int keep_rings(struct cov_worker *w, struct parts_place *pl)
{
    struct covx_rings r;
    if (covx_rings(w->exact, &r) != 0)
        return 0;
    return cov_store_add(&w->rings, &r, pl, w->id);
}

static int exact_area(struct cov_worker *w, const struct tc_footprints *fp,
                      const struct township *t, long n, struct cov_result *r,
                      struct parts_place *pl)
{
    covx_keep_rings(w->exact, pl != NULL); /* only the townships' rings are kept */
    int rc = covx_township(w->exact, t, fp, w->ids, n, r);
    if (rc == COVX_NO_MEMORY)
        return COV_NO_MEMORY;
    if (rc != 0)
        return 1; /* a degenerate contact: declined */
    return pl ? keep_rings(w, pl) : 0;
}

/* ---- geos: the reference (geos.c) and naive: the baseline (naive.c) ------ */

static int geos_area(struct cov_worker *w, const struct tc_footprints *fp,
                     const struct township *t, long n, struct cov_result *r,
                     struct parts_place *pl)
{
    (void)pl;
    return cov_geos_on_candidates(w, fp, t, n, r);
}

static int naive_area(struct cov_worker *w, const struct tc_footprints *fp,
                      const struct township *t, long n, struct cov_result *r,
                      struct parts_place *pl)
{
    (void)n; /* it tests every footprint's envelope itself */
    (void)pl;
    return cov_naive_township(w, fp, t, r);
}

/* Indexed by enum cov_engine_id; names in the [coverage] engine key's order. */
static const struct cov_engine engines[COV_ENGINE_COUNT] = {
    [COV_ENGINE_GEOS] = {"geos", COV_CAP_INDEX | COV_CAP_THREADS, NULL, geos_area},
    [COV_ENGINE_NAIVE] = {"naive", 0, NULL, naive_area},
    [COV_ENGINE_EXACT] = {"exact", COV_CAP_INDEX | COV_CAP_THREADS | COV_CAP_RINGS,
                          exact_prepare, exact_area},
};

const struct cov_engine *cov_engine_of(int id)
{
    return id >= 0 && id < COV_ENGINE_COUNT ? &engines[id] : NULL;
}

const char *cov_engine_name(int id)
{
    return id >= 0 && id < COV_ENGINE_COUNT ? engines[id].name : "?";
}

int cov_engine_answer(const struct cov_engine *e, struct cov_worker *w,
                      const struct tc_footprints *fp, const struct township *t, long n,
                      struct cov_result *r, struct parts_place *pl)
{
    int rc = e->area(w, fp, t, n, r, pl);
    if (rc > 0) { /* declined: GEOS answers on the same candidates */
        r->by_geos = 1;
        rc = cov_geos_on_candidates(w, fp, t, n, r);
    }
    return rc;
}
