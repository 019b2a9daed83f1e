/* test_demgen.c — `towncov demgen`: a synthetic DEM over a map's extent,
 * byte-identical for the same seed on any thread count, heights spanning
 * 0 .. relief on a lon/lat grid that covers the map and its pad, usable
 * as a run's [terrain] dem; bad arguments and inputs fail with their
 * documented status and leave no file. */
#include <criterion/criterion.h>

#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 14];

/* A 30 km square township around the fixture's origin. */
static const struct fx_township square[] = {
    {"1", "sq", "c", "township",
     "POLYGON((-15000 -15000, 15000 -15000, 15000 15000, -15000 15000, -15000 -15000))", 0, 0},
};

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, square, 1);
}

static int demgen(const char *name, const char *more)
{
    char args[1024];
    snprintf(args, sizeof args, "demgen %s/map.shp --out %s/%s -q %s", dir, dir, name, more);
    return fx_run(args, out, sizeof out);
}

static char *path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

Test(demgen, same_seed_same_bytes_on_any_thread_count)
{
    setup();
    cr_assert_eq(demgen("a.tif", "--cell-m 90 --seed 7 --threads 1"), 0, "%s", out);
    cr_assert_eq(demgen("b.tif", "--cell-m 90 --seed 7 --threads 2"), 0, "%s", out);
    cr_assert_eq(demgen("c.tif", "--cell-m 90 --seed 8 --threads 2"), 0, "%s", out);
    char a[512];
    snprintf(a, sizeof a, "%s", path_of("a.tif"));
    cr_assert(fx_same_file(a, path_of("b.tif")), "threads change the file");
    cr_assert(!fx_same_file(a, path_of("c.tif")), "the seed changes nothing");
}

Test(demgen, relief_spans_zero_to_relief_over_the_map_and_its_pad)
{
    setup();
    cr_assert_eq(demgen("d.tif", "--cell-m 100 --relief-m 1200 --pad-m 5000"), 0, "%s", out);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path_of("d.tif"), GA_ReadOnly);
    cr_assert_not_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    const char *code = OSRGetAuthorityCode(srs, NULL);
    cr_assert(code && strcmp(code, "4326") == 0, "not EPSG:4326: %s", GDALGetProjectionRef(ds));
    OSRDestroySpatialReference(srs);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    /* the map's +-15 km and the 5 km pad: about +-0.1806 degrees of
     * latitude and longitude about (0, 0), to within a cell */
    double edge = 15000 / 110574.0 + 5000 / 111320.0, cell = 100 / 111320.0;
    cr_assert(fabs(-gt[5] * 111320 - 100) < 1e-6, "cell %.4f m north-south", -gt[5] * 111320);
    cr_assert(fabs(gt[3] - edge) < 1e-3, "north edge %.5f", gt[3]);
    cr_assert(fabs(gt[3] + h * gt[5] + edge) < 1e-3 + cell, "south edge %.5f", gt[3] + h * gt[5]);
    cr_assert(fabs(gt[0] + edge) < 1e-3 && fabs(gt[0] + w * gt[1] - edge) < 1e-3 + cell,
              "west %.5f east %.5f", gt[0], gt[0] + w * gt[1]);
    double *z = malloc(sizeof *z * (size_t)w * (size_t)h);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    cr_assert_eq(GDALGetRasterDataType(b), GDT_Int16);
    cr_assert_eq(GDALRasterIO(b, GF_Read, 0, 0, w, h, z, w, h, GDT_Float64, 0, 0), CE_None);
    double lo = INFINITY, hi = -INFINITY, rough = 0;
    for (long i = 0; i < (long)w * h; i++) {
        lo = fmin(lo, z[i]), hi = fmax(hi, z[i]);
        if (i % w)
            rough = fmax(rough, fabs(z[i] - z[i - 1]));
    }
    cr_assert_eq(lo, 0);
    cr_assert_eq(hi, 1200);
    cr_assert(rough > 5 && rough < 600, "relief, not noise: steepest step %.0f m a cell", rough);
    free(z);
    GDALClose(ds);
}

Test(demgen, a_run_over_the_generated_dem)
{
    setup();
    cr_assert_eq(demgen("dem.tif", "--cell-m 90"), 0, "%s", out);
    fx_write_text(path_of("sites.csv"), "id,lon,lat\ns1,0,0\ns2,0.05,0.03\n");
    fx_write_text(path_of("s.ini"),
                  "[scenario]\nname = d\n[map]\nfile = map.shp\n[sites]\nstrategy = file\n"
                  "file = sites.csv\n[radio]\nmodel = link\n[raster]\nresolution_m = 0\n"
                  "[output]\nlayers = no\npicture = no\n[terrain]\nmodel = delta-bullington\n"
                  "dem = dem.tif\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/o", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert_null(strstr(out, "warning"), "the DEM covers every profile: %s", out);
}

Test(demgen, bad_arguments_and_inputs)
{
    setup();
    cr_assert_eq(demgen("x.tif", "--cell-m 0"), 2, "%s", out);
    cr_assert(strstr(out, "towncov: error: demgen: --cell-m"), "%s", out);
    char args[1024];
    snprintf(args, sizeof args, "demgen %s/map.shp", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "--out"), "%s", out);
    snprintf(args, sizeof args, "demgen %s/nothere.shp --out %s/y.tif", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, "nothere.shp"), "%s", out);
    cr_assert_eq(demgen("no/such/folder/z.tif", ""), 7, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, "z.tif"), "%s", out);
    cr_assert_eq(demgen("huge.tif", "--cell-m 1 --pad-m 1000000"), 6, "%s", out);
    cr_assert(strstr(out, "--cell-m"), "%s", out);
    cr_assert_null(fopen(path_of("huge.tif"), "r"));
    cr_assert_null(fopen(path_of("x.tif"), "r"));
}
