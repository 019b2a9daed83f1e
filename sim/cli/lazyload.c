/* lazyload.c — what the generated shims call (see lazyload.h): loading a
 * library, its symbols, and its set-up once loaded. */
#include "towncov/lazyload.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/libmsg.h"
#include "towncov/output.h"
#include "towncov/raster.h"
#include "towncov/scenario.h"

/* A library towncov cannot load cannot be worked around by the caller (it
 * is in the middle of a call into it): one line, and the documented exit.
 * The failure is noted here and reported by tc_lazy_die once the shim's
 * pthread_once has returned: exiting inside a once routine would leave it
 * running forever (and ThreadSanitizer says so). Noted per thread: only
 * the thread that ran the routine has the reason. */
static _Thread_local char lazy_why[512];

static void note_failure(const char *soname, const char *what, const char *why)
{
    if (!lazy_why[0])
        snprintf(lazy_why, sizeof lazy_why, "cannot load %s, which %s needs: %s", soname, what,
                 why ? why : "unknown reason");
}

int tc_lazy_failed(void)
{
    return lazy_why[0] != 0;
}

void tc_lazy_die(const char *soname, const char *what)
{
    if (lazy_why[0])
        fprintf(stderr, "towncov: error: %s\n", lazy_why);
    else
        fprintf(stderr, "towncov: error: cannot load %s, which %s needs\n", soname, what);
    exit(TC_EXIT_INTERNAL);
}

void *tc_lazy_open(const char *soname, const char *what)
{
    void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!h)
        note_failure(soname, what, dlerror());
    return h;
}

void *tc_lazy_symbol(void *h, const char *soname, const char *name)
{
    if (!h)
        return NULL;
    dlerror();
    void *f = dlsym(h, name);
    if (!f) {
        char why[256];
        snprintf(why, sizeof why, "it has no %s (another version?)", name);
        note_failure(soname, "towncov", why);
    }
    return f;
}

void tc_lazy_loaded(const char *id, const char *soname, void *h)
{
    if (strcmp(id, "proj") == 0) {
        void *log_func = tc_lazy_symbol(h, soname, "proj_log_func");
        if (log_func)
            tc_libmsg_install_proj(log_func);
    } else if (strcmp(id, "gdal") == 0) {
        if (tc_lazy_need_proj) /* GDAL makes PROJ contexts: PROJ's logger first */
            tc_lazy_need_proj();
        void *handler = tc_lazy_symbol(h, soname, "CPLSetErrorHandler");
        void (*all_register)(void) = (void (*)(void))tc_lazy_symbol(h, soname,
                                                                    "GDALAllRegister");
        void (*cache_max)(long long) = (void (*)(long long))tc_lazy_symbol(h, soname,
                                                                           "GDALSetCacheMax64");
        if (!handler || !all_register || !cache_max)
            return;
        tc_libmsg_install_gdal(handler);
        all_register();
        cache_max(RASTER_GDAL_CACHE); /* a small block cache: see raster.h */
    }
}

/* Loads, before any work, the libraries the scenario's outputs will use:
 * the process then maps them where it did when they were linked, before
 * the first thread and the first large allocation, so that a run short of
 * memory (ulimit -v) fails where it used to, with towncov's own error, not
 * in a thread creation inside libgomp; and a library that cannot be loaded
 * stops the run before its output folder is begun. A hint only: what it
 * does not foresee (an OGR source, a DEM) is loaded on first use. */
void cli_preload(const struct scenario *scn)
{
    int rasters = scn->raster.resolution_m > 0 && scn->radio.model == RADIO_LINK &&
                  scn->raster.layers[0];
    int gpkg = scn->output.layers && scn->output.format != OUTPUT_SHAPEFILE;
    if (tc_lazy_need_proj)
        tc_lazy_need_proj();
    if (tc_lazy_need_gdal && (rasters || gpkg || scn->output.postgis[0]))
        tc_lazy_need_gdal();
    if (tc_lazy_need_cairo && scn->output.picture)
        tc_lazy_need_cairo();
    if (tc_lazy_need_pq && scn->output.postgis[0])
        tc_lazy_need_pq();
}
