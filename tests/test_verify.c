/* The run's own invariants: each broken one is an internal error (exit 8)
 * naming the township or station; intact data passes. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/map.h"
#include "towncov/sites.h"
#include "towncov/verify.h"

static struct township towns[2];
static struct tc_map map;
static double sx[3], sy[3];
static int stw[3];
static struct tc_sites sites;
static struct cov_result res[2];

/* Two 1 km squares side by side, three stations, a consistent result. */
static void setup(void)
{
    static char code0[] = "360102001", code1[] = "360102002", name[] = "镇";
    memset(towns, 0, sizeof towns);
    for (int i = 0; i < 2; i++) {
        towns[i].code = i ? code1 : code0;
        towns[i].name = name;
        towns[i].area_m2 = 1e6;
        towns[i].xmin = 1000.0 * i, towns[i].xmax = 1000.0 * (i + 1);
        towns[i].ymin = 0, towns[i].ymax = 1000;
        towns[i].seat_x = 1000.0 * i + 500, towns[i].seat_y = 500;
    }
    map = (struct tc_map){.n = 2, .t = towns, .total_area_m2 = 2e6};
    double x[3] = {100, 900, 1500};
    int tw[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++)
        sx[i] = x[i], sy[i] = 500, stw[i] = tw[i];
    sites = (struct tc_sites){.n = 3, .x = sx, .y = sy, .township = stw};
    for (int i = 0; i < 2; i++)
        res[i] = (struct cov_result){.area_m2 = 1e6, .covered_m2 = 4e5, .covered_frac = 0.4,
                                     .sites = i ? 1 : 2};
}

TestSuite(verify, .init = setup);

Test(verify, intact_data_passes)
{
    struct tc_error err;
    cr_assert_eq(verify_map(&map, &err), 0, "%s", err.msg);
    cr_assert_eq(verify_sites(&map, &sites, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(verify_coverage(&map, &sites, res, &err), 0, "%s", err.msg);
    /* Rounding within 1e-9 of the area is not a failure. */
    res[1].covered_m2 = 1e6 * (1 + 5e-10);
    res[1].covered_frac = res[1].covered_m2 / 1e6;
    cr_assert_eq(verify_coverage(&map, &sites, res, &err), 0, "%s", err.msg);
}

Test(verify, covered_above_the_area_names_the_township)
{
    struct tc_error err;
    res[1].covered_m2 = 1e6 * (1 + 1e-6);
    res[1].covered_frac = res[1].covered_m2 / 1e6;
    cr_assert_eq(verify_coverage(&map, &sites, res, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_INTERNAL);
    cr_assert(strstr(err.msg, "township 360102002") && strstr(err.msg, "outside [0, area]"),
              "%s", err.msg);
    res[1].covered_m2 = -1;
    cr_assert_eq(verify_coverage(&map, &sites, res, &err), -1);
}

Test(verify, stations_counted_must_add_up)
{
    struct tc_error err;
    res[0].sites = 1;
    cr_assert_eq(verify_coverage(&map, &sites, res, &err), -1);
    cr_assert(strstr(err.msg, "2 stations counted in townships, 3 stand in one"), "%s", err.msg);
}

Test(verify, areas_must_add_up_and_be_positive)
{
    struct tc_error err;
    map.total_area_m2 = 2.1e6;
    cr_assert_eq(verify_map(&map, &err), -1);
    cr_assert(strstr(err.msg, "township areas add up to"), "%s", err.msg);
    map.total_area_m2 = 2e6;
    towns[0].area_m2 = 0;
    cr_assert_eq(verify_map(&map, &err), -1);
    cr_assert(strstr(err.msg, "township 360102001") && strstr(err.msg, "positive"), "%s",
              err.msg);
    towns[0].area_m2 = NAN;
    cr_assert_eq(verify_map(&map, &err), -1);
}

Test(verify, a_station_must_stand_in_its_township_or_be_kept_outside)
{
    struct tc_error err;
    stw[2] = 0; /* x = 1500 lies in township 1's envelope, not 0's */
    cr_assert_eq(verify_sites(&map, &sites, 0, &err), -1);
    cr_assert(strstr(err.msg, "station 3 is outside the envelope of township 360102001"), "%s",
              err.msg);
    stw[2] = -1;
    cr_assert_eq(verify_sites(&map, &sites, 0, &err), -1, "outside is allowed only when kept");
    cr_assert_eq(verify_sites(&map, &sites, 1, &err), 0, "%s", err.msg);
    stw[2] = 7;
    cr_assert_eq(verify_sites(&map, &sites, 1, &err), -1);
}

Test(verify, a_seat_the_map_gives_may_lie_outside_one_computed_may_not)
{
    struct tc_error err;
    towns[0].seat_x = -300; /* 300 m west of township 1's envelope */
    towns[0].seat_given = 1;
    cr_assert_eq(verify_map(&map, &err), 0, "%s", err.msg);
    sx[0] = -300; /* a station at that seat (strategy = seats) */
    cr_assert_eq(verify_sites(&map, &sites, 0, &err), 0, "%s", err.msg);
    sx[0] = -299; /* not at the seat and outside: broken */
    cr_assert_eq(verify_sites(&map, &sites, 0, &err), -1);
    towns[0].seat_given = 0;
    cr_assert_eq(verify_map(&map, &err), -1);
    cr_assert(strstr(err.msg, "township 360102001") && strstr(err.msg, "computed seat"), "%s",
              err.msg);
}
