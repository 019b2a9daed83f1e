/* densify.c — points inserted along a polygon's edges, computed alike
 * whichever way a ring runs, so that two townships sharing an edge get
 * identical vertices. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>

/* Inserts points every `step` or less along each edge. Unlike GEOSDensify,
 * the points of an edge are computed from its lexicographically smaller end,
 * so the two townships sharing an edge get bit-identical vertices whichever
 * way their rings run: the tiling stays exact. */
static int densify_edge(struct pts *out, double ax, double ay, double bx, double by, double step)
{
    int forward = ax < bx || (ax == bx && ay <= by);
    double px = forward ? ax : bx, py = forward ? ay : by;
    double qx = forward ? bx : ax, qy = forward ? by : ay;
    double len = hypot(qx - px, qy - py);
    int k = (int)ceil(len / step);
    for (int i = 1; i < k; i++) {
        int j = forward ? i : k - i;
        double f = (double)j / k;
        if (mg_pts_push(out, px + (qx - px) * f, py + (qy - py) * f) != 0)
            return -1;
    }
    return 0;
}

static GEOSGeometry *densify_ring(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double step)
{
    double *x, *y;
    int n = mg_ring_coords(ctx, ring, &x, &y);
    if (n < 0)
        return NULL;
    struct pts out = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = mg_pts_push(&out, x[i], y[i]);
        if (rc == 0 && i + 1 < n)
            rc = densify_edge(&out, x[i], y[i], x[i + 1], y[i + 1], step);
    }
    free(x);
    free(y);
    GEOSGeometry *r = NULL;
    if (rc == 0) {
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromArrays_r(ctx, out.x, out.y, NULL, NULL, (unsigned)out.n);
        r = seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
    }
    mg_pts_free(&out);
    return r;
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
