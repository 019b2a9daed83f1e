/* shpio: ring nesting by containment (not orientation), bad rings,
 * orientation on write, write/read round trips, sidecar files. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <geos_c.h>
#include <shapefil.h>

#include "towncov/shpio.h"
#include "towncov/shplayer.h"

static GEOSContextHandle_t ctx;

static void setup(void)
{
    ctx = GEOS_init_r();
}

static void teardown(void)
{
    GEOS_finish_r(ctx);
}

TestSuite(shpio, .init = setup, .fini = teardown);

/* An axis-aligned square ring, counter-clockwise when ccw, else clockwise. */
static int square(double *x, double *y, double x0, double y0, double side, int ccw)
{
    double sx[5] = {x0, x0 + side, x0 + side, x0, x0};
    double sy[5] = {y0, y0, y0 + side, y0 + side, y0};
    for (int i = 0; i < 5; i++) {
        int k = ccw ? i : 4 - i;
        x[i] = sx[k];
        y[i] = sy[k];
    }
    return 5;
}

/* A polygon record from squares {x0, y0, side, ccw} in the given order. */
static SHPObject *record(const double (*sq)[4], int n)
{
    double x[64], y[64];
    int start[16], nv = 0;
    for (int i = 0; i < n; i++) {
        start[i] = nv;
        nv += square(x + nv, y + nv, sq[i][0], sq[i][1], sq[i][2], (int)sq[i][3]);
    }
    return SHPCreateObject(SHPT_POLYGON, 7, n, start, NULL, nv, x, y, NULL, NULL);
}

static double area(const GEOSGeometry *g)
{
    double a = -1;
    GEOSArea_r(ctx, g, &a);
    return a;
}

Test(shpio, hole_and_island_nested_by_containment)
{
    /* Every ring deliberately has the wrong orientation for its role. */
    const double sq[3][4] = {{0, 0, 10, 1}, {2, 2, 6, 0}, {4, 4, 2, 1}};
    SHPObject *o = record(sq, 3);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(GEOSGeomTypeId_r(ctx, g), GEOS_MULTIPOLYGON);
    cr_assert_eq(GEOSGetNumGeometries_r(ctx, g), 2);
    const GEOSGeometry *shell = GEOSGetGeometryN_r(ctx, g, 0);
    cr_assert_eq(GEOSGetNumInteriorRings_r(ctx, shell), 1, "the 6x6 ring is the hole");
    cr_assert_float_eq(area(g), 100.0 - 36.0 + 4.0, 1e-12);
    cr_assert_eq(GEOSisValid_r(ctx, g), 1);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

Test(shpio, ring_order_does_not_matter)
{
    const double sq[3][4] = {{4, 4, 2, 0}, {2, 2, 6, 1}, {0, 0, 10, 0}};
    SHPObject *o = record(sq, 3);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_float_eq(area(g), 68.0, 1e-12);
    cr_assert_eq(GEOSisValid_r(ctx, g), 1);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

Test(shpio, hole_touching_its_shell_at_a_vertex)
{
    /* A triangle hole with one vertex on the shell: still nested. */
    double x[9] = {0, 0, 4, 4, 0, 0, 2, 1, 0};
    double y[9] = {0, 4, 4, 0, 0, 2, 3, 1, 2};
    int start[2] = {0, 5};
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, 3, 2, start, NULL, 9, x, y, NULL, NULL);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(GEOSGeomTypeId_r(ctx, g), GEOS_POLYGON);
    cr_assert_eq(GEOSGetNumInteriorRings_r(ctx, g), 1);
    cr_assert_float_eq(area(g), 16.0 - 1.5, 1e-12);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

Test(shpio, two_shells_make_a_multipolygon)
{
    const double sq[2][4] = {{0, 0, 1, 0}, {5, 5, 2, 0}};
    SHPObject *o = record(sq, 2);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(GEOSGeomTypeId_r(ctx, g), GEOS_MULTIPOLYGON);
    cr_assert_eq(GEOSGetNumGeometries_r(ctx, g), 2);
    cr_assert_float_eq(area(g), 5.0, 1e-12);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

Test(shpio, unclosed_ring_is_closed)
{
    double x[4] = {0, 1, 1, 0}, y[4] = {0, 0, 1, 1};
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, 0, 0, NULL, NULL, 4, x, y, NULL, NULL);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_float_eq(area(g), 1.0, 1e-12);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

Test(shpio, degenerate_ring_is_an_error)
{
    double x[4] = {0, 1, 0, 0}, y[4] = {0, 1, 0, 0};
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, 12, 0, NULL, NULL, 4, x, y, NULL, NULL);
    struct tc_error err = {0};
    cr_assert_null(shpio_polygon_to_geos(ctx, o, NULL, &err));
    cr_assert(strstr(err.msg, "record 13 (FID 12): part 0 (a ring of 4 vertices) has 2 distinct points"), "%s", err.msg);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    SHPDestroyObject(o);
}

Test(shpio, nan_coordinate_is_an_error)
{
    double x[5] = {0, 1, 1, NAN, 0}, y[5] = {0, 0, 1, 1, 0};
    SHPObject *o = SHPCreateObject(SHPT_POLYGON, 4, 0, NULL, NULL, 5, x, y, NULL, NULL);
    struct tc_error err = {0};
    cr_assert_null(shpio_polygon_to_geos(ctx, o, NULL, &err));
    cr_assert(strstr(err.msg, "record 5 (FID 4): part 0 vertex 3") && strstr(err.msg, "finite"), "%s", err.msg);
    SHPDestroyObject(o);
}

Test(shpio, null_shape_is_an_empty_polygon)
{
    SHPObject *o = SHPCreateSimpleObject(SHPT_NULL, 0, NULL, NULL, NULL);
    struct tc_error err = {0};
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, o, NULL, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(GEOSisEmpty_r(ctx, g), 1);
    GEOSGeom_destroy_r(ctx, g);
    SHPDestroyObject(o);
}

static void tmpdir(char *buf, size_t size)
{
    snprintf(buf, size, "/tmp/towncov-shpio-XXXXXX");
    cr_assert_not_null(mkdtemp(buf));
}

static void rmtree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static GEOSGeometry *wkt(const char *text)
{
    GEOSWKTReader *r = GEOSWKTReader_create_r(ctx);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx, r, text);
    GEOSWKTReader_destroy_r(ctx, r);
    cr_assert_not_null(g, "bad WKT %s", text);
    return g;
}

/* Signed area of ring `part` of a record: negative when clockwise. */
static double part_area(const SHPObject *o, int part)
{
    int s = o->panPartStart[part], e = part + 1 < o->nParts ? o->panPartStart[part + 1] : o->nVertices;
    double a = 0;
    for (int i = s, j = e - 1; i < e; j = i++)
        a += (o->padfX[j] - o->padfX[i]) * (o->padfY[j] + o->padfY[i]);
    return a / 2;
}

Test(shpio, write_orients_rings_and_reads_back_equal)
{
    char dir[256], base[300];
    tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/t", dir);
    /* GEOS-style input: a counter-clockwise shell, a clockwise hole, and a
     * second part; plus an empty geometry (a null record). */
    const char *in[3] = {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 8, 8 8, 8 2, 2 2))",
                         "MULTIPOLYGON (((0 0, 0 1, 1 1, 1 0, 0 0)), ((3 3, 5 3, 4 5, 3 3)))",
                         "POLYGON EMPTY"};
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    cr_assert_not_null(shp);
    struct tc_error err = {0};
    for (int i = 0; i < 3; i++) {
        GEOSGeometry *g = wkt(in[i]);
        cr_assert_eq(shpio_write_polygon(ctx, shp, -1, g, &err), 0, "%s", err.msg);
        GEOSGeom_destroy_r(ctx, g);
    }
    SHPClose(shp);

    shp = SHPOpen(base, "rb");
    cr_assert_not_null(shp);
    for (int i = 0; i < 3; i++) {
        SHPObject *o = SHPReadObject(shp, i);
        cr_assert_not_null(o);
        if (i == 2) {
            cr_assert_eq(o->nSHPType, SHPT_NULL);
            SHPDestroyObject(o);
            continue;
        }
        cr_assert(part_area(o, 0) < 0, "shells are clockwise on disk");
        if (i == 0)
            cr_assert(part_area(o, 1) > 0, "holes are counter-clockwise on disk");
        GEOSGeometry *back = shpio_polygon_to_geos(ctx, o, NULL, &err);
        cr_assert_not_null(back, "%s", err.msg);
        GEOSGeometry *orig = wkt(in[i]);
        cr_assert_eq(GEOSEquals_r(ctx, back, orig), 1, "record %d changed", i);
        GEOSGeom_destroy_r(ctx, back);
        GEOSGeom_destroy_r(ctx, orig);
        SHPDestroyObject(o);
    }
    SHPClose(shp);
    rmtree(dir);
}

Test(shpio, write_rejects_non_polygons)
{
    char dir[256], base[300];
    tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/t", dir);
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    GEOSGeometry *g = wkt("LINESTRING (0 0, 1 1)");
    struct tc_error err = {0};
    cr_assert_neq(shpio_write_polygon(ctx, shp, -1, g, &err), 0);
    cr_assert_neq(err.msg[0], '\0');
    GEOSGeom_destroy_r(ctx, g);
    SHPClose(shp);
    rmtree(dir);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing %s", path);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(shpio, points_and_sidecars)
{
    char dir[256], base[300], path[320];
    tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/p", dir);
    SHPHandle shp = SHPCreate(base, SHPT_POINT);
    struct tc_error err = {0};
    cr_assert_eq(shpio_write_point(shp, 115.25, 28.5, &err), 0, "%s", err.msg);
    SHPClose(shp);
    shp = SHPOpen(base, "rb");
    SHPObject *o = SHPReadObject(shp, 0);
    cr_assert_eq(o->nSHPType, SHPT_POINT);
    cr_assert_eq(o->padfX[0], 115.25);
    cr_assert_eq(o->padfY[0], 28.5);
    SHPDestroyObject(o);
    SHPClose(shp);

    cr_assert_eq(shpio_write_sidecars(base, shpio_wgs84_wkt, &err), 0, "%s", err.msg);
    snprintf(path, sizeof path, "%s.prj", base);
    cr_assert_str_eq(slurp(path), shpio_wgs84_wkt);
    cr_assert(strstr(shpio_wgs84_wkt, "WGS_1984") != NULL);
    snprintf(path, sizeof path, "%s.cpg", base);
    cr_assert_str_eq(slurp(path), "UTF-8");
    rmtree(dir);
}

Test(shpio, sidecars_into_missing_folder_fail)
{
    struct tc_error err = {0};
    cr_assert_neq(shpio_write_sidecars("/nonexistent-towncov/x", shpio_wgs84_wkt, &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent-towncov/x.prj") != NULL, "%s", err.msg);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
}

/* The whole of a file (malloc'd), its size in *n. */
static unsigned char *file_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    cr_assert_not_null(b);
    *n = fread(b, 1, (size_t)len, f);
    fclose(f);
    return b;
}

/* shp_layer_double formats numbers itself (not through shapelib's
 * printf): the .dbf must hold the bytes shapelib's DBFWriteDoubleAttribute
 * writes, for every width and number of decimals, ties, signs, values
 * that round to zero, NaN, and values too wide for the field (which fail
 * both ways, cut the same). */
Test(shpio, layer_numbers_are_shapelibs_bytes)
{
    static const struct { const char *name; int width, decimals; } fields[] = {
        {"a", 19, 6}, {"b", 12, 3}, {"c", 10, 0}, {"d", 24, 15}, {"e", 6, 2}, {"f", 33, 12},
    };
    enum { NF = sizeof fields / sizeof fields[0] };
    static const double special[] = {0.0, -0.0, 0.125, 0.375, 2.5, -2.5, 1e-7, -1e-7,
                                     -0.0004, 123456.0005, 999.995, 1e15, -1e17, 1e300,
                                     NAN, 0.1, 1.0 / 3, 6378137.25};
    enum { NS = sizeof special / sizeof special[0], NREC = 400 };
    char dir[256], base[300], path[320];
    tmpdir(dir, sizeof dir);
    struct tc_error err = {0};
    struct shp_layer ly;
    cr_assert_eq(shp_layer_create(&ly, dir, "mine", SHPT_POINT, &err), 0, "%s", err.msg);
    snprintf(base, sizeof base, "%s/ref", dir);
    DBFHandle ref = DBFCreateEx(base, "UTF-8");
    cr_assert_not_null(ref);
    for (int k = 0; k < NF; k++) {
        cr_assert_eq(shp_layer_field(&ly, fields[k].name, FTDouble, fields[k].width,
                                     fields[k].decimals, &err), 0, "%s", err.msg);
        cr_assert_geq(DBFAddField(ref, fields[k].name, FTDouble, fields[k].width,
                                  fields[k].decimals), 0);
    }
    unsigned long long s = 12345;
    int failed = 0;
    for (int r = 0; r < NREC; r++) {
        cr_assert_eq(shpio_write_point(ly.shp, r, r, &err), 0, "%s", err.msg);
        for (int k = 0; k < NF; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) / 9007199254740992.0; /* [0, 1) */
            double v = r < NS ? special[r] : (u - 0.5) * pow(10, (int)(s % 19) - 6);
            if (r >= NS && s % 7 == 0) /* exact ties at the field's decimals */
                v = (floor(v * pow(10, fields[k].decimals)) + 0.5) / pow(10, fields[k].decimals);
            int want = DBFWriteDoubleAttribute(ref, r, k, v) ? 0 : -1;
            struct tc_error e2 = {0};
            int got = shp_layer_double(&ly, r, k, v, &e2);
            cr_assert_eq(got, want, "record %d field %s value %.17g: %d, shapelib %d", r,
                         fields[k].name, v, got, want);
            failed += want != 0;
        }
    }
    cr_assert_gt(failed, 0, "no value was too wide: the cut path went untested");
    DBFClose(ref);
    cr_assert_eq(shp_layer_close(&ly, 0, shpio_wgs84_wkt, &err), 0, "%s", err.msg);
    size_t na, nb;
    snprintf(path, sizeof path, "%s/mine.dbf", dir);
    unsigned char *a = file_bytes(path, &na);
    snprintf(path, sizeof path, "%s.dbf", base);
    unsigned char *b = file_bytes(path, &nb);
    cr_assert_eq(na, nb, "sizes %zu and %zu", na, nb);
    size_t i = 0;
    while (i < na && a[i] == b[i])
        i++;
    cr_assert_eq(i, na, "first difference at byte %zu", i);
    free(a);
    free(b);
    rmtree(dir);
}
