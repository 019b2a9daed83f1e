/* Libraries loaded on first use (include/towncov/lazyload.h): towncov's
 * binary maps GDAL, PROJ, libpq, cairo and GLPK only when a command needs
 * them. Checked from outside: each library is replaced by a broken file of
 * its SONAME in LD_LIBRARY_PATH (which dlopen searches first), so a
 * command that loads it fails and one that does not runs as before.
 * --version and run --help load none; a run without map.png, rasters and
 * GeoPackage never loads cairo; a run that draws map.png stops with one
 * line naming the library and what needs it, exit 8, and no output folder.
 * (The test binary itself links the libraries directly.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"

#define SQUARE(x0, y0, x1, y1)                                                             \
    "POLYGON((" #x0 " " #y0 ", " #x1 " " #y0 ", " #x1 " " #y1 ", " #x0 " " #y1 ", " #x0 " " #y0 \
    "))"

static char dir[256];
static char out[1 << 16];

static const char *at(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

/* The SONAME this (directly linked) test binary needs for lib<stem>.so. */
static void soname(const char *stem, char *buf, size_t size)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ldd /proc/%d/exe | awk '$1 ~ /^lib%s[.]so[.]/ { print $1; exit }'",
             (int)getpid(), stem);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    buf[0] = '\0';
    cr_assert_not_null(fgets(buf, (int)size, p));
    pclose(p);
    buf[strcspn(buf, "\n")] = '\0';
    cr_assert(buf[0], "no lib%s in the test binary's libraries", stem);
}

/* dir/broken/<SONAME> for each library, not a shared object. */
static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    mkdir(at("broken"), 0755);
    static const char *const stems[] = {"gdal", "proj", "pq", "cairo", "glpk"};
    for (int i = 0; i < 5; i++) {
        char name[128], path[512];
        soname(stems[i], name, sizeof name);
        snprintf(path, sizeof path, "%s/broken/%s", dir, name);
        fx_write_text(path, "not a shared library\n");
    }
    const struct fx_township t[] = {
        {"1", "west", "c", "town", SQUARE(-4000, -2000, 0, 2000), -2000, 0},
        {"2", "east", "c", "town", SQUARE(0, -2000, 4000, 2000), 2000, 0}};
    fx_write_map(at("map"), t, 2);
    fx_write_text(at("s.ini"), "[scenario]\nname = lazy\n[map]\nfile = map.shp\n"
                               "[sites]\nstrategy = weighted\ncount = 20\n[raster]\n"
                               "resolution_m = 0\n");
}

TestSuite(lazyload, .init = setup);

static int broken_run(const char *args)
{
    char prefix[600];
    snprintf(prefix, sizeof prefix, "LD_LIBRARY_PATH='%s'", at("broken"));
    return fx_run_prefixed(prefix, args, out, sizeof out);
}

Test(lazyload, version_and_help_load_no_library)
{
    cr_assert_eq(broken_run("--version"), 0, "%s", out);
    cr_assert(strstr(out, "towncov "), "%s", out);
    cr_assert_eq(broken_run("run --help"), 0, "%s", out);
    cr_assert(strstr(out, "Usage: towncov run"), "%s", out);
}

Test(lazyload, a_run_without_picture_never_loads_cairo)
{
    /* PROJ and GDAL are needed (coordinates; the shapefile's CRS through
     * OGR): only cairo is broken here */
    char cairo[128], prefix[700], args[1024];
    soname("cairo", cairo, sizeof cairo);
    snprintf(prefix, sizeof prefix, "mkdir -p '%s' && ln -sf '%s/broken/%s' '%s/%s' && "
             "LD_LIBRARY_PATH='%s'", at("only"), dir, cairo, at("only"), cairo, at("only"));
    snprintf(args, sizeof args, "run %s --quiet --out %s --set output.picture=no", at("s.ini"),
             at("nopic"));
    cr_assert_eq(fx_run_prefixed(prefix, args, out, sizeof out), 0, "%s", out);
    snprintf(args, sizeof args, "run %s --quiet --out %s", at("s.ini"), at("pic"));
    int rc = fx_run_prefixed(prefix, args, out, sizeof out);
    char want[256];
    snprintf(want, sizeof want, "towncov: error: cannot load %s, which map.png needs: ", cairo);
    cr_assert_eq(rc, 8, "exit %d: %s", rc, out);
    cr_assert(strstr(out, want), "%s", out);
    struct stat st;
    cr_assert_neq(stat(at("pic"), &st), 0, "an output folder was left");
}
