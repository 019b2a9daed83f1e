/* test_cli.c — the command line as a user meets it: one error line for a
 * bad option with "did you mean", --version, --help from the option
 * tables, the generated documents up to date and rendering without a
 * warning, the bash completion, and make install into a DESTDIR giving a
 * towncov that runs the shipped scenario from anywhere. */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fixture.h"

static char out[65536];

/* Runs a shell command, stdout+stderr into out; returns its exit status. */
static int sh(const char *cmd)
{
    return fx_sh(cmd, out, sizeof out);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A bad command line: status 2, one "towncov: error:" line and nothing
 * else (no usage dump after it), containing want. */
static void one_error_line(const char *args, const char *want)
{
    cr_assert_eq(fx_run(args, out, sizeof out), 2, "%s: %s", args, out);
    cr_assert_eq(strncmp(out, "towncov: error: ", 16), 0, "%s: %s", args, out);
    cr_assert_eq(lines(out), 1, "%s: more than one line:\n%s", args, out);
    cr_assert(strstr(out, want), "%s: '%s' lacks '%s'", args, out, want);
}

Test(cli, bad_arguments_give_one_line_and_a_suggestion)
{
    one_error_line("rnu scenarios/jiangxi-65k.ini", "did you mean run?");
    one_error_line("run scenarios/jiangxi-65k.ini --thread 2", "did you mean --threads?");
    one_error_line("sweep scenarios/jiangxi-65k.ini --fnd-min sites.count", "did you mean --find-min?");
    one_error_line("run", "no SCENARIO given");
    one_error_line("run a.ini b.ini", "more than one SCENARIO");
    one_error_line("run scenarios/jiangxi-65k.ini --out", "--out needs a value");
    one_error_line("plan scenarios/jiangxi-65k.ini --spacing 0", "--spacing needs a number");
    one_error_line("pathloss --model rma-lo --freq-ghz 3.5 --distance-m 100",
                   "did you mean rma-los?");
    one_error_line("mapgen --synthetic 10 --out /tmp/x --seed abc", "--seed needs a whole number");
    one_error_line("sweep scenarios/jiangxi-65k.ini --range 1..9", "--range goes with --find-min");
    one_error_line("frobnicate", "unknown command 'frobnicate' (see towncov --help)");
}

/* --threads: parsed once, one range, for every command that takes it. */
Test(cli, threads_has_one_range_everywhere)
{
    const char *cmds[] = {"run scenarios/jiangxi-65k.ini", "plan scenarios/jiangxi-65k.ini",
                          "sweep scenarios/jiangxi-65k.ini", "mapgen --synthetic 10 --out /tmp/x"};
    for (int i = 0; i < 4; i++) {
        char args[256];
        snprintf(args, sizeof args, "%s --threads 4097", cmds[i]);
        one_error_line(args, "--threads needs a whole number from 1 to 4096, not '4097'");
        snprintf(args, sizeof args, "%s --threads=0", cmds[i]);
        one_error_line(args, "--threads needs a whole number from 1 to 4096, not '0'");
    }
}

Test(cli, a_mistyped_scenario_key_gets_the_nearest)
{
    cr_assert_eq(fx_run("link scenarios/jiangxi-65k.ini --set radio.modle=disc", out, sizeof out),
                 3);
    cr_assert(strstr(out, "unknown key radio.modle (did you mean radio.model?)"), "%s", out);
    cr_assert_eq(fx_run("link scenarios/jiangxi-65k.ini --set radio.zzzzzzzz=1", out, sizeof out),
                 3);
    cr_assert(!strstr(out, "did you mean"), "nothing is near: %s", out);
}

Test(cli, version_and_help)
{
    cr_assert_eq(fx_run("-V", out, sizeof out), 0);
    cr_assert_eq(strncmp(out, "towncov 0.", 10), 0, "%s", out);
    cr_assert_eq(fx_run("--version", out, sizeof out), 0);
    cr_assert(strstr(out, "libraries: "), "%s", out);
    const char *cmds[] = {"run", "plan", "sweep", "mapgen", "link", "pathloss", "keys"};
    for (int i = 0; i < 7; i++) {
        char args[64], want[64];
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        snprintf(want, sizeof want, "Usage: towncov %s", cmds[i]);
        cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", args);
        cr_assert_eq(strncmp(out, want, strlen(want)), 0, "%s: %s", args, out);
        cr_assert(strstr(out, "  -h, --help"), "%s: %s", args, out);
    }
}

/* The man pages, the README's command list and the completion are what
 * the tables give now (make docs). */
Test(cli, generated_documents_are_current, .timeout = 60)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 man/update.py --check '%s' 2>&1",
             getenv("TOWNCOV_BIN"));
    cr_assert_eq(sh(cmd), 0, "%s", out);
}

/* Every page renders with man and without a single groff warning. */
Test(cli, man_pages_render_without_warnings, .timeout = 120)
{
    glob_t g;
    cr_assert_eq(glob("man/*.[15]", 0, NULL, &g), 0);
    cr_assert_geq(g.gl_pathc, 9, "every command's page, scenario(5) and outputs(5)");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "groff -man -Tutf8 -ww -z '%s' 2>&1", g.gl_pathv[i]);
        cr_assert_eq(sh(cmd), 0, "%s", g.gl_pathv[i]);
        cr_assert_str_empty(out, "%s: %s", g.gl_pathv[i], out);
        snprintf(cmd, sizeof cmd, "MANWIDTH=80 MANPAGER=cat man -l '%s' 2>&1 >/dev/null",
                 g.gl_pathv[i]);
        cr_assert_eq(sh(cmd), 0, "%s: %s", g.gl_pathv[i], out);
        cr_assert_str_empty(out, "%s: %s", g.gl_pathv[i], out);
    }
    globfree(&g);
}

static const char *complete(const char *words, int cword)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "bash -c 'compopt() { :; }; . completion/towncov.bash; COMP_WORDS=(%s); "
             "COMP_CWORD=%d; _towncov; echo \"${COMPREPLY[*]}\"' 2>&1",
             words, cword);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    return out;
}

Test(cli, bash_completion)
{
    cr_assert_str_eq(complete("towncov sw", 1), "sweep\n");
    cr_assert_str_eq(complete("towncov run x.ini --thr", 3), "--threads\n");
    cr_assert_str_eq(complete("towncov run x.ini --set radio.mod", 4), "radio.model=\n");
    cr_assert_str_eq(complete("towncov sweep x.ini --find-min sites.cou", 4), "sites.count\n");
    cr_assert_str_eq(complete("towncov pathloss --model uma-l", 3), "uma-los\n");
}

/* make install into a DESTDIR, then the installed binary, started from
 * elsewhere, finds the shipped scenario and map; make uninstall removes
 * every file it installed. */
Test(cli, install_runs_the_shipped_scenario, .timeout = 600)
{
    char dir[512], cmd[4096];
    fx_tmpdir(dir, sizeof dir);
    const char *bin = getenv("TOWNCOV_BIN");
    snprintf(cmd, sizeof cmd, "make --no-print-directory install INSTALL_BIN='%s' DESTDIR='%s/root' "
             "PREFIX=/usr/local 2>&1", bin, dir);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    const char *files[] = {"bin/towncov", "share/man/man1/towncov-run.1",
                           "share/man/man5/towncov-scenario.5",
                           "share/bash-completion/completions/towncov",
                           "share/towncov/scenarios/jiangxi-65k.ini",
                           "share/towncov/maps/jiangxi/townships.shp"};
    for (int i = 0; i < 6; i++) {
        snprintf(cmd, sizeof cmd, "%s/root/usr/local/%s", dir, files[i]);
        char *text = fx_read_file(cmd, NULL);
        cr_assert(text != NULL, "not installed: %s", files[i]);
        free(text);
    }
    /* From the temporary folder, where scenarios/ does not exist. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && TOWNCOV_DATADIR='%s/root/usr/local/share/towncov' "
             "root/usr/local/bin/towncov run scenarios/jiangxi-65k.ini --threads 2 --quiet "
             "--set sites.count=3000 --set raster.resolution_m=0 --set output.layers=no "
             "--out out 2>&1", dir, dir);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "%s/out/summary.json", dir);
    char *json = fx_read_file(cmd, NULL);
    cr_assert_not_null(json);
    cr_assert(strstr(json, "\"townships\": 1767"), "%s", json);
    free(json);
    snprintf(cmd, sizeof cmd, "make --no-print-directory uninstall DESTDIR='%s/root' "
             "PREFIX=/usr/local >/dev/null 2>&1 && find '%s/root' -type f", dir, dir);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    cr_assert(!strstr(out, "/root/"), "left behind:\n%s", out);
}

/* ---- progress bar ----------------------------------------------------------*/
#include <time.h>

#include "towncov/progress.h"

Test(cli, progress_bar_shows_share_and_eta)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tc_progress_enable(f);
    tc_progress("coverage", 0, 200);
    nanosleep(&(struct timespec){0, 150000000}, NULL); /* past the redraw limit */
    tc_progress("coverage", 100, 200);
    tc_progress_end();
    tc_progress_enable(NULL);
    tc_progress("coverage", 150, 200); /* off: nothing */
    fclose(f);
    cr_assert(strstr(buf, "\rtowncov: coverage [#"), "%s", buf);
    cr_assert(strstr(buf, " 50% ETA 0:0"), "%s", buf);
    cr_assert(strstr(buf, "  0% ETA --:--"), "%s", buf);
    size_t n = strlen(buf);
    cr_assert(n > 4 && strcmp(buf + n - 4, "\r\033[K") == 0, "ends by clearing the line");
    cr_assert(!strstr(buf, " 75%"), "drawn while off: %s", buf);
    free(buf);
}

/* The bar appears on a terminal (script(1) gives the run one) and never
 * when stderr is a file. */
Test(cli, progress_only_on_a_terminal, .timeout = 300)
{
    char dir[512], cmd[4096];
    fx_tmpdir(dir, sizeof dir);
    const char *run = "run scenarios/jiangxi-65k.ini --threads 2 --set sites.count=3000 "
                      "--set output.layers=no --set output.picture=no";
    snprintf(cmd, sizeof cmd, "%s %s --out %s/a 2>%s/err >/dev/null; cat %s/err",
             getenv("TOWNCOV_BIN"), run, dir, dir, dir);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    cr_assert(!strchr(out, '\r') && !strstr(out, "ETA"), "not a terminal: %s", out);
    snprintf(cmd, sizeof cmd, "script -qec '%s %s --out %s/b' /dev/null", getenv("TOWNCOV_BIN"),
             run, dir);
    cr_assert_eq(sh(cmd), 0, "%s", out);
    cr_assert(strstr(out, "towncov: coverage [") && strstr(out, "% ETA "), "%s", out);
    cr_assert(strstr(out, "towncov: rasters ["), "%s", out);
}
