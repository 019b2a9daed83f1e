/* The output folder (outdir.c): what may be replaced, what is refused and
 * left byte for byte as it was, and the swap itself; then the same rules
 * through whole `towncov run` and `towncov mapgen` commands. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "towncov/outdir.h"

#include "fixture.h"

static char root[256];

/* root/rel (fx_path: rotating buffers, tests hold several at once). */
#define at(...) fx_path(root, __VA_ARGS__)

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void make_dir(const char *path)
{
    cr_assert_eq(mkdir(path, 0777), 0, "mkdir %s", path);
}

static void assert_text(const char *path, const char *want)
{
    size_t n;
    char *got = fx_read_file(path, &n);
    cr_assert_not_null(got, "%s is gone", path);
    cr_assert(n == strlen(want) && memcmp(got, want, n) == 0, "%s changed: '%s'", path, got);
    free(got);
}

/* Entries of root named "<name>.tmp-..." or "<name>.old-...". */
static int leftovers(const char *name)
{
    DIR *d = opendir(root);
    cr_assert_not_null(d);
    size_t n = strlen(name);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));)
        count += strncmp(e->d_name, name, n) == 0 &&
                 (strncmp(e->d_name + n, ".tmp-", 5) == 0 ||
                  strncmp(e->d_name + n, ".old-", 5) == 0);
    closedir(d);
    return count;
}

/* A towncov output in dir: a.csv and layers/b.txt, marked. */
static void make_output(const char *dir)
{
    struct tc_error err = {0};
    char *tmp = NULL;
    cr_assert_eq(outdir_check(dir, NULL, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(outdir_begin(dir, "test", &tmp, &err), 0, "%s", err.msg);
    char *a = outdir_join(tmp, "a.csv"), *layers = outdir_join(tmp, "layers");
    fx_write_text(a, "a\n");
    make_dir(layers);
    char *b = outdir_join(layers, "b.txt");
    fx_write_text(b, "b\n");
    free(a);
    free(b);
    free(layers);
    cr_assert_eq(outdir_commit(&tmp, dir, &err), 0, "%s", err.msg);
    cr_assert_null(tmp);
}

/* outdir_check refuses dir with exit 7 and a message holding dir and want. */
static void assert_refused(const char *dir, const char *const *inputs, int n, const char *want)
{
    struct tc_error err = {0};
    cr_assert_eq(outdir_check(dir, inputs, n, &err), -1, "%s was accepted", dir);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert(strstr(err.msg, dir), "'%s' does not name %s", err.msg, dir);
    cr_assert(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
}

/* ---- the module ---------------------------------------------------------------- */

Test(outdir, a_new_folder_and_its_parents_are_made_with_the_marker)
{
    fx_tmpdir(root, sizeof root);
    const char *dir = at("new/deeper/out");
    make_output(dir);
    assert_text(at("new/deeper/out/a.csv"), "a\n");
    assert_text(at("new/deeper/out/layers/b.txt"), "b\n");
    char *marker = fx_read_file(at("new/deeper/out/" OUTDIR_MARKER), NULL);
    cr_assert_not_null(marker);
    cr_assert(strncmp(marker, OUTDIR_MARKER_HEADER "\nwritten by: towncov test\n",
                      strlen(OUTDIR_MARKER_HEADER) + 26) == 0, "%s", marker);
    cr_assert(strstr(marker, "\nfile a.csv\nfolder layers\nfile layers/b.txt\n"), "%s", marker);
    cr_assert_null(strstr(marker, "file " OUTDIR_MARKER), "%s", marker);
    free(marker);
    snprintf(root, sizeof root, "%s", at("new/deeper"));
    cr_assert_eq(leftovers("out"), 0);
}

Test(outdir, an_empty_folder_is_used)
{
    fx_tmpdir(root, sizeof root);
    make_dir(at("o"));
    make_output(at("o"));
    assert_text(at("o/a.csv"), "a\n");
    cr_assert(exists(at("o/" OUTDIR_MARKER)));
}

Test(outdir, a_previous_output_is_replaced_and_only_its_entries_go)
{
    fx_tmpdir(root, sizeof root);
    const char *dir = at("o");
    make_output(dir);
    struct tc_error err = {0};
    cr_assert_eq(outdir_check(dir, NULL, 0, &err), 0, "%s", err.msg);
    char *tmp;
    cr_assert_eq(outdir_begin(dir, "test", &tmp, &err), 0, "%s", err.msg);
    char *c = outdir_join(tmp, "c.csv");
    fx_write_text(c, "c\n");
    free(c);
    cr_assert_eq(outdir_commit(&tmp, dir, &err), 0, "%s", err.msg);
    assert_text(at("o/c.csv"), "c\n");
    cr_assert(!exists(at("o/a.csv")) && !exists(at("o/layers")));
    char *marker = fx_read_file(at("o/" OUTDIR_MARKER), NULL);
    cr_assert(strstr(marker, "\nfile c.csv\n") && !strstr(marker, "a.csv"), "%s", marker);
    free(marker);
    cr_assert_eq(leftovers("o"), 0, "temporary or set-aside folders left");
}

Test(outdir, foreign_entries_are_refused_and_kept)
{
    fx_tmpdir(root, sizeof root);
    /* Unmarked: refused, naming the first entry. */
    make_dir(at("x"));
    make_dir(at("x/sub"));
    fx_write_text(at("x/thesis.pdf"), "%PDF\n");
    fx_write_text(at("x/sub/notes.txt"), "mine\n");
    assert_refused(at("x"), NULL, 0, "holds sub and no " OUTDIR_MARKER " marker");
    assert_text(at("x/thesis.pdf"), "%PDF\n");
    assert_text(at("x/sub/notes.txt"), "mine\n");
    /* Marked, but something added: at the top, in a listed folder, a QGIS
     * backup, a listed file now a folder. */
    const char *added[] = {"notes.txt", "layers/extra.txt", "towncov.qgs~"};
    for (int i = 0; i < 3; i++) {
        const char *dir = at("o%d", i);
        make_output(dir);
        fx_write_text(at("o%d/%s", i, added[i]), "kept\n");
        char want[128];
        snprintf(want, sizeof want, "holds %s, which towncov did not write", added[i]);
        assert_refused(dir, NULL, 0, want);
        assert_text(at("o%d/%s", i, added[i]), "kept\n");
        assert_text(at("o%d/a.csv", i), "a\n");
    }
    make_output(at("o3"));
    cr_assert_eq(unlink(at("o3/a.csv")), 0);
    make_dir(at("o3/a.csv"));
    assert_refused(at("o3"), NULL, 0, "holds a.csv, which towncov did not write");
}

Test(outdir, commit_refuses_a_folder_that_gained_a_foreign_file_meanwhile)
{
    fx_tmpdir(root, sizeof root);
    const char *dir = at("o");
    make_output(dir);
    struct tc_error err = {0};
    char *tmp;
    cr_assert_eq(outdir_check(dir, NULL, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(outdir_begin(dir, "test", &tmp, &err), 0, "%s", err.msg);
    fx_write_text(at("o/notes.txt"), "written during the run\n");
    cr_assert_eq(outdir_commit(&tmp, dir, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert(strstr(err.msg, "holds notes.txt"), "%s", err.msg);
    cr_assert_not_null(tmp);
    outdir_abort(&tmp);
    cr_assert_null(tmp);
    assert_text(at("o/notes.txt"), "written during the run\n");
    assert_text(at("o/a.csv"), "a\n");
    assert_text(at("o/layers/b.txt"), "b\n");
    cr_assert_eq(leftovers("o"), 0);
}

Test(outdir, abort_leaves_the_earlier_folder_as_it_was)
{
    fx_tmpdir(root, sizeof root);
    make_output(at("o"));
    struct tc_error err = {0};
    char *tmp;
    cr_assert_eq(outdir_begin(at("o"), "test", &tmp, &err), 0, "%s", err.msg);
    char *x = outdir_join(tmp, "half.csv");
    fx_write_text(x, "half");
    free(x);
    outdir_abort(&tmp);
    cr_assert(!exists(at("o/half.csv")));
    assert_text(at("o/a.csv"), "a\n");
    cr_assert_eq(leftovers("o"), 0);
    outdir_abort(&tmp); /* NULL: nothing */
}

/* outdir_last_fn for the tests: records what stood at dir when it ran,
 * then fails when asked to (as a PostGIS commit refused). */
struct last_seen { const char *dir; int fail, calls, saw_new; };

static int last_step(void *ctx, struct tc_error *err)
{
    struct last_seen *s = ctx;
    char path[512];
    snprintf(path, sizeof path, "%s/c.csv", s->dir);
    s->calls++;
    s->saw_new = exists(path);
    return s->fail ? tc_fail(err, TC_EXIT_OUTPUT, "the last step failed") : 0;
}

/* A commit of o holding c.csv, with last_step; returns its status. */
static int commit_with_last(const char *dir, struct last_seen *seen, struct tc_error *err)
{
    char *tmp;
    cr_assert_eq(outdir_begin(dir, "test", &tmp, err), 0, "%s", err->msg);
    char *c = outdir_join(tmp, "c.csv");
    fx_write_text(c, "c\n");
    free(c);
    int rc = outdir_commit_last(&tmp, dir, last_step, seen, err);
    cr_assert_eq(rc == 0, tmp == NULL, "*tmp: %s after status %d", tmp ? tmp : "NULL", rc);
    if (tmp) {
        cr_assert(exists(tmp), "the new folder was not taken back out to %s", tmp);
        outdir_abort(&tmp);
    }
    return rc;
}

Test(outdir, a_failed_last_step_puts_the_earlier_folder_back)
{
    fx_tmpdir(root, sizeof root);
    make_output(at("o"));
    struct tc_error err = {0};
    struct last_seen seen = {at("o"), 1, 0, 0};
    cr_assert_eq(commit_with_last(at("o"), &seen, &err), -1);
    cr_assert_eq(seen.calls, 1);
    cr_assert(seen.saw_new, "the last step ran before the new folder stood in place");
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert_str_eq(err.msg, "the last step failed");
    assert_text(at("o/a.csv"), "a\n");
    assert_text(at("o/layers/b.txt"), "b\n");
    cr_assert(!exists(at("o/c.csv")));
    cr_assert_eq(leftovers("o"), 0, "temporary or set-aside folders left");
    /* no earlier folder: none afterwards either */
    seen = (struct last_seen){at("p"), 1, 0, 0};
    cr_assert_eq(commit_with_last(at("p"), &seen, &err), -1);
    cr_assert(seen.saw_new && !exists(at("p")) && leftovers("p") == 0);
    /* a last step that succeeds: the commit stands, the earlier entries go */
    seen = (struct last_seen){at("o"), 0, 0, 0};
    cr_assert_eq(commit_with_last(at("o"), &seen, &err), 0, "%s", err.msg);
    cr_assert(seen.calls == 1 && seen.saw_new);
    assert_text(at("o/c.csv"), "c\n");
    cr_assert(!exists(at("o/a.csv")));
    cr_assert_eq(leftovers("o"), 0);
}

Test(outdir, files_links_root_and_home_are_refused)
{
    fx_tmpdir(root, sizeof root);
    fx_write_text(at("report.txt"), "keep\n");
    assert_refused(at("report.txt"), NULL, 0, "is a file");
    assert_text(at("report.txt"), "keep\n");
    assert_refused(at("report.txt/out"), NULL, 0, "is not a folder");
    make_output(at("o"));
    cr_assert_eq(symlink(at("o"), at("link")), 0);
    assert_refused(at("link"), NULL, 0, "is a symbolic link");
    struct tc_error err = {0};
    cr_assert_eq(outdir_check(at("link/"), NULL, 0, &err), -1, "link/ was accepted");
    cr_assert(strstr(err.msg, "link is a symbolic link"), "%s", err.msg);
    char *tmp;
    cr_assert_eq(outdir_begin(at("link"), "test", &tmp, &err), 0, "%s", err.msg);
    cr_assert_eq(outdir_commit(&tmp, at("link"), &err), -1, "commit replaced a link");
    outdir_abort(&tmp);
    assert_text(at("o/a.csv"), "a\n");
    assert_refused("/", NULL, 0, "is the root folder");
    setenv("HOME", at("o"), 1);
    assert_refused(at("o"), NULL, 0, "is the home folder");
    setenv("HOME", at("o/layers"), 1);
    assert_refused(at("o"), NULL, 0, "is the home folder or one above it");
    assert_text(at("o/layers/b.txt"), "b\n");
}

Test(outdir, the_current_folder_and_those_above_it_are_refused)
{
    fx_tmpdir(root, sizeof root);
    make_output(at("o"));
    char *back = getcwd(NULL, 0);
    cr_assert_eq(chdir(at("o/layers")), 0);
    assert_refused(".", NULL, 0, "is the current folder or one above it");
    assert_refused("..", NULL, 0, "is the current folder or one above it");
    assert_refused("../../o", NULL, 0, "is the current folder or one above it");
    assert_refused(at("o"), NULL, 0, "is the current folder or one above it");
    cr_assert_eq(chdir(back), 0);
    free(back);
    assert_text(at("o/a.csv"), "a\n");
    assert_text(at("o/layers/b.txt"), "b\n");
    /* Not the current folder, but spelled with a final "." or "..". */
    assert_refused(at("o/layers/.."), NULL, 0, "name the folder itself");
    assert_refused(at("o/new/."), NULL, 0, "name the folder itself");
}

Test(outdir, the_folder_of_an_input_or_one_above_it_is_refused)
{
    fx_tmpdir(root, sizeof root);
    make_output(at("m")); /* a towncov output: only the input rule protects it */
    const char *in_m[] = {NULL, at("m/townships.shp")};
    assert_refused(at("m"), in_m, 2, "holds the input");
    const char *below[] = {at("m/layers/x.shp")};
    assert_refused(at("m"), below, 1, "holds the input");
    const char *missing[] = {at("m/not-there-yet.csv")};
    assert_refused(at("m"), missing, 1, "holds the input");
    fx_write_text(at("m/layers/real.ini"), "");
    cr_assert_eq(symlink(at("m/layers/real.ini"), at("s.ini")), 0);
    const char *linked[] = {at("s.ini")};
    assert_refused(at("m"), linked, 1, "holds the input");
    cr_assert_eq(unlink(at("m/layers/real.ini")), 0);
    const char *elsewhere[] = {at("other/map.shp"), NULL};
    struct tc_error err = {0};
    cr_assert_eq(outdir_check(at("m"), elsewhere, 2, &err), 0, "%s", err.msg);
}

Test(outdir, a_marker_towncov_did_not_write_is_not_trusted)
{
    fx_tmpdir(root, sizeof root);
    make_dir(at("x"));
    fx_write_text(at("x/" OUTDIR_MARKER), "my own notes\nfile a.csv\n");
    fx_write_text(at("x/a.csv"), "mine\n");
    assert_refused(at("x"), NULL, 0, "holds a " OUTDIR_MARKER " that towncov did not write");
    /* An edited listing cannot reach outside its folder. */
    fx_write_text(at("victim"), "outside\n");
    make_dir(at("y"));
    fx_write_text(at("y/" OUTDIR_MARKER),
                  OUTDIR_MARKER_HEADER "\nfile ../victim\nfile /etc/hostname\nfile a.csv\n");
    fx_write_text(at("y/a.csv"), "a\n");
    make_output(at("y"));
    assert_text(at("victim"), "outside\n");
    assert_text(at("y/a.csv"), "a\n"); /* the new a.csv */
}

Test(outdir, a_trailing_slash_keeps_the_temporary_folder_beside)
{
    fx_tmpdir(root, sizeof root);
    make_output(at("o"));
    struct tc_error err = {0};
    char *tmp;
    cr_assert_eq(outdir_begin(at("o/"), "test", &tmp, &err), 0, "%s", err.msg);
    cr_assert(strncmp(tmp, at("o.tmp-"), strlen(at("o.tmp-"))) == 0, "%s", tmp);
    cr_assert_eq(outdir_commit(&tmp, at("o//"), &err), 0, "%s", err.msg);
    cr_assert(exists(at("o/" OUTDIR_MARKER)) && !exists(at("o/a.csv")));
    cr_assert_eq(leftovers("o"), 0);
}

Test(outdir, the_committed_jiangxi_map_is_a_marked_mapgen_output)
{
    struct tc_error err = {0};
    cr_assert_eq(outdir_check("maps/jiangxi", NULL, 0, &err), 0, "%s", err.msg);
    char *marker = fx_read_file("maps/jiangxi/" OUTDIR_MARKER, NULL);
    cr_assert(marker && strstr(marker, "written by: towncov mapgen\n"));
    free(marker);
}

/* ---- whole commands ----------------------------------------------------------- */

static char out[1 << 16];

/* towncov with printf-formatted arguments, its output in out. */
#define cmd(...) fx_runf(out, sizeof out, __VA_ARGS__)

/* Runs towncov with its current folder set to cwd (as fx_run does). */
static int cmd_in(const char *cwd, const char *args)
{
    const char *bin = getenv("TOWNCOV_BIN");
    cr_assert_not_null(bin, "TOWNCOV_BIN is not set");
    char line[4096];
    snprintf(line, sizeof line, "cd '%s' && '%s' %s 2>&1", cwd, bin, args);
    return fx_sh(line, out, sizeof out);
}

/* root/in: map.shp and s.ini (random stations, every layer and the picture). */
static void setup(void)
{
    fx_tmpdir(root, sizeof root);
    make_dir(at("in"));
    fx_write_map(at("in/map"), fx_halves, 2);
    fx_write_text(at("in/s.ini"), "[scenario]\nname = od\nseed = 1\n[map]\nfile = map.shp\n"
                                  "[sites]\nstrategy = uniform\ncount = 6\n"
                                  "[radio]\nvertices = 16\n");
}

static char *slurp(const char *path, size_t *n)
{
    char *s = fx_read_file(path, n);
    cr_assert_not_null(s, "no %s", path);
    return s;
}

static void assert_same_file(const char *path, const char *before, size_t n)
{
    size_t m;
    char *now = slurp(path, &m);
    cr_assert(m == n && memcmp(now, before, n) == 0, "%s changed", path);
    free(now);
}

Test(outdir_cmd, run_refuses_a_folder_of_foreign_files_before_any_work)
{
    setup();
    make_dir(at("o"));
    make_dir(at("o/chapters"));
    fx_write_text(at("o/thesis.pdf"), "%PDF-1.7 not towncov's\n");
    fx_write_text(at("o/chapters/one.tex"), "\\chapter{One}\n");
    /* The map is missing: exit 7, not 4, shows the folder is judged first. */
    cr_assert_eq(cmd("run %s --quiet --out %s --set map.file=nothere.shp", at("in/s.ini"),
                     at("o")), 7, "%s", out);
    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("o")), 7, "%s", out);
    cr_assert(strstr(out, at("o")) && strstr(out, "holds chapters and no .towncov-output "
                                                  "marker, so towncov did not write it"),
              "%s", out);
    assert_text(at("o/thesis.pdf"), "%PDF-1.7 not towncov's\n");
    assert_text(at("o/chapters/one.tex"), "\\chapter{One}\n");
    cr_assert(!exists(at("o/townships.csv")));
    cr_assert_eq(leftovers("o"), 0);
}

Test(outdir_cmd, run_replaces_its_previous_output_and_uses_an_empty_folder)
{
    setup();
    make_dir(at("o"));
    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("o")), 0, "%s", out);
    size_t n;
    char *first = slurp(at("o/sites.csv"), &n);
    char *marker = slurp(at("o/" OUTDIR_MARKER), NULL);
    cr_assert(strstr(marker, "written by: towncov run\n") && strstr(marker, "\nfile map.png\n")
              && strstr(marker, "\nfile summary.json\n") && strstr(marker, "\nfile towncov.qgs\n"),
              "%s", marker);
    free(marker);
    cr_assert_eq(cmd("run %s --quiet --out %s --set scenario.seed=2", at("in/s.ini"), at("o")),
                 0, "%s", out);
    size_t m;
    char *second = slurp(at("o/sites.csv"), &m);
    cr_assert(n != m || memcmp(first, second, n) != 0, "the output was not replaced");
    free(first);
    free(second);
    cr_assert(exists(at("o/" OUTDIR_MARKER)));
    cr_assert_eq(leftovers("o"), 0);
    /* Fewer layers the second time: what is no longer written goes too. */
    cr_assert_eq(cmd("run %s --quiet --out %s --set output.layers=no --set output.picture=no",
                     at("in/s.ini"), at("o")), 0, "%s", out);
    cr_assert(!exists(at("o/towncov.qgs")) && !exists(at("o/map.png")));
    cr_assert(exists(at("o/townships.csv")));
}

Test(outdir_cmd, run_refuses_a_file_a_link_and_the_current_folder)
{
    setup();
    fx_write_text(at("results.txt"), "my results\n");
    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("results.txt")), 7, "%s",
                 out);
    cr_assert(strstr(out, "is a file"), "%s", out);
    assert_text(at("results.txt"), "my results\n");

    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("o")), 0, "%s", out);
    size_t n;
    char *before = slurp(at("o/townships.csv"), &n);
    cr_assert_eq(symlink(at("o"), at("link")), 0);
    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("link")), 7, "%s", out);
    cr_assert(strstr(out, "is a symbolic link"), "%s", out);
    /* A previous output, but the current folder: refused, nothing deleted. */
    const char *dots[] = {"run ../in/s.ini --quiet --out .", "run ../in/s.ini --quiet --out .."};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(cmd_in(at("o"), dots[i]), 7, "%s", out);
        cr_assert(strstr(out, "is the current folder or one above it"), "%s", out);
    }
    assert_same_file(at("o/townships.csv"), before, n);
    cr_assert(exists(at("o/" OUTDIR_MARKER)) && exists(at("in/map.shp")));
    free(before);
}

Test(outdir_cmd, run_refuses_the_folder_of_its_inputs)
{
    setup();
    /* The map is a mapgen output: marked, yet the map's own folder. */
    cr_assert_eq(cmd("mapgen --synthetic 30 --out %s --quiet", at("m")), 0, "%s", out);
    size_t n;
    char *map = slurp(at("m/townships.shp"), &n);
    cr_assert_eq(cmd("run %s --quiet --set map.file=%s --set sites.count=3 --out %s",
                     at("in/s.ini"), at("m/townships.shp"), at("m")), 7, "%s", out);
    cr_assert(strstr(out, at("m")) && strstr(out, "holds the input"), "%s", out);
    assert_same_file(at("m/townships.shp"), map, n);
    free(map);
    /* The scenario's folder, and a sites file's. */
    cr_assert_eq(cmd("run %s --quiet --out %s", at("in/s.ini"), at("in")), 7, "%s", out);
    cr_assert(strstr(out, "holds the input"), "%s", out);
    make_output(at("st"));
    fx_write_text(at("st/layers/sites.csv"), "id,lon,lat\n");
    cr_assert_eq(cmd("run %s --quiet --set sites.strategy=file --set sites.file=%s --out %s",
                     at("in/s.ini"), at("st/layers/sites.csv"), at("st")), 7, "%s", out);
    cr_assert(strstr(out, "holds the input"), "%s", out);
    assert_text(at("st/layers/sites.csv"), "id,lon,lat\n");
    cr_assert(exists(at("in/map.shp")) && exists(at("in/s.ini")));
}

Test(outdir_cmd, mapgen_refuses_foreign_files_and_replaces_its_own_output)
{
    setup();
    make_dir(at("x"));
    fx_write_text(at("x/thesis.pdf"), "%PDF\n");
    cr_assert_eq(cmd("mapgen --synthetic 30 --out %s --quiet", at("x")), 7, "%s", out);
    cr_assert(strstr(out, at("x")) && strstr(out, "thesis.pdf"), "%s", out);
    assert_text(at("x/thesis.pdf"), "%PDF\n");
    cr_assert(!exists(at("x/townships.shp")));

    cr_assert_eq(cmd("mapgen --synthetic 30 --out %s --quiet", at("m")), 0, "%s", out);
    size_t n;
    char *first = slurp(at("m/townships.shp"), &n);
    cr_assert_eq(cmd("mapgen --synthetic 30 --seed 2 --out %s --quiet", at("m")), 0, "%s", out);
    size_t k;
    char *second = slurp(at("m/townships.shp"), &k);
    cr_assert(n != k || memcmp(first, second, n) != 0, "the map was not replaced");
    free(first);
    char *marker = slurp(at("m/" OUTDIR_MARKER), NULL);
    cr_assert(strstr(marker, "written by: towncov mapgen\n") &&
              strstr(marker, "\nfile townships.shp\n"), "%s", marker);
    free(marker);
    cr_assert_eq(leftovers("m"), 0);

    fx_write_text(at("m/notes.txt"), "mine\n");
    cr_assert_eq(cmd("mapgen --synthetic 30 --out %s --quiet", at("m")), 7, "%s", out);
    cr_assert(strstr(out, "holds notes.txt, which towncov did not write"), "%s", out);
    assert_text(at("m/notes.txt"), "mine\n");
    assert_same_file(at("m/townships.shp"), second, k);
    free(second);

    /* Before reading the inputs: these do not even exist. */
    cr_assert_eq(cmd("mapgen --counties %s --townships %s --out %s --quiet", at("in/c.shp"),
                     at("in/t.csv"), at("in")), 7, "%s", out);
    cr_assert(strstr(out, "holds the input"), "%s", out);
    cr_assert(exists(at("in/map.shp")));
}
