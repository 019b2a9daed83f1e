/* locate.c — per-thread projections between the metric CRS and lon/lat,
 * and the township containing a point. */
#include "map_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/grid.h"

/* ---- per-thread projections ---------------------------------------------*/
struct map_proj {
    PJ_CONTEXT *ctx;
    PJ *geo_to_metric;
};

/* The map's own transformation from its pipeline text (no database). */
static struct map_proj *proj_from_def(const char *def)
{
    struct map_proj *p = calloc(1, sizeof *p);
    if (!p || !(p->ctx = proj_context_create())) {
        free(p);
        return NULL;
    }
    proj_log_level(p->ctx, PJ_LOG_NONE);
    p->geo_to_metric = proj_create(p->ctx, def);
    if (!p->geo_to_metric)
        map_proj_free(&p);
    return p;
}

struct map_proj *map_proj_new(const struct tc_map *map, struct tc_error *err)
{
    struct map_proj *p = map->geo_to_metric_def ? proj_from_def(map->geo_to_metric_def) : NULL;
    if (p)
        return p;
    p = map_proj_new_from(map, map->geo_wkt, err);
    if (!p && err->exit_code != TC_EXIT_RESOURCE)
        tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot rebuild the map's transformation");
    return p;
}

struct map_proj *map_proj_new_from(const struct tc_map *map, const char *crs,
                                   struct tc_error *err)
{
    struct map_proj *p = calloc(1, sizeof *p);
    if (!p) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    p->ctx = proj_context_create();
    proj_log_level(p->ctx, PJ_LOG_NONE);
    PJ *from = proj_create(p->ctx, crs);
    PJ *metric = proj_create(p->ctx, map->metric_crs);
    if (from && metric)
        p->geo_to_metric = map_make_transform(p->ctx, from, metric);
    proj_destroy(from);
    proj_destroy(metric);
    if (!p->geo_to_metric) {
        tc_fail(err, TC_EXIT_SITES, "PROJ cannot transform from that CRS to the map's");
        map_proj_free(&p);
    }
    return p;
}

void map_proj_free(struct map_proj **pp)
{
    struct map_proj *p = *pp;
    if (!p)
        return;
    proj_destroy(p->geo_to_metric);
    proj_context_destroy(p->ctx);
    free(p);
    *pp = NULL;
}

int map_proj_trans(struct map_proj *p, int inverse, double *x, double *y, long n)
{
    size_t st = sizeof(double);
    size_t done = proj_trans_generic(p->geo_to_metric, inverse ? PJ_INV : PJ_FWD, x, st, (size_t)n,
                                     y, st, (size_t)n, NULL, 0, 0, NULL, 0, 0);
    return done == (size_t)n ? 0 : -1;
}

/* ---- point location ------------------------------------------------------
 * A uniform grid over the map's extent; each cell lists the townships whose
 * envelope meets it, ascending. Prepared geometries are made lazily per
 * locator (a locator belongs to one thread). */
struct map_locator {
    const struct tc_map *map;
    GEOSContextHandle_t ctx;
    struct grid grid;
    const GEOSPreparedGeometry **prepared;
};

static void township_envelope(const void *items, long i, double box[4])
{
    const struct township *t = &((const struct tc_map *)items)->t[i];
    box[0] = t->xmin;
    box[1] = t->ymin;
    box[2] = t->xmax;
    box[3] = t->ymax;
}

struct map_locator *map_locator_new(const struct tc_map *map, GEOSContextHandle_t ctx)
{
    struct map_locator *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->map = map;
    l->ctx = ctx;
    const double extent[4] = {map->xmin, map->ymin, map->xmax, map->ymax};
    l->prepared = calloc((size_t)map->n, sizeof *l->prepared);
    if (!l->prepared ||
        grid_build(&l->grid, extent, 4L * map->n, map->n, township_envelope, map) != 0)
        map_locator_free(&l);
    return l;
}

void map_locator_free(struct map_locator **pl)
{
    struct map_locator *l = *pl;
    if (!l)
        return;
    if (l->prepared)
        for (int i = 0; i < l->map->n; i++)
            if (l->prepared[i])
                GEOSPreparedGeom_destroy_r(l->ctx, l->prepared[i]);
    free(l->prepared);
    grid_free(&l->grid);
    free(l);
    *pl = NULL;
}

int map_locate(struct map_locator *l, double x, double y)
{
    const struct tc_map *m = l->map;
    long first, last;
    grid_cell(&l->grid, x, y, &first, &last);
    int found = -1;
    GEOSGeometry *pt = NULL;
    for (long k = first; k < last && found < 0; k++) {
        int i = (int)l->grid.ids[k];
        const struct township *t = &m->t[i];
        if (x < t->xmin || x > t->xmax || y < t->ymin || y > t->ymax)
            continue;
        if (!l->prepared[i])
            l->prepared[i] = GEOSPrepare_r(l->ctx, t->geom);
        if (!pt)
            pt = GEOSGeom_createPointFromXY_r(l->ctx, x, y);
        /* out of memory (or a GEOS exception) is not "outside" */
        char in = l->prepared[i] && pt ? GEOSPreparedIntersects_r(l->ctx, l->prepared[i], pt)
                                       : 2;
        if (in == 2) {
            found = MAP_LOCATE_FAILED;
            break;
        }
        if (in == 1)
            found = i;
    }
    if (pt)
        GEOSGeom_destroy_r(l->ctx, pt);
    return found;
}

/* bsearch's comparison: a code against a township. */
static int code_vs_township(const void *code, const void *t)
{
    return strcmp(code, ((const struct township *)t)->code);
}

int map_find_code(const struct tc_map *map, const char *code)
{
    const struct township *t =
        bsearch(code, map->t, (size_t)map->n, sizeof *map->t, code_vs_township);
    return t ? (int)(t - map->t) : -1;
}
