/* density.c — strategy = demand with a raster of people ([sites] density =
 * FILE.tif: any GDAL raster of people per cell, WorldPop or GHS-POP say,
 * its CRS read by GDAL). A cell belongs to the township its centre lies in
 * (the township's rings taken into the raster's pixel space and scanned
 * row by row, even-odd); a township's weight is its cells' people. The
 * stations are shared out over the townships by the Webster sequence
 * (webster.c) after the floor sites.min_per_township; township t's j-th
 * station picks a cell with probability in proportion to its people and a
 * point uniformly inside it, both from the generator keyed by (seed, t,
 * j): nested in the count, deterministic, independent of threads. */
#include "sites_internal.h"

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

/* The raster's people over the window of it the map covers. */
struct people {
    int w, h;          /* the window, cells */
    double gt[6];      /* its geotransform (the raster's, origin moved) */
    float *v;          /* people per cell, row-major; nodata and NaN read as 0 */
    char *crs;         /* the raster's CRS as WKT */
};

/* A township's rings in the window's pixel space (column, row). */
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

/* Visits every window cell whose centre lies inside the rings (even-odd):
 * weight only (cells NULL), or also the cells with people and the running
 * sum of their people (cells, cum: room for as many as the rings' box
 * holds). Returns the people, or -1 when out of memory. */
static double scan(const struct rings_px *r, const struct people *pp, long *cells, double *cum,
                   long *ncells)
{
    long row0 = lround(ceil(r->ymin - 0.5)), row1 = lround(floor(r->ymax - 0.5));
    row0 = row0 < 0 ? 0 : row0;
    row1 = row1 >= pp->h ? pp->h - 1 : row1;
    double sum = 0, *xs = NULL;
    long cap = 0, k = 0;
    *ncells = 0;
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
            c1 = c1 > pp->w ? pp->w : c1;
            for (long c = c0; c < c1; c++) {
                float v = pp->v[row * pp->w + c];
                if (!(v > 0))
                    continue;
                sum += v;
                if (cells) {
                    cells[k] = row * pp->w + c;
                    cum[k++] = sum;
                }
            }
        }
    }
    free(xs);
    *ncells = k;
    return sum;
}

/* ---- reading the raster ------------------------------------------------------*/
static int fail_file(struct tc_error *err, const char *path, const char *what)
{
    return tc_fail(err, TC_EXIT_SITES, "%s: %s (sites.density)", path, what);
}

/* The window's rows in chunks of whole block rows (at least CHUNK_ROWS),
 * each read and checked by one thread through its own dataset handle (a
 * GDAL dataset is used by one thread at a time; the handles are opened
 * serially before the threads): decoding, the copy and the check run on
 * every thread, and each chunk writes only its own rows. */
#define CHUNK_ROWS 256

struct chunk_state {
    int failed;        /* GDAL could not read it */
    long bad;          /* its first cell holding a negative or infinite value, or -1 */
};

/* Rows [r0, r1) of the window, block by block: each block read whole
 * into scratch (GDALReadBlock: GDAL's block cache is not used, so no
 * block is allocated, copied and freed on the way) and its part inside the
 * window converted to float into place (GDALCopyWords). */
static int read_blocks(GDALRasterBandH band, int x0, int y0, int r0, int r1,
                       struct people *pp)
{
    int bw = 0, bh = 0;
    GDALGetBlockSize(band, &bw, &bh);
    GDALDataType type = GDALGetRasterDataType(band);
    int size = GDALGetDataTypeSizeBytes(type);
    unsigned char *scratch = bw > 0 && bh > 0 ? malloc((size_t)bw * (size_t)bh * (size_t)size)
                                              : NULL;
    int failed = !scratch;
    int row0 = y0 + r0, row1 = y0 + r1; /* raster rows */
    for (int by = failed ? 0 : row0 / bh; !failed && by * bh < row1; by++)
        for (int bx = x0 / bw; !failed && bx * bw < x0 + pp->w; bx++) {
            if (GDALReadBlock(band, bx, by, scratch) != CE_None) {
                failed = 1;
                break;
            }
            int ya = by * bh > row0 ? by * bh : row0;
            int yb = (by + 1) * bh < row1 ? (by + 1) * bh : row1;
            int xa = bx * bw > x0 ? bx * bw : x0;
            int xb = (bx + 1) * bw < x0 + pp->w ? (bx + 1) * bw : x0 + pp->w;
            for (int y = ya; y < yb; y++)
                GDALCopyWords(scratch + ((size_t)(y - by * bh) * (size_t)bw +
                                         (size_t)(xa - bx * bw)) * (size_t)size,
                              type, size, pp->v + (size_t)(y - y0) * (size_t)pp->w + (xa - x0),
                              GDT_Float32, (int)sizeof(float), xb - xa);
        }
    free(scratch);
    return failed ? -1 : 0;
}

static void read_chunk(GDALDatasetH ds, int x0, int y0, int r0, int r1, struct people *pp,
                       struct chunk_state *st)
{
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    float *v = pp->v + (size_t)r0 * (size_t)pp->w;
    CPLPushErrorHandler(CPLQuietErrorHandler); /* our one error line says it */
    st->failed = read_blocks(band, x0, y0, r0, r1, pp) != 0;
    CPLPopErrorHandler();
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    st->bad = -1;
    long n = (long)(r1 - r0) * pp->w;
    for (long i = 0; !st->failed && i < n; i++) {
        float c = v[i];
        if ((has_nodata && c == (float)nodata) || isnan(c))
            v[i] = 0;
        else if ((c < 0 || isinf(c)) && st->bad < 0)
            st->bad = (long)r0 * pp->w + i;
    }
}

static int read_window(GDALDatasetH ds, const char *path, int x0, int y0, int threads,
                       struct people *pp, struct tc_error *err)
{
    int bw = 0, bh = 0;
    GDALGetBlockSize(GDALGetRasterBand(ds, 1), &bw, &bh);
    long step = bh > 0 ? ((CHUNK_ROWS + bh - 1) / bh) * bh : CHUNK_ROWS;
    /* chunk k covers window rows [edge(k), edge(k + 1)): block rows of the raster */
    long first = step - (y0 % step), n_chunks = 1 + (pp->h - first + step - 1) / step;
    if (first >= pp->h)
        n_chunks = 1;
    int nt = threads > 1 ? threads : 1;
    if (nt > n_chunks)
        nt = (int)n_chunks;
    GDALDatasetH *dss = calloc((size_t)nt, sizeof *dss);
    struct chunk_state *st = calloc((size_t)n_chunks, sizeof *st);
    int rc = dss && st ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0)
        dss[0] = ds;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (int k = 1; rc == 0 && k < nt; k++) /* serially, before the threads */
        if (!(dss[k] = GDALOpen(path, GA_ReadOnly)))
            rc = fail_file(err, path, "GDAL cannot open it again for a second thread");
    CPLPopErrorHandler();
    if (rc == 0) {
        #pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (long c = 0; c < n_chunks; c++) {
            long r0 = c == 0 ? 0 : first + (c - 1) * step;
            long r1 = first + c * step;
            read_chunk(dss[omp_get_thread_num()], x0, y0, (int)r0,
                       (int)(r1 < pp->h ? r1 : pp->h), pp, &st[c]);
        }
    }
    for (long c = 0; rc == 0 && c < n_chunks; c++) /* the first failure, in row order */
        if (st[c].failed)
            rc = fail_file(err, path, "GDAL cannot read its cells");
        else if (st[c].bad >= 0)
            rc = tc_fail(err, TC_EXIT_SITES, "%s: cell (column %ld, row %ld) holds %g people "
                         "(sites.density: people per cell, >= 0, or nodata)", path,
                         x0 + st[c].bad % pp->w, y0 + st[c].bad / pp->w,
                         (double)pp->v[st[c].bad]);
    for (int k = 1; dss && k < nt; k++)
        if (dss[k])
            GDALClose(dss[k]);
    free(dss);
    free(st);
    return rc;
}

/* The window of the raster over the map's extent, read. */
static int read_people(const char *path, const struct tc_map *map, int threads,
                       struct people *pp, struct tc_error *err)
{
    CPLPushErrorHandler(CPLQuietErrorHandler); /* our one error line says it */
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return fail_file(err, path, "GDAL cannot open it as a raster");
    double gt[6];
    const char *wkt = GDALGetProjectionRef(ds);
    int rc = 0;
    if (GDALGetRasterCount(ds) < 1)
        rc = fail_file(err, path, "has no band");
    else if (GDALGetGeoTransform(ds, gt) != CE_None)
        rc = fail_file(err, path, "has no geotransform (where its cells are)");
    else if (gt[2] != 0 || gt[4] != 0 || gt[1] == 0 || gt[5] == 0)
        rc = fail_file(err, path, "is rotated; warp it north-up first (gdalwarp)");
    else if (!wkt || !wkt[0])
        rc = fail_file(err, path, "has no CRS");
    else if (!(pp->crs = strdup(wkt)))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    struct map_proj *p = rc == 0 ? map_proj_new_from(map, pp->crs, err) : NULL;
    if (rc == 0 && !p)
        rc = fail_file(err, path, "PROJ cannot transform its CRS to the map's");
    /* the map's extent in pixels: its envelope's edges, densified */
    enum { K = 64 };
    double x[4 * K], y[4 * K];
    for (int i = 0; rc == 0 && i < K; i++) {
        double f = (double)i / K;
        double ex[4] = {map->xmin + f * (map->xmax - map->xmin), map->xmax,
                        map->xmax - f * (map->xmax - map->xmin), map->xmin};
        double ey[4] = {map->ymin, map->ymin + f * (map->ymax - map->ymin), map->ymax,
                        map->ymax - f * (map->ymax - map->ymin)};
        for (int e = 0; e < 4; e++)
            x[e * K + i] = ex[e], y[e * K + i] = ey[e];
    }
    if (rc == 0 && map_proj_trans(p, 1, x, y, 4 * K) != 0)
        rc = fail_file(err, path, "PROJ cannot take the map's extent into its CRS");
    map_proj_free(&p);
    double c0 = INFINITY, c1 = -INFINITY, r0 = INFINITY, r1 = -INFINITY;
    for (int i = 0; rc == 0 && i < 4 * K; i++) {
        double c = (x[i] - gt[0]) / gt[1], r = (y[i] - gt[3]) / gt[5];
        c0 = fmin(c0, c), c1 = fmax(c1, c), r0 = fmin(r0, r), r1 = fmax(r1, r);
    }
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    int x0 = rc ? 0 : (int)fmax(0, floor(c0) - 1), y0 = rc ? 0 : (int)fmax(0, floor(r0) - 1);
    int x1 = rc ? 0 : (int)fmin(W, ceil(c1) + 1), y1 = rc ? 0 : (int)fmin(H, ceil(r1) + 1);
    if (rc == 0 && (x1 <= x0 || y1 <= y0))
        rc = fail_file(err, path, "does not cover the map");
    if (rc == 0) {
        pp->w = x1 - x0;
        pp->h = y1 - y0;
        memcpy(pp->gt, gt, sizeof gt);
        pp->gt[0] = gt[0] + x0 * gt[1];
        pp->gt[3] = gt[3] + y0 * gt[5];
        pp->v = malloc(sizeof *pp->v * (size_t)pp->w * (size_t)pp->h);
        if (!pp->v)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for %d x %d cells", path,
                         pp->w, pp->h);
    }
    if (rc == 0)
        rc = read_window(ds, path, x0, y0, threads, pp, err);
    GDALClose(ds);
    return rc;
}

/* ---- placing -------------------------------------------------------------*/
struct dens_ctx {
    const struct tc_map *map;
    const struct people *pp;
    struct map_proj **proj; /* one per thread */
    struct rings_px *rings; /* each township's, in pixel space: projected once */
    unsigned long long seed;
};

/* Township t's weight (its cells' people). */
static int township_weight(const struct dens_ctx *c, GEOSContextHandle_t g, struct map_proj *p,
                           int t, double *w)
{
    long n;
    int rc = township_rings(g, p, &c->map->t[t], c->pp->gt, &c->rings[t]);
    *w = rc == 0 ? scan(&c->rings[t], c->pp, NULL, NULL, &n) : -1;
    return *w < 0 ? -1 : 0;
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

/* Township t's quota stations, by rank, into px, py. */
static int draw_township(const struct dens_ctx *c, GEOSContextHandle_t g, struct map_proj *p,
                         int t, long quota, double *px, double *py)
{
    const struct township *tw = &c->map->t[t];
    const struct rings_px r = c->rings[t];
    int rc = 0;
    long box = (long)(ceil(r.xmax) - floor(r.xmin) + 2) * (long)(ceil(r.ymax) - floor(r.ymin) + 2);
    long *cells = rc == 0 ? malloc(sizeof *cells * (size_t)box) : NULL;
    double *cum = rc == 0 ? malloc(sizeof *cum * (size_t)box) : NULL;
    long n = 0;
    double total = cells && cum ? scan(&r, c->pp, cells, cum, &n) : -1;
    rc = total < 0 ? -1 : rc;
    const GEOSPreparedGeometry *prep = rc == 0 ? GEOSPrepare_r(g, tw->geom) : NULL;
    for (long j = 0; rc == 0 && j < quota; j++) {
        uint64_t stream = ((uint64_t)t << 32) | (uint64_t)j;
        px[j] = tw->seat_x, py[j] = tw->seat_y; /* a township without people: its seat */
        if (n == 0)
            continue;
        double u = rng_uniform(c->seed, stream, 0) * total;
        long lo = 0, hi = n - 1; /* the first cell whose running sum passes u */
        while (lo < hi) {
            long mid = (lo + hi) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        for (uint64_t k = 0; rc == 0 && k <= CELL_TRIES; k++) {
            double fx = k < CELL_TRIES ? rng_uniform(c->seed, stream, 1 + 2 * k) : 0.5;
            double fy = k < CELL_TRIES ? rng_uniform(c->seed, stream, 2 + 2 * k) : 0.5;
            double x, y;
            if (cell_point(c->pp, p, cells[lo], fx, fy, &x, &y) != 0) {
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
    free(cells);
    free(cum);
    return rc;
}

/* Runs f over every township on the workers; the lowest failing township's
 * failure is reported. */
static int each_township(const struct dens_ctx *c, struct tc_workers *ws, double *w,
                         const long *quota, const long *first, double *px, double *py,
                         struct tc_error *err)
{
    int n = c->map->n, failed = n;
    #pragma omp parallel for num_threads(ws->n) schedule(dynamic, 4) reduction(min : failed)
    for (int t = 0; t < n; t++) {
        int k = omp_get_thread_num();
        int rc = tc_interrupted() ? 0
                 : quota ? (quota[t] ? draw_township(c, ws->w[k].geos, c->proj[k], t, quota[t],
                                                     px + first[t], py + first[t])
                                     : 0)
                         : township_weight(c, ws->w[k].geos, c->proj[k], t, &w[t]);
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

/* Webster over the townships' people after the floor, then the points. */
static int place(const struct sites_config *cfg, struct dens_ctx *c, struct tc_workers *ws,
                 struct tc_sites *s, struct tc_error *err)
{
    int n = c->map->n;
    long floor_n = cfg->min_per_township * (long)n;
    double *w = malloc(sizeof *w * (size_t)n);
    long *given = calloc((size_t)n, sizeof *given), *quota = malloc(sizeof *quota * (size_t)n);
    long *first = malloc(sizeof *first * (size_t)n);
    long *slot = malloc(sizeof *slot * (size_t)(s->n > 0 ? s->n : 1));
    int rc = w && given && quota && first && slot ? 0
             : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n);
    if (rc == 0)
        rc = each_township(c, ws, w, NULL, NULL, NULL, NULL, err);
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
        rc = each_township(c, ws, NULL, quota, first, s->lon, s->lat, err);
    }
    for (long k = 0; rc == 0 && k < s->n; k++) {
        s->x[k] = s->lon[slot[k]];
        s->y[k] = s->lat[slot[k]];
    }
    free(w);
    free(given);
    free(quota);
    free(first);
    free(slot);
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
    int rc = read_people(path, map, threads, &pp, err);
    if (rc == 0 && !(ws = tc_workers_new(threads, NULL, 0, err)))
        rc = -1;
    if (rc == 0 && (!(c.proj = calloc((size_t)ws->n, sizeof *c.proj)) ||
                    !(c.rings = calloc((size_t)map->n, sizeof *c.rings))))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int k = 0; rc == 0 && k < ws->n; k++) /* serially, before the threads */
        if (!(c.proj[k] = map_proj_new_from(map, pp.crs, err)))
            rc = -1;
    if (rc == 0)
        rc = place(cfg, &c, ws, s, err);
    for (int k = 0; c.proj && k < ws->n; k++)
        map_proj_free(&c.proj[k]);
    free(c.proj);
    for (int t = 0; c.rings && t < map->n; t++)
        rings_free(&c.rings[t]);
    free(c.rings);
    tc_workers_free(&ws);
    free(pp.v);
    free(pp.crs);
    return rc;
}
