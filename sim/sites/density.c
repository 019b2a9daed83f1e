/* density.c — strategy = demand with a raster of people ([sites] density =
 * FILE.tif: any GDAL raster of people per cell, WorldPop or GHS-POP say,
 * its CRS read by GDAL). A cell belongs to the township its centre lies in:
 * each township's rings are taken into the raster's pixel space once and
 * scanned row by row (even-odd) into runs of cells, its spans. The raster
 * is then read strip by strip (density_read.c: only the blocks holding a
 * span), twice: to weigh each township (its cells' people, summed in span
 * order), then, once the stations are shared out over the townships by the
 * Webster sequence (webster.c) after the floor sites.min_per_township, to
 * give township t's j-th station the cell its draw u (from the generator
 * keyed by (seed, t, j)) falls in by the running sum of its people; a
 * point uniformly inside that cell follows, from the same generator:
 * nested in the count, deterministic, independent of threads. */
#include "sites_internal.h"
#include "density_internal.h"

#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "towncov/map.h"
#include "towncov/rng.h"
#include "towncov/worker.h"

/* Tries for a point of the drawn cell inside the township (a cell the
 * border crosses) before its centre is taken. */
#define CELL_TRIES 64

/* A township's rings in the window's pixel space (column, row): scratch
 * while its spans are made. */
struct rings_px {
    int n;          /* rings */
    long *start;    /* n + 1 */
    double *x, *y;
    double ymin, ymax, xmin, xmax;
};

static void rings_free(struct rings_px *r)
{
    free(r->start);
    free(r->x);
    free(r->y);
    memset(r, 0, sizeof *r);
}

/* ---- the township's rings, projected into pixel space -------------------*/
static int add_ring(GEOSContextHandle_t ctx, const GEOSGeometry *ring, struct rings_px *r,
                    long *cap)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned int m = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &m))
        return -1;
    long at = r->start[r->n];
    if (at + (long)m > *cap) {
        long c = 2 * (at + (long)m);
        double *x = realloc(r->x, sizeof *x * (size_t)c), *y = x ? realloc(r->y, sizeof *y * (size_t)c) : NULL;
        if (x)
            r->x = x;
        if (!x || !y)
            return -1;
        r->y = y;
        *cap = c;
    }
    for (unsigned int i = 0; i < m; i++)
        if (!GEOSCoordSeq_getXY_r(ctx, seq, i, &r->x[at + i], &r->y[at + i]))
            return -1;
    r->start[++r->n] = at + m;
    return 0;
}

/* Township t's rings into pixel space of the raster (geotransform gt,
 * window origin at column c0, row r0) through p (metric -> raster CRS). */
static int township_rings(GEOSContextHandle_t ctx, struct map_proj *p, const struct township *tw,
                          const double gt[6], struct rings_px *r)
{
    int parts = GEOSGetNumGeometries_r(ctx, tw->geom), rings = 0;
    for (int i = 0; i < parts; i++)
        rings += 1 + GEOSGetNumInteriorRings_r(ctx, GEOSGetGeometryN_r(ctx, tw->geom, i));
    long cap = 0;
    r->start = calloc((size_t)rings + 1, sizeof *r->start);
    if (!r->start)
        return -1;
    for (int i = 0; i < parts; i++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(ctx, tw->geom, i);
        if (add_ring(ctx, GEOSGetExteriorRing_r(ctx, poly), r, &cap) != 0)
            return -1;
        for (int k = 0; k < GEOSGetNumInteriorRings_r(ctx, poly); k++)
            if (add_ring(ctx, GEOSGetInteriorRingN_r(ctx, poly, k), r, &cap) != 0)
                return -1;
    }
    long n = r->start[r->n];
    if (map_proj_trans(p, 1, r->x, r->y, n) != 0)
        return -1;
    r->xmin = r->ymin = INFINITY;
    r->xmax = r->ymax = -INFINITY;
    for (long i = 0; i < n; i++) {
        r->x[i] = (r->x[i] - gt[0]) / gt[1];
        r->y[i] = (r->y[i] - gt[3]) / gt[5];
        r->xmin = fmin(r->xmin, r->x[i]);
        r->xmax = fmax(r->xmax, r->x[i]);
        r->ymin = fmin(r->ymin, r->y[i]);
        r->ymax = fmax(r->ymax, r->y[i]);
    }
    return 0;
}

/* ---- the scan --------------------------------------------------------------*/
static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The window cells whose centre lies inside the rings (even-odd), as
 * spans (sp, empty on entry). 0, or -1 when out of memory. */
static int scan(const struct rings_px *r, int w, int h, struct spans *sp)
{
    long row0 = lround(ceil(r->ymin - 0.5)), row1 = lround(floor(r->ymax - 0.5));
    row0 = row0 < 0 ? 0 : row0;
    row1 = row1 >= h ? h - 1 : row1;
    double *xs = NULL;
    long cap = 0;
    for (long row = row0; row <= row1; row++) {
        double yc = (double)row + 0.5;
        long nx = 0;
        for (int ring = 0; ring < r->n; ring++)
            for (long i = r->start[ring]; i + 1 < r->start[ring + 1]; i++) {
                double y0 = r->y[i], y1 = r->y[i + 1];
                if ((y0 <= yc) == (y1 <= yc))
                    continue; /* half-open: a vertex on the line counts once */
                if (nx == cap) {
                    cap = cap ? 2 * cap : 64;
                    double *grown = realloc(xs, sizeof *xs * (size_t)cap);
                    if (!grown)
                        return free(xs), -1;
                    xs = grown;
                }
                xs[nx++] = r->x[i] + (yc - y0) * (r->x[i + 1] - r->x[i]) / (y1 - y0);
            }
        qsort(xs, (size_t)nx, sizeof *xs, by_double);
        for (long q = 0; q + 1 < nx; q += 2) {
            long c0 = lround(ceil(xs[q] - 0.5)), c1 = lround(ceil(xs[q + 1] - 0.5));
            c0 = c0 < 0 ? 0 : c0;
            c1 = c1 > w ? w : c1;
            if (c0 >= c1)
                continue;
            if (tc_reserve((void **)&sp->s, &sp->cap, (size_t)sp->n + 1,
                           sizeof *sp->s) != 0)
                return free(xs), -1;
            sp->s[sp->n++] = (struct span){(int)row, (int)c0, (int)c1};
        }
    }
    free(xs);
    return 0;
}

/* ---- placing -------------------------------------------------------------*/

/* A station's draw: u in [0, the township's people), and its rank. */
struct pick { double u; long j; };

/* A township's walk over its cells, strip after strip: its people so far
 * in span order and, when drawing, its draws sorted by u and the cell each
 * has got. */
struct walk {
    long next;        /* its first span not walked yet */
    double sum;       /* its people so far */
    struct pick *pk;  /* drawing: its draws, sorted by u (NULL: weighing) */
    long quota, k;    /* its draws; those given their cell */
    long last;        /* its last cell with people so far (window index), or -1 */
    long *cell;       /* cell[j]: draw j's cell (window index), -1: none */
};

struct dens_ctx {
    const struct tc_map *map;
    struct people *pp;
    struct map_proj **proj; /* one per thread */
    struct spans *spans;    /* each township's cells: its rings projected and scanned once */
    struct walk *walk;      /* each township's */
    unsigned long long seed;
};

/* Township t's spans: its rings into the window's pixel space, scanned. */
static int township_spans(const struct dens_ctx *c, GEOSContextHandle_t g, struct map_proj *p,
                          int t)
{
    struct rings_px r = {0};
    int rc = township_rings(g, p, &c->map->t[t], c->pp->gt, &r);
    if (rc == 0)
        rc = scan(&r, c->pp->w, c->pp->h, &c->spans[t]);
    rings_free(&r);
    return rc;
}

/* Township t's spans in the strip held (pp->r0 .. r1-1), in order: each of
 * its cells with people added to its sum; when drawing, every draw whose u
 * the running sum passes at a cell gets that cell: the first cell whose
 * running sum exceeds u, which a binary search over the running sums would
 * give, without storing them. Spans are in row order and strips come in
 * row order, so the sum is the one a single pass over all its cells makes,
 * to the bit. */
static void walk_strip(const struct dens_ctx *c, int t)
{
    const struct spans *sp = &c->spans[t];
    const struct people *pp = c->pp;
    struct walk *w = &c->walk[t];
    for (; w->next < sp->n && sp->s[w->next].row < pp->r1; w->next++) {
        const struct span *a = &sp->s[w->next];
        const float *v = pp->v + (size_t)(a->row - pp->r0) * (size_t)pp->w;
        for (long col = a->c0; col < a->c1; col++) {
            if (!(v[col] > 0))
                continue;
            w->sum += v[col];
            if (!w->pk)
                continue;
            w->last = (long)a->row * pp->w + col;
            while (w->k < w->quota && w->pk[w->k].u < w->sum)
                w->cell[w->pk[w->k++].j] = w->last;
        }
        if (w->pk && w->k == w->quota) { /* every draw has its cell */
            w->next = sp->n;
            break;
        }
    }
}

/* Reads the raster strip by strip (checking it on the first pass) and
 * walks every township over each. */
static int walk_raster(struct dens_ctx *c, struct dens_reader *r, int threads, int check,
                       struct tc_error *err)
{
    for (long k = 0; k < dens_strips(r); k++) {
        if (dens_read_strip(r, k, check, c->pp, err) != 0)
            return -1;
        if (tc_interrupted())
            return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
        for (int t = 0; t < c->map->n; t++)
            walk_strip(c, t);
    }
    return 0;
}

static int by_u(const void *a, const void *b)
{
    const struct pick *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* Township t's draws (u = its people × the generator's first number for
 * (seed, t, j)), sorted, ready for the second walk; their cells go to
 * cell[0 .. quota-1]. 0, or -1 when out of memory. */
static int draws_ready(const struct dens_ctx *c, int t, long quota, long *cell)
{
    struct walk *w = &c->walk[t];
    double people = w->sum;
    *w = (struct walk){.quota = quota, .last = -1, .cell = cell};
    if (quota == 0) {
        w->next = c->spans[t].n; /* nothing to walk for */
        return 0;
    }
    if (!(w->pk = malloc(sizeof *w->pk * (size_t)quota)))
        return -1;
    for (long j = 0; j < quota; j++) {
        uint64_t stream = ((uint64_t)t << 32) | (uint64_t)j;
        w->pk[j] = (struct pick){rng_uniform(c->seed, stream, 0) * people, j};
        cell[j] = -1;
    }
    qsort(w->pk, (size_t)quota, sizeof *w->pk, by_u);
    return 0;
}

/* A point of cell `cell` (window index) at fractions fx, fy, in the map's
 * metric CRS. */
static int cell_point(const struct people *pp, struct map_proj *p, long cell, double fx,
                      double fy, double *x, double *y)
{
    *x = pp->gt[0] + ((double)(cell % pp->w) + fx) * pp->gt[1];
    *y = pp->gt[3] + ((double)(cell / pp->w) + fy) * pp->gt[5];
    return map_proj_trans(p, 0, x, y, 1);
}

/* Township t's quota stations, by rank, into px, py: draw j's point in its
 * cell (the walk's last cell with people when its u was not passed: u at
 * the very top), inside the township, or the township's seat. */
static int draw_township(const struct dens_ctx *c, GEOSContextHandle_t g, struct map_proj *p,
                         int t, long quota, double *px, double *py)
{
    const struct township *tw = &c->map->t[t];
    struct walk *w = &c->walk[t];
    for (; w->k < quota; w->k++)
        w->cell[w->pk[w->k].j] = w->last;
    int rc = 0;
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(g, tw->geom);
    for (long j = 0; rc == 0 && j < quota; j++) {
        uint64_t stream = ((uint64_t)t << 32) | (uint64_t)j;
        px[j] = tw->seat_x, py[j] = tw->seat_y; /* a township without people: its seat */
        if (w->cell[j] < 0)
            continue;
        for (uint64_t k = 0; rc == 0 && k <= CELL_TRIES; k++) {
            double fx = k < CELL_TRIES ? rng_uniform(c->seed, stream, 1 + 2 * k) : 0.5;
            double fy = k < CELL_TRIES ? rng_uniform(c->seed, stream, 2 + 2 * k) : 0.5;
            double x, y;
            if (cell_point(c->pp, p, w->cell[j], fx, fy, &x, &y) != 0) {
                rc = -1;
                break;
            }
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g, x, y);
            int inside = GEOSPreparedContainsProperly_r(g, prep, pt) == 1;
            GEOSGeom_destroy_r(g, pt);
            if (inside) {
                px[j] = x, py[j] = y;
                break;
            }
        }
    }
    if (prep)
        GEOSPreparedGeom_destroy_r(g, prep);
    return rc;
}

/* Every township on the workers: its spans (quota NULL), or its quota
 * stations drawn into px, py from first[t] on; the lowest failing
 * township's failure is reported. */
static int each_township(const struct dens_ctx *c, struct tc_workers *ws, const long *quota,
                         const long *first, double *px, double *py, struct tc_error *err)
{
    int n = c->map->n, failed = n;
    #pragma omp parallel for num_threads(ws->n) schedule(dynamic, 4) reduction(min : failed)
    for (int t = 0; t < n; t++) {
        int k = omp_get_thread_num();
        int rc = tc_interrupted() ? 0
                 : quota ? (quota[t] ? draw_township(c, ws->w[k].geos, c->proj[k], t, quota[t],
                                                     px + first[t], py + first[t])
                                     : 0)
                         : township_spans(c, ws->w[k].geos, c->proj[k], t);
        if (rc != 0 && t < failed)
            failed = t;
    }
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
    if (failed < n)
        return tc_fail(err, TC_EXIT_RESOURCE, "sites.density: township %s: out of memory or "
                       "PROJ failed on its polygon", c->map->t[failed].code);
    return 0;
}

/* Webster over the townships' people after the floor, then the points:
 * the raster walked twice (weighing, then drawing). */
static int place(const struct sites_config *cfg, struct dens_ctx *c, struct dens_reader *r,
                 struct tc_workers *ws, struct tc_sites *s, struct tc_error *err)
{
    int n = c->map->n;
    long floor_n = cfg->min_per_township * (long)n;
    double *w = malloc(sizeof *w * (size_t)n);
    long *given = calloc((size_t)n, sizeof *given), *quota = malloc(sizeof *quota * (size_t)n);
    long *first = malloc(sizeof *first * (size_t)n);
    long *slot = malloc(sizeof *slot * (size_t)(s->n > 0 ? s->n : 1));
    long *cell = malloc(sizeof *cell * (size_t)(s->n > 0 ? s->n : 1));
    int rc = w && given && quota && first && slot && cell ? 0
             : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n);
    if (rc == 0)
        rc = walk_raster(c, r, ws->n, 1, err);
    for (int t = 0; rc == 0 && t < n; t++)
        w[t] = c->walk[t].sum;
    for (long k = 0; rc == 0 && k < floor_n; k++) {
        s->township[k] = (int)(k % n);
        given[k % n]++;
    }
    if (rc == 0) {
        int wr = sites_webster_from(w, n, given, s->n - floor_n, s->township + floor_n, quota);
        if (wr == -1)
            rc = tc_fail(err, TC_EXIT_SITES, "sites.density: the raster has no people in any "
                         "township");
        else if (wr == -2)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n);
    }
    if (rc == 0) {
        sites_slots(s->township, s->n, n, quota, first, slot);
        for (int t = 0; t < n; t++)
            if (draws_ready(c, t, quota[t], cell + first[t]) != 0 && rc == 0)
                rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n);
    }
    if (rc == 0)
        rc = walk_raster(c, r, ws->n, 0, err);
    if (rc == 0)
        rc = each_township(c, ws, quota, first, s->lon, s->lat, err);
    for (long k = 0; rc == 0 && k < s->n; k++) {
        s->x[k] = s->lon[slot[k]];
        s->y[k] = s->lat[slot[k]];
    }
    free(w);
    free(given);
    free(quota);
    free(first);
    free(slot);
    free(cell);
    return rc;
}

int sites_place_density(const struct sites_config *cfg, const struct tc_map *map,
                        const char *path, unsigned long long seed, int threads,
                        struct tc_sites *s, struct tc_error *err)
{
    long floor_n = cfg->min_per_township * (long)map->n;
    if (cfg->count < floor_n)
        return tc_fail(err, TC_EXIT_SCENARIO, "sites.min_per_township = %ld needs sites.count "
                       ">= %ld (%d townships), not %ld", cfg->min_per_township, floor_n,
                       map->n, cfg->count);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister(); /* a caller other than main (tests): once, serially */
    struct people pp = {0};
    struct dens_ctx c = {.map = map, .pp = &pp, .seed = seed};
    struct tc_workers *ws = NULL;
    struct dens_reader *r = NULL;
    int rc = dens_open(path, map, &pp, &r, err);
    if (rc == 0 && !(ws = tc_workers_new(threads, NULL, 0, err)))
        rc = -1;
    if (rc == 0 && (!(c.proj = calloc((size_t)ws->n, sizeof *c.proj)) ||
                    !(c.spans = calloc((size_t)map->n, sizeof *c.spans)) ||
                    !(c.walk = calloc((size_t)map->n, sizeof *c.walk))))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int k = 0; rc == 0 && k < ws->n; k++) /* serially, before the threads */
        if (!(c.proj[k] = map_proj_new_from(map, pp.crs, err)))
            rc = -1;
    /* the townships' cells first: then only the blocks holding some are read */
    if (rc == 0)
        rc = each_township(&c, ws, NULL, NULL, NULL, NULL, err);
    if (rc == 0)
        rc = dens_plan(r, c.spans, map->n, ws->n, &pp, err);
    if (rc == 0)
        rc = place(cfg, &c, r, ws, s, err);
    dens_close(&r);
    for (int k = 0; c.proj && k < ws->n; k++)
        map_proj_free(&c.proj[k]);
    free(c.proj);
    for (int t = 0; c.spans && t < map->n; t++)
        free(c.spans[t].s);
    free(c.spans);
    for (int t = 0; c.walk && t < map->n; t++)
        free(c.walk[t].pk);
    free(c.walk);
    tc_workers_free(&ws);
    free(pp.crs);
    return rc;
}
