/* Under a real memory limit (the shell's `ulimit -v`), a run ends with a
 * documented status and one `towncov: error:` line, never a signal: every
 * GEOS, GDAL, PROJ and cairo result that can be NULL under memory pressure
 * is checked (GEOS's constructors free their arguments when they fail:
 * freeing them again crashed the export; fontconfig crashed loading fonts
 * late, so the run loads them before its work). */
#include <criterion/criterion.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char out[1 << 16];

/* A sanitised build reserves terabytes of address space, so ulimit -v
 * stops it before main: these tests run in the plain build (make test),
 * and say so where skipped. */
#define SKIP_WHEN_SANITIZED()                                                                 \
    do {                                                                                      \
        if (getenv("TOWNCOV_SANITIZED")) {                                                    \
            fprintf(stderr, "memlimit: skipped: a sanitised build reserves terabytes of "     \
                            "address space, so ulimit -v stops it before main\n");            \
            cr_skip_test("sanitised build");                                                  \
        }                                                                                     \
    } while (0)

/* The limits (kB) at which the bundled province's run failed in different
 * places (coverage, the export's covered parts, the picture's fonts, the
 * picture's drawing) before; above about 450 MB it completes. Out of
 * memory is exit 6 wherever it strikes (the export said 8 before), and
 * map.png is drawn (cairo died in its scan converter at 350 MB before: it
 * now draws in a child process, picture_proc.c). */
Test(memlimit, a_run_under_ulimit_v_never_dies_of_a_signal, .timeout = 900)
{
    SKIP_WHEN_SANITIZED();
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    const long limits[] = {250000, 275000, 300000, 325000, 350000, 400000, 2000000};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        char prefix[64], args[512];
        snprintf(prefix, sizeof prefix, "ulimit -v %ld; exec", limits[i]);
        snprintf(args, sizeof args, "run scenarios/jiangxi-65k.ini --quiet --threads 2 --out "
                 "%s/out%zu", dir, i);
        int rc = fx_run_prefixed(prefix, args, out, sizeof out);
        cr_assert(rc < 128, "ulimit -v %ld: killed by signal %d:\n%s", limits[i], rc - 128, out);
        if (limits[i] >= 2000000) {
            cr_assert_eq(rc, 0, "ulimit -v %ld: status %d:\n%s", limits[i], rc, out);
            continue;
        }
        char png[512];
        snprintf(png, sizeof png, "%s/out%zu/map.png", dir, i);
        FILE *f = fopen(png, "rb");
        if (f)
            fclose(f);
        if (rc == 0) {
            cr_assert(f, "ulimit -v %ld: status 0 without map.png:\n%s", limits[i], out);
            continue;
        }
        cr_assert_null(f, "ulimit -v %ld: a failed run left %s", limits[i], png);
        cr_assert_eq(rc, 6, "ulimit -v %ld: status %d, not 6 (over a limit):\n%s", limits[i], rc,
                     out);
        const char *line = strstr(out, "towncov: error: ");
        cr_assert(line, "ulimit -v %ld: no error line:\n%s", limits[i], out);
        cr_assert_null(strstr(line + 1, "towncov: error: "), "two error lines:\n%s", out);
    }
}

/* Where stations are dense the exact engine holds the most (its crossings
 * grow with the density). Under these limits main's binary before the
 * density-aware estimate asked GEOS when the exact engine ran out and said
 * "GEOS failed" (exit 8); now the estimate refuses first (exit 6) or the
 * run completes, and were the engine to run out it says so (exit 6, its
 * COVX_NO_MEMORY): never exit 8, never a signal. */
Test(memlimit, a_dense_coverage_out_of_memory_is_exit_6, .timeout = 900)
{
    SKIP_WHEN_SANITIZED();
    char dir[256], args[1024];
    fx_tmpdir(dir, sizeof dir);
    snprintf(args, sizeof args, "mapgen --synthetic 30 --seed 1 --quiet --out %s/map", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "mapgen:\n%s", out);
    const long limits[] = {250000, 300000, 350000, 400000};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "ulimit -v %ld; exec", limits[i]);
        snprintf(args, sizeof args,
                 "run scenarios/jiangxi-65k.ini --quiet --threads 2 --out %s/out%zu "
                 "--set map.file=%s/map/townships.shp --set map.population= "
                 "--set sites.count=25000 --set sites.strategy=weighted --set radio.model=link "
                 "--set raster.resolution_m=0 --set output.layers=no --set output.picture=no",
                 dir, i, dir);
        int rc = fx_run_prefixed(prefix, args, out, sizeof out);
        cr_assert(rc == 0 || rc == 6, "ulimit -v %ld: status %d:\n%s", limits[i], rc, out);
        cr_assert(rc == 0 || strstr(out, "memory"), "ulimit -v %ld: not memory:\n%s", limits[i],
                  out);
    }
}

/* The plan's shapes under a limit: a 2 m candidate lattice over the
 * province under 2 GB (the case, which died of SIGSEGV in GEOS) is
 * refused with exit 6 and one error line, never a signal. */
Test(memlimit, a_plan_under_ulimit_v_is_exit_6_not_a_signal, .timeout = 900)
{
    SKIP_WHEN_SANITIZED();
    char dir[256], args[512];
    fx_tmpdir(dir, sizeof dir);
    snprintf(args, sizeof args,
             "plan scenarios/jiangxi-65k.ini --spacing 2 --quiet --threads 2 --out %s/plan", dir);
    int rc = fx_run_prefixed("ulimit -v 2000000; exec", args, out, sizeof out);
    cr_assert(rc < 128, "killed by signal %d:\n%s", rc - 128, out);
    cr_assert_eq(rc, 6, "status %d, not 6:\n%s", rc, out);
    const char *line = strstr(out, "towncov: error: ");
    cr_assert(line && strstr(line, "memory"), "no memory error line:\n%s", out);
    cr_assert_null(strstr(line + 1, "towncov: error: "), "two error lines:\n%s", out);
    char cmd[600], n[64];
    snprintf(cmd, sizeof cmd, "ls -d %s/plan* 2>/dev/null | wc -l", dir);
    cr_assert_eq(fx_sh(cmd, n, sizeof n), 0);
    cr_assert_eq(atoi(n), 0, "a refused plan left a folder behind");
}

/* One township of 4,000,000 vertices (a 64 MB record): reading it, building
 * it in GEOS and projecting it each need far more than a small ulimit -v
 * leaves. Whichever runs out, the error says memory (exit 6), never "corrupt
 * file" (shapelib's SHPReadObject gives NULL for both, errno tells them
 * apart) nor a polygon GEOS or PROJ cannot take (exit 4 both). */
static void write_huge_township(const char *base, int zigzag)
{
    enum { N = 4000000 };
    double *x = malloc(sizeof *x * N), *y = malloc(sizeof *y * N);
    cr_assert(x && y);
    for (int i = 0; i < N - 1; i++) { /* clockwise: a shapefile's outer ring */
        double a = -2 * M_PI * i / (N - 1), r = zigzag && i % 2 ? 1990 : 2000;
        x[i] = r * cos(a);
        y[i] = r * sin(a);
    }
    x[N - 1] = x[0];
    y[N - 1] = y[0];
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, N, x, y, NULL);
    cr_assert_eq(SHPWriteObject(shp, -1, o), 0);
    SHPDestroyObject(o);
    DBFAddField(dbf, "code", FTString, 16, 0);
    DBFAddField(dbf, "name", FTString, 16, 0);
    DBFAddField(dbf, "county", FTString, 16, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    DBFWriteStringAttribute(dbf, 0, 0, "1");
    DBFWriteStringAttribute(dbf, 0, 1, "huge");
    DBFWriteStringAttribute(dbf, 0, 2, "c");
    DBFWriteStringAttribute(dbf, 0, 3, "town");
    SHPClose(shp);
    DBFClose(dbf);
    free(x);
    free(y);
}

/* The huge township (zigzag: a ring of 4,000,000 one-segment monotone
 * chains, so that GEOS's validity check needs more memory than the build)
 * and a run of it in dir under ulimit -v limit_kb. */
static int run_huge(const char *dir, int zigzag, long limit_kb)
{
    char path[512], prefix[64], args[1024];
    snprintf(path, sizeof path, "%s/map", dir);
    write_huge_township(path, zigzag);
    snprintf(path, sizeof path, "%s/map.prj", dir);
    fx_write_text(path, "PROJCS[\"laea\",GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID["
                        "\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT["
                        "\"degree\",0.0174532925199433]],PROJECTION[\"Lambert_Azimuthal_Equal_"
                        "Area\"],PARAMETER[\"latitude_of_center\",0],PARAMETER[\"longitude_of_"
                        "center\",0],PARAMETER[\"false_easting\",0],PARAMETER[\"false_northing\""
                        ",0],UNIT[\"metre\",1]]");
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = huge\n[map]\nfile = map.shp\n[sites]\n"
                        "strategy = uniform\ncount = 3\n[radio]\nvertices = 16\n");
    snprintf(prefix, sizeof prefix, "ulimit -v %ld; exec", limit_kb);
    snprintf(args, sizeof args, "run %s/s.ini --quiet --threads 2 --out %s/out%ld", dir, dir,
             limit_kb);
    return fx_run_prefixed(prefix, args, out, sizeof out);
}

Test(memlimit, a_huge_shape_under_ulimit_v_is_out_of_memory_not_a_bad_map, .timeout = 300)
{
    SKIP_WHEN_SANITIZED();
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    /* 150 MB: the record's own read fails; above, GEOS or the projection. */
    const long limits[] = {150000, 300000, 400000, 500000, 600000};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        int rc = run_huge(dir, 0, limits[i]);
        cr_assert_eq(rc, 6, "ulimit -v %ld: status %d, not 6:\n%s", limits[i], rc, out);
        const char *line = strstr(out, "towncov: error: ");
        cr_assert(line && strstr(line, "out of memory"), "ulimit -v %ld:\n%s", limits[i], out);
        cr_assert_null(strstr(line + 1, "towncov: error: "), "two error lines:\n%s", out);
        if (i == 0)
            cr_assert(strstr(line, "record 1 (FID 0): out of memory reading the shape"), "%s",
                      out);
    }
}

/* GEOS's validity check running out (its isValid gives 2, not 0): exit 6,
 * not "invalid polygon (?) with no area left after repair" (exit 4, seen
 * once in the run above under ulimit -v 325000). */
Test(memlimit, a_validity_check_out_of_memory_is_exit_6, .timeout = 300)
{
    SKIP_WHEN_SANITIZED();
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    int rc = run_huge(dir, 1, 500000);
    cr_assert_eq(rc, 6, "status %d, not 6:\n%s", rc, out);
    cr_assert(strstr(out, "record 1 (FID 0) (code 1): out of memory checking the polygon"), "%s",
              out);
}
