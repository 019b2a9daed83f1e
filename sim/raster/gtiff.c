/* raster/gtiff.c — one GeoTIFF through GDAL (see raster_internal.h):
 * tiled, DEFLATE, BIGTIFF when needed, CRS from PROJ's WKT, nodata, band
 * description and UNITS, internal overviews written from the strips as
 * they come (overview.c). A dataset is used by one thread at a time (not
 * always the same one: strips are written by whichever thread is free, and
 * layers finish side by side). */
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
    int skip_empty;       /* tiles all nodata left out of the file being written */
    int sparse;           /* ... and out of the COG */
    struct rpyramid *pyr; /* the overviews being made */
    unsigned char *tile;  /* one tile's cells, as written */
    unsigned char *nodata_tile; /* a tile of nodata */
    char level[16];   /* DEFLATE level of the file asked for */
    char threads[16]; /* GDAL's own compression threads (NUM_THREADS) */
    char path[TC_PATH_MAX]; /* the file asked for */
    char work[TC_PATH_MAX]; /* the file being written: path, or path.part before a COG */
    OGRSpatialReferenceH srs; /* the CRS: in the file, or given to a part file's copy */
};

static const struct {
    GDALDataType type;
    double nodata;
    const char *desc, *units;
    enum rpyr_method resampling;
} layer_info[RASTER_LAYER_COUNT] = {
    {GDT_Float32, RASTER_NODATA_F32, "median SS-RSRP of the strongest station (no shadowing "
     "margin)", "dBm", RPYR_AVERAGE},
    {GDT_Int32, RASTER_NODATA_BEST, "serving station: row of sites.csv (1-based), -1 none",
     "row", RPYR_NEAREST},
    {GDT_Float32, RASTER_NODATA_F32, "SINR of the strongest station against same-band "
     "stations (x load) and thermal noise", "dB", RPYR_AVERAGE},
    {GDT_Byte, RASTER_NODATA_SERVERS, "stations covering the cell (RSRP - margin >= "
     "threshold)", "stations", RPYR_NEAREST},
};

/* GDAL checks a create's options against its driver's list, an XML text
 * parsed at every Create and CreateCopy (twice per COG: the COG driver's,
 * then the GTiff driver's inside it), about 6 ms of CPU a raster. The
 * options here are this file's constants (the DEFLATE level is checked
 * by raster.deflate_level's key), so the check is skipped around those
 * calls on this thread; it only ever warned, and changes no byte. */
static void creation_checks(int on)
{
    CPLSetThreadLocalConfigOption("GDAL_VALIDATE_CREATION_OPTIONS", on ? NULL : "NO");
}

static int gdal_fail(struct tc_error *err, const char *path, const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    /* out of memory is a limit (exit 6), anything else the file's (7) */
    int status = CPLGetLastErrorNo() == CPLE_OutOfMemory ? TC_EXIT_RESOURCE : TC_EXIT_OUTPUT;
    return tc_fail(err, status, "%s: GDAL cannot %s%s%s", path, what, m && *m ? ": " : "",
                   m ? m : "");
}

/* The overview levels of t made empty in the file (GDAL's "NONE": no
 * resampling, nothing read; the tiles come from the pyramid as strips are
 * written), compressed as the base when the file is the result, and the
 * pyramid that fills them. */
static int add_overviews(struct rtif *t, const struct raster_grid *g, struct tc_error *err)
{
    int factors[RPYR_MAX_LEVELS];
    for (int k = 0; k < g->levels; k++)
        factors[k] = 2 << k;
    CPLErrorReset();
    if (g->levels > 0) {
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", t->cog ? "NONE" : "DEFLATE");
        CPLSetThreadLocalConfigOption("ZLEVEL_OVERVIEW", t->level);
        CPLErr e = GDALBuildOverviews(t->ds, "NONE", g->levels, factors, 0, NULL, NULL, NULL);
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", NULL);
        CPLSetThreadLocalConfigOption("ZLEVEL_OVERVIEW", NULL);
        if (e != CE_None)
            return gdal_fail(err, t->path, "add overviews");
    }
    /* The pyramid's level k must be GDAL's overview k - 1, of that size. */
    if (GDALGetOverviewCount(t->band) != g->levels)
        return tc_fail(err, TC_EXIT_INTERNAL, "%s: GDAL made %d overviews, not %d", t->path,
                       GDALGetOverviewCount(t->band), g->levels);
    for (int k = 0; k < g->levels; k++) {
        GDALRasterBandH o = GDALGetOverview(t->band, k);
        if (GDALGetRasterBandXSize(o) != g->width >> (k + 1) ||
            GDALGetRasterBandYSize(o) != g->height >> (k + 1))
            return tc_fail(err, TC_EXIT_INTERNAL, "%s: GDAL's overview %d is %d x %d, not 1/%d "
                           "of %d x %d", t->path, k + 1, GDALGetRasterBandXSize(o),
                           GDALGetRasterBandYSize(o), factors[k], g->width, g->height);
    }
    t->pyr = rpyr_new(layer_info[t->layer].resampling, (size_t)GDALGetDataTypeSizeBytes(t->type),
                      layer_info[t->layer].nodata, g->width, g->height, g->levels, RTIF_TILE);
    if (!t->pyr)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory (overviews)", t->path);
    return 0;
}

static void rtif_free(struct rtif *t)
{
    if (t->srs)
        OSRDestroySpatialReference(t->srs);
    rpyr_free(&t->pyr);
    free(t->tile);
    free(t->nodata_tile);
    free(t);
}

/* t and its two tile buffers, the second filled with nodata; NULL: out of
 * memory. */
static struct rtif *rtif_alloc(enum raster_layer l)
{
    struct rtif *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    int cb = GDALGetDataTypeSizeBytes(layer_info[l].type);
    t->tile = malloc((size_t)RTIF_TILE * RTIF_TILE * (size_t)cb);
    t->nodata_tile = malloc((size_t)RTIF_TILE * RTIF_TILE * (size_t)cb);
    if (!t->tile || !t->nodata_tile) {
        rtif_free(t);
        return NULL;
    }
    GDALCopyWords(&layer_info[l].nodata, GDT_Float64, 0, t->nodata_tile, layer_info[l].type, cb,
                  RTIF_TILE * RTIF_TILE);
    return t;
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
    struct rtif *t = rtif_alloc(l);
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
    opt = CSLSetNameValue(opt, "BLOCKXSIZE", RTIF_TILE_TEXT);
    opt = CSLSetNameValue(opt, "BLOCKYSIZE", RTIF_TILE_TEXT);
    /* A part file is read once by the COG copy, which compresses: deflating
     * it too would compress every tile twice (a third of the stage). */
    if (!cog) {
        opt = CSLSetNameValue(opt, "COMPRESS", "DEFLATE");
        opt = CSLSetNameValue(opt, "PREDICTOR", t->type == GDT_Float32 ? "3" : "2");
        opt = CSLSetNameValue(opt, "ZLEVEL", t->level);
        opt = CSLSetNameValue(opt, "NUM_THREADS", t->threads);
    }
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    /* Tiles all nodata are not written (GDAL reads nodata there): a part
     * file always (the COG copy reads them back as nodata, whatever it
     * writes), the result when cfg->sparse. A third of Jiangxi's tiles. */
    t->sparse = cfg->sparse;
    t->skip_empty = cog || cfg->sparse;
    if (t->skip_empty)
        opt = CSLSetNameValue(opt, "SPARSE_OK", "TRUE");
    CPLErrorReset();
    creation_checks(0);
    t->ds = GDALCreate(drv, t->work, g->width, g->height, 1, t->type, opt);
    creation_checks(1);
    CSLDestroy(opt);
    if (!t->ds) {
        gdal_fail(err, path, "create it");
        rtif_free(t);
        return NULL;
    }
    /* A part file is written without its CRS: GDAL would write it as
     * GeoTIFF keys (PROJ database searches for the map's unnamed datum),
     * and the copy read them back and search again. The COG copy gets the
     * CRS from the part's dataset in memory instead (copy_to_cog): the
     * same COG, byte for byte. */
    double gt[6] = {g->x0, g->res, 0, g->y1, 0, -g->res};
    t->srs = OSRNewSpatialReference(NULL);
    int bad = GDALSetGeoTransform(t->ds, gt) != CE_None || !t->srs ||
              OSRSetFromUserInput(t->srs, wkt) != OGRERR_NONE ||
              (!cog && GDALSetSpatialRef(t->ds, t->srs) != CE_None);
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
    if (add_overviews(t, g, err) != 0) {
        rtif_abort(&t);
        return NULL;
    }
    return t;
}

/* 1 when n rows of `bytes` bytes from src, `stride` bytes apart, are all
 * nodata. */
static int all_nodata(const struct rtif *t, const unsigned char *src, size_t stride, int n,
                      size_t bytes)
{
    for (int r = 0; r < n; r++)
        if (memcmp(src + (size_t)r * stride, t->nodata_tile, bytes) != 0)
            return 0;
    return 1;
}

/* Rows row0 .. row0 + n - 1 of band (width cells a row; row0 a multiple
 * of RTIF_TILE, n at most RTIF_TILE), written tile by tile with
 * GDALWriteBlock: straight to the file, past GDAL's block cache (no block
 * allocated, filled and flushed per tile). A tile's part beyond the rows
 * or the band's width is nodata. A tile all nodata is left out of a sparse
 * file: GDAL reads nodata there. */
static int write_tiles(struct rtif *t, GDALRasterBandH band, int width, int row0, int n,
                       const void *rows)
{
    size_t cb = (size_t)GDALGetDataTypeSizeBytes(t->type), stride = (size_t)width * cb;
    const unsigned char *src = rows;
    for (int bx = 0; bx * RTIF_TILE < width; bx++) {
        int c0 = bx * RTIF_TILE, nc = width - c0 < RTIF_TILE ? width - c0 : RTIF_TILE;
        const unsigned char *from = src + (size_t)c0 * cb;
        if (t->skip_empty && all_nodata(t, from, stride, n, (size_t)nc * cb))
            continue;
        if (nc < RTIF_TILE || n < RTIF_TILE)
            memcpy(t->tile, t->nodata_tile, (size_t)RTIF_TILE * RTIF_TILE * cb);
        for (int r = 0; r < n; r++)
            memcpy(t->tile + (size_t)r * RTIF_TILE * cb, from + (size_t)r * stride,
                   (size_t)nc * cb);
        if (GDALWriteBlock(band, bx, row0 / RTIF_TILE, t->tile) != CE_None)
            return -1;
    }
    return 0;
}

/* A pyramid's rows to GDAL's overview level - 1 of the rtif ctx. */
static int overview_sink(void *ctx, int level, int row0, int n, const void *rows)
{
    struct rtif *t = ctx;
    GDALRasterBandH o = GDALGetOverview(t->band, level - 1);
    return o ? write_tiles(t, o, GDALGetRasterBandXSize(o), row0, n, rows) : -1;
}

int rtif_write(struct rtif *t, int row0, int n, const void *buf, struct tc_error *err)
{
    CPLErrorReset();
    if (write_tiles(t, t->band, t->width, row0, n, buf) != 0)
        return gdal_fail(err, t->path, "write a strip");
    CPLErrorReset();
    if (rpyr_push(t->pyr, buf, n, overview_sink, t) != 0)
        return gdal_fail(err, t->path, "write a strip's overviews");
    return 0;
}

/* GDAL's progress callback: FALSE on an interrupt stops the copy (or the
 * overviews) at its next block instead of at its end. */
static int CPL_STDCALL stop_on_interrupt(double done, const char *msg, void *data)
{
    (void)done;
    (void)msg;
    (void)data;
    return !tc_interrupted();
}

static void close_part(struct rtif *t, GDALDatasetH src)
{
    char aux[TC_PATH_MAX + 16];
    GDALClose(src);
    snprintf(aux, sizeof aux, "%s.aux.xml", t->work);
    VSIUnlink(aux);
}

/* The part file t->work opened for the copy, with its CRS (t->srs) set
 * on the dataset in memory: GDAL keeps it in the dataset's auxiliary
 * metadata (PAM), which it saves beside the file (work.aux.xml) when the
 * dataset closes; close_part removes that. NULL with err set on failure. */
static GDALDatasetH open_part(struct rtif *t, struct tc_error *err)
{
    CPLErrorReset();
    GDALDatasetH src = GDALOpen(t->work, GA_ReadOnly);
    if (!src) {
        gdal_fail(err, t->work, "read it back");
        return NULL;
    }
    if (GDALSetSpatialRef(src, t->srs) != CE_None) {
        gdal_fail(err, t->work, "set its CRS");
        close_part(t, src);
        return NULL;
    }
    return src;
}

/* The finished tiled GeoTIFF t->work copied by the COG driver to t->path,
 * its overviews copied as they are (never recomputed). */
static int copy_to_cog(struct rtif *t, int threads, struct tc_error *err)
{
    GDALDriverH cog = GDALGetDriverByName("COG");
    if (!cog)
        return tc_fail(err, TC_EXIT_INTERNAL, "GDAL has no COG driver (set raster.cog = no)");
    GDALDatasetH src = open_part(t, err);
    if (!src)
        return -1;
    char **opt = NULL;
    opt = CSLSetNameValue(opt, "COMPRESS", "DEFLATE");
    opt = CSLSetNameValue(opt, "PREDICTOR", "YES");
    opt = CSLSetNameValue(opt, "LEVEL", t->level);
    opt = CSLSetNameValue(opt, "BLOCKSIZE", RTIF_TILE_TEXT);
    opt = CSLSetNameValue(opt, "OVERVIEWS", "FORCE_USE_EXISTING");
    opt = CSLSetNameValue(opt, "BIGTIFF", "IF_SAFER");
    char nt[16];
    snprintf(nt, sizeof nt, "%d", threads < 1 ? 1 : threads);
    opt = CSLSetNameValue(opt, "NUM_THREADS", nt);
    if (t->sparse)
        opt = CSLSetNameValue(opt, "SPARSE_OK", "TRUE");
    creation_checks(0);
    GDALDatasetH dst = GDALCreateCopy(cog, t->path, src, FALSE, opt, stop_on_interrupt, NULL);
    creation_checks(1);
    CSLDestroy(opt);
    int rc = dst ? 0 : tc_interrupted() ? tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted")
                                        : gdal_fail(err, t->path, "write it as a COG");
    if (dst) {
        GDALClose(dst);
        if (CPLGetLastErrorType() >= CE_Failure)
            rc = gdal_fail(err, t->path, "finish the COG");
    }
    close_part(t, src);
    return rc;
}

int rtif_finish(struct rtif **tp, int threads, struct tc_error *err)
{
    struct rtif *t = *tp;
    int rc = 0;
    if (!rpyr_done(t->pyr))
        rc = tc_fail(err, TC_EXIT_INTERNAL, "%s: finished before its last strip", t->path);
    CPLErrorReset();
    GDALClose(t->ds);
    t->ds = NULL;
    if (CPLGetLastErrorType() >= CE_Failure && rc == 0)
        rc = gdal_fail(err, t->path, "finish writing it");
    if (rc == 0 && t->cog)
        rc = copy_to_cog(t, threads, err);
    if (t->cog)
        VSIUnlink(t->work);
    rtif_free(t);
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
    rtif_free(*tp);
    *tp = NULL;
}
