/* The map loader on the classes of real-world input that other provinces
 * and other hands bring: collapsed islets and holes, dotted file names,
 * code pages, long texts, writer-cut texts, records of the wrong type,
 * deleted records, NULL codes, and the messages users act on. */
#include <criterion/criterion.h>
#include <iconv.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"

static char dir[256];

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
}

/* One record: parts as lon/lat rings (each closed), code and name. */
struct rec {
    int nparts;
    int n[4];
    double x[4][32], y[4][32];
    const char *code, *name;
};

static void square(struct rec *r, int part, double lon0, double lat0, double d)
{
    double xs[] = {lon0, lon0, lon0 + d, lon0 + d, lon0};
    double ys[] = {lat0, lat0 + d, lat0 + d, lat0, lat0};
    memcpy(r->x[part], xs, sizeof xs);
    memcpy(r->y[part], ys, sizeof ys);
    r->n[part] = 5;
    if (part >= r->nparts)
        r->nparts = part + 1;
}

/* A part of n vertices all at one point (an islet the grid collapsed). */
static void collapsed(struct rec *r, int part, double lon, double lat, int n)
{
    for (int i = 0; i < n; i++) {
        r->x[part][i] = lon;
        r->y[part][i] = lat;
    }
    r->n[part] = n;
    if (part >= r->nparts)
        r->nparts = part + 1;
}

/* Writes name.shp/.shx/.dbf (+ .cpg when cpg) in dir, text field widths
 * `width`; returns the .shp path in one of four static buffers used in
 * turn (a test keeps a few paths at once). */
static const char *write_layer(const char *name, const struct rec *r, int n, const char *cpg,
                               int width)
{
    static char paths[4][480];
    static int turn;
    char *shp_path = paths[turn++ % 4];
    char base[400];
    snprintf(base, sizeof base, "%s/%s", dir, name);
    snprintf(shp_path, sizeof paths[0], "%s.shp", base);
    /* shapelib strips one extension: hand it the full .shp name so that a
     * dotted name is written as given. */
    SHPHandle shp = SHPCreate(shp_path, SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(shp_path);
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, width, 0);
    DBFAddField(dbf, "name", FTString, width, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    DBFAddField(dbf, "county", FTString, 16, 0);
    for (int i = 0; i < n; i++) {
        double x[128], y[128];
        int starts[4], nv = 0;
        for (int p = 0; p < r[i].nparts; p++) {
            starts[p] = nv;
            for (int k = 0; k < r[i].n[p]; k++, nv++) {
                x[nv] = r[i].x[p][k];
                y[nv] = r[i].y[p][k];
            }
        }
        SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, r[i].nparts, starts, NULL, nv, x, y,
                                       NULL, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, r[i].code);
        DBFWriteStringAttribute(dbf, i, 1, r[i].name);
        DBFWriteStringAttribute(dbf, i, 2, "town");
        DBFWriteStringAttribute(dbf, i, 3, "c");
    }
    SHPClose(shp);
    DBFClose(dbf);
    if (cpg) {
        char path[600];
        snprintf(path, sizeof path, "%s.cpg", base);
        fx_write_text(path, cpg);
    }
    return shp_path;
}

/* Two 0.2° squares near Nanchang, codes 1 and 2. */
static void two_towns(struct rec *r)
{
    memset(r, 0, 2 * sizeof *r);
    square(&r[0], 0, 115.8, 28.6, 0.2);
    square(&r[1], 0, 116.0, 28.6, 0.2);
    r[0].code = "1", r[0].name = "甲镇";
    r[1].code = "2", r[1].name = "乙镇";
}

/* Loads shp with optional key overrides (map.repair, map.encoding); the
 * warnings land in log (may be NULL). */
static struct tc_map *load(const char *shp, const char *repair, const char *encoding,
                           char *log, size_t log_size, struct tc_error *err)
{
    static struct scenario scn;
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s", shp);
    if (repair)
        scn.map.repair = strcmp(repair, "yes") == 0;
    if (encoding)
        snprintf(scn.map.encoding, sizeof scn.map.encoding, "%s", encoding);
    FILE *warn = tmpfile();
    struct tc_map *m = map_load(&scn.map, NULL, 2, warn, err);
    if (log) {
        rewind(warn);
        size_t got = fread(log, 1, log_size - 1, warn);
        log[got] = '\0';
    }
    fclose(warn);
    return m;
}

static double area_of_square(void)
{
    struct rec r[2];
    two_towns(r);
    struct tc_error err;
    struct tc_map *m = load(write_layer("ref", r, 1, "UTF-8", 32), NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    double a = m->t[0].area_m2;
    map_free(&m);
    return a;
}

/* ---- islets and holes collapsed by the source's grid ------------------- */

Test(map_input, islet_collapsed_to_a_point_is_dropped_with_a_warning, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    collapsed(&r[1], 1, 116.5, 28.9, 17); /* Fujian's "17 vertices, one point" */
    const char *shp = write_layer("islets", r, 2, "UTF-8", 32);
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(shp, NULL, NULL, log, sizeof log, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->n, 2);
    cr_assert_eq(m->parts_dropped, 1);
    cr_assert(fabs(m->t[1].area_m2 - area_of_square()) / m->t[1].area_m2 < 1e-9,
              "the islet added area");
    cr_assert(strstr(log, "dropped 1 part with no area from 1 record"), "%s", log);
    cr_assert(strstr(log, "record 2 (FID 1) (code 2): part 1, an islet of 17 vertices with 1 "
                          "distinct point"), "%s", log);
    map_free(&m);
    /* repair = no refuses it with the same detail. */
    m = load(shp, "no", NULL, NULL, 0, &err);
    cr_assert_null(m);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "islets.shp: record 2 (FID 1): part 1 (a ring of 17 vertices) "
                              "has 1 distinct point"), "%s", err.msg);
    cr_assert(strstr(err.msg, "map.repair = no"), "%s", err.msg);
}

Test(map_input, two_point_sliver_part_is_dropped, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    double xs[] = {116.3, 116.4, 116.3, 116.4, 116.3}, ys[] = {28.9, 28.95, 28.9, 28.95, 28.9};
    memcpy(r[0].x[1], xs, sizeof xs);
    memcpy(r[0].y[1], ys, sizeof ys);
    r[0].n[1] = 5;
    r[0].nparts = 2;
    /* and a three-point part whose points lie on one line */
    double lx[] = {116.5, 116.6, 116.7, 116.5}, ly[] = {29.0, 29.1, 29.2, 29.0};
    memcpy(r[0].x[2], lx, sizeof lx);
    memcpy(r[0].y[2], ly, sizeof ly);
    r[0].n[2] = 4;
    r[0].nparts = 3;
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(write_layer("sliver", r, 2, "UTF-8", 32), NULL, NULL, log,
                            sizeof log, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->parts_dropped, 2, "%s", log);
    cr_assert(strstr(log, "part 1, an islet of 5 vertices with 2 distinct points"), "%s", log);
    cr_assert(strstr(log, "part 2, an islet of 4 vertices with 3 distinct points"), "%s", log);
    cr_assert(fabs(m->t[0].area_m2 - area_of_square()) / m->t[0].area_m2 < 1e-9);
    map_free(&m);
}

Test(map_input, collapsed_hole_is_dropped_and_named_a_hole, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    collapsed(&r[0], 1, 115.9, 28.7, 6);
    r[0].x[1][2] = 115.95; /* two distinct points: a hole collapsed to a line */
    r[0].x[1][3] = 115.95;
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(write_layer("hole", r, 2, "UTF-8", 32), NULL, NULL, log, sizeof log,
                            &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(strstr(log, "record 1 (FID 0) (code 1): part 1, a hole of 6 vertices with 2 "
                          "distinct points"), "%s", log);
    cr_assert(fabs(m->t[0].area_m2 - area_of_square()) / m->t[0].area_m2 < 1e-9);
    map_free(&m);
}

Test(map_input, many_collapsed_parts_give_one_summary_and_the_first_few, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    for (int k = 0; k < 2; k++)
        for (int p = 1; p < 4; p++)
            collapsed(&r[k], p, 116.5 + 0.01 * p, 29 + k, 4);
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(write_layer("many", r, 2, "UTF-8", 32), NULL, NULL, log, sizeof log,
                            &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->parts_dropped, 6);
    cr_assert(strstr(log, "dropped 6 parts with no area from 2 records"), "%s", log);
    int lines = 0;
    for (const char *p = log; (p = strstr(p, "  record ")); p++)
        lines++;
    cr_assert_eq(lines, 5, "%s", log);
    map_free(&m);
}

Test(map_input, a_record_left_with_no_area_is_an_error_naming_it, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    memset(&r[1], 0, sizeof r[1]);
    r[1].code = "2", r[1].name = "乙镇";
    collapsed(&r[1], 0, 116.1, 28.7, 9);
    struct tc_error err;
    struct tc_map *m = load(write_layer("gone", r, 2, "UTF-8", 32), NULL, NULL, NULL, 0, &err);
    cr_assert_null(m);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "gone.shp: record 2 (FID 1): no part has an area (its 1 part "
                              "collapsed to points or lines) (code 2)"), "%s", err.msg);
}

/* ---- file names ----------------------------------------------------------*/

Test(map_input, a_dotted_name_opens_exactly_that_file, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    write_layer("tiles", r, 2, "UTF-8", 32); /* the shorter namesake: codes 1, 2 */
    r[0].code = "71", r[1].code = "72";
    const char *dotted = write_layer("tiles.v2", r, 2, "UTF-8", 32);
    struct tc_error err;
    struct tc_map *m = load(dotted, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].code, "71");
    cr_assert(strstr(m->source_file, "tiles.v2.shp"), "%s", m->source_file);
    map_free(&m);
    /* Named without its .shp, still the dotted one. */
    char bare[300];
    snprintf(bare, sizeof bare, "%.200s/tiles.v2", dir);
    m = load(bare, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].code, "72");
    map_free(&m);
    /* A longer dotted name with no namesake at all loads too. */
    m = load(write_layer("jiangxi.townships.2022", r, 2, "UTF-8", 32), NULL, NULL, NULL, 0,
             &err);
    cr_assert_not_null(m, "%s", err.msg);
    map_free(&m);
}

Test(map_input, missing_shx_says_what_to_do, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    const char *shp = write_layer("noshx", r, 2, "UTF-8", 32);
    char shx[600];
    snprintf(shx, sizeof shx, "%s/noshx.shx", dir);
    cr_assert_eq(remove(shx), 0);
    struct tc_error err;
    cr_assert_null(load(shp, NULL, NULL, NULL, 0, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "noshx.shx is missing"), "%s", err.msg);
    cr_assert(strstr(err.msg, "ogrinfo --config SHAPE_RESTORE_SHX YES"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "Set SHAPE_RESTORE_SHX config option"), "%s", err.msg);
}

Test(map_input, a_polyline_file_is_called_a_polyline, .init = setup)
{
    char base[400];
    snprintf(base, sizeof base, "%s/lines.shp", dir);
    SHPHandle shp = SHPCreate(base, SHPT_ARC);
    double x[2] = {116, 116.1}, y[2] = {28, 28.1};
    SHPObject *o = SHPCreateSimpleObject(SHPT_ARC, 2, x, y, NULL);
    SHPWriteObject(shp, -1, o);
    SHPDestroyObject(o);
    SHPClose(shp);
    DBFHandle dbf = DBFCreate(base);
    DBFAddField(dbf, "code", FTString, 8, 0);
    DBFWriteStringAttribute(dbf, 0, 0, "1");
    DBFClose(dbf);
    struct tc_error err;
    cr_assert_null(load(base, NULL, NULL, NULL, 0, &err));
    cr_assert(strstr(err.msg, "shape type is PolyLine, not Polygon"), "%s", err.msg);
}

/* ---- records of the wrong type, deleted records, NULL codes -----------*/

/* Offset of record fid's content in the .shp, from the .shx. */
static long record_offset(const char *shp_path, int fid)
{
    char shx[600];
    snprintf(shx, sizeof shx, "%.*sshx", (int)strlen(shp_path) - 3, shp_path);
    FILE *f = fopen(shx, "rb");
    cr_assert_not_null(f);
    unsigned char b[4];
    fseek(f, 100 + 8L * fid, SEEK_SET);
    cr_assert_eq(fread(b, 1, 4, f), 4u);
    fclose(f);
    return 2L * (((long)b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
}

Test(map_input, a_point_record_in_a_polygon_file_is_refused, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    const char *shp = write_layer("mixed", r, 2, "UTF-8", 32);
    /* Record 2's shape type becomes Point (1); its x, y are its first bytes. */
    long at = record_offset(shp, 1) + 8;
    FILE *f = fopen(shp, "r+b");
    unsigned char point[4] = {1, 0, 0, 0};
    fseek(f, at, SEEK_SET);
    fwrite(point, 1, 4, f);
    fclose(f);
    struct tc_error err;
    cr_assert_null(load(shp, NULL, NULL, NULL, 0, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "mixed.shp: record 2 (FID 1) (code 2): shape type Point, but the "
                              "file declares Polygon"), "%s", err.msg);
}

Test(map_input, deleted_records_are_skipped_with_a_note, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    const char *shp = write_layer("deleted", r, 2, "UTF-8", 32);
    DBFHandle dbf = DBFOpen(shp, "rb+");
    cr_assert(DBFMarkRecordDeleted(dbf, 0, 1));
    DBFClose(dbf);
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(shp, NULL, NULL, log, sizeof log, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->n, 1);
    cr_assert_str_eq(m->t[0].code, "2");
    cr_assert_eq(m->t[0].record, 1);
    cr_assert(strstr(log, "skipped 1 record marked deleted in the .dbf (as GDAL and QGIS do), "
                          "the first record 1 (FID 0)"), "%s", log);
    map_free(&m);
}

Test(map_input, a_null_numeric_code_is_an_empty_code, .init = setup)
{
    char shp_path[400];
    snprintf(shp_path, sizeof shp_path, "%s/numeric.shp", dir);
    struct rec r[2];
    two_towns(r);
    SHPHandle shp = SHPCreate(shp_path, SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(shp_path);
    DBFAddField(dbf, "code", FTInteger, 9, 0);
    DBFAddField(dbf, "name", FTString, 16, 0);
    DBFAddField(dbf, "county", FTString, 16, 0);
    for (int i = 0; i < 2; i++) {
        int start = 0;
        SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, 1, &start, NULL, 5, r[i].x[0], r[i].y[0],
                                       NULL, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 1, r[i].name);
        DBFWriteStringAttribute(dbf, i, 2, "c");
    }
    DBFWriteIntegerAttribute(dbf, 0, 0, 360102001);
    DBFWriteNULLAttribute(dbf, 1, 0);
    SHPClose(shp);
    DBFClose(dbf);
    struct tc_error err;
    cr_assert_null(load(shp_path, NULL, NULL, NULL, 0, &err));
    cr_assert(strstr(err.msg, "record 2 (FID 1): empty township code"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "***"), "%s", err.msg);
}

/* ---- code pages ---------------------------------------------------------*/

static void to_encoding(const char *to, const char *utf8, char *out, size_t size)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    char *in = (char *)utf8, *o = out;
    size_t left = strlen(utf8), room = size - 1;
    cr_assert_neq(iconv(cd, &in, &left, &o, &room), (size_t)-1);
    *o = '\0';
    iconv_close(cd);
}

/* Sets the .dbf's language-driver byte (offset 29). */
static void set_ldid(const char *shp_path, unsigned char ldid)
{
    char dbf[600];
    snprintf(dbf, sizeof dbf, "%.*sdbf", (int)strlen(shp_path) - 3, shp_path);
    FILE *f = fopen(dbf, "r+b");
    cr_assert_not_null(f);
    fseek(f, 29, SEEK_SET);
    fputc(ldid, f);
    fclose(f);
}

Test(map_input, language_driver_0x57_is_read_as_ansi_latin1, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char a[64], b[64];
    to_encoding("ISO-8859-1", "Zürich", a, sizeof a);
    to_encoding("ISO-8859-1", "Besançon", b, sizeof b);
    r[0].name = a, r[1].name = b;
    const char *shp = write_layer("ansi", r, 2, NULL, 32);
    set_ldid(shp, 0x57);
    struct tc_error err;
    struct tc_map *m = load(shp, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, "Zürich");
    cr_assert_str_eq(m->t[1].name, "Besançon");
    map_free(&m);
    /* Marked 0x57, but written as UTF-8 (as many tools do): stays UTF-8. */
    two_towns(r);
    shp = write_layer("ansi-utf8", r, 2, NULL, 32);
    set_ldid(shp, 0x57);
    m = load(shp, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "乙镇");
    map_free(&m);
}

Test(map_input, other_language_drivers_follow_gdals_table, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char a[64], b[64];
    to_encoding("GB18030", "甲镇", a, sizeof a);
    to_encoding("GB18030", "乙镇", b, sizeof b);
    r[0].name = a, r[1].name = b;
    const char *shp = write_layer("ldid77", r, 2, NULL, 32);
    set_ldid(shp, 0x4D); /* 77: Chinese GBK */
    struct tc_error err;
    struct tc_map *m = load(shp, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "乙镇");
    map_free(&m);
    /* 0xC9 (201): Windows Cyrillic, CP1251. */
    to_encoding("CP1251", "Москва", a, sizeof a);
    to_encoding("CP1251", "Тверь", b, sizeof b);
    shp = write_layer("ldid201", r, 2, NULL, 32);
    set_ldid(shp, 0xC9);
    m = load(shp, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, "Москва");
    map_free(&m);
    /* No language driver (0) and no .cpg: UTF-8 when valid, else GBK. */
    to_encoding("GB18030", "甲镇", a, sizeof a);
    to_encoding("GB18030", "乙镇", b, sizeof b);
    shp = write_layer("ldid0", r, 2, NULL, 32);
    set_ldid(shp, 0);
    m = load(shp, NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, "甲镇");
    map_free(&m);
}

Test(map_input, map_encoding_takes_any_iconv_name, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char a[64], b[64];
    to_encoding("CP1252", "Ærøskøbing €", a, sizeof a);
    to_encoding("CP1252", "Kraków", b, sizeof b);
    r[0].name = a, r[1].name = b;
    const char *shp = write_layer("cp1252", r, 2, NULL, 32);
    struct tc_error err;
    struct tc_map *m = load(shp, NULL, "cp1252", NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, "Ærøskøbing €");
    map_free(&m);
    m = load(shp, NULL, "latin1", NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "Kraków"); /* ó is the same in both */
    map_free(&m);
    /* The scenario refuses a name iconv does not know, with its line. */
    char ini[600];
    snprintf(ini, sizeof ini, "%s/s.ini", dir);
    fx_write_text(ini, "[map]\nfile = x.shp\nencoding = klingon-8\n");
    struct scenario scn;
    cr_assert_neq(scenario_load(ini, NULL, 0, &scn, &err), 0);
    cr_assert(strstr(err.msg, "s.ini:3: map.encoding = klingon-8: not an encoding iconv knows"),
              "%s", err.msg);
}

Test(map_input, undecodable_text_names_both_fixes, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char b[64];
    to_encoding("GB18030", "乙镇", b, sizeof b);
    r[1].name = b;
    const char *shp = write_layer("badtext", r, 2, "UTF-8", 32);
    struct tc_error err;
    cr_assert_null(load(shp, NULL, NULL, NULL, 0, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "record 2 (FID 1): the name is not valid UTF-8 text"), "%s",
              err.msg);
    cr_assert(strstr(err.msg, "set map.encoding"), "%s", err.msg);
    cr_assert(strstr(err.msg, "badtext.cpg"), "%s", err.msg);
}

/* ---- texts kept whole ---------------------------------------------------*/

Test(map_input, long_codes_are_kept_whole, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    r[0].code = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"; /* a 36-character UUID */
    r[1].code = "3f2504e0-4f89-11d3-9a0c-0305e82c3302"; /* shares 35 bytes with it */
    struct tc_error err;
    struct tc_map *m = load(write_layer("uuid", r, 2, "UTF-8", 64), NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].code, "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    cr_assert_str_eq(m->t[1].code, "3f2504e0-4f89-11d3-9a0c-0305e82c3302");
    map_free(&m);
}

/* n bytes of UTF-8: Chinese characters (3 bytes) and ASCII to make up. */
static void chinese_name(char *buf, int bytes)
{
    int k = 0;
    for (; k + 3 <= bytes; k += 3)
        memcpy(buf + k, "镇", 3);
    for (; k < bytes; k++)
        buf[k] = 'a';
    buf[k] = '\0';
}

Test(map_input, names_of_254_bytes_are_kept_whole, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char a[300], b[300];
    chinese_name(a, 200);
    chinese_name(b, 254);
    r[0].name = a, r[1].name = b;
    struct tc_error err;
    struct tc_map *m = load(write_layer("long", r, 2, "UTF-8", 254), NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[0].name, a);
    cr_assert_str_eq(m->t[1].name, b);
    map_free(&m);
    /* 127 GBK characters (254 bytes) become 381 bytes of UTF-8, whole. */
    char gbk[300], want[400];
    chinese_name(want, 381);
    to_encoding("GB18030", want, gbk, sizeof gbk);
    cr_assert_eq(strlen(gbk), 254u);
    r[1].name = gbk;
    m = load(write_layer("long-gbk", r, 2, "GBK", 254), NULL, NULL, NULL, 0, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, want);
    map_free(&m);
}

Test(map_input, text_cut_by_its_writer_loses_only_the_cut_character, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    char cut[16];
    snprintf(cut, sizeof cut, "%s", "乙镇");
    cut[strlen(cut) - 1] = '\0'; /* 镇 lost its last byte, as a 5-byte field cuts it */
    r[1].name = cut;
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(write_layer("cut", r, 2, "UTF-8", 32), NULL, NULL, log, sizeof log,
                            &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "乙");
    cr_assert(strstr(log, "1 record had text cut inside a character by the program that wrote "
                          "the file (the first record 2 (FID 1))"), "%s", log);
    map_free(&m);
    /* The same in GBK: a lead byte alone at the end. */
    char gbk[16];
    to_encoding("GB18030", "乙镇", gbk, sizeof gbk);
    gbk[strlen(gbk) - 1] = '\0';
    r[1].name = gbk;
    m = load(write_layer("cut-gbk", r, 2, "GBK", 32), NULL, NULL, log, sizeof log, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_str_eq(m->t[1].name, "乙");
    map_free(&m);
    /* Invalid bytes elsewhere stay an error. */
    char bad[16] = "\xe4\xb9\x99\xff\xe9\x95\x87";
    r[1].name = bad;
    cr_assert_null(load(write_layer("bad", r, 2, "UTF-8", 32), NULL, NULL, NULL, 0, &err));
    cr_assert(strstr(err.msg, "is not valid UTF-8 text"), "%s", err.msg);
}

/* ---- messages users can act on --------------------------------------------*/

Test(map_input, repair_warnings_give_the_place_in_the_inputs_crs, .init = setup)
{
    struct rec r[2];
    two_towns(r);
    double bx[] = {116.0, 116.2, 116.0, 116.2, 116.0}, by[] = {28.6, 28.8, 28.8, 28.6, 28.6};
    memcpy(r[1].x[0], bx, sizeof bx);
    memcpy(r[1].y[0], by, sizeof by);
    struct tc_error err;
    char log[4096];
    struct tc_map *m = load(write_layer("bowtie", r, 2, "UTF-8", 32), NULL, NULL, log,
                            sizeof log, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(strstr(log, "record 2 (FID 1) (code 2): invalid polygon (Self-intersection at "
                          "(116.100000, 28.700000)) made valid"), "%s", log);
    map_free(&m);
}

/* ---- counties that share a name -------------------------------------------*/

Test(map_input, counties_sharing_a_name_are_told_apart_by_code, .init = setup)
{
    char shp_path[400];
    snprintf(shp_path, sizeof shp_path, "%s/twins.shp", dir);
    struct rec r[3];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 3; i++)
        square(&r[i], 0, 115.8 + 0.2 * i, 28.6, 0.2);
    const char *codes[] = {"1", "2", "3"}, *county_codes[] = {"130105", "130105", "130503"};
    for (int pass = 0; pass < 2; pass++) {
        SHPHandle shp = SHPCreate(shp_path, SHPT_POLYGON);
        DBFHandle dbf = DBFCreateEx(shp_path, "UTF-8");
        DBFAddField(dbf, "code", FTString, 8, 0);
        DBFAddField(dbf, "name", FTString, 16, 0);
        DBFAddField(dbf, "county", FTString, 16, 0);
        if (pass == 0)
            DBFAddField(dbf, "cnty_code", FTString, 8, 0);
        for (int i = 0; i < 3; i++) {
            int start = 0;
            SHPObject *o = SHPCreateObject(SHPT_POLYGON, -1, 1, &start, NULL, 5, r[i].x[0],
                                           r[i].y[0], NULL, NULL);
            SHPWriteObject(shp, -1, o);
            SHPDestroyObject(o);
            DBFWriteStringAttribute(dbf, i, 0, codes[i]);
            DBFWriteStringAttribute(dbf, i, 1, "镇");
            DBFWriteStringAttribute(dbf, i, 2, "新华区"); /* in 石家庄 and in 沧州 */
            if (pass == 0)
                DBFWriteStringAttribute(dbf, i, 3, county_codes[i]);
        }
        SHPClose(shp);
        DBFClose(dbf);
        struct tc_error err;
        struct tc_map *m = load(shp_path, NULL, NULL, NULL, 0, &err);
        cr_assert_not_null(m, "%s", err.msg);
        if (pass == 0) {
            cr_assert_eq(m->n_counties, 2);
            cr_assert_eq(m->t[0].county_id, m->t[1].county_id);
            cr_assert_neq(m->t[0].county_id, m->t[2].county_id);
            cr_assert_str_eq(m->t[2].county_code, "130503");
        } else {
            cr_assert_eq(m->n_counties, 1, "without codes, the name is all there is");
        }
        map_free(&m);
    }
}
