/* worker.h — the one per-thread worker factory every parallel stage uses.
 *
 * A worker holds what one OpenMP thread needs of the libraries that are not
 * thread-safe on shared handles: its own GEOS context (with an error
 * handler writing into the worker), its own PROJ context with its own clone
 * of each transformation the stage asked for, a stage-owned scratch
 * pointer, and an error slot. Workers are built serially before the
 * parallel region (GEOS and PROJ want their contexts created one at a
 * time) and freed after it.
 *
 * Errors without critical sections: inside the loop a thread records a
 * failure of item i in its own slot, keeping the lowest i it saw; after the
 * loop tc_workers_failure() reports the lowest failing item over all
 * threads, so the message does not depend on the number of threads or on
 * their timing. */
#ifndef TOWNCOV_WORKER_H
#define TOWNCOV_WORKER_H

#include <geos_c.h>
#include <proj.h>

#include "towncov/common.h"

#define TC_WORKER_MAX_PJ 4

struct tc_worker {
    int index;                      /* 0..n-1: omp_get_thread_num() */
    GEOSContextHandle_t geos;       /* this thread's own context */
    char geos_msg[512];             /* GEOS's last error message, "" if none */
    PJ_CONTEXT *pj_ctx;             /* NULL when the stage asked for no PJ */
    PJ *pj[TC_WORKER_MAX_PJ];       /* clones of the stage's transformations */
    void *scratch;                  /* the stage's; freed by scratch_free */
    void (*scratch_free)(void *scratch);
    long failed_item;               /* lowest failing item, -1 when none */
    struct tc_error err;            /* its message */
};

struct tc_workers {
    int n;
    struct tc_worker *w;
};

/* n workers (n < 1 counts as 1), each with its own clone of the npj
 * transformations in pj (borrowed: only cloned, never kept; npj <=
 * TC_WORKER_MAX_PJ; pj may be NULL when npj is 0). Returns a set the caller
 * frees with tc_workers_free, or NULL with err set. */
struct tc_workers *tc_workers_new(int n, PJ *const *pj, int npj, struct tc_error *err);

/* Frees every worker's scratch (through its scratch_free), PJs, PROJ
 * context and GEOS context, in that order, and the set; *ws becomes NULL. */
void tc_workers_free(struct tc_workers **ws);

/* Records that item failed with err in w's slot, unless w already holds a
 * lower failing item. Safe to call from w's own thread only. */
void tc_worker_fail(struct tc_worker *w, long item, const struct tc_error *err);

/* Like tc_worker_fail, with a printf-style message and exit code. */
void tc_worker_failf(struct tc_worker *w, long item, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The exit status for a GEOS call of w's that failed (returned NULL or
 * 0): TC_EXIT_RESOURCE when GEOS ran out of memory (its message says
 * std::bad_alloc) or gave no message (the failure was an allocation of
 * towncov's own), else TC_EXIT_INTERNAL. */
int tc_worker_geos_status(const struct tc_worker *w);

/* After the loop: 0 when no worker failed, else -1 with err set to the
 * failure of the lowest item over all workers. */
int tc_workers_failure(const struct tc_workers *ws, struct tc_error *err);

#endif
