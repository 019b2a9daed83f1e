/* mapgen: a tiny province written with shapelib in a temporary folder
 * (a square county, an L-shaped one, one with a hole, a multipart one with a
 * sliver, a one-township county and a pinched, invalid one like the real
 * source data), built and read back: counts, attributes, tiling, seats,
 * seat areas (and a run fed them), validity, determinism, bad input, the
 * output folder, the command line. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <geos_c.h>
#include <shapefil.h>

#include "../sim/cli/cli.h"
#include "fixture.h"
#include "towncov/mapgen.h"
#include "towncov/seat.h"
#include "towncov/shpio.h"

static GEOSContextHandle_t ctx;

static void setup(void)
{
    ctx = GEOS_init_r();
}

static void teardown(void)
{
    GEOS_finish_r(ctx);
}

TestSuite(mapgen, .init = setup, .fini = teardown, .timeout = 120);

/* ---- the fixture ------------------------------------------------------------ */

struct ring {
    int n;
    double xy[24];
};

struct fx_county {
    const char *code, *name;
    int townships;        /* the attribute */
    int nrings;
    struct ring rings[3];
};

#define BOX(x0, y0, x1, y1) {5, {x0, y0, x0, y1, x1, y1, x1, y0, x0, y0}}

/* Lon/lat degrees near 115E 28N; a 0.1-degree square is about 110 km2. */
static const struct fx_county counties[] = {
    {"360101", "东湖区", 5, 1, {BOX(115.0, 28.0, 115.2, 28.2)}},
    {"360102", "L County", 4, 1,
     {{7, {115.2, 28.0, 115.2, 28.1, 115.4, 28.1, 115.4, 28.3, 115.5, 28.3, 115.5, 28.0,
           115.2, 28.0}}}},
    {"360103", "Holey County", 3, 2,
     {BOX(115.0, 28.2, 115.3, 28.5), BOX(115.1, 28.3, 115.15, 28.35)}},
    {"360104", "Two Parts", 3, 3,
     {BOX(115.6, 28.0, 115.75, 28.15), BOX(115.8, 28.2, 115.9, 28.3),
      BOX(115.95, 28.0, 115.952, 28.002)}}, /* the last: a 0.05 km2 sliver */
    {"360105", "One Town", 1, 1, {BOX(115.3, 28.1, 115.4, 28.2)}},
    /* Two squares touching at (115.7, 28.4), drawn as one ring with a spike:
     * invalid, as every county of the real source is. */
    {"360106", "Pinched", 2, 1,
     {{11, {115.6, 28.3, 115.6, 28.4, 115.7, 28.4, 115.7, 28.5, 115.8, 28.5, 115.8, 28.4,
            115.7, 28.4, 115.7, 28.3, 115.65, 28.3, 115.65, 28.25, 115.6, 28.3}}}},
};
#define NC ((int)(sizeof counties / sizeof counties[0]))

static const char csv_text[] =
    "code,name,county_code,kind\n"
    "360101001,滕王阁街道,360101,subdistrict\n"
    "360101002,百花洲街道,360101,subdistrict\n"
    "360101100,East Town,360101,town\n"
    "360101101,West Town,360101,town\n"
    "360101200,Hill Township,360101,township\n"
    "360102100,L1,360102,town\n"
    "360102200,L2,360102,township\n"
    "360102201,L3,360102,township\n"
    "360102400,\"Farm, L\",360102,special\n"
    "360103100,H1,360103,town\n"
    "360103101,H2,360103,town\n"
    "360103200,H3,360103,township\n"
    "360104100,P1,360104,town\n"
    "360104200,P2,360104,township\n"
    "360104201,P3,360104,township\n"
    "360105400,Only,360105,special\n"
    "360106100,Pin1,360106,town\n"
    "360106200,Pin2,360106,township\n";
#define NT 18

struct fx {
    char dir[128], shp[192], csv[192], out[192];
};

/* base.shp/.dbf of n rectangular counties in lon/lat (or not): box[i] is
 * x0, y0, x1, y1; each county's name is its code. */
static void write_boxes(const char *base, int n, const char *const *codes,
                        const double (*box)[4])
{
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 12, 0);
    DBFAddField(dbf, "name", FTString, 40, 0);
    for (int i = 0; i < n; i++) { /* clockwise: a shapefile's outer ring */
        const double *b = box[i];
        double x[] = {b[0], b[0], b[2], b[2], b[0]}, y[] = {b[1], b[3], b[3], b[1], b[1]};
        SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, 5, x, y, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, codes[i]);
        DBFWriteStringAttribute(dbf, i, 1, codes[i]);
    }
    DBFClose(dbf);
    SHPClose(shp);
}

/* counties.shp with `count_of_first` as the first county's townships
 * attribute (to provoke a mismatch). */
static void write_counties(const char *base, int count_of_first)
{
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 12, 0);
    DBFAddField(dbf, "name", FTString, 40, 0);
    DBFAddField(dbf, "city", FTString, 20, 0);
    DBFAddField(dbf, "townships", FTInteger, 4, 0);
    for (int i = 0; i < NC; i++) {
        const struct fx_county *c = &counties[i];
        double x[64], y[64];
        int start[3], nv = 0;
        for (int r = 0; r < c->nrings; r++) {
            start[r] = nv;
            for (int k = 0; k < c->rings[r].n; k++, nv++) {
                x[nv] = c->rings[r].xy[2 * k];
                y[nv] = c->rings[r].xy[2 * k + 1];
            }
        }
        SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, c->nrings, start, NULL, nv, x, y, NULL,
                                       NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, c->code);
        DBFWriteStringAttribute(dbf, i, 1, c->name);
        DBFWriteStringAttribute(dbf, i, 2, "Test City");
        DBFWriteIntegerAttribute(dbf, i, 3, i == 0 ? count_of_first : c->townships);
    }
    DBFClose(dbf);
    SHPClose(shp);
}

static void fx_make(struct fx *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/towncov-mapgen-XXXXXX");
    cr_assert_not_null(mkdtemp(f->dir));
    snprintf(f->shp, sizeof f->shp, "%s/counties.shp", f->dir);
    snprintf(f->csv, sizeof f->csv, "%s/townships.csv", f->dir);
    snprintf(f->out, sizeof f->out, "%s/map", f->dir);
    char base[192];
    snprintf(base, sizeof base, "%s/counties", f->dir);
    write_counties(base, counties[0].townships);
    fx_write_text(f->csv, csv_text);
}

static void fx_clean(struct fx *f)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    cr_assert_eq(system(cmd), 0);
}

static int build(const struct fx *f, const char *out, uint64_t seed, int threads,
                 struct mapgen_report *rep, struct tc_error *err)
{
    struct mapgen_options o = {.counties_shp = f->shp, .townships_csv = f->csv,
                               .out_dir = out, .seed = seed, .threads = threads};
    return mapgen_build(&o, rep, err);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- reading the output back ---------------------------------------------- */

struct twp {
    char code[32], name[64], county[64], cnty_code[16], city[32], kind[16];
    double seat_lon, seat_lat, area_km2;
    GEOSGeometry *g;
};

static int read_townships(const char *out, struct twp *t, int max)
{
    char base[256];
    snprintf(base, sizeof base, "%s/townships", out);
    SHPHandle shp = SHPOpen(base, "rb");
    DBFHandle dbf = DBFOpen(base, "rb");
    cr_assert(shp && dbf, "cannot open %s", base);
    int n = DBFGetRecordCount(dbf);
    cr_assert_leq(n, max);
    const char *names[9] = {"code", "name", "county", "cnty_code", "city", "kind",
                            "seat_lon", "seat_lat", "area_km2"};
    int fi[9];
    for (int k = 0; k < 9; k++) {
        fi[k] = DBFGetFieldIndex(dbf, names[k]);
        cr_assert_geq(fi[k], 0, "no field %s", names[k]);
    }
    for (int i = 0; i < n; i++) {
        snprintf(t[i].code, sizeof t[i].code, "%s", DBFReadStringAttribute(dbf, i, fi[0]));
        snprintf(t[i].name, sizeof t[i].name, "%s", DBFReadStringAttribute(dbf, i, fi[1]));
        snprintf(t[i].county, sizeof t[i].county, "%s", DBFReadStringAttribute(dbf, i, fi[2]));
        snprintf(t[i].cnty_code, sizeof t[i].cnty_code, "%s",
                 DBFReadStringAttribute(dbf, i, fi[3]));
        snprintf(t[i].city, sizeof t[i].city, "%s", DBFReadStringAttribute(dbf, i, fi[4]));
        snprintf(t[i].kind, sizeof t[i].kind, "%s", DBFReadStringAttribute(dbf, i, fi[5]));
        t[i].seat_lon = DBFReadDoubleAttribute(dbf, i, fi[6]);
        t[i].seat_lat = DBFReadDoubleAttribute(dbf, i, fi[7]);
        t[i].area_km2 = DBFReadDoubleAttribute(dbf, i, fi[8]);
        SHPObject *o = SHPReadObject(shp, i);
        struct tc_error err = {0};
        t[i].g = shpio_polygon_to_geos(ctx, o, NULL, &err);
        cr_assert_not_null(t[i].g, "%s", err.msg);
        SHPDestroyObject(o);
    }
    DBFClose(dbf);
    SHPClose(shp);
    return n;
}

static void free_townships(struct twp *t, int n)
{
    for (int i = 0; i < n; i++)
        GEOSGeom_destroy_r(ctx, t[i].g);
}

/* The cleaned county polygon of `code` from counties.shp. */
static GEOSGeometry *read_county(const char *out, const char *code)
{
    char base[256];
    snprintf(base, sizeof base, "%s/counties", out);
    SHPHandle shp = SHPOpen(base, "rb");
    DBFHandle dbf = DBFOpen(base, "rb");
    cr_assert(shp && dbf);
    GEOSGeometry *g = NULL;
    for (int i = 0; i < DBFGetRecordCount(dbf) && !g; i++)
        if (strcmp(DBFReadStringAttribute(dbf, i, DBFGetFieldIndex(dbf, "code")), code) == 0) {
            SHPObject *o = SHPReadObject(shp, i);
            struct tc_error err = {0};
            g = shpio_polygon_to_geos(ctx, o, NULL, &err);
            SHPDestroyObject(o);
        }
    DBFClose(dbf);
    SHPClose(shp);
    cr_assert_not_null(g, "county %s not in counties.shp", code);
    return g;
}

static double area(const GEOSGeometry *g)
{
    double a = 0;
    GEOSArea_r(ctx, g, &a);
    return a;
}

static int covers_point(const GEOSGeometry *g, double x, double y)
{
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ctx, x, y);
    int in = GEOSContains_r(ctx, g, p) == 1;
    GEOSGeom_destroy_r(ctx, p);
    return in;
}

/* ---- tests -------------------------------------------------------------------- */

Test(mapgen, builds_the_tiny_province)
{
    struct fx f;
    fx_make(&f);
    struct mapgen_report rep = {0};
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 2, &rep, &err), 0, "%s", err.msg);
    cr_assert_eq(rep.counties, NC);
    cr_assert_eq(rep.townships, NT);
    cr_assert_geq(rep.invalid_counties, 1, "the pinched county needed MakeValid");
    cr_assert_geq(rep.parts_dropped, 1, "the sliver of Two Parts was dropped");
    cr_assert_lt(rep.max_tiling_error, 1e-9);

    struct twp t[NT + 1];
    int n = read_townships(f.out, t, NT + 1);
    cr_assert_eq(n, NT);
    /* Sorted by code, every CSV row present with its attributes. */
    char *csv = strdup(csv_text);
    int row = 0;
    for (char *line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
        if (row++ == 0)
            continue;
        const struct twp *r = &t[row - 2];
        char want[128];
        snprintf(want, sizeof want, "%s,", r->code);
        cr_assert(strncmp(line, want, strlen(want)) == 0, "row %d: %s vs %s", row, line, r->code);
        snprintf(want, sizeof want, ",%s", r->kind);
        cr_assert_str_eq(line + strlen(line) - strlen(want), want, "kind of %s", r->code);
        cr_assert(strncmp(r->cnty_code, r->code, 6) == 0);
        cr_assert_str_eq(r->city, "Test City");
    }
    free(csv);
    cr_assert_str_eq(t[0].name, "滕王阁街道");
    cr_assert_str_eq(t[0].county, "东湖区");
    cr_assert_str_eq(t[0].kind, "subdistrict");
    cr_assert_str_eq(t[8].name, "Farm, L");
    cr_assert_str_eq(t[8].kind, "special");
    for (int i = 0; i < n; i++) {
        cr_assert_eq(GEOSisValid_r(ctx, t[i].g), 1, "%s invalid", t[i].code);
        cr_assert(covers_point(t[i].g, t[i].seat_lon, t[i].seat_lat), "seat of %s outside",
                  t[i].code);
        cr_assert(t[i].area_km2 > 1 && t[i].area_km2 < 1000, "area of %s", t[i].code);
    }
    /* Each county is tiled: areas add up, nothing overlaps. */
    for (int c = 0; c < NC; c++) {
        GEOSGeometry *cg = read_county(f.out, counties[c].code);
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(t[i].cnty_code, counties[c].code) != 0)
                continue;
            count++;
            sum += area(t[i].g);
            for (int j = i + 1; j < n; j++) {
                if (strcmp(t[j].cnty_code, counties[c].code) != 0)
                    continue;
                GEOSGeometry *x = GEOSIntersection_r(ctx, t[i].g, t[j].g);
                cr_assert_lt(area(x), 1e-12 * area(cg), "%s overlaps %s", t[i].code, t[j].code);
                GEOSGeom_destroy_r(ctx, x);
            }
        }
        cr_assert_eq(count, counties[c].townships, "townships of %s", counties[c].code);
        cr_assert_float_eq(sum, area(cg), 1e-6 * area(cg), "tiling of %s", counties[c].code);
        GEOSGeom_destroy_r(ctx, cg);
    }
    free_townships(t, n);
    fx_clean(&f);
}

Test(mapgen, hole_stays_empty_and_both_parts_are_covered)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 3, 1, NULL, &err), 0, "%s", err.msg);
    struct twp t[NT + 1];
    int n = read_townships(f.out, t, NT + 1);
    int in_hole = 0, part1 = 0, part2 = 0, sliver = 0, pinch1 = 0, pinch2 = 0;
    for (int i = 0; i < n; i++) {
        in_hole += covers_point(t[i].g, 115.125, 28.325);
        part1 += covers_point(t[i].g, 115.7, 28.1) && !strcmp(t[i].cnty_code, "360104");
        part2 += covers_point(t[i].g, 115.85, 28.25) && !strcmp(t[i].cnty_code, "360104");
        sliver += covers_point(t[i].g, 115.951, 28.001);
        pinch1 += covers_point(t[i].g, 115.65, 28.35) && !strcmp(t[i].cnty_code, "360106");
        pinch2 += covers_point(t[i].g, 115.75, 28.45) && !strcmp(t[i].cnty_code, "360106");
    }
    cr_assert_eq(in_hole, 0, "the hole of Holey County belongs to no township");
    cr_assert_eq(part1, 1);
    cr_assert_eq(part2, 1);
    cr_assert_eq(sliver, 0, "the sliver part was dropped");
    cr_assert_eq(pinch1, 1);
    cr_assert_eq(pinch2, 1);
    free_townships(t, n);
    fx_clean(&f);
}

Test(mapgen, subdistricts_are_small)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 1, NULL, &err), 0, "%s", err.msg);
    struct twp t[NT + 1];
    int n = read_townships(f.out, t, NT + 1);
    double urban = 0, rural = 0;
    for (int i = 0; i < 5; i++) /* the five of 360101 come first */
        *(strcmp(t[i].kind, "subdistrict") == 0 ? &urban : &rural) += t[i].area_km2;
    cr_assert_lt(urban / 2, rural / 3, "mean subdistrict %.1f km2, rural %.1f", urban / 2,
                 rural / 3);
    free_townships(t, n);
    fx_clean(&f);
}

/* ---- seat areas --------------------------------------------------------------- */

struct seat_rec {
    char code[32], kind[16], source[16];
    double km2;
    GEOSGeometry *g;
};

/* base.shp/.dbf's records (seat_areas of a map or of a run): code, kind,
 * source and the area field `area_field`; geometries when want_geom. */
static int read_seat_areas(const char *base, const char *area_field, int want_geom,
                           struct seat_rec *s, int max)
{
    SHPHandle shp = want_geom ? SHPOpen(base, "rb") : NULL;
    DBFHandle dbf = DBFOpen(base, "rb");
    cr_assert(dbf && (shp || !want_geom), "cannot open %s", base);
    int n = DBFGetRecordCount(dbf);
    cr_assert_leq(n, max);
    int fc = DBFGetFieldIndex(dbf, "code"), fk = DBFGetFieldIndex(dbf, "kind");
    int fs = DBFGetFieldIndex(dbf, "source"), fa = DBFGetFieldIndex(dbf, area_field);
    cr_assert(fc >= 0 && fk >= 0 && fs >= 0 && fa >= 0, "fields of %s", base);
    for (int i = 0; i < n; i++) {
        snprintf(s[i].code, sizeof s[i].code, "%s", DBFReadStringAttribute(dbf, i, fc));
        snprintf(s[i].kind, sizeof s[i].kind, "%s", DBFReadStringAttribute(dbf, i, fk));
        snprintf(s[i].source, sizeof s[i].source, "%s", DBFReadStringAttribute(dbf, i, fs));
        s[i].km2 = DBFReadDoubleAttribute(dbf, i, fa);
        s[i].g = NULL;
        if (!want_geom)
            continue;
        SHPObject *o = SHPReadObject(shp, i);
        struct tc_error err = {0};
        s[i].g = shpio_polygon_to_geos(ctx, o, NULL, &err);
        cr_assert_not_null(s[i].g, "%s", err.msg);
        SHPDestroyObject(o);
    }
    DBFClose(dbf);
    if (shp)
        SHPClose(shp);
    return n;
}

static void free_seat_areas(struct seat_rec *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i].g)
            GEOSGeom_destroy_r(ctx, s[i].g);
}

/* seat_areas.shp: one modelled seat area a township, in its township; a
 * town's disc that stays inside it has the area of a geodesic 64-gon of
 * 850 m, a subdistrict's is its whole township. */
Test(mapgen, seat_areas_are_modelled_per_township)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 2, NULL, &err), 0, "%s", err.msg);
    struct twp t[NT + 1];
    int n = read_townships(f.out, t, NT + 1);
    struct seat_rec s[NT + 1];
    char base[256];
    snprintf(base, sizeof base, "%s/seat_areas", f.out);
    cr_assert_eq(read_seat_areas(base, "area_km2", 1, s, NT + 1), n, "one record a township");
    cr_assert_float_eq(seat_default_radius_m(KIND_TOWN), 850, 0);
    cr_assert_float_eq(seat_default_radius_m(KIND_SUBDISTRICT), 0, 0);
    double disc_km2 = M_PI * 0.85 * 0.85;
    int towns_inside = 0, subdistricts = 0;
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(s[i].code, t[i].code);
        cr_assert_str_eq(s[i].kind, t[i].kind, "kind of %s", t[i].code);
        cr_assert_str_eq(s[i].source, "modelled");
        cr_assert_eq(GEOSisValid_r(ctx, s[i].g), 1, "seat area of %s invalid", t[i].code);
        cr_assert_eq(GEOSCovers_r(ctx, t[i].g, s[i].g), 1, "seat area of %s outside it",
                     t[i].code);
        cr_assert(covers_point(s[i].g, t[i].seat_lon, t[i].seat_lat), "seat of %s outside "
                  "its seat area", t[i].code);
        cr_assert_gt(s[i].km2, 0);
        cr_assert_leq(s[i].km2, t[i].area_km2 * (1 + 1e-12));
        if (strcmp(t[i].kind, "subdistrict") == 0) {
            subdistricts++;
            cr_assert_eq(GEOSEquals_r(ctx, s[i].g, t[i].g), 1, "%s: not its township",
                         t[i].code);
            cr_assert_float_eq(s[i].km2, t[i].area_km2, 1e-9 * t[i].area_km2);
            continue;
        }
        GEOSGeometry *edge = GEOSBoundary_r(ctx, t[i].g);
        int inside = GEOSIntersects_r(ctx, edge, s[i].g) == 0;
        GEOSGeom_destroy_r(ctx, edge);
        double want = strcmp(t[i].kind, "town") == 0 ? disc_km2 : M_PI * 0.45 * 0.45;
        if (inside) {
            towns_inside += strcmp(t[i].kind, "town") == 0;
            cr_assert(fabs(s[i].km2 - want) <= 0.005 * want, "%s: %.6f km2, want %.6f",
                      t[i].code, s[i].km2, want);
        } else {
            cr_assert_lt(s[i].km2, want, "%s: clipped", t[i].code);
        }
    }
    cr_assert_eq(subdistricts, 2);
    cr_assert_gt(towns_inside, 0, "some town's disc lies inside its township");
    free_seat_areas(s, n);
    free_townships(t, n);
    fx_clean(&f);
}

/* A run fed the map's seat_areas.shp ([map] seat_areas) takes them from the
 * layer, and they are what the run models itself: discs within 0.5 % (a
 * geodesic circle against the run's disc in its equal-area CRS), whole
 * townships to 1e-6. */
Test(mapgen, seat_areas_feed_a_run)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 2, NULL, &err), 0, "%s", err.msg);
    char path[256], args[1024], out[8192];
    snprintf(path, sizeof path, "%s/s.ini", f.dir);
    fx_write_text(path, "[scenario]\nname = mapgen-seats\n[map]\nfile = map/townships.shp\n"
                        "[sites]\nstrategy = seats\ncount = 30\n");
    snprintf(args, sizeof args, "run %s --quiet --threads 2 --out %s/modelled", path, f.dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "run %s --quiet --threads 2 --out %s/layer "
             "--set map.seat_areas=map/seat_areas.shp", path, f.dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "no seat area in it") == NULL && strstr(out, "towncov: note") == NULL,
              "every seat area from the layer, no notes: %s", out);
    struct seat_rec m[NT + 1], l[NT + 1];
    snprintf(path, sizeof path, "%s/modelled/seat_areas", f.dir);
    int n = read_seat_areas(path, "seat_km2", 0, m, NT + 1);
    snprintf(path, sizeof path, "%s/layer/seat_areas", f.dir);
    cr_assert_eq(read_seat_areas(path, "seat_km2", 0, l, NT + 1), n);
    cr_assert_eq(n, NT);
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(l[i].code, m[i].code);
        cr_assert_str_eq(m[i].source, "modelled");
        cr_assert_str_eq(l[i].source, "layer", "%s", l[i].code);
        double tol = strcmp(m[i].kind, "subdistrict") == 0 ? 1e-6 : 0.005;
        cr_assert(fabs(l[i].km2 - m[i].km2) <= tol * m[i].km2, "%s (%s): layer %.9f km2, "
                  "modelled %.9f", m[i].code, m[i].kind, l[i].km2, m[i].km2);
    }
    fx_clean(&f);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "missing %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
    buf[n] = '\0';
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

Test(mapgen, same_seed_same_bytes_other_seed_other_map)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    char a[256], b[256], c[256];
    snprintf(a, sizeof a, "%s/a", f.dir);
    snprintf(b, sizeof b, "%s/b", f.dir);
    snprintf(c, sizeof c, "%s/c", f.dir);
    cr_assert_eq(build(&f, a, 7, 1, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(build(&f, b, 7, 2, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(build(&f, c, 8, 2, NULL, &err), 0, "%s", err.msg);
    const char *files[] = {"townships.shp", "townships.shx", "townships.dbf", "townships.prj",
                           "townships.cpg", "seats.shp", "seats.dbf", "seat_areas.shp",
                           "seat_areas.dbf", "counties.shp", "counties.dbf"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char pa[300], pb[300];
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        cr_assert(same_file(pa, pb), "%s differs between runs (1 and 2 threads)", files[i]);
    }
    char pa[300], pc[300];
    snprintf(pa, sizeof pa, "%s/townships.shp", a);
    snprintf(pc, sizeof pc, "%s/townships.shp", c);
    cr_assert(!same_file(pa, pc), "another seed draws other townships");
    snprintf(pa, sizeof pa, "%s/townships.dbf", a);
    snprintf(pc, sizeof pc, "%s/townships.dbf", c);
    cr_assert(!same_file(pa, pc), "other seats");
    fx_clean(&f);
}

Test(mapgen, writes_prj_and_cpg)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 1, NULL, &err), 0, "%s", err.msg);
    const char *layers[4] = {"townships", "seats", "seat_areas", "counties"};
    for (int i = 0; i < 4; i++) {
        char path[300];
        size_t len;
        snprintf(path, sizeof path, "%s/%s.prj", f.out, layers[i]);
        char *prj = slurp(path, &len);
        cr_assert_str_eq(prj, shpio_wgs84_wkt);
        free(prj);
        snprintf(path, sizeof path, "%s/%s.cpg", f.out, layers[i]);
        char *cpg = slurp(path, &len);
        cr_assert_str_eq(cpg, "UTF-8");
        free(cpg);
    }
    fx_clean(&f);
}

/* A failing build: -1, TC_EXIT_MAP, a message holding every `want`, and no
 * output folder (nor a temporary one) left behind. */
static void expect_map_error(const struct fx *f, const char *const *want, int nwant)
{
    struct tc_error err = {0};
    cr_assert_neq(build(f, f->out, 1, 1, NULL, &err), 0);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP, "exit %d: %s", err.exit_code, err.msg);
    for (int i = 0; i < nwant; i++)
        cr_assert(strstr(err.msg, want[i]) != NULL, "'%s' not in: %s", want[i], err.msg);
    cr_assert(!exists(f->out), "a failed build left %s", f->out);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", f->out, (long)getpid());
    cr_assert(!exists(tmp), "a failed build left %s", tmp);
}

Test(mapgen, county_code_missing_from_the_shapefile)
{
    struct fx f;
    fx_make(&f);
    char text[sizeof csv_text + 100];
    snprintf(text, sizeof text, "%s360199001,Lost,360199,town\n", csv_text);
    fx_write_text(f.csv, text);
    const char *want[] = {f.csv, ":20:", "360199", f.shp};
    expect_map_error(&f, want, 4);
    fx_clean(&f);
}

Test(mapgen, missing_counties_file)
{
    struct fx f;
    fx_make(&f);
    snprintf(f.shp, sizeof f.shp, "%s/nowhere.shp", f.dir);
    const char *want[] = {f.shp};
    expect_map_error(&f, want, 1);
    fx_clean(&f);
}

Test(mapgen, missing_townships_file)
{
    struct fx f;
    fx_make(&f);
    snprintf(f.csv, sizeof f.csv, "%s/nowhere.csv", f.dir);
    const char *want[] = {f.csv};
    expect_map_error(&f, want, 1);
    fx_clean(&f);
}

Test(mapgen, township_count_mismatch)
{
    struct fx f;
    fx_make(&f);
    char base[192];
    snprintf(base, sizeof base, "%s/counties", f.dir);
    write_counties(base, 6);
    const char *want[] = {f.shp, "record 1 (FID 0)", "360101", "6", f.csv};
    expect_map_error(&f, want, 5);
    fx_clean(&f);
}

Test(mapgen, county_without_townships)
{
    struct fx f;
    fx_make(&f);
    /* Drop the only township of 360105. */
    char *text = strdup(csv_text), *p = strstr(text, "360105400");
    char *end = strchr(p, '\n');
    memmove(p, end + 1, strlen(end + 1) + 1);
    fx_write_text(f.csv, text);
    free(text);
    const char *want[] = {f.shp, "360105", "no townships"};
    expect_map_error(&f, want, 3);
    fx_clean(&f);
}

Test(mapgen, bad_kind_and_repeated_code)
{
    struct fx f;
    fx_make(&f);
    char text[sizeof csv_text + 100];
    snprintf(text, sizeof text, "%s360101300,X,360101,village\n", csv_text);
    fx_write_text(f.csv, text);
    const char *want[] = {f.csv, ":20:", "village"};
    expect_map_error(&f, want, 3);
    snprintf(text, sizeof text, "%s360101100,Again,360101,town\n", csv_text);
    fx_write_text(f.csv, text);
    const char *want2[] = {f.csv, ":20:", "360101100", "line 4"};
    expect_map_error(&f, want2, 4);
    fx_clean(&f);
}

/* The township list as Excel saves it on Chinese Windows: GBK, CRLF. The
 * map must hold the names in UTF-8, as its .cpg says. */
Test(mapgen, gbk_townships_csv_gives_utf8_names)
{
    struct fx f;
    fx_make(&f);
    char crlf[2 * sizeof csv_text], gbk[2 * sizeof csv_text];
    size_t n = 0;
    for (const char *c = csv_text; *c; c++) {
        if (*c == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *c;
    }
    iconv_t cd = iconv_open("GBK", "UTF-8");
    cr_assert(cd != (iconv_t)-1);
    char *in = crlf, *out = gbk;
    size_t in_left = n, out_left = sizeof gbk;
    cr_assert_neq(iconv(cd, &in, &in_left, &out, &out_left), (size_t)-1);
    iconv_close(cd);
    size_t len = sizeof gbk - out_left;
    cr_assert(memmem(gbk, len, "\xEB\xF8\xCD\xF5", 4), "滕王 in GBK bytes");
    FILE *fp = fopen(f.csv, "wb");
    cr_assert_eq(fwrite(gbk, 1, len, fp), len);
    fclose(fp);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 1, NULL, &err), 0, "%s", err.msg);
    struct twp t[NT + 1];
    cr_assert_eq(read_townships(f.out, t, NT + 1), NT);
    cr_assert_str_eq(t[0].name, "滕王阁街道");
    cr_assert_str_eq(t[1].name, "百花洲街道");
    cr_assert_str_eq(t[1].kind, "subdistrict");
    cr_assert_str_eq(t[8].code, "360102400");
    cr_assert_str_eq(t[8].name, "Farm, L");
    free_townships(t, NT);
    fx_clean(&f);
}

Test(mapgen, csv_without_header_columns)
{
    struct fx f;
    fx_make(&f);
    fx_write_text(f.csv, "id,label\n1,a\n");
    const char *want[] = {f.csv, ":1:", "code", "\"id,label\""};
    expect_map_error(&f, want, 4);
    fx_clean(&f);
}

Test(mapgen, projected_coordinates_are_refused)
{
    struct fx f;
    fx_make(&f);
    char base[192];
    snprintf(base, sizeof base, "%s/counties", f.dir);
    const char *code[] = {"360101"};
    const double metres[][4] = {{500000, 3000000, 510000, 3010000}};
    write_boxes(base, 1, code, metres);
    fx_write_text(f.csv, "code,name,county_code,kind\n360101001,A,360101,town\n");
    const char *want[] = {f.shp, "record 1 (FID 0)", "longitude/latitude"};
    expect_map_error(&f, want, 3);
    fx_clean(&f);
}

Test(mapgen, replaces_a_map_but_not_a_foreign_folder)
{
    struct fx f;
    fx_make(&f);
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 1, NULL, &err), 0, "%s", err.msg);
    char shp[300], keep[300];
    snprintf(shp, sizeof shp, "%s/townships.shp", f.out);
    size_t len1, len2;
    char *first = slurp(shp, &len1);
    cr_assert_eq(build(&f, f.out, 2, 1, NULL, &err), 0, "%s", err.msg);
    char *second = slurp(shp, &len2);
    cr_assert(len1 != len2 || memcmp(first, second, len1) != 0, "the map was replaced");
    free(first);
    free(second);
    /* No temporary or set-aside folder left beside it. */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | grep -c '^map.') -eq 0", f.dir);
    cr_assert_eq(system(cmd), 0, "leftovers in %s", f.dir);

    snprintf(keep, sizeof keep, "%s/notes.txt", f.out);
    fx_write_text(keep, "mine");
    cr_assert_neq(build(&f, f.out, 1, 1, NULL, &err), 0);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert(strstr(err.msg, "notes.txt") != NULL, "%s", err.msg);
    cr_assert(exists(keep));
    fx_clean(&f);
}

Test(mapgen, synthetic_province)
{
    char dir[128], out[160];
    snprintf(dir, sizeof dir, "/tmp/towncov-mapgen-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/syn", dir);
    struct mapgen_options o = {.synthetic = 300, .out_dir = out, .seed = 5, .threads = 2};
    struct mapgen_report rep = {0};
    struct tc_error err = {0};
    cr_assert_eq(mapgen_build(&o, &rep, &err), 0, "%s", err.msg);
    cr_assert_eq(rep.townships, 300);
    cr_assert_eq(rep.counties, 17);
    cr_assert_float_eq(rep.area_km2 / 300, 95.0, 5.0);
    static struct twp t[301];
    int n = read_townships(out, t, 301);
    cr_assert_eq(n, 300);
    int kinds[4] = {0};
    for (int i = 0; i < n; i++) {
        cr_assert_eq(strlen(t[i].code), 9);
        if (i > 0)
            cr_assert_lt(strcmp(t[i - 1].code, t[i].code), 0, "codes sorted and unique");
        kinds[!strcmp(t[i].kind, "subdistrict") ? 0 : !strcmp(t[i].kind, "town") ? 1
              : !strcmp(t[i].kind, "township") ? 2 : 3]++;
        cr_assert(covers_point(t[i].g, t[i].seat_lon, t[i].seat_lat));
        cr_assert(fabs(t[i].seat_lon - 105) < 10 && fabs(t[i].seat_lat - 30) < 10);
    }
    for (int k = 0; k < 4; k++)
        cr_assert_gt(kinds[k], 0, "every kind occurs");
    cr_assert_gt(kinds[1] + kinds[2], 200, "towns and townships dominate");
    free_townships(t, n);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Two counties sharing a zigzag border (amplitude 0.0003 deg, under the
 * 0.001 deg tolerance): simplified alike, they still share it exactly. */
static void write_zigzag(const char *dir)
{
    char base[256];
    snprintf(base, sizeof base, "%s/zz", dir);
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    DBFAddField(dbf, "code", FTString, 12, 0);
    DBFAddField(dbf, "name", FTString, 20, 0);
    for (int c = 0; c < 2; c++) {
        double x[128], y[128];
        int n = 0;
        double outer = c == 0 ? 116.0 : 116.2;
        x[n] = outer, y[n++] = 28.0;
        x[n] = outer, y[n++] = 28.1;
        for (int k = 50; k >= 0; k--) /* the border, north to south */
            x[n] = 116.1 + (k % 2 ? 0.0003 : -0.0003), y[n++] = 28.0 + 0.002 * k;
        x[n] = outer, y[n++] = 28.0;
        SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, 0, NULL, NULL, n, x, y, NULL, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, c, 0, c == 0 ? "500001" : "500002");
        DBFWriteStringAttribute(dbf, c, 1, c == 0 ? "West" : "East");
    }
    DBFClose(dbf);
    SHPClose(shp);
    char csv[256];
    snprintf(csv, sizeof csv, "%s/zz.csv", dir);
    fx_write_text(csv, "code,name,county_code,kind\n500001001,W1,500001,town\n"
                    "500001002,W2,500001,township\n500002001,E1,500002,town\n"
                    "500002002,E2,500002,town\n");
}

Test(mapgen, simplified_borders_stay_shared)
{
    char dir[128], shp[200], csv[200], out[200];
    snprintf(dir, sizeof dir, "/tmp/towncov-mapgen-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    write_zigzag(dir);
    snprintf(shp, sizeof shp, "%s/zz.shp", dir);
    snprintf(csv, sizeof csv, "%s/zz.csv", dir);
    snprintf(out, sizeof out, "%s/map", dir);
    struct mapgen_options o = {.counties_shp = shp, .townships_csv = csv, .out_dir = out,
                               .seed = 1, .simplify_deg = 0.001, .threads = 1};
    struct mapgen_report rep = {0};
    struct tc_error err = {0};
    cr_assert_eq(mapgen_build(&o, &rep, &err), 0, "%s", err.msg);
    cr_assert_gt(rep.border_arcs, 0);
    cr_assert_lt(rep.border_vertices_kept, rep.border_vertices / 4, "%d -> %d vertices",
                 rep.border_vertices, rep.border_vertices_kept);
    GEOSGeometry *w = read_county(out, "500001"), *e = read_county(out, "500002");
    GEOSGeometry *x = GEOSIntersection_r(ctx, w, e);
    cr_assert_lt(area(x), 1e-15, "the counties overlap by %g", area(x));
    GEOSGeometry *u = GEOSUnion_r(ctx, w, e);
    cr_assert_float_eq(area(u), 0.02, 1e-12, "no gap between them: %.15g", area(u));
    cr_assert_float_eq(area(w), 0.01, 0.0002);
    /* The zigzag is gone: the border is the straight line between its ends. */
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, GEOSGetExteriorRing_r(ctx, w));
    unsigned nv = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &nv);
    for (unsigned i = 0; i < nv; i++) {
        double vx, vy;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &vx, &vy);
        if (vx > 116.05 && vy > 28.0 + 1e-9 && vy < 28.1 - 1e-9)
            cr_assert_float_eq(vx, 116.0997, 1e-9, "vertex %u at %.7f %.7f", i, vx, vy);
    }
    GEOSGeom_destroy_r(ctx, x);
    GEOSGeom_destroy_r(ctx, u);
    GEOSGeom_destroy_r(ctx, w);
    GEOSGeom_destroy_r(ctx, e);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static int run_main(int argc, const char **argv)
{
    return cli_mapgen(argc, (char **)argv);
}

/* The suite's setup() has run already: Criterion runs suite and test
 * fixtures both. */
static void quiet(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

Test(mapgen, command_line, .init = quiet)
{
    const char *help[] = {"mapgen", "--help"};
    cr_assert_eq(run_main(2, help), TC_EXIT_OK);
    const char *none[] = {"mapgen"};
    cr_assert_eq(run_main(1, none), TC_EXIT_USAGE);
    const char *no_out[] = {"mapgen", "--synthetic", "10"};
    cr_assert_eq(run_main(3, no_out), TC_EXIT_USAGE);
    const char *bad_seed[] = {"mapgen", "--synthetic", "10", "--out", "/tmp/x", "--seed", "abc"};
    cr_assert_eq(run_main(7, bad_seed), TC_EXIT_USAGE);
    const char *both[] = {"mapgen", "--synthetic=10", "--counties", "a.shp", "--townships",
                          "b.csv", "--out", "/tmp/x"};
    cr_assert_eq(run_main(8, both), TC_EXIT_USAGE);
    const char *unknown[] = {"mapgen", "--frobnicate", "--out", "/tmp/x"};
    cr_assert_eq(run_main(4, unknown), TC_EXIT_USAGE);
    const char *zero[] = {"mapgen", "--synthetic", "0", "--out", "/tmp/x"};
    cr_assert_eq(run_main(5, zero), TC_EXIT_USAGE);
    const char *simp[] = {"mapgen", "--synthetic", "10", "--out", "/tmp/x", "--simplify", "1"};
    cr_assert_eq(run_main(7, simp), TC_EXIT_USAGE);
    const char *missing[] = {"mapgen", "--counties", "/nonexistent/c.shp", "--townships",
                             "/nonexistent/t.csv", "--out", "/tmp/towncov-never-made"};
    cr_assert_eq(run_main(7, missing), TC_EXIT_MAP);
    cr_assert(!exists("/tmp/towncov-never-made"));
}

/* --counties through GDAL/OGR (docs/formats.md): the same counties as a
 * GeoPackage and as GeoJSON build byte-identical maps. */
Test(mapgen, counties_from_gpkg_and_geojson_build_the_same_map)
{
    struct fx f;
    fx_make(&f);
    struct mapgen_report rep;
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 3, 2, &rep, &err), 0, "%s", err.msg);
    const char *ext[] = {"gpkg", "geojson"};
    for (int i = 0; i < 2; i++) {
        char copy[192], out[256], cmd[700];
        snprintf(copy, sizeof copy, "%.150s/counties.%s", f.dir, ext[i]);
        snprintf(out, sizeof out, "%s/map-%s", f.dir, ext[i]);
        snprintf(cmd, sizeof cmd, "ogr2ogr -nlt PROMOTE_TO_MULTI %s %s", copy, f.shp);
        cr_assert_eq(system(cmd), 0, "%s", cmd);
        struct fx g = f;
        snprintf(g.shp, sizeof g.shp, "%s", copy);
        cr_assert_eq(build(&g, out, 3, 2, &rep, &err), 0, "%s: %s", ext[i], err.msg);
        const char *files[] = {"townships.shp", "townships.dbf"};
        for (int k = 0; k < 2; k++) {
            char a[320], b[320];
            snprintf(a, sizeof a, "%s/%s", f.out, files[k]);
            snprintf(b, sizeof b, "%s/%s", out, files[k]);
            cr_assert(fx_same_file(a, b), "%s differs from the shapefile's", b);
        }
    }
    fx_clean(&f);
}

/* A county from a GeoPackage is named in the later checks' messages as
 * every OGR source's feature is (issue 24's rule): "feature N (FID F)" with
 * the GeoPackage's own FID (from 1), never the shapefile's "record N (FID
 * N-1)"; and the source names its layer. */
Test(mapgen, ogr_counties_are_named_by_feature_and_fid)
{
    struct fx f;
    fx_make(&f);
    char base[160], gpkg[192], cmd[600];
    snprintf(base, sizeof base, "%.150s/boxes", f.dir);
    const char *codes[] = {"360111", "360112"};
    const double boxes[][4] = {{115.0, 28.0, 115.2, 28.2}, {115.3, 28.0, 115.5, 28.2}};
    write_boxes(base, 2, codes, boxes);
    snprintf(gpkg, sizeof gpkg, "%.150s/boxes.gpkg", f.dir);
    snprintf(cmd, sizeof cmd, "ogr2ogr -nlt PROMOTE_TO_MULTI %s %s.shp", gpkg, base);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    fx_write_text(f.csv, "code,name,county_code,kind\n"
                         "360111100,A1,360111,town\n360111200,A2,360111,township\n");
    struct fx g = f;
    snprintf(g.shp, sizeof g.shp, "%s", gpkg);
    struct mapgen_report rep = {0};
    struct tc_error err = {0};
    cr_assert_neq(build(&g, f.out, 1, 2, &rep, &err), 0);
    char want[512];
    snprintf(want, sizeof want, "%s, layer 'boxes': feature 2 (FID 2): county 360112", gpkg);
    cr_assert(strstr(err.msg, want) && strstr(err.msg, "has no townships"),
              "not located by feature and FID: %s", err.msg);
    fx_clean(&f);
}

/* Two counties of the source that overlap by a 0.05 x 0.2 degree strip: the
 * county whose code sorts first keeps the strip, the other is cut, so the
 * counties (and their townships) no longer overlap. */
Test(mapgen, overlapping_counties_leave_the_overlap_to_the_lower_code)
{
    struct fx f;
    fx_make(&f);
    char base[192];
    snprintf(base, sizeof base, "%s/counties", f.dir);
    /* the higher code first in the file: the rule goes by code, not by order */
    const char *codes[] = {"360112", "360111"};
    const double boxes[][4] = {{115.15, 28.0, 115.15 + 0.2, 28.2},
                               {115.0, 28.0, 115.0 + 0.2, 28.2}};
    write_boxes(base, 2, codes, boxes);
    fx_write_text(f.csv, "code,name,county_code,kind\n"
                      "360111100,A1,360111,town\n360111200,A2,360111,township\n"
                      "360112100,B1,360112,town\n360112200,B2,360112,township\n");
    struct mapgen_report rep = {0};
    struct tc_error err = {0};
    cr_assert_eq(build(&f, f.out, 1, 2, &rep, &err), 0, "%s", err.msg);
    GEOSGeometry *a = read_county(f.out, "360111"), *b = read_county(f.out, "360112");
    cr_expect_float_eq(area(a), 0.04, 1e-12, "the lower code keeps its whole square");
    cr_expect_float_eq(area(b), 0.03, 1e-12, "the other loses the 0.01 deg2 strip");
    GEOSGeometry *x = GEOSIntersection_r(ctx, a, b);
    cr_expect_float_eq(area(x), 0.0, 1e-15, "no overlap left");
    cr_expect_eq(rep.counties_resolved, 1);
    cr_expect(rep.overlap_resolved_km2 > 100 && rep.overlap_resolved_km2 < 120,
              "the strip is ~110 km2, got %g", rep.overlap_resolved_km2);
    cr_expect_float_eq(rep.county_overlap_km2, 0.0, 1e-9);
    GEOSGeom_destroy_r(ctx, x);
    GEOSGeom_destroy_r(ctx, a);
    GEOSGeom_destroy_r(ctx, b);
    fx_clean(&f);
}
