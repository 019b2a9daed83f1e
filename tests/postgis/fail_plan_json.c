/* fail_plan_json.c — LD_PRELOAD'ed by tests/postgis/roundtrip.sh: opening
 * any ".../plan.json" for writing fails (ENOSPC, as a full disk would), so
 * that a plan fails after its check run wrote the PostGIS tables and
 * before it is finished. Nothing else is changed. Built by the script:
 *   cc -shared -fPIC -o fail_plan_json.so fail_plan_json.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int is_plan_json(const char *path, const char *mode)
{
    const char *slash = strrchr(path, '/');
    return mode[0] == 'w' && strcmp(slash ? slash + 1 : path, "plan.json") == 0;
}

static FILE *open_next(const char *name, const char *path, const char *mode)
{
    FILE *(*next)(const char *, const char *) =
        (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, name);
    return next ? next(path, mode) : NULL;
}

FILE *fopen(const char *path, const char *mode)
{
    if (is_plan_json(path, mode)) {
        errno = ENOSPC;
        return NULL;
    }
    return open_next("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    if (is_plan_json(path, mode)) {
        errno = ENOSPC;
        return NULL;
    }
    return open_next("fopen64", path, mode);
}
