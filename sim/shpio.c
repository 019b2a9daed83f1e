/* shpio.c — shapefile records <-> GEOS geometries (see shpio.h).
 * Ring roles come from containment, never from orientation, because
 * writers disagree on orientation; on output we orient as the shapefile
 * specification says (shells clockwise), because readers rely on it. */
#define _POSIX_C_SOURCE 200809L
#include "towncov/shpio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int depth;                     /* how many rings contain it */
    int parent;                    /* smallest ring containing it, or -1 */
};

/* Twice the signed area (counter-clockwise positive); works on open or
 * closed rings because a closing edge of zero length adds nothing. */
static double ring_area2(const double *x, const double *y, int n)
{
    double s = 0.0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        s += (x[j] - x[i]) * (y[j] + y[i]);
    return s;
}

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

/* Fills r from part `part` of obj; checks coordinates and distinct points. */
static int ring_init(const SHPObject *obj, int part, struct ring *r, struct tc_error *err)
{
    int start = obj->panPartStart[part];
    int end = part + 1 < obj->nParts ? obj->panPartStart[part + 1] : obj->nVertices;
    if (start < 0 || end > obj->nVertices || end <= start)
        return tc_fail(err, TC_EXIT_MAP, "record %d: ring %d has bad vertex offsets",
                       obj->nShapeId, part);
    r->x = obj->padfX + start;
    r->y = obj->padfY + start;
    r->n = end - start;
    r->xmin = r->ymin = INFINITY;
    r->xmax = r->ymax = -INFINITY;
    int distinct = 0;
    for (int i = 0; i < r->n; i++) {
        if (!isfinite(r->x[i]) || !isfinite(r->y[i]))
            return tc_fail(err, TC_EXIT_MAP, "record %d: ring %d vertex %d is not a finite "
                           "number", obj->nShapeId, part, i);
        if (i == 0 || r->x[i] != r->x[i - 1] || r->y[i] != r->y[i - 1])
            distinct++;
        r->xmin = fmin(r->xmin, r->x[i]);
        r->xmax = fmax(r->xmax, r->x[i]);
        r->ymin = fmin(r->ymin, r->y[i]);
        r->ymax = fmax(r->ymax, r->y[i]);
    }
    if (r->n > 1 && r->x[0] == r->x[r->n - 1] && r->y[0] == r->y[r->n - 1])
        distinct--; /* the closing vertex repeats the first */
    if (distinct < 3)
        return tc_fail(err, TC_EXIT_MAP, "record %d: ring %d has %d distinct point%s (a ring "
                       "needs 3)", obj->nShapeId, part, distinct, distinct == 1 ? "" : "s");
    r->area = fabs(ring_area2(r->x, r->y, r->n)) / 2.0;
    return 0;
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
    GEOSGeometry *poly = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, nholes) : NULL;
    if (!poly) {
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
    if (!g)
        for (unsigned i = 0; polys && i < npolys; i++)
            if (polys[i])
                GEOSGeom_destroy_r(ctx, polys[i]);
    free(polys);
    return g;
}

GEOSGeometry *shpio_polygon_to_geos(GEOSContextHandle_t ctx, const SHPObject *obj,
                                    struct tc_error *err)
{
    int type = obj->nSHPType;
    if (type == SHPT_NULL || obj->nVertices == 0 || obj->nParts == 0)
        return GEOSGeom_createEmptyPolygon_r(ctx);
    if (type != SHPT_POLYGON && type != SHPT_POLYGONZ && type != SHPT_POLYGONM) {
        tc_fail(err, TC_EXIT_MAP, "record %d: shape type %s, not a polygon", obj->nShapeId,
                SHPTypeName(type));
        return NULL;
    }
    struct ring *rings = malloc(sizeof *rings * (size_t)obj->nParts);
    if (!rings) {
        tc_fail(err, TC_EXIT_RESOURCE, "record %d: out of memory", obj->nShapeId);
        return NULL;
    }
    GEOSGeometry *g = NULL;
    int rc = 0;
    for (int i = 0; rc == 0 && i < obj->nParts; i++)
        rc = ring_init(obj, i, &rings[i], err);
    if (rc == 0) {
        rings_nest(rings, obj->nParts);
        g = rings_to_geos(ctx, rings, obj->nParts);
        if (!g)
            tc_fail(err, TC_EXIT_INTERNAL, "record %d: GEOS could not build the polygon",
                    obj->nShapeId);
    }
    free(rings);
    return g;
}

/* ---- writing --------------------------------------------------------- */

/* Vertex buffers of one record under construction. */
struct rec_buf {
    double *x, *y;
    int *starts;
    int nv, nparts, cap_v, cap_p;
};

static int buf_reserve(struct rec_buf *b, int more_v)
{
    if (b->nparts + 1 > b->cap_p) {
        int cap = b->cap_p ? 2 * b->cap_p : 8;
        int *p = realloc(b->starts, sizeof *p * (size_t)cap);
        if (!p)
            return -1;
        b->starts = p;
        b->cap_p = cap;
    }
    if (b->nv + more_v > b->cap_v) {
        int cap = b->cap_v ? 2 * b->cap_v : 256;
        while (cap < b->nv + more_v)
            cap *= 2;
        double *x = realloc(b->x, sizeof *x * (size_t)cap);
        if (x)
            b->x = x;
        double *y = realloc(b->y, sizeof *y * (size_t)cap);
        if (y)
            b->y = y;
        if (!x || !y)
            return -1;
        b->cap_v = cap;
    }
    return 0;
}

/* Appends ring r; reverses it when its orientation is not the wanted one
 * (clockwise for shells, counter-clockwise for holes). */
static int buf_add_ring(GEOSContextHandle_t ctx, struct rec_buf *b, const GEOSGeometry *r,
                        int clockwise)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, r);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || buf_reserve(b, (int)n) != 0)
        return -1;
    double *x = b->x + b->nv, *y = b->y + b->nv;
    if (!GEOSCoordSeq_copyToArrays_r(ctx, seq, x, y, NULL, NULL))
        return -1;
    int is_cw = ring_area2(x, y, (int)n) < 0.0;
    if (is_cw != clockwise)
        for (unsigned i = 0, j = n - 1; i < j; i++, j--) {
            double tx = x[i], ty = y[i];
            x[i] = x[j], y[i] = y[j];
            x[j] = tx, y[j] = ty;
        }
    b->starts[b->nparts++] = b->nv;
    b->nv += (int)n;
    return 0;
}

static int buf_add_polygon(GEOSContextHandle_t ctx, struct rec_buf *b, const GEOSGeometry *p)
{
    if (GEOSisEmpty_r(ctx, p))
        return 0;
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(ctx, p);
    if (!shell || buf_add_ring(ctx, b, shell, 1) != 0)
        return -1;
    int nholes = GEOSGetNumInteriorRings_r(ctx, p);
    for (int i = 0; i < nholes; i++) {
        const GEOSGeometry *hole = GEOSGetInteriorRingN_r(ctx, p, i);
        if (!hole || buf_add_ring(ctx, b, hole, 0) != 0)
            return -1;
    }
    return 0;
}

static int buf_write(struct rec_buf *b, SHPHandle shp, int record, struct tc_error *err)
{
    int shp_type = SHPT_POLYGON;
    SHPGetInfo(shp, NULL, &shp_type, NULL, NULL);
    SHPObject *obj = b->nparts == 0
        ? SHPCreateSimpleObject(SHPT_NULL, 0, NULL, NULL, NULL)
        : SHPCreateObject(shp_type, -1, b->nparts, b->starts, NULL, b->nv, b->x, b->y, NULL,
                          NULL);
    if (!obj)
        return tc_fail(err, TC_EXIT_OUTPUT, "out of memory for a shapefile record");
    int written = SHPWriteObject(shp, record, obj);
    SHPDestroyObject(obj);
    if (written < 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot write shapefile record %d", record);
    return 0;
}

int shpio_write_polygon(GEOSContextHandle_t ctx, SHPHandle shp, int record,
                        const GEOSGeometry *g, struct tc_error *err)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return tc_fail(err, TC_EXIT_INTERNAL, "record %d: cannot write a %s as a polygon",
                       record, type == GEOS_GEOMETRYCOLLECTION ? "collection" : "non-polygon");
    struct rec_buf b = {0};
    int rc = 0;
    if (type == GEOS_POLYGON) {
        rc = buf_add_polygon(ctx, &b, g);
    } else {
        int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; rc == 0 && i < n; i++)
            rc = buf_add_polygon(ctx, &b, GEOSGetGeometryN_r(ctx, g, i));
    }
    if (rc != 0)
        tc_fail(err, TC_EXIT_INTERNAL, "record %d: cannot read the polygon's rings", record);
    else
        rc = buf_write(&b, shp, record, err);
    free(b.x);
    free(b.y);
    free(b.starts);
    return rc;
}

int shpio_write_point(SHPHandle shp, double x, double y, struct tc_error *err)
{
    SHPObject *obj = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
    if (!obj)
        return tc_fail(err, TC_EXIT_OUTPUT, "out of memory for a shapefile point");
    int written = SHPWriteObject(shp, -1, obj);
    SHPDestroyObject(obj);
    if (written < 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot write a shapefile point");
    return 0;
}

static int write_text(const char *path, const char *text, struct tc_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot create %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int shpio_write_sidecars(const char *base, const char *prj_wkt, struct tc_error *err)
{
    size_t len = strlen(base) + 5;
    char *path = malloc(len);
    if (!path)
        return tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    snprintf(path, len, "%s.prj", base);
    int rc = write_text(path, prj_wkt, err);
    snprintf(path, len, "%s.cpg", base);
    if (rc == 0)
        rc = write_text(path, "UTF-8", err);
    free(path);
    return rc;
}
