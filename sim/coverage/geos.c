/* geos.c — the reference engine (see coverage.h): per township, the
 * footprints its index finds and GEOS says meet it, their cascaded union,
 * intersected with the township. Also what the exact engine falls back on
 * and what the exporters ask for the covered part where no rings were
 * kept (cov_township_geometry). */
#include "towncov/coverage.h"

#include <math.h>
#include <stdlib.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/map.h"

#include "coverage_internal.h"

/* Area of township ∩ union(footprints); the union is built with GEOS's
 * cascaded UnaryUnion. Takes ownership of polys. */
double cov_covered_area(GEOSContextHandle_t ctx, const GEOSGeometry *township,
                        GEOSGeometry **polys, unsigned n, GEOSGeometry **covered_out)
{
    if (n == 0) {
        if (covered_out)
            *covered_out = NULL;
        return 0.0;
    }
    /* Any GEOS result may be NULL (out of memory, an exception): the area
     * is then NaN, which the callers report as a failure naming the
     * township, never a crash. */
    GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys, n);
    GEOSGeometry *uni = coll ? GEOSUnaryUnion_r(ctx, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(ctx, coll);
    GEOSGeometry *cut = uni ? GEOSIntersection_r(ctx, township, uni) : NULL;
    if (uni)
        GEOSGeom_destroy_r(ctx, uni);
    double area = NAN;
    if (cut && GEOSArea_r(ctx, cut, &area) != 1)
        area = NAN;
    if (covered_out)
        *covered_out = cut;
    else if (cut)
        GEOSGeom_destroy_r(ctx, cut);
    return area;
}

/* Builds the footprints among ids[0..n-1] that meet the township into
 * w->polys; returns how many, and whether one covers the seat; -1 when
 * GEOS failed (a NULL result under memory pressure, or a predicate's 2:
 * taken for "does not meet", it would drop a footprint silently). */
static long reaching_footprints(struct cov_worker *w, const struct tc_footprints *fp,
                                const struct township *t, long n, int *seat_covered)
{
    GEOSContextHandle_t ctx = w->ctx;
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, t->geom);
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    long k = 0;
    int failed = !prep || !seat;
    *seat_covered = 0;
    for (long j = 0; !failed && j < n; j++) {
        GEOSGeometry *poly = footprint_polygon(ctx, fp, w->ids[j]);
        char meets = poly ? GEOSPreparedIntersects_r(ctx, prep, poly) : 2;
        char on_seat = meets == 1 && !*seat_covered ? GEOSIntersects_r(ctx, poly, seat) : 0;
        if (meets == 2 || on_seat == 2) {
            if (poly)
                GEOSGeom_destroy_r(ctx, poly);
            failed = 1;
            break;
        }
        if (meets != 1) {
            GEOSGeom_destroy_r(ctx, poly);
            continue;
        }
        *seat_covered |= on_seat == 1;
        w->polys[k++] = poly;
    }
    for (long j = 0; failed && j < k; j++) /* what was built is given back */
        GEOSGeom_destroy_r(ctx, w->polys[j]);
    if (seat)
        GEOSGeom_destroy_r(ctx, seat);
    if (prep)
        GEOSPreparedGeom_destroy_r(ctx, prep);
    return failed ? -1 : k;
}

/* The GEOS computation on the n candidates already in w->ids. */
int cov_geos_on_candidates(struct cov_worker *w, const struct tc_footprints *fp,
                           const struct township *t, long n, struct cov_result *r)
{
    long k = reaching_footprints(w, fp, t, n, &r->seat_covered);
    if (k < 0)
        return -1;
    r->footprints = (int)k;
    r->covered_m2 = cov_covered_area(w->ctx, t->geom, w->polys, (unsigned)k, NULL);
    return isnan(r->covered_m2) ? -1 : 0;
}

GEOSGeometry *cov_township_geometry(GEOSContextHandle_t ctx, const struct tc_map *map,
                                    const struct tc_footprints *fp, const struct cov_index *idx,
                                    int t)
{
    struct cov_worker w = {.ctx = ctx};
    const struct township *tw = &map->t[t];
    long n = cov_candidates(&w, idx, fp, tw);
    GEOSGeometry *covered = NULL;
    if (n >= 0) {
        int seat;
        long k = reaching_footprints(&w, fp, tw, n, &seat);
        if (k == 0)
            covered = GEOSGeom_createEmptyPolygon_r(ctx);
        else if (k > 0)
            cov_covered_area(ctx, tw->geom, w.polys, (unsigned)k, &covered);
    }
    free(w.ids);
    free(w.polys);
    return covered;
}

