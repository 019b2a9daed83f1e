/* buildinfo.h — what built this binary: version, git revision, compiler,
 * flags and library versions, as CoMD records beside every result. Printed
 * by `towncov --version` and written into summary.json. */
#ifndef TOWNCOV_BUILDINFO_H
#define TOWNCOV_BUILDINFO_H

#include <stdio.h>

struct tc_build {
    const char *version;  /* towncov's release */
    const char *git_rev;  /* short revision, "+changes" when the tree was dirty */
    const char *compiler; /* the compiler's first --version line */
    const char *cflags;   /* optimisation and sanitiser flags */
    const char *libs;     /* "shapelib 1.5.0 geos 3.11.1 ..." (pkg-config) */
    const char *datadir;  /* where make install puts the maps and scenarios */
};

/* The build's facts; static storage, never freed. */
const struct tc_build *tc_build_info(void);

/* `towncov --version`: the facts, one per line. */
void tc_build_print(FILE *out);

#endif
