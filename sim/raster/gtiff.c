/* raster/gtiff.c — one GeoTIFF through GDAL (see raster_internal.h):
 * tiled, DEFLATE, BIGTIFF when needed, CRS from PROJ's WKT, nodata, band
 * description and UNITS, internal overviews. A dataset is used by one
 * thread at a time (not always the same one: strips are written from
 * tasks, and layers finish side by side). */
#include "raster_internal.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

struct rtif {
    GDALDatasetH ds;
    GDALRasterBandH band;
    GDALDataType type;
    enum raster_layer layer;
    int width;
    int cog;
    char level[16];   /* DEFLATE level of the file asked for */
    char threads[16]; /* GDAL's own compression threads (NUM_THREADS) */
    char path[TC_PATH_MAX]; /* the file asked for */
    char work[TC_PATH_MAX]; /* the file being written: path, or path.part before a COG */
};

static const struct {
    GDALDataType type;
    double nodata;
    const char *desc, *units, *resampling;
} layer_info[RASTER_LAYER_COUNT] = {
    {GDT_Float32, RASTER_NODATA_F32, "median SS-RSRP of the strongest station (no shadowing "
     "margin)", "dBm", "AVERAGE"},
    {GDT_Int32, RASTER_NODATA_BEST, "serving station: row of sites.csv (1-based), -1 none",
     "row", "NEAREST"},
    {GDT_Float32, RASTER_NODATA_F32, "SINR of the strongest station against same-band "
     "stations (x load) and thermal noise", "dB", "AVERAGE"},
    {GDT_Byte, RASTER_NODATA_SERVERS, "stations covering the cell (RSRP - margin >= "
     "threshold)", "stations", "NEAREST"},
};

static int gdal_fail(struct tc_error *err, const char *path, const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    return tc_fail(err, TC_EXIT_OUTPUT, "%s: GDAL cannot %s%s%s", path, what, m && *m ? ": " : "",
                   m ? m : "");
}

struct rtif *rtif_create(const char *path, enum raster_layer l, const struct raster_grid *g,
                         const char *wkt, const struct raster_config *cfg, int threads,
                         struct tc_error *err)
{
    int cog = cfg->cog;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv) {
        tc_fail(err, TC_EXIT_INTERNAL, "GDAL has no GTiff driver (drivers registered?)");
        return NULL;
    }
    struct rtif *t = calloc(1, sizeof *t);
    if (!t) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    snprintf(t->work, sizeof t->work, "%s%s", path, cog ? ".part" : "");
    t->cog = cog;
    snprintf(t->level, sizeof t->level, "%ld", cfg->deflate_level);
    snprintf(t->threads, sizeof t->threads, "%d", threads < 1 ? 1 : threads);
    t->type = layer_info[l].type;
    t->layer = l;
    t->width = g->width;
    char **opt = NULL;
    opt = CSLSetNameValue(opt, "TILED", "YES");
    opt = CSLSetNameValue(opt, "BLOCKXSIZE", "256");
    opt = CSLSetNameValue(opt, "BLOCKYSIZE", "256");
    /* A part file is read once by the COG copy, which compresses: deflating
     * it too would compress every tile twice (a third of the stage). */
    if (!cog) {
        opt = CSLSetNameValue(opt, "COMPRESS", "DEFLATE");
        opt = CSLSetNameValue(opt, "PREDICTOR", t->type == GDT_Float32 ? "3" : "2");
        opt = CSLSetNameValue(opt, "ZLEVEL", t->level);
        opt = CSLSetNameValue(opt, "NUM_THREADS", t->threads);
    }
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    CPLErrorReset();
    t->ds = GDALCreate(drv, t->work, g->width, g->height, 1, t->type, opt);
    CSLDestroy(opt);
    if (!t->ds) {
        gdal_fail(err, path, "create it");
        free(t);
        return NULL;
    }
    double gt[6] = {g->x0, g->res, 0, g->y1, 0, -g->res};
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    int bad = GDALSetGeoTransform(t->ds, gt) != CE_None || !srs ||
              OSRSetFromUserInput(srs, wkt) != OGRERR_NONE ||
              GDALSetSpatialRef(t->ds, srs) != CE_None;
    OSRDestroySpatialReference(srs);
    t->band = bad ? NULL : GDALGetRasterBand(t->ds, 1);
    if (!t->band || GDALSetRasterNoDataValue(t->band, layer_info[l].nodata) != CE_None) {
        gdal_fail(err, path, "set its CRS, transform or nodata");
        rtif_abort(&t);
        return NULL;
    }
    GDALSetDescription(t->band, layer_info[l].desc);
    GDALSetRasterUnitType(t->band, layer_info[l].units);
    GDALSetMetadataItem(t->band, "UNITS", layer_info[l].units, NULL);
    GDALSetMetadataItem(t->ds, "TOWNCOV_LAYER", raster_layer_names[l], NULL);
    return t;
}

int rtif_write(struct rtif *t, int row0, int n, const void *buf, struct tc_error *err)
{
    CPLErrorReset();
    if (GDALRasterIO(t->band, GF_Write, 0, row0, t->width, n, (void *)buf, t->width, n, t->type,
                     0, 0) != CE_None)
        return gdal_fail(err, t->path, "write a strip");
    /* The strip's tiles are complete: write them out and drop them from
     * GDAL's block cache, so that memory does not grow with the map. */
    CPLErrorReset();
    GDALFlushCache(t->ds);
    if (CPLGetLastErrorType() >= CE_Failure)
        return gdal_fail(err, t->path, "write a strip");
    return 0;
}

/* The finished tiled GeoTIFF t->work copied by the COG driver to t->path,
 * its overviews reused. */
static int copy_to_cog(struct rtif *t, int threads, struct tc_error *err)
{
    GDALDriverH cog = GDALGetDriverByName("COG");
    if (!cog)
        return tc_fail(err, TC_EXIT_INTERNAL, "GDAL has no COG driver (set raster.cog = no)");
    CPLErrorReset();
    GDALDatasetH src = GDALOpen(t->work, GA_ReadOnly);
    if (!src)
        return gdal_fail(err, t->work, "read it back");
    char **opt = NULL;
    opt = CSLSetNameValue(opt, "COMPRESS", "DEFLATE");
    opt = CSLSetNameValue(opt, "PREDICTOR", "YES");
    opt = CSLSetNameValue(opt, "LEVEL", t->level);
    opt = CSLSetNameValue(opt, "BLOCKSIZE", "256");
    opt = CSLSetNameValue(opt, "OVERVIEWS", "AUTO");
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    char nt[16];
    snprintf(nt, sizeof nt, "%d", threads < 1 ? 1 : threads);
    opt = CSLSetNameValue(opt, "NUM_THREADS", nt);
    GDALDatasetH dst = GDALCreateCopy(cog, t->path, src, FALSE, opt, NULL, NULL);
    CSLDestroy(opt);
    int rc = dst ? 0 : gdal_fail(err, t->path, "write it as a COG");
    if (dst) {
        GDALClose(dst);
        if (CPLGetLastErrorType() >= CE_Failure)
            rc = gdal_fail(err, t->path, "finish the COG");
    }
    GDALClose(src);
    return rc;
}

int rtif_finish(struct rtif **tp, int threads, struct tc_error *err)
{
    struct rtif *t = *tp;
    int levels[16], nl = 0;
    int side = GDALGetRasterXSize(t->ds) > GDALGetRasterYSize(t->ds) ? GDALGetRasterXSize(t->ds)
                                                                   : GDALGetRasterYSize(t->ds);
    for (int f = 2; nl < 16 && side / f >= 128; f *= 2)
        levels[nl++] = f;
    int rc = 0;
    CPLErrorReset();
    if (nl > 0) {
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", t->cog ? "NONE" : "DEFLATE");
        CPLSetThreadLocalConfigOption("ZLEVEL_OVERVIEW", t->level);
        if (GDALBuildOverviews(t->ds, layer_info[t->layer].resampling, nl, levels, 0, NULL, NULL,
                               NULL) != CE_None)
            rc = gdal_fail(err, t->path, "build overviews");
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", NULL);
        CPLSetThreadLocalConfigOption("ZLEVEL_OVERVIEW", NULL);
    }
    CPLErrorReset();
    GDALClose(t->ds);
    t->ds = NULL;
    if (CPLGetLastErrorType() >= CE_Failure && rc == 0)
        rc = gdal_fail(err, t->path, "finish writing it");
    if (rc == 0 && t->cog)
        rc = copy_to_cog(t, threads, err);
    if (t->cog)
        VSIUnlink(t->work);
    free(t);
    *tp = NULL;
    return rc;
}

void rtif_abort(struct rtif **tp)
{
    if (!tp || !*tp)
        return;
    if ((*tp)->ds)
        GDALClose((*tp)->ds);
    if ((*tp)->cog)
        VSIUnlink((*tp)->work);
    free(*tp);
    *tp = NULL;
}
