/* The coverage driver (sim/coverage/coverage.c): the engines agree on a
 * small map through cov_compute, and a township GEOS cannot overlay fails
 * the stage with the lowest failing township named, whatever the threads
 * and the order they took the townships in (the worker factory's failure
 * slots, no critical section). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/sites.h"

#define NT 8
#define HALF 4000.0 /* each footprint: a square of side 8 km about its station */

/* NT townships 10 km square in a row, 20 km apart, each with one footprint
 * at its centre; townships listed in `bad` are bowties (self-intersecting:
 * invalid, as the map loader never leaves them), which GEOS's overlay
 * refuses and whose zero area the exact engine declines. */
struct world {
    GEOSContextHandle_t ctx;
    struct township t[NT];
    char code[NT][16], name[NT][24];
    struct tc_map map;
    struct tc_sites sites;
    struct tc_footprints fp;
    double cx[NT], cy[NT], xmin[NT], ymin[NT], xmax[NT], ymax[NT];
    int shape[NT];
    long shape_off[2];
    double sxy[8];
};

static void world_open(struct world *w, const int *bad, int nbad)
{
    memset(w, 0, sizeof *w);
    w->ctx = GEOS_init_r();
    GEOSWKTReader *rd = GEOSWKTReader_create_r(w->ctx);
    for (int i = 0; i < NT; i++) {
        double x0 = 20000.0 * i;
        int is_bad = 0;
        for (int k = 0; k < nbad; k++)
            is_bad |= bad[k] == i;
        char wkt[256];
        if (is_bad)
            snprintf(wkt, sizeof wkt, "POLYGON((%g 0,%g 10000,%g 0,%g 10000,%g 0))", x0,
                     x0 + 10000, x0 + 10000, x0, x0);
        else
            snprintf(wkt, sizeof wkt, "POLYGON((%g 0,%g 0,%g 10000,%g 10000,%g 0))", x0,
                     x0 + 10000, x0 + 10000, x0, x0);
        struct township *t = &w->t[i];
        t->geom = GEOSWKTReader_read_r(w->ctx, rd, wkt);
        cr_assert_not_null(t->geom);
        GEOSArea_r(w->ctx, t->geom, &t->area_m2);
        GEOSGeom_getXMin_r(w->ctx, t->geom, &t->xmin);
        GEOSGeom_getYMin_r(w->ctx, t->geom, &t->ymin);
        GEOSGeom_getXMax_r(w->ctx, t->geom, &t->xmax);
        GEOSGeom_getYMax_r(w->ctx, t->geom, &t->ymax);
        t->seat_x = x0 + 5000;
        t->seat_y = 5000;
        snprintf(w->code[i], sizeof w->code[i], "T%d", i);
        snprintf(w->name[i], sizeof w->name[i], "town %d", i);
        t->code = w->code[i];
        t->name = w->name[i];
        w->cx[i] = x0 + 5000;
        w->cy[i] = 5000;
        w->xmin[i] = w->cx[i] - HALF;
        w->ymin[i] = w->cy[i] - HALF;
        w->xmax[i] = w->cx[i] + HALF;
        w->ymax[i] = w->cy[i] + HALF;
    }
    GEOSWKTReader_destroy_r(w->ctx, rd);
    const double square[8] = {-HALF, -HALF, HALF, -HALF, HALF, HALF, -HALF, HALF};
    memcpy(w->sxy, square, sizeof square);
    w->shape_off[1] = 4;
    w->fp = (struct tc_footprints){.n = NT, .cx = w->cx, .cy = w->cy, .shape = w->shape,
                                   .nshape = 1, .shape_off = w->shape_off, .sxy = w->sxy,
                                   .xmin = w->xmin, .ymin = w->ymin, .xmax = w->xmax,
                                   .ymax = w->ymax};
    w->map = (struct tc_map){.n = NT, .t = w->t, .xmin = 0, .ymin = 0,
                             .xmax = 20000.0 * (NT - 1) + 10000, .ymax = 10000};
}

static void world_close(struct world *w)
{
    for (int i = 0; i < NT; i++)
        GEOSGeom_destroy_r(w->ctx, w->t[i].geom);
    GEOS_finish_r(w->ctx);
}

Test(coverage, engines_agree_through_the_driver)
{
    struct world w;
    world_open(&w, NULL, 0);
    for (int engine = 0; engine < COV_ENGINE_COUNT; engine++)
        for (int threads = 1; threads <= 3; threads++) {
            struct cov_config cfg = {.engine = engine};
            struct cov_result r[NT];
            struct tc_error err = {0};
            cr_assert_eq(cov_compute(&cfg, &w.map, &w.sites, &w.fp, NULL, threads, r, NULL, &err), 0,
                         "%s: %s", cov_engine_name(engine), err.msg);
            for (int i = 0; i < NT; i++) {
                cr_assert_float_eq(r[i].covered_m2, 4 * HALF * HALF, 1e-6, "%s, township %d",
                                   cov_engine_name(engine), i);
                cr_assert_float_eq(r[i].covered_frac, 0.64, 1e-12);
                cr_assert_eq(r[i].seat_covered, 1);
                cr_assert_eq(r[i].footprints, 1);
                cr_assert_eq(r[i].by_geos, 0);
            }
        }
    world_close(&w);
}

Test(coverage, the_lowest_failing_township_is_reported_whatever_the_threads)
{
    const int bad[] = {6, 2, 5};
    struct world w;
    world_open(&w, bad, 3);
    for (int engine = 0; engine < COV_ENGINE_COUNT; engine++)
        for (int threads = 1; threads <= 4; threads++) {
            struct cov_config cfg = {.engine = engine};
            struct cov_result r[NT];
            struct cov_parts *parts = NULL;
            struct tc_error err = {0};
            cr_assert_eq(cov_compute(&cfg, &w.map, &w.sites, &w.fp, NULL, threads, r, &parts, &err),
                         -1, "%s: the bowties must fail", cov_engine_name(engine));
            cr_assert_null(parts, "no covered parts after a failure");
            cr_assert_eq(err.exit_code, TC_EXIT_INTERNAL);
            cr_assert_str_eq(err.msg, "GEOS failed on township T2 (town 2)", "%s, %d threads: %s",
                             cov_engine_name(engine), threads, err.msg);
            /* The loop went on past the failures: the others are done. */
            for (int i = 0; i < NT; i++)
                if (i != 2 && i != 5 && i != 6)
                    cr_assert_float_eq(r[i].covered_m2, 4 * HALF * HALF, 1e-6);
        }
    world_close(&w);
}

/* The [coverage] engine key's choices are the engine table's names, in
 * enum cov_engine_id order (the key's value indexes the table). */
Test(coverage, engine_key_names_the_engine_table)
{
    const char *const *choices = cov_keys[0].choices;
    for (int e = 0; e < COV_ENGINE_COUNT; e++)
        cr_assert_str_eq(choices[e], cov_engine_name(e), "engine %d", e);
    cr_assert_null(choices[COV_ENGINE_COUNT]);
}
