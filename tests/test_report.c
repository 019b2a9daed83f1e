/* The report stage: the checksum (by hand, below its quantum, across thread
 * counts and the map's record order), townships.csv's columns and quoting,
 * summary.json's string escaping. The writers are given a hand-made
 * struct run_outcome: a map of plain townships, results, a verdict and the
 * few pieces of a scenario they print, no scenario. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/report.h"
#include "towncov/sites.h"

/* ---- a hand-made run ----------------------------------------------------------*/
#define NT 3

struct hrun {
    char dir[256];
    struct township t[NT];
    struct tc_map map;
    struct tc_sites sites; /* none */
    struct cov_result r[NT];
    struct goal_config goal;
    struct output_config output;
    struct goal_verdict v;
    struct run_outcome run;
};

static void hrun_make(struct hrun *h, const char *scenario_name)
{
    memset(h, 0, sizeof *h);
    fx_tmpdir(h->dir, sizeof h->dir);
    static const struct { const char *code, *name, *county; enum tc_kind kind; } tw[NT] = {
        {"360101001", "滕王阁街道", "东湖区", KIND_SUBDISTRICT},
        {"360102101", "梅岭镇, \"北\"", "湾里,区", KIND_TOWN}, /* comma and quotes */
        {"360102201", "太平乡", "湾里区", KIND_TOWNSHIP},
    };
    static const double area[NT] = {2.5e6, 1e6, 4e6}, covered[NT] = {2.5e6, 0.4e6, 1e6};
    static const int seat[NT] = {1, 0, 1}, sites[NT] = {4, 3, 0}, fps[NT] = {6, 7, 1};
    for (int i = 0; i < NT; i++) {
        h->t[i] = (struct township){.code = (char *)tw[i].code, .name = (char *)tw[i].name,
                                    .county = (char *)tw[i].county, .county_code = "",
                                    .county_id = i, .kind = tw[i].kind, .seat_lon = 115.5 + i,
                                    .seat_lat = 28.25 - i};
        h->r[i] = (struct cov_result){.area_m2 = area[i], .covered_m2 = covered[i],
                                      .covered_frac = covered[i] / area[i],
                                      .seat_covered = seat[i], .sites = sites[i],
                                      .footprints = fps[i], .seat_area_m2 = 0.5e6,
                                      .seat_covered_m2 = 0.5e6 * (i == 2 ? 0.5 : 1),
                                      .seat_covered_frac = i == 2 ? 0.5 : 1};
    }
    h->map.n = NT;
    h->map.t = h->t;
    h->map.n_counties = NT;
    snprintf(h->map.source_file, sizeof h->map.source_file, "maps/x/townships.shp");
    snprintf(h->map.metric_crs, sizeof h->map.metric_crs, "+proj=laea +lat_0=27 +lon_0=116");
    h->goal = (struct goal_config){.seat_covered = 1, .min_covered_fraction = 0.5};
    h->output = (struct output_config){.worst = 10};
    struct tc_error err = {0};
    cr_assert_eq(goal_judge(&h->goal, &h->map, h->r, &h->v, &err), 0, "%s", err.msg);
    h->run = (struct run_outcome){
        .info = {.name = scenario_name, .scenario_path = "scenarios/x.ini", .seed = 42,
                 .engine = COV_ENGINE_EXACT},
        .goal = &h->goal, .output = &h->output, .map = &h->map, .sites = &h->sites,
        .results = h->r, .verdict = &h->v, .threads = 2,
        .checksum = report_checksum(&h->map, h->r)};
}

static void hrun_free(struct hrun *h)
{
    goal_verdict_free(&h->v);
}

/* ---- checksum -------------------------------------------------------------------*/
/* FNV-1a, written out again from its definition in report.h, with its
 * offset basis: 1469598103934665603, the standard 14695981039346656037
 * short of its last digit, as towncov has always had it (the golden
 * checksums depend on it). */
static unsigned long long fnv_by_hand(const struct cov_result *r, int n)
{
    unsigned long long h = 1469598103934665603ULL;
    for (int t = 0; t < n; t++) {
        long long q[7] = {llround(r[t].covered_m2 * 1000), llround(r[t].area_m2 * 1000),
                          r[t].seat_covered, llround(r[t].seat_area_m2 * 1000),
                          llround(r[t].seat_covered_m2 * 1000), r[t].key_points,
                          r[t].key_points_covered};
        for (size_t k = 0; k < sizeof q; k++)
            h = (h ^ ((const unsigned char *)q)[k]) * 0x100000001b3ULL;
    }
    return h;
}

Test(report, checksum_is_fnv1a_of_the_quantised_results)
{
    struct hrun h;
    hrun_make(&h, "c");
    unsigned long long base = report_checksum(&h.map, h.r);
    cr_assert_eq(base, fnv_by_hand(h.r, NT), "%016llx", base);
    /* Below the 1e-3 m2 quantum (sums in another order differ by far less):
     * the same; a quantum more, or a seat flag: another checksum. */
    h.r[1].covered_m2 += 1e-7;
    h.r[2].area_m2 -= 2e-5;
    cr_assert_eq(report_checksum(&h.map, h.r), base);
    h.r[1].covered_m2 += 1e-3;
    cr_assert_neq(report_checksum(&h.map, h.r), base);
    h.r[1].covered_m2 -= 1e-3;
    h.r[0].seat_covered = 0;
    cr_assert_neq(report_checksum(&h.map, h.r), base);
    h.r[0].seat_covered = 1;
    cr_assert_eq(report_checksum(&h.map, h.r), base);
    /* Every other judged figure counts too: the seat area and its covered
     * part (a seat radius of 850 m or 100 m), the key points. */
    double *seat[] = {&h.r[2].seat_area_m2, &h.r[2].seat_covered_m2};
    for (int i = 0; i < 2; i++) {
        *seat[i] += 1e-3;
        cr_assert_neq(report_checksum(&h.map, h.r), base, "seat figure %d ignored", i);
        *seat[i] -= 1e-3;
    }
    int *keys[] = {&h.r[1].key_points, &h.r[1].key_points_covered};
    for (int i = 0; i < 2; i++) {
        ++*keys[i];
        cr_assert_neq(report_checksum(&h.map, h.r), base, "key-point figure %d ignored", i);
        --*keys[i];
    }
    cr_assert_eq(report_checksum(&h.map, h.r), base);
    hrun_free(&h);
}

static const struct fx_township grid[] = {
    {"1001", "甲镇", "c1", "town", FX_SQUARE(-4000, -4000, 0, 0), -2000, -2000},
    {"1002", "乙乡", "c1", "township", FX_SQUARE(0, -4000, 4000, 0), 2000, -2000},
    {"1003", "丙街道", "c2", "subdistrict", FX_SQUARE(-4000, 0, 0, 4000), -2000, 2000},
    {"1004", "丁镇", "c2", "town", FX_SQUARE(0, 0, 4000, 4000), 2000, 2000},
};

/* The "checksum" of a run's summary.json, as text. */
static void run_checksum(const char *dir, const char *map, int threads, char *buf, size_t size)
{
    char args[1024], out[8192], path[512];
    snprintf(path, sizeof path, "%s/%s.ini", dir, map);
    char ini[512];
    snprintf(ini, sizeof ini, "[scenario]\nname = sum\nseed = 3\n[map]\nfile = %s.shp\n"
             "[sites]\nstrategy = weighted\ncount = 40\n[radio]\nvertices = 32\n", map);
    fx_write_text(path, ini);
    snprintf(args, sizeof args, "run %s --quiet --threads %d --out %s/out-%s-%d", path, threads,
             dir, map, threads);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/out-%s-%d/summary.json", dir, map, threads);
    char *json = fx_read_file(path, NULL);
    cr_assert_not_null(json);
    const char *p = strstr(json, "\"checksum\": \"");
    cr_assert_not_null(p, "%s", json);
    snprintf(buf, size, "%.16s", p + 13);
    free(json);
}

/* Whole runs: 1 and 3 threads, and the same map with its records in the
 * reverse order (townships are taken in code order), give one checksum. */
Test(report, checksum_independent_of_threads_and_record_order, .timeout = 120)
{
    char dir[256], path[512];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/fwd", dir);
    fx_write_map(path, grid, 4);
    struct fx_township rev[4];
    for (int i = 0; i < 4; i++)
        rev[i] = grid[3 - i];
    snprintf(path, sizeof path, "%s/rev", dir);
    fx_write_map(path, rev, 4);
    char one[32], three[32], reversed[32];
    run_checksum(dir, "fwd", 1, one, sizeof one);
    run_checksum(dir, "fwd", 3, three, sizeof three);
    run_checksum(dir, "rev", 2, reversed, sizeof reversed);
    cr_assert_eq(strlen(one), 16);
    cr_assert_str_eq(one, three, "1 thread %s, 3 threads %s", one, three);
    cr_assert_str_eq(one, reversed, "records in reverse: %s, not %s", reversed, one);
}

/* ---- the terminal summary ------------------------------------------------------------*/
Test(report, summary_verdict_totals_and_worst_townships)
{
    struct hrun h;
    hrun_make(&h, "sum");
    h.output.worst = 1;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    report_print_summary(f, &h.run);
    fclose(f);
    const char *want[] = {
        "GOAL NOT MET: 2 of 3 townships fail (without 50 % of their area covered and their seat "
        "covered)\n",
        "  scenario sum: 0 stations, 3 townships, 7.5 km2, 52.00 % covered, 83.33 % of seat "
        "areas covered, 2/3 seats covered\n",
        "\nWorst townships\n",
        "  360102201    太平乡", /* worst first; output.worst = 1: only it */
        "  ... 1 more in townships.csv (goal_met = no)\n",
        "\nPhases (2 threads, engine exact, 0 townships by GEOS):",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(text, want[i]), "no \"%s\" in:\n%s", want[i], text);
    cr_assert_null(strstr(strstr(text, "Worst townships"), "360102101"), "%s", text);
    free(text);
    hrun_free(&h);
}

/* ---- townships.csv ----------------------------------------------------------------*/
Test(report, townships_csv_columns_and_quoting)
{
    struct hrun h;
    hrun_make(&h, "csv");
    char path[512];
    snprintf(path, sizeof path, "%s/townships.csv", h.dir);
    struct tc_error err = {0};
    cr_assert_eq(report_write_csv(path, &h.run, &err), 0, "%s", err.msg);
    char *csv = fx_read_file(path, NULL);
    cr_assert_not_null(csv);
    const char *want =
        "code,name,county,kind,area_km2,covered_km2,covered_frac,seat_covered,sites,goal_met,"
        "seat_lon,seat_lat,footprints,seat_area_km2,seat_covered_km2,seat_covered_frac,key_points,"
        "key_points_covered\n"
        "360101001,滕王阁街道,东湖区,subdistrict,2.500000000,2.500000000,1.000000000000,yes,4,"
        "yes,115.5000000,28.2500000,6,0.500000000,0.500000000,1.000000000000,0,0\n"
        /* a field with a comma or a quote is quoted, its quotes doubled */
        "360102101,\"梅岭镇, \"\"北\"\"\",\"湾里,区\",town,1.000000000,0.400000000,"
        "0.400000000000,no,3,no,116.5000000,27.2500000,7,0.500000000,0.500000000,"
        "1.000000000000,0,0\n"
        "360102201,太平乡,湾里区,township,4.000000000,1.000000000,0.250000000000,yes,0,no,"
        "117.5000000,26.2500000,1,0.500000000,0.250000000,0.500000000000,0,0\n";
    cr_assert_str_eq(csv, want);
    free(csv);
    hrun_free(&h);
}

Test(report, unwritable_csv_is_an_output_error)
{
    struct hrun h;
    hrun_make(&h, "csv");
    char path[512];
    snprintf(path, sizeof path, "%s/no/such/townships.csv", h.dir);
    struct tc_error err = {0};
    cr_assert_eq(report_write_csv(path, &h.run, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert_not_null(strstr(err.msg, "townships.csv"), "%s", err.msg);
    hrun_free(&h);
}

/* ---- summary.json -------------------------------------------------------------------*/
/* Python's json module reads the file back and prints the decoded value of
 * key (a top-level string, or the failing townships' names). */
static void json_decoded(const char *path, const char *expr, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "PYTHONIOENCODING=utf-8 /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1], "
             "encoding=\"utf-8\")); sys.stdout.write(repr(%s))' '%s' 2>&1", expr, path);
    cr_assert_eq(fx_sh(cmd, out, size), 0, "summary.json does not parse: %s", out);
}

Test(report, json_escapes_quotes_backslashes_and_control_characters)
{
    struct hrun h;
    /* Every character below U+0020 is written \u00XX; " and \ escaped. */
    hrun_make(&h, "say \"hi\"\\ \x01\ttab\nline\x1f 导出");
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", h.dir);
    struct tc_error err = {0};
    cr_assert_eq(report_write_json(path, &h.run, &err), 0, "%s", err.msg);
    char *json = fx_read_file(path, NULL);
    cr_assert_not_null(json);
    cr_assert_not_null(
        strstr(json, "\"scenario\": \"say \\\"hi\\\"\\\\ \\u0001\\u0009tab\\u000aline\\u001f 导出\""),
        "%s", json);
    cr_assert_not_null(strstr(json, "\"name\": \"梅岭镇, \\\"北\\\"\""), "%s", json);
    for (const unsigned char *p = (const unsigned char *)json; *p; p++)
        cr_assert(*p >= 0x20 || *p == '\n', "raw control character %#x in summary.json", *p);
    char got[1024];
    json_decoded(path, "d[\"scenario\"]", got, sizeof got);
    cr_assert_str_eq(got, "'say \"hi\"\\\\ \\x01\\ttab\\nline\\x1f 导出'");
    /* The failing townships, worst first, as judged. */
    json_decoded(path, "[(f[\"code\"], f[\"name\"], f[\"county\"]) for f in d[\"failing\"]]", got,
                 sizeof got);
    cr_assert_str_eq(got, "[('360102201', '太平乡', '湾里区'), ('360102101', '梅岭镇, \"北\"', "
                          "'湾里,区')]");
    json_decoded(path, "(d[\"goal_met\"], d[\"townships_failing\"], d[\"seed\"], d[\"engine\"], "
                       "d[\"scenario_file\"], d[\"goal\"][\"min_covered_fraction\"])",
                 got, sizeof got);
    cr_assert_str_eq(got, "(False, 2, 42, 'exact', 'scenarios/x.ini', 0.5)");
    free(json);
    hrun_free(&h);
}

/* sites.csv: each row's radio columns are its own station's, though rows
 * reuse lately formatted ones (more distinct values than kept, shared by
 * some stations and not others, with generated and with given ids). */
Test(report, sites_csv_rows_carry_their_own_radio_columns)
{
    struct hrun h;
    hrun_make(&h, "sites");
    enum { N = 41, NS = 8 };
    /* 1-4 differ from 0 in one value each */
    struct radio_range_info info[NS] = {
        {100.5, 1000.25, "n78", "uma-nlos", 0}, {100.5, 1500.5, "n78", "uma-nlos", 0},
        {90.125, 1000.25, "n78", "uma-nlos", 0}, {100.5, 1000.25, "n28", "uma-nlos", 0},
        {100.5, 1000.25, "n78", "rma-nlos", 0}, {400, 400, "disc", "disc", 0},
        {1200, 1200, "disc", "disc", 0}, {0.0005, 12345.6785, "n28", "rma-nlos", 0}};
    double x[N], y[N], lon[N], lat[N];
    int tw[N], shape[N];
    char idbuf[N][16], *ids[N];
    for (int i = 0; i < N; i++) {
        x[i] = 1000.125 * i, y[i] = -20.5 * i, lon[i] = 115 + 0.01 * i, lat[i] = 28 - 0.02 * i;
        tw[i] = i == 7 ? -1 : i % NT;
        shape[i] = i < 8 ? (i % 2 ? (i + 1) / 2 : 0) : i * 7 / 3 % NS;
        if (i % 4)
            snprintf(idbuf[i], sizeof idbuf[i], "s%d", i);
        else
            snprintf(idbuf[i], sizeof idbuf[i], "s,%d", i);
        ids[i] = idbuf[i];
    }
    h.sites = (struct tc_sites){.n = N, .x = x, .y = y, .lon = lon, .lat = lat, .township = tw};
    struct tc_footprints fp = {.n = N, .shape = shape, .nshape = NS, .shape_info = info};
    h.run.fp = &fp;
    char path[512];
    snprintf(path, sizeof path, "%s/sites.csv", h.dir);
    for (int given = 0; given < 2; given++) {
        h.sites.id = given ? ids : NULL;
        struct tc_error err = {0};
        cr_assert_eq(report_write_sites_csv(path, &h.run, &err), 0, "%s", err.msg);
        char *csv = fx_read_file(path, NULL);
        cr_assert_not_null(csv);
        size_t cap = 256 * N, n = 0;
        char *want = malloc(cap);
        n += (size_t)snprintf(want, cap, "id,lon,lat,x_m,y_m,township,kind,band,model,"
                              "min_range_m,max_range_m\n");
        for (int i = 0; i < N; i++) {
            char id[24];
            if (given && i % 4)
                snprintf(id, sizeof id, "%s", ids[i]);
            else if (given) /* the comma quotes it */
                snprintf(id, sizeof id, "\"%s\"", ids[i]);
            else
                snprintf(id, sizeof id, "%d", i + 1);
            const struct radio_range_info *r = &info[shape[i]];
            n += (size_t)snprintf(want + n, cap - n, "%s,%.9f,%.9f,%.4f,%.4f,%s,%s,%s,%s,%.3f,"
                                  "%.3f\n", id, lon[i], lat[i], x[i], y[i],
                                  tw[i] >= 0 ? h.t[tw[i]].code : "",
                                  tw[i] >= 0 ? tc_kind_name(h.t[tw[i]].kind) : "", r->band,
                                  r->pathloss, r->min_range_m, r->max_range_m);
        }
        cr_assert_str_eq(csv, want, "given ids: %d", given);
        free(want);
        free(csv);
    }
    hrun_free(&h);
}
