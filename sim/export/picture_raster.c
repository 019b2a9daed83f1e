/* picture_raster.c — map.png's raster layer (see picture_raster.h). The
 * picture is drawn in the map's metric CRS, the rasters' CRS too: a
 * picture pixel is a square of 1/s metres, mapped onto the raster's cells
 * by its geotransform alone. */
#include "picture_raster.h"

#include <gdal.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/raster.h"

unsigned picture_raster_rgb(enum raster_layer l, long n_sites, double v)
{
    if (l == RASTER_BEST_SERVER)
        return raster_best_server_rgb((long)v, n_sites);
    const struct raster_class *c;
    int n = raster_style_classes(l, &c);
    int k = 0;
    while (k < n - 1 && !(v <= c[k].v)) /* QGIS's discrete ramp: up to each value */
        k++;
    return n > 0 ? (unsigned)strtoul(c[k].color + 1, NULL, 16) : 0x808080;
}

/* The picture pixels [*i0, *i1) whose window on the raster's axis (cells
 * a0 + i * step, a0 + (i + 1) * step) lies within [0, n]. */
static void clip_axis(double a0, double step, int np, int n, int *i0, int *i1)
{
    double lo = ceil(-a0 / step - 1e-9), hi = floor((n - a0) / step + 1e-9);
    *i0 = lo < 0 ? 0 : lo > np ? np : (int)lo;
    *i1 = hi > np ? np : hi < *i0 ? *i0 : (int)hi;
}

cairo_surface_t *picture_raster_image(const char *tif, enum raster_layer l, long n_sites,
                                      int pw, int ph, double xmin, double ymax, double s,
                                      struct tc_error *err)
{
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    if (!ds) {
        tc_fail(err, TC_EXIT_OUTPUT, "picture: GDAL cannot read %s", tif);
        return NULL;
    }
    double gt[6];
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (GDALGetGeoTransform(ds, gt) != CE_None || gt[1] <= 0 || gt[5] >= 0 || !band) {
        GDALClose(ds);
        tc_fail(err, TC_EXIT_OUTPUT, "picture: %s: no north-up geotransform", tif);
        return NULL;
    }
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    /* Picture pixel (i, j): raster columns c0 + i * sx .., rows r0 + j * sy .. */
    double sx = 1 / (s * gt[1]), sy = 1 / (s * -gt[5]);
    double c0 = (xmin - gt[0]) / gt[1], r0 = (ymax - gt[3]) / gt[5];
    int i0, i1, j0, j1;
    clip_axis(c0, sx, pw, W, &i0, &i1);
    clip_axis(r0, sy, ph, H, &j0, &j1);
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw > 0 ? pw : 1,
                                                     ph > 0 ? ph : 1);
    cairo_status_t st = cairo_surface_status(sf);
    if (st != CAIRO_STATUS_SUCCESS) {
        GDALClose(ds);
        cairo_surface_destroy(sf);
        tc_fail(err, st == CAIRO_STATUS_NO_MEMORY ? TC_EXIT_RESOURCE : TC_EXIT_INTERNAL,
                "picture: cairo cannot make a %dx%d image: %s", pw, ph,
                cairo_status_to_string(st));
        return NULL;
    }
    int bw = i1 - i0, bh = j1 - j0;
    double *buf = bw > 0 && bh > 0 ? malloc(sizeof *buf * (size_t)bw * (size_t)bh) : NULL;
    int rc = 0;
    if (bw > 0 && bh > 0) {
        GDALRasterIOExtraArg ex;
        INIT_RASTERIO_EXTRA_ARG(ex);
        ex.eResampleAlg = GRIORA_NearestNeighbour;
        ex.bFloatingPointWindowValidity = TRUE;
        ex.dfXOff = c0 + i0 * sx;
        ex.dfYOff = r0 + j0 * sy;
        ex.dfXSize = bw * sx;
        ex.dfYSize = bh * sy;
        int xo = (int)floor(ex.dfXOff), yo = (int)floor(ex.dfYOff);
        int xe = (int)ceil(ex.dfXOff + ex.dfXSize), ye = (int)ceil(ex.dfYOff + ex.dfYSize);
        xe = xe > W ? W : xe;
        ye = ye > H ? H : ye;
        xo = xo < 0 ? 0 : xo;
        yo = yo < 0 ? 0 : yo;
        if (!buf || GDALRasterIOEx(band, GF_Read, xo, yo, xe - xo, ye - yo, buf, bw, bh,
                                   GDT_Float64, 0, 0, &ex) != CE_None)
            rc = -1;
    }
    GDALClose(ds);
    if (rc != 0) {
        cairo_surface_destroy(sf);
        if (!buf)
            tc_fail(err, TC_EXIT_RESOURCE, "picture: out of memory reading %s", tif);
        else
            tc_fail(err, TC_EXIT_OUTPUT, "picture: GDAL cannot read %s", tif);
        free(buf);
        return NULL;
    }
    cairo_surface_flush(sf);
    unsigned char *data = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    memset(data, 0, (size_t)stride * (size_t)cairo_image_surface_get_height(sf));
    for (int j = 0; j < bh; j++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)(j0 + j) * (size_t)stride);
        for (int i = 0; i < bw; i++) {
            double v = buf[(size_t)j * bw + i];
            if ((has_nodata && v == nodata) || isnan(v))
                continue;
            row[i0 + i] = 0xff000000u | picture_raster_rgb(l, n_sites, v);
        }
    }
    free(buf);
    cairo_surface_mark_dirty(sf);
    return sf;
}
