/* libmsg.c — GDAL's and PROJ's messages routed through towncov's (see
 * libmsg.h). */
#include "towncov/libmsg.h"

#include <cpl_error.h>
#include <proj.h>
#include <stdio.h>

/* PROJ's last error message on this thread. */
static _Thread_local char proj_last[512];

/* GDAL: a failure is recorded by GDAL itself (CPLGetLastErrorMsg, per
 * thread), and the caller's error names the file and quotes it; a warning
 * is a towncov warning; debug output is dropped. One fprintf per line:
 * stdio locks the stream, so threads' lines do not mix. */
static void CPL_STDCALL on_gdal(CPLErr level, CPLErrorNum num, const char *msg)
{
    (void)num;
    if (level == CE_Warning)
        fprintf(stderr, "towncov: warning: GDAL: %s\n", msg);
}

/* PROJ: errors kept for the caller's message, the rest dropped. */
static void on_proj(void *data, int level, const char *msg)
{
    (void)data;
    if (level == PJ_LOG_ERROR)
        snprintf(proj_last, sizeof proj_last, "%s", msg);
}

/* The setters come as addresses (lazyload.c resolves them when it loads
 * the library): a call by name would go through the loader again. */
void tc_libmsg_install_gdal(void *set_handler)
{
    ((__typeof__(&CPLSetErrorHandler))set_handler)(on_gdal);
}

void tc_libmsg_install_proj(void *log_func)
{
    ((__typeof__(&proj_log_func))log_func)(PJ_DEFAULT_CTX, NULL, on_proj);
}

const char *tc_libmsg_proj_last(void)
{
    return proj_last;
}
