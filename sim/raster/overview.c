/* raster/overview.c — a layer's overviews built from its strips as they
 * are written (see raster_internal.h), so that GDAL never reads the base
 * back to resample it. The grid's sides are multiples of 2^levels
 * (raster_grid_of), so that every overview cell is an exact 2 x 2 block of
 * the level below, and a level's rows come in pairs.
 *
 * The values are those GDAL 3.6's GDALBuildOverviews gives for such
 * blocks (tests/test_raster_overview.c compares them): AVERAGE cascades,
 * each level averaged from the one below as stored (Float32), the block's
 * values other than nodata (GDAL's nodata mask: within 4 ulps of it)
 * summed in double in row order and divided by their count, nodata where
 * none, and an average exactly equal to nodata moved to GDAL's
 * replacement value (the next float below; NaN propagates); NEAREST takes
 * a block's top-left cell. */
#include "raster_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One overview level: the rows made but not yet handed on, at most a tile
 * row of them (tile_rows), starting at row row0 of the level. */
struct rpyr_level {
    unsigned char *buf;
    int width, height;
    int rows, row0;
};

struct rpyramid {
    enum rpyr_method method;
    size_t bytes; /* per cell: 4 (Float32 for RPYR_AVERAGE, Int32) or 1 */
    float nodata, replacement;
    int levels, tile_rows;
    struct rpyr_level lv[RPYR_MAX_LEVELS]; /* lv[k]: factor 2^(k + 1) */
};

struct rpyramid *rpyr_new(enum rpyr_method method, size_t bytes, double nodata, int width,
                          int height, int levels, int tile_rows)
{
    if (levels < 0 || levels > RPYR_MAX_LEVELS || tile_rows < 2 || tile_rows % 2 ||
        (method == RPYR_AVERAGE && bytes != sizeof(float)) || (bytes != 1 && bytes != 4) ||
        width % (1 << levels) || height % (1 << levels))
        return NULL;
    struct rpyramid *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->method = method;
    p->bytes = bytes;
    p->nodata = (float)nodata;
    /* What GDAL 3.6 writes for an average equal to nodata (measured: the
     * next float below; the test checks it). */
    p->replacement = nextafterf(p->nodata, -INFINITY);
    p->levels = levels;
    p->tile_rows = tile_rows;
    for (int k = 0; k < levels; k++) {
        struct rpyr_level *l = &p->lv[k];
        l->width = width >> (k + 1);
        l->height = height >> (k + 1);
        l->buf = malloc((size_t)l->width * (size_t)tile_rows * bytes);
        if (!l->buf) {
            rpyr_free(&p);
            return NULL;
        }
    }
    return p;
}

void rpyr_free(struct rpyramid **pp)
{
    if (!pp || !*pp)
        return;
    for (int k = 0; k < RPYR_MAX_LEVELS; k++)
        free((*pp)->lv[k].buf);
    free(*pp);
    *pp = NULL;
}

/* GDAL's test of a Float32 cell against nodata (its nodata mask,
 * ARE_REAL_EQUAL in float): equal, or within about 4 ulps. */
static int is_nodata(float v, float nodata)
{
    return v == nodata || fabsf(v - nodata) < FLT_EPSILON * fabsf(v + nodata) * 2;
}

/* n / 2 rows of w / 2 cells into dst from n rows of w Float32 cells:
 * GDAL's AVERAGE of each 2 x 2 block (see the head of the file). */
static void reduce_average(const float *src, int w, int n, float nodata, float replacement,
                           float *dst)
{
    for (int r = 0; r + 1 < n; r += 2, dst += w / 2) {
        const float *a = src + (size_t)r * (size_t)w, *b = a + w;
        for (int c = 0; c < w / 2; c++) {
            const float v[4] = {a[2 * c], a[2 * c + 1], b[2 * c], b[2 * c + 1]};
            double sum = 0;
            int count = 0;
            for (int i = 0; i < 4; i++)
                if (!is_nodata(v[i], nodata))
                    sum += v[i], count++;
            float o = count ? (float)(sum / count) : nodata;
            dst[c] = count && o == nodata ? replacement : o;
        }
    }
}

/* GDAL's NEAREST: each block's top-left cell. */
static void reduce_nearest(const unsigned char *src, int w, int n, size_t bytes,
                           unsigned char *dst)
{
    size_t row = (size_t)w * bytes;
    for (int r = 0; r + 1 < n; r += 2, dst += row / 2) {
        const unsigned char *a = src + (size_t)r * row;
        if (bytes == 1)
            for (int c = 0; c < w / 2; c++)
                dst[c] = a[2 * c];
        else
            for (int c = 0; c < w / 2; c++)
                memcpy(dst + (size_t)c * 4, a + (size_t)c * 8, 4);
    }
}

static int level_push(struct rpyramid *p, int k, const unsigned char *src, int n,
                      rpyr_sink sink, void *ctx);

/* Level k's rows handed to the sink as level k + 1, and on to the level
 * above. */
static int level_flush(struct rpyramid *p, int k, rpyr_sink sink, void *ctx)
{
    struct rpyr_level *l = &p->lv[k];
    if (sink(ctx, k + 1, l->row0, l->rows, l->buf) != 0)
        return -1;
    if (k + 1 < p->levels && level_push(p, k + 1, l->buf, l->rows, sink, ctx) != 0)
        return -1;
    l->row0 += l->rows;
    l->rows = 0;
    return 0;
}

/* n rows (even) of the level below k (the base for k = 0) reduced into
 * level k, whose tile rows are flushed as they fill, and at its end. */
static int level_push(struct rpyramid *p, int k, const unsigned char *src, int n,
                      rpyr_sink sink, void *ctx)
{
    struct rpyr_level *l = &p->lv[k];
    int w = 2 * l->width;
    size_t in_row = (size_t)w * p->bytes, out_row = (size_t)l->width * p->bytes;
    while (n > 0) {
        int m = n / 2 < p->tile_rows - l->rows ? n / 2 : p->tile_rows - l->rows;
        unsigned char *dst = l->buf + (size_t)l->rows * out_row;
        if (p->method == RPYR_AVERAGE)
            reduce_average((const float *)(const void *)src, w, 2 * m, p->nodata,
                           p->replacement, (float *)(void *)dst);
        else
            reduce_nearest(src, w, 2 * m, p->bytes, dst);
        l->rows += m;
        src += 2 * (size_t)m * in_row;
        n -= 2 * m;
        if ((l->rows == p->tile_rows || l->row0 + l->rows == l->height) &&
            level_flush(p, k, sink, ctx) != 0)
            return -1;
    }
    return 0;
}

int rpyr_push(struct rpyramid *p, const void *rows, int n, rpyr_sink sink, void *ctx)
{
    if (p->levels == 0)
        return 0;
    if (n % 2)
        return -1; /* the grid's height is even, and so is every strip */
    return level_push(p, 0, rows, n, sink, ctx);
}

int rpyr_done(const struct rpyramid *p)
{
    for (int k = 0; k < p->levels; k++)
        if (p->lv[k].row0 != p->lv[k].height || p->lv[k].rows)
            return 0;
    return 1;
}
