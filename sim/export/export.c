/* export.c — QGIS-ready layers (see export.h).
 *
 * Three steps. Geometry: the covered part of every township is rebuilt with
 * GEOS and every coordinate is taken from the metric CRS back to the map's
 * own CRS, in parallel (one GEOS context, one PROJ context per thread, both
 * made before the parallel region). Plan: every layer's string widths and
 * file sizes are worked out, so that a layer too big for a shapefile is
 * refused before the first byte is written. Write: shapelib, on the calling
 * thread only (its handles are not thread-safe), then the .qml styles and
 * the QGIS project. */
#include "towncov/export.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"
#include "towncov/textenc.h"
#include "towncov/sites.h"

#define MAX_FIELDS 16

/* ---- per-thread state ------------------------------------------------------*/
struct worker {
    GEOSContextHandle_t ctx;
    PJ_CONTEXT *pj_ctx;
    PJ *pj;            /* metric CRS -> output CRS, easting/longitude first */
    double *x, *y;     /* one ring's coordinates */
    size_t cap;
    long failed_at;    /* first item this thread could not do, or -1 */
    char msg[256];
};

/* Everything the layers are written from. Geometries in town/cov were made
 * in the context of worker owner[t] and are written and freed with it. */
struct exporter {
    const struct run_outcome *run;
    const char *dir;
    const char *prj_wkt;          /* written to every .prj */
    int nw;
    struct worker *w;
    GEOSGeometry **town, **cov;   /* per township, output CRS */
    int *owner;
    int *cov_ids;                 /* townships with a covered part, ascending */
    int n_cov;
    double *seat_x, *seat_y;      /* per township, output CRS */
    double *site_x, *site_y;      /* per station, output CRS */
    double *fp_x, *fp_y;          /* footprint vertices, output CRS: */
    long *fp_off;                 /* footprint i's are fp_off[i] .. fp_off[i+1]-1 */
    double xmin, ymin, xmax, ymax; /* extent of the townships, output CRS */
};

static int worker_reserve(struct worker *w, size_t n)
{
    if (n <= w->cap)
        return 0;
    size_t cap = n + n / 2 + 64;
    if (tc_resize((void **)&w->x, cap, sizeof *w->x) ||
        tc_resize((void **)&w->y, cap, sizeof *w->y))
        return -1;
    w->cap = cap;
    return 0;
}

static void worker_fail(struct worker *w, long item, const char *what)
{
    if (w->failed_at >= 0 && w->failed_at < item)
        return;
    w->failed_at = item;
    snprintf(w->msg, sizeof w->msg, "%s", what);
}

/* metric -> output CRS; PROJ's own axis order is normalised because
 * shapefiles store easting (longitude) first whatever the CRS says. */
static PJ *metric_to_output(PJ_CONTEXT *c, const struct tc_map *map)
{
    const char *to = map->source_wkt ? map->source_wkt : map->geo_wkt;
    PJ *raw = proj_create_crs_to_crs(c, map->metric_crs, to, NULL);
    if (!raw)
        return NULL;
    PJ *norm = proj_normalize_for_visualization(c, raw);
    proj_destroy(raw);
    return norm;
}

/* Transforms n points in place; -1 when one does not transform. */
static int project(struct worker *w, double *x, double *y, size_t n)
{
    size_t st = sizeof(double);
    size_t done = proj_trans_generic(w->pj, PJ_FWD, x, st, n, y, st, n, NULL, 0, 0, NULL, 0, 0);
    if (done != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -1;
    return 0;
}

/* Contexts and transformations are made here, on one thread: the
 * transformation is looked up in PROJ's database once and cloned into each
 * thread's own context (a PJ must not be shared between threads). */
static int workers_new(struct exporter *ex, int threads, struct tc_error *err)
{
    ex->nw = threads < 1 ? 1 : threads;
    ex->w = calloc((size_t)ex->nw, sizeof *ex->w);
    if (!ex->w)
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
    for (int i = 0; i < ex->nw; i++) {
        struct worker *w = &ex->w[i];
        w->failed_at = -1;
        w->ctx = GEOS_init_r();
        w->pj_ctx = proj_context_create();
        if (!w->ctx || !w->pj_ctx)
            return tc_fail(err, TC_EXIT_INTERNAL, "export: cannot create GEOS/PROJ contexts");
        w->pj = i == 0 ? metric_to_output(w->pj_ctx, ex->run->map)
                       : proj_clone(w->pj_ctx, ex->w[0].pj);
        if (!w->pj)
            return tc_fail(err, TC_EXIT_INTERNAL, "export: PROJ cannot transform %s to the "
                           "map's coordinate system", ex->run->map->metric_crs);
    }
    return 0;
}

static void workers_free(struct exporter *ex)
{
    for (int i = 0; ex->w && i < ex->nw; i++) {
        struct worker *w = &ex->w[i];
        proj_destroy(w->pj); /* PJs before their context */
        if (w->pj_ctx)
            proj_context_destroy(w->pj_ctx);
        free(w->x);
        free(w->y);
    }
}

/* ---- geometry: metric -> output CRS -----------------------------------------*/
static GEOSGeometry *ring_out(struct worker *w, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(w->ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(w->ctx, seq, &n) || worker_reserve(w, n) != 0 ||
        !GEOSCoordSeq_copyToArrays_r(w->ctx, seq, w->x, w->y, NULL, NULL) ||
        project(w, w->x, w->y, n) != 0)
        return NULL;
    GEOSCoordSequence *out = GEOSCoordSeq_copyFromArrays_r(w->ctx, w->x, w->y, NULL, NULL, n);
    return out ? GEOSGeom_createLinearRing_r(w->ctx, out) : NULL;
}

static GEOSGeometry *polygon_out(struct worker *w, const GEOSGeometry *p)
{
    int nh = GEOSGetNumInteriorRings_r(w->ctx, p);
    GEOSGeometry *shell = ring_out(w, GEOSGetExteriorRing_r(w->ctx, p));
    GEOSGeometry **holes = nh > 0 ? malloc(sizeof *holes * (size_t)nh) : NULL;
    int k = 0, ok = shell && nh >= 0 && (nh == 0 || holes);
    for (; ok && k < nh; k++)
        ok = (holes[k] = ring_out(w, GEOSGetInteriorRingN_r(w->ctx, p, k))) != NULL;
    GEOSGeometry *out = ok ? GEOSGeom_createPolygon_r(w->ctx, shell, holes, (unsigned)k) : NULL;
    if (!out) {
        for (int i = 0; i < k && holes; i++)
            if (holes[i])
                GEOSGeom_destroy_r(w->ctx, holes[i]);
        if (shell)
            GEOSGeom_destroy_r(w->ctx, shell);
    }
    free(holes);
    return out;
}

/* A growing list of polygons in the output CRS. */
struct parts { GEOSGeometry **p; unsigned n, cap; };

static int parts_push(struct parts *ps, GEOSGeometry *g)
{
    if (ps->n == ps->cap) {
        unsigned cap = ps->cap ? 2 * ps->cap : 8;
        GEOSGeometry **p = realloc(ps->p, sizeof *p * cap);
        if (!p)
            return -1;
        ps->p = p;
        ps->cap = cap;
    }
    ps->p[ps->n++] = g;
    return 0;
}

/* Collects the non-empty polygons of g, descending into collections: an
 * overlay may return lines or points where pieces touch, which have no
 * area and have no place in a polygon layer. */
static int collect_polygons(struct worker *w, const GEOSGeometry *g, struct parts *ps)
{
    int type = GEOSGeomTypeId_r(w->ctx, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(w->ctx, g))
            return 0;
        GEOSGeometry *p = polygon_out(w, g);
        if (!p || parts_push(ps, p) != 0) {
            if (p)
                GEOSGeom_destroy_r(w->ctx, p);
            return -1;
        }
        return 0;
    }
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return type < 0 ? -1 : 0;
    int n = GEOSGetNumGeometries_r(w->ctx, g);
    for (int i = 0; i < n; i++)
        if (collect_polygons(w, GEOSGetGeometryN_r(w->ctx, g, i), ps) != 0)
            return -1;
    return 0;
}

/* The polygonal part of g in the output CRS: a Polygon, a MultiPolygon, or
 * an empty Polygon. NULL on failure. */
static GEOSGeometry *geom_out(struct worker *w, const GEOSGeometry *g)
{
    struct parts ps = {0};
    GEOSGeometry *out = NULL;
    if (collect_polygons(w, g, &ps) == 0) {
        if (ps.n == 0)
            out = GEOSGeom_createEmptyPolygon_r(w->ctx);
        else if (ps.n == 1)
            out = ps.p[0];
        else
            out = GEOSGeom_createCollection_r(w->ctx, GEOS_MULTIPOLYGON, ps.p, ps.n);
        if (out)
            ps.n = 0; /* owned by out now */
    }
    for (unsigned i = 0; i < ps.n; i++)
        GEOSGeom_destroy_r(w->ctx, ps.p[i]);
    free(ps.p);
    return out;
}

/* ---- geometry: the parallel step -------------------------------------------*/

/* Ring r of the covered parts as a closed GEOS ring in the output CRS. */
static GEOSGeometry *part_ring_out(struct worker *w, const struct cov_parts *p, long r)
{
    long a = p->start[r], n = p->start[r + 1] - a;
    if (worker_reserve(w, (size_t)n + 1) != 0)
        return NULL;
    memcpy(w->x, p->x + a, sizeof *w->x * (size_t)n);
    memcpy(w->y, p->y + a, sizeof *w->y * (size_t)n);
    if (project(w, w->x, w->y, (size_t)n) != 0)
        return NULL;
    w->x[n] = w->x[0];
    w->y[n] = w->y[0];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(w->ctx, w->x, w->y, NULL, NULL,
                                                           (unsigned)n + 1);
    return seq ? GEOSGeom_createLinearRing_r(w->ctx, seq) : NULL;
}

/* Shell s of township t's covered part with its holes, output CRS. */
static GEOSGeometry *part_polygon_out(struct worker *w, const struct cov_parts *p, int t, long s,
                                      struct parts *holes)
{
    holes->n = 0;
    for (long h = p->first[t]; h < p->first[t + 1]; h++) {
        if (h == s || p->shell[h] != s)
            continue;
        GEOSGeometry *g = part_ring_out(w, p, h);
        if (!g || parts_push(holes, g) != 0) {
            if (g)
                GEOSGeom_destroy_r(w->ctx, g);
            return NULL;
        }
    }
    GEOSGeometry *shell = part_ring_out(w, p, s);
    GEOSGeometry *poly =
        shell ? GEOSGeom_createPolygon_r(w->ctx, shell, holes->p, holes->n) : NULL;
    if (poly)
        holes->n = 0; /* owned by poly now */
    else if (shell)
        GEOSGeom_destroy_r(w->ctx, shell);
    return poly;
}

/* Township t's covered part from the rings the coverage phase kept: a
 * Polygon, a MultiPolygon or an empty Polygon in the output CRS. */
static GEOSGeometry *parts_out(struct worker *w, const struct cov_parts *p, int t)
{
    struct parts polys = {0}, holes = {0};
    int ok = 1;
    for (long r = p->first[t]; ok && r < p->first[t + 1]; r++) {
        if (p->shell[r] != r)
            continue;
        GEOSGeometry *g = part_polygon_out(w, p, t, r, &holes);
        ok = g && parts_push(&polys, g) == 0;
        if (!ok && g)
            GEOSGeom_destroy_r(w->ctx, g);
    }
    GEOSGeometry *out = NULL;
    if (ok)
        out = polys.n == 0   ? GEOSGeom_createEmptyPolygon_r(w->ctx)
              : polys.n == 1 ? polys.p[0]
                             : GEOSGeom_createCollection_r(w->ctx, GEOS_MULTIPOLYGON, polys.p,
                                                           polys.n);
    if (out)
        polys.n = 0;
    for (unsigned i = 0; i < polys.n; i++)
        GEOSGeom_destroy_r(w->ctx, polys.p[i]);
    for (unsigned i = 0; i < holes.n; i++)
        GEOSGeom_destroy_r(w->ctx, holes.p[i]);
    free(polys.p);
    free(holes.p);
    return out;
}

/* The covered part of township t, output CRS: from the rings the coverage
 * phase kept (no overlay, no second pass), else from the GEOS union. */
static GEOSGeometry *covered_part(struct worker *w, const struct run_outcome *run,
                                  const struct cov_index *idx, int t)
{
    if (run->parts && !run->parts->missing[t])
        return parts_out(w, run->parts, t);
    GEOSGeometry *g = cov_township_geometry(w->ctx, run->map, run->fp, idx, t);
    GEOSGeometry *out = g ? geom_out(w, g) : NULL;
    if (g)
        GEOSGeom_destroy_r(w->ctx, g);
    return out;
}

static void township_geoms(struct exporter *ex, int wi, const struct cov_index *idx, int t)
{
    struct worker *w = &ex->w[wi];
    const struct tc_map *map = ex->run->map;
    ex->owner[t] = wi;
    ex->town[t] = geom_out(w, map->t[t].geom);
    ex->cov[t] = covered_part(w, ex->run, idx, t);
    if (!ex->town[t] || !ex->cov[t]) {
        char what[200];
        snprintf(what, sizeof what, "township %s: cannot build its %s in the map's "
                 "coordinate system", map->t[t].code, ex->town[t] ? "covered part" : "polygon");
        worker_fail(w, t, what);
    }
}

/* The failure of the lowest item over all threads, so that the message does
 * not depend on scheduling. */
static int workers_failure(const struct exporter *ex, struct tc_error *err)
{
    const struct worker *first = NULL;
    for (int i = 0; i < ex->nw; i++)
        if (ex->w[i].failed_at >= 0 && (!first || ex->w[i].failed_at < first->failed_at))
            first = &ex->w[i];
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while exporting layers");
    return first ? tc_fail(err, TC_EXIT_INTERNAL, "export: %s", first->msg) : 0;
}

/* Does some township lack the coverage phase's rings? */
static int any_missing(const struct run_outcome *run)
{
    for (int t = 0; run->parts && t < run->parts->n; t++)
        if (run->parts->missing[t])
            return 1;
    return run->parts == NULL;
}

static int build_township_geoms(struct exporter *ex, struct tc_error *err)
{
    const struct tc_map *map = ex->run->map;
    size_t n = (size_t)map->n;
    ex->town = calloc(n, sizeof *ex->town);
    ex->cov = calloc(n, sizeof *ex->cov);
    ex->owner = calloc(n, sizeof *ex->owner);
    ex->cov_ids = calloc(n, sizeof *ex->cov_ids);
    /* The index serves the GEOS fallback only: townships without rings. */
    struct cov_index *idx = any_missing(ex->run) ? cov_index_new(map, ex->run->fp) : NULL;
    if (!ex->town || !ex->cov || !ex->owner || !ex->cov_ids || (any_missing(ex->run) && !idx)) {
        cov_index_free(&idx);
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
    }
    #pragma omp parallel num_threads(ex->nw)
    {
        int wi = omp_get_thread_num();
        #pragma omp for schedule(dynamic, 1)
        for (int t = 0; t < map->n; t++)
            if (!tc_interrupted())
                township_geoms(ex, wi, idx, t);
    }
    cov_index_free(&idx);
    if (workers_failure(ex, err) != 0)
        return -1;
    for (int t = 0; t < map->n; t++)
        if (!GEOSisEmpty_r(ex->w[ex->owner[t]].ctx, ex->cov[t]))
            ex->cov_ids[ex->n_cov++] = t;
    return 0;
}

/* Seats and stations: few points each, transformed on the calling thread. */
static int build_points(struct exporter *ex, struct tc_error *err)
{
    const struct tc_map *map = ex->run->map;
    const struct tc_sites *s = ex->run->sites;
    ex->seat_x = malloc(sizeof *ex->seat_x * (size_t)(map->n + 1));
    ex->seat_y = malloc(sizeof *ex->seat_y * (size_t)(map->n + 1));
    ex->site_x = malloc(sizeof *ex->site_x * (size_t)(s->n + 1));
    ex->site_y = malloc(sizeof *ex->site_y * (size_t)(s->n + 1));
    if (!ex->seat_x || !ex->seat_y || !ex->site_x || !ex->site_y)
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
    for (int t = 0; t < map->n; t++) {
        ex->seat_x[t] = map->t[t].seat_x;
        ex->seat_y[t] = map->t[t].seat_y;
    }
    if (s->n > 0) { /* no stations: x and y may be NULL */
        memcpy(ex->site_x, s->x, sizeof *s->x * (size_t)s->n);
        memcpy(ex->site_y, s->y, sizeof *s->y * (size_t)s->n);
    }
    if (project(&ex->w[0], ex->seat_x, ex->seat_y, (size_t)map->n) != 0 ||
        project(&ex->w[0], ex->site_x, ex->site_y, (size_t)s->n) != 0)
        return tc_fail(err, TC_EXIT_INTERNAL, "export: a seat or station does not transform "
                       "to the map's coordinate system");
    return 0;
}

static int build_footprints(struct exporter *ex, struct tc_error *err)
{
    const struct tc_footprints *fp = ex->run->fp;
    ex->fp_off = malloc(sizeof *ex->fp_off * (size_t)(fp->n + 1));
    if (!ex->fp_off)
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory for the footprints");
    ex->fp_off[0] = 0;
    for (long i = 0; i < fp->n; i++)
        ex->fp_off[i + 1] = ex->fp_off[i] + footprint_size(fp, i);
    size_t nv = (size_t)ex->fp_off[fp->n];
    ex->fp_x = malloc(sizeof *ex->fp_x * (nv + 1));
    ex->fp_y = malloc(sizeof *ex->fp_y * (nv + 1));
    if (!ex->fp_x || !ex->fp_y)
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory for the footprints");
    #pragma omp parallel num_threads(ex->nw)
    {
        struct worker *w = &ex->w[omp_get_thread_num()];
        #pragma omp for schedule(static)
        for (long i = 0; i < fp->n; i++) {
            long a = ex->fp_off[i], n = ex->fp_off[i + 1] - a;
            for (long k = 0; k < n; k++)
                footprint_vertex(fp, i, k, &ex->fp_x[a + k], &ex->fp_y[a + k]);
            if (project(w, ex->fp_x + a, ex->fp_y + a, (size_t)n) != 0)
                worker_fail(w, i, "a footprint does not transform to the map's coordinate "
                            "system");
        }
    }
    return workers_failure(ex, err);
}

static void extent_of_townships(struct exporter *ex)
{
    ex->xmin = ex->ymin = INFINITY;
    ex->xmax = ex->ymax = -INFINITY;
    for (int t = 0; t < ex->run->map->n; t++) {
        GEOSContextHandle_t c = ex->w[ex->owner[t]].ctx;
        double a, b, d, e;
        if (GEOSisEmpty_r(c, ex->town[t]) || !GEOSGeom_getXMin_r(c, ex->town[t], &a) ||
            !GEOSGeom_getYMin_r(c, ex->town[t], &b) || !GEOSGeom_getXMax_r(c, ex->town[t], &d) ||
            !GEOSGeom_getYMax_r(c, ex->town[t], &e))
            continue;
        ex->xmin = fmin(ex->xmin, a);
        ex->ymin = fmin(ex->ymin, b);
        ex->xmax = fmax(ex->xmax, d);
        ex->ymax = fmax(ex->ymax, e);
    }
}

static void exporter_free(struct exporter *ex)
{
    for (int t = 0; ex->owner && ex->town && ex->cov && t < ex->run->map->n; t++) {
        GEOSContextHandle_t c = ex->w[ex->owner[t]].ctx;
        if (ex->town[t])
            GEOSGeom_destroy_r(c, ex->town[t]);
        if (ex->cov[t])
            GEOSGeom_destroy_r(c, ex->cov[t]);
    }
    free(ex->town);
    free(ex->cov);
    free(ex->owner);
    free(ex->cov_ids);
    free(ex->seat_x);
    free(ex->seat_y);
    free(ex->site_x);
    free(ex->site_y);
    free(ex->fp_x);
    free(ex->fp_off);
    free(ex->fp_y);
    workers_free(ex);
    for (int i = 0; ex->w && i < ex->nw; i++)
        if (ex->w[i].ctx)
            GEOS_finish_r(ex->w[i].ctx); /* after every geometry made in it */
    free(ex->w);
}

/* ---- attributes -------------------------------------------------------------*/
/* A text value's bytes in a DBF field: whole up to the dBase limit, else
 * cut where a character starts (never inside one). */
static size_t dbf_text_len(const char *s)
{
    return textenc_utf8_prefix(s, strlen(s), EXPORT_STRING_MAX);
}

enum ftype { FT_STR, FT_INT, FT_DBL };

struct field {
    const char *name; /* <= 10 characters: the dBase limit */
    enum ftype type;
    int width, decimals; /* strings: worked out from the values */
};

/* One attribute value of one record; text may point into buf. */
struct value {
    const char *s;
    double d;
    int null;
    char buf[96];
};

static const char *yes_no(int b)
{
    return b ? "yes" : "no";
}

/* What a layer is made of; the layers[] table below lists them in the
 * order QGIS draws them (first = bottom). */
struct layer_spec {
    const char *name;
    int shp_type;                  /* SHPT_POLYGON or SHPT_POINT */
    const struct field *fields;
    int nf;
    long (*count)(const struct exporter *ex);
    void (*row)(const struct exporter *ex, long i, struct value *v);
    double (*shape_bytes)(const struct exporter *ex, long i); /* record in the .shp */
    int (*shape)(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err);
    void (*renderer)(FILE *f);     /* the <renderer-v2> element */
    int visible;                   /* checked in the project's layer tree */
    double min_scale;              /* drawn only at scales larger than 1:min_scale; 0: all */
};

/* Bytes of a polygon record: header, box and counts, part starts, points. */
static double polygon_bytes(GEOSContextHandle_t c, const GEOSGeometry *g)
{
    if (GEOSisEmpty_r(c, g))
        return 12;
    int n = GEOSGetNumGeometries_r(c, g), rings = 0;
    for (int i = 0; i < n; i++)
        rings += 1 + GEOSGetNumInteriorRings_r(c, GEOSGetGeometryN_r(c, g, i));
    return 8 + 44 + 4.0 * rings + 16.0 * GEOSGetNumCoordinates_r(c, g);
}

static double point_bytes(const struct exporter *ex, long i)
{
    (void)ex;
    (void)i;
    return 8 + 20;
}

static int polygon_write(struct exporter *ex, SHPHandle shp, int t, const GEOSGeometry *g,
                         struct tc_error *err)
{
    return shpio_write_polygon(ex->w[ex->owner[t]].ctx, shp, -1, g, err);
}

/* townships ------------------------------------------------------------------*/
static const struct field township_fields[] = {
    {"code", FT_STR, 0, 0},      {"name", FT_STR, 0, 0},      {"county", FT_STR, 0, 0},
    {"kind", FT_STR, 0, 0},      {"area_km2", FT_DBL, 20, 9}, {"cov_km2", FT_DBL, 20, 9},
    {"cov_frac", FT_DBL, 15, 12}, {"seat_cov", FT_STR, 3, 0}, {"sites", FT_INT, 10, 0},
    {"goal_met", FT_STR, 3, 0},  {"seat_lon", FT_DBL, 14, 7}, {"seat_lat", FT_DBL, 14, 7},
    {"fprints", FT_INT, 10, 0},
};

static long township_count(const struct exporter *ex)
{
    return ex->run->map->n;
}

static void township_row(const struct exporter *ex, long i, struct value *v)
{
    const struct township *t = &ex->run->map->t[i];
    const struct cov_result *r = &ex->run->results[i];
    v[0].s = t->code;
    v[1].s = t->name;
    v[2].s = t->county;
    v[3].s = tc_kind_name(t->kind);
    v[4].d = r->area_m2 / 1e6;
    v[5].d = r->covered_m2 / 1e6;
    v[6].d = r->covered_frac;
    v[7].s = yes_no(r->seat_covered);
    v[8].d = r->sites;
    v[9].s = yes_no(ex->run->verdict->township_met[i]);
    v[10].d = t->seat_lon;
    v[11].d = t->seat_lat;
    v[12].d = r->footprints;
}

static double township_bytes(const struct exporter *ex, long i)
{
    return polygon_bytes(ex->w[ex->owner[i]].ctx, ex->town[i]);
}

static int township_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return polygon_write(ex, shp, (int)i, ex->town[i], err);
}

/* coverage: only townships with a covered part ----------------------------------*/
static const struct field coverage_fields[] = {
    {"code", FT_STR, 0, 0}, {"cov_km2", FT_DBL, 20, 9}, {"cov_frac", FT_DBL, 15, 12},
};

static long coverage_count(const struct exporter *ex)
{
    return ex->n_cov;
}

static void coverage_row(const struct exporter *ex, long i, struct value *v)
{
    int t = ex->cov_ids[i];
    v[0].s = ex->run->map->t[t].code;
    v[1].d = ex->run->results[t].covered_m2 / 1e6;
    v[2].d = ex->run->results[t].covered_frac;
}

static double coverage_bytes(const struct exporter *ex, long i)
{
    int t = ex->cov_ids[i];
    return polygon_bytes(ex->w[ex->owner[t]].ctx, ex->cov[t]);
}

static int coverage_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    int t = ex->cov_ids[i];
    return polygon_write(ex, shp, t, ex->cov[t], err);
}

/* seats ---------------------------------------------------------------------*/
static const struct field seat_fields[] = {
    {"code", FT_STR, 0, 0},    {"name", FT_STR, 0, 0},     {"county", FT_STR, 0, 0},
    {"covered", FT_STR, 3, 0}, {"goal_met", FT_STR, 3, 0},
};

static void seat_row(const struct exporter *ex, long i, struct value *v)
{
    const struct township *t = &ex->run->map->t[i];
    v[0].s = t->code;
    v[1].s = t->name;
    v[2].s = t->county;
    v[3].s = yes_no(ex->run->results[i].seat_covered);
    v[4].s = yes_no(ex->run->verdict->township_met[i]);
}

static int seat_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return shpio_write_point(shp, ex->seat_x[i], ex->seat_y[i], err);
}

/* sites ---------------------------------------------------------------------*/
static const struct field site_fields[] = {
    {"id", FT_STR, 0, 0},       {"code", FT_STR, 0, 0},      {"band", FT_STR, 0, 0},
    {"model", FT_STR, 0, 0},    {"height_m", FT_DBL, 10, 2}, {"azimuths", FT_STR, 0, 0},
    {"rmin_m", FT_DBL, 14, 3},  {"rmax_m", FT_DBL, 14, 3},
};

static long site_count(const struct exporter *ex)
{
    return ex->run->sites->n;
}

/* Stations outside every township take the special kind's settings, as the
 * footprint stage does. */
static enum tc_kind site_kind(const struct exporter *ex, long i)
{
    int t = ex->run->sites->township[i];
    return t >= 0 ? ex->run->map->t[t].kind : KIND_SPECIAL;
}

/* Compass azimuths "0;120;240" (degrees from north), or "omni". The disc
 * model has no sectors; the link model uses the station's own azimuths
 * when its sites file gave them, else the kind's 360 i / n. */
static void site_azimuths(const struct exporter *ex, long i, char *buf, size_t size)
{
    const struct radio_config *rc = &ex->run->scn->radio;
    const struct radio_site *rs = ex->run->sites->radio ? &ex->run->sites->radio[i] : NULL;
    int n = rc->model == RADIO_DISC ? 0 : (int)rc->sectors[site_kind(ex, i)];
    int own = rc->model != RADIO_DISC && rs && rs->n_azimuths > 0;
    if (own)
        n = rs->n_azimuths;
    snprintf(buf, size, "%s", n ? "" : "omni");
    for (int k = 0; k < n; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%g", k ? ";" : "",
                 own ? rs->azimuth_deg[k] : 360.0 * k / n);
    }
}

static void site_row(const struct exporter *ex, long i, struct value *v)
{
    const struct tc_sites *s = ex->run->sites;
    const struct radio_range_info *info = footprint_info(ex->run->fp, i);
    const struct radio_config *rc = &ex->run->scn->radio;
    int t = s->township[i];
    v[0].s = sites_id(s, i, v[0].buf, sizeof v[0].buf);
    v[1].s = t >= 0 ? ex->run->map->t[t].code : "";
    v[2].s = info->band;
    v[3].s = info->pathloss;
    /* The disc model ignores heights: leave the field empty, not a number
     * that played no part. Sites files may set a height (>= 1 m, as the
     * radio model takes it). */
    double h = s->radio && isfinite(s->radio[i].height_m) ? fmax(s->radio[i].height_m, 1.0)
                                                          : rc->height_m[site_kind(ex, i)];
    v[4].d = h;
    v[4].null = rc->model == RADIO_DISC;
    site_azimuths(ex, i, v[5].buf, sizeof v[5].buf);
    v[5].s = v[5].buf;
    v[6].d = info->min_range_m;
    v[7].d = info->max_range_m;
}

static int site_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return shpio_write_point(shp, ex->site_x[i], ex->site_y[i], err);
}

/* footprints ------------------------------------------------------------------*/
static const struct field footprint_fields[] = {
    {"id", FT_STR, 0, 0}, {"code", FT_STR, 0, 0}, {"rmin_m", FT_DBL, 14, 3},
    {"rmax_m", FT_DBL, 14, 3},
};

static long footprint_count(const struct exporter *ex)
{
    return ex->run->scn->output.footprints ? ex->run->fp->n : 0;
}

static void footprint_row(const struct exporter *ex, long i, struct value *v)
{
    const struct tc_sites *s = ex->run->sites;
    int t = s->township[i];
    v[0].s = sites_id(s, i, v[0].buf, sizeof v[0].buf);
    v[1].s = t >= 0 ? ex->run->map->t[t].code : "";
    v[2].d = footprint_info(ex->run->fp, i)->min_range_m;
    v[3].d = footprint_info(ex->run->fp, i)->max_range_m;
}

static double footprint_bytes(const struct exporter *ex, long i)
{
    long n = footprint_size(ex->run->fp, i);
    return 8 + 44 + 4 + 16.0 * (double)(n + 1); /* one ring, closed */
}

static int footprint_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    GEOSContextHandle_t c = ex->w[0].ctx;
    long a = ex->fp_off[i], n = ex->fp_off[i + 1] - a;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(c, (unsigned)n + 1, 2);
    for (long k = 0; seq && k <= n; k++)
        GEOSCoordSeq_setXY_r(c, seq, (unsigned)k, ex->fp_x[a + k % n], ex->fp_y[a + k % n]);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(c, seq) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(c, ring, NULL, 0) : NULL;
    if (!poly)
        return tc_fail(err, TC_EXIT_INTERNAL, "export: footprint %ld: GEOS cannot build it", i);
    int rc = shpio_write_polygon(c, shp, -1, poly, err);
    GEOSGeom_destroy_r(c, poly);
    return rc;
}

/* ---- styles (QGIS 3 QML) ----------------------------------------------------*/
static void xml_escaped(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
}

struct kv { const char *k, *v; };

/* QGIS 3.22+ reads symbol layer properties from <Option>, older 3.x
 * releases from <prop>: both are written, as QGIS 3.22 itself does. */
static void symbol_props(FILE *f, const struct kv *p, int n)
{
    fputs("          <Option type=\"Map\">\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "            <Option type=\"QString\" name=\"%s\" value=\"", p[i].k);
        xml_escaped(f, p[i].v);
        fputs("\"/>\n", f);
    }
    fputs("          </Option>\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "          <prop k=\"%s\" v=\"", p[i].k);
        xml_escaped(f, p[i].v);
        fputs("\"/>\n", f);
    }
}

/* Data-defined properties of a symbol layer: key = expression pairs. */
static void data_defined(FILE *f, const struct kv *dd, int n)
{
    fputs("          <data_defined_properties>\n            <Option type=\"Map\">\n"
          "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n", f);
    fputs(n ? "              <Option type=\"Map\" name=\"properties\">\n"
            : "              <Option name=\"properties\"/>\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "                <Option type=\"Map\" name=\"%s\">\n"
                   "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
                   "                  <Option type=\"QString\" name=\"expression\" value=\"",
                dd[i].k);
        xml_escaped(f, dd[i].v);
        fputs("\"/>\n                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
              "                </Option>\n", f);
    }
    if (n)
        fputs("              </Option>\n", f);
    fputs("              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
          "            </Option>\n          </data_defined_properties>\n", f);
}

static void symbol_layer(FILE *f, const char *cls, int pass, const struct kv *p, int n,
                         const struct kv *dd, int ndd)
{
    fprintf(f, "        <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"%d\">\n", cls, pass);
    symbol_props(f, p, n);
    data_defined(f, dd, ndd);
    fputs("        </layer>\n", f);
}

static void symbol_begin(FILE *f, const char *type, int name)
{
    fprintf(f, "      <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
               "force_rhr=\"0\">\n", type, name);
}

/* A fill with an outline; style "no" draws the outline only. */
static void simple_fill(FILE *f, int pass, const char *color, const char *style,
                        const char *outline, const char *width, const struct kv *dd, int ndd)
{
    const struct kv p[] = {
        {"color", color},          {"style", style},          {"outline_color", outline},
        {"outline_style", width[0] == '0' && !width[1] ? "no" : "solid"},
        {"outline_width", width},  {"outline_width_unit", "MM"}, {"joinstyle", "bevel"},
        {"offset", "0,0"},         {"offset_unit", "MM"},
    };
    symbol_layer(f, "SimpleFill", pass, p, (int)(sizeof p / sizeof p[0]), dd, ndd);
}

static void simple_marker(FILE *f, const char *shape, const char *color, const char *size,
                          const char *outline)
{
    const struct kv p[] = {
        {"name", shape},          {"color", color},           {"size", size},
        {"size_unit", "MM"},      {"outline_color", outline}, {"outline_style", "solid"},
        {"outline_width", "0.2"}, {"outline_width_unit", "MM"}, {"angle", "0"},
        {"offset", "0,0"},        {"offset_unit", "MM"},      {"joinstyle", "bevel"},
        {"scale_method", "diameter"}, {"vertical_anchor_point", "1"},
        {"horizontal_anchor_point", "1"},
    };
    symbol_layer(f, "SimpleMarker", 0, p, (int)(sizeof p / sizeof p[0]), NULL, 0);
}

/* Covered fraction classes, red (little) to green (all). */
static const char *const frac_colors[5] = {"215,25,28,255", "253,174,97,255",
                                           "255,255,191,255", "166,217,106,255",
                                           "26,150,65,255"};

/* Townships: graduated by cov_frac; failing ones get a dark red outline
 * drawn in a second pass (symbol levels), so that neighbours' grey edges
 * never cover it. */
static void renderer_townships(FILE *f)
{
    static const struct kv fail_outline[] = {
        {"outlineColor", "CASE WHEN \"goal_met\" = 'no' THEN '160,0,0,255' ELSE '0,0,0,0' END"},
        {"outlineWidth", "CASE WHEN \"goal_met\" = 'no' THEN 0.6 ELSE 0 END"},
    };
    fputs("  <renderer-v2 type=\"graduatedSymbol\" attr=\"cov_frac\" "
          "graduatedMethod=\"GraduatedColor\" "
          "symbollevels=\"1\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n"
          "    <ranges>\n", f);
    for (int i = 0; i < 5; i++)
        fprintf(f, "      <range lower=\"%.1f\" upper=\"%.1f\" symbol=\"%d\" render=\"true\" "
                   "label=\"%d - %d %% covered\"/>\n", 0.2 * i, 0.2 * (i + 1), i, 20 * i,
                20 * (i + 1));
    fputs("    </ranges>\n    <symbols>\n", f);
    for (int i = 0; i < 5; i++) {
        symbol_begin(f, "fill", i);
        simple_fill(f, 0, frac_colors[i], "solid", "110,110,110,255", "0.1", NULL, 0);
        simple_fill(f, 1, "0,0,0,0", "no", "160,0,0,255", "0.6", fail_outline, 2);
        fputs("      </symbol>\n", f);
    }
    fputs("    </symbols>\n    <mode name=\"equal\"/>\n  </renderer-v2>\n", f);
}

static void renderer_single(FILE *f, const char *type)
{
    fputs("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\" referencescale=\"-1\">\n    <symbols>\n", f);
    symbol_begin(f, type, 0);
}

static void renderer_single_end(FILE *f)
{
    fputs("      </symbol>\n    </symbols>\n  </renderer-v2>\n", f);
}

static void renderer_coverage(FILE *f)
{
    renderer_single(f, "fill");
    simple_fill(f, 0, "33,102,172,90", "solid", "33,102,172,160", "0.1", NULL, 0);
    renderer_single_end(f);
}

static void renderer_sites(FILE *f)
{
    renderer_single(f, "marker");
    simple_marker(f, "circle", "40,40,40,220", "0.8", "255,255,255,0");
    renderer_single_end(f);
}

static void renderer_footprints(FILE *f)
{
    renderer_single(f, "fill");
    simple_fill(f, 0, "0,0,0,0", "no", "60,60,60,90", "0.1", NULL, 0);
    renderer_single_end(f);
}

/* Seats: categorised by covered (yes green, no red). */
static void renderer_seats(FILE *f)
{
    fputs("  <renderer-v2 type=\"categorizedSymbol\" attr=\"covered\" symbollevels=\"0\" "
          "enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n    <categories>\n"
          "      <category value=\"yes\" symbol=\"0\" label=\"seat covered\" render=\"true\"/>\n"
          "      <category value=\"no\" symbol=\"1\" label=\"seat not covered\" render=\"true\"/>\n"
          "    </categories>\n    <symbols>\n", f);
    symbol_begin(f, "marker", 0);
    simple_marker(f, "square", "26,150,65,255", "1.5", "255,255,255,255");
    fputs("      </symbol>\n", f);
    symbol_begin(f, "marker", 1);
    simple_marker(f, "square", "215,25,28,255", "1.5", "255,255,255,255");
    fputs("      </symbol>\n    </symbols>\n  </renderer-v2>\n", f);
}

/* ---- the layer table --------------------------------------------------------*/
#define NFIELDS(a) ((int)(sizeof a / sizeof a[0]))

static const struct layer_spec layers[] = {
    {"townships", SHPT_POLYGON, township_fields, NFIELDS(township_fields), township_count,
     township_row, township_bytes, township_shape, renderer_townships, 1, 0},
    {"coverage", SHPT_POLYGON, coverage_fields, NFIELDS(coverage_fields), coverage_count,
     coverage_row, coverage_bytes, coverage_shape, renderer_coverage, 1, 0},
    {"seats", SHPT_POINT, seat_fields, NFIELDS(seat_fields), township_count, seat_row,
     point_bytes, seat_shape, renderer_seats, 1, 0},
    /* Tens of thousands of stations blacken a province: shown from 1:500,000 */
    {"sites", SHPT_POINT, site_fields, NFIELDS(site_fields), site_count, site_row,
     point_bytes, site_shape, renderer_sites, 1, 500000},
    {"footprints", SHPT_POLYGON, footprint_fields, NFIELDS(footprint_fields), footprint_count,
     footprint_row, footprint_bytes, footprint_shape, renderer_footprints, 0, 250000},
};
#define NLAYERS ((int)(sizeof layers / sizeof layers[0]))

/* A layer as it will be written. */
struct plan {
    const struct layer_spec *spec;
    struct field f[MAX_FIELDS];
    long n;
    long cut;         /* text values over the dBase limit, cut */
    double shp_bytes, dbf_bytes;
};

int export_check_size(const char *layer, double shp_bytes, double dbf_bytes,
                      struct tc_error *err)
{
    const char *ext = shp_bytes > EXPORT_FILE_MAX ? "shp" : "dbf";
    double got = shp_bytes > EXPORT_FILE_MAX ? shp_bytes : dbf_bytes;
    if (got <= EXPORT_FILE_MAX)
        return 0;
    return tc_fail(err, TC_EXIT_RESOURCE,
                   "export: layer %s would need a %.2f GB %s.%s, over the shapefile limit of "
                   "2 GB; nothing was exported (turn output.footprints off, or use fewer "
                   "stations or a simpler map)",
                   layer, got / 1073741824.0, layer, ext);
}

/* Field widths and file sizes, before any file is written. */
static void plan_layer(const struct exporter *ex, const struct layer_spec *spec, struct plan *p)
{
    p->spec = spec;
    p->n = spec->count(ex);
    p->cut = 0;
    memcpy(p->f, spec->fields, sizeof *p->f * (size_t)spec->nf);
    for (int k = 0; k < spec->nf; k++)
        if (p->f[k].type == FT_STR)
            p->f[k].width = 1; /* dBase needs at least one byte */
    p->shp_bytes = 100;
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        spec->row(ex, i, v);
        for (int k = 0; k < spec->nf; k++)
            if (p->f[k].type == FT_STR) {
                int len = (int)dbf_text_len(v[k].s);
                p->cut += (size_t)len < strlen(v[k].s);
                p->f[k].width = len > p->f[k].width ? len : p->f[k].width;
            }
        p->shp_bytes += spec->shape_bytes(ex, i);
    }
    int rec = 1; /* the deletion flag */
    for (int k = 0; k < spec->nf; k++)
        rec += p->f[k].width;
    p->dbf_bytes = 32 + 32.0 * spec->nf + 1 + (double)p->n * rec + 1;
}

/* ---- writing -----------------------------------------------------------------*/
static int write_value(DBFHandle dbf, long i, int k, const struct field *f,
                       const struct value *v)
{
    int ok;
    if (v->null) {
        ok = DBFWriteNULLAttribute(dbf, (int)i, k);
    } else if (f->type == FT_STR) {
        char buf[EXPORT_STRING_MAX + 1];
        size_t len = dbf_text_len(v->s);
        memcpy(buf, v->s, len);
        buf[len] = '\0';
        ok = DBFWriteStringAttribute(dbf, (int)i, k, buf);
    } else if (f->type == FT_INT) {
        ok = DBFWriteIntegerAttribute(dbf, (int)i, k, (int)v->d);
    } else {
        ok = DBFWriteDoubleAttribute(dbf, (int)i, k, v->d);
    }
    return ok ? 0 : -1;
}

static int write_records(struct exporter *ex, const struct plan *p, SHPHandle shp,
                         DBFHandle dbf, struct tc_error *err)
{
    for (long i = 0; i < p->n; i++) {
        struct value v[MAX_FIELDS];
        memset(v, 0, sizeof v);
        p->spec->row(ex, i, v);
        if (p->spec->shape(ex, shp, i, err) != 0)
            return -1;
        for (int k = 0; k < p->spec->nf; k++)
            if (write_value(dbf, i, k, &p->f[k], &v[k]) != 0)
                return tc_fail(err, TC_EXIT_OUTPUT, "%s/%s.dbf: record %ld, field %s: cannot "
                               "write the value", ex->dir, p->spec->name, i, p->f[k].name);
    }
    return 0;
}

/* shapelib ends the .dbf with an end-of-file mark after every record it
 * flushes and steps back over it for the next: a seek, so a write(2), per
 * record. The mark is left off until the last record, which DBFClose
 * flushes with it. */
static int write_dbf_records(struct exporter *ex, const struct plan *p, SHPHandle shp,
                             DBFHandle dbf, struct tc_error *err)
{
    DBFSetWriteEndOfFileChar(dbf, 0);
    int rc = write_records(ex, p, shp, dbf, err);
    DBFSetWriteEndOfFileChar(dbf, 1);
    return rc;
}

static int add_fields(DBFHandle dbf, const struct plan *p)
{
    static const DBFFieldType types[] = {[FT_STR] = FTString, [FT_INT] = FTInteger,
                                         [FT_DBL] = FTDouble};
    for (int k = 0; k < p->spec->nf; k++)
        if (DBFAddField(dbf, p->f[k].name, types[p->f[k].type], p->f[k].width,
                        p->f[k].decimals) < 0)
            return -1;
    return 0;
}

/* shapelib's file I/O through stdio, with the position kept here.
 * shapelib seeks before every record it writes, and a stdio seek flushes:
 * one write(2) per record, 130,000 for the stations of a province. A seek
 * to where the file already is is skipped instead. shapelib's own error
 * messages (on stderr) are silenced: the caller reports with the file name
 * and reason. */
struct sa_file {
    FILE *f;
    SAOffset pos;
    int writing; /* last transfer was a write (C wants a seek between directions) */
};

/* Before a read after a write, or a write after a read: a real seek. */
static void sa_turn(struct sa_file *s, int writing)
{
    if (s->writing >= 0 && s->writing != writing)
        fseek(s->f, (long)s->pos, SEEK_SET);
    s->writing = writing;
}

static SAFile sa_open(const char *path, const char *access)
{
    struct sa_file *s = malloc(sizeof *s);
    if (s && !(s->f = fopen(path, access))) {
        free(s);
        s = NULL;
    }
    if (s) {
        s->pos = 0;
        s->writing = -1; /* either direction may come first */
    }
    return (SAFile)(void *)s;
}

static SAOffset sa_read(void *p, SAOffset size, SAOffset n, SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    sa_turn(s, 0);
    SAOffset got = fread(p, size, n, s->f);
    long pos = ftell(s->f);
    s->pos = pos < 0 ? 0 : (SAOffset)pos;
    return got;
}

static SAOffset sa_write(void *p, SAOffset size, SAOffset n, SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    sa_turn(s, 1);
    SAOffset done = fwrite(p, size, n, s->f);
    s->pos += done * size;
    return done;
}

static SAOffset sa_seek(SAFile file, SAOffset offset, int whence)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    if ((whence == SEEK_SET && offset == s->pos) || (whence == SEEK_CUR && offset == 0))
        return 0;
    if (fseek(s->f, (long)offset, whence) != 0)
        return (SAOffset)-1;
    s->writing = -1;
    long pos = ftell(s->f);
    s->pos = pos < 0 ? 0 : (SAOffset)pos;
    return 0;
}

static SAOffset sa_tell(SAFile file)
{
    return ((struct sa_file *)(void *)file)->pos;
}

static int sa_flush(SAFile file)
{
    return fflush(((struct sa_file *)(void *)file)->f);
}

static int sa_close(SAFile file)
{
    struct sa_file *s = (struct sa_file *)(void *)file;
    int rc = fclose(s->f);
    free(s);
    return rc;
}

static void sa_quiet(const char *message)
{
    (void)message;
}

static void sa_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->FOpen = sa_open;
    h->FRead = sa_read;
    h->FWrite = sa_write;
    h->FSeek = sa_seek;
    h->FTell = sa_tell;
    h->FFlush = sa_flush;
    h->FClose = sa_close;
    h->Error = sa_quiet;
}

static int write_layer(struct exporter *ex, const struct plan *p, struct tc_error *err)
{
    char base[TC_PATH_MAX];
    snprintf(base, sizeof base, "%s/%s", ex->dir, p->spec->name);
    SAHooks hooks;
    sa_hooks(&hooks);
    errno = 0;
    SHPHandle shp = SHPCreateLL(base, p->spec->shp_type, &hooks);
    DBFHandle dbf = shp ? DBFCreateLL(base, "UTF-8", &hooks) : NULL;
    int rc;
    if (!shp || !dbf)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s.shp: cannot create: %s", base, strerror(errno));
    else if (add_fields(dbf, p) != 0)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s.dbf: cannot add the fields", base);
    else
        rc = write_dbf_records(ex, p, shp, dbf, err);
    if (shp)
        SHPClose(shp);
    if (dbf)
        DBFClose(dbf);
    if (rc == 0)
        rc = shpio_write_sidecars(base, ex->prj_wkt, err);
    return rc;
}

/* QGIS: minScale is the most zoomed-out scale a layer is drawn at. */
static void scale_attributes(FILE *f, const struct layer_spec *spec)
{
    fprintf(f, " hasScaleBasedVisibilityFlag=\"%d\" minScale=\"%.0f\" maxScale=\"0\"",
            spec->min_scale > 0, spec->min_scale > 0 ? spec->min_scale : 1e8);
}

static const char *const qgis_doctype =
    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";

/* QGIS loads <layer>.qml beside a layer as its default style. */
static int write_qml(const struct exporter *ex, const struct layer_spec *spec,
                     struct tc_error *err)
{
    char path[TC_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.qml", ex->dir, spec->name);
    FILE *f = fopen(path, "w");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    fputs(qgis_doctype, f);
    fputs("<qgis version=\"3.22.0\" styleCategories=\"Symbology|Rendering\"", f);
    scale_attributes(f, spec);
    fputs(">\n", f);
    spec->renderer(f);
    fprintf(f, "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
               "  <layerGeometryType>%d</layerGeometryType>\n</qgis>\n",
            spec->shp_type == SHPT_POINT ? 0 : 2);
    return tc_fclose_checked(f, path, err);
}

/* ---- the QGIS project ----------------------------------------------------------*/
/* What QGIS wants to know of a CRS in a <spatialrefsys>; PROJ answers. */
struct crs_desc {
    char *wkt, *proj4, *name;
    char authid[64];
    int geographic;
};

static void crs_describe(const char *wkt, struct crs_desc *d)
{
    memset(d, 0, sizeof *d);
    PJ_CONTEXT *c = proj_context_create();
    PJ *crs = c ? proj_create(c, wkt) : NULL;
    const char *w2 = crs ? proj_as_wkt(c, crs, PJ_WKT2_2019, NULL) : NULL;
    const char *p4 = crs ? proj_as_proj_string(c, crs, PJ_PROJ_4, NULL) : NULL;
    const char *nm = crs ? proj_get_name(crs) : NULL;
    d->wkt = strdup(w2 ? w2 : wkt);
    d->proj4 = strdup(p4 ? p4 : "");
    d->name = strdup(nm ? nm : "");
    if (crs) {
        PJ_TYPE t = proj_get_type(crs);
        d->geographic = t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS;
        int *conf = NULL;
        PJ_OBJ_LIST *ids = proj_identify(c, crs, "EPSG", NULL, &conf);
        PJ *best = ids && proj_list_get_count(ids) > 0 && conf[0] == 100
                       ? proj_list_get(c, ids, 0) : NULL;
        if (best && proj_get_id_code(best, 0))
            snprintf(d->authid, sizeof d->authid, "EPSG:%s", proj_get_id_code(best, 0));
        proj_destroy(best);
        proj_int_list_destroy(conf);
        proj_list_destroy(ids);
    }
    proj_destroy(crs);
    if (c)
        proj_context_destroy(c);
}

static void crs_free(struct crs_desc *d)
{
    free(d->wkt);
    free(d->proj4);
    free(d->name);
}

static void xml_element(FILE *f, const char *indent, const char *tag, const char *text)
{
    fprintf(f, "%s<%s>", indent, tag);
    xml_escaped(f, text);
    fprintf(f, "</%s>\n", tag);
}

static void spatialrefsys(FILE *f, const char *in, const struct crs_desc *d)
{
    char ind[64];
    snprintf(ind, sizeof ind, "%s  ", in);
    fprintf(f, "%s<spatialrefsys>\n", in);
    xml_element(f, ind, "wkt", d->wkt);
    xml_element(f, ind, "proj4", d->proj4);
    fprintf(f, "%s<srsid>0</srsid>\n%s<srid>0</srid>\n", ind, ind);
    xml_element(f, ind, "authid", d->authid);
    xml_element(f, ind, "description", d->name);
    fprintf(f, "%s<geographicflag>%s</geographicflag>\n%s</spatialrefsys>\n", ind,
            d->geographic ? "true" : "false", in);
}

static void extent_xml(FILE *f, const char *in, const struct exporter *ex)
{
    fprintf(f, "%s<extent>\n%s  <xmin>%.9f</xmin>\n%s  <ymin>%.9f</ymin>\n"
               "%s  <xmax>%.9f</xmax>\n%s  <ymax>%.9f</ymax>\n%s</extent>\n",
            in, in, ex->xmin, in, ex->ymin, in, ex->xmax, in, ex->ymax, in);
}

/* Layer ids: QGIS ignores an id of 10 characters or fewer and makes up
 * its own, which would orphan the layer tree's references. */
#define LAYER_ID "towncov_%s"

/* The layer tree lists layers top first: the reverse of the drawing order. */
static void project_tree(FILE *f, const struct plan *p, int n)
{
    fputs("  <layer-tree-group>\n    <customproperties/>\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "    <layer-tree-layer id=\"" LAYER_ID "\" name=\"%s\" source=\"./%s.shp\" "
                   "providerKey=\"ogr\" checked=\"Qt::%s\" expanded=\"%d\">\n"
                   "      <customproperties/>\n    </layer-tree-layer>\n",
                p[i].spec->name, p[i].spec->name, p[i].spec->name,
                p[i].spec->visible ? "Checked" : "Unchecked", i == 0);
    fputs("    <custom-order enabled=\"0\">\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "      <item>" LAYER_ID "</item>\n", p[i].spec->name);
    fputs("    </custom-order>\n  </layer-tree-group>\n", f);
}

static void project_layer(FILE *f, const struct exporter *ex, const struct plan *p,
                          const struct crs_desc *crs)
{
    int point = p->spec->shp_type == SHPT_POINT;
    fprintf(f, "    <maplayer type=\"vector\" geometry=\"%s\" wkbType=\"%s\" "
               "styleCategories=\"AllStyleCategories\"",
            point ? "Point" : "Polygon", point ? "Point" : "MultiPolygon");
    scale_attributes(f, p->spec);
    fputs(">\n", f);
    extent_xml(f, "      ", ex);
    fprintf(f, "      <id>" LAYER_ID "</id>\n      <datasource>./%s.shp</datasource>\n"
               "      <layername>%s</layername>\n      <srs>\n",
            p->spec->name, p->spec->name, p->spec->name);
    spatialrefsys(f, "        ", crs);
    fputs("      </srs>\n      <provider encoding=\"UTF-8\">ogr</provider>\n", f);
    p->spec->renderer(f);
    fputs("      <blendMode>0</blendMode>\n      <featureBlendMode>0</featureBlendMode>\n"
          "      <layerOpacity>1</layerOpacity>\n    </maplayer>\n", f);
}

static void project_canvas(FILE *f, const struct exporter *ex, const struct crs_desc *crs)
{
    fprintf(f, "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n"
               "    <units>%s</units>\n", crs->geographic ? "degrees" : "meters");
    extent_xml(f, "    ", ex);
    fputs("    <rotation>0</rotation>\n    <destinationsrs>\n", f);
    spatialrefsys(f, "      ", crs);
    fputs("    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n  </mapcanvas>\n", f);
}

static void project_body(FILE *f, const struct exporter *ex, const struct plan *p, int n,
                         const struct crs_desc *crs)
{
    fputs(qgis_doctype, f);
    fputs("<qgis version=\"3.22.0\" projectname=\"", f);
    xml_escaped(f, ex->run->scn->info.name);
    fputs("\">\n  <homePath path=\"\"/>\n", f);
    xml_element(f, "  ", "title", ex->run->scn->info.name);
    fputs("  <projectCrs>\n", f);
    spatialrefsys(f, "    ", crs);
    fputs("  </projectCrs>\n", f);
    project_tree(f, p, n);
    project_canvas(f, ex, crs);
    fputs("  <projectlayers>\n", f);
    for (int i = 0; i < n; i++)
        project_layer(f, ex, &p[i], crs);
    fputs("  </projectlayers>\n  <layerorder>\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "    <layer id=\"" LAYER_ID "\"/>\n", p[i].spec->name);
    /* QGIS reads <projectCrs> only when ProjectionsEnabled says so. */
    fputs("  </layerorder>\n  <properties>\n    <Paths>\n"
          "      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
          "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n",
          f);
    if (crs->authid[0])
        fprintf(f, "      <ProjectCrs type=\"QString\">%s</ProjectCrs>\n", crs->authid);
    fputs("    </SpatialRefSys>\n  </properties>\n</qgis>\n", f);
}

static int write_project(const struct exporter *ex, const struct plan *p, int n,
                         struct tc_error *err)
{
    char path[TC_PATH_MAX];
    snprintf(path, sizeof path, "%s/towncov.qgs", ex->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    struct crs_desc crs;
    crs_describe(ex->prj_wkt, &crs);
    project_body(f, ex, p, n, &crs);
    crs_free(&crs);
    return tc_fclose_checked(f, path, err);
}

/* ---- driver -------------------------------------------------------------------*/
static int build_all(struct exporter *ex, int threads, struct tc_error *err)
{
    if (workers_new(ex, threads, err) != 0 || build_township_geoms(ex, err) != 0 ||
        build_points(ex, err) != 0)
        return -1;
    if (ex->run->scn->output.footprints && build_footprints(ex, err) != 0)
        return -1;
    extent_of_townships(ex);
    return 0;
}

static int plan_all(const struct exporter *ex, struct plan *plans, int *n, struct tc_error *err)
{
    *n = 0;
    for (int i = 0; i < NLAYERS; i++) {
        if (layers[i].count == footprint_count && !ex->run->scn->output.footprints)
            continue;
        plan_layer(ex, &layers[i], &plans[*n]);
        if (export_check_size(layers[i].name, plans[*n].shp_bytes, plans[*n].dbf_bytes, err))
            return -1;
        if (plans[*n].cut)
            fprintf(stderr, "towncov: warning: %s.dbf: %ld text value%s longer than the dBase "
                    "limit of %d bytes cut at a character boundary (townships.csv and "
                    "summary.json keep them whole)\n", layers[i].name, plans[*n].cut,
                    plans[*n].cut == 1 ? "" : "s", EXPORT_STRING_MAX);
        (*n)++;
    }
    return 0;
}

int export_layers(const char *dir, const struct run_outcome *run, int threads,
                  struct tc_error *err)
{
    /* The writers below build "dir/<layer>.<ext>" in TC_PATH_MAX buffers:
     * a longer dir would be cut, and written somewhere else. */
    if (strlen(dir) + 32 >= TC_PATH_MAX)
        return tc_fail(err, TC_EXIT_OUTPUT, "%.200s...: output path too long", dir);
    struct exporter ex = {.run = run, .dir = dir};
    ex.prj_wkt = run->map->source_wkt ? run->map->source_wkt : shpio_wgs84_wkt;
    struct plan plans[NLAYERS];
    int n = 0;
    int rc = build_all(&ex, threads, err);
    if (rc == 0)
        rc = plan_all(&ex, plans, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = write_layer(&ex, &plans[i], err);
        if (rc == 0)
            rc = write_qml(&ex, plans[i].spec, err);
    }
    if (rc == 0)
        rc = write_project(&ex, plans, n, err);
    exporter_free(&ex);
    return rc;
}
