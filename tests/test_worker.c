/* The per-thread worker factory: contexts and clones per worker, the
 * lowest failing item reported whatever the thread order, scratch freed. */
#include <criterion/criterion.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/worker.h"

static int freed;
static void count_free(void *p)
{
    free(p);
    freed++;
}

Test(worker, each_worker_has_its_own_contexts_and_clones)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *pj = proj_create_crs_to_crs(ctx, "EPSG:4326", "+proj=laea +lat_0=28 +lon_0=116 "
                                    "+ellps=WGS84 +type=crs", NULL);
    cr_assert_not_null(pj);
    PJ *norm = proj_normalize_for_visualization(ctx, pj);
    struct tc_error err;
    struct tc_workers *ws = tc_workers_new(4, &norm, 1, &err);
    cr_assert_not_null(ws, "%s", err.msg);
    cr_assert_eq(ws->n, 4);
    double x[4];
    #pragma omp parallel for num_threads(4)
    for (int i = 0; i < 4; i++) {
        struct tc_worker *w = &ws->w[omp_get_thread_num()];
        PJ_COORD c = proj_trans(w->pj[0], PJ_FWD, proj_coord(116.5, 28, 0, 0));
        x[i] = c.xy.x;
    }
    for (int i = 0; i < 4; i++) {
        cr_assert(x[i] > 49000 && x[i] < 50000, "%g", x[i]);
        cr_assert_eq(x[i], x[0]);
        cr_assert_not_null(ws->w[i].geos);
        for (int j = 0; j < i; j++) {
            cr_assert_neq(ws->w[i].geos, ws->w[j].geos);
            cr_assert_neq(ws->w[i].pj[0], ws->w[j].pj[0]);
        }
    }
    freed = 0;
    for (int i = 0; i < 4; i++) {
        ws->w[i].scratch = malloc(16);
        ws->w[i].scratch_free = count_free;
    }
    tc_workers_free(&ws);
    cr_assert_null(ws);
    cr_assert_eq(freed, 4);
    proj_destroy(norm);
    proj_destroy(pj);
    proj_context_destroy(ctx);
}

Test(worker, the_lowest_failing_item_is_reported_whatever_the_threads)
{
    struct tc_error err;
    for (int threads = 1; threads <= 4; threads++) {
        struct tc_workers *ws = tc_workers_new(threads, NULL, 0, &err);
        cr_assert_not_null(ws, "%s", err.msg);
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (long i = 999; i >= 0; i--)
            if (i % 97 == 13) /* 13, 110, 207, ... fail */
                tc_worker_failf(&ws->w[omp_get_thread_num()], i, TC_EXIT_MAP, "item %ld", i);
        cr_assert_eq(tc_workers_failure(ws, &err), -1);
        cr_assert_str_eq(err.msg, "item 13");
        cr_assert_eq(err.exit_code, TC_EXIT_MAP);
        tc_workers_free(&ws);
    }
    struct tc_workers *ws = tc_workers_new(2, NULL, 0, &err);
    cr_assert_eq(tc_workers_failure(ws, &err), 0, "no failure, none reported");
    tc_workers_free(&ws);
}

Test(worker, geos_errors_land_in_the_worker)
{
    struct tc_error err;
    struct tc_workers *ws = tc_workers_new(1, NULL, 0, &err);
    GEOSWKTReader *r = GEOSWKTReader_create_r(ws->w[0].geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ws->w[0].geos, r, "POLYGON((0 0, 1");
    cr_assert_null(g);
    cr_assert(strlen(ws->w[0].geos_msg) > 0, "GEOS said nothing");
    GEOSWKTReader_destroy_r(ws->w[0].geos, r);
    tc_workers_free(&ws);
}
