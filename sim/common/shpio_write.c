/* shpio_write.c — GEOS polygons and points as shapefile records, shells
 * clockwise as the specification says, and the .prj/.cpg sidecars. */
#define _POSIX_C_SOURCE 200809L
#include "towncov/shpio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shpio_internal.h"

/* ---- writing --------------------------------------------------------- */

/* Vertex buffers of one record under construction. */
struct rec_buf {
    double *x, *y;
    int *starts;
    int nv, nparts;
    size_t cap_v, cap_p;
};

static int buf_reserve(struct rec_buf *b, int more_v)
{
    if (tc_reserve((void **)&b->starts, &b->cap_p, (size_t)b->nparts + 1, sizeof *b->starts))
        return -1;
    if (tc_reserve_xy(&b->x, &b->y, &b->cap_v, (size_t)b->nv + (size_t)more_v))
        return -1;
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
    int is_cw = shpio_ring_area2(x, y, (int)n) < 0.0;
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
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for a shapefile record");
    int written = SHPWriteObject(shp, record, obj);
    SHPDestroyObject(obj);
    if (written < 0) {
        char what[64];
        snprintf(what, sizeof what, "shapefile record %d", record);
        return shpio_write_failure(err, what);
    }
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
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for a shapefile point");
    int written = SHPWriteObject(shp, -1, obj);
    SHPDestroyObject(obj);
    if (written < 0)
        return shpio_write_failure(err, "a shapefile point");
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
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    snprintf(path, len, "%s.prj", base);
    int rc = write_text(path, prj_wkt, err);
    snprintf(path, len, "%s.cpg", base);
    if (rc == 0)
        rc = write_text(path, "UTF-8", err);
    free(path);
    return rc;
}
