/* The one INI reader (inifile.h) as `towncov run` and `towncov sweep` see
 * it, and every input file refused at once when it is not a regular file
 * (a FIFO would block the open forever, /dev/zero never end). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/scenario.h"
#include "towncov/sweep_space.h"

static char dir[256];
static char path[512];
static char out[1 << 14];

static void write_scenario(const char *text)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, text);
}

/* Both readers refuse text at line with exit 3 and words. */
static void both_refuse(const char *text, int line, const char *words)
{
    static struct scenario scn;
    write_scenario(text);
    char where[600];
    snprintf(where, sizeof where, "%s:%d: ", path, line);
    struct tc_error err = {0};
    cr_assert_neq(scenario_load(path, NULL, 0, &scn, &err), 0, "run accepted: %s", text);
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO, "%s", err.msg);
    cr_assert(strstr(err.msg, where) && strstr(err.msg, words), "run: '%s'", err.msg);
    struct tc_error serr = {0};
    struct sweep_space *sp = sweep_space_new(path, NULL, 0, 0, &serr);
    cr_assert_null(sp, "sweep accepted: %s", text);
    cr_assert_eq(serr.exit_code, TC_EXIT_SCENARIO, "%s", serr.msg);
    cr_assert(strstr(serr.msg, where) && strstr(serr.msg, words), "sweep: '%s'", serr.msg);
}

static void both_accept(const char *text)
{
    static struct scenario scn;
    write_scenario(text);
    struct tc_error err = {0};
    cr_assert_eq(scenario_load(path, NULL, 0, &scn, &err), 0, "run: %s", err.msg);
    struct sweep_space *sp = sweep_space_new(path, NULL, 0, 0, &err);
    cr_assert_not_null(sp, "sweep: %s", err.msg);
    sweep_space_free(&sp);
}

/* libinih ignores what follows "]": the key would be dropped silently. */
Test(inifile, a_key_on_a_section_line_is_an_error_with_its_line)
{
    both_refuse("[map]\nfile = x.shp\n[goal] seat_area_min_fraction = 0.01\n", 3,
                "text after the section's name");
    both_refuse("[map]\nfile = x.shp\n\n  [goal]x=1\n", 4, "text after the section's name");
    /* A comment after the name is still a comment. */
    both_accept("[map] ; the map\nfile = x.shp\n[goal]   # judged\n[sites]\t\ncount = 5\n");
}

/* One bound for both readers, with the line: 198 characters read whole,
 * 199 refused (libinih would cut them). */
Test(inifile, one_line_bound_for_run_and_sweep)
{
    char text[1024];
    snprintf(text, sizeof text, "[map]\nfile = x.shp\n[scenario]\nname = %0191d\n", 7);
    both_accept(text); /* "name = " is 7: 198 in all */
    snprintf(text, sizeof text, "[map]\nfile = x.shp\n[scenario]\nname = %0192d\n", 7);
    both_refuse(text, 4, "longer than 198 characters");
    snprintf(text, sizeof text, "[map]\nfile = x.shp\n; %0900d\n", 7);
    both_refuse(text, 3, "longer than 198 characters");
}

/* Runs towncov under a 30 s timeout: a blocked open ends as status 124. */
static int run_timed(const char *args)
{
    return fx_run_prefixed("timeout 30", args, out, sizeof out);
}

static void expect_refused(const char *args, int status, const char *words)
{
    double t0 = fx_now();
    int rc = run_timed(args);
    cr_assert_eq(rc, status, "towncov %s: status %d (124: it blocked): %s", args, rc, out);
    cr_assert(strstr(out, "towncov: error: ") && strstr(out, words), "towncov %s: %s", args,
              out);
    cr_assert_lt(fx_now() - t0, 25, "towncov %s took %.1f s", args, fx_now() - t0);
}

Test(inifile, a_fifo_or_device_as_scenario_is_refused_at_once, .timeout = 300)
{
    fx_tmpdir(dir, sizeof dir);
    char fifo[512], args[1200];
    snprintf(fifo, sizeof fifo, "%s/s.ini", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    const char *const cmds[] = {"run", "sweep", "sweep --list", "plan", "link"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        snprintf(args, sizeof args, "%s %s --out %s/out", cmds[i], fifo, dir);
        if (strcmp(cmds[i], "link") == 0)
            snprintf(args, sizeof args, "link %s", fifo);
        expect_refused(args, 3, "a FIFO, not a regular file");
        snprintf(args, sizeof args, "%s /dev/zero --out %s/out", cmds[i], dir);
        if (strcmp(cmds[i], "link") == 0)
            snprintf(args, sizeof args, "link /dev/zero");
        expect_refused(args, 3, "/dev/zero: cannot open scenario: a device");
    }
}

/* A one-township map, its sites, and a scenario naming them. */
static void setup(const char *extra_ini)
{
    static const struct fx_township t[] = {
        {"1", "a", "c", "town", FX_SQUARE(-5000, -5000, 5000, 5000), 0, 0}};
    fx_tmpdir(dir, sizeof dir);
    char p[600], ini[2048];
    snprintf(p, sizeof p, "%s/map", dir);
    fx_write_map(p, t, 1);
    snprintf(p, sizeof p, "%s/sites.csv", dir);
    fx_write_text(p, "id,lon,lat\ns1,0,0\n");
    snprintf(ini, sizeof ini, "[map]\nfile = map.shp\n%s[sites]\nstrategy = file\nfile = "
             "sites.csv\n", extra_ini);
    snprintf(p, sizeof p, "%s/s.ini", dir);
    fx_write_text(p, ini);
}

static void make_fifo(const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    cr_assert_eq(mkfifo(p, 0600), 0, "mkfifo %s", p);
}

/* shapefile parts: a FIFO .shp beside a good .shx and .dbf. */
static void fifo_shapefile(const char *base, const char *fifo_ext)
{
    char from[600], to[600];
    const char *ext[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    for (int i = 0; i < 5; i++) {
        snprintf(to, sizeof to, "%s%s", base, ext[i]);
        if (strcmp(ext[i], fifo_ext) == 0) {
            make_fifo(to);
            continue;
        }
        snprintf(from, sizeof from, "%s/map%s", dir, ext[i]);
        snprintf(to, sizeof to, "%s/%s%s", dir, base, ext[i]);
        char *bytes;
        size_t len;
        cr_assert_not_null(bytes = fx_read_file(from, &len));
        FILE *f = fopen(to, "wb");
        cr_assert_not_null(f);
        fwrite(bytes, 1, len, f);
        fclose(f);
        free(bytes);
    }
}

Test(inifile, a_fifo_as_any_input_file_is_refused_at_once, .timeout = 300)
{
    char args[1200];
    /* The map, each of its parts that is read. */
    const char *const parts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    for (int i = 0; i < 5; i++) {
        setup("");
        fifo_shapefile("m2", parts[i]);
        snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out --set map.file=m2.shp",
                 dir, dir);
        expect_refused(args, 4, "a FIFO, not a regular file");
    }
    /* The seat areas. */
    setup("seat_areas = sa.shp\n");
    fifo_shapefile("sa", ".shp");
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out", dir, dir);
    expect_refused(args, 4, "sa.shp: cannot open: a FIFO");
    /* The key points. */
    setup("key_points = kp.csv\n");
    make_fifo("kp.csv");
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out", dir, dir);
    expect_refused(args, 5, "kp.csv: cannot open: a FIFO");
    /* The sites. */
    setup("");
    make_fifo("f.csv");
    snprintf(args, sizeof args, "run %s/s.ini --quiet --out %s/out --set sites.file=f.csv", dir,
             dir);
    expect_refused(args, 5, "f.csv: cannot open: a FIFO");
    /* The plan's candidates (read when a township needs a station). */
    snprintf(args, sizeof args, "plan %s/s.ini --quiet --out %s/out --candidates %s/f.csv "
             "--set goal.min_covered_fraction=0.99", dir, dir, dir);
    expect_refused(args, 5, "f.csv: cannot open: a FIFO");
}
