/* The rasters' overviews made from the strips (sim/raster/overview.c)
 * against GDAL's own: the same base written to a GeoTIFF whose overviews
 * GDALBuildOverviews computes (AVERAGE, NEAREST), level by level, bit for
 * bit; and the pyramid's contract (rows in order, whole tile rows). */
#include <criterion/criterion.h>
#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#include "../sim/raster/raster_internal.h"

#define NODATA_F (-9999.0f)

/* What the sink collected: each level's rows, and checks of the order. */
struct collected {
    int levels, tile_rows, cb, width;
    unsigned char *lv[RPYR_MAX_LEVELS];
    int next_row[RPYR_MAX_LEVELS];
    int fail_at; /* the sink fails on its fail_at-th call (0: never) */
    int calls;
};

static int sink(void *ctx, int level, int row0, int n, const void *rows)
{
    struct collected *c = ctx;
    if (++c->calls == c->fail_at)
        return -1;
    cr_assert(level >= 1 && level <= c->levels, "level %d", level);
    int k = level - 1, w = c->width >> level, h_rows = n;
    cr_assert_eq(row0, c->next_row[k], "level %d: rows from %d, expected %d", level, row0,
                 c->next_row[k]);
    cr_assert_eq(row0 % c->tile_rows, 0, "level %d: row %d inside a tile row", level, row0);
    cr_assert(n > 0 && n <= c->tile_rows);
    memcpy(c->lv[k] + (size_t)row0 * (size_t)w * (size_t)c->cb, rows,
           (size_t)h_rows * (size_t)w * (size_t)c->cb);
    c->next_row[k] += n;
    return 0;
}

/* A base of w x h cells of type t: Float32 in [-140, -40] dBm with a
 * third nodata, some blocks all nodata, a NaN, a pair averaging to exactly
 * the nodata value, values 2 and 5 ulps off it; Int32 ids and -1; Byte
 * counts and 255. */
static void *make_base(GDALDataType t, int w, int h)
{
    int cb = GDALGetDataTypeSizeBytes(t);
    unsigned char *b = malloc((size_t)w * (size_t)h * (size_t)cb);
    cr_assert_not_null(b);
    uint32_t x = 12345;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        x = x * 1664525u + 1013904223u;
        int none = (x >> 8) % 3 == 0 || ((i / (size_t)w) % 64 < 8 && (i % (size_t)w) < 40);
        if (t == GDT_Float32) {
            float v = none ? NODATA_F : -140.0f + (float)((x >> 12) % 100000) / 1000.0f;
            memcpy(b + i * 4, &v, 4);
        } else if (t == GDT_Int32) {
            int32_t v = none ? 0 : (int32_t)((x >> 10) % 5000) - 1;
            memcpy(b + i * 4, &v, 4);
        } else {
            b[i] = none ? 255 : (unsigned char)((x >> 10) % 12);
        }
    }
    if (t == GDT_Float32) {
        float *f = (float *)(void *)b;
        f[2] = -9998.0f, f[3] = -10000.0f; /* with two nodata below: -9999 */
        f[w + 2] = f[w + 3] = NODATA_F;
        f[4] = NAN;
        f[6] = nextafterf(nextafterf(NODATA_F, 0), 0); /* 2 ulps off: nodata to GDAL */
        float v = NODATA_F;
        for (int i = 0; i < 5; i++)
            v = nextafterf(v, -INFINITY);
        f[8] = v; /* 5 ulps off: a value */
    }
    return b;
}

/* GDAL's overviews of base (w x h, type t, resampling r) into lv[k]. */
static void gdal_overviews(GDALDataType t, double nodata, const char *r, const void *base, int w,
                           int h, int levels, unsigned char **lv)
{
    char dir[256], path[320];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/base.tif", dir);
    GDALAllRegister();
    char *opt[] = {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", NULL};
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, w, h, 1, t, opt);
    cr_assert_not_null(ds);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetRasterNoDataValue(b, nodata);
    cr_assert_eq(GDALRasterIO(b, GF_Write, 0, 0, w, h, (void *)base, w, h, t, 0, 0), CE_None);
    int factors[RPYR_MAX_LEVELS];
    for (int k = 0; k < levels; k++)
        factors[k] = 2 << k;
    cr_assert_eq(GDALBuildOverviews(ds, r, levels, factors, 0, NULL, NULL, NULL), CE_None);
    for (int k = 0; k < levels; k++) {
        GDALRasterBandH o = GDALGetOverview(b, k);
        int ow = w >> (k + 1), oh = h >> (k + 1);
        cr_assert_eq(GDALGetRasterBandXSize(o), ow);
        cr_assert_eq(GDALGetRasterBandYSize(o), oh);
        lv[k] = malloc((size_t)ow * (size_t)oh * (size_t)GDALGetDataTypeSizeBytes(t));
        cr_assert_eq(GDALRasterIO(o, GF_Read, 0, 0, ow, oh, lv[k], ow, oh, t, 0, 0), CE_None);
    }
    GDALClose(ds);
}

/* Ours, pushed strip_rows rows at a time, against GDAL's, bit for bit
 * (NaN as NaN). */
static void compare(GDALDataType t, double nodata, enum rpyr_method m, int w, int h, int levels,
                    int tile_rows, int strip_rows)
{
    int cb = GDALGetDataTypeSizeBytes(t);
    unsigned char *base = make_base(t, w, h), *want[RPYR_MAX_LEVELS];
    gdal_overviews(t, nodata, m == RPYR_AVERAGE ? "AVERAGE" : "NEAREST", base, w, h, levels,
                   want);
    struct collected c = {levels, tile_rows, cb, w, {0}, {0}, 0, 0};
    for (int k = 0; k < levels; k++)
        c.lv[k] = calloc((size_t)(w >> (k + 1)) * (size_t)(h >> (k + 1)), (size_t)cb);
    struct rpyramid *p = rpyr_new(m, (size_t)cb, nodata, w, h, levels, tile_rows);
    cr_assert_not_null(p);
    for (int r0 = 0; r0 < h; r0 += strip_rows) {
        int n = h - r0 < strip_rows ? h - r0 : strip_rows;
        cr_assert_eq(rpyr_push(p, base + (size_t)r0 * (size_t)w * (size_t)cb, n, sink, &c), 0);
        cr_assert_eq(rpyr_done(p), r0 + n == h);
    }
    for (int k = 0; k < levels; k++) {
        size_t cells = (size_t)(w >> (k + 1)) * (size_t)(h >> (k + 1));
        cr_assert_eq(c.next_row[k], h >> (k + 1), "level %d incomplete", k + 1);
        for (size_t i = 0; i < cells; i++) {
            const unsigned char *a = c.lv[k] + i * (size_t)cb, *b = want[k] + i * (size_t)cb;
            if (t == GDT_Float32) {
                float fa, fb;
                memcpy(&fa, a, 4);
                memcpy(&fb, b, 4);
                if (isnan(fa) && isnan(fb))
                    continue;
            }
            cr_assert(memcmp(a, b, (size_t)cb) == 0, "type %d level %d cell %zu (row %zu): ours "
                      "differs from GDAL's", (int)t, k + 1, i, i / (size_t)(w >> (k + 1)));
        }
        free(c.lv[k]);
        free(want[k]);
    }
    rpyr_free(&p);
    cr_assert_null(p);
    free(base);
}

Test(raster_overview, average_is_gdals_from_level_to_level)
{
    compare(GDT_Float32, NODATA_F, RPYR_AVERAGE, 1024, 768, 3, 256, 256);
    /* Levels whose factor passes a tile row (GDAL cascades them too). */
    compare(GDT_Float32, NODATA_F, RPYR_AVERAGE, 256, 192, 5, 8, 8);
}

Test(raster_overview, nearest_is_gdals)
{
    compare(GDT_Int32, 0, RPYR_NEAREST, 1024, 512, 3, 256, 256);
    compare(GDT_Byte, 255, RPYR_NEAREST, 512, 640, 4, 256, 256);
    compare(GDT_Byte, 255, RPYR_NEAREST, 128, 96, 5, 4, 12);
}

Test(raster_overview, the_nodata_average_is_replaced_as_gdal_does)
{
    /* The check of the case by hand: (-9998 + -10000) / 2 = -9999 (nodata)
     * must come out as the float below it. */
    float base[8] = {-9998, -10000, NODATA_F, NODATA_F, NODATA_F, NODATA_F, NODATA_F, NODATA_F};
    struct collected c = {1, 2, 4, 4, {0}, {0}, 0, 0};
    float got[2];
    c.lv[0] = (unsigned char *)got;
    struct rpyramid *p = rpyr_new(RPYR_AVERAGE, 4, NODATA_F, 4, 2, 1, 2);
    cr_assert_not_null(p);
    cr_assert_eq(rpyr_push(p, base, 2, sink, &c), 0);
    cr_assert_eq(got[0], nextafterf(NODATA_F, -INFINITY), "%.6f", got[0]);
    cr_assert_eq(got[1], NODATA_F, "a block all nodata: %.6f", got[1]);
    rpyr_free(&p);
}

Test(raster_overview, refuses_what_it_cannot_split_and_passes_sink_failures_on)
{
    cr_assert_null(rpyr_new(RPYR_AVERAGE, 4, NODATA_F, 30, 32, 2, 256), "30: not a multiple of 4");
    cr_assert_null(rpyr_new(RPYR_AVERAGE, 1, NODATA_F, 32, 32, 2, 256), "average of bytes");
    cr_assert_null(rpyr_new(RPYR_NEAREST, 4, 0, 32, 32, 2, 7), "odd tile rows");
    struct rpyramid *p = rpyr_new(RPYR_NEAREST, 1, 255, 8, 8, 2, 2);
    cr_assert_not_null(p);
    unsigned char rows[64] = {0};
    struct collected c = {2, 2, 1, 8, {0}, {0}, 1, 0};
    unsigned char l1[16], l2[4];
    c.lv[0] = l1;
    c.lv[1] = l2;
    cr_assert_neq(rpyr_push(p, rows, 3, sink, &c), 0, "odd row count");
    cr_assert_neq(rpyr_push(p, rows, 4, sink, &c), 0, "the sink's failure");
    rpyr_free(&p);
    /* No levels: rows are taken and nothing comes out. */
    p = rpyr_new(RPYR_NEAREST, 1, 255, 7, 5, 0, 256);
    cr_assert_not_null(p);
    cr_assert_eq(rpyr_push(p, rows, 5, sink, &c), 0);
    cr_assert(rpyr_done(p));
    rpyr_free(&p);
}
