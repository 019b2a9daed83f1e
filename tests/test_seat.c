/* Seat areas (乡镇镇区): modelled discs worked by hand (inside, clipped at the
 * border, the whole township for a radius of 0) and a layer joined by code
 * (a township missing from it is modelled, with a note; a record without a
 * code is refused with its record). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/seat.h"

static char dir[256];
static struct scenario scn;

static const struct fx_township towns[] = {
    {"1", "甲镇", "c", "town", FX_SQUARE(-7500, -5000, -2500, 5000), -5000, 0},
    {"2", "乙乡", "c", "township", FX_SQUARE(-2500, -5000, 2500, 5000), -2500, 0}, /* on the border */
    {"3", "丙街道", "c", "subdistrict", FX_SQUARE(2500, -5000, 7500, 5000), 5000, 0}};
/* (The extent is symmetric about the origin: towncov's metric CRS is then
 * the fixture's, and coordinates are exact.) */

static struct tc_map *load_map(void)
{
    fx_tmpdir(dir, sizeof dir);
    char base[300];
    snprintf(base, sizeof base, "%s/map", dir);
    fx_write_map(base, towns, 3);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    struct tc_error err;
    struct tc_map *m = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    return m;
}

static struct tc_seat_areas *build(const struct tc_map *m, char *log, size_t size,
                                   struct tc_error *err)
{
    FILE *warn = tmpfile();
    struct tc_seat_areas *s = seat_areas_build(&scn.seat, m, NULL, 2, warn, err);
    rewind(warn);
    size_t got = fread(log, 1, size - 1, warn);
    log[got] = '\0';
    fclose(warn);
    return s;
}

Test(seat, modelled_discs_worked_by_hand)
{
    struct tc_map *m = load_map();
    struct tc_error err;
    char log[1024];
    struct tc_seat_areas *s = build(m, log, sizeof log, &err);
    cr_assert_not_null(s, "%s", err.msg);
    double town = fx_ngon_area(850, SEAT_DISC_VERTICES);
    double township = fx_ngon_area(450, SEAT_DISC_VERTICES);
    cr_assert(fabs(s->area_m2[0] - town) < 1e-6 * town, "%g vs %g", s->area_m2[0], town);
    /* On the border: the 64-gon is symmetric about it, so exactly half. */
    cr_assert(fabs(s->area_m2[1] - township / 2) < 1e-6 * township, "%g vs %g", s->area_m2[1],
              township / 2);
    cr_assert(fabs(s->area_m2[2] - 50e6) < 1e-3, "a subdistrict's seat area is all of it: %g",
              s->area_m2[2]);
    cr_assert_eq(s->modelled, 3);
    cr_assert_str_eq(log, "", "no layer, no note: %s", log);
    seat_areas_free(&s);
    /* Radii are keys: 0 for towns makes theirs the whole township. */
    scn.seat.radius_m[KIND_TOWN] = 0;
    s = build(m, log, sizeof log, &err);
    cr_assert(fabs(s->area_m2[0] - 50e6) < 1e-3, "%g", s->area_m2[0]);
    seat_areas_free(&s);
    map_free(&m);
}

Test(seat, a_layer_is_joined_by_code_and_the_rest_modelled)
{
    struct tc_map *m = load_map();
    /* The layer: a 1 km square for township 1 and one poking out of
     * township 3 (clipped), nothing for township 2. */
    const struct fx_township layer[] = {
        {"1", "", "", "", FX_SQUARE(-5500, -500, -4500, 500), -5000, 0},
        {"3", "", "", "", FX_SQUARE(7000, -500, 8000, 500), 7200, 0}};
    char base[300];
    snprintf(base, sizeof base, "%s/seats", dir);
    fx_write_map(base, layer, 2);
    snprintf(scn.seat.areas_file, sizeof scn.seat.areas_file, "%s.shp", base);
    struct tc_error err;
    char log[1024];
    struct tc_seat_areas *s = build(m, log, sizeof log, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert(fabs(s->area_m2[0] - 1e6) < 1e-3, "%g", s->area_m2[0]);
    cr_assert(fabs(s->area_m2[2] - 0.5e6) < 1e-3, "clipped to its township: %g", s->area_m2[2]);
    cr_assert(s->from_layer[0] && !s->from_layer[1] && s->from_layer[2]);
    cr_assert_eq(s->modelled, 1);
    cr_assert(strstr(log, "seats.shp: 1 of 3 townships have no seat area in it; theirs are "
                          "modelled"), "%s", log);
    seat_areas_free(&s);
    map_free(&m);
}

Test(seat, a_layer_record_without_a_code_is_refused_with_its_record)
{
    struct tc_map *m = load_map();
    const struct fx_township layer[] = {
        {"1", "", "", "", FX_SQUARE(-5500, -500, -4500, 500), -5000, 0},
        {" ", "", "", "", FX_SQUARE(1000, -500, 2000, 500), 1500, 0}};
    char base[300];
    snprintf(base, sizeof base, "%s/seats", dir);
    fx_write_map(base, layer, 2);
    snprintf(scn.seat.areas_file, sizeof scn.seat.areas_file, "%s.shp", base);
    struct tc_error err;
    char log[1024];
    cr_assert_null(build(m, log, sizeof log, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "seats.shp: record 2 (FID 1): empty township code"), "%s", err.msg);
    map_free(&m);
}

/* Writes the layer seats.shp and points scn at it. */
static void write_layer(const struct fx_township *layer, int n)
{
    char base[300];
    snprintf(base, sizeof base, "%s/seats", dir);
    fx_write_map(base, layer, n);
    snprintf(scn.seat.areas_file, sizeof scn.seat.areas_file, "%s.shp", base);
}

/* A seat area of the layer outside its township would be 0 km2, and a
 * share of nothing would fail the township: it is modelled instead, with
 * a warning giving the count; none inside at all is an error. */
Test(seat, a_seat_area_outside_its_township_is_modelled_with_a_warning)
{
    struct tc_map *m = load_map();
    const struct fx_township layer[] = {
        {"1", "", "", "", FX_SQUARE(-5500, -500, -4500, 500), -5000, 0},
        {"2", "", "", "", FX_SQUARE(40000, -500, 41000, 500), 40500, 0}, /* off the map */
        {"3", "", "", "", FX_SQUARE(-5500, 1000, -4500, 2000), -5000, 0}}; /* in township 1 */
    write_layer(layer, 3);
    struct tc_error err = {0};
    char log[1024];
    struct tc_seat_areas *s = build(m, log, sizeof log, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert(s->from_layer[0] && !s->outside[0]);
    for (int t = 1; t < 3; t++) {
        cr_assert(s->outside[t] && !s->from_layer[t], "township %d", t + 1);
        cr_assert(s->area_m2[t] > 0, "township %d: a seat area of 0 km2", t + 1);
    }
    /* Modelled as any other: township 2's disc on its border, halved. */
    double township = fx_ngon_area(450, SEAT_DISC_VERTICES);
    cr_assert(fabs(s->area_m2[1] - township / 2) < 1e-6 * township, "%g", s->area_m2[1]);
    cr_assert(strstr(log, "towncov: warning: ") &&
              strstr(log, "seats.shp: 2 seat areas lie outside their townships (the first: "
                          "code 2): no share of 0 km2 can be judged, so theirs are modelled"),
              "%s", log);
    cr_assert_null(strstr(log, "have no seat area in it"), "counted as lacking too: %s", log);
    seat_areas_free(&s);
    /* Every one outside (a layer in the wrong place): an error. */
    const struct fx_township away[] = {
        {"1", "", "", "", FX_SQUARE(40000, -500, 41000, 500), 40500, 0},
        {"2", "", "", "", FX_SQUARE(42000, -500, 43000, 500), 42500, 0}};
    write_layer(away, 2);
    cr_assert_null(build(m, log, sizeof log, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "seats.shp: none of its 2 seat areas lies in its township (2 "
                              "outside them"), "%s", err.msg);
    map_free(&m);
}

/* map.repair = no refuses an invalid seat area as it refuses an invalid
 * township; yes repairs both. */
Test(seat, repair_no_refuses_a_bow_tie_seat_area)
{
    const struct fx_township layer[] = {
        {"1", "", "", "", "POLYGON((-5500 -500, -4500 500, -4500 -500, -5500 500, "
                          "-5500 -500))", -5000, 0}};
    struct tc_map *m = load_map();
    write_layer(layer, 1);
    struct tc_error err = {0};
    char log[1024];
    struct tc_seat_areas *s = build(m, log, sizeof log, &err);
    cr_assert_not_null(s, "repair = yes: %s", err.msg);
    cr_assert(s->from_layer[0] && fabs(s->area_m2[0] - 0.5e6) < 1e-3, "%g", s->area_m2[0]);
    seat_areas_free(&s);
    map_free(&m);

    char base[300];
    snprintf(base, sizeof base, "%s/map.shp", dir);
    scn.map.repair = 0;
    snprintf(scn.map.file, sizeof scn.map.file, "%s", base);
    m = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_null(build(m, log, sizeof log, &err), "a bow-tie was repaired under repair = no");
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "seats.shp: record 1 (FID 0)") &&
              strstr(err.msg, "map.repair = no"), "%s", err.msg);
    map_free(&m);
}

/* The layer lacks the field [map] seat_area_code_field names: the error
 * names that key (not the map's code_field). */
Test(seat, a_missing_code_field_names_its_key)
{
    struct tc_map *m = load_map();
    const struct fx_township layer[] = {
        {"1", "", "", "", FX_SQUARE(-5500, -500, -4500, 500), -5000, 0}};
    write_layer(layer, 1);
    snprintf(scn.seat.code_field, sizeof scn.seat.code_field, "zone_id");
    struct tc_error err = {0};
    char log[1024];
    cr_assert_null(build(m, log, sizeof log, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "seats.shp: no attribute 'zone_id' (map.seat_area_code_field)"),
              "%s", err.msg);
    map_free(&m);
}
