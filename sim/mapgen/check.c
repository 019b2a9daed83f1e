/* check.c — what a build checks: geometries valid, every township with its
 * seat inside, each county's townships tiling it; and the overlap between
 * neighbouring counties, measured and reported (counties kept as given). */
#include "mapgen_internal.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define TILING_TOL 1e-6   /* relative: township areas vs the county's */
#define OVERLAP_TOL 1e-9  /* relative: area covered twice inside a county */

int mg_check_valid(struct mg_worker *w, const GEOSGeometry *g, const char *what)
{
    char v = GEOSisValid_r(w->tw->geos, g);
    if (v == 2)
        return mg_geos_fail(w, "isValid");
    if (!v) {
        char *reason = GEOSisValidReason_r(w->tw->geos, g);
        tc_fail(&w->err, TC_EXIT_INTERNAL, "%s is not valid (%s)", what,
                reason ? reason : "no reason given");
        GEOSFree_r(w->tw->geos, reason);
        return -1;
    }
    return 0;
}

static int township_check(struct mg_worker *w, const struct county *c, const struct mg_township *t)
{
    char what[160];
    snprintf(what, sizeof what, "township %s (%s)", t->code, t->name);
    if (!t->geom || GEOSisEmpty_r(w->tw->geos, t->geom))
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "%s is empty", what);
    if (mg_check_valid(w, t->geom, what) != 0)
        return -1;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(w->tw->geos, t->seat_lon, t->seat_lat);
    char in = pt ? GEOSContains_r(w->tw->geos, t->geom, pt) : 2;
    mg_destroy(w->tw->geos, &pt);
    if (in != 1)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "%s: seat %.7f %.7f is not inside it "
                       "(county %s)", what, t->seat_lon, t->seat_lat, c->code);
    return 0;
}

/* The union of the county's townships, and the sum of their areas. */
static GEOSGeometry *townships_union(struct mg_worker *w, const struct province *p,
                                     const struct county *c, double *sum)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSGeometry **g = calloc((size_t)c->n, sizeof *g);
    int ok = g != NULL;
    *sum = 0.0;
    for (int j = 0; ok && j < c->n; j++) {
        double a = 0.0;
        GEOSArea_r(ctx, p->t[c->first + j].geom, &a);
        *sum += a;
        ok = (g[j] = GEOSGeom_clone_r(ctx, p->t[c->first + j].geom)) != NULL;
    }
    GEOSGeometry *coll = ok ? GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, g,
                                                          (unsigned)c->n) : NULL;
    if (!coll)
        for (int j = 0; g && j < c->n; j++)
            mg_destroy(ctx, &g[j]);
    free(g);
    /* The cells share their edges vertex for vertex, so the coverage union
     * (which only drops shared edges) usually applies; it throws when the
     * inputs overlap or are not noded alike, and the general union is the
     * fallback. */
    GEOSGeometry *u = coll ? GEOSCoverageUnion_r(ctx, coll) : NULL;
    if (coll && !u)
        u = GEOSUnaryUnion_r(ctx, coll);
    mg_destroy(ctx, &coll);
    return u;
}

/* Every township valid with its seat inside; together they tile the
 * county: their areas sum to the county's, nothing is covered twice (sum =
 * area of the union) and nothing is left out (union = county; townships
 * cannot stick out, being intersections with the county). Planar lon/lat
 * areas: the same measure on both sides, so the comparison is exact up to
 * rounding. */
int mg_county_check(struct mg_worker *w, const struct province *p, struct county *c)
{
    for (int j = 0; j < c->n; j++)
        if (township_check(w, c, &p->t[c->first + j]) != 0)
            return -1;
    double sum = 0.0, area = 0.0, uarea = 0.0;
    GEOSGeometry *u = townships_union(w, p, c, &sum);
    int ok = u && GEOSArea_r(w->tw->geos, c->geom, &area) && GEOSArea_r(w->tw->geos, u, &uarea);
    mg_destroy(w->tw->geos, &u);
    if (!ok)
        return mg_geos_fail(w, "union of the townships");
    c->tiling_err = fabs(sum - area) / area;
    c->overlap = (sum - uarea) / area;
    c->gap = fabs(area - uarea) / area;
    if (c->tiling_err > TILING_TOL || c->gap > TILING_TOL || c->overlap > OVERLAP_TOL)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "the townships do not tile the county: "
                       "area error %.3g, overlap %.3g, uncovered or outside %.3g (relative)",
                       c->tiling_err, c->overlap, c->gap);
    return 0;
}

static int boxes_meet(const struct county *a, const struct county *b)
{
    return a->xmin <= b->xmax && b->xmin <= a->xmax && a->ymin <= b->ymax && b->ymin <= a->ymax;
}

static int county_overlaps(struct mg_worker *w, struct province *p, int i)
{
    struct county *a = &p->c[i];
    for (int j = i + 1; j < p->nc; j++) {
        if (!boxes_meet(a, &p->c[j]))
            continue;
        GEOSGeometry *x = GEOSIntersection_r(w->tw->geos, a->geom, p->c[j].geom);
        if (!x)
            return mg_geos_fail(w, "intersection of counties");
        GEOSGeometry *poly = mg_polygonal(w->tw->geos, x, NULL);
        mg_destroy(w->tw->geos, &x);
        if (!poly)
            return mg_geos_fail(w, "intersection of counties");
        a->overlap_km2 += mg_geo_area_km2(w, poly);
        mg_destroy(w->tw->geos, &poly);
    }
    return 0;
}

int mg_counties_overlap(struct tc_workers *ws, struct province *p, struct tc_error *err)
{
    /* Shared geometries are read by many threads below: compute their lazy
     * envelopes here, on one thread. */
    for (int i = 0; i < p->nc; i++) {
        double x;
        GEOSGeom_getXMin_r(ws->w[0].geos, p->c[i].geom, &x);
    }
#pragma omp parallel for num_threads(ws->n) schedule(dynamic, 4)
    for (int i = 0; i < p->nc; i++) {
        struct mg_worker *w = ws->w[omp_get_thread_num()].scratch;
        w->tw->geos_msg[0] = '\0';
        if (county_overlaps(w, p, i) != 0)
            tc_worker_failf(w->tw, i, TC_EXIT_INTERNAL, "county %s: %s", p->c[i].code,
                            w->err.msg);
    }
    return tc_workers_failure(ws, err);
}
