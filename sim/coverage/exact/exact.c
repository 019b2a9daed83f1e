/* exact.c — the exact coverage engine (see exact.h): its scratch and the
 * phases run in order for each township.
 *
 * area(T ∩ U), U the union of the footprints, without polygon overlay:
 * by Green's theorem the area is ½∮(x dy − y dx) along the boundary of
 * T ∩ U, which is made of the pieces of ∂T inside some footprint and the
 * pieces of each footprint's ring inside T and outside every other
 * footprint. So per township:
 *   1. (load.c) copy the township's rings and the candidate footprints into one
 *      vertex array, in coordinates local to the township (small numbers,
 *      small rounding), every ring oriented with T (or the footprint) on its
 *      left; byte-identical footprints are kept once, with a multiplicity;
 *   2. (bucket.c) bucket the township's edges into a uniform grid over its envelope
 *      and classify the cells they miss as inside or outside T; footprint
 *      edges are walked only where they may meet T (not on cells wholly
 *      outside it), and bucketed with their neighbours; (deep.c) a walked
 *      edge inside T and inside another footprint's sure disc is deep: it
 *      cannot bound T ∩ U, and is bucketed only as a neighbour of walked
 *      edges, so pairs of deep edges (most pairs where stations are dense)
 *      are never tested; one inside another's sure disc but near or
 *      across ∂T is covered: paired with T's edges and walked ones only;
 *   3. (pairs.c) find the proper crossings of township/footprint and footprint/
 *      footprint edges between neighbouring cells, with orientation signs
 *      that are exact (Shewchuk's filter): a sign the filter cannot decide
 *      means a vertex on an edge, collinear edges or a near tie, and the
 *      engine declines (-1: the driver asks GEOS);
 *   4. (walk.c) walk each ring (each run of walked footprint edges), toggling
 *      "inside T" and "how many other footprints contain me" at its
 *      crossings, and add the pieces that lie on the boundary of T ∩ U.
 *      The state at the start of a walk, or past a deep edge, comes from
 *      exact point-in-polygon tests at a vertex (sectors.c answers most from
 *      the sure radii of the point's direction); nothing is computed at a
 *      computed point. Deep edges change which vertices are tested, never
 *      the pieces added nor their order: the area is the same, bit for bit.
 * With rings kept, rings.c chains the boundary the walks recorded.
 * Everything runs in a fixed order, so results do not depend on threads. */
#include "exact_internal.h"

#include <math.h>
#include <stdlib.h>

#include "towncov/map.h"

struct covx_scratch *covx_scratch_new(GEOSContextHandle_t ctx)
{
    struct covx_scratch *s = calloc(1, sizeof *s);
    if (s)
        s->ld.ctx = ctx;
    return s;
}

static void free_bufs(struct buf *b, int n)
{
    for (int i = 0; i < n; i++)
        free(b[i].p);
}

void covx_scratch_free(struct covx_scratch **ps)
{
    struct covx_scratch *s = ps ? *ps : NULL;
    if (!s)
        return;
    free_bufs(s->ld.bufs, LB_COUNT);
    for (int i = 0; s->ld.memo && i < SHAPE_MEMO; i++)
        free(s->ld.memo[i].xy.p);
    free(s->ld.memo);
    free_bufs(s->gr.bufs, GB_COUNT);
    free_bufs(s->dp.bufs, DB_COUNT);
    free_bufs(s->dp.fine.bufs, CB_COUNT);
    free_bufs(s->gr.m.bufs, CB_COUNT);
    free_bufs(s->xs.bufs, XB_COUNT);
    free_bufs(s->wk.bufs, WB_COUNT);
    void *ch[] = {s->ch.head,  s->ch.pos, s->ch.same,   s->ch.node,  s->ch.stack, s->ch.used,
                  s->ch.rx,    s->ch.ry,  s->ch.rstart, s->ch.rarea, s->ch.rshell};
    for (size_t i = 0; i < sizeof ch / sizeof ch[0]; i++)
        free(ch[i]);
    free(s); /* s->ld.ctx is the caller's */
    *ps = NULL;
}

/* ---- the engine -------------------------------------------------------------*/

/* The phases after load, each filling its own state from the earlier ones'. */
static int township_phases(struct covx_scratch *s, double *acc)
{
    const struct covx_load *ld = &s->ld;
    return covx_bucket_township(&s->gr, ld) != 0 || covx_index_stations(&s->dp, ld, &s->gr) != 0 ||
                   covx_bucket_footprints(&s->gr, ld, &s->dp) != 0 ||
                   covx_find_crossings(&s->xs, ld, &s->gr) != 0 ||
                   covx_tile_footprints(&s->wk, ld, &s->gr) != 0 ||
                   covx_walk_rings(&s->wk, ld, &s->gr, &s->xs, acc) != 0
               ? -1
               : 0;
}

/* The reason of the phase that declined. */
static int declined(struct covx_scratch *s)
{
    int why[] = {s->ld.reason, s->gr.reason, s->dp.reason, s->xs.reason, s->wk.reason};
    for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
        if (why[i] != COVX_OK)
            return decline(&s->reason, why[i]);
    return decline(&s->reason, COVX_INCONSISTENT);
}

static int township_exact(struct covx_scratch *s, const struct township *t,
                          const struct tc_footprints *fp, const long *ids, long n,
                          struct cov_result *r)
{
    struct covx_load *ld = &s->ld;
    ld->nv = 0;
    ld->nring = ld->ntring = ld->nuf = 0;
    ld->lmax = ld->linv = 0.0;
    ld->lcount = 0;
    /* An integral origin: translating by it is exact for most coordinates. */
    ld->ox = round(0.5 * (t->xmin + t->xmax));
    ld->oy = round(0.5 * (t->ymin + t->ymax));
    if (covx_load_township(ld, t) != 0)
        return declined(s);
    if (ld->ntring == 0)
        return 0; /* empty township: nothing meets it */
    double acc = 0.0;
    if (covx_load_footprints(ld, fp, ids, n) != 0 || township_phases(s, &acc) != 0)
        return declined(s);
    int seat = covx_seat_side(&s->wk, ld, &s->gr, t->seat_x - ld->ox, t->seat_y - ld->oy);
    if (seat == SIDE_UNSURE)
        return decline(&s->reason, COVX_POINT);
    double area = 0.5 * acc;
    if (area < -1e-6 * (1.0 + t->area_m2))
        return decline(&s->reason, COVX_INCONSISTENT);
    r->covered_m2 = dmax(area, 0.0);
    r->seat_covered = seat == SIDE_IN;
    for (int u = 0; u < ld->nuf; u++)
        r->footprints += s->wk.reach[u] ? ld->uf[u].mult : 0;
    return 0;
}

/* ---- the engine's entry point ------------------------------------------------*/

int covx_township(struct covx_scratch *s, const struct township *t,
                  const struct tc_footprints *fp, const long *ids, long n, struct cov_result *r)
{
    r->covered_m2 = 0.0;
    r->seat_covered = 0;
    r->footprints = 0;
    s->reason = s->ld.reason = s->gr.reason = s->dp.reason = s->xs.reason = s->wk.reason =
        COVX_OK;
    s->wk.nedge = 0;
    s->chained = 0;
    if (n > 0 && township_exact(s, t, fp, ids, n, r) != 0)
        return s->reason == COVX_NOMEM ? COVX_NO_MEMORY : -1;
    /* n == 0: no footprint reaches it, and no ring bounds its covered part */
    s->chained = s->wk.keep &&
                 covx_chain_boundary(&s->ch, s->wk.edge, s->wk.nedge, t, r->covered_m2) == 0;
    return 0;
}
