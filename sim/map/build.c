/* build.c — every township's polygon, validity, projection, area and
 * seat, in parallel; messages reported after, in record order. */
#include "map_internal.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

/* The seat in both CRSs: the attributes' point, else one inside the polygon. */
static void place_seat(struct tc_worker *w, struct township *t)
{
    GEOSContextHandle_t ctx = w->geos;
    PJ *geo_to_metric = w->pj[MAP_PJ_GEO_TO_METRIC];
    if (isfinite(t->seat_lon)) {
        t->seat_x = t->seat_lon;
        t->seat_y = t->seat_lat;
        map_trans_point(&t->seat_x, &t->seat_y, geo_to_metric);
        return;
    }
    GEOSGeometry *p = GEOSPointOnSurface_r(ctx, t->geom);
    GEOSGeomGetX_r(ctx, p, &t->seat_x);
    GEOSGeomGetY_r(ctx, p, &t->seat_y);
    GEOSGeom_destroy_r(ctx, p);
    PJ_COORD c = proj_trans(geo_to_metric, PJ_INV, proj_coord(t->seat_x, t->seat_y, 0, 0));
    t->seat_lon = c.xy.x;
    t->seat_lat = c.xy.y;
}

/* Which vertex the metric CRS cannot take (a pole, or the point opposite
 * the map's centre on the globe), in the record's own coordinates; when
 * every vertex projects, and malloc (errno_after) or GEOS said so, it was
 * memory that ran out, not the map. */
static void projection_failed(const struct loader *ld, const struct tc_worker *w,
                              const GEOSGeometry *g, PJ *pj, const struct township *t,
                              int errno_after, struct record_job *job)
{
    double x = 0, y = 0;
    char what[160] = "its coordinates";
    int vertex = map_unprojectable_vertex(w->geos, g, pj, &x, &y);
    if (vertex)
        snprintf(what, sizeof what, "%s (%.9g, %.9g)", ld->geographic && fabs(y) == 90
                 ? (y > 0 ? "the north pole" : "the south pole") : "the vertex", x, y);
    else if (errno_after == ENOMEM || (w->geos_msg[0] && tc_worker_geos_status(w) ==
                                                              TC_EXIT_RESOURCE)) {
        tc_fail(&job->err, TC_EXIT_RESOURCE, "%s: " MAP_REC_FMT " (code %s): out of memory "
                "projecting the polygon", ld->shp_path, MAP_REC(ld, t->record), t->code);
        return;
    }
    tc_fail(&job->err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): %s cannot be projected "
            "to the map's equal-area CRS (%s)", ld->shp_path, MAP_REC(ld, t->record), t->code,
            what, ld->map->metric_crs);
}

/* Parallel: polygon, validity, densify, projection, area, envelope, seat. */
static void build_township(const struct loader *ld, struct tc_worker *w, struct township *t,
                           struct record_job *job)
{
    GEOSContextHandle_t ctx = w->geos;
    PJ *src_to_metric = w->pj[MAP_PJ_SRC_TO_METRIC];
    GEOSGeometry *g = map_record_polygon(ld, ctx, t, job);
    if (g)
        g = map_make_valid(ld, w, g, NULL, t, job);
    errno = 0;
    w->geos_msg[0] = '\0';
    GEOSGeometry *metric = g ? map_densify_project(ctx, g, map_densify_step(ld), src_to_metric,
                                                   map_densify_seed(ld))
                             : NULL;
    if (g && !metric)
        projection_failed(ld, w, g, src_to_metric, t, errno, job);
    if (g)
        GEOSGeom_destroy_r(ctx, g);
    /* Projection can, rarely, make near-touching rings cross. */
    t->geom = metric ? map_make_valid(ld, w, metric, src_to_metric, t, job) : NULL;
    if (!t->geom) {
        job->failed = 1;
        return;
    }
    GEOSArea_r(ctx, t->geom, &t->area_m2);
    GEOSGeom_getXMin_r(ctx, t->geom, &t->xmin); /* also warms the envelope cache */
    GEOSGeom_getYMin_r(ctx, t->geom, &t->ymin);
    GEOSGeom_getXMax_r(ctx, t->geom, &t->xmax);
    GEOSGeom_getYMax_r(ctx, t->geom, &t->ymax);
    place_seat(w, t);
}

/* Builds every township's geometry in parallel, then reports the first
 * failure and every warning in record order. */
int map_build_townships(struct loader *ld, struct record_job *jobs, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int nthreads = ld->threads > 0 ? ld->threads : 1;
    PJ *pj[MAP_NPJ] = {ld->src_to_metric, ld->geo_to_metric};
    struct tc_workers *ws = tc_workers_new(nthreads, pj, MAP_NPJ, err);
    if (!ws)
        return -1;
    /* Each record has its own job (message slot): the first failure in
     * record order is reported, whatever the threads did. */
    #pragma omp parallel for num_threads(nthreads) schedule(dynamic, 4)
    for (int i = 0; i < m->n; i++)
        if (!tc_interrupted())
            build_township(ld, &ws->w[omp_get_thread_num()], &m->t[i], &jobs[i]);
    tc_workers_free(&ws);
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while loading %s", ld->shp_path);
    for (int i = 0; i < m->n; i++) {
        if (jobs[i].failed) {
            *err = jobs[i].err;
            return -1;
        }
        if (jobs[i].warning && ld->warn)
            fputs(jobs[i].warning, ld->warn);
        m->repaired += jobs[i].repaired;
    }
    map_report_drops(ld, jobs);
    return 0;
}
