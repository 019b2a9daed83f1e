/* shpio.c — shapefile records <-> GEOS geometries (see shpio.h).
 * Ring roles come from containment, never from orientation, because
 * writers disagree on orientation; on output we orient as the shapefile
 * specification says (shells clockwise), because readers rely on it. */
#define _POSIX_C_SOURCE 200809L
#include "towncov/shpio.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shpio_internal.h"


const char shpio_wgs84_wkt[] =
    "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,"
    "298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

/* One ring of a record: a slice of the record's vertex arrays plus what
 * nesting needs. */
struct ring {
    const double *x, *y;
    int n;                         /* vertices, closing vertex included if present */
    double area;                   /* absolute shoelace area */
    double xmin, ymin, xmax, ymax;
    int collinear;                 /* all on one line or one point: no area */
    int distinct;                  /* distinct points when collinear (else 3) */
    int depth;                     /* how many rings contain it */
    int parent;                    /* smallest ring containing it, or -1 */
};

/* 1 inside, 0 outside, -1 on the boundary of ring r (even-odd rule). */
static int ring_locate(const struct ring *r, double px, double py)
{
    int inside = 0;
    for (int i = 0, j = r->n - 1; i < r->n; j = i++) {
        double xi = r->x[i], yi = r->y[i], xj = r->x[j], yj = r->y[j];
        double cross = (xj - xi) * (py - yi) - (yj - yi) * (px - xi);
        if (cross == 0.0 && px >= fmin(xi, xj) && px <= fmax(xi, xj) && py >= fmin(yi, yj)
            && py <= fmax(yi, yj))
            return -1;
        if ((yi > py) != (yj > py) && px < xi + (py - yi) * (xj - xi) / (yj - yi))
            inside = !inside;
    }
    return inside;
}

/* Whether ring a lies inside ring b. Rings of valid polygons may touch at
 * vertices, so the first vertex of a that is not on b's boundary decides. */
static int ring_inside(const struct ring *a, const struct ring *b)
{
    if (a->area >= b->area || a->xmin < b->xmin || a->xmax > b->xmax || a->ymin < b->ymin
        || a->ymax > b->ymax)
        return 0;
    for (int i = 0; i < a->n; i++) {
        int where = ring_locate(b, a->x[i], a->y[i]);
        if (where >= 0)
            return where;
    }
    return 0;
}

/* Whether every vertex of r lies on one line (to rounding: the cross
 * product within 1e-12 of the lengths' product). A bowtie's signed area can
 * be zero too, but it has area: only a line has none. */
static int ring_collinear(const struct ring *r)
{
    double x0 = r->x[0], y0 = r->y[0];
    int k = 1;
    while (k < r->n && r->x[k] == x0 && r->y[k] == y0)
        k++;
    if (k == r->n)
        return 1;
    double ux = r->x[k] - x0, uy = r->y[k] - y0, ul = hypot(ux, uy);
    for (int i = k + 1; i < r->n; i++) {
        double vx = r->x[i] - x0, vy = r->y[i] - y0;
        if (fabs(ux * vy - uy * vx) > 1e-12 * ul * hypot(vx, vy))
            return 0;
    }
    return 1;
}

static int cmp_xy(const void *a, const void *b)
{
    const double *p = a, *q = b;
    return p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : p[1] < q[1] ? -1 : p[1] > q[1];
}

/* How many different points the ring has (the closing vertex is the first
 * one again); -1 when out of memory. */
static int distinct_points(const struct ring *r)
{
    double *xy = malloc(sizeof *xy * 2 * (size_t)r->n);
    if (!xy)
        return -1;
    for (int i = 0; i < r->n; i++) {
        xy[2 * i] = r->x[i];
        xy[2 * i + 1] = r->y[i];
    }
    qsort(xy, (size_t)r->n, 2 * sizeof *xy, cmp_xy);
    int count = r->n > 0;
    for (int i = 1; i < r->n; i++)
        count += cmp_xy(xy + 2 * i, xy + 2 * (i - 1)) != 0;
    free(xy);
    return count;
}

/* Fills r from part `part` of obj; checks coordinates, and whether the ring
 * has an area (its distinct points are counted when it has none). */
static int ring_init(const SHPObject *obj, int part, struct ring *r, struct tc_error *err)
{
    int start = obj->panPartStart[part];
    int end = part + 1 < obj->nParts ? obj->panPartStart[part + 1] : obj->nVertices;
    int rec = obj->nShapeId;
    if (start < 0 || end > obj->nVertices || end <= start)
        return tc_fail(err, TC_EXIT_MAP, SHPIO_REC_FMT ": part %d has bad vertex offsets",
                       SHPIO_REC(rec), part);
    r->x = obj->padfX + start;
    r->y = obj->padfY + start;
    r->n = end - start;
    r->xmin = r->ymin = INFINITY;
    r->xmax = r->ymax = -INFINITY;
    for (int i = 0; i < r->n; i++) {
        if (!isfinite(r->x[i]) || !isfinite(r->y[i]))
            return tc_fail(err, TC_EXIT_MAP, SHPIO_REC_FMT ": part %d vertex %d is not a "
                           "finite number", SHPIO_REC(rec), part, i);
        r->xmin = fmin(r->xmin, r->x[i]);
        r->xmax = fmax(r->xmax, r->x[i]);
        r->ymin = fmin(r->ymin, r->y[i]);
        r->ymax = fmax(r->ymax, r->y[i]);
    }
    r->area = fabs(shpio_ring_area2(r->x, r->y, r->n)) / 2.0;
    r->collinear = ring_collinear(r);
    /* Only a ring with no area needs its exact count (for the message). */
    r->distinct = r->collinear ? distinct_points(r) : 3;
    return r->distinct < 0 ? tc_fail(err, TC_EXIT_RESOURCE, SHPIO_REC_FMT ": out of memory",
                                     SHPIO_REC(rec)) : 0;
}

/* A ring with no area: all its points on a line or at one point (fewer
 * than 3 distinct points are on a line too): an islet or a hole that a
 * coarse grid collapsed. */
static int ring_degenerate(const struct ring *r)
{
    return r->collinear;
}

/* Depth and parent of every ring: O(rings^2), fine for the few rings a
 * record has; envelopes reject most pairs. */
static void rings_nest(struct ring *rings, int n)
{
    for (int i = 0; i < n; i++) {
        rings[i].depth = 0;
        rings[i].parent = -1;
        for (int j = 0; j < n; j++) {
            if (j == i || !ring_inside(&rings[i], &rings[j]))
                continue;
            rings[i].depth++;
            if (rings[i].parent < 0 || rings[j].area < rings[rings[i].parent].area)
                rings[i].parent = j;
        }
    }
    /* An inconsistent nesting (a "hole" whose smallest container is itself a
     * hole, only possible with crossing rings) is read as a shell; the
     * caller's validity check reports such records. */
    for (int i = 0; i < n; i++)
        if (rings[i].depth % 2 == 1 && rings[rings[i].parent].depth % 2 == 1)
            rings[i].depth = 0;
}

static int ring_is_shell(const struct ring *rings, int i)
{
    return rings[i].depth % 2 == 0;
}

/* A closed GEOS ring from r (closing it when the file did not). */
static GEOSGeometry *ring_to_geos(GEOSContextHandle_t ctx, const struct ring *r)
{
    int closed = r->x[0] == r->x[r->n - 1] && r->y[0] == r->y[r->n - 1];
    unsigned size = (unsigned)r->n + (closed ? 0u : 1u);
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, size, 2);
    if (!seq)
        return NULL;
    for (unsigned i = 0; i < size; i++) {
        unsigned k = i < (unsigned)r->n ? i : 0u;
        GEOSCoordSeq_setXY_r(ctx, seq, i, r->x[k], r->y[k]);
    }
    return GEOSGeom_createLinearRing_r(ctx, seq);
}

/* The polygon of shell `s` with the holes whose parent it is. */
static GEOSGeometry *shell_to_geos(GEOSContextHandle_t ctx, const struct ring *rings, int n,
                                   int s)
{
    GEOSGeometry **holes = malloc(sizeof *holes * (size_t)n);
    GEOSGeometry *shell = ring_to_geos(ctx, &rings[s]);
    unsigned nholes = 0;
    int ok = holes && shell;
    for (int i = 0; ok && i < n; i++) {
        if (ring_is_shell(rings, i) || rings[i].parent != s)
            continue;
        holes[nholes] = ring_to_geos(ctx, &rings[i]);
        ok = holes[nholes++] != NULL;
    }
    /* A failed create has freed shell and holes already (GEOS 3.11 takes
     * them first): only what never reached it is freed here. */
    GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, nholes) : NULL;
    if (!ok) {
        for (unsigned i = 0; i < nholes; i++)
            if (holes[i])
                GEOSGeom_destroy_r(ctx, holes[i]);
        if (shell)
            GEOSGeom_destroy_r(ctx, shell);
    }
    free(holes);
    return poly;
}

/* Polygon for one shell, MultiPolygon for several (in ring order). */
static GEOSGeometry *rings_to_geos(GEOSContextHandle_t ctx, const struct ring *rings, int n)
{
    GEOSGeometry **polys = malloc(sizeof *polys * (size_t)n);
    unsigned npolys = 0;
    int ok = polys != NULL;
    for (int i = 0; ok && i < n; i++) {
        if (!ring_is_shell(rings, i))
            continue;
        polys[npolys] = shell_to_geos(ctx, rings, n, i);
        ok = polys[npolys++] != NULL;
    }
    GEOSGeometry *g = NULL;
    if (ok)
        g = npolys == 1 ? polys[0] : GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys,
                                                                npolys);
    if (!ok)
        for (unsigned i = 0; polys && i < npolys; i++)
            if (polys[i])
                GEOSGeom_destroy_r(ctx, polys[i]);
    free(polys);
    return g;
}

const char *shpio_type_name(int type)
{
    switch (type) {
    case SHPT_NULL: return "Null";
    case SHPT_POINT: return "Point";
    case SHPT_ARC: return "PolyLine";
    case SHPT_POLYGON: return "Polygon";
    case SHPT_MULTIPOINT: return "MultiPoint";
    case SHPT_POINTZ: return "PointZ";
    case SHPT_ARCZ: return "PolyLineZ";
    case SHPT_POLYGONZ: return "PolygonZ";
    case SHPT_MULTIPOINTZ: return "MultiPointZ";
    case SHPT_POINTM: return "PointM";
    case SHPT_ARCM: return "PolyLineM";
    case SHPT_POLYGONM: return "PolygonM";
    case SHPT_MULTIPOINTM: return "MultiPointM";
    case SHPT_MULTIPATCH: return "MultiPatch";
    }
    return "unknown";
}

int shpio_is_polygon_type(int type)
{
    return type == SHPT_POLYGON || type == SHPT_POLYGONZ || type == SHPT_POLYGONM;
}

void shpio_drops_free(struct shpio_drops *d)
{
    free(d->part);
    d->part = NULL;
    d->n = 0;
}

/* Whether degenerate ring i lies inside one of the rings with an area:
 * then it was a hole, else an islet. */
static int ring_was_hole(const struct ring *rings, int n, int i)
{
    for (int j = 0; j < n; j++)
        if (j != i && !ring_degenerate(&rings[j]) && ring_locate(&rings[j], rings[i].x[0],
                                                                 rings[i].y[0]) > 0)
            return 1;
    return 0;
}

/* Records the degenerate rings in drops (or fails when drops is NULL) and
 * moves the others to the front; returns how many are left, or -1. */
static int drop_degenerate(const SHPObject *obj, struct ring *rings, int n,
                           struct shpio_drops *drops, struct tc_error *err)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += ring_degenerate(&rings[i]);
    if (bad == 0)
        return n;
    if (drops && tc_resize((void **)&drops->part, (size_t)bad, sizeof *drops->part) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, SHPIO_REC_FMT ": out of memory",
                       SHPIO_REC(obj->nShapeId));
    for (int i = 0; i < n; i++) {
        const struct ring *r = &rings[i];
        if (!ring_degenerate(r))
            continue;
        struct shpio_drop d = {i, r->n, r->distinct, ring_was_hole(rings, n, i)};
        if (!drops)
            return tc_fail(err, TC_EXIT_MAP, SHPIO_REC_FMT ": part %d (%s of %d vertices) has "
                           "%d distinct point%s%s: it has no area", SHPIO_REC(obj->nShapeId),
                           i, d.hole ? "a hole" : "a ring", d.vertices, d.distinct,
                           d.distinct == 1 ? "" : "s", d.distinct >= 3 ? ", all on a line" : "");
        drops->part[drops->n++] = d;
    }
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (!ring_degenerate(&rings[i]))
            rings[kept++] = rings[i];
    if (kept == 0)
        return tc_fail(err, TC_EXIT_MAP, SHPIO_REC_FMT ": no part has an area (its %d part%s "
                       "collapsed to points or lines)", SHPIO_REC(obj->nShapeId), n,
                       n == 1 ? "" : "s");
    return kept;
}

GEOSGeometry *shpio_polygon_to_geos(GEOSContextHandle_t ctx, const SHPObject *obj,
                                    struct shpio_drops *drops, struct tc_error *err)
{
    int type = obj->nSHPType;
    if (type != SHPT_NULL && !shpio_is_polygon_type(type)) {
        tc_fail(err, TC_EXIT_MAP, SHPIO_REC_FMT ": shape type %s, not a polygon",
                SHPIO_REC(obj->nShapeId), shpio_type_name(type));
        return NULL;
    }
    if (type == SHPT_NULL || obj->nVertices == 0 || obj->nParts == 0)
        return GEOSGeom_createEmptyPolygon_r(ctx);
    struct ring *rings = malloc(sizeof *rings * (size_t)obj->nParts);
    if (!rings) {
        tc_fail(err, TC_EXIT_RESOURCE, SHPIO_REC_FMT ": out of memory", SHPIO_REC(obj->nShapeId));
        return NULL;
    }
    GEOSGeometry *g = NULL;
    int rc = 0;
    for (int i = 0; rc == 0 && i < obj->nParts; i++)
        rc = ring_init(obj, i, &rings[i], err);
    int n = rc == 0 ? drop_degenerate(obj, rings, obj->nParts, drops, err) : -1;
    if (n > 0) {
        rings_nest(rings, n);
        g = rings_to_geos(ctx, rings, n);
        /* The rings left are closed and have an area, all GEOS can refuse
         * here is memory (its std::bad_alloc, or our arrays). */
        if (!g)
            tc_fail(err, TC_EXIT_RESOURCE, SHPIO_REC_FMT ": out of memory building the polygon",
                    SHPIO_REC(obj->nShapeId));
    }
    free(rings);
    return g;
}
