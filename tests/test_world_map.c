/* A world map without .prj, as TM_WORLD_BORDERS_SIMPL-0.3 ships: lon
 * -180..180, lat -90..83.57, its Antarctica reaching a hair past the pole
 * (-90.00000000000001 in the file): lon/lat, closed at the poles and the
 * antimeridian, so it is read as WGS 84. A vertex the map's equal-area CRS
 * cannot take is named in the error. */
#include <criterion/criterion.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

struct shape {
    const char *code;
    int n;
    double xy[16];
};

/* base.shp/.shx/.dbf (code, name; no .prj: lon/lat by assumption). */
static void write_world(const char *base, const struct shape *s, int n)
{
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreate(base);
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 8, 0);
    DBFAddField(dbf, "name", FTString, 16, 0);
    for (int i = 0; i < n; i++) {
        double x[8], y[8];
        for (int k = 0; k < s[i].n; k++) {
            x[k] = s[i].xy[2 * k];
            y[k] = s[i].xy[2 * k + 1];
        }
        SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, s[i].n, x, y, NULL);
        cr_assert_eq(SHPWriteObject(shp, -1, o), i);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, s[i].code);
        DBFWriteStringAttribute(dbf, i, 1, s[i].code);
    }
    SHPClose(shp);
    DBFClose(dbf);
}

static int run_on(const char *map)
{
    char path[512], ini[1024], args[2048];
    snprintf(ini, sizeof ini, "[scenario]\nname = world\n[map]\nfile = %s.shp\n"
             "county_field =\n[sites]\nstrategy = uniform\ncount = 20\n[radio]\n"
             "vertices = 16\n", map);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, ini);
    snprintf(args, sizeof args, "run %s --quiet --out %s/out --set output.layers=no "
             "--set output.picture=no", path, dir);
    return fx_run(args, out, sizeof out);
}

Test(world_map, a_world_map_without_prj_is_lon_lat)
{
    fx_tmpdir(dir, sizeof dir);
    /* Clockwise shells, as shapefiles have them. */
    const struct shape world[] = {
        {"ATA", 7, {-180.00000000000003, -90.00000000000001, -180, -70, -60, -63, 60, -66,
                    180, -63, 180, -90, -180.00000000000003, -90.00000000000001}},
        {"GRL", 5, {-73, 60, -73, 83.5703, -12, 83.5703, -12, 60, -73, 60}},
        {"FJI", 5, {177, -19, 177, -16, 180, -16, 180, -19, 177, -19}},
        {"CHN", 5, {100, 25, 100, 40, 120, 40, 120, 25, 100, 25}}};
    char base[512];
    snprintf(base, sizeof base, "%s/world", dir);
    write_world(base, world, 4);
    cr_assert_eq(run_on("world"), 0, "%s", out);
    cr_assert(strstr(out, "world.prj: missing; taking WGS 84 lon/lat"), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    char *csv = fx_read_file(path, NULL);
    cr_assert(csv && strstr(csv, "\nATA,") && strstr(csv, "\nGRL,"), "%s", csv);
    free(csv);
}

Test(world_map, a_vertex_the_metric_crs_cannot_take_is_named)
{
    fx_tmpdir(dir, sizeof dir);
    /* Centred on (0, 0): (180, 0), a vertex of PAC, is the antipode, where
     * the Lambert azimuthal equal-area projection is undefined. */
    const struct shape band[] = {
        {"PAC", 6, {170, -10, 170, 10, 180, 10, 180, 0, 180, -10, 170, -10}},
        {"WST", 5, {-180, -10, -180, 10, -170, 10, -170, -10, -180, -10}}};
    char base[512];
    snprintf(base, sizeof base, "%s/band", dir);
    write_world(base, band, 2);
    cr_assert_eq(run_on("band"), 4, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") &&
              strstr(out, "band.shp: record 1 (FID 0) (code PAC): the vertex (180, 0) cannot be "
                          "projected to the map's equal-area CRS"), "%s", out);
}
