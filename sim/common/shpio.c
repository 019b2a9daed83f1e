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
#include <strings.h>
#include <unistd.h>

#include "towncov/textenc.h"

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
    r->area = fabs(ring_area2(r->x, r->y, r->n)) / 2.0;
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
        if (!g)
            tc_fail(err, TC_EXIT_INTERNAL, SHPIO_REC_FMT ": GEOS could not build the polygon",
                    SHPIO_REC(obj->nShapeId));
    }
    free(rings);
    return g;
}

/* ---- opening and attributes ---------------------------------------------*/

/* shapelib reports through a hook without user data: keep the last
 * message per thread (shapelib handles are used by one thread anyway). */
static _Thread_local char shapelib_msg[512];

static void on_shapelib_error(const char *message)
{
    snprintf(shapelib_msg, sizeof shapelib_msg, "%s", message);
}

/* path + ext, trying the extension's upper case when only that exists. */
static char *sidecar_path(const char *base, const char *ext)
{
    size_t len = strlen(base) + strlen(ext) + 1;
    char *p = malloc(len);
    if (!p)
        return NULL;
    snprintf(p, len, "%s%s", base, ext);
    if (access(p, F_OK) != 0) {
        for (char *c = p + strlen(base); *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        if (access(p, F_OK) != 0)
            snprintf(p, len, "%s%s", base, ext);
    }
    return p;
}

static int open_fail(struct tc_error *err, const char *what, const char *file)
{
    return tc_fail(err, TC_EXIT_MAP, "%s: %s%s%s", file, what, shapelib_msg[0] ? ": " : "",
                   shapelib_msg);
}

/* Says what to do about a missing .shx rather than shapelib's advice (a
 * GDAL option towncov does not have). */
static int missing_shx(const char *shp_path, const char *shx_path, struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_MAP,
                   "%s: the shapefile's index %s is missing; copy it from where the .shp "
                   "came from, or let GDAL rebuild it beside the .shp: "
                   "ogrinfo --config SHAPE_RESTORE_SHX YES '%s'",
                   shp_path, shx_path, shp_path);
}

int shpio_open(const char *path, SHPHandle *shp, DBFHandle *dbf, char **base_out,
               struct tc_error *err)
{
    *shp = NULL;
    if (dbf)
        *dbf = NULL;
    size_t n = strlen(path);
    int has_ext = n > 4 && strcasecmp(path + n - 4, ".shp") == 0;
    char *base = strdup(path), *shp_path = NULL, *shx = NULL;
    if (!base)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (has_ext)
        base[n - 4] = '\0';
    shp_path = has_ext ? strdup(path) : sidecar_path(base, ".shp");
    shx = sidecar_path(base, ".shx");
    int rc = shp_path && shx ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    SAHooks hooks;
    SASetupDefaultHooks(&hooks);
    hooks.Error = on_shapelib_error;
    shapelib_msg[0] = '\0';
    if (rc == 0 && access(shp_path, R_OK) != 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: cannot open: %s", shp_path, strerror(errno));
    else if (rc == 0 && access(shx, F_OK) != 0)
        rc = missing_shx(shp_path, shx, err);
    /* Given with its .shp, shapelib strips only that extension. */
    if (rc == 0 && !(*shp = SHPOpenLL(shp_path, "rb", &hooks)))
        rc = open_fail(err, "cannot open the shapefile (.shp/.shx)", shp_path);
    if (rc == 0 && dbf && !(*dbf = DBFOpenLL(shp_path, "rb", &hooks))) {
        char *dbf_path = sidecar_path(base, ".dbf");
        rc = open_fail(err, "cannot open the attribute table", dbf_path ? dbf_path : base);
        free(dbf_path);
    }
    if (rc != 0) {
        if (*shp)
            SHPClose(*shp);
        *shp = NULL;
    }
    free(shp_path);
    free(shx);
    if (rc == 0 && base_out)
        *base_out = base;
    else
        free(base);
    return rc;
}

char *shpio_read_text(DBFHandle dbf, int fid, int field, const char *encoding, int *cut)
{
    *cut = 0;
    if (field < 0 || DBFIsAttributeNULL(dbf, fid, field))
        return strdup("");
    const char *raw = DBFReadStringAttribute(dbf, fid, field);
    if (!raw) {
        errno = EILSEQ;
        return NULL;
    }
    char *text = textenc_decode(encoding, raw, strlen(raw), cut);
    if (!text)
        return NULL;
    size_t k = strspn(text, " \t\r\n");
    size_t len = strlen(text + k);
    while (len && strchr(" \t\r\n", text[k + len - 1]))
        len--;
    memmove(text, text + k, len);
    text[len] = '\0';
    return text;
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
