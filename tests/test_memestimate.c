/* The coverage's memory estimate counts density (sim/pipeline_memory.c):
 * under a real `ulimit -v`, a scenario whose densest townships would not
 * fit is refused with exit 6 and one line naming the estimate, the densest
 * township and the limit, before the coverage starts; a scenario that fits
 * under the same limit runs. The calibration case of docs/robustness.md:
 * `mapgen --synthetic 30 --seed 1`, the link model, weighted placement. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char out[1 << 16];

/* The calibration scenario with `count` stations, rasters and outputs off. */
static void write_scenario(const char *dir, long count)
{
    char path[512], text[1024];
    snprintf(path, sizeof path, "%s/s%ld.ini", dir, count);
    snprintf(text, sizeof text,
             "[scenario]\nname = dense\nseed = 1\n[map]\nfile = map/townships.shp\n"
             "[sites]\nstrategy = weighted\ncount = %ld\n[radio]\nmodel = link\n"
             "[coverage]\nengine = exact\n[output]\nlayers = no\npicture = no\n"
             "[raster]\nresolution_m = 0\n", count);
    fx_write_text(path, text);
}

/* 500 MB of address space (about 110 MB of it taken before the work by
 * the libraries): 400,000 stations need about 430 MB resident at their
 * peak (measured), 25,000 about 57 MB. */
Test(memestimate, a_dense_coverage_is_refused_before_the_work_under_ulimit_v, .timeout = 600)
{
    if (getenv("TOWNCOV_SANITIZED")) {
        fprintf(stderr, "memestimate: skipped: a sanitised build reserves terabytes of address "
                        "space, so ulimit -v stops it before main\n");
        cr_skip_test("sanitised build");
    }
    char dir[256], args[1024];
    fx_tmpdir(dir, sizeof dir);
    snprintf(args, sizeof args, "mapgen --synthetic 30 --seed 1 --quiet --out %s/map", dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    write_scenario(dir, 400000);
    write_scenario(dir, 25000);

    snprintf(args, sizeof args, "run %s/s400000.ini --quiet --threads 2 --out %s/dense", dir,
             dir);
    int rc = fx_run_prefixed("ulimit -v 500000; exec", args, out, sizeof out);
    cr_assert_eq(rc, 6, "status %d:\n%s", rc, out);
    const char *line = strstr(out, "towncov: error: the coverage would need about ");
    cr_assert(line, "not refused by the estimate:\n%s", out);
    cr_assert_null(strstr(line + 1, "towncov: error: "), "two error lines:\n%s", out);
    cr_assert(strstr(line, "densest township 9000"), "the densest township unnamed:\n%s", out);
    cr_assert(strstr(line, "the address-space limit (ulimit -v) leaves "), "no limit:\n%s", out);
    long mb = strtol(line + strlen("towncov: error: the coverage would need about "), NULL, 10);
    cr_assert(mb > 430 && mb < 4000, "estimate %ld MB, measured peak 430 MB:\n%s", mb, out);
    char dense[512];
    snprintf(dense, sizeof dense, "%s/dense", dir);
    cr_assert_null(fopen(dense, "r"), "a refused run created %s", dense);

    snprintf(args, sizeof args, "run %s/s25000.ini --quiet --threads 2 --out %s/normal", dir,
             dir);
    rc = fx_run_prefixed("ulimit -v 500000; exec", args, out, sizeof out);
    cr_assert_eq(rc, 0, "a scenario that fits was refused (status %d):\n%s", rc, out);
}
