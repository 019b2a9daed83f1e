/* Footprints (sim/footprint/): shapes are stored once and placed at each
 * station; what a reader sees must be exactly what the radio model drew
 * there, whatever the number of threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

#define NSITES 5000

/* Two townships (only their kinds matter here) and NSITES stations on a
 * grid; every 7th station has its own azimuths, so its shape is its own. */
struct world {
    struct scenario scn;
    struct radio_model *model; /* of scn.radio */
    struct township t[2];
    struct tc_map map;
    struct tc_sites sites;
    double x[NSITES], y[NSITES];
    int township[NSITES];
    struct radio_site radio[NSITES];
};

static struct world *world_new(int model)
{
    struct world *w = calloc(1, sizeof *w);
    cr_assert_not_null(w);
    scenario_defaults(&w->scn);
    w->scn.radio.model = model;
    struct tc_error err = {0};
    w->model = radio_model_new(&w->scn.radio, &err);
    cr_assert_not_null(w->model, "%s", err.msg);
    w->t[0].kind = KIND_TOWN;
    w->t[1].kind = KIND_TOWNSHIP;
    w->map = (struct tc_map){.n = 2, .t = w->t};
    for (long i = 0; i < NSITES; i++) {
        w->x[i] = 123456.789 + 317.25 * (double)(i % 71);
        w->y[i] = -98765.4321 + 291.5 * (double)(i / 71);
        w->township[i] = i % 3 == 2 ? -1 : (int)(i % 2); /* some outside: special kind */
        w->radio[i] = (struct radio_site){NAN, NAN, NAN, 0, {0}};
        if (i % 7 == 0) {
            w->radio[i].n_azimuths = 2;
            w->radio[i].azimuth_deg[0] = (double)(i % 360);
            w->radio[i].azimuth_deg[1] = (double)((i * 7 + 120) % 360);
        }
    }
    w->sites = (struct tc_sites){.n = NSITES, .x = w->x, .y = w->y, .township = w->township,
                                 .radio = w->radio};
    return w;
}

static void world_free(struct world *w)
{
    radio_model_free(&w->model);
    free(w);
}

static enum tc_kind kind_of(const struct world *w, long i)
{
    return w->township[i] < 0 ? KIND_SPECIAL : w->t[w->township[i]].kind;
}

/* Every footprint equals the radio model's shape moved to its station, to
 * the last bit, with the envelope of exactly those vertices. */
static void expect_as_drawn(const struct world *w, const struct tc_footprints *fp)
{
    int maxv = radio_footprint_max_vertices(radio_model_config(w->model));
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv);
    cr_assert_eq(fp->n, NSITES);
    for (long i = 0; i < fp->n; i++) {
        struct radio_range_info info;
        const struct radio_site *rs = w->sites.radio ? &w->radio[i] : NULL;
        int n = radio_footprint(w->model, kind_of(w, i), rs, xy, maxv, &info);
        cr_assert_eq(footprint_size(fp, i), n, "footprint %ld", i);
        double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (int k = 0; k < n; k++) {
            double x, y, ex = xy[2 * k] + w->x[i], ey = xy[2 * k + 1] + w->y[i];
            footprint_vertex(fp, i, k, &x, &y);
            cr_assert(x == ex && y == ey, "footprint %ld vertex %d", i, k);
            x0 = fmin(x0, x), y0 = fmin(y0, y), x1 = fmax(x1, x), y1 = fmax(y1, y);
        }
        cr_assert(fp->xmin[i] == x0 && fp->ymin[i] == y0 && fp->xmax[i] == x1 &&
                  fp->ymax[i] == y1, "envelope of footprint %ld", i);
        const struct radio_range_info *got = footprint_info(fp, i);
        cr_assert(got->min_range_m == info.min_range_m && got->max_range_m == info.max_range_m);
        cr_assert_str_eq(got->band, info.band);
        cr_assert_eq(got->warnings, info.warnings);
    }
    free(xy);
}

Test(footprint, link_model_shapes_are_shared_and_exact)
{
    struct world *w = world_new(RADIO_LINK);
    struct tc_error err = {0};
    struct tc_footprints *fp = footprints_build(w->model, &w->map, &w->sites, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    expect_as_drawn(w, fp);
    /* Stations with default settings share their kind's shape (three kinds
     * here); each with azimuths of its own may have its own shape. */
    long custom = (NSITES + 6) / 7;
    cr_assert(fp->nshape >= 3 && fp->nshape <= 3 + custom, "%ld shapes", fp->nshape);
    cr_assert(fp->nshape > 3, "custom azimuths must give shapes of their own");
    footprints_free(&fp);
    cr_assert_null(fp);
    world_free(w);
}

Test(footprint, placed_stations_share_their_kinds_shape)
{
    struct world *w = world_new(RADIO_LINK);
    w->sites.radio = NULL; /* placed by a strategy: no settings of their own */
    struct tc_error err = {0};
    struct tc_footprints *fp = footprints_build(w->model, &w->map, &w->sites, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    expect_as_drawn(w, fp);
    /* Three kinds in use; kinds whose settings are equal share a shape. */
    cr_assert(fp->nshape >= 1 && fp->nshape <= 3, "%ld shapes", fp->nshape);
    for (long i = 3; i < NSITES; i++)
        cr_assert_eq(fp->shape[i], fp->shape[i % 3 == 2 ? 2 : i % 2], "station %ld", i);
    cr_assert_eq(fp->shape[0], 0, "shapes are numbered in order of first use");
    footprints_free(&fp);
    world_free(w);
}

Test(footprint, disc_model_has_one_shape_per_kind)
{
    struct world *w = world_new(RADIO_DISC);
    struct tc_error err = {0};
    struct tc_footprints *fp = footprints_build(w->model, &w->map, &w->sites, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    expect_as_drawn(w, fp);
    cr_assert_eq(fp->nshape, 3, "town, township and special radii: %ld shapes", fp->nshape);
    footprints_free(&fp);
    world_free(w);
}

Test(footprint, same_shapes_and_places_for_one_and_two_threads)
{
    struct world *w = world_new(RADIO_LINK);
    struct tc_error err = {0};
    struct tc_footprints *a = footprints_build(w->model, &w->map, &w->sites, 1, &err);
    struct tc_footprints *b = footprints_build(w->model, &w->map, &w->sites, 2, &err);
    cr_assert(a && b, "%s", err.msg);
    cr_assert_eq(a->nshape, b->nshape);
    cr_assert_eq(memcmp(a->shape, b->shape, sizeof *a->shape * NSITES), 0);
    cr_assert_eq(memcmp(a->shape_off, b->shape_off, sizeof *a->shape_off * (size_t)(a->nshape + 1)),
                 0);
    cr_assert_eq(memcmp(a->sxy, b->sxy, sizeof *a->sxy * 2 * (size_t)a->shape_off[a->nshape]), 0);
    footprints_free(&a);
    footprints_free(&b);
    world_free(w);
}

Test(footprint, no_stations_no_footprints)
{
    struct world *w = world_new(RADIO_DISC);
    w->sites.n = 0;
    struct tc_error err = {0};
    struct tc_footprints *fp = footprints_build(w->model, &w->map, &w->sites, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    cr_assert_eq(fp->n, 0);
    cr_assert_eq(fp->nshape, 0);
    footprints_free(&fp);
    world_free(w);
}
