/* test_run_mpi.c — the province-parallel run (issue 26, sim/run_mpi.c):
 * the share of townships over the ranks, and `mpirun -np N towncov run` on
 * a three-province map writing, for N = 2 and 3 and for 1 or 2 threads,
 * exactly the files one process writes (the layers, the key points and
 * map.png included). The MPI runs need the MPI build: make test-unit
 * builds it and sets TOWNCOV_MPI_BIN; a test run without it says it
 * skipped, and one with it set but unusable fails. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "../sim/pipeline_internal.h"
#include "towncov/map.h"
#include "towncov/pipeline.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

static char dir[256];
static char out[1 << 16];

/* Six by six 4 km squares: columns 0-1 in province 11, 2-3 in 12, 4-5 in
 * 46; in each province rows 0-2 one county, rows 3-5 another. */
enum { SIDE = 6, CELL = 4000 };

static void county_code_of(int col, int row, char *code)
{
    static const char *const prov[] = {"11", "12", "46"};
    sprintf(code, "%s01%02d", prov[col / 2], row < 3 ? 1 : 2);
}

static void write_map(void)
{
    static const char *const kinds[] = {"subdistrict", "town", "township", "special"};
    struct fx_township t[SIDE * SIDE];
    static char code[SIDE * SIDE][16], county[SIDE * SIDE][16], wkt[SIDE * SIDE][160];
    for (int i = 0; i < SIDE * SIDE; i++) {
        int col = i % SIDE, row = i / SIDE;
        double x0 = (col - SIDE / 2) * CELL, y0 = (row - SIDE / 2) * CELL;
        county_code_of(col, row, county[i]);
        sprintf(code[i], "%s%03d", county[i], i);
        sprintf(wkt[i], "POLYGON((%.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f))", x0, y0,
                x0 + CELL, y0, x0 + CELL, y0 + CELL, x0, y0 + CELL, x0, y0);
        t[i] = (struct fx_township){code[i], code[i], county[i], kinds[i % 4], wkt[i],
                                    x0 + CELL / 2.0, y0 + CELL / 2.0};
    }
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, SIDE * SIDE);
    DBFHandle dbf = DBFOpen(path, "rb+");
    cr_assert_not_null(dbf);
    int f = DBFAddField(dbf, "cnty_code", FTString, 8, 0);
    /* people for strategy = demand: more in the east, more in the north */
    int fp = DBFAddField(dbf, "pop", FTInteger, 9, 0);
    cr_assert(f >= 0 && fp >= 0);
    for (int i = 0; i < SIDE * SIDE; i++) {
        cr_assert(DBFWriteStringAttribute(dbf, i, f, county[i]));
        cr_assert(DBFWriteIntegerAttribute(dbf, i, fp, 1000 * (1 + i % SIDE) + 300 * (i / SIDE)));
    }
    DBFClose(dbf);
}

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    write_map();
    char path[512], lon[SIDE][32];
    /* key points: one a province, near its border, so that each rank's
     * flags must travel */
    for (int k = 0; k < 3; k++) {
        double la, lo;
        fx_to_lonlat((2 * k - 2) * CELL + 100.0, 100.0, &lo, &la);
        snprintf(lon[k], sizeof lon[k], "%.7f,%.7f", lo, la);
    }
    char csv[1024];
    char c0[16], c1[16], c2[16];
    county_code_of(1, 3, c0);
    county_code_of(3, 3, c1);
    county_code_of(5, 3, c2);
    snprintf(csv, sizeof csv, "code,kind,lon,lat\n%s%03d,school,%s\n%s%03d,clinic,%s\n"
             "%s%03d,school,%s\n", c0, 3 * SIDE + 1, lon[0], c1, 3 * SIDE + 3, lon[1], c2,
             3 * SIDE + 5, lon[2]);
    snprintf(path, sizeof path, "%s/keys.csv", dir);
    fx_write_text(path, csv);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = three\nseed = 7\n[map]\nfile = map.shp\n"
                        "county_code_field = cnty_code\nkey_points = keys.csv\n"
                        "[sites]\nstrategy = weighted\ncount = 150\n"
                        "[radio]\nvertices = 24\n[goal]\nseat_area_min_fraction = 0.5\n"
                        "[output]\nlayers = yes\n[raster]\nresolution_m = 0\n");
}

static char *read_in(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = fx_read_file(path, NULL);
    cr_assert_not_null(text, "no %s", path);
    return text;
}

/* summary.json without the lines that say how the run went, not what it
 * found: its phases' seconds, its threads and its build (the MPI build's
 * flags). */
static char *without_timings(const char *json)
{
    char *copy = strdup(json), *w = copy;
    for (const char *line = json; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        if (!strstr(line, "\"seconds\": {") || strstr(line, "\"seconds\": {") > line + n)
            if (strncmp(line, "  \"threads\": ", 13) != 0 &&
                strncmp(line, "  \"build\": ", 11) != 0) {
                memcpy(w, line, n);
                w += n;
            }
        line += n;
    }
    *w = '\0';
    return copy;
}

/* Every file of out/a is in out/b with the same bytes (summary.json up to
 * its timings), and b has no other; returns how many were compared. */
static int same_outputs(const char *a, const char *b)
{
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    DIR *d = opendir(pa);
    cr_assert_not_null(d, "no %s", pa);
    int n = 0, nb = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(pa, sizeof pa, "%s/%s/%s", dir, a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s/%s", dir, b, e->d_name);
        cr_assert_eq(access(pb, F_OK), 0, "%s wrote no %s", b, e->d_name);
        if (strcmp(e->d_name, "summary.json") == 0) {
            char *x = fx_read_file(pa, NULL), *y = fx_read_file(pb, NULL);
            char *cx = without_timings(x), *cy = without_timings(y);
            cr_assert_str_eq(cx, cy, "summary.json differs between %s and %s", a, b);
            free(x); free(y); free(cx); free(cy);
        } else {
            cr_assert(fx_same_file(pa, pb), "%s differs between %s and %s", e->d_name, a, b);
        }
        n++;
    }
    closedir(d);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    d = opendir(pb);
    for (struct dirent *e; (e = readdir(d));)
        nb += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(nb, n, "%s wrote %d files, %s %d", b, nb, a, n);
    return n;
}

static const char *mpi_bin(void)
{
    const char *mpi = getenv("TOWNCOV_MPI_BIN");
    if (!mpi || !*mpi)
        cr_skip_test("TOWNCOV_MPI_BIN not set (make test-unit builds build-mpi/towncov)");
    cr_assert_eq(access(mpi, X_OK), 0, "TOWNCOV_MPI_BIN=%s is not a program", mpi);
    cr_assert_eq(system("command -v mpirun >/dev/null"), 0, "TOWNCOV_MPI_BIN set, no mpirun");
    return mpi;
}

/* mpirun -np ranks towncov run ... --threads threads [extra] into out/to;
 * split: whether each rank must have built only some of the footprints. */
static void mpirun_with(const char *mpi, int ranks, int threads, const char *to,
                        const char *extra, int split_fp)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=%d mpirun --oversubscribe --allow-run-as-root "
             "-np %d %s run %s/s.ini --out %s/%s --threads %d %s > %s/%s.log 2>&1", threads,
             ranks, mpi, dir, dir, to, threads, extra, dir, to);
    int rc = system(cmd);
    char log[64];
    snprintf(log, sizeof log, "%s.log", to);
    char *text = read_in(log);
    cr_assert_eq(rc, 0, "%s", text);
    char split[64];
    snprintf(split, sizeof split, "coverage split over %d ranks", ranks);
    cr_assert(strstr(text, split), "no split over %d ranks: %s", ranks, text);
    /* each rank built the footprints of only the stations that can reach
     * its townships: every station's by some rank, none by all (the
     * footprints of this map reach a neighbouring province, not beyond) */
    snprintf(split, sizeof split, "footprints split over %d ranks:", ranks);
    const char *f = strstr(text, split);
    if (!split_fp) {
        cr_assert_null(f, "footprints split though a writer needs them all: %s", text);
        free(text);
        return;
    }
    cr_assert(f, "no footprint split over %d ranks: %s", ranks, text);
    f += strlen(split);
    long sum = 0;
    for (int r = 0; r < ranks; r++) {
        char *end;
        long k = strtol(f, &end, 10);
        cr_assert(end > f && k > 0 && k < 150, "rank %d built %ld of 150: %s", r, k, text);
        sum += k;
        f = end + (*end == ',');
    }
    cr_assert(strncmp(f, " of 150 stations", 16) == 0, "%s", text);
    cr_assert(sum >= 150, "%ld footprints built: %s", sum, text);
    free(text);
}

static void mpirun(const char *mpi, int ranks, int threads, const char *to)
{
    mpirun_with(mpi, ranks, threads, to, "", 1);
}

/* The log's "placement split over R ranks: A, B, ... of 36 townships drawn
 * (S0, S1, ... of 150 stations)": rank 0 draws every township, each other
 * rank some but not all; 0 when the log has no such line. */
static int placement_was_split(const char *to, int ranks)
{
    char log[64], want[64];
    snprintf(log, sizeof log, "%s.log", to);
    char *text = read_in(log);
    snprintf(want, sizeof want, "placement split over %d ranks:", ranks);
    const char *f = strstr(text, want);
    if (!f) {
        free(text);
        return 0;
    }
    f += strlen(want);
    long towns[8], stations[8];
    for (int r = 0; r < ranks; r++) {
        char *end;
        towns[r] = strtol(f, &end, 10);
        cr_assert(end > f, "%s", text);
        f = end + (*end == ',');
    }
    cr_assert(strncmp(f, " of 36 townships drawn (", 24) == 0, "%s", text);
    f += 24;
    for (int r = 0; r < ranks; r++) {
        char *end;
        stations[r] = strtol(f, &end, 10);
        cr_assert(end > f, "%s", text);
        f = end + (*end == ',');
    }
    cr_assert(strncmp(f, " of 150 stations)", 17) == 0, "%s", text);
    cr_assert(towns[0] == 36 && stations[0] == 150, "rank 0 drew only some: %s", text);
    for (int r = 1; r < ranks; r++)
        cr_assert(towns[r] >= 12 && towns[r] < 36 && stations[r] > 0 && stations[r] < 150,
                  "rank %d drew %ld townships, %ld stations: %s", r, towns[r], stations[r], text);
    free(text);
    return 1;
}

Test(run_mpi, ranks_write_what_one_process_writes)
{
    const char *mpi = mpi_bin();
    setup();
    char args[1024];
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/one --threads 1", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/one2 --threads 2", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    char *json = read_in("one/summary.json"), *keys = read_in("one/key_points.csv");
    const char *f = strstr(json, "\"townships_failing\": ");
    cr_assert_not_null(f);
    int failing = atoi(f + 21);
    cr_assert(failing > 0 && failing < SIDE * SIDE,
              "a weak test: %d of %d townships fail", failing, SIDE * SIDE);
    cr_assert(strstr(keys, ",yes\n") && strstr(keys, ",no\n"),
              "a weak test: the key points are all covered or none is\n%s", keys);
    free(json);
    free(keys);
    cr_assert_gt(same_outputs("one", "one2"), 8);
    mpirun(mpi, 2, 1, "two");
    mpirun(mpi, 3, 1, "three");
    mpirun(mpi, 2, 2, "two2");
    cr_assert_gt(same_outputs("one", "two"), 8);
    same_outputs("one", "three");
    same_outputs("one", "two2");
    /* footprints.shp wanted: every rank builds every footprint, as before */
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/onefp --threads 1 "
             "--set output.footprints=yes", dir, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    mpirun_with(mpi, 2, 1, "twofp", "--set output.footprints=yes", 0);
    cr_assert_gt(same_outputs("onefp", "twofp"), same_outputs("one", "two"));
}

/* The stations a rank builds footprints of: those standing in its
 * townships, and those near enough to reach one; no other. Plain C, so
 * this runs without MPI (and under the sanitizers). */
Test(run_mpi, a_rank_keeps_the_stations_that_can_reach_its_townships)
{
    /* two 1 km townships 100 km apart, one a rank */
    struct township t[2] = {{.xmin = 0, .ymin = 0, .xmax = 1000, .ymax = 1000},
                            {.xmin = 100000, .ymin = 0, .xmax = 101000, .ymax = 1000}};
    struct tc_map m = {.n = 2, .t = t, .xmin = 0, .ymin = 0, .xmax = 101000, .ymax = 1000};
    int owner[2] = {0, 1};
    /* in 0; 3 km west of 0; 3 km east of 1; midway; in 1; far north of 0;
     * outside every township but within reach of 1 */
    double x[] = {500, -2500, 104000, 50500, 100500, 500, 101500};
    double y[] = {500, 500, 500, 500, 500, 60000, 2000};
    int township[] = {0, -1, -1, -1, 1, -1, -1};
    struct tc_sites s = {.n = 7, .x = x, .y = y, .lon = x, .lat = y, .township = township};
    unsigned char keep[7];
    const unsigned char want0[] = {1, 1, 0, 0, 0, 0, 0}, want1[] = {0, 0, 1, 0, 1, 0, 1};
    cr_assert_eq(pipeline_stations_reaching(&m, &s, owner, 0, 4000, keep), 2);
    cr_assert_arr_eq(keep, want0, 7);
    cr_assert_eq(pipeline_stations_reaching(&m, &s, owner, 1, 4000, keep), 3);
    cr_assert_arr_eq(keep, want1, 7);
    /* a station just past the reach of a township's envelope: the cells
     * may keep it (never required), a station within it they must */
    double x2[] = {-3999, 1000 + 3999};
    double y2[] = {500, 1000 + 3999};
    int tw2[] = {-1, -1};
    struct tc_sites s2 = {.n = 2, .x = x2, .y = y2, .lon = x2, .lat = y2, .township = tw2};
    cr_assert_eq(pipeline_stations_reaching(&m, &s2, owner, 0, 4000, keep), 2);
    /* the kept set, in order */
    struct tc_sites *k = pipeline_sites_kept(&s, want1, 3);
    cr_assert_not_null(k);
    cr_assert_eq(k->n, 3);
    cr_assert(k->x[0] == 104000 && k->x[1] == 100500 && k->x[2] == 101500);
    cr_assert(k->township[0] == -1 && k->township[1] == 1 && k->township[2] == -1);
    cr_assert_null(k->zone);
    sites_free(&k);
}

/* The townships whose stations a rank draws: its own, and those whose
 * stations may stand within reach of one of its own: by their envelope,
 * their seat (a station takes it when no point can be drawn; a seat from
 * the attributes may lie outside) or their seat area (demand's built-up
 * zone); no other. Plain C. */
Test(run_mpi, a_rank_draws_the_townships_whose_stations_can_reach_its_own)
{
    /* 0 (the rank's), 1 3 km east of it, 2 far east, 3 far east with its
     * seat beside 0, 4 far east with its seat area beside 0, 5 far north */
    struct township t[6] = {
        {.xmin = 0, .ymin = 0, .xmax = 1000, .ymax = 1000, .seat_x = 500, .seat_y = 500},
        {.xmin = 4000, .ymin = 0, .xmax = 5000, .ymax = 1000, .seat_x = 4500, .seat_y = 500},
        {.xmin = 100000, .ymin = 0, .xmax = 101000, .ymax = 1000, .seat_x = 100500, .seat_y = 500},
        {.xmin = 100000, .ymin = 2000, .xmax = 101000, .ymax = 3000, .seat_x = 1500, .seat_y = 1500},
        {.xmin = 100000, .ymin = 4000, .xmax = 101000, .ymax = 5000, .seat_x = 100500, .seat_y = 4500},
        {.xmin = 0, .ymin = 60000, .xmax = 1000, .ymax = 61000, .seat_x = 500, .seat_y = 60500}};
    struct tc_map m = {.n = 6, .t = t, .xmin = 0, .ymin = 0, .xmax = 101000, .ymax = 61000};
    int owner[6] = {1, 0, 0, 0, 0, 0};
    GEOSGeometry *geom[6] = {0};
    double env[6][4] = {{0}};
    geom[4] = (GEOSGeometry *)1; /* only looked at for NULL */
    env[4][0] = 1500;
    env[4][1] = 1500;
    env[4][2] = 100500;
    env[4][3] = 4500;
    struct tc_seat_areas seats = {.n = 6, .geom = geom, .envelope = env};
    unsigned char draw[6];
    const unsigned char want[] = {1, 1, 0, 1, 1, 0}, want_no_seats[] = {1, 1, 0, 1, 0, 0};
    cr_assert_eq(pipeline_townships_reaching(&m, &seats, owner, 1, 4000, draw), 4);
    cr_assert_arr_eq(draw, want, 6);
    cr_assert_eq(pipeline_townships_reaching(&m, NULL, owner, 1, 4000, draw), 3);
    cr_assert_arr_eq(draw, want_no_seats, 6);
}

/* A hand-made map for the share: n townships, county i / per, province
 * by code. */
static struct tc_map *share_map(int n, const char *const *county_codes, const int *county_ids,
                                int n_counties)
{
    struct tc_map *m = calloc(1, sizeof *m);
    m->n = n;
    m->n_counties = n_counties;
    m->t = calloc((size_t)n, sizeof *m->t);
    for (int i = 0; i < n; i++) {
        m->t[i].county_code = (char *)county_codes[i];
        m->t[i].county_id = county_ids[i];
    }
    return m;
}

Test(run_mpi, the_share_is_whole_provinces_else_whole_counties)
{
    const char *codes[] = {"110101", "110101", "120101", "120102", "460101", "460101",
                           "460102", "460102"};
    const int ids[] = {0, 0, 1, 2, 3, 3, 4, 4};
    struct tc_map *m = share_map(8, codes, ids, 5);
    int township[] = {0, 2, 4, 4, 4, 6, 7, 7, 7, -1};
    struct tc_sites s = {.n = 10, .township = township};
    int owner[8];
    /* costs (townships plus the stations standing in them): 11 and 12 3
     * each, 46 11; rank 0, which writes the outputs, starts with 0.115 of
     * the 17 (about 2): three ranks, one province each, 46 (costliest)
     * first to the least loaded, rank 1, then 11 to rank 2 and 12 to rank 0 */
    cr_assert_eq(pipeline_ranks_share(m, &s, 3, owner), 0);
    for (int t = 0; t < 8; t++)
        cr_assert_eq(owner[t], codes[t][1] == '6' ? 1 : codes[t][1] == '1' ? 2 : 0,
                     "township %d: rank %d", t, owner[t]);
    /* two ranks: 46 alone on rank 1 (11) against 11 and 12 on the writer
     * (2 + 3 + 3) */
    cr_assert_eq(pipeline_ranks_share(m, &s, 2, owner), 0);
    for (int t = 0; t < 8; t++)
        cr_assert_eq(owner[t], codes[t][1] == '6' ? 1 : 0, "township %d: rank %d", t, owner[t]);
    /* four ranks, three provinces: whole counties, each county on one rank,
     * every rank some */
    cr_assert_eq(pipeline_ranks_share(m, &s, 4, owner), 0);
    int used[4] = {0};
    for (int t = 0; t < 8; t++) {
        used[owner[t]] = 1;
        for (int u = 0; u < 8; u++)
            if (ids[u] == ids[t])
                cr_assert_eq(owner[u], owner[t], "county %d split", ids[t]);
    }
    cr_assert(used[0] && used[1] && used[2] && used[3]);
    free(m->t);
    free(m);
}

/* A rank other than 0 draws only the stations of the townships that may
 * reach its share (the others stand at their seats, unused), at the
 * indices and points a whole placement gives them: every placement the
 * map's townships draw from (weighted, uniform, seats, demand by zones),
 * over 2 and 3 ranks, writes what one process writes, and over 3 ranks
 * the ranks other than 0 draw only some townships. A sites file is read
 * whole on every rank (no such line). */
Test(run_mpi, a_rank_draws_only_the_stations_that_can_reach_its_share)
{
    const char *mpi = mpi_bin();
    setup();
    static const char *const modes[] = {
        "--set sites.strategy=weighted",
        "--set sites.strategy=uniform",
        "--set sites.strategy=seats",
        "--set sites.strategy=demand --set map.population_field=pop --set sites.min_per_township=1",
    };
    char args[2048], one[32], two[32];
    for (int m = 0; m < 4; m++) {
        snprintf(one, sizeof one, "one%d", m);
        snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/%s --threads 1 %s", dir, dir,
                 one, modes[m]);
        cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s: %s", modes[m], out);
        for (int ranks = 2; ranks <= 3; ranks++) {
            snprintf(two, sizeof two, "r%d-%d", ranks, m);
            mpirun_with(mpi, ranks, 1, two, modes[m], 1);
            /* over 3 ranks, one province each: the two outer ones' ranks
             * need no station of the other outer one (over 2, rank 1
             * holds both outer provinces and needs every station) */
            int split = placement_was_split(two, ranks);
            cr_assert(split || ranks == 2, "%s: no placement split", modes[m]);
            cr_assert_gt(same_outputs(one, two), 8, "%s", modes[m]);
        }
    }
    /* the stations of the weighted run, as a sites file: read whole */
    char path[512], file[700];
    snprintf(path, sizeof path, "%s/one0/sites.csv", dir);
    snprintf(file, sizeof file, "--set sites.strategy=file --set sites.file=%s", path);
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/onef --threads 1 %s", dir, dir,
             file);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    mpirun_with(mpi, 2, 1, "twof", file, 0); /* its stations carry radio settings */
    cr_assert_not(placement_was_split("twof", 2), "a sites file was drawn in part");
    cr_assert_gt(same_outputs("onef", "twof"), 8);
}
