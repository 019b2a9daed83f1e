/* Placement: counts by strategy, every site inside its township, the same
 * sites for any number of threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

static struct tc_map *map;
static struct scenario scn;

/* Four 20 km squares, one of each kind; the subdistrict is an L shape so
 * rejection sampling has something to reject. */
static void setup(void)
{
    static const struct fx_township t[] = {
        {"11", "sw", "a", "subdistrict",
         "POLYGON((-20000 -20000, 0 -20000, 0 -10000, -10000 -10000, -10000 0, -20000 0, "
         "-20000 -20000))", -15000, -15000},
        {"12", "se", "a", "town", "POLYGON((0 -20000, 20000 -20000, 20000 0, 0 0, 0 -20000))",
         10000, -10000},
        {"21", "nw", "b", "township", "POLYGON((-20000 0, 0 0, 0 20000, -20000 20000, -20000 0))",
         -10000, 10000},
        {"22", "ne", "b", "special", "POLYGON((0 0, 20000 0, 20000 20000, 0 20000, 0 0))", 10000,
         10000}};
    char dir[256], base[300];
    fx_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/map", dir);
    fx_write_map(base, t, 4);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    struct tc_error err;
    map = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(map, "%s", err.msg);
}

static void teardown(void)
{
    map_free(&map);
}

static long count_in(const struct tc_sites *s, int t)
{
    long n = 0;
    for (long i = 0; i < s->n; i++)
        n += s->township[i] == t;
    return n;
}

Test(sites, weighted_counts_follow_area_times_weight, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 1300;
    struct tc_sites *s = sites_place(&scn.sites, map, 1, NULL, 2, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 1300);
    /* weights 8, 2, 1, 1 on areas 3, 4, 4, 4 (x 1e8 m2): 24+8+4+4 = 40 */
    cr_assert_eq(count_in(s, 0), 780);
    cr_assert_eq(count_in(s, 1), 260);
    cr_assert_eq(count_in(s, 2), 130);
    cr_assert_eq(count_in(s, 3), 130);
    sites_free(&s);
}

Test(sites, every_site_stands_in_its_township, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 2000;
    scn.sites.strategy = SITES_UNIFORM;
    struct tc_sites *s = sites_place(&scn.sites, map, 99, NULL, 2, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(map, ctx);
    for (long i = 0; i < s->n; i++)
        cr_assert_eq(map_locate(loc, s->x[i], s->y[i]), s->township[i], "site %ld", i);
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    /* uniform: proportional to area 3:4:4:4 */
    cr_assert_eq(count_in(s, 0), 400);
    sites_free(&s);
}

Test(sites, seats_first_then_weighted, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 10;
    scn.sites.strategy = SITES_SEATS;
    struct tc_sites *s = sites_place(&scn.sites, map, 1, NULL, 1, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    for (int t = 0; t < 4; t++) {
        cr_assert_eq(s->x[t], map->t[t].seat_x);
        cr_assert_eq(s->y[t], map->t[t].seat_y);
    }
    sites_free(&s);
    scn.sites.count = 3;
    cr_assert_null(sites_place(&scn.sites, map, 1, NULL, 1, NULL, &err));
    cr_assert(strstr(err.msg, "sites.count >= 4"), "%s", err.msg);
}

Test(sites, same_sites_for_any_thread_count_and_seed_matters, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.count = 5000;
    struct tc_sites *a = sites_place(&scn.sites, map, 5, NULL, 1, NULL, &err);
    struct tc_sites *b = sites_place(&scn.sites, map, 5, NULL, 2, NULL, &err);
    struct tc_sites *c = sites_place(&scn.sites, map, 6, NULL, 2, NULL, &err);
    cr_assert(a && b && c);
    cr_assert(memcmp(a->x, b->x, sizeof(double) * 5000) == 0);
    cr_assert(memcmp(a->lat, b->lat, sizeof(double) * 5000) == 0);
    cr_assert(memcmp(a->x, c->x, sizeof(double) * 5000) != 0);
    sites_free(&a);
    sites_free(&b);
    sites_free(&c);
}
