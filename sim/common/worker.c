/* worker.c — the per-thread worker factory (see worker.h). */
#include "towncov/worker.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GEOS reports through a handler with user data: the worker's own buffer. */
static void on_geos_error(const char *message, void *userdata)
{
    struct tc_worker *w = userdata;
    snprintf(w->geos_msg, sizeof w->geos_msg, "%s", message);
}

static int worker_init(struct tc_worker *w, int index, PJ *const *pj, int npj)
{
    w->index = index;
    w->failed_item = -1;
    w->geos = GEOS_init_r();
    if (!w->geos)
        return -1;
    GEOSContext_setErrorMessageHandler_r(w->geos, on_geos_error, w);
    if (npj == 0)
        return 0;
    w->pj_ctx = proj_context_create();
    if (!w->pj_ctx)
        return -1;
    proj_log_level(w->pj_ctx, PJ_LOG_NONE);
    for (int k = 0; k < npj; k++)
        if (!(w->pj[k] = proj_clone(w->pj_ctx, pj[k])))
            return -1;
    return 0;
}

struct tc_workers *tc_workers_new(int n, PJ *const *pj, int npj, struct tc_error *err)
{
    if (n < 1)
        n = 1;
    if (npj < 0 || npj > TC_WORKER_MAX_PJ) {
        tc_fail(err, TC_EXIT_INTERNAL, "workers: %d transformations asked, at most %d", npj,
                TC_WORKER_MAX_PJ);
        return NULL;
    }
    struct tc_workers *ws = calloc(1, sizeof *ws);
    if (ws)
        ws->w = calloc((size_t)n, sizeof *ws->w);
    if (!ws || !ws->w) {
        free(ws);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %d workers", n);
        return NULL;
    }
    ws->n = n;
    /* Serially: GEOS and PROJ contexts are created one at a time. */
    for (int i = 0; i < n; i++)
        if (worker_init(&ws->w[i], i, pj, npj) != 0) {
            tc_workers_free(&ws);
            tc_fail(err, TC_EXIT_INTERNAL, "cannot set up GEOS/PROJ for %d threads", n);
            return NULL;
        }
    return ws;
}

void tc_workers_free(struct tc_workers **pws)
{
    struct tc_workers *ws = *pws;
    if (!ws)
        return;
    for (int i = 0; i < ws->n; i++) {
        struct tc_worker *w = &ws->w[i];
        if (w->scratch && w->scratch_free)
            w->scratch_free(w->scratch);
        for (int k = 0; k < TC_WORKER_MAX_PJ; k++)
            proj_destroy(w->pj[k]); /* PJs before their context */
        if (w->pj_ctx)
            proj_context_destroy(w->pj_ctx);
        if (w->geos)
            GEOS_finish_r(w->geos);
    }
    free(ws->w);
    free(ws);
    *pws = NULL;
}

void tc_worker_fail(struct tc_worker *w, long item, const struct tc_error *err)
{
    if (w->failed_item >= 0 && w->failed_item <= item)
        return;
    w->failed_item = item;
    w->err = *err;
}

void tc_worker_failf(struct tc_worker *w, long item, int exit_code, const char *fmt, ...)
{
    if (w->failed_item >= 0 && w->failed_item <= item)
        return;
    w->failed_item = item;
    w->err.exit_code = exit_code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err.msg, sizeof w->err.msg, fmt, ap);
    va_end(ap);
}

int tc_workers_failure(const struct tc_workers *ws, struct tc_error *err)
{
    const struct tc_worker *first = NULL;
    for (int i = 0; i < ws->n; i++) {
        const struct tc_worker *w = &ws->w[i];
        if (w->failed_item >= 0 && (!first || w->failed_item < first->failed_item))
            first = w;
    }
    if (!first)
        return 0;
    *err = first->err;
    return -1;
}

int tc_worker_geos_status(const struct tc_worker *w)
{
    const char *m = w->geos_msg;
    return !m[0] || strstr(m, "alloc") || strstr(m, "memory") ? TC_EXIT_RESOURCE
                                                               : TC_EXIT_INTERNAL;
}
