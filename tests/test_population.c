/* People on the map (population.h) and stations by people (strategy =
 * demand): a hand-made county of two townships with seat areas of known
 * area, spread to the person by hand; people covered exact for a coverage
 * of exactly the built-up zone, half the rural zone, nothing; demand
 * placements nested for counts 1..N and the same for 1 and N threads;
 * every bad table with its message and exit status. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/coverage.h"
#include "towncov/map.h"
#include "towncov/population.h"
#include "towncov/scenario.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

static char dir[256];
static struct scenario scn;
static struct tc_map *map;
static struct tc_seat_areas *seats;

/* County "c1": a town of 50 km2 whose seat area is 1 km2, a township of
 * 50 km2 whose seat area is 1.5 km2 (both read from a layer: exact
 * squares). */
static const struct fx_township towns[] = {
    {"1", "甲镇", "c1", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
    {"2", "乙乡", "c1", "township", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
static const struct fx_township seat_layer[] = {
    {"1", "", "", "", FX_SQUARE(-3000, -500, -2000, 500), -2500, 0},
    {"2", "", "", "", FX_SQUARE(2000, -750, 3000, 750), 2500, 0}};

static void write_table(const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/pop.csv", dir);
    fx_write_text(path, text);
    snprintf(scn.map.population, sizeof scn.map.population, "%s", path);
}

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    char base[300];
    snprintf(base, sizeof base, "%s/map", dir);
    fx_write_map(base, towns, 2);
    snprintf(base, sizeof base, "%s/seats", dir);
    fx_write_map(base, seat_layer, 2);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s/map.shp", dir);
    snprintf(scn.map.county_code_field, sizeof scn.map.county_code_field, "county");
    snprintf(scn.seat.areas_file, sizeof scn.seat.areas_file, "%s/seats.shp", dir);
    struct tc_error err;
    map = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(map, "%s", err.msg);
    seats = seat_areas_build(&scn.seat, map, NULL, 2, NULL, &err);
    cr_assert_not_null(seats, "%s", err.msg);
    write_table("code,name,population,urban_share\nc1,县,1001,0.5\nc9,别县,7,0.1\n");
}

static void teardown(void)
{
    seat_areas_free(&seats);
    map_free(&map);
}

/* population_apply's status, its message in err and its notes in log. */
static int apply(char *log, size_t size, struct tc_error *err)
{
    FILE *warn = tmpfile();
    int rc = population_apply(&scn.map, NULL, map, seats, warn, err);
    rewind(warn);
    size_t got = fread(log, 1, size - 1, warn);
    log[got] = '\0';
    fclose(warn);
    return rc;
}

Test(population, a_county_spread_by_hand_to_the_person, .init = setup, .fini = teardown)
{
    struct tc_error err;
    char log[1024];
    cr_assert_eq(apply(log, sizeof log, &err), 0, "%s", err.msg);
    cr_assert(map->has_population);
    /* urban: round(1001 x 0.5) = 501 (half up) over built-up 1 : 1.5 =
     * 200.4, 300.6: floors 200, 300, the one left to the larger remainder.
     * rural: 500 over rural land 49 : 48.5 = 251.28, 248.72: 251, 249. */
    cr_assert_eq(map->t[0].urban_population, 200);
    cr_assert_eq(map->t[1].urban_population, 301);
    cr_assert_eq(map->t[0].rural_population, 251);
    cr_assert_eq(map->t[1].rural_population, 249);
    cr_assert_eq(map->t[0].population, 451);
    cr_assert_eq(map->t[1].population, 550);
    cr_assert_eq(map->t[0].population + map->t[1].population, 1001, "the county's total kept");
    cr_assert_eq(map->t[0].pop_builtup, 200);
    cr_assert(fabs(map->t[1].builtup_m2 - 1.5e6) < 1e-6, "%g", map->t[1].builtup_m2);
    cr_assert(strstr(log, "pop.csv: 1 row for counties the map lacks (the first, county c9, "
                          "at line 3): not used"), "%s", log);
}

Test(population, ties_go_to_the_lower_township_code, .init = setup, .fini = teardown)
{
    struct tc_error err;
    /* 3 urban people over two equal built-up zones: 1.5 each, a tie. */
    write_table("code,population,urban_share\nc1,3,1\n");
    struct pop_table *tab = pop_table_read(scn.map.population, &err);
    cr_assert_not_null(tab, "%s", err.msg);
    const char *county[] = {"c1", "c1"}, *what[] = {"a", "b"};
    const double b[] = {2, 2}, a[] = {10, 10};
    struct pop_share share[2];
    cr_assert_eq(pop_spread(tab, 2, county, b, a, what, share, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(share[0].urban, 2, "the tie to the lower township");
    cr_assert_eq(share[1].urban, 1);
    pop_table_free(&tab);
}

/* One township's results: covered area and covered seat area. */
static double people_covered(int t, double covered, double seat_covered)
{
    struct cov_result r[2];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 2; i++) {
        r[i].area_m2 = map->t[i].area_m2;
        r[i].seat_area_m2 = seats->area_m2[i];
    }
    r[t].covered_m2 = covered;
    r[t].seat_covered_m2 = seat_covered;
    population_cover(map, seats, r);
    cr_assert_eq(r[t].population, (double)map->t[t].population);
    return r[t].population_covered;
}

Test(population, people_covered_exact, .init = setup, .fini = teardown)
{
    struct tc_error err;
    char log[1024];
    cr_assert_eq(apply(log, sizeof log, &err), 0, "%s", err.msg);
    /* Exactly the built-up zone: its 200 people; half the rural zone:
     * half its 251; nothing: none. Township 2: 301 and 249 / 2. */
    cr_assert_eq(people_covered(0, 1e6, 1e6), 200.0);
    cr_assert_eq(people_covered(0, 24.5e6, 0), 125.5);
    cr_assert_eq(people_covered(0, 0, 0), 0.0);
    cr_assert_eq(people_covered(1, 1.5e6, 1.5e6), 301.0);
    cr_assert_eq(people_covered(1, 24.25e6, 0), 124.5);
    cr_assert_eq(people_covered(1, 50e6, 1.5e6), 550.0, "all of it: all its people");
}

/* The error population_apply gives for table text, exit status checked. */
static void refused(const char *text, const char *message)
{
    struct tc_error err = {0};
    char log[1024];
    write_table(text);
    cr_assert_neq(apply(log, sizeof log, &err), 0, "accepted: %s", text);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP, "exit %d for %s", err.exit_code, err.msg);
    cr_assert(strstr(err.msg, message), "'%s' lacks '%s'", err.msg, message);
}

Test(population, bad_tables_are_refused_with_file_and_line, .init = setup, .fini = teardown)
{
    refused("code,population,urban_share\nc9,10,0.5\n",
            "pop.csv: no row for county 'c1' (township 1, ");
    refused("code,population,urban_share\nc9,10,0.5\nc1,-3,0.5\n",
            "pop.csv:3: county c1: population '-3' is not a whole number >= 0");
    refused("code,population,urban_share\nc1,many,0.5\n",
            "pop.csv:2: county c1: population 'many' is not a whole number >= 0");
    refused("code,population,urban_share\nc1,10.5,0.5\n",
            "pop.csv:2: county c1: population '10.5' is not a whole number >= 0");
    refused("code,population,urban_share\nc1,10,1.5\n",
            "pop.csv:2: county c1: urban_share '1.5' is not a share between 0 and 1");
    refused("code,population,urban_share\nc1,10,-0.1\n",
            "pop.csv:2: county c1: urban_share '-0.1' is not a share between 0 and 1");
    refused("code,population,urban_share\nc1,10,\n", "urban_share '' is not a share");
    refused("code,people,urban_share\nc1,10,0.5\n",
            "pop.csv:1: the population table needs columns code, population and urban_share; "
            "it has: code,people,urban_share");
    refused("code,population,urban_share\nc1,10,0.5\nc1,11,0.5\n",
            "pop.csv:3: county c1 is listed twice (first at line 2)");
}

Test(population, a_map_without_county_codes_is_refused, .init = setup, .fini = teardown)
{
    struct tc_error err = {0};
    char log[512];
    free(map->t[1].county_code);
    map->t[1].county_code = strdup("");
    cr_assert_neq(apply(log, sizeof log, &err), 0);
    cr_assert_eq(err.exit_code, TC_EXIT_MAP);
    cr_assert(strstr(err.msg, "(code 2) has no county code (map.county_code_field)"), "%s",
              err.msg);
}

/* ---- stations by people ----------------------------------------------------*/
static struct tc_sites *place_demand(long count, long floor, int threads)
{
    struct tc_error err;
    scn.sites.strategy = SITES_DEMAND;
    scn.sites.count = count;
    scn.sites.min_per_township = floor;
    struct tc_sites *s = sites_place_on(&scn.sites, map, seats, 7, NULL, threads, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, count);
    cr_assert_not_null(s->zone);
    return s;
}

static void demand_setup(void)
{
    setup();
    struct tc_error err;
    char log[1024];
    cr_assert_eq(apply(log, sizeof log, &err), 0, "%s", err.msg);
}

Test(population, demand_placements_are_nested_and_thread_independent, .init = demand_setup,
     .fini = teardown)
{
    enum { N = 60 };
    struct tc_sites *all = place_demand(N, 0, 2), *one = place_demand(N, 0, 1);
    size_t d = sizeof(double) * N;
    cr_assert(memcmp(all->x, one->x, d) == 0 && memcmp(all->y, one->y, d) == 0 &&
              memcmp(all->zone, one->zone, N) == 0, "1 and 2 threads differ");
    for (long n = 1; n < N; n++) {
        struct tc_sites *s = place_demand(n, 0, 2);
        cr_assert(memcmp(s->x, all->x, sizeof(double) * (size_t)n) == 0 &&
                  memcmp(s->y, all->y, sizeof(double) * (size_t)n) == 0 &&
                  memcmp(s->township, all->township, sizeof(int) * (size_t)n) == 0 &&
                  memcmp(s->zone, all->zone, (size_t)n) == 0,
                  "%ld stations are not the first %ld of %d", n, n, N);
        sites_free(&s);
    }
    /* Zones by people: 200, 251, 301, 249 over 60 stations by Webster:
     * 11.98, 15.04, 18.04, 14.92 -> 12, 15, 18, 15. Each station stands
     * in its zone. */
    long got[4] = {0};
    for (long k = 0; k < N; k++) {
        int t = all->township[k], rural = all->zone[k] == SITES_ZONE_RURAL;
        got[2 * t + rural]++;
        const double *e = seats->envelope[t];
        int in_seat = all->x[k] > e[0] && all->x[k] < e[2] && all->y[k] > e[1] &&
                      all->y[k] < e[3];
        cr_assert_eq(in_seat, !rural, "station %ld (zone %s) at %g, %g", k,
                     sites_zone_name(all->zone[k]), all->x[k], all->y[k]);
        cr_assert((t == 0) == (all->x[k] < 0), "station %ld outside its township", k);
    }
    cr_assert(got[0] == 12 && got[1] == 15 && got[2] == 18 && got[3] == 15,
              "zones got %ld %ld %ld %ld", got[0], got[1], got[2], got[3]);
    sites_free(&all);
    sites_free(&one);
}

Test(population, demand_floor_comes_first_in_the_built_up_zone, .init = demand_setup,
     .fini = teardown)
{
    struct tc_sites *s = place_demand(10, 3, 2);
    for (long k = 0; k < 6; k++) {
        cr_assert_eq(s->township[k], (int)(k % 2), "floor station %ld", k);
        cr_assert_eq(s->zone[k], SITES_ZONE_BUILTUP);
    }
    sites_free(&s);
    struct tc_error err;
    scn.sites.count = 5;
    cr_assert_null(sites_place_on(&scn.sites, map, seats, 7, NULL, 1, NULL, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO);
    cr_assert(strstr(err.msg, "sites.min_per_township = 3 needs sites.count >= 6 (2 townships), "
                              "not 5"), "%s", err.msg);
}

Test(population, demand_without_people_is_refused, .init = setup, .fini = teardown)
{
    struct tc_error err;
    scn.sites.strategy = SITES_DEMAND;
    scn.sites.count = 10;
    cr_assert_null(sites_place_on(&scn.sites, map, seats, 7, NULL, 1, NULL, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO);
    cr_assert(strstr(err.msg, "sites.strategy = demand needs people on the map"), "%s",
              err.msg);
}

/* ---- stations by a raster of people -----------------------------------------*/

/* A 10 x 10 raster of 1 km cells over the fixture map, in its CRS (an
 * ASCII grid, its .prj the map's: GDAL reads both): people in two cells
 * only (column 1 row 2 in township 1, column 7 row 6 in township 2), one
 * cell nodata, the rest 0; cell (0, 0) holds `bad`. */
static void write_raster(const char *path, float bad)
{
    char text[2048], prj[300], map_prj[300];
    int n = snprintf(text, sizeof text, "ncols 10\nnrows 10\nxllcorner -5000\nyllcorner -5000\n"
                     "cellsize 1000\nNODATA_value -1\n");
    for (int row = 0; row < 10; row++)
        for (int col = 0; col < 10; col++) {
            double v = row == 2 && col == 1 ? 100 : row == 6 && col == 7 ? 50
                     : row == 9 && col == 9 ? -1 : row == 0 && col == 0 ? bad : 0;
            n += snprintf(text + n, sizeof text - (size_t)n, "%g%s", v, col == 9 ? "\n" : " ");
        }
    fx_write_text(path, text);
    snprintf(map_prj, sizeof map_prj, "%s/map.prj", dir);
    snprintf(prj, sizeof prj, "%.*s.prj", (int)(strlen(path) - 4), path);
    char *wkt = fx_read_file(map_prj, NULL);
    cr_assert_not_null(wkt);
    fx_write_text(prj, wkt);
    free(wkt);
}

static struct tc_sites *place_raster(long count, int threads, struct tc_error *err)
{
    scn.sites.strategy = SITES_DEMAND;
    scn.sites.count = count;
    snprintf(scn.sites.density, sizeof scn.sites.density, "%s/people.asc", dir);
    return sites_place_on(&scn.sites, map, seats, 3, NULL, threads, NULL, err);
}

Test(population, a_raster_puts_every_station_in_its_people_cells, .init = setup,
     .fini = teardown)
{
    char path[300];
    snprintf(path, sizeof path, "%s/people.asc", dir);
    write_raster(path, 0);
    struct tc_error err;
    enum { N = 45 };
    struct tc_sites *s = place_raster(N, 2, &err), *one = place_raster(N, 1, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_not_null(one, "%s", err.msg);
    cr_assert(memcmp(s->x, one->x, sizeof(double) * N) == 0 &&
              memcmp(s->y, one->y, sizeof(double) * N) == 0, "1 and 2 threads differ");
    long in[2] = {0};
    for (long k = 0; k < N; k++) {
        int a = s->x[k] > -4000 && s->x[k] < -3000 && s->y[k] > 2000 && s->y[k] < 3000;
        int b = s->x[k] > 2000 && s->x[k] < 3000 && s->y[k] > -2000 && s->y[k] < -1000;
        cr_assert(a || b, "station %ld at %g, %g is in neither cell of people", k, s->x[k],
                  s->y[k]);
        cr_assert_eq(s->township[k], a ? 0 : 1);
        in[b]++;
    }
    /* Webster over 100 : 50 people: 30 and 15 of 45 */
    cr_assert(in[0] == 30 && in[1] == 15, "%ld and %ld", in[0], in[1]);
    for (long n = 1; n < N; n += 7) {
        struct tc_sites *p = place_raster(n, 2, &err);
        cr_assert(memcmp(p->x, s->x, sizeof(double) * (size_t)n) == 0 &&
                  memcmp(p->y, s->y, sizeof(double) * (size_t)n) == 0, "%ld not nested", n);
        sites_free(&p);
    }
    sites_free(&s);
    sites_free(&one);
}

Test(population, bad_rasters_are_refused_with_their_file, .init = setup, .fini = teardown)
{
    char path[300];
    snprintf(path, sizeof path, "%s/people.asc", dir);
    write_raster(path, -5);
    struct tc_error err = {0};
    cr_assert_null(place_raster(10, 1, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SITES);
    cr_assert(strstr(err.msg, "people.asc: cell (column 0, row 0) holds -5 people"), "%s",
              err.msg);
    fx_write_text(path, "not a raster\n");
    cr_assert_null(place_raster(10, 1, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SITES);
    cr_assert(strstr(err.msg, "people.asc: GDAL cannot open it as a raster (sites.density)"), "%s",
              err.msg);
    scn.sites.strategy = SITES_WEIGHTED;
    cr_assert_null(sites_place_on(&scn.sites, map, seats, 3, NULL, 1, NULL, &err));
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO);
    cr_assert(strstr(err.msg, "sites.density is a demand raster: it needs sites.strategy = "
                              "demand"), "%s", err.msg);
}

/* Two townships with a 2 km gap between them (rows 4 and 5 of the 10 x 10
 * raster of 1 km cells): an ASCII grid's blocks are its rows, and the gap
 * rows hold no township's cell, so they are never read: a bad value there
 * is no error and people there draw no station, while the same bad value
 * in a township's row is refused. */
Test(population, only_the_blocks_holding_a_township_are_read, .init = setup, .fini = teardown)
{
    static const struct fx_township apart[] = {
        {"1", "north", "c1", "town", FX_SQUARE(-5000, 1000, 5000, 5000), 0, 3000},
        {"2", "south", "c1", "township", FX_SQUARE(-5000, -5000, 5000, -1000), 0, -3000}};
    char base[300], path[300], text[2048], prj[300];
    snprintf(base, sizeof base, "%s/apart", dir);
    fx_write_map(base, apart, 2);
    struct scenario sc = scn;
    snprintf(sc.map.file, sizeof sc.map.file, "%s/apart.shp", dir);
    sc.seat.areas_file[0] = '\0';
    struct tc_error err;
    struct tc_map *m = map_load(&sc.map, NULL, 1, NULL, &err);
    cr_assert_not_null(m, "%s", err.msg);
    struct tc_seat_areas *st = seat_areas_build(&sc.seat, m, NULL, 1, NULL, &err);
    cr_assert_not_null(st, "%s", err.msg);
    snprintf(path, sizeof path, "%s/gap.asc", dir);
    snprintf(prj, sizeof prj, "%s/gap.prj", dir);
    char *wkt = fx_read_file(fx_path(dir, "apart.prj"), NULL);
    fx_write_text(prj, wkt);
    free(wkt);
    sc.sites.strategy = SITES_DEMAND;
    sc.sites.count = 20;
    snprintf(sc.sites.density, sizeof sc.sites.density, "%s", path);
    for (int bad_row = 4; bad_row >= 1; bad_row -= 3) { /* the gap, then the north */
        int n = snprintf(text, sizeof text, "ncols 10\nnrows 10\nxllcorner -5000\n"
                         "yllcorner -5000\ncellsize 1000\nNODATA_value -1\n");
        for (int row = 0; row < 10; row++)
            for (int col = 0; col < 10; col++) {
                double v = row == bad_row && col == 3 ? -5
                         : row == 5 && col == 6 ? 1000 /* people in the gap */
                         : row == 2 && col == 2 ? 10 : row == 8 && col == 8 ? 30 : 0;
                n += snprintf(text + n, sizeof text - (size_t)n, "%g%s", v,
                              col == 9 ? "\n" : " ");
            }
        fx_write_text(path, text);
        struct tc_sites *s = sites_place_on(&sc.sites, m, st, 3, NULL, 2, NULL, &err);
        if (bad_row == 1) {
            cr_assert_null(s, "a bad cell in a township's row was not refused");
            cr_assert(strstr(err.msg, "gap.asc: cell (column 3, row 1) holds -5 people"), "%s",
                      err.msg);
            break;
        }
        cr_assert_not_null(s, "%s", err.msg);
        long in[2] = {0};
        for (long k = 0; k < s->n; k++) {
            int a = s->x[k] > -3000 && s->x[k] < -2000 && s->y[k] > 2000 && s->y[k] < 3000;
            int b = s->x[k] > 3000 && s->x[k] < 4000 && s->y[k] > -4000 && s->y[k] < -3000;
            cr_assert(a || b, "station %ld at %g, %g", k, s->x[k], s->y[k]);
            in[b]++;
        }
        cr_assert(in[0] == 5 && in[1] == 15, "%ld and %ld", in[0], in[1]); /* 10 : 30 */
        sites_free(&s);
    }
    seat_areas_free(&st);
    map_free(&m);
}

/* ---- township figures from the map ([map] population_field) --------------*/
Test(population, the_map_s_own_figures_are_read_and_kept)
{
    char tmp[256], args[1024], out[8192], path[300];
    fx_tmpdir(tmp, sizeof tmp);
    /* maps/jiangxi carries mapgen --population's columns: the census total */
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --threads 2 --quiet --out %s/o "
             "--set map.population= --set map.population_field=population "
             "--set map.urban_population_field=urban_pop --set sites.count=3000 "
             "--set output.layers=no --set output.picture=no --set raster.resolution_m=0", tmp);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/o/summary.json", tmp);
    char *json = fx_read_file(path, NULL);
    cr_assert_not_null(json);
    cr_assert(strstr(json, "\"population\": 45188635,"), "%s", json);
    free(json);
    /* a text where a count belongs: its record, exit 4 */
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --threads 2 --quiet --out %s/p "
             "--set map.population= --set map.population_field=name", tmp);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "townships.shp: record 1 (FID 0) (code 360102002): population "
                          "'滕王阁街道' is not a count of people (a number >= 0)"), "%s", out);
    /* both sources at once: a scenario error */
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --threads 2 --quiet --out %s/q "
             "--set map.population_field=population", tmp);
    cr_assert_eq(fx_run(args, out, sizeof out), 3, "%s", out);
    cr_assert(strstr(out, "map.population and map.population_field are two sources of people"),
              "%s", out);
}

/* A census table that lacks a county of a map built by `make maps` (a
 * county renamed since 2020 keeps its new code there): the error says
 * where, and that the map carries its own people; a map without those
 * fields gets no such hint. */
Test(population, a_census_join_that_fails_on_a_built_map_names_the_map_s_own_fields)
{
    char tmp[256], args[1024], out[8192], path[300];
    fx_tmpdir(tmp, sizeof tmp);
    snprintf(path, sizeof path, "%s/census.csv", tmp);
    fx_write_text(path, "code,name,population,urban_share\n360102,东湖区,100,1\n");
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --threads 2 --quiet --out %s/o "
             "--set map.population=%s", tmp, path);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "census.csv: no row for county '360103' (township 360103001, "), "%s",
              out);
    cr_assert(strstr(out, "this map carries its own people (fields population and urban_pop, "
                          "from mapgen --population): use [map] population_field = population "
                          "and urban_population_field = urban_pop"), "%s", out);
    fx_write_map(fx_path(tmp, "map"), fx_halves, 2);
    fx_write_text(fx_path(tmp, "s.ini"), "[scenario]\nname = p\n[map]\nfile = map.shp\n"
                                         "county_code_field = county\npopulation = census.csv\n"
                                         "[sites]\nstrategy = uniform\ncount = 3\n");
    snprintf(args, sizeof args, "run %s --threads 2 --quiet --out %s/q", fx_path(tmp, "s.ini"),
             tmp);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "no row for county"), "%s", out);
    cr_assert_null(strstr(out, "carries its own people"), "%s", out);
}
