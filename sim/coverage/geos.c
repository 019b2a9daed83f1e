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

/* Builds the footprints among ids[0..n-1] that meet the township into
 * w->polys; returns how many, and whether one covers the seat. */
static unsigned reaching_footprints(struct cov_worker *w, const struct tc_footprints *fp,
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
int cov_geos_on_candidates(struct cov_worker *w, const struct tc_footprints *fp,
                           const struct township *t, long n, struct cov_result *r)
{
    unsigned k = reaching_footprints(w, fp, t, n, &r->seat_covered);
    r->footprints = (int)k;
    r->covered_m2 = cov_covered_area(w->ctx, t->geom, w->polys, k, NULL);
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
        unsigned k = reaching_footprints(&w, fp, tw, n, &seat);
        if (k == 0)
            covered = GEOSGeom_createEmptyPolygon_r(ctx);
        else
            cov_covered_area(ctx, tw->geom, w.polys, k, &covered);
    }
    free(w.ids);
    free(w.polys);
    return covered;
}

