/* densify.c — densified copies of the builder's polygons (densify.h), the
 * points of an edge computed from its lexicographically smaller end: the two
 * townships sharing an edge get bit-identical vertices whichever way their
 * rings run, so the tiling stays exact (GEOSDensify would not). */
#include "mapgen_internal.h"

#include <limits.h>
#include <stdlib.h>

#include "towncov/densify.h"

static GEOSGeometry *densify_ring(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double step)
{
    double *x, *y, *ox, *oy;
    int n = mg_ring_coords(ctx, ring, &x, &y);
    if (n < 0)
        return NULL;
    long m = densify_coords(x, y, n, step, DENSIFY_FROM_SMALLER_END, &ox, &oy);
    free(x);
    free(y);
    GEOSCoordSequence *seq = m >= 0 && m <= (long)UINT_MAX
        ? GEOSCoordSeq_copyFromArrays_r(ctx, ox, oy, NULL, NULL, (unsigned)m) : NULL;
    free(ox);
    free(oy);
    return seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
}

static GEOSGeometry *densify_polygon(GEOSContextHandle_t ctx, const GEOSGeometry *p, double step)
{
    int nh = GEOSGetNumInteriorRings_r(ctx, p);
    GEOSGeometry *shell = densify_ring(ctx, GEOSGetExteriorRing_r(ctx, p), step);
    GEOSGeometry **holes = calloc((size_t)nh + 1, sizeof *holes);
    int ok = shell && holes;
    for (int i = 0; ok && i < nh; i++)
        ok = (holes[i] = densify_ring(ctx, GEOSGetInteriorRingN_r(ctx, p, i), step)) != NULL;
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nh) : NULL;
    if (!g) {
        for (int i = 0; holes && i < nh; i++)
            mg_destroy(ctx, &holes[i]);
        mg_destroy(ctx, &shell);
    }
    free(holes);
    return g;
}

/* Densified copy of a Polygon or MultiPolygon. */
GEOSGeometry *mg_densify(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step)
{
    if (GEOSGeomTypeId_r(ctx, g) == GEOS_POLYGON)
        return GEOSisEmpty_r(ctx, g) ? GEOSGeom_clone_r(ctx, g) : densify_polygon(ctx, g, step);
    struct glist l = {0};
    int n = GEOSGetNumGeometries_r(ctx, g);
    for (int i = 0; i < n; i++) {
        GEOSGeometry *d = densify_polygon(ctx, GEOSGetGeometryN_r(ctx, g, i), step);
        if (!d || mg_glist_push(&l, d) != 0) {
            mg_destroy(ctx, &d);
            mg_glist_free(ctx, &l);
            return NULL;
        }
    }
    GEOSGeometry *m = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, l.g, (unsigned)l.n);
    if (m)
        l.n = 0;
    mg_glist_free(ctx, &l);
    return m;
}
