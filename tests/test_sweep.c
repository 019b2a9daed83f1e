/* test_sweep.c — `towncov sweep` through the binary, on hand-made maps:
 * members equal to `towncov run` with the same values, the command's
 * expansion and errors, --find-min on a map whose threshold is known by
 * hand, an interrupted sweep, and the MPI build on 2 ranks equal to one
 * process. (The iteration syntax itself: test_sweep_space.c.) */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static char dir[256];
static char out[1 << 16];

/* Four 10 km squares of different kinds: stations overlap partly, so
 * every member's coverage is a real computation. */
static void write_grid_map(void)
{
    const struct fx_township t[] = {
        {"1", "sw", "c1", "town", FX_SQUARE(-10000, -10000, 0, 0), -5000, -5000},
        {"2", "se", "c1", "township", FX_SQUARE(0, -10000, 10000, 0), 5000, -5000},
        {"3", "nw", "c2", "subdistrict", FX_SQUARE(-10000, 0, 0, 10000), -5000, 5000},
        {"4", "ne", "c2", "town", FX_SQUARE(0, 0, 10000, 10000), 5000, 5000},
    };
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, 4);
}

/* Seven 200 m squares 20 km apart: a station covers its own square whole
 * and no other, and the first seven stations go one to each square (equal
 * weights), so the goal "every square covered" is met from 7 stations. */
static void write_islands_map(void)
{
    static const char *const wkt[] = {
        FX_SQUARE(-60100, -100, -59900, 100), FX_SQUARE(-40100, -100, -39900, 100),
        FX_SQUARE(-20100, -100, -19900, 100), FX_SQUARE(-100, -100, 100, 100),
        FX_SQUARE(19900, -100, 20100, 100),   FX_SQUARE(39900, -100, 40100, 100),
        FX_SQUARE(59900, -100, 60100, 100)};
    static const char *const code[] = {"1", "2", "3", "4", "5", "6", "7"};
    struct fx_township t[7];
    for (int i = 0; i < 7; i++)
        t[i] = (struct fx_township){code[i], code[i], "c", "town", wkt[i],
                                    -60000.0 + 20000.0 * i, 0};
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, 7);
}

static void write_ini(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fx_write_text(path, text);
}

static const char grid_ini[] =
    "[scenario]\nname = grid\nseed = 3\n[map]\nfile = map.shp\n[sites]\n"
    "strategy = weighted\ncount = %s\n[radio]\nvertices = 32\n[goal]\n"
    "seat_area_min_fraction = 0.5\n[raster]\nresolution_m = 0\n";

static void setup_grid(const char *count)
{
    fx_tmpdir(dir, sizeof dir);
    write_grid_map();
    char ini[1024];
    snprintf(ini, sizeof ini, grid_ini, count);
    write_ini("s.ini", ini);
    snprintf(ini, sizeof ini, grid_ini, "10");
    write_ini("plain.ini", ini);
}

static int towncov(const char *fmt, const char *arg)
{
    char args[4096];
    snprintf(args, sizeof args, fmt, dir, dir, arg);
    return fx_run(args, out, sizeof out);
}

static char *read_in(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text, "no %s", path);
    return text;
}

static long count_lines(const char *text)
{
    long n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* The rows of townships.csv as sweep_townships.csv writes them for member
 * m: member,code,covered_frac,seat_covered_frac,goal_met (columns 1, 7, 16
 * and 10 of townships.csv; no quoted fields in these fixtures),
 * population_covered_frac (empty: no people). */
static char *rows_from_run(const char *townships_csv, int m)
{
    char *rows = calloc(1, strlen(townships_csv) + 4096);
    const char *line = strchr(townships_csv, '\n') + 1;
    while (*line) {
        char field[20][64];
        int f = 0;
        size_t k = 0;
        for (const char *p = line; *p && *p != '\n'; p++) {
            if (*p == ',') {
                field[f++][k] = '\0';
                k = 0;
            } else {
                field[f][k++] = *p;
            }
        }
        field[f][k] = '\0';
        /* population_covered_frac: empty, these fixtures have no people */
        sprintf(rows + strlen(rows), "%d,%s,%s,%s,%s,\n", m, field[0], field[6], field[15],
                field[9]);
        line = strchr(line, '\n') + 1;
    }
    return rows;
}

/* sweep_townships.csv's lines of member m. */
static char *member_rows(const char *all, int m)
{
    char *rows = calloc(1, strlen(all) + 1), prefix[16];
    snprintf(prefix, sizeof prefix, "%d,", m);
    for (const char *line = strchr(all, '\n') + 1; *line; line = strchr(line, '\n') + 1)
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            strncat(rows, line, (size_t)(strchr(line, '\n') - line + 1));
    return rows;
}

Test(sweep, members_equal_runs_with_the_same_values)
{
    setup_grid("${N=2, 7, 15}");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/sw --threads 2 --keep-members "
                         "--vary 'scenario.seed=${5, 6}'%s", ""), 0, "%s", out);
    char *all = read_in("sw/sweep_townships.csv");
    cr_assert_eq(count_lines(all), 1 + 6 * 4, "%s", all);
    static const char *const count[] = {"2", "2", "7", "7", "15", "15"};
    static const char *const seed[] = {"5", "6", "5", "6", "5", "6"};
    for (int m = 0; m < 6; m++) {
        char args[256], name[64];
        snprintf(args, sizeof args, "--set sites.count=%s --set scenario.seed=%s --threads 1",
                 count[m], seed[m]);
        cr_assert_eq(towncov("run %s/plain.ini --quiet --out %s/run %s", args), 0, "%s", out);
        char *run_csv = read_in("run/townships.csv");
        snprintf(name, sizeof name, "sw/members/%03d/townships.csv", m);
        char *kept = read_in(name);
        cr_assert_str_eq(kept, run_csv, "member %d's townships.csv differs from run's", m);
        char *want = rows_from_run(run_csv, m), *got = member_rows(all, m);
        cr_assert_str_eq(got, want, "member %d", m);
        free(want);
        free(got);
        free(kept);
        free(run_csv);
    }
    free(all);
    char *csv = read_in("sw/sweep.csv");
    cr_assert(strstr(csv, "member,sites.count,scenario.seed,repetition,seed,goal_met,"
                          "townships_failing,covered_frac,seat_covered_frac,"
                          "population_covered_frac,seats_covered,checksum,seconds\n"), "%s",
              csv);
    cr_assert(strstr(csv, "\n5,15,6,0,6,"), "%s", csv);
    cr_assert_eq(count_lines(csv), 7);
    free(csv);
}

Test(sweep, list_prints_every_member_in_loop_order)
{
    setup_grid("${1..3}");
    write_ini("r.ini", "[scenario]\nname = r\n[map]\nfile = map.shp\n[sites]\ncount = 4\n"
                       "[sweep]\nrepeat = 2\n");
    cr_assert_eq(towncov("sweep %s/s.ini --list --out %s/x --vary radio.vertices=16,24%s", ""),
                 0, "%s", out);
    cr_assert(strstr(out, "6 members"), "%s", out);
    /* the file's loop outermost, --vary's inner */
    const char *a = strstr(out, "\n     0  1            16"), *b = strstr(out, "\n     1  1 ");
    cr_assert(a && b && a < b, "%s", out);
    cr_assert_eq(towncov("sweep %s/r.ini --list --out %s/x%s", ""), 0, "%s", out);
    cr_assert(strstr(out, "2 members") && strstr(out, "\n     0           0  1\n") &&
              strstr(out, "\n     1           1  2\n"), "repetitions: %s", out);
}

Test(sweep, run_refuses_a_scenario_with_iterations)
{
    setup_grid("${1..3}");
    cr_assert_eq(towncov("run %s/s.ini --quiet --out %s/x%s", ""), 3, "%s", out);
    cr_assert(strstr(out, "s.ini:8:") && strstr(out, "towncov sweep"), "%s", out);
    write_ini("r.ini", "[scenario]\nname = r\n[map]\nfile = map.shp\n[sweep]\nrepeat = 3\n");
    cr_assert_eq(towncov("run %s/r.ini --quiet --out %s/x%s", ""), 3, "%s", out);
    cr_assert(strstr(out, "sweep.repeat = 3") && strstr(out, "towncov sweep"), "%s", out);
}

Test(sweep, bad_values_are_refused_before_any_work_with_where)
{
    setup_grid("${4, -5}");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/x%s", ""), 3, "%s", out);
    cr_assert(strstr(out, "member 1") && strstr(out, "s.ini:8") && strstr(out, "sites.count"),
              "%s", out);
    cr_assert_eq(access("x", F_OK), -1);
    setup_grid("4");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/x --vary sites.nothing=1,2%s", ""), 3,
                 "%s", out);
    cr_assert(strstr(out, "--vary sites.nothing=1,2") && strstr(out, "unknown key"), "%s", out);
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/x --set sites.count=3 "
                         "--vary sites.count=1,2%s", ""), 3, "%s", out);
    cr_assert(strstr(out, "varied by the sweep"), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/x", dir);
    cr_assert_eq(access(path, F_OK), -1, "no output folder after a refusal");
}

Test(sweep, find_min_finds_the_threshold_worked_by_hand)
{
    fx_tmpdir(dir, sizeof dir);
    write_islands_map();
    write_ini("i.ini", "[scenario]\nname = islands\n[map]\nfile = map.shp\n[sites]\n"
                       "strategy = uniform\ncount = 3\n[radio]\nvertices = 32\n[goal]\n"
                       "seat_area_min_fraction = 0\nmin_covered_fraction = 0.99\n"
                       "[raster]\nresolution_m = 0\n");
    cr_assert_eq(towncov("sweep %s/i.ini --out %s/fm --find-min sites.count --range 1..40%s",
                         ""), 0, "%s", out);
    cr_assert(strstr(out, "goal met from 7 stations"), "%s", out);
    char *json = read_in("fm/sweep.json");
    cr_assert(strstr(json, "\"find_min\": {\"key\": \"sites.count\", \"value\": 7, "
                           "\"goal_met\": true, \"range\": [1, 40], \"monotone\": true"),
              "%s", json);
    free(json);
    char *csv = read_in("fm/sweep.csv");
    cr_assert(strstr(csv, ",7,0,1,yes,0,") && strstr(csv, ",6,0,1,no,1,"), "%s", csv);
    free(csv);
    /* Without --range: 3 fails, 6 fails, 12 meets, then bisection. */
    cr_assert_eq(towncov("sweep %s/i.ini --out %s/fm2 --find-min sites.count%s", ""), 0, "%s",
                 out);
    cr_assert(strstr(out, "goal met from 7 stations"), "%s", out);
    cr_assert_eq(towncov("sweep %s/i.ini --out %s/fm3 --find-min sites.count --range 1..5%s",
                         ""), 0, "%s", out);
    cr_assert(strstr(out, "goal not met up to sites.count = 5"), "%s", out);
    cr_assert_eq(towncov("sweep %s/i.ini --out %s/fm5 --find-min sites.count --list%s", ""), 2,
                 "%s", out);
    cr_assert(strstr(out, "--list does not go with --find-min"), "%s", out);
    /* A station at every seat first: the search starts at the township count. */
    write_ini("seats.ini", "[scenario]\nname = islands\n[map]\nfile = map.shp\n[sites]\n"
                           "strategy = seats\ncount = 20\n[goal]\nseat_area_min_fraction = 0\n"
                           "min_covered_fraction = 0.99\n[raster]\nresolution_m = 0\n");
    cr_assert_eq(towncov("sweep %s/seats.ini --out %s/fm4 --find-min sites.count%s", ""), 0,
                 "%s", out);
    cr_assert(strstr(out, "goal met from 7 stations"), "%s", out);
    json = read_in("fm4/sweep.json");
    cr_assert(strstr(json, "\"value\": 7, \"goal_met\": true, \"range\": [7, 20]"), "%s", json);
    free(json);
}

/* Starts `towncov sweep` with stderr on a pipe; returns its pid. */
static pid_t start_sweep(const char *args, int *err_fd)
{
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], STDERR_FILENO);
        close(fd[0]);
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "exec %s %s >/dev/null", getenv("TOWNCOV_BIN"), args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    *err_fd = fd[0];
    return pid;
}

Test(sweep, an_interrupt_keeps_the_members_done)
{
    setup_grid("4");
    char args[1024];
    snprintf(args, sizeof args, "sweep %s/s.ini --out %s/int --threads 1 --vary "
             "sites.count=1..3000", dir, dir);
    int fd;
    pid_t pid = start_sweep(args, &fd);
    FILE *log = fdopen(fd, "r");
    char line[1024];
    int seen = 0;
    while (!seen && fgets(line, sizeof line, log))
        seen = strstr(line, "member 3/3000") != NULL;
    cr_assert(seen, "no progress line");
    kill(pid, SIGINT);
    while (fgets(line, sizeof line, log))
        ;
    fclose(log);
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    char *csv = read_in("int/sweep.csv");
    long rows = count_lines(csv) - 1;
    cr_assert(rows >= 3 && rows < 3000, "%ld rows", rows);
    char *json = read_in("int/sweep.json"), want[128];
    snprintf(want, sizeof want, "\"members_done\": %ld,\n  \"interrupted\": true", rows);
    cr_assert(strstr(json, want), "%s", json);
    char *townships = read_in("int/sweep_townships.csv");
    cr_assert_eq(count_lines(townships), 1 + 4 * rows);
    free(csv);
    free(json);
    free(townships);
}

/* sweep.csv without its last column (seconds), sweep.json without its
 * timings and rank count: what a sweep on R ranks must write as on one. */
static char *without_timings(const char *text, int csv)
{
    char *copy = strdup(text), *w = copy;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        int skip = !csv && (strstr(line, "\"ranks\"") == line + 2 ||
                            strstr(line, "\"seconds\": {") == line + 2);
        if (csv) {
            const char *comma = memrchr(line, ',', n);
            memcpy(w, line, (size_t)(comma - line));
            w += comma - line;
            *w++ = '\n';
        } else if (!skip) {
            for (size_t k = 0; k < n; k++) {
                const char *sec = strncmp(line + k, "\"seconds\": ", 11) == 0 ? line + k : NULL;
                if (sec) { /* the member's own: drop to the closing brace */
                    while (k < n && line[k] != '}')
                        k++;
                }
                *w++ = line[k];
            }
        }
        line += n;
    }
    *w = '\0';
    return copy;
}

Test(sweep, mpi_two_ranks_write_what_one_process_writes)
{
    const char *mpi = getenv("TOWNCOV_MPI_BIN");
    if (!mpi || access(mpi, X_OK) != 0 || system("command -v mpirun >/dev/null") != 0)
        cr_skip_test("no MPI build (make test builds build-mpi/towncov)");
    setup_grid("${3, 12, 25}");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/one --threads 1 "
                         "--vary radio.vertices=16,24%s", ""), 0, "%s", out);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 mpirun --oversubscribe --allow-run-as-root "
             "-np 2 %s sweep %s/s.ini --quiet --out %s/two --threads 1 "
             "--vary radio.vertices=16,24 > %s/mpi.log 2>&1", mpi, dir, dir, dir);
    int rc = system(cmd);
    char *log = read_in("mpi.log");
    cr_assert_eq(rc, 0, "%s", log);
    free(log);
    static const char *const names[] = {"sweep.csv", "sweep_townships.csv", "sweep.json"};
    for (int k = 0; k < 3; k++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "one/%s", names[k]);
        snprintf(b, sizeof b, "two/%s", names[k]);
        char *x = read_in(a), *y = read_in(b);
        char *cx = k == 1 ? strdup(x) : without_timings(x, k == 0);
        char *cy = k == 1 ? strdup(y) : without_timings(y, k == 0);
        cr_assert_str_eq(cx, cy, "%s differs between 1 process and 2 ranks", names[k]);
        free(x); free(y); free(cx); free(cy);
    }
    char *json = read_in("two/sweep.json");
    cr_assert(strstr(json, "\"ranks\": 2"), "%s", json);
    free(json);
}

/* Members that change the seat areas (and then the map itself) rebuild
 * what the cache shares; each still equals its run. */
Test(sweep, members_changing_seat_areas_and_map_keys_equal_runs)
{
    setup_grid("12");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/sw --threads 2 --keep-members "
                         "--vary goal.seat_radius_town_m=600,3000 --vary map.repair=no,yes%s",
                         ""), 0, "%s", out);
    static const char *const sets[] = {
        "--set goal.seat_radius_town_m=600 --set map.repair=no",
        "--set goal.seat_radius_town_m=600 --set map.repair=yes",
        "--set goal.seat_radius_town_m=3000 --set map.repair=no",
        "--set goal.seat_radius_town_m=3000 --set map.repair=yes"};
    char *first = NULL;
    for (int m = 0; m < 4; m++) {
        cr_assert_eq(towncov("run %s/plain.ini --quiet --out %s/run --set sites.count=12 %s",
                             sets[m]), 0, "%s", out);
        char *run_csv = read_in("run/townships.csv"), name[64];
        snprintf(name, sizeof name, "sw/members/%03d/townships.csv", m);
        char *kept = read_in(name);
        cr_assert_str_eq(kept, run_csv, "member %d", m);
        if (m == 0)
            first = strdup(kept);
        else if (m == 2)
            cr_assert_str_neq(kept, first, "the seat radius changed nothing: a weak test");
        free(kept);
        free(run_csv);
    }
    free(first);
}

/* Members that vary only the goal judge the previous member's coverage
 * again (the cache keeps it); each still equals its run. */
Test(sweep, members_varying_only_the_goal_equal_runs)
{
    setup_grid("${4, 30}");
    cr_assert_eq(towncov("sweep %s/s.ini --quiet --out %s/sw --threads 2 "
                         "--vary goal.seat_area_min_fraction=0.2,0.6,0.95%s", ""), 0, "%s", out);
    char *all = read_in("sw/sweep_townships.csv");
    static const char *const count[] = {"4", "4", "4", "30", "30", "30"};
    static const char *const share[] = {"0.2", "0.6", "0.95", "0.2", "0.6", "0.95"};
    int met_differs = 0;
    char *previous = NULL;
    for (int m = 0; m < 6; m++) {
        char args[256];
        snprintf(args, sizeof args, "--set sites.count=%s --set goal.seat_area_min_fraction=%s",
                 count[m], share[m]);
        cr_assert_eq(towncov("run %s/plain.ini --quiet --out %s/run %s", args), 0, "%s", out);
        char *run_csv = read_in("run/townships.csv");
        char *want = rows_from_run(run_csv, m), *got = member_rows(all, m);
        cr_assert_str_eq(got, want, "member %d", m);
        if (previous && m % 3 && strcmp(strchr(previous, ','), strchr(got, ',')) != 0)
            met_differs = 1;
        free(previous);
        previous = got;
        free(want);
        free(run_csv);
    }
    free(previous);
    free(all);
    cr_assert(met_differs, "no threshold changed a verdict: a weak test");
}
