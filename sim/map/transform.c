/* transform.c — the map stage's CRS transforms for later stages (see
 * map_crs.h): each makes its own PROJ context, so that no other stage does. */
#include "towncov/map_crs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"

struct map_transform {
    PJ_CONTEXT *ctx;
    PJ *pj;
};

/* from -> to in a new context, normalised for visualisation. */
static struct map_transform *transform_new(const char *from, const char *to)
{
    struct map_transform *t = calloc(1, sizeof *t);
    if (!t || !(t->ctx = proj_context_create())) {
        free(t);
        return NULL;
    }
    PJ *raw = proj_create_crs_to_crs(t->ctx, from, to, NULL);
    t->pj = raw ? proj_normalize_for_visualization(t->ctx, raw) : NULL;
    proj_destroy(raw);
    if (!t->pj)
        map_transform_free(&t);
    return t;
}

struct map_transform *map_transform_to_source(const struct tc_map *map)
{
    return transform_new(map->metric_crs, map->source_wkt ? map->source_wkt : map->geo_wkt);
}

struct map_transform *map_transform_to_lonlat(const char *wkt)
{
    return transform_new(wkt, "EPSG:4326");
}

PJ *map_transform_pj(const struct map_transform *t)
{
    return t->pj;
}

int map_transform_points(const struct map_transform *t, double *x, double *y, size_t n)
{
    size_t st = sizeof(double);
    size_t done = proj_trans_generic(t->pj, PJ_FWD, x, st, n, y, st, n, NULL, 0, 0, NULL, 0, 0);
    int ok = done == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = isfinite(x[i]) && isfinite(y[i]);
    return ok ? 0 : -1;
}

void map_transform_free(struct map_transform **t)
{
    if (!*t)
        return;
    proj_destroy((*t)->pj);
    if ((*t)->ctx)
        proj_context_destroy((*t)->ctx);
    free(*t);
    *t = NULL;
}

char *map_crs_wkt2(const char *crs_text)
{
    PJ_CONTEXT *c = proj_context_create();
    PJ *crs = c ? proj_create(c, crs_text) : NULL;
    const char *w = crs ? proj_as_wkt(c, crs, PJ_WKT2_2019, NULL) : NULL;
    char *out = w ? strdup(w) : NULL;
    proj_destroy(crs);
    if (c)
        proj_context_destroy(c);
    return out;
}

void map_crs_describe(const char *wkt, struct map_crs_desc *d)
{
    memset(d, 0, sizeof *d);
    PJ_CONTEXT *c = proj_context_create();
    PJ *crs = c ? proj_create(c, wkt) : NULL;
    const char *w2 = crs ? proj_as_wkt(c, crs, PJ_WKT2_2019, NULL) : NULL;
    const char *p4 = crs ? proj_as_proj_string(c, crs, PJ_PROJ_4, NULL) : NULL;
    const char *nm = crs ? proj_get_name(crs) : NULL;
    d->wkt = strdup(w2 ? w2 : wkt);
    d->proj4 = strdup(p4 ? p4 : "");
    d->name = strdup(nm ? nm : "");
    if (crs) {
        PJ_TYPE t = proj_get_type(crs);
        d->geographic = t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS;
        int *conf = NULL;
        PJ_OBJ_LIST *ids = proj_identify(c, crs, "EPSG", NULL, &conf);
        PJ *best = ids && proj_list_get_count(ids) > 0 && conf[0] == 100
                       ? proj_list_get(c, ids, 0) : NULL;
        if (best && proj_get_id_code(best, 0))
            snprintf(d->authid, sizeof d->authid, "EPSG:%s", proj_get_id_code(best, 0));
        proj_destroy(best);
        proj_int_list_destroy(conf);
        proj_list_destroy(ids);
    }
    proj_destroy(crs);
    if (c)
        proj_context_destroy(c);
}

void map_crs_desc_free(struct map_crs_desc *d)
{
    free(d->wkt);
    free(d->proj4);
    free(d->name);
}
