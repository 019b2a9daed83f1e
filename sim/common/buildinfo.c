/* buildinfo.c — the facts make wrote into buildinfo.h (see buildinfo.h). */
#include "towncov/buildinfo.h"

#include "buildinfo.h" /* generated in the build folder by make */

static const struct tc_build build = {TOWNCOV_VERSION, TOWNCOV_GIT_REV, TOWNCOV_COMPILER,
                                      TOWNCOV_CFLAGS, TOWNCOV_LIBS, TOWNCOV_DATADIR};

const struct tc_build *tc_build_info(void)
{
    return &build;
}

void tc_build_print(FILE *out)
{
    fprintf(out, "towncov %s (git %s)\ncompiler: %s\nflags: %s\nlibraries: %s\n", build.version,
            build.git_rev, build.compiler, build.cflags, build.libs);
}
