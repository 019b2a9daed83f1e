/* terrain/dem.c — the elevation model: the window of any raster GDAL
 * opens that covers the map, read once into memory in the DEM's own grid
 * and CRS, and per-thread samplers giving bilinear heights at offsets from
 * a station (see terrain.h). */
#include "terrain_internal.h"

#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


void terrain_dem_free(struct terrain_dem **pd)
{
    struct terrain_dem *d = *pd;
    if (!d)
        return;
    free(d->z);
    free(d->dem_wkt);
    free(d);
    *pd = NULL;
}

double terrain_dem_step_m(const struct terrain_dem *dem)
{
    return dem->step_m;
}

/* The box of the map's metric CRS in the DEM's pixel coordinates: its
 * edges, densified, through PROJ and the inverse geotransform. */
static int window_of(const char *metric, const char *wkt, const double inv[6], double xmin,
                     double ymin, double xmax, double ymax, double box[4])
{
    struct map_transform *t = map_transform_between(metric, wkt);
    PJ *pj = t ? map_transform_pj(t) : NULL;
    int rc = pj ? 0 : -1, ok = 0;
    box[0] = box[1] = INFINITY;
    box[2] = box[3] = -INFINITY;
    for (int e = 0; pj && e < 4; e++)
        for (int k = 0; k <= 64; k++) {
            double t = k / 64.0;
            double x = e < 2 ? xmin + t * (xmax - xmin) : e == 2 ? xmin : xmax;
            double y = e < 2 ? (e == 0 ? ymin : ymax) : ymin + t * (ymax - ymin);
            PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0));
            if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
                continue;
            double u = inv[0] + inv[1] * c.xy.x + inv[2] * c.xy.y;
            double v = inv[3] + inv[4] * c.xy.x + inv[5] * c.xy.y;
            box[0] = fmin(box[0], u), box[1] = fmin(box[1], v);
            box[2] = fmax(box[2], u), box[3] = fmax(box[3], v);
            ok = 1;
        }
    map_transform_free(&t);
    return rc == 0 && ok ? 0 : -1;
}

/* The cell size in metres at the window's centre, through PROJ: the
 * distance in the metric CRS of one cell's step along x and along y. */
static double step_of(struct terrain_dem *d, double cx, double cy)
{
    struct terrain_sampler *s = terrain_sampler_new(d, NULL);
    double step = 0;
    if (s) {
        /* the inverse map: metric offsets per pixel, from J */
        if (terrain_sampler_centre(s, cx, cy, 1000) == 0) {
            double det = s->f.J[0] * s->f.J[3] - s->f.J[1] * s->f.J[2];
            if (det != 0)
                step = sqrt(fabs(1 / det)); /* metres per cell, as a square */
        }
        terrain_sampler_free(&s);
    }
    return step;
}

/* Reads the window [u0, u0 + nx) x [v0, v0 + ny) of band 1 as floats,
 * nodata as NaN. */
static int read_window(GDALDatasetH ds, struct terrain_dem *d, int u0, int v0,
                       struct tc_error *err, const char *path)
{
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    d->z = malloc(sizeof *d->z * (size_t)d->nx * (size_t)d->ny);
    if (!d->z)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the DEM %s", path);
    if (GDALRasterIO(b, GF_Read, u0, v0, d->nx, d->ny, d->z, d->nx, d->ny, GDT_Float32, 0, 0) !=
        CE_None)
        return tc_fail(err, TC_EXIT_MAP, "%s: GDAL cannot read its heights: %s", path,
                       CPLGetLastErrorMsg());
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(b, &has_nodata);
    float nd = (float)nodata;
    size_t n = (size_t)d->nx * (size_t)d->ny;
    for (size_t i = 0; has_nodata && i < n; i++)
        if (d->z[i] == nd || (isnan(nodata) && isnan(d->z[i])))
            d->z[i] = NAN;
    return 0;
}

static int check_memory(const struct terrain_config *cfg, double bytes, const char *path,
                        struct tc_error *err)
{
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (bytes > cfg->memory_mb * 1e6)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: the part covering the map needs %.0f MB, "
                       "over terrain.memory_mb = %.0f (raise it, or give a coarser DEM)", path,
                       bytes / 1e6, cfg->memory_mb);
    if (have > 0 && bytes > 0.8 * have)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: the part covering the map needs %.0f MB; "
                       "this machine has %.0f MB", path, bytes / 1e6, have / 1e6);
    return 0;
}

static struct terrain_dem *open_window(GDALDatasetH ds, const struct terrain_config *cfg,
                                       const char *path, const char *metric, double xmin,
                                       double ymin, double xmax, double ymax,
                                       struct tc_error *err)
{
    struct terrain_dem *d = calloc(1, sizeof *d);
    double gt[6], inv[6];
    const char *wkt = GDALGetProjectionRef(ds);
    if (!d) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    snprintf(d->metric_crs, sizeof d->metric_crs, "%s", metric);
    if (!wkt || !wkt[0] || GDALGetGeoTransform(ds, gt) != CE_None || !GDALInvGeoTransform(gt, inv)) {
        tc_fail(err, TC_EXIT_MAP, "%s: no CRS or no georeferencing (GDAL reads neither)", path);
        terrain_dem_free(&d);
        return NULL;
    }
    d->dem_wkt = strdup(wkt);
    double box[4];
    if (!d->dem_wkt || window_of(metric, wkt, inv, xmin, ymin, xmax, ymax, box) != 0) {
        tc_fail(err, TC_EXIT_MAP, "%s: PROJ cannot take the map's CRS to the DEM's", path);
        terrain_dem_free(&d);
        return NULL;
    }
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    int u0 = (int)fmax(floor(box[0]) - 2, 0), v0 = (int)fmax(floor(box[1]) - 2, 0);
    int u1 = (int)fmin(ceil(box[2]) + 2, w), v1 = (int)fmin(ceil(box[3]) + 2, h);
    d->nx = u1 > u0 ? u1 - u0 : 0;
    d->ny = v1 > v0 ? v1 - v0 : 0;
    if (d->nx == 0 || d->ny == 0) /* no overlap: a 1-cell window of nodata */
        u0 = v0 = 0, d->nx = d->ny = 1;
    memcpy(d->gt, gt, sizeof gt);
    d->gt[0] = gt[0] + u0 * gt[1] + v0 * gt[2];
    d->gt[3] = gt[3] + u0 * gt[4] + v0 * gt[5];
    int rc = check_memory(cfg, 4.0 * d->nx * d->ny, path, err);
    if (rc == 0)
        rc = read_window(ds, d, u0, v0, err, path);
    if (rc == 0 && (u1 <= u0 || v1 <= v0))
        d->z[0] = NAN;
    if (rc == 0 && !((d->step_m = step_of(d, 0.5 * (xmin + xmax), 0.5 * (ymin + ymax))) > 0))
        rc = tc_fail(err, TC_EXIT_MAP, "%s: cannot find its cell size in metres", path);
    if (rc != 0)
        terrain_dem_free(&d);
    return d;
}

struct terrain_dem *terrain_dem_open(const struct terrain_config *cfg, const char *base_dir,
                                     const char *metric_crs, double xmin, double ymin,
                                     double xmax, double ymax, FILE *log, struct tc_error *err)
{
    char path[TC_PATH_MAX];
    if (cfg->dem[0] == '/' || !base_dir || !base_dir[0])
        snprintf(path, sizeof path, "%s", cfg->dem);
    else
        snprintf(path, sizeof path, "%s/%s", base_dir, cfg->dem);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister(); /* a caller other than main (link, tests): serially */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    struct terrain_dem *d = NULL;
    if (!ds)
        tc_fail(err, TC_EXIT_MAP, "%s: GDAL cannot open it as a raster: %s", path,
                CPLGetLastErrorMsg());
    else if (GDALGetRasterCount(ds) < 1)
        tc_fail(err, TC_EXIT_MAP, "%s: the raster has no band", path);
    else
        d = open_window(ds, cfg, path, metric_crs, xmin, ymin, xmax, ymax, err);
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    if (d && log)
        fprintf(log, "towncov: DEM %s: %d x %d cells of %.0f m read (%.0f MB)\n", path, d->nx,
                d->ny, d->step_m, 4e-6 * d->nx * d->ny);
    return d;
}
