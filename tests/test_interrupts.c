/* SIGINT stops the two library loops towncov does not run itself, through
 * the libraries' own callbacks: GLPK's branch and bound (the plan's MIP,
 * sim/plan/mip.c: its callback terminates the search) and GDAL's COG copy
 * of a raster (sim/raster/gtiff.c: its progress callback says stop). A
 * real SIGINT, raised in this process with towncov's own handler
 * installed, arrives before the library call; without the callback the
 * call runs to its end (an optimal MIP; a whole COG) and these fail. The
 * whole command's stop (exit 130, earlier outputs intact) is
 * run/signal_stops_cleanly_and_keeps_earlier_outputs and
 * raster/an_interrupt_during_the_strips_leaves_no_folder. */
#include <criterion/criterion.h>
#include <gdal.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/coverage.h"
#include "towncov/worker.h"

#include "../sim/plan/plan_internal.h"
#include "../sim/raster/raster_internal.h"

static void interrupt_now(void)
{
    tc_interrupt_reset();
    tc_signals_install();
    cr_assert_eq(raise(SIGINT), 0);
    cr_assert(tc_interrupted(), "towncov's handler did not see SIGINT");
}

/* 14 points in two rows of 7, every one needed; candidates 0 and 1 cover
 * a row each (the optimum, two), 2, 3 and 4 cover 4 + 4, 2 + 2 and 1 + 1
 * points (the greedy's three): as tests/test_plan_mip.c's trap. */
static void trap(struct plan *p)
{
    struct tc_error err;
    memset(p, 0, sizeof *p);
    p->nf = 1;
    p->n_cand = 5;
    p->fixable = calloc(1, 1);
    p->fixable[0] = 1;
    p->atoms = calloc(1, sizeof *p->atoms);
    p->ws = cov_workers_new(1, 0, &err);
    cr_assert_not_null(p->ws);
    struct plan_atoms *a = &p->atoms[0];
    a->n = 14;
    a->off = calloc(15, sizeof *a->off);
    a->cand = calloc(28, sizeof *a->cand);
    a->w = calloc(14, sizeof *a->w);
    for (int q = 0; q < 14; q++) {
        int row = q / 7, k = q % 7;
        a->off[q + 1] = 2 * (q + 1);
        a->cand[2 * q] = row;
        a->cand[2 * q + 1] = k < 4 ? 2 : k < 6 ? 3 : 4;
        a->w[q] = 1;
    }
    a->points = 14;
    a->req = 14;
}

Test(interrupts, sigint_stops_the_plans_mip_through_glpks_callback)
{
    struct plan p;
    struct tc_error err = {0};
    trap(&p);
    /* Uninterrupted, GLPK proves the two optimal (test_plan_mip.c). */
    interrupt_now();
    int rc = plan_mip_solve(&p, 30.0, 0, &err);
    tc_interrupt_reset();
    cr_assert_eq(rc, 0, "%s", err.msg);
    const struct plan_comp *c = &p.mip.c[0];
    cr_assert_neq(c->status, COMP_OPTIMAL, "the MIP ran to its optimum after SIGINT");
    cr_assert_eq(c->status, COMP_WORK_LIMIT, "status %d: not stopped by the callback",
                 c->status);
    plan_mip_free(&p);
    free(p.fixable);
    tc_workers_free(&p.ws);
}

Test(interrupts, sigint_stops_the_cog_copy_through_gdals_progress, .timeout = 120)
{
    GDALAllRegister();
    char dir[256], path[512];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/rsrp.tif", dir);
    struct raster_grid g = {.x0 = 0, .y1 = 512 * 100.0, .res = 100, .width = 512, .height = 512,
                            .levels = 1};
    struct raster_config cfg = {.resolution_m = 100, .cog = 1, .deflate_level = 6};
    struct tc_error err = {0};
    struct rtif *t = rtif_create(path, RASTER_RSRP, &g, fx_laea, &cfg, 1, &err);
    cr_assert_not_null(t, "%s", err.msg);
    float *rows = malloc(sizeof *rows * 512 * 512);
    cr_assert_not_null(rows);
    for (int k = 0; k < 512 * 512; k++)
        rows[k] = -80.0f - (float)(k % 40);
    for (int r0 = 0; r0 < 512; r0 += RTIF_TILE) /* a strip of tiles at a time */
        cr_assert_eq(rtif_write(t, r0, RTIF_TILE, rows + (size_t)r0 * 512, &err), 0, "%s",
                     err.msg);
    free(rows);
    interrupt_now();
    int rc = rtif_finish(&t, 1, &err);
    tc_interrupt_reset();
    cr_assert_eq(rc, -1, "the COG copy ran to its end after SIGINT");
    cr_assert_eq(err.exit_code, TC_EXIT_INTERRUPTED, "exit %d: %s", err.exit_code, err.msg);
    char part[600];
    snprintf(part, sizeof part, "%s.part", path);
    cr_assert_neq(access(part, F_OK), 0, "the part file was left");
}
