/* Inputs that used to give a silent wrong answer: key points without a
 * coordinate, an integer key beyond what a double holds, and a checksum
 * blind to the seat areas. Each now an error naming file:line, or a
 * result that tells them apart. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* dir/name (fx_path: rotating buffers). */
#define at(name) fx_path(dir, "%s", name)

/* map.shp (a town and a township) and s.ini with `extra` appended. */
static void setup(const char *extra)
{
    fx_tmpdir(dir, sizeof dir);
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-10000, -5000, 0, 5000), -5000, 0},
        {"2", "乙乡", "c", "township", FX_SQUARE(0, -5000, 10000, 5000), 5000, 0}};
    fx_write_map(at("map"), t, 2);
    char ini[2048];
    snprintf(ini, sizeof ini, "[scenario]\nname = judged\n[map]\nfile = map.shp\n%s"
             "[sites]\nstrategy = uniform\ncount = 4\n[radio]\nvertices = 16\n", extra);
    fx_write_text(at("s.ini"), ini);
}

static int run(const char *fmt, ...)
{
    char more[1024], args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(more, sizeof more, fmt, ap);
    va_end(ap);
    snprintf(args, sizeof args, "run %s --quiet --out %s %s", at("s.ini"), at("out"), more);
    return fx_run(args, out, sizeof out);
}

Test(judged, key_points_without_a_coordinate_are_refused_with_their_line)
{
    setup("key_points = keys.csv\n");
    /* No lat column at all. */
    fx_write_text(at("keys.csv"), "code,kind,lon\n1,school,114.5\n");
    cr_assert_eq(run(""), 5, "%s", out);
    cr_assert(strstr(out, "keys.csv:1: no column 'lat'"), "%s", out);
    /* An empty lon, an empty lat, a short row: each its own line. */
    const char *rows[] = {"1,school,,0.01\n", "1,school,0.01,\n", "1,school\n",
                          "1,school, ,0.01\n"};
    for (int i = 0; i < 4; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, "code,kind,lon,lat\n2,clinic,0.01,0\n%s", rows[i]);
        fx_write_text(at("keys.csv"), csv);
        cr_assert_eq(run(""), 5, "row '%s': %s", rows[i], out);
        cr_assert(strstr(out, "towncov: error: ") && strstr(out, "keys.csv:3: ") &&
                  strstr(out, "is not a longitude and latitude"), "row '%s': %s", rows[i], out);
    }
}

Test(judged, an_integer_beyond_its_range_is_refused_not_rounded)
{
    setup("");
    /* 2^53 + 1 is 2^53 as a double, the range's end: it must not pass. */
    fx_write_text(at("s.ini"), "[scenario]\nname = judged\nseed = 9007199254740993\n"
                               "[map]\nfile = map.shp\n[sites]\nstrategy = uniform\ncount = 4\n");
    cr_assert_eq(run(""), 3, "%s", out);
    cr_assert(strstr(out, "s.ini:3: scenario.seed = 9007199254740993 is out of range [0, "
                          "9007199254740992]"), "%s", out);
    /* Far past a long long, and through --set. */
    cr_assert_eq(run("--set scenario.seed=99999999999999999999"), 3, "%s", out);
    cr_assert(strstr(out, "out of range"), "%s", out);
    /* The range's end itself, in digits, is a seed. */
    fx_write_text(at("s.ini"), "[scenario]\nname = judged\nseed = 9007199254740992\n"
                               "[map]\nfile = map.shp\n[sites]\nstrategy = uniform\ncount = 4\n");
    cr_assert_eq(run(""), 0, "%s", out);
    char *json = fx_read_file(at("out/summary.json"), NULL);
    cr_assert(json && strstr(json, "9007199254740992"), "the seed was not kept exactly");
    free(json);
    /* Other forms still read where a double is exact; not beyond. */
    cr_assert_eq(run("--set sites.count=4e0"), 0, "%s", out);
    cr_assert_eq(run("--set scenario.seed=9.007199254740993e15"), 3, "%s", out);
    cr_assert(strstr(out, "write an integer this large in digits"), "%s", out);
}

/* The checksum of summary.json's "checksum" line. */
static char *checksum(void)
{
    static char sum[64];
    char *json = fx_read_file(at("out/summary.json"), NULL);
    cr_assert_not_null(json);
    char *p = strstr(json, "\"checksum\": \"");
    cr_assert_not_null(p, "%s", json);
    snprintf(sum, sizeof sum, "%.16s", p + 13);
    free(json);
    return sum;
}

Test(judged, the_checksum_tells_seat_radii_apart)
{
    setup("");
    cr_assert_eq(run("--set goal.seat_radius_town_m=850 --set goal.seat_radius_township_m=450 "
                     "--set sites.count=1"), 0, "%s", out);
    char wide[64];
    snprintf(wide, sizeof wide, "%s", checksum());
    cr_assert_eq(run("--set goal.seat_radius_town_m=100 --set goal.seat_radius_township_m=100 "
                     "--set sites.count=1"), 0, "%s", out);
    cr_assert_str_neq(checksum(), wide, "seat radius 850 m and 100 m: the same checksum");
}
