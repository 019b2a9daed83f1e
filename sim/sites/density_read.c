/* density_read.c — the raster of people for strategy = demand with
 * [sites] density (density_internal.h): its window over the map, and its
 * rows strip by strip. Only the blocks holding some township's cell are
 * read; each is decoded by one of the threads through its own dataset
 * handle (a GDAL dataset is used by one thread at a time; the handles are
 * opened serially before the threads), straight from the file
 * (GDALReadBlock: GDAL's block cache is not used), converted to float
 * into the strip (GDALCopyWords) and checked. The strip's buffer is the
 * same for every strip: a province's 40 million cells never stand in
 * memory at once (first touching that much fresh memory was most of the
 * placement's time). */
#include "density_internal.h"

#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"

/* A strip is at least this many rows (whole block rows). */
#define STRIP_ROWS 256

struct dens_reader {
    char *path;
    GDALDatasetH *ds;  /* one per thread; ds[0] opened by dens_open */
    int nt;
    int x0, y0;        /* the window's origin in the raster */
    int bw, bh, nbx;   /* block size, blocks across the raster */
    unsigned char *need; /* need[by * nbx + bx]: the block holds a span */
    long first, step, n_strips; /* strip k: window rows [edge(k), edge(k + 1)) */
    unsigned char **scratch; /* one block, per thread */
    float *buf;        /* the strip's cells */
};

static int fail_file(struct tc_error *err, const char *path, const char *what)
{
    return tc_fail(err, TC_EXIT_SITES, "%s: %s (sites.density)", path, what);
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

int dens_open(const char *path, const struct tc_map *map, struct people *pp,
              struct dens_reader **out, struct tc_error *err)
{
    struct dens_reader *r = calloc(1, sizeof *r);
    *out = r;
    if (!r || !(r->path = strdup(path)) || !(r->ds = calloc(1, sizeof *r->ds)))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    r->nt = 1;
    return open_window(path, map, pp, &r->x0, &r->y0, &r->ds[0], err);
}

int dens_plan(struct dens_reader *r, const struct spans *sp, int n, int threads,
              struct people *pp, struct tc_error *err)
{
    GDALGetBlockSize(GDALGetRasterBand(r->ds[0], 1), &r->bw, &r->bh);
    if (r->bw <= 0 || r->bh <= 0)
        return fail_file(err, r->path, "has no block size");
    r->nbx = (GDALGetRasterXSize(r->ds[0]) + r->bw - 1) / r->bw;
    int nby = (GDALGetRasterYSize(r->ds[0]) + r->bh - 1) / r->bh;
    r->need = calloc((size_t)r->nbx * (size_t)nby, 1);
    if (!r->need)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int t = 0; t < n; t++)
        for (long i = 0; i < sp[t].n; i++) {
            const struct span *a = &sp[t].s[i];
            size_t by = (size_t)((r->y0 + a->row) / r->bh);
            for (int bx = (r->x0 + a->c0) / r->bw; bx <= (r->x0 + a->c1 - 1) / r->bw; bx++)
                r->need[by * (size_t)r->nbx + (size_t)bx] = 1;
        }
    r->step = ((STRIP_ROWS + r->bh - 1) / r->bh) * r->bh;
    r->first = r->step - (r->y0 % r->step);
    r->n_strips = r->first >= pp->h ? 1 : 1 + (pp->h - r->first + r->step - 1) / r->step;
    GDALDatasetH *ds = realloc(r->ds, sizeof *ds * (size_t)(threads > 1 ? threads : 1));
    if (!ds)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    r->ds = ds;
    int rc = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (; rc == 0 && r->nt < threads; r->nt++) /* serially, before the threads */
        if (!(r->ds[r->nt] = GDALOpen(r->path, GA_ReadOnly)))
            rc = fail_file(err, r->path, "GDAL cannot open it again for a second thread");
    CPLPopErrorHandler();
    int size = GDALGetDataTypeSizeBytes(GDALGetRasterDataType(GDALGetRasterBand(r->ds[0], 1)));
    if (rc != 0)
        return rc;
    int oom = !(r->scratch = calloc((size_t)r->nt, sizeof *r->scratch));
    for (int k = 0; !oom && k < r->nt; k++)
        oom = !(r->scratch[k] = malloc((size_t)r->bw * (size_t)r->bh * (size_t)size));
    if (oom || !(r->buf = malloc(sizeof *r->buf * (size_t)r->step * (size_t)pp->w)))
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for a strip of %ld x %d "
                       "cells", r->path, r->step, pp->w);
    return 0;
}

long dens_strips(const struct dens_reader *r)
{
    return r->n_strips;
}

/* One block's read: which, and what it found. */
struct block_task {
    int bx, by;
    int failed;        /* GDAL could not read it */
    long bad;          /* its first cell (window index, row order) negative or infinite, or -1 */
    float bad_value;
};

/* Strip cells of window rows ya..yb-1, columns xa..xb-1, just copied in:
 * nodata and NaN to 0; the first bad one (negative, infinite) in row order
 * kept in t. */
static void check_cells(struct people *pp, int ya, int yb, int xa, int xb, int has_nodata,
                        double nodata, struct block_task *t)
{
    for (int y = ya; y < yb; y++) {
        float *v = pp->v + (size_t)(y - pp->r0) * (size_t)pp->w;
        for (int x = xa; x < xb; x++) {
            float c = v[x];
            if ((has_nodata && c == (float)nodata) || isnan(c))
                v[x] = 0;
            else if ((c < 0 || isinf(c)) && t->bad < 0) {
                t->bad = (long)y * pp->w + x; /* rows first: the block's first in row order */
                t->bad_value = c;
            }
        }
    }
}

/* Block t of the strip into place, through ds with scratch. */
static void read_block(const struct dens_reader *r, GDALDatasetH ds, unsigned char *scratch,
                       struct people *pp, struct block_task *t)
{
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALDataType type = GDALGetRasterDataType(band);
    int size = GDALGetDataTypeSizeBytes(type), bw = r->bw, bh = r->bh;
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    t->bad = -1;
    if (GDALReadBlock(band, t->bx, t->by, scratch) != CE_None) {
        t->failed = 1;
        return;
    }
    int row0 = r->y0 + pp->r0, row1 = r->y0 + pp->r1; /* raster rows */
    int ya = t->by * bh > row0 ? t->by * bh : row0;
    int yb = (t->by + 1) * bh < row1 ? (t->by + 1) * bh : row1;
    int xa = t->bx * bw > r->x0 ? t->bx * bw : r->x0;
    int xb = (t->bx + 1) * bw < r->x0 + pp->w ? (t->bx + 1) * bw : r->x0 + pp->w;
    for (int y = ya; y < yb; y++)
        GDALCopyWords(scratch + ((size_t)(y - t->by * bh) * (size_t)bw +
                                 (size_t)(xa - t->bx * bw)) * (size_t)size,
                      type, size,
                      pp->v + (size_t)(y - row0) * (size_t)pp->w + (size_t)(xa - r->x0),
                      GDT_Float32, (int)sizeof(float), xb - xa);
    check_cells(pp, ya - r->y0, yb - r->y0, xa - r->x0, xb - r->x0, has_nodata, nodata, t);
}

int dens_read_strip(struct dens_reader *r, long k, int check, struct people *pp,
                    struct tc_error *err)
{
    long r0 = k == 0 ? 0 : r->first + (k - 1) * r->step, r1 = r->first + k * r->step;
    pp->r0 = (int)r0;
    pp->r1 = (int)(r1 < pp->h ? r1 : pp->h);
    pp->v = r->buf;
    int by0 = (r->y0 + pp->r0) / r->bh, by1 = (r->y0 + pp->r1 - 1) / r->bh;
    int bx0 = r->x0 / r->bw, bx1 = (r->x0 + pp->w - 1) / r->bw;
    struct block_task *task = malloc(sizeof *task * (size_t)((by1 - by0 + 1) * (bx1 - bx0 + 1)));
    if (!task)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    int n = 0;
    for (int by = by0; by <= by1; by++)
        for (int bx = bx0; bx <= bx1; bx++)
            if (r->need[(size_t)by * (size_t)r->nbx + (size_t)bx])
                task[n++] = (struct block_task){bx, by, 0, -1, 0};
    #pragma omp parallel num_threads(r->nt)
    {
        int me = omp_get_thread_num();
        CPLPushErrorHandler(CPLQuietErrorHandler); /* our one error line says it */
        #pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < n; i++)
            read_block(r, r->ds[me], r->scratch[me], pp, &task[i]);
        CPLPopErrorHandler();
    }
    int rc = 0;
    long bad = -1;
    float value = 0;
    for (int i = 0; i < n; i++) { /* the first failure; the first bad cell in row order */
        if (task[i].failed && rc == 0)
            rc = fail_file(err, r->path, "GDAL cannot read its cells");
        if (task[i].bad >= 0 && (bad < 0 || task[i].bad < bad))
            bad = task[i].bad, value = task[i].bad_value;
    }
    free(task);
    if (rc == 0 && check && bad >= 0)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: cell (column %ld, row %ld) holds %g people "
                     "(sites.density: people per cell, >= 0, or nodata)", r->path,
                     r->x0 + bad % pp->w, r->y0 + bad / pp->w, (double)value);
    return rc;
}

void dens_close(struct dens_reader **rp)
{
    struct dens_reader *r = *rp;
    if (!r)
        return;
    for (int k = 0; r->ds && k < r->nt; k++)
        if (r->ds[k])
            GDALClose(r->ds[k]);
    for (int k = 0; r->scratch && k < r->nt; k++)
        free(r->scratch[k]);
    free(r->scratch);
    free(r->ds);
    free(r->need);
    free(r->buf);
    free(r->path);
    free(r);
    *rp = NULL;
}
