/* Whole runs of the towncov binary on hand-made maps whose answers are
 * worked out by hand, determinism across thread counts, engines agreeing,
 * and errors that leave earlier outputs alone. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shapefil.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* One row of townships.csv, split on commas (fixture names have none). */
struct row { char buf[1024]; char *f[32]; int n; };

static int csv_row(const char *csv_path, const char *code, struct row *r)
{
    char *text = fx_read_file(csv_path, NULL);
    cr_assert_not_null(text, "no %s", csv_path);
    char key[64];
    snprintf(key, sizeof key, "\n%s,", code);
    char *p = strstr(text, key);
    if (!p) {
        free(text);
        return -1;
    }
    p++;
    size_t len = strcspn(p, "\n");
    snprintf(r->buf, sizeof r->buf, "%.*s", (int)len, p);
    free(text);
    r->n = 0;
    for (char *s = r->buf; r->n < 32;) {
        r->f[r->n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return 0;
}

static double covered_m2(const char *code)
{
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    struct row r;
    cr_assert_eq(csv_row(path, code, &r), 0, "no township %s in %s", code, path);
    return atof(r.f[5]) * 1e6; /* covered_km2 */
}

static const char *seat_covered(const char *code)
{
    static char v[8];
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    struct row r;
    cr_assert_eq(csv_row(path, code, &r), 0);
    snprintf(v, sizeof v, "%s", r.f[7]);
    return v;
}

/* Writes map.shp, sites.csv (metres converted to lon/lat) and s.ini. */
static void setup(const struct fx_township *t, int n, const double *sites, int n_sites,
                  const char *extra_ini)
{
    fx_tmpdir(dir, sizeof dir);
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, n);
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    fx_write_sites(path, "s", sites, n_sites);
    char ini[4096];
    snprintf(ini, sizeof ini,
             "[scenario]\nname = fixture\n[map]\nfile = map.shp\n[sites]\nstrategy = file\n"
             "file = sites.csv\n[radio]\nvertices = 64\n%s",
             extra_ini ? extra_ini : "");
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, ini);
}

static int run(const char *more)
{
    char args[2048];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out %s", dir, dir, more);
    return fx_run(args, out, sizeof out);
}

static void assert_close(double got, double want, double rel)
{
    cr_assert(fabs(got - want) <= rel * fabs(want) + 1e-6, "got %.6f, want %.6f", got, want);
}

Test(run, disc_inside_square_covers_the_ngon)
{
    const struct fx_township t[] = {
        {"1", "square", "c", "town", FX_SQUARE(-5000, -5000, 5000, 5000), 0, 0}};
    const double sites[] = {0, 0};
    setup(t, 1, sites, 1, "radius_town_m = 1000\n");
    for (int e = 0; e < 2; e++) {
        cr_assert_eq(run(e ? "--engine naive" : "--engine geos"), 0, "%s", out);
        assert_close(covered_m2("1"), fx_ngon_area(1000, 64), 1e-9);
        cr_assert_str_eq(seat_covered("1"), "yes");
    }
}

Test(run, disc_straddling_two_townships_splits_in_half)
{
    const struct fx_township t[] = {
        {"1", "west", "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
        {"2", "east", "c", "town", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
    const double sites[] = {0, 0};
    setup(t, 2, sites, 1, "radius_town_m = 1000\n");
    cr_assert_eq(run(""), 0, "%s", out);
    double half = fx_ngon_area(1000, 64) / 2;
    assert_close(covered_m2("1"), half, 1e-9);
    assert_close(covered_m2("2"), half, 1e-9);
    cr_assert_str_eq(seat_covered("1"), "no");
}

Test(run, township_with_a_hole)
{
    const struct fx_township t[] = {
        {"1", "ring", "c", "town",
         "POLYGON((-5000 -5000, 5000 -5000, 5000 5000, -5000 5000, -5000 -5000),"
         "(-1000 -1000, -1000 1000, 1000 1000, 1000 -1000, -1000 -1000))",
         -4000, -4000},
        {"2", "hole", "c", "town", FX_SQUARE(-1000, -1000, 1000, 1000), 0, 0}};
    const double sites[] = {0, 0};
    setup(t, 2, sites, 1, "radius_town_m = 3000\n");
    cr_assert_eq(run(""), 0, "%s", out);
    assert_close(covered_m2("1"), fx_ngon_area(3000, 64) - 4e6, 1e-9);
    assert_close(covered_m2("2"), 4e6, 1e-9);
}

Test(run, multipart_township)
{
    const struct fx_township t[] = {
        {"1", "two islands", "c", "township",
         "MULTIPOLYGON(((-5000 -1000, -3000 -1000, -3000 1000, -5000 1000, -5000 -1000)),"
         "((3000 -1000, 5000 -1000, 5000 1000, 3000 1000, 3000 -1000)))",
         -4000, 0},
        {"2", "middle", "c", "town", FX_SQUARE(-1000, -1000, 1000, 1000), 0, 0}};
    const double sites[] = {-4000, 0, 4000, 0};
    setup(t, 2, sites, 2, "radius_township_m = 500\n");
    cr_assert_eq(run(""), 0, "%s", out);
    assert_close(covered_m2("1"), 2 * fx_ngon_area(500, 64), 1e-9);
    assert_close(covered_m2("2"), 0, 0);
    cr_assert_str_eq(seat_covered("1"), "yes");
}

Test(run, same_results_for_one_and_two_threads)
{
    setup(fx_grid4, 4, NULL, 0, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = det\nseed = 7\n[map]\nfile = map.shp\n"
                        "[sites]\nstrategy = weighted\ncount = 3000\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --threads 1 --out %s/t1", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "run %s/s.ini --quiet --threads 2 --out %s/t2", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    const char *files[] = {"townships.csv", "sites.csv"};
    for (int i = 0; i < 2; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/t1/%s", dir, files[i]);
        snprintf(b, sizeof b, "%s/t2/%s", dir, files[i]);
        size_t la, lb;
        char *x = fx_read_file(a, &la), *y = fx_read_file(b, &lb);
        cr_assert(x && y);
        cr_assert(la == lb && memcmp(x, y, la) == 0, "%s differs between 1 and 2 threads",
                  files[i]);
        free(x);
        free(y);
    }
}

Test(run, engines_agree_on_random_sites)
{
    setup(fx_grid4, 4, NULL, 0, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = eng\nseed = 3\n[map]\nfile = map.shp\n"
                        "[sites]\nstrategy = uniform\ncount = 400\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/g --engine geos", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/n --engine naive", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    for (int i = 0; i < 4; i++) {
        struct row g, n;
        snprintf(path, sizeof path, "%s/g/townships.csv", dir);
        cr_assert_eq(csv_row(path, fx_grid4[i].code, &g), 0);
        snprintf(path, sizeof path, "%s/n/townships.csv", dir);
        cr_assert_eq(csv_row(path, fx_grid4[i].code, &n), 0);
        double fg = atof(g.f[6]), fn = atof(n.f[6]);
        cr_assert(fabs(fg - fn) <= 1e-9, "township %s: geos %.12f naive %.12f",
                  fx_grid4[i].code, fg, fn);
        cr_assert(fg > 0.01 && fg < 1.0, "township %s: implausible fraction %g",
                  fx_grid4[i].code, fg);
        cr_assert_str_eq(g.f[7], n.f[7]);
    }
}

Test(run, goal_verdict_and_worst_first)
{
    /* Seat of 11 and 22 covered; 12 and 21 get nothing. */
    const double sites[] = {-10000, -10000, 10000, 10000};
    setup(fx_grid4, 4, sites, 2, "radius_subdistrict_m = 9000\nradius_special_m = 2000\n"
                              "[goal]\nseat_covered = yes\nmin_covered_fraction = 0.5\n"
                              "seat_area_min_fraction = 0\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/out --fail-on-goal", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 1, "%s", out);
    cr_assert(strstr(out, "GOAL NOT MET: 3 of 4 townships fail (without 50 % of their area "
                          "covered and their seat covered)"), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/summary.json", dir);
    char *json = fx_read_file(path, NULL);
    cr_assert(strstr(json, "\"goal_met\": false"));
    cr_assert(strstr(json, "\"townships_failing\": 3"));
    /* 22 has its seat covered but only ~3 % of its area: it fails on area;
     * 12 and 21 have nothing and come first (code order breaks the tie). */
    char *a = strstr(json, "\"code\": \"12\""), *b = strstr(json, "\"code\": \"21\""),
         *c = strstr(json, "\"code\": \"22\"");
    cr_assert(a && b && c && a < b && b < c, "%s", json);
    free(json);
    cr_assert_str_eq(seat_covered("22"), "yes");
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out --set goal.seat_covered=yes "
             "--set goal.min_covered_fraction=0 --fail-on-goal", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 1, "%s", out);
    snprintf(path, sizeof path, "%s/out/summary.json", dir);
    json = fx_read_file(path, NULL);
    cr_assert(strstr(json, "\"townships_failing\": 2"), "%s", json);
    free(json);
}

Test(run, failed_run_leaves_earlier_outputs)
{
    const double sites[] = {0, 0};
    setup(fx_grid4, 4, sites, 1, NULL);
    cr_assert_eq(run(""), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    size_t before_len;
    char *before = fx_read_file(path, &before_len);
    /* Now break the sites file: the run must fail and touch nothing. */
    char sites_path[512];
    snprintf(sites_path, sizeof sites_path, "%s/sites.csv", dir);
    fx_write_text(sites_path, "id,lon,lat\ns1,abc,0\n");
    cr_assert_eq(run(""), 5, "%s", out);
    cr_assert(strstr(out, "sites.csv:2"), "%s", out);
    size_t after_len;
    char *after = fx_read_file(path, &after_len);
    cr_assert(after && after_len == before_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
}

Test(run, bad_inputs_exit_with_documented_status)
{
    const double sites[] = {0, 0};
    setup(fx_grid4, 4, sites, 1, NULL);
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --set map.file=nothere.shp --out %s/x", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "nothere"), "%s", out);
    snprintf(args, sizeof args, "run %s/s.ini --set map.code_field=kode --out %s/x", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 4, "%s", out);
    cr_assert(strstr(out, "no attribute 'kode'"), "%s", out);
    snprintf(args, sizeof args, "run %s/nothere.ini", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 3, "%s", out);
    cr_assert_eq(fx_run("run", out, sizeof out), 2, "%s", out);
    cr_assert_eq(fx_run("frobnicate", out, sizeof out), 2, "%s", out);
    snprintf(args, sizeof args, "run %s/s.ini --threads 0", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 2, "%s", out);
    /* Refused from the estimate, before anything is allocated. */
    snprintf(args, sizeof args, "run %s/s.ini --set sites.strategy=uniform "
             "--set sites.count=1000000000000 --out %s/x", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 6, "%s", out);
    cr_assert(strstr(out, "1000000000000 stations would need about"), "%s", out);
    char x[512];
    snprintf(x, sizeof x, "%s/x", dir);
    FILE *f = fopen(x, "r");
    cr_assert_null(f, "a failed run created %s", x);
}

Test(run, sites_file_errors_are_located)
{
    const double sites[] = {0, 0};
    setup(fx_grid4, 4, sites, 1, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    struct { const char *csv, *words; } cases[] = {
        {"id,lon,lat\n", "no sites"},
        {"", "no sites"},
        {"name,x,y\na,0,0\n", "header"},
        {"id,lng,lattitude\na,0,0\n", "sites.csv:1: no column 'lat' (or latitude) in the "
                                     "header: \"id,lng,lattitude\"; set sites.lat_field"},
        {"id,lon,lat\na,0\n", "sites.csv:2: 2 fields, no 'lat'"},
        {"id,lon,lat\na,0,0\nb,0,95\n", "sites.csv:3: lon,lat"},
        {"id,lon,lat\na,0,0\na,0.01,0\n", "appears twice"},
        {"id,lon,lat\na,50,50\n", "outside every township"},
        {"id,lon,lat,height_m\na,0,0,tall\n", "height_m 'tall' is not a number"},
        {"id,lon,lat,height_m,power_dbm,azimuths\na,0,0,30,46,0;400\n", "azimuths"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fx_write_text(path, cases[i].csv);
        cr_assert_eq(run(""), 5, "case %zu: %s", i, out);
        cr_assert(strstr(out, cases[i].words), "case %zu: '%s' lacks '%s'", i, out,
                  cases[i].words);
    }
}

Test(run, help_explains_itself)
{
    cr_assert_eq(fx_run("--help", out, sizeof out), 0);
    cr_assert(strstr(out, "towncov run SCENARIO"));
    cr_assert(strstr(out, "Exit status"));
    cr_assert_eq(fx_run("run --help", out, sizeof out), 0);
    cr_assert(strstr(out, "--threads N"));
    cr_assert(strstr(out, "--set section.key=value"));
}

Test(run, jiangxi_default_scenario, .timeout = 600)
{
    fx_tmpdir(dir, sizeof dir);
    char args[1024];
    /* Under the sanitizers everything is ~10x slower: a tenth of the sites. */
    snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --threads 2 --out %s/out %s", dir,
             getenv("TOWNCOV_SANITIZED") ? "--set sites.count=6500" : "");
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "GOAL "), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/summary.json", dir);
    char *json = fx_read_file(path, NULL);
    cr_assert_not_null(json);
    cr_assert(strstr(json, "\"townships\": 1767"), "%s", json);
    cr_assert(strstr(json, getenv("TOWNCOV_SANITIZED") ? "\"sites\": 6500" : "\"sites\": 65000"),
              "%s", json);
    free(json);
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    char *csv = fx_read_file(path, NULL);
    int lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 1768);
    free(csv);
}

/* SIGTERM in the middle of a run: it stops within seconds, says so, exits
 * 130 and leaves the previous outputs as they were. */
/* Whether process pid catches signal sig (its SigCgt mask in
 * /proc/PID/status), polled for up to `seconds`. */
static int handles_signal(pid_t pid, int sig, double seconds)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    for (double t0 = fx_now(); fx_now() - t0 < seconds; usleep(20 * 1000)) {
        FILE *f = fopen(path, "r");
        if (!f)
            return 0;
        unsigned long long mask = 0;
        int found = 0;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "SigCgt: %llx", &mask) == 1) {
                found = 1;
                break;
            }
        fclose(f);
        if (found && (mask >> (sig - 1) & 1))
            return 1;
    }
    return 0;
}

Test(run, signal_stops_cleanly_and_keeps_earlier_outputs, .timeout = 300)
{
    const double sites[] = {0, 0};
    setup(fx_grid4, 4, sites, 1, NULL);
    cr_assert_eq(run(""), 0, "%s", out);
    char csv[512];
    snprintf(csv, sizeof csv, "%s/out/townships.csv", dir);
    size_t before_len;
    char *before = fx_read_file(csv, &before_len);
    /* A long run into the same folder: the Jiangxi map with the slow engine. */
    char outdir[512];
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(getenv("TOWNCOV_BIN"), "towncov", "run", "scenarios/jiangxi-65k.ini", "--engine",
              "geos", "--out", outdir, (char *)NULL);
        _exit(127);
    }
    /* Signal it once it handles SIGTERM (a sanitized binary on a loaded
     * machine can take seconds to get there; a signal before would kill it
     * by default action, which is not what this tests), then a moment into
     * the run. */
    cr_assert(handles_signal(pid, SIGTERM, 60.0), "towncov never installed its SIGTERM handler");
    usleep(500 * 1000);
    kill(pid, SIGTERM);
    double t0 = fx_now();
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0 && fx_now() - t0 < 60)
        usleep(10 * 1000);
    double waited = fx_now() - t0;
    cr_assert(WIFEXITED(status), "towncov did not exit after SIGTERM");
    cr_assert_eq(WEXITSTATUS(status), 130);
    /* "within a second" on an idle machine; sanitizers and shared CI
     * machines get slack, but not minutes. */
    cr_assert(waited < (getenv("TOWNCOV_SANITIZED") ? 20.0 : 5.0), "took %.1f s", waited);
    size_t after_len;
    char *after = fx_read_file(csv, &after_len);
    cr_assert(after && after_len == before_len && memcmp(before, after, after_len) == 0);
    free(before);
    free(after);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -d %s/out.tmp-* 2>/dev/null | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int leftovers = -1;
    cr_assert_eq(fscanf(p, "%d", &leftovers), 1);
    pclose(p);
    cr_assert_eq(leftovers, 0, "temporary output folders left behind");
}

Test(run, reports_say_which_band_model_and_range_each_station_got)
{
    setup(fx_grid4, 4, NULL, 0, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = radio\n[map]\nfile = map.shp\n[sites]\ncount = 40\n"
                        "[radio]\nmodel = link\nband_township = n28\n");
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --out %s/out", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "Radio by kind"), "%s", out);
    snprintf(path, sizeof path, "%s/out/summary.json", dir);
    char *json = fx_read_file(path, NULL);
    cr_assert(strstr(json, "\"kind\": \"subdistrict\"") && strstr(json, "\"band\": \"n78\""),
              "%s", json);
    cr_assert(strstr(json, "\"kind\": \"township\"") && strstr(json, "\"band\": \"n28\""), "%s",
              json);
    free(json);
    snprintf(path, sizeof path, "%s/out/sites.csv", dir);
    char *csv = fx_read_file(path, NULL);
    cr_assert(strstr(csv, ",township,n28,rma-nlos,"), "%s", csv);
    cr_assert(strstr(csv, ",subdistrict,n78,uma-nlos,"), "%s", csv);
    free(csv);
}

/* n bytes of UTF-8 text: Chinese characters (3 bytes each), then ASCII. */
static void long_name(char *buf, int bytes)
{
    int k = 0;
    for (; k + 3 <= bytes; k += 3)
        memcpy(buf + k, "镇", 3);
    for (; k < bytes; k++)
        buf[k] = 'z';
    buf[k] = '\0';
}

Test(run, names_of_200_and_254_bytes_round_trip_byte_for_byte)
{
    char a[300], b[300];
    long_name(a, 200);
    long_name(b, 254);
    const struct fx_township t[] = {
        {"1", a, "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
        {"2", b, b, "town", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
    const double sites[] = {-4900, -4900};
    setup(t, 2, sites, 1, "radius_town_m = 100\n");
    cr_assert_eq(run(""), 0, "%s", out);
    char path[600];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    char *csv = fx_read_file(path, NULL);
    snprintf(path, sizeof path, "%s/out/summary.json", dir);
    char *json = fx_read_file(path, NULL);
    cr_assert(csv && json);
    for (int i = 0; i < 2; i++) {
        char quoted[320];
        snprintf(quoted, sizeof quoted, ",%s,", t[i].name);
        cr_assert(strstr(csv, quoted), "townships.csv lacks the %zu-byte name", strlen(t[i].name));
        snprintf(quoted, sizeof quoted, "\"%s\"", t[i].name);
        cr_assert(strstr(json, quoted), "summary.json lacks the %zu-byte name", strlen(t[i].name));
    }
    free(csv);
    free(json);
    snprintf(path, sizeof path, "%s/out/townships.dbf", dir);
    DBFHandle dbf = DBFOpen(path, "rb");
    cr_assert_not_null(dbf);
    int f_name = DBFGetFieldIndex(dbf, "name"), f_code = DBFGetFieldIndex(dbf, "code");
    cr_assert(f_name >= 0 && f_code >= 0);
    for (int r = 0; r < DBFGetRecordCount(dbf); r++) {
        const char *want = strcmp(DBFReadStringAttribute(dbf, r, f_code), "1") == 0 ? a : b;
        cr_assert_str_eq(DBFReadStringAttribute(dbf, r, f_name), want);
    }
    DBFClose(dbf);
}

Test(run, names_past_the_dbase_limit_are_cut_on_a_character_with_one_warning)
{
    /* 127 GBK characters fill a 254-byte field and decode to 381 bytes of
     * UTF-8: whole in the CSV, cut to 252 bytes (84 characters) in the DBF. */
    char utf8[400], gbk[300];
    long_name(utf8, 381);
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char *in = utf8, *o = gbk;
    size_t left = strlen(utf8), room = sizeof gbk - 1;
    cr_assert_neq(iconv(cd, &in, &left, &o, &room), (size_t)-1);
    *o = '\0';
    iconv_close(cd);
    cr_assert_eq(strlen(gbk), 254u);
    const struct fx_township t[] = {
        {"1", "x", "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -2500, 0},
        {"2", "y", "c", "town", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
    const double sites[] = {-4900, -4900};
    setup(t, 2, sites, 1, "radius_town_m = 100\n");
    char path[600];
    snprintf(path, sizeof path, "%s/map.dbf", dir);
    DBFHandle in_dbf = DBFOpen(path, "rb+");
    for (int r = 0; r < 2; r++)
        DBFWriteStringAttribute(in_dbf, r, DBFGetFieldIndex(in_dbf, "name"), gbk);
    DBFClose(in_dbf);
    snprintf(path, sizeof path, "%s/map.cpg", dir);
    fx_write_text(path, "GBK");
    cr_assert_eq(run(""), 0, "%s", out);
    const char *warn = strstr(out, "townships.dbf: 2 text values longer than the dBase limit of "
                                   "254 bytes cut at a character boundary");
    cr_assert(warn, "%s", out);
    cr_assert_null(strstr(warn + 1, "townships.dbf: 2 text values"), "warned twice: %s", out);
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    char *csv = fx_read_file(path, NULL);
    cr_assert(strstr(csv, utf8), "townships.csv lost part of the name");
    free(csv);
    snprintf(path, sizeof path, "%s/out/townships.dbf", dir);
    DBFHandle dbf = DBFOpen(path, "rb");
    cr_assert_not_null(dbf);
    utf8[252] = '\0';
    cr_assert_str_eq(DBFReadStringAttribute(dbf, 0, DBFGetFieldIndex(dbf, "name")), utf8);
    DBFClose(dbf);
}

/* Seat areas through whole runs, worked by hand: a town's seat disc
 * (850 m) wholly inside a 2 km footprint is covered 100 %, far from every
 * footprint 0 %; one on the border with a township is clipped to half;
 * the three engines agree on a partly covered one. */
Test(run, seat_areas_covered_worked_by_hand)
{
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-10000, -5000, 0, 5000), -5000, 0},
        {"2", "乙镇", "c", "town", FX_SQUARE(0, -5000, 10000, 5000), 0, 0}}; /* seat on the border */
    const double sites[] = {-5000, 0, 9000, 4000};
    setup(t, 2, sites, 2, "radius_town_m = 2000\n[goal]\nseat_area_min_fraction = 0.95\n");
    cr_assert_eq(run(""), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    struct row r;
    cr_assert_eq(csv_row(path, "1", &r), 0);
    double disc = fx_ngon_area(850, 64);
    assert_close(atof(r.f[13]) * 1e6, disc, 1e-9);        /* seat_area_km2 */
    assert_close(atof(r.f[14]) * 1e6, disc, 1e-9);        /* seat_covered_km2 */
    cr_assert_str_eq(r.f[15], "1.000000000000");
    cr_assert_str_eq(r.f[9], "yes");                       /* goal_met */
    cr_assert_eq(csv_row(path, "2", &r), 0);
    assert_close(atof(r.f[13]) * 1e6, disc / 2, 1e-9);    /* clipped at the border */
    cr_assert_str_eq(r.f[15], "0.000000000000");
    cr_assert_str_eq(r.f[9], "no");
    /* A station 500 m off the seat with a 600 m reach covers part of it:
     * the engines agree on how much. */
    const double near[] = {-4500, 0, 9000, 4000};
    setup(t, 2, near, 2, "radius_town_m = 600\n");
    double got[3];
    const char *engines[] = {"exact", "geos", "naive"};
    for (int e = 0; e < 3; e++) {
        char more[64];
        snprintf(more, sizeof more, "--engine %s", engines[e]);
        cr_assert_eq(run(more), 0, "%s", out);
        cr_assert_eq(csv_row(path, "1", &r), 0);
        got[e] = atof(r.f[14]);
    }
    cr_assert(got[0] > 0.1 && got[0] < disc / 1e6, "%g", got[0]);
    cr_assert(fabs(got[0] - got[1]) < 1e-9 && fabs(got[0] - got[2]) < 1e-9, "%.12f %.12f %.12f",
              got[0], got[1], got[2]);
}

/* The seat_areas layer: one polygon a township, its area the reported
 * seat_area_km2 (back in the map's CRS, which here is the metric one),
 * styled and in the QGIS project. */
Test(run, seat_areas_layer_matches_the_report)
{
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-10000, -5000, 0, 5000), -5000, 0},
        {"2", "乙乡", "c", "township", FX_SQUARE(0, -5000, 10000, 5000), 5000, 0}};
    const double sites[] = {-5000, 0};
    setup(t, 2, sites, 1, "radius_town_m = 600\n");
    cr_assert_eq(run(""), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/seat_areas.shp", dir);
    SHPHandle shp = SHPOpen(path, "rb");
    cr_assert_not_null(shp, "no seat_areas.shp");
    int n = 0;
    SHPGetInfo(shp, &n, NULL, NULL, NULL);
    cr_assert_eq(n, 2);
    snprintf(path, sizeof path, "%s/out/seat_areas.dbf", dir);
    DBFHandle dbf = DBFOpen(path, "rb");
    int f_km2 = DBFGetFieldIndex(dbf, "seat_km2"), f_src = DBFGetFieldIndex(dbf, "source");
    cr_assert(f_km2 >= 0 && f_src >= 0);
    for (int i = 0; i < n; i++) {
        SHPObject *o = SHPReadObject(shp, i);
        double a = 0; /* shoelace over the record's rings (clockwise shells) */
        for (int p = 0; p < o->nParts; p++) {
            int s0 = o->panPartStart[p], s1 = p + 1 < o->nParts ? o->panPartStart[p + 1]
                                                                 : o->nVertices;
            for (int k = s0; k + 1 < s1; k++)
                a += o->padfX[k] * o->padfY[k + 1] - o->padfX[k + 1] * o->padfY[k];
        }
        SHPDestroyObject(o);
        assert_close(fabs(a) / 2, DBFReadDoubleAttribute(dbf, i, f_km2) * 1e6, 1e-6);
        cr_assert_str_eq(DBFReadStringAttribute(dbf, i, f_src), "modelled");
    }
    DBFClose(dbf);
    SHPClose(shp);
    snprintf(path, sizeof path, "%s/out/towncov.qgs", dir);
    char *qgs = fx_read_file(path, NULL);
    cr_assert(qgs && strstr(qgs, "seat_areas.shp"), "seat_areas not in the project");
    free(qgs);
    snprintf(path, sizeof path, "%s/out/seat_areas.qml", dir);
    char *qml = fx_read_file(path, NULL);
    cr_assert(qml && strstr(qml, "attr=\"seat_frac\""));
    free(qml);
}

/* Key points: one inside a footprint, one outside, one in another
 * township; each reported, the goal judging them with key_points = all. */
Test(run, key_points_inside_and_outside)
{
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-10000, -5000, 0, 5000), -5000, 0},
        {"2", "乙乡", "c", "township", FX_SQUARE(0, -5000, 10000, 5000), 5000, 0}};
    const double sites[] = {-5000, 0, 5000, 0};
    setup(t, 2, sites, 2, "radius_town_m = 3000\nradius_township_m = 3000\n"
                          "[map]\nkey_points = keys.csv\n[goal]\nkey_points = all\n"
                          "seat_area_min_fraction = 0\n");
    double lon[3], lat[3];
    fx_to_lonlat(-4000, 1000, &lon[0], &lat[0]); /* 1.4 km from township 1's station */
    fx_to_lonlat(-9000, 4000, &lon[1], &lat[1]); /* far from it */
    fx_to_lonlat(6000, 0, &lon[2], &lat[2]);     /* township 2, covered */
    char csv[1024], path[512];
    snprintf(csv, sizeof csv, "code,kind,lon,lat\n1,school,%.12f,%.12f\n1,clinic,%.12f,%.12f\n"
             "2,government,%.12f,%.12f\n", lon[0], lat[0], lon[1], lat[1], lon[2], lat[2]);
    snprintf(path, sizeof path, "%s/keys.csv", dir);
    fx_write_text(path, csv);
    cr_assert_eq(run(""), 0, "%s", out);
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    struct row r;
    cr_assert_eq(csv_row(path, "1", &r), 0);
    cr_assert_str_eq(r.f[16], "2");
    cr_assert_str_eq(r.f[17], "1");
    cr_assert_str_eq(r.f[9], "no", "one key point uncovered: not met under 'all'");
    cr_assert_eq(csv_row(path, "2", &r), 0);
    cr_assert_str_eq(r.f[17], "1");
    cr_assert_str_eq(r.f[9], "yes");
    snprintf(path, sizeof path, "%s/out/key_points.csv", dir);
    char *k = fx_read_file(path, NULL);
    cr_assert(k && strstr(k, "1,school,") && strstr(k, ",甲镇,yes\n1,clinic,"), "%s", k);
    cr_assert(strstr(k, ",甲镇,no\n2,government,"), "%s", k);
    free(k);
    /* With 'any', one covered point is enough. */
    cr_assert_eq(run("--set goal.key_points=any"), 0, "%s", out);
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    cr_assert_eq(csv_row(path, "1", &r), 0);
    cr_assert_str_eq(r.f[9], "yes");
    /* A key point of a township the map lacks is refused with its line. */
    snprintf(path, sizeof path, "%s/keys.csv", dir);
    fx_write_text(path, "code,kind,lon,lat\n1,school,0,0\n9,clinic,0,0\n");
    cr_assert_eq(run(""), 5, "%s", out);
    cr_assert(strstr(out, "keys.csv:3: key point of township '9', which the map does not have"),
              "%s", out);
}

/* Key points from a shapefile of points (WGS 84 .prj) load as from a CSV. */
Test(run, key_points_from_a_point_shapefile)
{
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-10000, -5000, 0, 5000), -5000, 0},
        {"2", "乙乡", "c", "township", FX_SQUARE(0, -5000, 10000, 5000), 5000, 0}};
    const double sites[] = {-5000, 0, 5000, 0};
    setup(t, 2, sites, 2, "radius_town_m = 3000\nradius_township_m = 3000\n"
                          "[map]\nkey_points = keys.shp\n");
    char base[512];
    snprintf(base, sizeof base, "%s/keys.shp", dir);
    SHPHandle shp = SHPCreate(base, SHPT_POINT);
    DBFHandle dbf = DBFCreate(base);
    DBFAddField(dbf, "code", FTString, 8, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    const double at[2][2] = {{-4000, 1000}, {-9000, 4000}};
    for (int i = 0; i < 2; i++) {
        double lon, lat;
        fx_to_lonlat(at[i][0], at[i][1], &lon, &lat);
        SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &lon, &lat, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        DBFWriteStringAttribute(dbf, i, 0, "1");
        DBFWriteStringAttribute(dbf, i, 1, i ? "clinic" : "school");
    }
    SHPClose(shp);
    DBFClose(dbf);
    char path[600];
    snprintf(path, sizeof path, "%s/keys.prj", dir);
    fx_write_text(path, "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\","
                        "6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\","
                        "0.0174532925199433]]");
    cr_assert_eq(run(""), 0, "%s", out);
    snprintf(path, sizeof path, "%s/out/key_points.csv", dir);
    char *k = fx_read_file(path, NULL);
    cr_assert(k && strstr(k, "1,school,") && strstr(k, ",甲镇,yes\n1,clinic,") &&
              strstr(k, ",甲镇,no\n"), "%s", k);
    free(k);
}

/* A seat the map gives 300 m outside its polygon (a GCJ-02 offset, say)
 * is a valid input: the run completes, the seats strategy puts a station
 * there, and the seat area stands inside the township. */
Test(run, a_given_seat_outside_its_polygon_runs)
{
    const struct fx_township t[] = {
        {"1", "甲镇", "c", "town", FX_SQUARE(-5000, -5000, 0, 5000), -5300, 0},
        {"2", "乙镇", "c", "town", FX_SQUARE(0, -5000, 5000, 5000), 2500, 0}};
    const double sites[] = {-2500, 0};
    setup(t, 2, sites, 1, "radius_town_m = 1000\n");
    cr_assert_eq(run("--set sites.strategy=seats --set sites.count=4"), 0, "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    struct row r;
    cr_assert_eq(csv_row(path, "1", &r), 0);
    cr_assert(atof(r.f[13]) > 0, "the seat area is inside the township: %s", r.f[13]);
}
