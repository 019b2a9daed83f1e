/* sample.c — a polygon to split, set up in its local frame: its rings
 * (point-in-polygon, distance to the boundary), a grid of samples inside
 * it, the centre urban townships cluster around, and the sample weights. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLES_PER_SEED 100
/* Subdistrict area relative to a rural township's: urban cells are small. */
#define URBAN_SIZE 0.15

static int rings_add(GEOSContextHandle_t ctx, struct rings *r, const GEOSGeometry *ring,
                     const struct frame *f)
{
    double *x, *y;
    int n = mg_ring_coords(ctx, ring, &x, &y);
    if (n < 0)
        return -1;
    if (r->nr + 2 > r->cap) {
        int cap = r->cap ? 2 * r->cap : 8;
        int *s = realloc(r->start, sizeof *s * (size_t)cap);
        if (!s) {
            free(x);
            free(y);
            return -1;
        }
        r->start = s;
        r->cap = cap;
    }
    int rc = 0;
    r->start[r->nr] = r->v.n;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = mg_pts_push(&r->v, (x[i] - f->lon0) * f->c, y[i] - f->lat0);
    r->start[++r->nr] = r->v.n;
    free(x);
    free(y);
    return rc;
}

static int rings_from(GEOSContextHandle_t ctx, const GEOSGeometry *g, const struct frame *f,
                      struct rings *r)
{
    int np = GEOSGetNumGeometries_r(ctx, g);
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (GEOSisEmpty_r(ctx, p))
            continue;
        if (rings_add(ctx, r, GEOSGetExteriorRing_r(ctx, p), f) != 0)
            return -1;
        for (int k = 0; k < GEOSGetNumInteriorRings_r(ctx, p); k++)
            if (rings_add(ctx, r, GEOSGetInteriorRingN_r(ctx, p, k), f) != 0)
                return -1;
    }
    return 0;
}

void mg_rings_free(struct rings *r)
{
    mg_pts_free(&r->v);
    free(r->start);
    memset(r, 0, sizeof *r);
}

int mg_rings_inside(const struct rings *r, double px, double py)
{
    int inside = 0;
    const double *x = r->v.x, *y = r->v.y;
    for (int k = 0; k < r->nr; k++)
        for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
            int j = i - 1;
            if ((y[i] > py) != (y[j] > py)
                && px < x[i] + (py - y[i]) * (x[j] - x[i]) / (y[j] - y[i]))
                inside = !inside;
        }
    return inside;
}

double mg_rings_distance(const struct rings *r, double px, double py)
{
    double best = INFINITY;
    const double *x = r->v.x, *y = r->v.y;
    for (int k = 0; k < r->nr; k++)
        for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
            double dx = x[i] - x[i - 1], dy = y[i] - y[i - 1];
            double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - x[i - 1]) * dx + (py - y[i - 1]) * dy) / len2 : 0.0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double ex = x[i - 1] + t * dx - px, ey = y[i - 1] + t * dy - py;
            best = fmin(best, ex * ex + ey * ey);
        }
    return sqrt(best);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Grid points at spacing h inside the rings, row by row (scanline fill:
 * O(rows x edges), far cheaper than a point-in-polygon test per point). */
static int sample_grid(const struct rings *r, double h, const double *box, struct pts *s)
{
    double *xs = malloc(sizeof *xs * (size_t)(r->v.n + 1));
    if (!xs)
        return -1;
    int rows = (int)ceil((box[3] - box[1]) / h), rc = 0;
    for (int row = 0; rc == 0 && row < rows; row++) {
        double y = box[1] + (row + 0.5) * h;
        int nx = 0;
        for (int k = 0; k < r->nr; k++)
            for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
                double ya = r->v.y[i - 1], yb = r->v.y[i], xa = r->v.x[i - 1], xb = r->v.x[i];
                if ((ya > y) != (yb > y))
                    xs[nx++] = xa + (y - ya) * (xb - xa) / (yb - ya);
            }
        qsort(xs, (size_t)nx, sizeof *xs, cmp_double);
        for (int k = 0; rc == 0 && k + 1 < nx; k += 2) {
            long j0 = (long)ceil((xs[k] - box[0]) / h - 0.5);
            long j1 = (long)floor((xs[k + 1] - box[0]) / h - 0.5);
            for (long j = j0; rc == 0 && j <= j1; j++) {
                double x = box[0] + (j + 0.5) * h;
                if (x > xs[k] && x < xs[k + 1])
                    rc = mg_pts_push(s, x, y);
            }
        }
    }
    free(xs);
    return rc;
}

static int splitter_frame(struct splitter *z)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getExtent_r(z->w->tw->geos, z->poly, &x0, &y0, &x1, &y1))
        return mg_geos_fail(z->w, "extent");
    z->f.lon0 = (x0 + x1) / 2;
    z->f.lat0 = (y0 + y1) / 2;
    z->f.c = cos(z->f.lat0 * M_PI / 180.0);
    if (rings_from(z->w->tw->geos, z->poly, &z->f, &z->rings) != 0)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for rings");
    z->box[0] = z->box[1] = INFINITY;
    z->box[2] = z->box[3] = -INFINITY;
    for (int i = 0; i < z->rings.v.n; i++) {
        z->box[0] = fmin(z->box[0], z->rings.v.x[i]);
        z->box[1] = fmin(z->box[1], z->rings.v.y[i]);
        z->box[2] = fmax(z->box[2], z->rings.v.x[i]);
        z->box[3] = fmax(z->box[3], z->rings.v.y[i]);
    }
    return 0;
}

/* About SAMPLES_PER_SEED samples per seed; finer for thin or tiny shapes. */
static int splitter_sample(struct splitter *z)
{
    double area = 0.0;
    if (!GEOSArea_r(z->w->tw->geos, z->poly, &area))
        return mg_geos_fail(z->w, "area");
    z->h = sqrt(area * z->f.c / ((double)SAMPLES_PER_SEED * z->n));
    for (int attempt = 0; attempt < 12; attempt++) {
        z->s.n = 0;
        if (sample_grid(&z->rings, z->h, z->box, &z->s) != 0)
            return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for samples");
        if (z->s.n >= 8 * z->n)
            break;
        z->h /= 2;
    }
    if (z->s.n < z->n)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "polygon too small for %d townships", z->n);
    z->wt = malloc(sizeof *z->wt * (size_t)z->s.n);
    z->assign = malloc(sizeof *z->assign * (size_t)z->s.n);
    if (!z->wt || !z->assign)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for samples");
    return 0;
}

/* The centre urban townships cluster around: the centre of the largest
 * inscribed circle, well inside the county whatever its shape. */
static int splitter_centre(struct splitter *z)
{
    z->cx = (z->box[0] + z->box[2]) / 2;
    z->cy = (z->box[1] + z->box[3]) / 2;
    if (z->n_urban == 0)
        return 0;
    double area = 0.0;
    GEOSArea_r(z->w->tw->geos, z->poly, &area);
    GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(z->w->tw->geos, z->poly, sqrt(area) / 200.0);
    if (!mic)
        return mg_geos_fail(z->w, "MaximumInscribedCircle");
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(z->w->tw->geos, mic);
    double lon = 0, lat = 0;
    int ok = seq && GEOSCoordSeq_getXY_r(z->w->tw->geos, seq, 0, &lon, &lat);
    GEOSGeom_destroy_r(z->w->tw->geos, mic);
    if (!ok)
        return mg_geos_fail(z->w, "MaximumInscribedCircle");
    z->cx = (lon - z->f.lon0) * z->f.c;
    z->cy = lat - z->f.lat0;
    return 0;
}

/* Sample weights: a density peak over the urban core makes Lloyd's cells
 * small there (cell area ~ density^-1/2), so subdistricts come out about
 * URBAN_SIZE times a rural township's size. */
static void splitter_weights(struct splitter *z)
{
    for (int i = 0; i < z->s.n; i++)
        z->wt[i] = 1.0;
    if (z->n_urban == 0)
        return;
    double area = z->s.n * z->h * z->h;
    double rural = area / (z->n_urban * URBAN_SIZE + z->n - z->n_urban);
    double core = sqrt(z->n_urban * URBAN_SIZE * rural / M_PI);
    double peak = 1.0 / (URBAN_SIZE * URBAN_SIZE);
    for (int i = 0; i < z->s.n; i++) {
        double d = hypot(z->s.x[i] - z->cx, z->s.y[i] - z->cy);
        z->wt[i] = 1.0 + (peak - 1.0) / (1.0 + exp((d - core) / (0.25 * core)));
    }
}

/* z set up for z->poly: its frame, rings and box, the samples, the urban
 * centre and the sample weights; z->w->err set on failure. */
int mg_splitter_setup(struct splitter *z)
{
    int rc = splitter_frame(z);
    if (rc == 0)
        rc = splitter_sample(z);
    if (rc == 0)
        rc = splitter_centre(z);
    if (rc == 0)
        splitter_weights(z);
    return rc;
}
