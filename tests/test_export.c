/* The export stage: shapefiles read back with shapelib and GDAL's ogrinfo,
 * covered areas recomputed from the exported polygons, QML and the QGIS
 * project checked as XML (and with QGIS itself when its Python bindings are
 * installed). Runs are built by calling the stages directly on a hand-made
 * map with Chinese names. (The picture has tests/test_picture.c.) */
#include <criterion/criterion.h>
#include <math.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"
#include "towncov/coverage.h"
#include "towncov/export.h"
#include "towncov/textenc.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/run_outcome.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"
#include "towncov/sites.h"

/* Two counties; a township with a hole (filled by another), one in two
 * parts. */
static const struct fx_township towns[] = {
    {"360101001", "滕王阁街道", "东湖区", "subdistrict",
     "POLYGON((-6000 -6000, 0 -6000, 0 0, -6000 0, -6000 -6000),"
     "(-4000 -4000, -4000 -2000, -2000 -2000, -2000 -4000, -4000 -4000))",
     -1000, -1000},
    {"360101002", "百花洲街道", "东湖区", "town", FX_SQUARE(-4000, -4000, -2000, -2000),
     -3000, -3000},
    {"360102101", "梅岭镇", "湾里区", "town", FX_SQUARE(0, -6000, 6000, 0), 3000, -3000},
    {"360102201", "太平乡", "湾里区", "township",
     "MULTIPOLYGON(((-6000 1000, -1000 1000, -1000 6000, -6000 6000, -6000 1000)),"
     "((1000 1000, 6000 1000, 6000 6000, 1000 6000, 1000 1000)))", -3500,
     3500},
};
#define NTOWNS 4

/* Stations (fixture metres) and their ids. */
static const double station_xy[] = {-3000, -3000, -500, -3000, 3000, -3000, -3500, 3500,
                                    3500, 3500};
static const char *const station_id[] = {"s1", "基站-2", "s3", "s4", "s5"};
#define NSTATIONS 5

struct xrun {
    char dir[256], out[320];
    struct scenario *scn;
    struct tc_map *map;
    struct tc_sites *sites;
    struct tc_footprints *fp;
    struct cov_result *res;
    struct cov_parts *parts; /* NULL: the exporter falls back to GEOS */
    struct goal_verdict v;
    struct run_outcome run;
};

static void write_sites(const char *dir)
{
    char csv[4096] = "id,lon,lat\n", path[512];
    for (int i = 0; i < NSTATIONS; i++) {
        double lon, lat;
        fx_to_lonlat(station_xy[2 * i], station_xy[2 * i + 1], &lon, &lat);
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%s,%.12f,%.12f\n", station_id[i],
                 lon, lat);
    }
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    fx_write_text(path, csv);
}

/* The same map in WGS 84 lon/lat (vertices converted one by one). */
static void write_lonlat_map(const char *base)
{
    GEOSContextHandle_t ctx = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx);
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    const char *names[] = {"code", "name", "county", "kind"};
    for (int k = 0; k < 4; k++)
        DBFAddField(dbf, names[k], FTString, 64, 0);
    struct tc_error err;
    for (int i = 0; i < NTOWNS; i++) {
        char wkt[1024], *p = wkt;
        /* Rewrite every "x y" pair of the WKT as lon/lat. */
        for (const char *s = towns[i].wkt; *s;) {
            if ((*s == '-' || (*s >= '0' && *s <= '9'))) {
                char *end;
                double x = strtod(s, &end), y = strtod(end, &end), lon, lat;
                fx_to_lonlat(x, y, &lon, &lat);
                p += sprintf(p, "%.15f %.15f", lon, lat);
                s = end;
            } else {
                *p++ = *s++;
            }
        }
        *p = '\0';
        GEOSGeometry *g = GEOSWKTReader_read_r(ctx, rd, wkt);
        cr_assert_not_null(g, "%s", wkt);
        cr_assert_eq(shpio_write_polygon(ctx, shp, -1, g, &err), 0, "%s", err.msg);
        GEOSGeom_destroy_r(ctx, g);
        DBFWriteStringAttribute(dbf, i, 0, towns[i].code);
        DBFWriteStringAttribute(dbf, i, 1, towns[i].name);
        DBFWriteStringAttribute(dbf, i, 2, towns[i].county);
        DBFWriteStringAttribute(dbf, i, 3, towns[i].kind);
    }
    SHPClose(shp);
    DBFClose(dbf);
    GEOSWKTReader_destroy_r(ctx, rd);
    GEOS_finish_r(ctx);
    cr_assert_eq(shpio_write_sidecars(base, shpio_wgs84_wkt, &err), 0, "%s", err.msg);
}

/* Map, stations, footprints, coverage (keeping the covered parts' rings
 * as a run does, unless told not to) and verdict, then the layers in
 * x->out with `threads` threads. */
static void xrun_build_with(struct xrun *x, int lonlat, int footprints, int threads,
                            const char *sites_ini, int keep_rings)
{
    char path[512];
    fx_tmpdir(x->dir, sizeof x->dir);
    snprintf(path, sizeof path, "%s/map", x->dir);
    if (lonlat)
        write_lonlat_map(path);
    else
        fx_write_map(path, towns, NTOWNS);
    write_sites(x->dir);
    snprintf(path, sizeof path, "%s/far.csv", x->dir);
    fx_write_text(path, "id,lon,lat\nfar,10,10\n");
    char ini[1024];
    snprintf(ini, sizeof ini,
             "[scenario]\nname = 导出 export\n[map]\nfile = map.shp\n[sites]\n%s\n"
             "[radio]\nvertices = 64\nradius_subdistrict_m = 1500\n"
             "radius_town_m = 900\nradius_township_m = 1500\n[output]\nfootprints = %s\n",
             sites_ini, footprints ? "yes" : "no");
    snprintf(path, sizeof path, "%s/s.ini", x->dir);
    fx_write_text(path, ini);
    struct tc_error err = {0};
    x->scn = calloc(1, sizeof *x->scn);
    cr_assert_eq(scenario_load(path, NULL, 0, x->scn, &err), 0, "%s", err.msg);
    x->map = map_load(&x->scn->map, x->scn->base_dir, 1, NULL, &err);
    cr_assert_not_null(x->map, "%s", err.msg);
    x->sites = sites_place(&x->scn->sites, x->map, 1, x->scn->base_dir, 1, NULL, &err);
    cr_assert_not_null(x->sites, "%s", err.msg);
    struct radio_model *radio = radio_model_new(&x->scn->radio, &err);
    cr_assert_not_null(radio, "%s", err.msg);
    x->fp = footprints_build(radio, x->map, x->sites, 1, &err);
    radio_model_free(&radio);
    cr_assert_not_null(x->fp, "%s", err.msg);
    x->res = calloc((size_t)x->map->n, sizeof *x->res);
    x->parts = NULL;
    cr_assert_eq(cov_compute(&x->scn->coverage, x->map, x->sites, x->fp, NULL, 1, x->res,
                             keep_rings ? &x->parts : NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(goal_judge(&x->scn->goal, x->map, x->res, &x->v, &err), 0, "%s", err.msg);
    x->run = (struct run_outcome){
        .info = {.name = x->scn->info.name, .scenario_path = x->scn->path,
                 .seed = x->scn->info.seed, .engine = x->scn->coverage.engine},
        .goal = &x->scn->goal, .radio = &x->scn->radio, .output = &x->scn->output,
        .map = x->map, .sites = x->sites, .fp = x->fp, .results = x->res, .parts = x->parts,
        .verdict = &x->v, .threads = threads};
    snprintf(x->out, sizeof x->out, "%s/out", x->dir);
    cr_assert_eq(mkdir(x->out, 0777), 0);
    cr_assert_eq(export_layers(x->out, &x->run, threads, &err), 0, "%s", err.msg);
}

static void xrun_build(struct xrun *x, int lonlat, int footprints, int threads)
{
    xrun_build_with(x, lonlat, footprints, threads, "strategy = file\nfile = sites.csv", 1);
}

static void xrun_free(struct xrun *x)
{
    goal_verdict_free(&x->v);
    free(x->res);
    cov_parts_free(&x->parts);
    footprints_free(&x->fp);
    sites_free(&x->sites);
    map_free(&x->map);
    free(x->scn);
}

static void layer_path(const struct xrun *x, const char *layer, const char *ext, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s/%s.%s", x->out, layer, ext);
}

/* ---- attributes ------------------------------------------------------------*/
static void trimmed(const char *s, char *buf, size_t size)
{
    while (*s == ' ')
        s++;
    snprintf(buf, size, "%s", s);
    for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' ';)
        buf[--n] = '\0';
}

/* Every attribute of townships.dbf equals the same column of
 * townships.csv (same columns, same order, same number formats). */
Test(export, township_attributes_equal_the_report)
{
    struct xrun x;
    xrun_build(&x, 0, 0, 2);
    char path[512];
    snprintf(path, sizeof path, "%s/townships.csv", x.out);
    struct tc_error err;
    cr_assert_eq(report_write_csv(path, &x.run, &err), 0);
    char *csv = fx_read_file(path, NULL);
    layer_path(&x, "townships", "dbf", path, sizeof path);
    DBFHandle dbf = DBFOpen(path, "rb");
    cr_assert_not_null(dbf);
    cr_assert_eq(DBFGetRecordCount(dbf), NTOWNS);
    cr_assert_eq(DBFGetFieldCount(dbf), 16);
    char *line = strchr(csv, '\n') + 1;
    for (int i = 0; i < NTOWNS; i++) {
        char *end = strchr(line, '\n');
        *end = '\0';
        char *field = line;
        for (int k = 0; k < 13; k++) {
            char *comma = strchr(field, ',');
            if (comma)
                *comma = '\0';
            char got[300];
            trimmed(DBFReadStringAttribute(dbf, i, k), got, sizeof got);
            cr_assert_str_eq(got, field, "record %d field %d", i, k);
            field = comma ? comma + 1 : field;
        }
        line = end + 1;
    }
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 0, 1), "滕王阁街道");
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 3, 2), "湾里区");
    char name[12];
    DBFGetFieldInfo(dbf, 6, name, NULL, NULL);
    cr_assert_str_eq(name, "cov_frac");
    DBFClose(dbf);
    free(csv);
    xrun_free(&x);
}

Test(export, sites_seats_and_their_attributes)
{
    struct xrun x;
    xrun_build(&x, 0, 0, 1);
    char path[512];
    layer_path(&x, "sites", "shp", path, sizeof path);
    SHPHandle shp = SHPOpen(path, "rb");
    DBFHandle dbf = DBFOpen(path, "rb");
    cr_assert(shp && dbf);
    int n, type;
    SHPGetInfo(shp, &n, &type, NULL, NULL);
    cr_assert_eq(n, NSTATIONS);
    cr_assert_eq(type, SHPT_POINT);
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(DBFReadStringAttribute(dbf, i, 0), station_id[i]);
        cr_assert_str_eq(DBFReadStringAttribute(dbf, i, 2), "disc");
        cr_assert_str_eq(DBFReadStringAttribute(dbf, i, 5), "omni");
        cr_assert(DBFIsAttributeNULL(dbf, i, 4), "disc model: no height");
        cr_assert_float_eq(DBFReadDoubleAttribute(dbf, i, 7), footprint_info(x.fp, i)->max_range_m, 1e-3);
        /* Points back in the map's CRS: the fixture metres. */
        SHPObject *o = SHPReadObject(shp, i);
        cr_assert_float_eq(o->padfX[0], station_xy[2 * i], 1e-4);
        cr_assert_float_eq(o->padfY[0], station_xy[2 * i + 1], 1e-4); /* sites.csv: 1e-12 deg */
        SHPDestroyObject(o);
    }
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 1, 1), "360101001");
    SHPClose(shp);
    DBFClose(dbf);
    layer_path(&x, "seats", "dbf", path, sizeof path);
    dbf = DBFOpen(path, "rb");
    cr_assert_eq(DBFGetRecordCount(dbf), NTOWNS);
    for (int t = 0; t < NTOWNS; t++)
        cr_assert_str_eq(DBFReadStringAttribute(dbf, t, 3), x.res[t].seat_covered ? "yes" : "no");
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 1, 1), "百花洲街道");
    DBFClose(dbf);
    layer_path(&x, "footprints", "shp", path, sizeof path);
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "footprints.shp only when [output] footprints = yes");
    xrun_free(&x);
}

/* ---- geometry ----------------------------------------------------------------*/
/* Area (m²) of every record of a polygon layer, recomputed in the map's
 * metric CRS from the exported coordinates. */
static double record_area(PJ *pj, const SHPObject *o)
{
    double area = 0;
    for (int part = 0; part < o->nParts; part++) {
        int a = o->panPartStart[part];
        int b = part + 1 < o->nParts ? o->panPartStart[part + 1] : o->nVertices;
        double *xs = malloc(sizeof *xs * (size_t)(b - a));
        double *ys = malloc(sizeof *ys * (size_t)(b - a));
        for (int k = a; k < b; k++) {
            PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(o->padfX[k], o->padfY[k], 0, 0));
            xs[k - a] = c.xy.x;
            ys[k - a] = c.xy.y;
        }
        double s = 0;
        for (int i = 0, j = b - a - 1; i < b - a; j = i++)
            s += (xs[j] - xs[i]) * (ys[j] + ys[i]);
        area -= s / 2; /* s > 0 counter-clockwise: shells (clockwise) add, holes subtract */
        free(xs);
        free(ys);
    }
    return area;
}

static PJ *to_metric(PJ_CONTEXT *c, const struct xrun *x, const char *prj_path)
{
    char *wkt = fx_read_file(prj_path, NULL);
    cr_assert_not_null(wkt);
    PJ *raw = proj_create_crs_to_crs(c, wkt, x->map->metric_crs, NULL);
    cr_assert_not_null(raw);
    PJ *pj = proj_normalize_for_visualization(c, raw);
    proj_destroy(raw);
    free(wkt);
    return pj;
}

static int township_of(const struct xrun *x, const char *code)
{
    for (int t = 0; t < x->map->n; t++)
        if (strcmp(x->map->t[t].code, code) == 0)
            return t;
    return -1;
}

static void check_coverage_areas(const struct xrun *x)
{
    char path[512], prj[512];
    layer_path(x, "coverage", "shp", path, sizeof path);
    layer_path(x, "coverage", "prj", prj, sizeof prj);
    PJ_CONTEXT *c = proj_context_create();
    PJ *pj = to_metric(c, x, prj);
    SHPHandle shp = SHPOpen(path, "rb");
    DBFHandle dbf = DBFOpen(path, "rb");
    cr_assert(shp && dbf);
    int n, type, with_cover = 0;
    SHPGetInfo(shp, &n, &type, NULL, NULL);
    cr_assert_eq(type, SHPT_POLYGON);
    for (int t = 0; t < x->map->n; t++)
        with_cover += x->res[t].covered_m2 > 0;
    cr_assert_eq(n, with_cover, "one record per township with a covered part");
    for (int i = 0; i < n; i++) {
        int t = township_of(x, DBFReadStringAttribute(dbf, i, 0));
        cr_assert_geq(t, 0);
        SHPObject *o = SHPReadObject(shp, i);
        double got = record_area(pj, o), want = x->res[t].covered_m2;
        cr_assert(fabs(got - want) <= 1e-6 * want, "township %s: exported %.6f m2, covered %.6f",
                  x->map->t[t].code, got, want);
        SHPDestroyObject(o);
    }
    SHPClose(shp);
    DBFClose(dbf);
    proj_destroy(pj);
    proj_context_destroy(c);
}

Test(export, coverage_polygons_have_the_covered_area)
{
    struct xrun x;
    xrun_build(&x, 0, 0, 2);
    cr_assert_not_null(x.parts);
    for (int t = 0; t < x.map->n; t++)
        cr_assert_not(x.parts->missing[t], "township %s: no rings kept", x.map->t[t].code);
    check_coverage_areas(&x);
    xrun_free(&x);
}

/* Without the coverage phase's rings the exporter builds the covered parts
 * with GEOS: the same areas. */
Test(export, coverage_polygons_without_kept_rings)
{
    struct xrun x;
    xrun_build_with(&x, 0, 0, 2, "strategy = file\nfile = sites.csv", 0);
    cr_assert_null(x.parts);
    check_coverage_areas(&x);
    xrun_free(&x);
}

Test(export, lonlat_map_round_trips_and_keeps_its_prj)
{
    struct xrun x;
    xrun_build(&x, 1, 0, 2);
    check_coverage_areas(&x);
    char path[512], in[512];
    layer_path(&x, "townships", "prj", path, sizeof path);
    snprintf(in, sizeof in, "%s/map.prj", x.dir);
    char *a = fx_read_file(path, NULL), *b = fx_read_file(in, NULL);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    /* Every input vertex comes back (the loader adds vertices along
     * lon/lat edges, which are curves in a projected CRS). */
    layer_path(&x, "townships", "shp", path, sizeof path);
    snprintf(in, sizeof in, "%s/map.shp", x.dir);
    SHPHandle out = SHPOpen(path, "rb"), src = SHPOpen(in, "rb");
    for (int t = 0; t < x.map->n; t++) {
        SHPObject *o = SHPReadObject(out, t), *s = SHPReadObject(src, x.map->t[t].record);
        cr_assert_eq(o->nParts, s->nParts);
        for (int k = 0; k < s->nVertices; k++) {
            int found = 0;
            for (int j = 0; j < o->nVertices && !found; j++)
                found = fabs(o->padfX[j] - s->padfX[k]) < 1e-9 &&
                        fabs(o->padfY[j] - s->padfY[k]) < 1e-9;
            cr_assert(found, "township %d: input vertex (%.12f %.12f) not exported", t,
                      s->padfX[k], s->padfY[k]);
        }
        SHPDestroyObject(o);
        SHPDestroyObject(s);
    }
    SHPClose(out);
    SHPClose(src);
    xrun_free(&x);
}

Test(export, footprints_when_asked)
{
    struct xrun x;
    xrun_build(&x, 0, 1, 2);
    char path[512];
    layer_path(&x, "footprints", "shp", path, sizeof path);
    SHPHandle shp = SHPOpen(path, "rb");
    cr_assert_not_null(shp);
    int n;
    SHPGetInfo(shp, &n, NULL, NULL, NULL);
    cr_assert_eq(n, NSTATIONS);
    SHPObject *o = SHPReadObject(shp, 0);
    cr_assert_eq(o->nVertices, 65, "64-gon, closed");
    SHPDestroyObject(o);
    SHPClose(shp);
    layer_path(&x, "footprints", "qml", path, sizeof path);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    xrun_free(&x);
}

Test(export, same_files_for_one_and_two_threads)
{
    struct xrun a, b;
    xrun_build(&a, 0, 1, 1);
    xrun_build(&b, 0, 1, 2);
    const char *layers[] = {"townships", "coverage", "seats", "sites", "footprints"};
    for (int i = 0; i < 5; i++)
        for (int e = 0; e < 2; e++) {
            char pa[512], pb[512];
            layer_path(&a, layers[i], e ? "dbf" : "shp", pa, sizeof pa);
            layer_path(&b, layers[i], e ? "dbf" : "shp", pb, sizeof pb);
            size_t la, lb;
            char *x = fx_read_file(pa, &la), *y = fx_read_file(pb, &lb);
            cr_assert(x && y && la == lb && memcmp(x, y, la) == 0, "%s differs", pa);
            free(x);
            free(y);
        }
    xrun_free(&a);
    xrun_free(&b);
}

/* ---- what other programs make of the files -------------------------------------*/
Test(export, ogrinfo_reads_every_layer_with_its_crs)
{
    struct xrun x;
    xrun_build(&x, 0, 1, 2);
    const char *layers[] = {"townships", "coverage", "seats", "sites", "footprints"};
    long want[] = {NTOWNS, 0, NTOWNS, NSTATIONS, NSTATIONS};
    for (int t = 0; t < NTOWNS; t++)
        want[1] += x.res[t].covered_m2 > 0;
    for (int i = 0; i < 5; i++) {
        char path[512], cmd[700], out[16384];
        layer_path(&x, layers[i], "shp", path, sizeof path);
        snprintf(cmd, sizeof cmd, "ogrinfo -ro -al -so '%s' 2>&1", path);
        cr_assert_eq(fx_sh(cmd, out, sizeof out), 0, "%s", out);
        char count[64];
        snprintf(count, sizeof count, "Feature Count: %ld\n", want[i]);
        cr_assert_not_null(strstr(out, count), "%s: %s", layers[i], out);
        const char *srs = strstr(out, "Layer SRS WKT:\n");
        cr_assert(srs && strncmp(srs + 15, "(unknown)", 9) != 0, "%s: no CRS: %s", layers[i],
                  out);
        cr_assert_not_null(strstr(out, "Lambert"), "%s: not the map's CRS: %s", layers[i], out);
    }
    xrun_free(&x);
}

static void assert_xml(const char *path)
{
    char cmd[700], out[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import sys, xml.dom.minidom; "
                              "xml.dom.minidom.parse(sys.argv[1])' '%s' 2>&1", path);
    cr_assert_eq(fx_sh(cmd, out, sizeof out), 0, "%s is not well-formed XML: %s", path, out);
}

Test(export, styles_and_project_are_xml_naming_every_layer)
{
    struct xrun x;
    xrun_build(&x, 0, 1, 2);
    const char *layers[] = {"townships", "coverage", "seats", "sites", "footprints"};
    char path[512];
    snprintf(path, sizeof path, "%s/towncov.qgs", x.out);
    assert_xml(path);
    char *qgs = fx_read_file(path, NULL);
    for (int i = 0; i < 5; i++) {
        char ref[64];
        snprintf(ref, sizeof ref, "<datasource>./%s.shp</datasource>", layers[i]);
        cr_assert_not_null(strstr(qgs, ref), "towncov.qgs lacks %s", ref);
        layer_path(&x, layers[i], "qml", path, sizeof path);
        assert_xml(path);
    }
    cr_assert_not_null(strstr(qgs, "<Absolute type=\"bool\">false</Absolute>"));
    /* Drawing order townships, coverage, seats, sites, footprints: the
     * layer tree lists the top layer first. */
    char *order[5];
    for (int i = 0; i < 5; i++) {
        char id[64];
        snprintf(id, sizeof id, "<item>towncov_%s</item>", layers[i]);
        order[i] = strstr(qgs, id);
        cr_assert_not_null(order[i]);
        if (i)
            cr_assert(order[i] < order[i - 1], "%s is not above %s", layers[i], layers[i - 1]);
    }
    layer_path(&x, "townships", "qml", path, sizeof path);
    char *qml = fx_read_file(path, NULL);
    cr_assert_not_null(strstr(qml, "type=\"graduatedSymbol\" attr=\"cov_frac\""));
    cr_assert_not_null(strstr(qml, "&quot;goal_met&quot; = &apos;no&apos;"));
    free(qml);
    free(qgs);
    xrun_free(&x);
}

/* The fixture's run builds no seat areas: its seat_areas layer is empty. */
static const char qgis_check[] =
    "import os, sys\n"
    "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
    "from qgis.core import QgsApplication, QgsProject, QgsVectorLayer\n"
    "app = QgsApplication([], False); app.initQgis()\n"
    "d = sys.argv[1]; p = QgsProject.instance()\n"
    "assert p.read(os.path.join(d, 'towncov.qgs')), 'read failed'\n"
    "assert p.crs().isValid(), 'project CRS invalid'\n"
    "names = [l.name() for l in p.layerTreeRoot().layerOrder()]\n"
    "want = ['footprints', 'sites', 'seats', 'seat_areas', 'coverage', 'townships']\n"
    "assert names == want, names\n"
    "for l in p.mapLayers().values():\n"
    "    assert l.isValid(), l.name()\n"
    "    assert l.crs().isValid(), l.name()\n"
    "    if l.name() == 'seat_areas':  # this fixture's run computes no seat areas\n"
    "        assert l.featureCount() == 0, l.featureCount()\n"
    "    else:\n"
    "        assert l.featureCount() > 0, l.name()\n"
    "    v = QgsVectorLayer(os.path.join(d, l.name() + '.shp'), l.name(), 'ogr')\n"
    "    msg, ok = v.loadNamedStyle(os.path.join(d, l.name() + '.qml'))\n"
    "    assert ok, (l.name(), msg)\n"
    "    assert v.renderer().type() == l.renderer().type(), l.name()\n"
    "t = p.mapLayersByName('townships')[0]\n"
    "assert t.renderer().type() == 'graduatedSymbol'\n"
    "assert len(t.renderer().ranges()) == 5\n"
    "assert [f['name'] for f in t.getFeatures()][0] == '滕王阁街道'\n"
    "assert p.mapLayersByName('seats')[0].renderer().type() == 'categorizedSymbol'\n"
    "print('ok')\n";

Test(export, qgis_opens_the_project, .timeout = 120)
{
    char out[8192];
    if (fx_sh("/usr/bin/python3 -c 'import qgis.core' 2>&1", out, sizeof out) != 0)
        cr_skip_test("no QGIS Python bindings (python3-qgis)");
    struct xrun x;
    xrun_build(&x, 0, 1, 2);
    char script[512], cmd[1200];
    snprintf(script, sizeof script, "%s/check.py", x.dir);
    fx_write_text(script, qgis_check);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' 2>&1", script, x.out);
    int rc = fx_sh(cmd, out, sizeof out);
    cr_assert(rc == 0 && strstr(out, "ok"), "QGIS: %s", out);
    xrun_free(&x);
}

Test(export, no_stations_gives_empty_layers)
{
    struct xrun x;
    /* The only station stands outside the map and is dropped. */
    xrun_build_with(&x, 0, 1, 2, "strategy = file\nfile = far.csv\noutside = drop", 1);
    const char *layers[] = {"coverage", "sites", "footprints"};
    for (int i = 0; i < 3; i++) {
        char path[512];
        layer_path(&x, layers[i], "shp", path, sizeof path);
        SHPHandle shp = SHPOpen(path, "rb");
        cr_assert_not_null(shp, "%s", path);
        int n;
        SHPGetInfo(shp, &n, NULL, NULL, NULL);
        cr_assert_eq(n, 0, "%s", layers[i]);
        SHPClose(shp);
    }
    xrun_free(&x);
}

/* ---- limits ----------------------------------------------------------------------*/
Test(export, utf8_cut_never_splits_a_character)
{
    char s[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(s, "镇"); /* 3 bytes each: 300 bytes */
    cr_assert_eq(textenc_utf8_prefix(s, strlen(s), EXPORT_STRING_MAX), 252);
    cr_assert_eq(textenc_utf8_prefix(s, strlen(s), 253), 252);
    cr_assert_eq(textenc_utf8_prefix(s, strlen(s), 255), 255);
    cr_assert_eq(textenc_utf8_prefix("abc", strlen("abc"), 254), 3);
    cr_assert_eq(textenc_utf8_prefix("a镇", strlen("a镇"), 2), 1);
    cr_assert_eq(textenc_utf8_prefix("a镇", strlen("a镇"), 4), 4);
}

Test(export, size_limit_names_the_layer)
{
    struct tc_error err = {0};
    cr_assert_eq(export_check_size("sites", 1e9, 1e9, &err), 0);
    cr_assert_eq(export_check_size("footprints", 3e9, 1e6, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_RESOURCE);
    cr_assert_not_null(strstr(err.msg, "footprints.shp"), "%s", err.msg);
    cr_assert_eq(export_check_size("sites", 1e6, 2.2e9, &err), -1);
    cr_assert_not_null(strstr(err.msg, "sites.dbf"), "%s", err.msg);
}

Test(export, unwritable_folder_is_an_output_error)
{
    struct xrun x;
    xrun_build(&x, 0, 0, 1);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/missing", x.dir);
    struct tc_error err = {0};
    cr_assert_eq(export_layers(dir, &x.run, 1, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "townships"), "%s", err.msg);
    xrun_free(&x);
}
