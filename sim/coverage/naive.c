/* naive.c — the naive engine (see coverage.h): what anyone would write
 * first. One thread, every footprint's envelope tested against the
 * township's, a plain GEOS union; the baseline the others are timed by. */
#include "towncov/coverage.h"

#include <math.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/map.h"

#include "coverage_internal.h"

int cov_naive_township(struct cov_worker *w, const struct tc_footprints *fp,
                       const struct township *t, struct cov_result *r)
{
    GEOSContextHandle_t ctx = w->ctx;
    if (cov_worker_reserve(w, fp->n) != 0)
        return -1;
    unsigned k = 0;
    for (long i = 0; i < fp->n; i++)
        if (!(fp->xmax[i] < t->xmin || fp->xmin[i] > t->xmax || fp->ymax[i] < t->ymin ||
              fp->ymin[i] > t->ymax))
            w->polys[k++] = footprint_polygon(ctx, fp, i);
    r->footprints = (int)k;
    GEOSGeometry *covered = NULL;
    r->covered_m2 = cov_covered_area(ctx, t->geom, w->polys, k, &covered);
    /* Seats lie inside their township, so covered part and union agree there. */
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    r->seat_covered = covered && GEOSIntersects_r(ctx, covered, seat) == 1;
    GEOSGeom_destroy_r(ctx, seat);
    if (covered)
        GEOSGeom_destroy_r(ctx, covered);
    return isnan(r->covered_m2) ? -1 : 0;
}
