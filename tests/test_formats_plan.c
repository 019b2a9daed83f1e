/* `towncov plan` in the vector formats (docs/formats.md): with [output]
 * format = gpkg or both, the plan's added_sites layer is in the plan
 * folder's towncov.gpkg (read back with OGR: the points in the map's CRS,
 * the attributes of the shapefile, its style as the default in
 * layer_styles, a spatial index) and plan.qgs opens it and the check run's
 * townships from check/towncov.gpkg, in QGIS itself (PyQGIS, headless);
 * format = gpkg leaves no added_sites shapefile. The PostGIS side is in
 * tests/postgis/roundtrip.sh. */
#include <criterion/criterion.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

#define SQUARE(x0, y0, x1, y1)                                                             \
    "POLYGON((" #x0 " " #y0 ", " #x1 " " #y0 ", " #x1 " " #y1 ", " #x0 " " #y1 ", " #x0 " " #y0 \
    "))"

static char dir[256];
static char out[1 << 16];

/* Two far-apart failing townships, one covered by the existing station. */
static const struct fx_township apart[] = {
    {"1", "西乡", "cw", "town", SQUARE(-10000, -2000, -6000, 2000), -8000, 0},
    {"2", "东镇", "ce", "town", SQUARE(6000, -2000, 10000, 2000), 8000, 0},
    {"3", "middle", "cm", "town", SQUARE(-2000, -2000, 2000, 2000), 0, 0}};

static const char *at(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void point_csv(const char *name, const char *prefix, const double *xy, int n)
{
    char csv[4096] = "id,lon,lat\n";
    for (int i = 0; i < n; i++) {
        double lon, lat;
        fx_to_lonlat(xy[2 * i], xy[2 * i + 1], &lon, &lat);
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%s%d,%.12f,%.12f\n", prefix,
                 i + 1, lon, lat);
    }
    fx_write_text(at(name), csv);
}

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    fx_write_map(at("map"), apart, 3);
    const double s[] = {0, 0}, c[] = {-8000, 0, 8000, 0, 0, 1500};
    point_csv("sites.csv", "s", s, 1);
    point_csv("cand.csv", "c", c, 3);
    fx_write_text(at("s.ini"), "[scenario]\nname = plan\n[map]\nfile = map.shp\n[sites]\n"
                               "strategy = file\nfile = sites.csv\n[radio]\nvertices = 64\n"
                               "radius_town_m = 1000\n[goal]\nseat_radius_town_m = 500\n");
}

TestSuite(formats_plan, .init = setup);

static int plan(const char *format)
{
    char args[2048];
    snprintf(args, sizeof args, "plan %s --out %s --candidates %s --quiet "
             "--set output.format=%s", at("s.ini"), at("plan"), at("cand.csv"), format);
    return fx_run(args, out, sizeof out);
}

static int exists(const char *name)
{
    struct stat st;
    return stat(at(name), &st) == 0;
}

/* One text value of the first row of an SQL query on the GeoPackage. */
static char *sql_text(GDALDatasetH ds, const char *sql)
{
    OGRLayerH l = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    cr_assert_not_null(l, "%s: %s", sql, CPLGetLastErrorMsg());
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    cr_assert_not_null(f, "%s: no row", sql);
    char *v = strdup(OGR_F_GetFieldAsString(f, 0));
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, l);
    return v;
}

Test(formats_plan, added_sites_in_the_gpkg_with_its_style)
{
    cr_assert_eq(plan("both"), 0, "%s", out);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(at("plan/towncov.gpkg"), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    cr_assert_not_null(ds, "no plan/towncov.gpkg: %s", out);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "added_sites");
    cr_assert_not_null(l, "no added_sites layer");
    cr_assert_eq(OGR_L_GetFeatureCount(l, TRUE), 2);
    cr_assert_eq(wkbFlatten(OGR_L_GetGeomType(l)), wkbPoint);
    /* as the shapefile: c1 at (-8000, 0) in the map's CRS, fixing township 1 */
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    cr_assert_not_null(f);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    cr_assert(g && fabs(OGR_G_GetX(g, 0) + 8000) < 1e-3 && fabs(OGR_G_GetY(g, 0)) < 1e-3);
    cr_assert_str_eq(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "id")), "c1");
    cr_assert_str_eq(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "code")), "1");
    cr_assert_str_eq(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "fixes")), "1");
    OGR_F_Destroy(f);
    char *qml = fx_read_file(at("plan/added_sites.qml"), NULL);
    cr_assert_not_null(qml);
    char *style = sql_text(ds, "SELECT styleQML FROM layer_styles WHERE f_table_name = "
                               "'added_sites' AND useAsDefault = 1");
    cr_assert_str_eq(style, qml, "the stored style is not the .qml");
    char *rtree = sql_text(ds, "SELECT count(*) FROM gpkg_extensions WHERE table_name = "
                               "'added_sites' AND extension_name = 'gpkg_rtree_index'");
    cr_assert_str_eq(rtree, "1", "no spatial index");
    free(qml);
    free(style);
    free(rtree);
    GDALClose(ds);
    char *qgs = fx_read_file(at("plan/plan.qgs"), NULL);
    cr_assert(qgs && strstr(qgs, "<datasource>./towncov.gpkg|layername=added_sites</datasource>") &&
                  strstr(qgs, "<datasource>./check/towncov.gpkg|layername=townships"
                              "</datasource>"),
              "plan.qgs is not on the GeoPackages");
    free(qgs);
    cr_assert(exists("plan/added_sites.shp") && exists("plan/check/townships.shp"),
              "format = both keeps the shapefiles");
}

Test(formats_plan, qgis_opens_the_plan_on_the_gpkg_only, .timeout = 180)
{
    cr_assert_eq(plan("gpkg"), 0, "%s", out);
    cr_assert(!exists("plan/added_sites.shp") && !exists("plan/added_sites.qml") &&
                  !exists("plan/check/townships.shp"),
              "format = gpkg left shapefiles");
    cr_assert(exists("plan/added_sites.csv"), "the CSV goes with every format");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "QT_QPA_PLATFORM=offscreen /usr/bin/python3 "
             "tests/check_qgs_projects.py %s 2>&1", at("plan/plan.qgs"));
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int rc = pclose(p);
    cr_assert(rc == 0 && strstr(out, "plan.qgs: 2 layers") && strstr(out, "\nok\n"),
              "QGIS: %s", out);
}

/* The plan's GeoPackage says which run wrote it, as the run's does: the
 * scenario planned, and the planned network as the check run judged it
 * (its summary.json's checksum, its GeoPackage's verdict). */
Test(formats_plan, the_plan_gpkg_names_its_run_in_towncov_run)
{
    cr_assert_eq(plan("both"), 0, "%s", out);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(at("plan/towncov.gpkg"), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    GDALDatasetH check = GDALOpenEx(at("plan/check/towncov.gpkg"),
                                    GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    cr_assert(ds && check, "%s", out);
    char *row = sql_text(ds, "SELECT scenario || '|' || scenario_file || '|' || seed || '|' || "
                             "townships || '|' || sites || '|' || (build LIKE 'towncov %') "
                             "FROM towncov_run");
    char want[1024];
    snprintf(want, sizeof want, "plan|%s|1|3|3|1", at("s.ini")); /* 1 existing + 2 added */
    cr_assert_str_eq(row, want);
    char *verdict = sql_text(ds, "SELECT verdict FROM towncov_run");
    char *check_verdict = sql_text(check, "SELECT verdict FROM towncov_run");
    cr_assert_str_eq(verdict, check_verdict);
    cr_assert_str_eq(verdict, "met", "the plan fixes both townships");
    char *sum = sql_text(ds, "SELECT checksum FROM towncov_run");
    char *summary = fx_read_file(at("plan/check/summary.json"), NULL), quoted[64];
    snprintf(quoted, sizeof quoted, "\"checksum\": \"%s\"", sum);
    cr_assert(summary && strlen(sum) == 16 && strstr(summary, quoted),
              "towncov_run's checksum %s is not the check run's", sum);
    free(row);
    free(verdict);
    free(check_verdict);
    free(sum);
    free(summary);
    GDALClose(ds);
    GDALClose(check);
}

/* One added station fixing ten townships whose codes are 25 bytes each
 * (CJK: 3 bytes a character): its fixes, 259 bytes, are whole in the
 * GeoPackage, and cut in the .dbf (dBase: 254 bytes at most) at a
 * character boundary, said once on stderr. Ten 200 m strips side by side,
 * their seats on the candidate's 1 km disc; the existing station far off. */
#define STRIP(c, x0, x1) {c "乡乡乡乡乡乡乡乡", c, "c1", "town", SQUARE(x0, -500, x1, 500), \
                          (x0 + x1) / 2.0, 0}
static const struct fx_township strips[] = {
    STRIP("A", -1000, -800), STRIP("B", -800, -600), STRIP("C", -600, -400),
    STRIP("D", -400, -200), STRIP("E", -200, 0), STRIP("F", 0, 200), STRIP("G", 200, 400),
    STRIP("H", 400, 600), STRIP("I", 600, 800), STRIP("J", 800, 1000),
    {"Z", "Z", "c2", "town", SQUARE(18000, -2000, 22000, 2000), 20000, 0}};

Test(formats_plan, long_fixes_whole_in_the_gpkg_and_cut_once_in_the_dbf)
{
    fx_write_map(at("map"), strips, 11);
    const double s[] = {20000, 0}, c[] = {0, 0};
    point_csv("sites.csv", "s", s, 1);
    point_csv("cand.csv", "c", c, 1);
    fx_write_text(at("s.ini"), "[scenario]\nname = plan\n[map]\nfile = map.shp\n[sites]\n"
                               "strategy = file\nfile = sites.csv\n[radio]\nvertices = 64\n"
                               "radius_town_m = 1000\n[goal]\nseat_radius_town_m = 60\n");
    cr_assert_eq(plan("both"), 0, "%s", out);
    char whole[512] = "";
    for (int i = 0; i < 10; i++)
        snprintf(whole + strlen(whole), sizeof whole - strlen(whole), "%s%s", i ? ";" : "",
                 strips[i].code);
    cr_assert_eq(strlen(whole), 259);
    const char *warn = strstr(out, "towncov: warning: added_sites.dbf: 1 'fixes' value longer "
                                   "than the dBase limit of 254 bytes cut at a character "
                                   "boundary");
    cr_assert(warn && !strstr(warn + 40, "'fixes' value"), "said once? %s", out);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(at("plan/towncov.gpkg"), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    cr_assert_not_null(ds);
    char *fixes = sql_text(ds, "SELECT fixes FROM added_sites");
    cr_assert_str_eq(fixes, whole, "the GeoPackage's fixes are not whole");
    free(fixes);
    GDALClose(ds);
    /* the .dbf: the longest prefix of whole that ends on a character and
     * fits 254 bytes: "J" is byte 234, its characters start at 235 + 3k */
    ds = GDALOpenEx(at("plan/added_sites.shp"), GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL,
                    NULL);
    cr_assert_not_null(ds);
    OGRFeatureH f = OGR_L_GetNextFeature(GDALDatasetGetLayer(ds, 0));
    cr_assert_not_null(f);
    const char *cut = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "fixes"));
    cr_assert_eq(strlen(cut), 253, "cut at %zu bytes", strlen(cut));
    cr_assert(strncmp(cut, whole, 253) == 0);
    OGR_F_Destroy(f);
    GDALClose(ds);
}
