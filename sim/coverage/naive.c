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
            if (!(w->polys[k++] = footprint_polygon(ctx, fp, i))) {
                for (unsigned j = 0; j + 1 < k; j++) /* GEOS failed: give them back */
                    GEOSGeom_destroy_r(ctx, w->polys[j]);
                return -1;
            }
    r->footprints = (int)k;
    GEOSGeometry *covered = NULL;
    r->covered_m2 = cov_covered_area(ctx, t->geom, w->polys, k, &covered);
    /* Seats lie inside their township, so covered part and union agree there. */
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    char on_seat = covered && seat ? GEOSIntersects_r(ctx, covered, seat) : 2;
    r->seat_covered = on_seat == 1;
    if (seat)
        GEOSGeom_destroy_r(ctx, seat);
    if (on_seat == 2 && k > 0)
        r->covered_m2 = NAN; /* GEOS failed: reported as such */
    if (covered)
        GEOSGeom_destroy_r(ctx, covered);
    return isnan(r->covered_m2) ? -1 : 0;
}
