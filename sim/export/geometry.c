/* geometry.c — the export's geometry (see export_int.h): every township,
 * its covered part, the seats, stations and footprints, taken from the
 * metric CRS back to the map's own, in parallel. */
#include "export_int.h"

#include "towncov/seat.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/map_crs.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/sites.h"

/* A worker's scratch: one ring's coordinates. */
struct ring_buf {
    double *x, *y;
    size_t cap;
};

static void ring_buf_free(void *p)
{
    struct ring_buf *b = p;
    free(b->x);
    free(b->y);
    free(b);
}

/* w's ring buffer with room for n points; NULL when out of memory. */
static struct ring_buf *ring_buf_reserve(struct tc_worker *w, size_t n)
{
    struct ring_buf *b = w->scratch;
    if (n <= b->cap)
        return b;
    size_t cap = n + n / 2 + 64;
    if (tc_resize((void **)&b->x, cap, sizeof *b->x) ||
        tc_resize((void **)&b->y, cap, sizeof *b->y))
        return NULL;
    b->cap = cap;
    return b;
}

/* Transforms n points in place with w's own clone of the transformation;
 * -1 when one does not transform. */
static int project(struct tc_worker *w, double *x, double *y, size_t n)
{
    size_t st = sizeof(double);
    size_t done =
        proj_trans_generic(w->pj[0], PJ_FWD, x, st, n, y, st, n, NULL, 0, 0, NULL, 0, 0);
    if (done != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -1;
    return 0;
}

/* The project's worker factory, serially: the map stage looks the
 * transformation (metric -> the map's own CRS, axes as shapefiles store
 * them) up in PROJ's database once, here, and each worker gets its own
 * clone in its own context (a PJ must not be shared between threads), its
 * own GEOS context and a ring buffer. */
static int workers_new(struct exporter *ex, int threads, struct tc_error *err)
{
    struct map_transform *t = map_transform_to_source(ex->run->map);
    PJ *pj = t ? map_transform_pj(t) : NULL;
    int rc = 0;
    if (!pj)
        rc = tc_fail(err, TC_EXIT_INTERNAL, "export: PROJ cannot transform %s to the map's "
                     "coordinate system", ex->run->map->metric_crs);
    else if (!(ex->ws = tc_workers_new(threads, &pj, 1, err)))
        rc = -1;
    map_transform_free(&t);
    for (int i = 0; rc == 0 && i < ex->ws->n; i++) {
        struct tc_worker *w = &ex->ws->w[i];
        if (!(w->scratch = calloc(1, sizeof(struct ring_buf))))
            rc = tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
        w->scratch_free = ring_buf_free;
    }
    return rc;
}

/* ---- metric -> output CRS --------------------------------------------------*/
static GEOSGeometry *ring_out(struct tc_worker *w, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(w->geos, ring);
    unsigned n = 0;
    struct ring_buf *b = NULL;
    if (!seq || !GEOSCoordSeq_getSize_r(w->geos, seq, &n) || !(b = ring_buf_reserve(w, n)) ||
        !GEOSCoordSeq_copyToArrays_r(w->geos, seq, b->x, b->y, NULL, NULL) ||
        project(w, b->x, b->y, n) != 0)
        return NULL;
    GEOSCoordSequence *out = GEOSCoordSeq_copyFromArrays_r(w->geos, b->x, b->y, NULL, NULL, n);
    return out ? GEOSGeom_createLinearRing_r(w->geos, out) : NULL;
}

/* GEOS 3.11's constructors take their arguments as soon as they start: a
 * create that failed (out of memory) has freed them already, and freeing
 * them again would crash. Only what never reached GEOS is freed here. */
static GEOSGeometry *polygon_out(struct tc_worker *w, const GEOSGeometry *p)
{
    int nh = GEOSGetNumInteriorRings_r(w->geos, p);
    GEOSGeometry *shell = ring_out(w, GEOSGetExteriorRing_r(w->geos, p));
    GEOSGeometry **holes = nh > 0 ? malloc(sizeof *holes * (size_t)nh) : NULL;
    int k = 0, ok = shell && nh >= 0 && (nh == 0 || holes);
    for (; ok && k < nh; k++)
        ok = (holes[k] = ring_out(w, GEOSGetInteriorRingN_r(w->geos, p, k))) != NULL;
    GEOSGeometry *out = ok ? GEOSGeom_createPolygon_r(w->geos, shell, holes, (unsigned)k) : NULL;
    if (!ok) {
        for (int i = 0; i < k && holes; i++)
            if (holes[i])
                GEOSGeom_destroy_r(w->geos, holes[i]);
        if (shell)
            GEOSGeom_destroy_r(w->geos, shell);
    }
    free(holes);
    return out;
}

/* A growing list of polygons in the output CRS. */
struct parts { GEOSGeometry **p; unsigned n; size_t cap; };

static int parts_push(struct parts *ps, GEOSGeometry *g)
{
    if (tc_reserve((void **)&ps->p, &ps->cap, (size_t)ps->n + 1, sizeof *ps->p) != 0)
        return -1;
    ps->p[ps->n++] = g;
    return 0;
}

/* Collects the non-empty polygons of g, descending into collections: an
 * overlay may return lines or points where pieces touch, which have no
 * area and have no place in a polygon layer. */
static int collect_polygons(struct tc_worker *w, const GEOSGeometry *g, struct parts *ps)
{
    int type = GEOSGeomTypeId_r(w->geos, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(w->geos, g))
            return 0;
        GEOSGeometry *p = polygon_out(w, g);
        if (!p || parts_push(ps, p) != 0) {
            if (p)
                GEOSGeom_destroy_r(w->geos, p);
            return -1;
        }
        return 0;
    }
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return type < 0 ? -1 : 0;
    int n = GEOSGetNumGeometries_r(w->geos, g);
    for (int i = 0; i < n; i++)
        if (collect_polygons(w, GEOSGetGeometryN_r(w->geos, g, i), ps) != 0)
            return -1;
    return 0;
}

/* The polygonal part of g in the output CRS: a Polygon, a MultiPolygon, or
 * an empty Polygon. NULL on failure. */
static GEOSGeometry *geom_out(struct tc_worker *w, const GEOSGeometry *g)
{
    struct parts ps = {0};
    GEOSGeometry *out = NULL;
    if (collect_polygons(w, g, &ps) == 0) {
        if (ps.n == 0)
            out = GEOSGeom_createEmptyPolygon_r(w->geos);
        else if (ps.n == 1)
            out = ps.p[0];
        else
            out = GEOSGeom_createCollection_r(w->geos, GEOS_MULTIPOLYGON, ps.p, ps.n);
        if (out || ps.n > 1)
            ps.n = 0; /* owned by out now (or freed by the create that failed) */
    }
    for (unsigned i = 0; i < ps.n; i++)
        GEOSGeom_destroy_r(w->geos, ps.p[i]);
    free(ps.p);
    return out;
}

/* ---- the parallel step ----------------------------------------------------*/

/* Ring r of the covered parts as a closed GEOS ring in the output CRS. */
static GEOSGeometry *part_ring_out(struct tc_worker *w, const struct cov_parts *p, long r)
{
    long a = p->start[r], n = p->start[r + 1] - a;
    struct ring_buf *b = ring_buf_reserve(w, (size_t)n + 1);
    if (!b)
        return NULL;
    memcpy(b->x, p->x + a, sizeof *b->x * (size_t)n);
    memcpy(b->y, p->y + a, sizeof *b->y * (size_t)n);
    if (project(w, b->x, b->y, (size_t)n) != 0)
        return NULL;
    b->x[n] = b->x[0];
    b->y[n] = b->y[0];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(w->geos, b->x, b->y, NULL, NULL,
                                                           (unsigned)n + 1);
    return seq ? GEOSGeom_createLinearRing_r(w->geos, seq) : NULL;
}

/* Shell s of township t's covered part with its holes, output CRS. */
static GEOSGeometry *part_polygon_out(struct tc_worker *w, const struct cov_parts *p, int t, long s,
                                      struct parts *holes)
{
    holes->n = 0;
    for (long h = p->first[t]; h < p->first[t + 1]; h++) {
        if (h == s || p->shell[h] != s)
            continue;
        GEOSGeometry *g = part_ring_out(w, p, h);
        if (!g || parts_push(holes, g) != 0) {
            if (g)
                GEOSGeom_destroy_r(w->geos, g);
            return NULL;
        }
    }
    GEOSGeometry *shell = part_ring_out(w, p, s);
    GEOSGeometry *poly =
        shell ? GEOSGeom_createPolygon_r(w->geos, shell, holes->p, holes->n) : NULL;
    if (shell)
        holes->n = 0; /* owned by poly now, or freed by the create that failed */
    return poly;
}

/* Township t's covered part from the rings the coverage phase kept: a
 * Polygon, a MultiPolygon or an empty Polygon in the output CRS. */
static GEOSGeometry *parts_out(struct tc_worker *w, const struct cov_parts *p, int t)
{
    struct parts polys = {0}, holes = {0};
    int ok = 1;
    for (long r = p->first[t]; ok && r < p->first[t + 1]; r++) {
        if (p->shell[r] != r)
            continue;
        GEOSGeometry *g = part_polygon_out(w, p, t, r, &holes);
        ok = g && parts_push(&polys, g) == 0;
        if (!ok && g)
            GEOSGeom_destroy_r(w->geos, g);
    }
    GEOSGeometry *out = NULL;
    if (ok)
        out = polys.n == 0   ? GEOSGeom_createEmptyPolygon_r(w->geos)
              : polys.n == 1 ? polys.p[0]
                             : GEOSGeom_createCollection_r(w->geos, GEOS_MULTIPOLYGON, polys.p,
                                                           polys.n);
    if (out || (ok && polys.n > 1))
        polys.n = 0; /* owned by out, or freed by the create that failed */
    for (unsigned i = 0; i < polys.n; i++)
        GEOSGeom_destroy_r(w->geos, polys.p[i]);
    for (unsigned i = 0; i < holes.n; i++)
        GEOSGeom_destroy_r(w->geos, holes.p[i]);
    free(polys.p);
    free(holes.p);
    return out;
}

/* The covered part of township t, output CRS: from the rings the coverage
 * phase kept (no overlay, no second pass), else from the GEOS union. */
static GEOSGeometry *covered_part(struct tc_worker *w, const struct run_outcome *run,
                                  const struct cov_index *idx, int t)
{
    if (run->parts && !run->parts->missing[t])
        return parts_out(w, run->parts, t);
    GEOSGeometry *g = cov_township_geometry(w->geos, run->map, run->fp, idx, t);
    GEOSGeometry *out = g ? geom_out(w, g) : NULL;
    if (g)
        GEOSGeom_destroy_r(w->geos, g);
    return out;
}

static void township_geoms(struct exporter *ex, int wi, const struct cov_index *idx, int t)
{
    struct tc_worker *w = &ex->ws->w[wi];
    const struct tc_map *map = ex->run->map;
    ex->owner[t] = wi;
    ex->town[t] = geom_out(w, map->t[t].geom);
    ex->cov[t] = covered_part(w, ex->run, idx, t);
    if (ex->seat_area)
        ex->seat_area[t] = geom_out(w, ex->run->seats->geom[t]);
    /* out of memory (exit 6), or GEOS or PROJ failed (8) */
    int status = tc_worker_geos_status(w);
    const char *why = status == TC_EXIT_RESOURCE ? "out of memory" : w->geos_msg;
    if (ex->seat_area && !ex->seat_area[t] && ex->town[t] && ex->cov[t])
        tc_worker_failf(w, t, status, "export: township %s: cannot build its seat area in the "
                        "map's coordinate system (%s)", map->t[t].code, why);
    else if (!ex->town[t] || !ex->cov[t])
        tc_worker_failf(w, t, status, "export: township %s: cannot build its %s in the map's "
                        "coordinate system (%s)", map->t[t].code,
                        ex->town[t] ? "covered part" : "polygon", why);
}

/* After a parallel loop: an interruption, else the failure of the lowest
 * item over all threads, so that the message does not depend on
 * scheduling. */
static int workers_failure(const struct exporter *ex, struct tc_error *err)
{
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while exporting layers");
    return tc_workers_failure(ex->ws, err);
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
    if (ex->run->seats && !(ex->seat_area = calloc(n, sizeof *ex->seat_area)))
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
    /* The index serves the GEOS fallback only: townships without rings. */
    struct cov_index *idx = any_missing(ex->run) ? cov_index_new(map, ex->run->fp) : NULL;
    if (!ex->town || !ex->cov || !ex->owner || !ex->cov_ids || (any_missing(ex->run) && !idx)) {
        cov_index_free(&idx);
        return tc_fail(err, TC_EXIT_RESOURCE, "export: out of memory");
    }
    #pragma omp parallel num_threads(ex->ws->n)
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
        if (!GEOSisEmpty_r(export_geos(ex, ex->owner[t]), ex->cov[t]))
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
    if (project(&ex->ws->w[0], ex->seat_x, ex->seat_y, (size_t)map->n) != 0 ||
        project(&ex->ws->w[0], ex->site_x, ex->site_y, (size_t)s->n) != 0)
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
    #pragma omp parallel num_threads(ex->ws->n)
    {
        struct tc_worker *w = &ex->ws->w[omp_get_thread_num()];
        #pragma omp for schedule(static)
        for (long i = 0; i < fp->n; i++) {
            long a = ex->fp_off[i], n = ex->fp_off[i + 1] - a;
            for (long k = 0; k < n; k++)
                footprint_vertex(fp, i, k, &ex->fp_x[a + k], &ex->fp_y[a + k]);
            if (project(w, ex->fp_x + a, ex->fp_y + a, (size_t)n) != 0)
                tc_worker_failf(w, i, TC_EXIT_INTERNAL, "export: a footprint does not "
                                "transform to the map's coordinate system");
        }
    }
    return workers_failure(ex, err);
}

static void extent_of_townships(struct exporter *ex)
{
    ex->xmin = ex->ymin = INFINITY;
    ex->xmax = ex->ymax = -INFINITY;
    for (int t = 0; t < ex->run->map->n; t++) {
        GEOSContextHandle_t c = export_geos(ex, ex->owner[t]);
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

void export_geometry_free(struct exporter *ex)
{
    for (int t = 0; ex->owner && ex->town && ex->cov && t < ex->run->map->n; t++) {
        GEOSContextHandle_t c = export_geos(ex, ex->owner[t]);
        if (ex->town[t])
            GEOSGeom_destroy_r(c, ex->town[t]);
        if (ex->cov[t])
            GEOSGeom_destroy_r(c, ex->cov[t]);
        if (ex->seat_area && ex->seat_area[t])
            GEOSGeom_destroy_r(c, ex->seat_area[t]);
    }
    free(ex->seat_area);
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
    tc_workers_free(&ex->ws); /* after every geometry made in their contexts */
}

int export_geometry_build(struct exporter *ex, int threads, struct tc_error *err)
{
    if (workers_new(ex, threads, err) != 0 || build_township_geoms(ex, err) != 0 ||
        build_points(ex, err) != 0)
        return -1;
    if (ex->run->output->footprints && build_footprints(ex, err) != 0)
        return -1;
    extent_of_townships(ex);
    return 0;
}
