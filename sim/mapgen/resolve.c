/* resolve.c — overlaps between counties, given to one of them: where two
 * county polygons of the source overlap (the echarts borders are drawn on a
 * 1/1024-degree grid, prefecture file by prefecture file, and do not always
 * agree), the shared area stays with the county whose code sorts first and
 * is cut from the other, so that a map's county areas add up to its area and
 * no point lies in two townships. Counties that do not overlap (Jiangxi's,
 * once cleaned and simplified) are left untouched, vertex for vertex. */
#include "mapgen_internal.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

struct box { double xmin, ymin, xmax, ymax; };

static int boxes_meet(const struct box *a, const struct box *b)
{
    return a->xmin <= b->xmax && b->xmin <= a->xmax && a->ymin <= b->ymax && b->ymin <= a->ymax;
}

/* County i less every county j whose code sorts before its own and whose
 * polygon overlaps it with positive area, into *out (NULL: no overlap; the
 * county stays as it is); *cut_km2 gets the area removed. Reads the shared
 * geometries only. */
static int county_resolve(struct mg_worker *w, const struct province *p, const struct box *bx,
                          int i, GEOSGeometry **out, double *cut_km2)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    const struct county *a = &p->c[i];
    GEOSGeometry *g = NULL;
    *out = NULL;
    *cut_km2 = 0;
    for (int j = 0; j < p->nc; j++) {
        if (j == i || strcmp(p->c[j].code, a->code) >= 0 || !boxes_meet(&bx[i], &bx[j]))
            continue;
        GEOSGeometry *x = GEOSIntersection_r(ctx, g ? g : a->geom, p->c[j].geom);
        GEOSGeometry *poly = x ? mg_polygonal(ctx, x, NULL) : NULL;
        mg_destroy(ctx, &x);
        if (!poly)
            return mg_geos_fail(w, "overlap of counties");
        double km2 = mg_geo_area_km2(w, poly);
        mg_destroy(ctx, &poly);
        if (!(km2 > 0))
            continue;
        GEOSGeometry *d = GEOSDifference_r(ctx, g ? g : a->geom, p->c[j].geom);
        GEOSGeometry *dp = d ? mg_polygonal(ctx, d, NULL) : NULL;
        mg_destroy(ctx, &d);
        if (!dp)
            return mg_geos_fail(w, "county less its overlap");
        mg_destroy(ctx, &g);
        g = dp;
        *cut_km2 += km2;
    }
    *out = g;
    return 0;
}

int mg_counties_resolve(struct tc_workers *ws, struct province *p, struct mapgen_report *r,
                        struct tc_error *err)
{
    struct box *bx = malloc(sizeof *bx * (size_t)(p->nc ? p->nc : 1));
    GEOSGeometry **cut = calloc((size_t)(p->nc ? p->nc : 1), sizeof *cut);
    double *km2 = calloc((size_t)(p->nc ? p->nc : 1), sizeof *km2);
    if (!bx || !cut || !km2) {
        free(bx), free(cut), free(km2);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    }
    /* The extents warm the shared geometries' lazy envelopes, on one thread. */
    for (int i = 0; i < p->nc; i++)
        GEOSGeom_getExtent_r(ws->w[0].geos, p->c[i].geom, &bx[i].xmin, &bx[i].ymin, &bx[i].xmax,
                             &bx[i].ymax);
#pragma omp parallel for num_threads(ws->n) schedule(dynamic, 4)
    for (int i = 0; i < p->nc; i++) {
        struct mg_worker *w = ws->w[omp_get_thread_num()].scratch;
        w->tw->geos_msg[0] = '\0';
        if (county_resolve(w, p, bx, i, &cut[i], &km2[i]) != 0)
            tc_worker_failf(w->tw, i, TC_EXIT_INTERNAL, "county %s: %s", p->c[i].code,
                            w->err.msg);
    }
    int rc = tc_workers_failure(ws, err);
    /* Every county was cut from the polygons as read: swap them in after. */
    for (int i = 0; i < p->nc; i++) {
        if (rc == 0 && cut[i]) {
            mg_destroy(ws->w[0].geos, &p->c[i].geom);
            p->c[i].geom = cut[i];
            r->counties_resolved++;
            r->overlap_resolved_km2 += km2[i];
        } else if (cut[i]) {
            mg_destroy(ws->w[0].geos, &cut[i]);
        }
    }
    free(bx), free(cut), free(km2);
    return rc;
}
