/* Maps read through GDAL/OGR (docs/formats.md): the same map as GeoJSON,
 * FlatGeobuf and GeoPackage gives the shapefile's per-township results byte
 * for byte; a GeoPackage holding several layers needs map.layer; a long
 * layer name is kept whole; broken sources give one located error and no
 * output. The copies are made with GDAL's own ogr2ogr. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, fx_grid4, 4);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = formats\nseed = 11\n[map]\nfile = map.shp\n"
                        "[sites]\nstrategy = weighted\ncount = 400\n[radio]\nvertices = 32\n"
                        "[raster]\nresolution_m = 0\n");
}

static void sh(const char *fmt, const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* towncov run on s.ini into out-NAME with extra arguments; the status. */
static int run(const char *name, const char *more)
{
    char args[4096];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --threads 2 --out %s/out-%s %s", dir, dir,
             name, more);
    return fx_run(args, out, sizeof out);
}

static int exists(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void assert_same_results(const char *name)
{
    const char *files[] = {"townships.csv", "sites.csv"};
    for (int i = 0; i < 2; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/out-shp/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/out-%s/%s", dir, name, files[i]);
        cr_assert(fx_same_file(a, b), "%s differs from the shapefile's (%s)", b, name);
    }
}

TestSuite(formats_in, .init = setup);

/* name: format's file extension; from: the shapefile copied (map, or
 * map_ll, its lon/lat copy: GeoJSON holds only an authority's CRS). */
static void assert_copy_gives_same(const char *driver, const char *ext, const char *from)
{
    char cmd[1024], more[512], ref[64];
    snprintf(ref, sizeof ref, "ref-%s", from);
    snprintf(more, sizeof more, "--set map.file=%s.shp", from);
    cr_assert_eq(run(ref, more), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "ogr2ogr -f %s -nlt PROMOTE_TO_MULTI %s/copy.%s %s/%s.shp", driver,
             dir, ext, dir, from);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(more, sizeof more, "--set map.file=copy.%s", ext);
    cr_assert_eq(run(ext, more), 0, "%s: %s", ext, out);
    const char *files[] = {"townships.csv", "sites.csv"};
    for (int i = 0; i < 2; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/out-%s/%s", dir, ref, files[i]);
        snprintf(b, sizeof b, "%s/out-%s/%s", dir, ext, files[i]);
        cr_assert(fx_same_file(a, b), "%s differs from the shapefile's", b);
    }
}

Test(formats_in, geojson_flatgeobuf_and_gpkg_give_the_shapefiles_results)
{
    assert_copy_gives_same("FlatGeobuf", "fgb", "map");
    assert_copy_gives_same("GPKG", "gpkg", "map");
    sh("ogr2ogr -lco ENCODING=UTF-8 -t_srs EPSG:4326 %s/map_ll.shp %s/map.shp", dir, dir);
    assert_copy_gives_same("GeoJSON", "geojson", "map_ll");
}

Test(formats_in, gpkg_with_two_layers_and_no_layer_key_names_both)
{
    sh("ogr2ogr -f GPKG -nln alpha %s/two.gpkg %s/map.shp", dir, dir);
    sh("ogr2ogr -update -nln beta %s/two.gpkg %s/map.shp", dir, dir);
    cr_assert_eq(run("two", "--set map.file=two.gpkg"), 4, "%s", out);
    cr_assert(strstr(out, "two.gpkg: holds 2 layers ('alpha', 'beta'): name one with map.layer"),
              "%s", out);
    cr_assert_not(exists("out-two"), "a failed run left output");
    cr_assert_eq(run("shp", ""), 0, "%s", out);
    cr_assert_eq(run("beta", "--set map.file=two.gpkg --set map.layer=beta"), 0, "%s", out);
    assert_same_results("beta");
    cr_assert_eq(run("gamma", "--set map.file=two.gpkg --set map.layer=gamma"), 4, "%s", out);
    cr_assert(strstr(out, "no layer 'gamma'; it holds 'alpha', 'beta'"), "%s", out);
}

Test(formats_in, a_300_character_layer_name_is_kept_whole)
{
    char name[301];
    memset(name, 'L', 300);
    memcpy(name, "乡镇", 6); /* a name in UTF-8, not only ASCII */
    name[300] = '\0';
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "ogr2ogr -f GPKG -nln '%s' %s/long.gpkg %s/map.shp", name, dir,
             dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run("long", "--set map.file=long.gpkg"), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out-long/summary.json", dir);
    char *json = fx_read_file(path, NULL);
    cr_assert_not_null(json);
    cr_assert(strstr(json, name), "the layer name is not whole in summary.json");
    free(json);
    char more[1024];
    snprintf(more, sizeof more, "--set map.file=long.gpkg --set 'map.layer=%s'", name);
    cr_assert_eq(run("long2", more), 0, "%s", out);
}

Test(formats_in, a_truncated_gpkg_is_a_located_error_with_no_output)
{
    sh("ogr2ogr -f GPKG %s/cut.gpkg %s/map.shp", dir, dir);
    char path[512];
    snprintf(path, sizeof path, "%s/cut.gpkg", dir);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 3), 0);
    cr_assert_eq(run("cut", "--set map.file=cut.gpkg"), 4, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, "cut.gpkg"), "%s", out);
    cr_assert_not(exists("out-cut"), "a failed run left output");
}

Test(formats_in, a_geojson_with_a_line_is_a_located_error_with_no_output)
{
    char path[512];
    snprintf(path, sizeof path, "%s/mixed.geojson", dir);
    double lon, lat;
    fx_to_lonlat(20000, 20000, &lon, &lat);
    char text[2048];
    snprintf(text, sizeof text,
             "{\"type\": \"FeatureCollection\", \"features\": ["
             "{\"type\": \"Feature\", \"id\": 7, \"properties\": {\"code\": \"1\", \"name\": \"a\"}, "
             "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [%.6f, 0], "
             "[%.6f, %.6f], [0, %.6f], [0, 0]]]}},"
             "{\"type\": \"Feature\", \"id\": 9, \"properties\": {\"code\": \"2\", \"name\": \"b\"}, "
             "\"geometry\": {\"type\": \"LineString\", \"coordinates\": [[0, 0], [%.6f, %.6f]]}}"
             "]}\n", lon, lon, lat, lat, lon, lat);
    fx_write_text(path, text);
    cr_assert_eq(run("mixed", "--set map.file=mixed.geojson"), 4, "%s", out);
    cr_assert(strstr(out, "mixed.geojson, layer 'mixed': feature 2 (FID 9): the geometry is a "
                          "Line String, not a polygon"), "%s", out);
    cr_assert_not(exists("out-mixed"), "a failed run left output");
}

/* A sites file that is a point layer: the same stations as the CSV give
 * the same results; a bad feature is named by its FID. */
Test(formats_in, sites_from_a_point_layer_as_from_the_csv)
{
    char path[512], csv[1024] = "id,lon,lat,height_m\n";
    const double xy[][2] = {{-9000, -9000}, {8000, -7000}, {-5000, 12000}, {15000, 15000}};
    for (int i = 0; i < 4; i++) {
        double lon, lat;
        fx_to_lonlat(xy[i][0], xy[i][1], &lon, &lat);
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "s%d,%.12f,%.12f,%d\n", i + 1,
                 lon, lat, 30 + i);
    }
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    fx_write_text(path, csv);
    sh("ogr2ogr -f GeoJSON -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 "
       "%s/sites.geojson %s/sites.csv", dir, dir);
    cr_assert_eq(run("csv", "--set sites.strategy=file --set sites.file=sites.csv"), 0, "%s",
                 out);
    cr_assert_eq(run("layer", "--set sites.strategy=file --set sites.file=sites.geojson"), 0,
                 "%s", out);
    const char *files[] = {"townships.csv", "sites.csv"};
    for (int i = 0; i < 2; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/out-csv/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/out-layer/%s", dir, files[i]);
        cr_assert(fx_same_file(a, b), "%s differs from the CSV's", b);
    }
    snprintf(path, sizeof path, "%s/bad.geojson", dir);
    fx_write_text(path, "{\"type\": \"FeatureCollection\", \"features\": ["
                        "{\"type\": \"Feature\", \"id\": 4, \"properties\": {\"id\": \"a\"}, "
                        "\"geometry\": {\"type\": \"Point\", \"coordinates\": [0.01, 0.01]}},"
                        "{\"type\": \"Feature\", \"id\": 6, \"properties\": {\"id\": \"\"}, "
                        "\"geometry\": {\"type\": \"Point\", \"coordinates\": [0.02, 0.02]}}]}\n");
    cr_assert_eq(run("bad", "--set sites.strategy=file --set sites.file=bad.geojson"), 5, "%s",
                 out);
    cr_assert(strstr(out, "bad.geojson, layer 'bad': feature 2 (FID 6): empty site id"), "%s",
              out);
    cr_assert_not(exists("out-bad"), "a failed run left output");
}
