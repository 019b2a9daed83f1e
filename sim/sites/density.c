/* density.c — strategy = demand with a raster of people ([sites] density =
 * FILE.tif: any GDAL raster of people per cell, WorldPop or GHS-POP say,
 * its CRS read by GDAL). A cell belongs to the township its centre lies in
 * (the township's rings taken into the raster's pixel space once and
 * scanned row by row, even-odd, into runs of cells: its spans); only the
 * raster's blocks that hold a span are read; a township's weight is its
 * cells' people. The
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
#include <sys/mman.h>

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

/* A run of window cells c0 .. c1-1 of one row whose centres lie inside a
 * township: the township rasterised once, in row order then column order
 * (the order its people are summed and its cells drawn in). */
struct span { int row, c0, c1; };

struct spans {
    long n;
    size_t cap;
    struct span *s;
};

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

/* The people of a township's cells (spans sp of window pp), summed in
 * span order: the order pick_cells sums them in. */
static double span_people(const struct spans *sp, const struct people *pp)
{
    double sum = 0;
    for (long i = 0; i < sp->n; i++) {
        const struct span *a = &sp->s[i];
        const float *v = pp->v + (size_t)a->row * (size_t)pp->w;
        for (long c = a->c0; c < a->c1; c++)
            if (v[c] > 0)
                sum += v[c];
    }
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
 * every thread, and each chunk writes only its own rows. Only the blocks
 * holding some township's span are read (need[]): the others are never
 * decoded, copied or checked, and their cells never touched. */
#define CHUNK_ROWS 256

struct chunk_state {
    int failed;        /* GDAL could not read it */
    long bad;          /* its first cell (row order) holding a negative or infinite value, or -1 */
};

/* The blocks of the raster that window pp needs (need[by * nbx + bx]). */
struct blocks {
    int bw, bh, nbx, nby;
    unsigned char *need;
};

/* Cells rows ya..yb-1, columns xa..xb-1 of the window, just copied in:
 * nodata and NaN to 0; the first bad one (negative, infinite) kept in *bad
 * when it comes before it in row order. */
static void check_cells(struct people *pp, int ya, int yb, int xa, int xb, int has_nodata,
                        double nodata, long *bad)
{
    for (int y = ya; y < yb; y++) {
        float *v = pp->v + (size_t)y * (size_t)pp->w;
        for (int x = xa; x < xb; x++) {
            float c = v[x];
            if ((has_nodata && c == (float)nodata) || isnan(c))
                v[x] = 0;
            else if ((c < 0 || isinf(c)) && (*bad < 0 || (long)y * pp->w + x < *bad))
                *bad = (long)y * pp->w + x;
        }
    }
}

/* Rows [r0, r1) of the window (x0, y0: its origin in the raster), block
 * by block: each needed block read whole into scratch (GDALReadBlock:
 * GDAL's block cache is not used, so no block is allocated, copied and
 * freed on the way), its part inside the window converted to float into
 * place (GDALCopyWords) and checked. */
static void read_chunk(GDALDatasetH ds, const struct blocks *b, int x0, int y0, int r0, int r1,
                       struct people *pp, struct chunk_state *st)
{
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALDataType type = GDALGetRasterDataType(band);
    int size = GDALGetDataTypeSizeBytes(type), bw = b->bw, bh = b->bh;
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    unsigned char *scratch = malloc((size_t)bw * (size_t)bh * (size_t)size);
    st->failed = !scratch;
    st->bad = -1;
    int row0 = y0 + r0, row1 = y0 + r1; /* raster rows */
    CPLPushErrorHandler(CPLQuietErrorHandler); /* our one error line says it */
    for (int by = row0 / bh; !st->failed && by * bh < row1; by++)
        for (int bx = x0 / bw; !st->failed && bx * bw < x0 + pp->w; bx++) {
            if (!b->need[(size_t)by * (size_t)b->nbx + (size_t)bx])
                continue;
            if (GDALReadBlock(band, bx, by, scratch) != CE_None) {
                st->failed = 1;
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
            check_cells(pp, ya - y0, yb - y0, xa - x0, xb - x0, has_nodata, nodata, &st->bad);
        }
    CPLPopErrorHandler();
    free(scratch);
}

static int read_window(GDALDatasetH ds, const char *path, const struct blocks *b, int x0,
                       int y0, int threads, struct people *pp, struct tc_error *err)
{
    long step = ((CHUNK_ROWS + b->bh - 1) / b->bh) * b->bh;
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
            read_chunk(dss[omp_get_thread_num()], b, x0, y0, (int)r0,
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

/* Room for the window's cells, uninitialised (only the needed blocks are
 * written and read). Large: asked of the kernel in huge pages where it
 * can (Linux's transparent huge pages in "madvise" mode), so that filling
 * it costs a fault every 2 MiB rather than every 4 KiB, which on a
 * province's 40 million cells was most of the placement's time. Freed
 * with free(). */
#define HUGE_PAGE (2UL << 20)
static float *cells_alloc(size_t n)
{
    size_t bytes = n * sizeof(float);
    if (bytes < HUGE_PAGE)
        return malloc(bytes > 0 ? bytes : 1);
    void *p = NULL;
    bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* advice only: without it, ordinary pages */
#endif
    return p;
}

/* The window of the raster over the map's extent: its size and
 * geotransform in pp, its origin in the raster (x0, y0), the raster's
 * CRS; *dso the open dataset (the caller closes it). Nothing read yet. */
static int open_window(const char *path, const struct tc_map *map, struct people *pp,
                       int *x0, int *y0, GDALDatasetH *dso, struct tc_error *err)
{
    CPLPushErrorHandler(CPLQuietErrorHandler); /* our one error line says it */
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    CPLPopErrorHandler();
    if (!ds)
        return fail_file(err, path, "GDAL cannot open it as a raster");
    *dso = ds;
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
    *x0 = rc ? 0 : (int)fmax(0, floor(c0) - 1), *y0 = rc ? 0 : (int)fmax(0, floor(r0) - 1);
    int x1 = rc ? 0 : (int)fmin(W, ceil(c1) + 1), y1 = rc ? 0 : (int)fmin(H, ceil(r1) + 1);
    if (rc == 0 && (x1 <= *x0 || y1 <= *y0))
        rc = fail_file(err, path, "does not cover the map");
    if (rc == 0) {
        pp->w = x1 - *x0;
        pp->h = y1 - *y0;
        memcpy(pp->gt, gt, sizeof gt);
        pp->gt[0] = gt[0] + *x0 * gt[1];
        pp->gt[3] = gt[3] + *y0 * gt[5];
    }
    return rc;
}

/* The blocks holding a span of some township (spans in window pixels). */
static int needed_blocks(GDALDatasetH ds, const struct spans *sp, int n, int x0, int y0,
                         struct blocks *b)
{
    GDALGetBlockSize(GDALGetRasterBand(ds, 1), &b->bw, &b->bh);
    if (b->bw <= 0 || b->bh <= 0)
        return -1;
    b->nbx = (GDALGetRasterXSize(ds) + b->bw - 1) / b->bw;
    b->nby = (GDALGetRasterYSize(ds) + b->bh - 1) / b->bh;
    b->need = calloc((size_t)b->nbx * (size_t)b->nby, 1);
    if (!b->need)
        return -1;
    for (int t = 0; t < n; t++)
        for (long i = 0; i < sp[t].n; i++) {
            const struct span *a = &sp[t].s[i];
            size_t by = (size_t)((y0 + a->row) / b->bh);
            for (int bx = (x0 + a->c0) / b->bw; bx <= (x0 + a->c1 - 1) / b->bw; bx++)
                b->need[by * (size_t)b->nbx + (size_t)bx] = 1;
        }
    return 0;
}

/* ---- placing -------------------------------------------------------------*/
struct dens_ctx {
    const struct tc_map *map;
    const struct people *pp;
    const double *weight;   /* each township's people (span_people) */
    struct map_proj **proj; /* one per thread */
    struct spans *spans;    /* each township's cells: its rings projected and scanned once */
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

/* A point of cell `cell` (window index) at fractions fx, fy, in the map's
 * metric CRS. */
static int cell_point(const struct people *pp, struct map_proj *p, long cell, double fx,
                      double fy, double *x, double *y)
{
    *x = pp->gt[0] + ((double)(cell % pp->w) + fx) * pp->gt[1];
    *y = pp->gt[3] + ((double)(cell / pp->w) + fy) * pp->gt[5];
    return map_proj_trans(p, 0, x, y, 1);
}

/* A station's draw: u in [0, the township's people), and its rank. */
struct pick { double u; long j; };

static int by_u(const void *a, const void *b)
{
    const struct pick *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return (x->j > y->j) - (x->j < y->j);
}

/* The cell (window index) of each of township t's quota stations: the
 * first of its cells with people whose running sum of people (in span
 * order) passes the station's u, or the last such cell when none does;
 * -1 when it has none. One walk over its cells with the draws sorted by u,
 * which gives what a binary search over the running sums would, without
 * storing them. 0, or -1 when out of memory. */
static int pick_cells(const struct dens_ctx *c, int t, long quota, long *cell)
{
    const struct spans *sp = &c->spans[t];
    const struct people *pp = c->pp;
    struct pick *pk = malloc(sizeof *pk * (size_t)(quota + 1));
    if (!pk)
        return -1;
    for (long j = 0; j < quota; j++) {
        uint64_t stream = ((uint64_t)t << 32) | (uint64_t)j;
        pk[j] = (struct pick){rng_uniform(c->seed, stream, 0) * c->weight[t], j};
        cell[j] = -1;
    }
    qsort(pk, (size_t)quota, sizeof *pk, by_u);
    double sum = 0;
    long k = 0, last = -1;
    for (long i = 0; i < sp->n && k < quota; i++) {
        const struct span *a = &sp->s[i];
        const float *v = pp->v + (size_t)a->row * (size_t)pp->w;
        for (long col = a->c0; col < a->c1 && k < quota; col++) {
            if (!(v[col] > 0))
                continue;
            sum += v[col];
            last = (long)a->row * pp->w + col;
            while (k < quota && pk[k].u < sum)
                cell[pk[k++].j] = last;
        }
    }
    for (; k < quota; k++)
        cell[pk[k].j] = last;
    free(pk);
    return 0;
}

/* Township t's quota stations, by rank, into px, py. */
static int draw_township(const struct dens_ctx *c, GEOSContextHandle_t g, struct map_proj *p,
                         int t, long quota, double *px, double *py)
{
    const struct township *tw = &c->map->t[t];
    long *cell = malloc(sizeof *cell * (size_t)(quota + 1));
    int rc = cell && pick_cells(c, t, quota, cell) == 0 ? 0 : -1;
    const GEOSPreparedGeometry *prep = rc == 0 ? GEOSPrepare_r(g, tw->geom) : NULL;
    for (long j = 0; rc == 0 && j < quota; j++) {
        uint64_t stream = ((uint64_t)t << 32) | (uint64_t)j;
        px[j] = tw->seat_x, py[j] = tw->seat_y; /* a township without people: its seat */
        if (cell[j] < 0)
            continue;
        for (uint64_t k = 0; rc == 0 && k <= CELL_TRIES; k++) {
            double fx = k < CELL_TRIES ? rng_uniform(c->seed, stream, 1 + 2 * k) : 0.5;
            double fy = k < CELL_TRIES ? rng_uniform(c->seed, stream, 2 + 2 * k) : 0.5;
            double x, y;
            if (cell_point(c->pp, p, cell[j], fx, fy, &x, &y) != 0) {
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
    free(cell);
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
    if (rc == 0) {
        #pragma omp parallel for num_threads(ws->n) schedule(dynamic, 16)
        for (int t = 0; t < n; t++)
            w[t] = span_people(&c->spans[t], c->pp);
        c->weight = w;
    }
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
        rc = each_township(c, ws, quota, first, s->lon, s->lat, err);
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
    struct blocks b = {0};
    GDALDatasetH ds = NULL;
    int x0 = 0, y0 = 0;
    int rc = open_window(path, map, &pp, &x0, &y0, &ds, err);
    if (rc == 0 && !(ws = tc_workers_new(threads, NULL, 0, err)))
        rc = -1;
    if (rc == 0 && (!(c.proj = calloc((size_t)ws->n, sizeof *c.proj)) ||
                    !(c.spans = calloc((size_t)map->n, sizeof *c.spans))))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int k = 0; rc == 0 && k < ws->n; k++) /* serially, before the threads */
        if (!(c.proj[k] = map_proj_new_from(map, pp.crs, err)))
            rc = -1;
    /* the townships' cells first: then only the blocks holding some are read */
    if (rc == 0)
        rc = each_township(&c, ws, NULL, NULL, NULL, NULL, err);
    if (rc == 0 && needed_blocks(ds, c.spans, map->n, x0, y0, &b) != 0)
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0 && !(pp.v = cells_alloc((size_t)pp.w * (size_t)pp.h)))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for %d x %d cells", path, pp.w,
                     pp.h);
    if (rc == 0)
        rc = read_window(ds, path, &b, x0, y0, threads, &pp, err);
    if (ds)
        GDALClose(ds);
    if (rc == 0)
        rc = place(cfg, &c, ws, s, err);
    for (int k = 0; c.proj && k < ws->n; k++)
        map_proj_free(&c.proj[k]);
    free(c.proj);
    for (int t = 0; c.spans && t < map->n; t++)
        free(c.spans[t].s);
    free(c.spans);
    free(b.need);
    tc_workers_free(&ws);
    free(pp.v);
    free(pp.crs);
    return rc;
}
