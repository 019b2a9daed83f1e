/* map.png is drawn in a child process (sim/export/picture_proc.c): cairo
 * 1.16 dies (SIGABRT) when an allocation fails inside its scan converter,
 * which nothing towncov checks can prevent. A child that dies drawing is
 * a run's error, exit 6 naming map.png, with no partial picture left; the
 * process that asked for the picture goes on. Here the child dies for sure:
 * it is handed a run without a map (under UBSan its report of that null
 * access, from the child, is expected in the log). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/picture.h"
#include "towncov/run_outcome.h"

Test(picture_proc, a_picture_whose_drawing_dies_is_exit_6_naming_map_png_and_no_file)
{
    char dir[256], path[512];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/map.png", dir);
    fx_write_text(path, "a partial picture, as a dying writer leaves one");
    struct run_outcome run;
    memset(&run, 0, sizeof run); /* no map: the child dies reading it */
    struct picture_job *job = NULL;
    struct tc_error err = {0};
    cr_assert_eq(picture_start(path, &run, &job, &err), 0, "%s", err.msg);
    cr_assert_not_null(job);
    cr_assert_eq(picture_finish(&job, &err), -1, "the drawing did not fail");
    cr_assert_null(job);
    cr_assert(strncmp(err.msg, "map.png: ", 9) == 0, "map.png not named: %s", err.msg);
    /* A sanitised child reports its SIGSEGV and exits 1 instead of dying. */
    if (!getenv("TOWNCOV_SANITIZED")) {
        cr_assert_eq(err.exit_code, TC_EXIT_RESOURCE, "exit %d: %s", err.exit_code, err.msg);
        cr_assert(strstr(err.msg, "cairo died drawing it"), "%s", err.msg);
    }
    cr_assert_neq(access(path, F_OK), 0, "a partial map.png was left");
}
