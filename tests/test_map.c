/* The map loader on valid-but-unusual and on broken shapefiles. */
#include <criterion/criterion.h>
#include <geodesic.h>
#include <iconv.h>
#include <math.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"

static char dir[256];
static char base[300];

/* A 0.2 x 0.2 degree square near Nanchang and a second one east of it,
 * as lon/lat rings (clockwise, as shapefiles want shells). */
static void square_ring(double lon0, double lat0, double d, double *x, double *y)
{
    double xs[] = {lon0, lon0, lon0 + d, lon0 + d, lon0};
    double ys[] = {lat0, lat0 + d, lat0 + d, lat0, lat0};
    memcpy(x, xs, sizeof xs);
    memcpy(y, ys, sizeof ys);
}

struct shape { int parts; int part_start[4]; int n; double x[64], y[64]; };

static void write_shapes(const char *prj, const char *cpg, const struct shape *s, int n,
                         const char *const *codes, const char *const *names)
{
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(base);
    DBFAddField(dbf, "code", FTString, 16, 0);
    DBFAddField(dbf, "name", FTString, 64, 0);
    DBFAddField(dbf, "county", FTString, 32, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    for (int i = 0; i < n; i++) {
        SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, s[i].parts, s[i].part_start, NULL, s[i].n,
                                       s[i].x, s[i].y, NULL, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, codes[i]);
        DBFWriteStringAttribute(dbf, i, 1, names[i]);
        DBFWriteStringAttribute(dbf, i, 2, "c");
        DBFWriteStringAttribute(dbf, i, 3, "town");
    }
    SHPClose(shp);
    DBFClose(dbf);
    char path[600];
    if (prj) {
        snprintf(path, sizeof path, "%s.prj", base);
        fx_write_text(path, prj);
    }
    if (cpg) {
        snprintf(path, sizeof path, "%s.cpg", base);
        fx_write_text(path, cpg);
    }
}

static const char *const two_codes[] = {"1", "2"};
static const char *const two_names[] = {"甲镇", "乙镇"};

static void two_squares(struct shape *s)
{
    memset(s, 0, 2 * sizeof *s);
    for (int i = 0; i < 2; i++) {
        s[i].parts = 1;
        s[i].n = 5;
        square_ring(115.8 + 0.2 * i, 28.6, 0.2, s[i].x, s[i].y);
    }
}

/* The loader's threads (the CRS is set up beside the records' reading
 * when there are two). */
static int load_threads = 2;

static struct tc_map *load(const char *extra_key, const char *value, struct tc_error *err)
{
    static struct scenario scn;
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    if (extra_key && strcmp(extra_key, "repair") == 0)
        scn.map.repair = atoi(value);
    if (extra_key && strcmp(extra_key, "assume_wgs84") == 0)
        scn.map.assume_wgs84 = atoi(value);
    if (extra_key && strcmp(extra_key, "encoding") == 0)
        snprintf(scn.map.encoding, sizeof scn.map.encoding, "%s", value);
    FILE *devnull = fopen("/dev/null", "w");
    struct tc_map *m = map_load(&scn.map, NULL, load_threads, devnull, err);
    fclose(devnull);
    return m;
}

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/map", dir);
}

/* Geodesic area (GeographicLib's C port, shipped with PROJ) of the lon/lat
 * square, its edges densified so they follow the parallels as the
 * shapefile's straight lon/lat edges do. */
static double geodesic_area(double lon0, double lat0, double d)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    double lons[400], lats[400];
    int k = 0;
    for (int i = 0; i < 100; i++, k++) { lons[k] = lon0; lats[k] = lat0 + d * i / 100; }
    for (int i = 0; i < 100; i++, k++) { lons[k] = lon0 + d * i / 100; lats[k] = lat0 + d; }
    for (int i = 0; i < 100; i++, k++) { lons[k] = lon0 + d; lats[k] = lat0 + d - d * i / 100; }
    for (int i = 0; i < 100; i++, k++) { lons[k] = lon0 + d - d * i / 100; lats[k] = lat0; }
    double area = 0;
    geod_polygonarea(&g, lats, lons, 400, &area, NULL);
    return fabs(area);
}

Test(map, lonlat_areas_agree_with_geodesic, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->n, 2);
    double want = geodesic_area(115.8, 28.6, 0.2);
    cr_assert(fabs(m->t[0].area_m2 - want) / want < 1e-4, "area %.1f vs geodesic %.1f",
              m->t[0].area_m2, want);
    cr_assert_str_eq(m->t[0].name, "甲镇");
    cr_assert_eq(m->t[0].kind, KIND_TOWN);
    map_free(&m);
    cr_assert_null(m);
}

/* The same squares in another CRS: every area must match the lon/lat map. */
static double area_in_crs(const char *crs_def, const char *prj_wkt_crs)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326", crs_def, NULL);
    PJ *tr = proj_normalize_for_visualization(ctx, raw);
    struct shape s[2];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 2; i++) {
        /* densified lon/lat ring (edges along parallels), then projected */
        double lon0 = 115.8 + 0.2 * i, lat0 = 28.6, d = 0.2;
        int k = 0;
        for (int j = 0; j < 10; j++, k++) { s[i].x[k] = lon0; s[i].y[k] = lat0 + d * j / 10; }
        for (int j = 0; j < 10; j++, k++) { s[i].x[k] = lon0 + d * j / 10; s[i].y[k] = lat0 + d; }
        for (int j = 0; j < 10; j++, k++) { s[i].x[k] = lon0 + d; s[i].y[k] = lat0 + d - d * j / 10; }
        for (int j = 0; j < 10; j++, k++) { s[i].x[k] = lon0 + d - d * j / 10; s[i].y[k] = lat0; }
        s[i].x[k] = s[i].x[0];
        s[i].y[k] = s[i].y[0];
        s[i].n = k + 1;
        s[i].parts = 1;
        proj_trans_generic(tr, PJ_FWD, s[i].x, sizeof(double), (size_t)s[i].n, s[i].y,
                           sizeof(double), (size_t)s[i].n, NULL, 0, 0, NULL, 0, 0);
    }
    PJ *crs = proj_create(ctx, prj_wkt_crs);
    const char *wkt = proj_as_wkt(ctx, crs, PJ_WKT1_ESRI, NULL);
    write_shapes(wkt, "UTF-8", s, 2, two_codes, two_names);
    proj_destroy(crs);
    proj_destroy(tr);
    proj_destroy(raw);
    proj_context_destroy(ctx);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    double area = m->t[0].area_m2;
    map_free(&m);
    return area;
}

Test(map, cgcs2000_and_gauss_kruger_give_the_same_areas, .init = setup)
{
    double wgs = area_in_crs("EPSG:4326", "EPSG:4326");
    double cgcs = area_in_crs("EPSG:4490", "EPSG:4490");
    /* CGCS2000 / 3-degree Gauss-Kruger CM 117E */
    double gk = area_in_crs("EPSG:4548", "EPSG:4548");
    cr_assert(fabs(cgcs - wgs) / wgs < 1e-6, "CGCS2000 %.1f vs WGS 84 %.1f", cgcs, wgs);
    cr_assert(fabs(gk - wgs) / wgs < 1e-4, "Gauss-Kruger %.1f vs lon/lat %.1f", gk, wgs);
}

static void gbk(const char *utf8, char *out, size_t size)
{
    iconv_t cd = iconv_open("GBK", "UTF-8");
    char *in = (char *)utf8, *o = out;
    size_t left = strlen(utf8), room = size - 1;
    iconv(cd, &in, &left, &o, &room);
    *o = '\0';
    iconv_close(cd);
}

Test(map, gbk_names_with_a_cpg_are_read_as_utf8, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    char a[64], b[64];
    gbk("甲镇", a, sizeof a);
    gbk("乙镇", b, sizeof b);
    const char *names[] = {a, b};
    write_shapes(NULL, "GBK", s, 2, two_codes, names);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, "甲镇");
    cr_assert_str_eq(m->t[1].name, "乙镇");
    map_free(&m);
    /* Without a .cpg nor a language driver (shapelib writes 0x57, "ANSI":
     * clear it), auto-detection: not UTF-8, so GBK. */
    char cpg[600];
    snprintf(cpg, sizeof cpg, "%s.cpg", base);
    remove(cpg);
    snprintf(cpg, sizeof cpg, "%s.dbf", base);
    FILE *f = fopen(cpg, "r+b");
    fseek(f, 29, SEEK_SET);
    fputc(0, f);
    fclose(f);
    snprintf(cpg, sizeof cpg, "%s.cpg", base);
    m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "乙镇");
    map_free(&m);
    /* A .cpg naming no encoding iconv knows is refused, clearly. */
    fx_write_text(cpg, "KLINGON-1");
    m = load(NULL, NULL, &err);
    cr_assert_null(m);
    cr_assert(strstr(err.msg, "unknown text encoding 'KLINGON-1'"), "%s", err.msg);
}

Test(map, missing_prj_is_wgs84_with_a_warning_or_refused, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, NULL, s, 2, two_codes, two_names);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    map_free(&m);
    m = load("assume_wgs84", "0", &err);
    cr_assert_null(m);
    cr_assert(strstr(err.msg, "map.prj: missing"), "%s", err.msg);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
}

Test(map, self_intersecting_polygon_is_repaired_or_refused, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    /* Township 2 becomes a bow tie. */
    double bx[] = {116.0, 116.2, 116.0, 116.2, 116.0}, by[] = {28.6, 28.8, 28.8, 28.6, 28.6};
    memcpy(s[1].x, bx, sizeof bx);
    memcpy(s[1].y, by, sizeof by);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->repaired, 1);
    /* MakeValid keeps both triangles of the bow tie: half the square. */
    double square = m->t[0].area_m2;
    cr_assert(fabs(m->t[1].area_m2 - square / 2) / square < 0.01, "%g vs %g", m->t[1].area_m2,
              square / 2);
    map_free(&m);
    m = load("repair", "0", &err);
    cr_assert_null(m);
    cr_assert(strstr(err.msg, "record 2 (FID 1) (code 2): invalid polygon: Self-intersection at (116.100000, 28.700000)"), "%s", err.msg);
}

static void expect_refusal(const char *words)
{
    struct tc_error err = {0};
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_null(m, "loaded a broken map (expected '%s')", words);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP, "exit %d for %s", err.exit_code, err.msg);
    cr_assert(strstr(err.msg, words), "'%s' lacks '%s'", err.msg, words);
    cr_assert(strstr(err.msg, dir), "'%s' does not name the file", err.msg);
}

Test(map, duplicate_codes, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    const char *codes[] = {"7", "7"};
    write_shapes(NULL, "UTF-8", s, 2, codes, two_names);
    expect_refusal("record 1 (FID 0) and record 2 (FID 1) have the same code 7");
}

Test(map, empty_code, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    const char *codes[] = {"1", " "};
    write_shapes(NULL, "UTF-8", s, 2, codes, two_names);
    expect_refusal("record 2 (FID 1): empty township code");
}

Test(map, nan_and_out_of_range_coordinates, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    s[1].x[2] = NAN;
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    expect_refusal("record 2 (FID 1): vertex 2 is not a number");
    setup();
    two_squares(s);
    s[0].y[1] = 95;
    write_shapes(shpio_wgs84_wkt, "UTF-8", s, 2, two_codes, two_names);
    expect_refusal("record 1 (FID 0)");
}

/* The CRS is set up beside the reading, the coordinates checked after:
 * still the first failure in record order, a bad CRS before any, at 1 and
 * 2 threads alike. */
Test(map, first_failure_in_record_order_whatever_the_threads, .init = setup)
{
    struct shape s[2];
    for (load_threads = 1; load_threads <= 2; load_threads++) {
        setup();
        two_squares(s);
        s[0].y[1] = 95; /* record 1: a vertex past the pole */
        const char *codes[] = {"1", " "}; /* record 2: no code */
        write_shapes(shpio_wgs84_wkt, "UTF-8", s, 2, codes, two_names);
        expect_refusal("record 1 (FID 0): vertex 1 (");
        setup();
        two_squares(s);
        s[1].y[1] = 95; /* now record 2's vertex: record 1 (no code) first */
        const char *codes1[] = {" ", "2"};
        write_shapes(shpio_wgs84_wkt, "UTF-8", s, 2, codes1, two_names);
        expect_refusal("record 1 (FID 0): empty township code");
        setup();
        two_squares(s);
        write_shapes("GEOGCS[nonsense", "UTF-8", s, 2, codes, two_names);
        expect_refusal("not a coordinate system PROJ can read");
    }
    load_threads = 2;
}

Test(map, empty_map_and_missing_files, .init = setup)
{
    write_shapes(NULL, "UTF-8", NULL, 0, NULL, NULL);
    expect_refusal("no records");
    char path[600];
    snprintf(path, sizeof path, "%s.dbf", base);
    remove(path);
    expect_refusal("map");
    snprintf(path, sizeof path, "%s.shp", base);
    remove(path);
    expect_refusal("map.shp: cannot open");
}

Test(map, shape_count_disagrees_with_dbf, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    DBFHandle dbf = DBFOpen(base, "rb+");
    DBFWriteStringAttribute(dbf, 2, 0, "3");
    DBFClose(dbf);
    expect_refusal("2 shapes but 3 attribute records");
}

Test(map, points_are_not_a_township_map, .init = setup)
{
    SHPHandle shp = SHPCreate(base, SHPT_POINT);
    double x = 116, y = 28;
    SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
    SHPWriteObject(shp, -1, o);
    SHPDestroyObject(o);
    SHPClose(shp);
    DBFHandle dbf = DBFCreate(base);
    DBFAddField(dbf, "code", FTString, 8, 0);
    DBFWriteStringAttribute(dbf, 0, 0, "1");
    DBFClose(dbf);
    expect_refusal("shape type is Point, not Polygon");
}

Test(map, null_shape, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    SHPHandle shp = SHPOpen(base, "rb+");
    SHPObject *o = SHPCreateSimpleObject(SHPT_NULL, 0, NULL, NULL, NULL);
    SHPWriteObject(shp, 1, o);
    SHPDestroyObject(o);
    SHPClose(shp);
    expect_refusal("record 2 (FID 1) (code 2): null shape");
}

Test(map, truncated_shp, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    char path[600];
    snprintf(path, sizeof path, "%s.shp", base);
    size_t len;
    char *data = fx_read_file(path, &len);
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len - 60, f);
    fclose(f);
    free(data);
    expect_refusal("record 2 (FID 1)");
}

Test(map, point_location, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    struct tc_error err;
    struct tc_map *m = load(NULL, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(m, ctx);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(map_locate(loc, m->t[i].seat_x, m->t[i].seat_y), i);
    cr_assert_eq(map_locate(loc, m->xmax + 10, m->ymax + 10), -1);
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    map_free(&m);
}

Test(map, dbf_header_claiming_billions_of_records, .init = setup)
{
    struct shape s[2];
    two_squares(s);
    write_shapes(NULL, "UTF-8", s, 2, two_codes, two_names);
    char path[600];
    snprintf(path, sizeof path, "%s.dbf", base);
    FILE *f = fopen(path, "r+b");
    unsigned char huge[4] = {0xff, 0xff, 0xff, 0x7f}; /* 2,147,483,647 records */
    fseek(f, 4, SEEK_SET);
    fwrite(huge, 1, 4, f);
    fclose(f);
    expect_refusal("claims 2147483647 records");
}
