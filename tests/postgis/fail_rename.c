/* fail_rename.c — LD_PRELOAD'ed by tests/postgis/roundtrip.sh: the rename
 * that moves a command's staging folder ("DIR.tmp-XXXXXX") into place,
 * as TOWNCOV_TEST_RENAME says:
 *   fail       it fails (EACCES, as a folder the user may not write would);
 *   interrupt  it succeeds, then SIGINT comes (as a Ctrl-C just then).
 * Every other rename is left alone. Built by the script:
 *   cc -shared -fPIC -o fail_rename.so fail_rename.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_staging(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strstr(slash ? slash + 1 : path, ".tmp-") != NULL;
}

int rename(const char *from, const char *to)
{
    int (*next)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    const char *mode = getenv("TOWNCOV_TEST_RENAME");
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    if (!mode || !is_staging(from) || is_staging(to))
        return next(from, to);
    if (strcmp(mode, "fail") == 0) {
        errno = EACCES;
        return -1;
    }
    int rc = next(from, to);
    if (rc == 0 && strcmp(mode, "interrupt") == 0)
        raise(SIGINT);
    return rc;
}
