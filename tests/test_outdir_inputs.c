/* Every input of every command makes its folder, and the folders above
 * it, refused as an output folder (exit 7) before any work: the scenario's
 * path-valued keys (scenario_inputs), plan's candidates, each sweep
 * member's. The folders here are towncov outputs (marked), which is what
 * makes them otherwise replaceable. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "towncov/outdir.h"
#include "towncov/scenario.h"

#include "fixture.h"

static char root[256];
static char out[16384];

/* root/rel (fx_path: rotating buffers, tests hold several at once). */
#define at(...) fx_path(root, __VA_ARGS__)

/* towncov with printf-formatted arguments, its output in out. */
#define cmd(...) fx_runf(out, sizeof out, __VA_ARGS__)

/* A towncov output folder dir (marked) holding one file, name, with text:
 * an input the user keeps in a folder towncov would otherwise replace. */
static void marked_with(const char *dir, const char *name, const char *text)
{
    struct tc_error err = {0};
    char *tmp = NULL;
    cr_assert_eq(outdir_begin(dir, "test", &tmp, &err), 0, "%s", err.msg);
    char *path = outdir_join(tmp, name);
    fx_write_text(path, text);
    free(path);
    cr_assert_eq(outdir_commit(&tmp, dir, &err), 0, "%s", err.msg);
}

/* The refusal: exit 7, naming the folder and the input, the input intact. */
static void assert_kept(int status, const char *dir, const char *input, const char *text)
{
    cr_assert_eq(status, 7, "%s", out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, dir) &&
              strstr(out, "holds the input"), "%s", out);
    size_t n;
    char *now = fx_read_file(input, &n);
    cr_assert(now && n == strlen(text) && memcmp(now, text, n) == 0, "%s was lost", input);
    free(now);
}

static void setup(void)
{
    fx_tmpdir(root, sizeof root);
    cr_assert_eq(mkdir(at("in"), 0777), 0);
    fx_write_map(at("in/map"), fx_halves, 2);
    fx_write_text(at("in/s.ini"), "[scenario]\nname = oi\nseed = 1\n[map]\nfile = map.shp\n"
                                  "[sites]\nstrategy = uniform\ncount = 6\n"
                                  "[radio]\nvertices = 16\n");
}

Test(outdir_inputs, every_path_key_is_listed_relative_to_the_scenario)
{
    const char *keys[] = {"map.file", "map.seat_areas", "map.key_points", "sites.file"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const struct key_desc *d = scenario_find_key(keys[i]);
        cr_assert(d && d->type == KEY_PATH, "%s is not a path key", keys[i]);
    }
    setup();
    const char *sets[] = {"map.seat_areas=sa/seat.shp", "map.key_points=/abs/kp.csv",
                          "sites.strategy=file", "sites.file=st/s.csv"};
    struct scenario scn;
    struct tc_error err = {0};
    cr_assert_eq(scenario_load(at("in/s.ini"), sets, 4, &scn, &err), 0, "%s", err.msg);
    struct outdir_inputs in = {0};
    cr_assert_eq(scenario_inputs(&scn, &in, &err), 0, "%s", err.msg);
    cr_assert_eq(outdir_check_inputs(at("fresh"), &in, &err), 0, "%s", err.msg);
    const char *want[] = {at("in/s.ini"), at("in/map.shp"), at("in/sa/seat.shp"), "/abs/kp.csv",
                          at("in/st/s.csv")};
    cr_assert_eq(in.n, 5);
    for (size_t w = 0; w < 5; w++) {
        int found = 0;
        for (size_t i = 0; i < in.n; i++)
            found |= strcmp(in.path[i], want[w]) == 0;
        cr_assert(found, "%s is not listed", want[w]);
    }
    /* Repeats (a sweep adds each member's) are kept once. */
    for (int k = 0; k < 500; k++)
        cr_assert_eq(scenario_inputs(&scn, &in, &err), 0);
    cr_assert_eq(outdir_check_inputs(at("fresh"), &in, &err), 0, "%s", err.msg);
    cr_assert_eq(in.n, 5);
    outdir_inputs_free(&in);
}

Test(outdir_inputs, run_refuses_the_folder_of_its_seat_areas_and_key_points)
{
    setup();
    /* mapgen writes seat_areas.shp "to edit and feed back": its folder. */
    cr_assert_eq(cmd("mapgen --synthetic 30 --out %s --quiet", at("m")), 0, "%s", out);
    size_t n;
    char *before = fx_read_file(at("m/seat_areas.shp"), &n);
    cr_assert_not_null(before);
    int st = cmd("run %s --quiet --set map.seat_areas=%s --out %s", at("in/s.ini"),
                 at("m/seat_areas.shp"), at("m"));
    cr_assert_eq(st, 7, "%s", out);
    char *after = fx_read_file(at("m/seat_areas.shp"), NULL);
    cr_assert(after && memcmp(after, before, n) == 0, "seat_areas.shp changed");
    free(before);
    free(after);
    /* Relative to the scenario's folder, and one folder above the input. */
    marked_with(at("k"), "kp.csv", "code,kind,lon,lat\n");
    assert_kept(cmd("run %s --quiet --set map.key_points=../k/kp.csv --out %s", at("in/s.ini"),
                    at("k")), at("k"), at("k/kp.csv"), "code,kind,lon,lat\n");
    marked_with(at("up"), "x.txt", "x\n");
    cr_assert_eq(mkdir(at("up/deep"), 0777), 0);
    fx_write_text(at("up/deep/kp.csv"), "code,kind,lon,lat\n");
    assert_kept(cmd("run %s --quiet --set map.key_points=%s --out %s", at("in/s.ini"),
                    at("up/deep/kp.csv"), at("up")), at("up"), at("up/deep/kp.csv"),
                "code,kind,lon,lat\n");
}

Test(outdir_inputs, plan_refuses_the_folder_of_its_seat_areas)
{
    setup();
    marked_with(at("p"), "seat.shp", "not read: refused first\n");
    assert_kept(cmd("plan %s --quiet --set map.seat_areas=%s --out %s", at("in/s.ini"),
                    at("p/seat.shp"), at("p")), at("p"), at("p/seat.shp"),
                "not read: refused first\n");
}

Test(outdir_inputs, sweep_refuses_the_folder_of_its_sites_and_of_a_members_map)
{
    setup();
    marked_with(at("w"), "sites.csv", "id,lon,lat\n");
    assert_kept(cmd("sweep %s --quiet --set sites.strategy=file --set sites.file=%s --out %s",
                    at("in/s.ini"), at("w/sites.csv"), at("w")), at("w"), at("w/sites.csv"),
                "id,lon,lat\n");
    /* Only the second member reads a map kept in the output folder. */
    marked_with(at("v"), "other.shp", "member 1's map\n");
    assert_kept(cmd("sweep %s --quiet --vary map.file=map.shp,%s --out %s", at("in/s.ini"),
                    at("v/other.shp"), at("v")), at("v"), at("v/other.shp"), "member 1's map\n");
}

/* Entries of root whose name begins with prefix but is not exactly it. */
static int beside(const char *prefix)
{
    char cmdline[1024], list[4096];
    snprintf(cmdline, sizeof cmdline, "ls -a '%s'", root);
    cr_assert_eq(fx_sh(cmdline, list, sizeof list), 0, "%s", list);
    int count = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n"))
        count += strncmp(line, prefix, strlen(prefix) < 200 ? strlen(prefix) : 200) == 0 &&
                 strcmp(line, prefix) != 0;
    return count;
}

/* A folder name of 250 bytes (255 is the limit) is staged under a name that
 * fits; one of 256 is refused before any work (the map is not even read). */
Test(outdir_inputs, long_output_names_are_staged_or_refused_before_the_work)
{
    setup();
    char name[300];
    memset(name, 'a', 250);
    name[250] = '\0';
    cr_assert_eq(cmd("run %s --quiet --set output.picture=no --out %s", at("in/s.ini"),
                     at("%s", name)), 0, "%s", out);
    struct stat st;
    cr_assert_eq(stat(at("%s/townships.csv", name), &st), 0, "no output under the long name");
    cr_assert_eq(cmd("run %s --quiet --set output.picture=no --out %s", at("in/s.ini"),
                     at("%s", name)), 0, "replacing it: %s", out);
    cr_assert_eq(beside(name), 0, "staging folders left beside it");
    memset(name, 'b', 256);
    name[256] = '\0';
    cr_assert_eq(cmd("run %s --quiet --set map.file=nothere.shp --out %s", at("in/s.ini"),
                     at("%s", name)), 7, "%s", out);
    cr_assert(strstr(out, "a name of 256 bytes; a folder's name has at most 255"), "%s", out);
}
