/* Under a real memory limit (the shell's `ulimit -v`), a run ends with a
 * documented status and one `towncov: error:` line, never a signal: every
 * GEOS, GDAL, PROJ and cairo result that can be NULL under memory pressure
 * is checked (GEOS's constructors free their arguments when they fail:
 * freeing them again crashed the export; fontconfig crashed loading fonts
 * late, so the run loads them before its work). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static char out[1 << 16];

/* The limits (kB) at which the bundled province's run failed in different
 * places (coverage, the export's covered parts, the picture's fonts, the
 * picture's drawing) before; above about 450 MB it completes. Out of
 * memory is exit 6 wherever it strikes (the export said 8 before), and
 * map.png is drawn (cairo died in its scan converter at 350 MB before: it
 * now draws in a child process, picture_proc.c). */
Test(memlimit, a_run_under_ulimit_v_never_dies_of_a_signal, .timeout = 900)
{
    if (getenv("TOWNCOV_SANITIZED")) {
        fprintf(stderr, "memlimit: skipped: a sanitised build reserves terabytes of address "
                        "space, so ulimit -v stops it before main\n");
        cr_skip_test("sanitised build");
    }
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
