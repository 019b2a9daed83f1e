/* terrain/demgen.c — a deterministic synthetic DEM over a map's extent
 * (`towncov demgen`, see terrain.h).
 *
 * No open DEM of useful resolution ships with towncov (docs/terrain.md
 * says how to build one from SRTM or Copernicus tiles); this writes a
 * stand-in for tests and benchmarks: ridged fractal relief, octaves of
 * bilinear value noise from about 60 km wavelength down to four cells,
 * each folded as (1 - |n|)^2 so that ridges are sharp and valleys broad,
 * amplitude halving per octave (persistence 0.5, the usual fractal-Brownian
 * choice), scaled to heights 0 .. relief. It is a model of relief, not
 * data: its ridges are nowhere in particular.
 *
 * The grid is lon/lat (EPSG:4326, like SRTM and Copernicus tiles), cells of
 * about cell_m metres, over the map's extent plus pad_m. Every noise value
 * is the counter-based generator's (rng.h) at (seed, octave, node), and
 * every cell a pure function of them, so that the file is the same byte
 * for byte on any thread count. Written as a tiled, DEFLATE-compressed
 * Int16 GeoTIFF to OUT.part and renamed over OUT once whole. */
#include "terrain_internal.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "towncov/rng.h"

#define METRES_PER_DEG 111320.0
#define LONGEST_WAVE_M 60000.0 /* the first octave: a range's width */
#define NODATA_I16 -32768

/* The map's extent in lon/lat: its layer's envelope, transformed through
 * a 17 x 17 grid of points (a curved CRS's box is not a lon/lat box). */
static int extent_lonlat(const char *path, double e[4], struct tc_error *err)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    OGRLayerH lyr = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
    OGREnvelope env;
    if (!lyr || OGR_L_GetExtent(lyr, &env, 1) != OGRERR_NONE) {
        if (ds)
            GDALClose(ds);
        return tc_fail(err, TC_EXIT_MAP, "%s: GDAL/OGR cannot read a layer with an extent from "
                       "it", path);
    }
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(lyr), dst = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(dst, 4326);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = NULL;
    if (src && !OSRIsSame(src, dst)) {
        src = OSRClone(src);
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(src, dst);
        OSRDestroySpatialReference(src);
    }
    int rc = 0;
    e[0] = e[1] = INFINITY, e[2] = e[3] = -INFINITY;
    for (int i = 0; i <= 16; i++)
        for (int j = 0; j <= 16; j++) {
            double x = env.MinX + (env.MaxX - env.MinX) * i / 16;
            double y = env.MinY + (env.MaxY - env.MinY) * j / 16;
            if (ct && !OCTTransform(ct, 1, &x, &y, NULL)) {
                rc = -1;
                continue;
            }
            e[0] = fmin(e[0], x), e[1] = fmin(e[1], y);
            e[2] = fmax(e[2], x), e[3] = fmax(e[3], y);
        }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(dst);
    GDALClose(ds);
    if (rc != 0 || !(e[0] <= e[2] && e[1] <= e[3]) || e[1] < -90 || e[3] > 90)
        return tc_fail(err, TC_EXIT_MAP, "%s: its extent does not map to longitude and latitude",
                       path);
    return 0;
}

/* One octave: gy x gx random nodes, sampled bilinearly at nx x ny cells. */
struct octave {
    int gx, gy;
    double amp, *g;
};

/* Cell row r's heights, every octave, into z (nx cells). */
static void relief_row(const struct octave *o, int n_oct, int nx, int ny, int r, float *z)
{
    for (int c = 0; c < nx; c++)
        z[c] = 0;
    for (int k = 0; k < n_oct; k++) {
        double y = ny > 1 ? r * ((o[k].gy - 1.001) / (ny - 1)) : 0;
        int iy = (int)y;
        double ty = y - iy;
        const double *g0 = o[k].g + (size_t)iy * o[k].gx, *g1 = g0 + o[k].gx;
        double sx = nx > 1 ? (o[k].gx - 1.001) / (nx - 1) : 0;
        for (int c = 0; c < nx; c++) {
            double x = c * sx;
            int ix = (int)x;
            double tx = x - ix;
            double a = g0[ix] * (1 - tx) + g0[ix + 1] * tx;
            double b = g1[ix] * (1 - tx) + g1[ix + 1] * tx;
            double n = 1 - fabs(a * (1 - ty) + b * ty);
            z[c] += (float)(o[k].amp * n * n);
        }
    }
}

/* The octaves for a grid of nx x ny cells of cell_m: wavelengths from
 * LONGEST_WAVE_M down to four cells. Returns the count, or -1. */
static int octaves_of(struct octave *o, int max, int nx, int ny, double cell_m, uint64_t seed)
{
    double size_m = fmax(nx, ny) * cell_m, cells = size_m / LONGEST_WAVE_M, amp = 1;
    int n = 0, big = nx > ny ? nx : ny;
    while (size_m / cells > 4 * cell_m && n < max) {
        int gy = (int)fmax(2, (int)(cells * ny / big) + 2);
        int gx = (int)fmax(2, (int)(cells * nx / big) + 2);
        o[n] = (struct octave){gx, gy, amp, malloc(sizeof(double) * (size_t)gx * (size_t)gy)};
        if (!o[n].g)
            return -1;
        for (long i = 0; i < (long)gx * gy; i++)
            o[n].g[i] = rng_uniform(seed, (uint64_t)n, (uint64_t)i) * 2 - 1;
        n++;
        cells *= 2;
        amp *= 0.5;
    }
    return n;
}

static GDALDatasetH create_tif(const char *path, int nx, int ny, const double gt[6])
{
    char **co = NULL;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "BLOCKXSIZE", "512");
    co = CSLSetNameValue(co, "BLOCKYSIZE", "512");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, nx, ny, 1, GDT_Int16, co);
    CSLDestroy(co);
    if (!ds)
        return NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    char *wkt = NULL;
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    GDALSetGeoTransform(ds, (double *)gt);
    GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), NODATA_I16);
    return ds;
}

/* Rows written a tile row at a time: GDAL compresses each tile once, with
 * no block cache to speak of (towncov keeps it small: raster.h). */
#define TILE 512 /* create_tif's BLOCKYSIZE */

/* z scaled to 0 .. relief, rounded, written; GDAL's errors as err. */
static int write_heights(const struct terrain_demgen *o, const char *part, const float *z, int nx,
                         int ny, const double gt[6], float lo, float hi, struct tc_error *err)
{
    GDALDatasetH ds = create_tif(part, nx, ny, gt);
    if (!ds)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot create: %s", part, CPLGetLastErrorMsg());
    int16_t *rows = malloc(sizeof *rows * (size_t)nx * TILE);
    double scale = o->relief_m / fmax(hi - lo, 1e-6);
    int rc = rows ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int r0 = 0; rc == 0 && r0 < ny; r0 += TILE) {
        int n = ny - r0 < TILE ? ny - r0 : TILE;
        for (size_t i = 0; i < (size_t)n * nx; i++)
            rows[i] = (int16_t)rint((z[(size_t)r0 * nx + i] - lo) * scale);
        if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, r0, nx, n, rows, nx, n,
                         GDT_Int16, 0, 0) != CE_None)
            rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", part, CPLGetLastErrorMsg());
    }
    free(rows);
    GDALFlushCache(ds);
    if (CPLGetLastErrorType() >= CE_Failure && rc == 0)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: %s", part, CPLGetLastErrorMsg());
    GDALClose(ds);
    return rc;
}

int terrain_demgen(const struct terrain_demgen *o, FILE *log, struct tc_error *err)
{
    double e[4] = {0, 0, 0, 0};
    if (extent_lonlat(o->map, e, err) != 0)
        return -1;
    double pad = o->pad_m / METRES_PER_DEG, dlat = o->cell_m / METRES_PER_DEG;
    e[0] -= pad, e[1] = fmax(e[1] - pad, -90), e[2] += pad, e[3] = fmin(e[3] + pad, 90);
    double dlon = dlat / fmax(cos(0.5 * (e[1] + e[3]) * M_PI / 180), 1e-3);
    double fx = ceil((e[2] - e[0]) / dlon), fy = ceil((e[3] - e[1]) / dlat);
    double bytes = fx * fy * sizeof(float);
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (!(fx * fy <= 4e9) || (have > 0 && bytes > 0.8 * have))
        return tc_fail(err, TC_EXIT_RESOURCE, "--cell-m %g over %s: %.0f x %.0f cells, %.1f GB "
                       "in memory; this machine has %.1f GB (raise --cell-m)", o->cell_m, o->map,
                       fx, fy, bytes / 1e9, have / 1e9);
    int nx = (int)fmax(fx, 1), ny = (int)fmax(fy, 1);
    struct octave oct[40];
    int n_oct = octaves_of(oct, 40, nx, ny, o->cell_m, o->seed);
    float *z = n_oct >= 0 ? malloc(sizeof *z * (size_t)nx * (size_t)ny) : NULL;
    int rc = z ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %d x %d cells", nx, ny);
    float lo = INFINITY, hi = -INFINITY;
    if (rc == 0) {
        /* Owner computes: row r's cells; min and max are exact, so the
         * reduction's order does not matter. */
        #pragma omp parallel for num_threads(o->threads > 0 ? o->threads : 1) \
            schedule(dynamic, 16) reduction(min : lo) reduction(max : hi)
        for (int r = 0; r < ny; r++) {
            float *zr = z + (size_t)r * nx;
            relief_row(oct, n_oct, nx, ny, r, zr);
            for (int c = 0; c < nx; c++)
                lo = zr[c] < lo ? zr[c] : lo, hi = zr[c] > hi ? zr[c] : hi;
        }
    }
    for (int k = 0; k < n_oct; k++)
        free(oct[k].g);
    char part[4200];
    snprintf(part, sizeof part, "%s.part", o->out);
    double gt[6] = {e[0], dlon, 0, e[3], 0, -dlat};
    if (rc == 0)
        rc = write_heights(o, part, z, nx, ny, gt, lo, hi, err);
    free(z);
    if (rc == 0 && rename(part, o->out) != 0)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot replace: %s", o->out, strerror(errno));
    if (rc != 0) {
        remove(part);
        return -1;
    }
    if (log)
        fprintf(log, "%s: %d x %d cells of %g m (lon/lat), heights 0-%g m, %d octaves, seed "
                "%llu\n", o->out, nx, ny, o->cell_m, o->relief_m, n_oct,
                (unsigned long long)o->seed);
    return 0;
}
