/* Nested placement: the stations generated for a count n are exactly the
 * first n of those for n + k (points, townships, order, sites.csv rows),
 * their townships follow Webster's divisor method, and neither depends on
 * the number of threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

#define STRIPS 9

static struct tc_map *map;
static struct scenario scn;
static char dir[256];

/* Nine slanted strips across a 40 x 20 km rectangle, kinds in turn: their
 * areas have no simple ratios, so Webster's divisor is never at a tie and
 * the test's own divisor search has a single answer. */
static const double bottom_x[STRIPS + 1] = {-20000, -16862.731, -11341.117, -9552.389, -2509.613,
                                            -98.271, 4900.853, 10907.5, 13710.29, 20000};
static const double top_x[STRIPS + 1] = {-20000, -17403.9, -12012.61, -8933.47, -3021.008,
                                         733.52, 4377.9, 11604.02, 14188.9, 20000};

static void strips_setup(void)
{
    static const char *const kinds[] = {"subdistrict", "town", "township", "special"};
    static char codes[STRIPS][16], wkt[STRIPS][512];
    struct fx_township t[STRIPS];
    for (int i = 0; i < STRIPS; i++) {
        snprintf(codes[i], sizeof codes[i], "%d", 31 + i);
        snprintf(wkt[i], sizeof wkt[i], "POLYGON((%.3f -10000, %.3f -10000, %.3f 10000, %.3f 10000, "
                 "%.3f -10000))", bottom_x[i], bottom_x[i + 1], top_x[i + 1], top_x[i],
                 bottom_x[i]);
        double mid = (bottom_x[i] + bottom_x[i + 1] + top_x[i] + top_x[i + 1]) / 4;
        t[i] = (struct fx_township){codes[i], codes[i], i < 5 ? "a" : "b", kinds[i % 4], wkt[i],
                                    mid, 0};
    }
    char base[300];
    fx_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/map", dir);
    fx_write_map(base, t, STRIPS);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    struct tc_error err;
    map = map_load(&scn.map, NULL, 2, NULL, &err);
    cr_assert_not_null(map, "%s", err.msg);
    cr_assert_eq(map->n, STRIPS);
}

static void strips_teardown(void)
{
    map_free(&map);
}

static const int strategies[] = {SITES_UNIFORM, SITES_WEIGHTED, SITES_SEATS};
static const char *const strategy_names[] = {"uniform", "weighted", "seats"};

static struct tc_sites *place(int strategy, long count, int threads)
{
    struct tc_error err;
    scn.sites.strategy = strategy;
    scn.sites.count = count;
    struct tc_sites *s = sites_place(&scn.sites, map, 11, NULL, threads, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, count);
    return s;
}

static int same_prefix(const struct tc_sites *a, const struct tc_sites *b, long n)
{
    size_t d = sizeof(double) * (size_t)n;
    return memcmp(a->x, b->x, d) == 0 && memcmp(a->y, b->y, d) == 0 &&
           memcmp(a->lon, b->lon, d) == 0 && memcmp(a->lat, b->lat, d) == 0 &&
           memcmp(a->township, b->township, sizeof(int) * (size_t)n) == 0;
}

Test(sites, placement_of_n_is_the_prefix_of_n_plus_k, .init = strips_setup,
     .fini = strips_teardown)
{
    static const long ns[] = {9, 10, 23, 200, 1001};
    static const long ks[] = {1, 2, 17, 6000};
    for (int st = 0; st < 3; st++)
        for (int a = 0; a < 5; a++) {
            struct tc_sites *small = place(strategies[st], ns[a], 2);
            for (int b = 0; b < 4; b++) {
                struct tc_sites *big = place(strategies[st], ns[a] + ks[b], 2);
                cr_assert(same_prefix(small, big, ns[a]), "%s: %ld stations are not the first "
                          "of %ld", strategy_names[st], ns[a], ns[a] + ks[b]);
                sites_free(&big);
            }
            sites_free(&small);
        }
}

/* Township weights as placement takes them: area, times the kind's weight
 * unless uniform. */
static void weights_of(int strategy, double *w)
{
    for (int t = 0; t < map->n; t++)
        w[t] = map->t[t].area_m2 * (strategy == SITES_UNIFORM ? 1 : scn.sites.weight[map->t[t].kind]);
}

/* Webster's apportionment of n by its definition: a divisor d such that
 * the rounded quotients w / d sum to n, found by bisection. 0 when found. */
static int webster_by_divisor(const double *w, int nt, long n, long *q)
{
    double total = 0;
    for (int t = 0; t < nt; t++)
        total += w[t];
    double lo = total / (n + nt + 1.0) / 4, hi = total * 4; /* sums > n and 0 */
    for (int it = 0; it < 400; it++) {
        double d = (lo + hi) / 2;
        long sum = 0;
        for (int t = 0; t < nt; t++)
            sum += q[t] = (long)floor(w[t] / d + 0.5);
        if (sum == n)
            return 0;
        if (sum > n)
            lo = d;
        else
            hi = d;
    }
    return -1;
}

Test(sites, quotas_are_webster_and_near_proportional, .init = strips_setup,
     .fini = strips_teardown)
{
    static const long counts[] = {9, 10, 11, 40, 97, 500, 2024, 7777};
    double w[STRIPS], total = 0;
    for (int st = 0; st < 3; st++) {
        weights_of(strategies[st], w);
        total = 0;
        for (int t = 0; t < STRIPS; t++)
            total += w[t];
        long seats = strategies[st] == SITES_SEATS ? STRIPS : 0;
        for (int c = 0; c < 8; c++) {
            struct tc_sites *s = place(strategies[st], counts[c], 1);
            long got[STRIPS] = {0}, want[STRIPS], drawn = counts[c] - seats, sum = 0;
            for (long i = seats; i < s->n; i++)
                got[s->township[i]]++;
            for (long t = 0; t < seats; t++)
                cr_assert_eq(s->township[t], t, "the seats come first");
            cr_assert_eq(webster_by_divisor(w, STRIPS, drawn, want), 0, "no divisor for %ld",
                         drawn);
            for (int t = 0; t < STRIPS; t++) {
                sum += got[t];
                cr_assert_eq(got[t], want[t], "%s, %ld drawn: township %d has %ld, Webster %ld",
                             strategy_names[st], drawn, t, got[t], want[t]);
                double exact = drawn * w[t] / total;
                cr_assert(fabs(got[t] - exact) < 1, "%s: township %d has %ld for %.3f",
                          strategy_names[st], t, got[t], exact);
            }
            cr_assert_eq(sum, drawn);
            sites_free(&s);
        }
    }
}

Test(sites, nested_placement_same_for_one_and_four_threads, .init = strips_setup,
     .fini = strips_teardown)
{
    for (int st = 0; st < 3; st++) {
        struct tc_sites *a = place(strategies[st], 4321, 1);
        struct tc_sites *b = place(strategies[st], 4321, 4);
        cr_assert(same_prefix(a, b, 4321), "%s: 1 and 4 threads differ", strategy_names[st]);
        sites_free(&a);
        sites_free(&b);
    }
}

/* sites.csv of a run of the binary with count stations; caller frees. */
static char *run_sites_csv(const char *strategy, long count)
{
    char ini[512], text[1024], args[1024], out[1 << 14], csv[600];
    snprintf(ini, sizeof ini, "%s/%s-%ld.ini", dir, strategy, count);
    snprintf(text, sizeof text, "[scenario]\nname = nest\nseed = 5\n[map]\nfile = map.shp\n"
             "[sites]\nstrategy = %s\ncount = %ld\n", strategy, count);
    fx_write_text(ini, text);
    snprintf(args, sizeof args, "run %s --quiet --threads 2 --set output.layers=no "
             "--set output.picture=no --out %s/out-%s-%ld", ini, dir, strategy, count);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(csv, sizeof csv, "%s/out-%s-%ld/sites.csv", dir, strategy, count);
    char *bytes = fx_read_file(csv, NULL);
    cr_assert_not_null(bytes, "no %s", csv);
    return bytes;
}

/* Length of the header and the first n rows of a CSV text. */
static size_t rows_length(const char *text, long n)
{
    const char *p = text;
    for (long i = 0; i <= n; i++) {
        p = strchr(p, '\n');
        cr_assert_not_null(p, "fewer than %ld rows", n);
        p++;
    }
    return (size_t)(p - text);
}

Test(sites, sites_csv_of_n_is_the_head_of_n_plus_k, .init = strips_setup,
     .fini = strips_teardown)
{
    static const long ks[] = {1, 3000};
    for (int st = 0; st < 3; st++) {
        char *small = run_sites_csv(strategy_names[st], 50);
        size_t len = rows_length(small, 50);
        cr_assert_eq(len, strlen(small), "sites.csv has 50 rows");
        for (int b = 0; b < 2; b++) {
            char *big = run_sites_csv(strategy_names[st], 50 + ks[b]);
            cr_assert(strlen(big) > len && memcmp(small, big, len) == 0, "%s: the first 50 rows "
                      "of sites.csv change with %ld stations", strategy_names[st], 50 + ks[b]);
            free(big);
        }
        free(small);
    }
}
