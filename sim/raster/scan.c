/* raster/scan.c — which township each cell centre of a row lies in, by
 * scanlines (see raster_internal.h): the rings' crossings with the row's
 * centre line, paired even-odd, give each township's intervals of cells,
 * without a point-in-polygon test per cell. A cell whose centre lies within
 * the rounding of a crossing is left to the exact locator (GEOS), so that
 * every cell gets the township map_locate would give it.
 *
 * Why even-odd over all of a township's rings together: GEOS's prepared
 * point-in-area test counts ray crossings over every ring of the
 * (multi)polygon at once, so this is the same rule also for a geometry
 * whose parts overlap. */
#include "raster_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"

/* A crossing of township t's boundary with row k's centre line at x;
 * cells within tol of x are unsure. flat: a horizontal edge lying on the
 * line (its cells are on the boundary), the span [x, x + tol] unsure. */
struct xing {
    int k, t;
    double x, tol;
    int flat;
};

struct rscan {
    const struct tc_map *map;
    const struct raster_grid *g;
    GEOSContextHandle_t ctx;
    int r0, nr;
    struct xing *xs;   /* the strip's crossings, by (k, t, x) */
    long n, cap;
    long *row;         /* nr + 1 offsets into xs */
    double *coords;    /* one ring's coordinates (scratch) */
    size_t ncoords;
};

/* Row r's centre, as strip_row computes it (the same expression, so that
 * the comparisons below are exact for the cells' own y). */
static double row_y(const struct raster_grid *g, int r)
{
    return g->y1 - (r + 0.5) * g->res;
}

static double col_x(const struct raster_grid *g, int c)
{
    return g->x0 + (c + 0.5) * g->res;
}

struct rscan *rscan_new(const struct tc_map *map, const struct raster_grid *g,
                        GEOSContextHandle_t ctx, int strip_rows)
{
    struct rscan *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->map = map;
    s->g = g;
    s->ctx = ctx;
    s->row = malloc(((size_t)strip_rows + 1) * sizeof *s->row);
    if (!s->row)
        rscan_free(&s);
    return s;
}

void rscan_free(struct rscan **sp)
{
    struct rscan *s = *sp;
    if (!s)
        return;
    free(s->xs);
    free(s->row);
    free(s->coords);
    free(s);
    *sp = NULL;
}

static int push(struct rscan *s, int k, int t, double x, double tol, int flat)
{
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 4096;
        struct xing *p = realloc(s->xs, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        s->xs = p;
        s->cap = cap;
    }
    s->xs[s->n++] = (struct xing){k, t, x, tol, flat};
    return 0;
}

/* Rows of the strip whose centre line an edge from ya to yb may meet:
 * [*a, *b], widened by one row each side (the exact test is per row). */
static void rows_of(const struct rscan *s, double ylo, double yhi, int *a, int *b)
{
    const struct raster_grid *g = s->g;
    double fa = floor((g->y1 - yhi) / g->res - 0.5) - 1;
    double fb = ceil((g->y1 - ylo) / g->res - 0.5) + 1;
    *a = fa < s->r0 ? s->r0 : fa > s->r0 + s->nr ? s->r0 + s->nr : (int)fa;
    *b = fb > s->r0 + s->nr - 1 ? s->r0 + s->nr - 1 : fb < s->r0 - 1 ? s->r0 - 1 : (int)fb;
}

/* The crossings of edge (x1, y1)-(x2, y2) with the strip's rows. A
 * crossing counts where exactly one end lies above the line (the usual
 * half-open rule, so that a vertex on the line counts once or twice, never
 * wrongly). Its x carries the rounding of the interpolation: at most a few
 * ulps of the coordinates, and of dx times the relative error of
 * (y - y1) / dy, which grows as the edge flattens; tol bounds both with a
 * wide margin. */
static int edge_crossings(struct rscan *s, int t, double x1, double y1, double x2, double y2)
{
    int a, b;
    rows_of(s, fmin(y1, y2), fmax(y1, y2), &a, &b);
    for (int r = a; r <= b; r++) {
        double y = row_y(s->g, r);
        if (y1 == y2) {
            if (y == y1 && push(s, r - s->r0, t, fmin(x1, x2) - 1e-6,
                                fabs(x2 - x1) + 2e-6, 1) != 0)
                return -1;
            continue;
        }
        if ((y1 > y) == (y2 > y))
            continue;
        double dx = x2 - x1, dy = y2 - y1;
        double x = x1 + (y - y1) * dx / dy;
        double tol = 1e-6 + 1e-13 * (fabs(x1) + fabs(x2)) +
                     1e-13 * fabs(dx) * (fabs(y) + fabs(y1) + fabs(y2)) / fabs(dy);
        if (push(s, r - s->r0, t, x, tol, 0) != 0)
            return -1;
    }
    return 0;
}

static int ring_crossings(struct rscan *s, int t, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(s->ctx, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(s->ctx, cs, &n))
        return -1;
    if (2 * (size_t)n > s->ncoords) {
        double *p = realloc(s->coords, 2 * (size_t)n * sizeof *p);
        if (!p)
            return -1;
        s->coords = p;
        s->ncoords = 2 * (size_t)n;
    }
    if (n > 0 && !GEOSCoordSeq_copyToBuffer_r(s->ctx, cs, s->coords, 0, 0))
        return -1;
    const double *c = s->coords;
    for (unsigned int i = 0; i + 1 < n; i++)
        if (edge_crossings(s, t, c[2 * i], c[2 * i + 1], c[2 * i + 2], c[2 * i + 3]) != 0)
            return -1;
    return 0;
}

static int polygon_crossings(struct rscan *s, int t, const GEOSGeometry *poly)
{
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(s->ctx, poly);
    if (!shell || ring_crossings(s, t, shell) != 0)
        return -1;
    int nh = GEOSGetNumInteriorRings_r(s->ctx, poly);
    for (int h = 0; h < nh; h++) {
        const GEOSGeometry *ring = GEOSGetInteriorRingN_r(s->ctx, poly, h);
        if (!ring || ring_crossings(s, t, ring) != 0)
            return -1;
    }
    return 0;
}

/* Township t's envelope, unsure on every row of the strip it spans: the
 * exact locator decides each of its cells. */
static int township_unsure(struct rscan *s, int t)
{
    const struct township *tw = &s->map->t[t];
    int a, b;
    rows_of(s, tw->ymin, tw->ymax, &a, &b);
    for (int r = a; r <= b; r++) {
        double y = row_y(s->g, r);
        if (y >= tw->ymin && y <= tw->ymax &&
            push(s, r - s->r0, t, tw->xmin - 1e-6, tw->xmax - tw->xmin + 2e-6, 1) != 0)
            return -1;
    }
    return 0;
}

static int township_crossings(struct rscan *s, int t)
{
    const GEOSGeometry *geom = s->map->t[t].geom;
    int type = GEOSGeomTypeId_r(s->ctx, geom);
    if (type == GEOS_POLYGON)
        return polygon_crossings(s, t, geom);
    if (type != GEOS_MULTIPOLYGON) /* the map repairs to polygons; anything else, exactly */
        return township_unsure(s, t);
    int np = GEOSGetNumGeometries_r(s->ctx, geom);
    for (int p = 0; p < np; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(s->ctx, geom, p);
        if (!poly || polygon_crossings(s, t, poly) != 0)
            return -1;
    }
    return 0;
}

static int by_row_township_x(const void *a, const void *b)
{
    const struct xing *p = a, *q = b;
    if (p->k != q->k)
        return p->k < q->k ? -1 : 1;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    if (p->flat != q->flat)
        return p->flat < q->flat ? -1 : 1;
    return p->x < q->x ? -1 : p->x > q->x;
}

int rscan_strip(struct rscan *s, int r0, int nr)
{
    s->r0 = r0;
    s->nr = nr;
    s->n = 0;
    double ytop = row_y(s->g, r0), ybot = row_y(s->g, r0 + nr - 1);
    for (int t = 0; t < s->map->n; t++) {
        const struct township *tw = &s->map->t[t];
        if (tw->ymax < ybot || tw->ymin > ytop)
            continue;
        if (township_crossings(s, t) != 0)
            return -1;
    }
    qsort(s->xs, (size_t)s->n, sizeof *s->xs, by_row_township_x);
    long i = 0;
    for (int k = 0; k <= nr; k++) {
        while (i < s->n && s->xs[i].k < k)
            i++;
        s->row[k] = i;
    }
    return 0;
}

/* Columns whose centre lies in [lo, hi], clamped to the grid: [*a, *b]
 * (empty when *a > *b). The floor and ceil are widened by one column and
 * then tested exactly on the cells' own x. */
static void cols_in(const struct raster_grid *g, double lo, double hi, int *a, int *b)
{
    double fa = floor((lo - g->x0) / g->res - 0.5), fb = ceil((hi - g->x0) / g->res - 0.5);
    int ca = fa < 0 ? 0 : fa > g->width ? g->width : (int)fa;
    int cb = fb > g->width - 1 ? g->width - 1 : fb < -1 ? -1 : (int)fb;
    while (ca <= cb && col_x(g, ca) < lo)
        ca++;
    while (cb >= ca && col_x(g, cb) > hi)
        cb--;
    *a = ca;
    *b = cb;
}

static void mark_unsure(const struct raster_grid *g, double lo, double hi, uint8_t *unsure)
{
    int a, b;
    cols_in(g, lo, hi, &a, &b);
    for (int c = a; c <= b; c++)
        unsure[c] = 1;
}

/* One township's crossings on the row, xs[0 .. n - 1] (by x, flat spans
 * after): its intervals painted into own, the rounding margins into
 * unsure. An odd count (a ring not closed) makes its whole span unsure. */
static void paint_township(const struct raster_grid *g, const struct xing *xs, long n, int t,
                           int *own, uint8_t *unsure)
{
    long m = 0;
    while (m < n && !xs[m].flat)
        m++;
    for (long i = m; i < n; i++)
        mark_unsure(g, xs[i].x, xs[i].x + xs[i].tol, unsure);
    if (m % 2 != 0) {
        mark_unsure(g, xs[0].x - xs[0].tol, xs[m - 1].x + xs[m - 1].tol, unsure);
        return;
    }
    for (long i = 0; i < m; i += 2) {
        int a, b;
        cols_in(g, xs[i].x, xs[i + 1].x, &a, &b);
        for (int c = a; c <= b; c++)
            own[c] = t;
    }
    for (long i = 0; i < m; i++)
        mark_unsure(g, xs[i].x - xs[i].tol, xs[i].x + xs[i].tol, unsure);
}

void rscan_row(const struct rscan *s, int k, int *own, uint8_t *unsure)
{
    const struct raster_grid *g = s->g;
    for (int c = 0; c < g->width; c++)
        own[c] = -1;
    memset(unsure, 0, (size_t)g->width);
    /* Townships in descending order: where two overlap, the lowest paints
     * last, as map_locate returns the first containing township. */
    long end = s->row[k + 1];
    while (end > s->row[k]) {
        long start = end;
        int t = s->xs[end - 1].t;
        while (start > s->row[k] && s->xs[start - 1].t == t)
            start--;
        paint_township(g, s->xs + start, end - start, t, own, unsure);
        end = start;
    }
    for (int c = 0; c < g->width; c++)
        if (unsure[c])
            own[c] = RSCAN_UNSURE;
}
