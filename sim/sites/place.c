/* place.c — where generated stations stand (apportioned by weight, drawn
 * inside their township by a counter-based generator) and where file
 * stations stand on the map. */
#include "sites_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "towncov/map.h"
#include "towncov/rng.h"
#include "towncov/worker.h"

/* Rejection sampling gives up after this many tries per site and takes the
 * seat instead (only absurdly thin townships get there). */
#define MAX_TRIES 10000

/* ---- how many stations each township gets ------------------------------
 * Largest-remainder apportionment of `count` by weight: deterministic, sums
 * exactly to count, ties broken by township order. */
struct remainder { double frac; int t; };

static int by_remainder(const void *a, const void *b)
{
    const struct remainder *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac < y->frac ? 1 : -1;
    return x->t - y->t;
}

static int apportion(const struct tc_map *map, const double *weight, long count, long *quota)
{
    double total = 0;
    for (int t = 0; t < map->n; t++)
        total += weight[t];
    struct remainder *r = malloc(sizeof *r * (size_t)map->n);
    if (!r || total <= 0) {
        free(r);
        return -1;
    }
    long given = 0;
    for (int t = 0; t < map->n; t++) {
        double exact = (double)count * weight[t] / total;
        quota[t] = (long)floor(exact);
        given += quota[t];
        r[t].frac = exact - floor(exact);
        r[t].t = t;
    }
    qsort(r, (size_t)map->n, sizeof *r, by_remainder);
    for (long k = 0; given < count; k = (k + 1) % map->n, given++)
        quota[r[k].t]++;
    free(r);
    return 0;
}

/* ---- drawing points inside a township ----------------------------------*/
static void draw_point(GEOSContextHandle_t ctx, const GEOSPreparedGeometry *prep,
                       const struct township *t, unsigned long long seed, long site,
                       double *x, double *y)
{
    double w = t->xmax - t->xmin, h = t->ymax - t->ymin;
    for (uint64_t k = 0; k < MAX_TRIES; k++) {
        double px = t->xmin + w * rng_uniform(seed, (uint64_t)site, 2 * k);
        double py = t->ymin + h * rng_uniform(seed, (uint64_t)site, 2 * k + 1);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, px, py);
        int inside = GEOSPreparedContainsProperly_r(ctx, prep, pt) == 1;
        GEOSGeom_destroy_r(ctx, pt);
        if (inside) {
            *x = px;
            *y = py;
            return;
        }
    }
    *x = t->seat_x;
    *y = t->seat_y;
}

static int fill_lonlat(struct tc_sites *s, const struct tc_map *map, struct tc_error *err)
{
    struct map_proj *p = map_proj_new(map, err);
    if (!p)
        return -1;
    memcpy(s->lon, s->x, sizeof *s->x * (size_t)s->n);
    memcpy(s->lat, s->y, sizeof *s->y * (size_t)s->n);
    int rc = map_proj_trans(p, 1, s->lon, s->lat, s->n);
    map_proj_free(&p);
    return rc ? tc_fail(err, TC_EXIT_INTERNAL, "PROJ failed on site coordinates") : 0;
}

static struct tc_sites *place_generated(const struct sites_config *cfg, const struct tc_map *map,
                                        unsigned long long seed, int threads, struct tc_error *err)
{
    int n = map->n;
    long seats = cfg->strategy == SITES_SEATS ? n : 0;
    if (cfg->count < seats) {
        tc_fail(err, TC_EXIT_SCENARIO, "sites.strategy = seats needs sites.count >= %d "
                "(one station per township seat), not %ld", n, cfg->count);
        return NULL;
    }
    double *weight = malloc(sizeof *weight * (size_t)n);
    long *quota = calloc((size_t)n, sizeof *quota), *first = malloc(sizeof *first * (size_t)n);
    struct tc_sites *s = weight && quota && first ? sites_alloc(cfg->count) : NULL;
    if (!s) {
        free(weight); free(quota); free(first);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
        return NULL;
    }
    for (int t = 0; t < n; t++)
        weight[t] = map->t[t].area_m2 * (cfg->strategy == SITES_UNIFORM ? 1.0
                                                                         : cfg->weight[map->t[t].kind]);
    if (apportion(map, weight, cfg->count - seats, quota) != 0) {
        free(weight); free(quota); free(first);
        sites_free(&s);
        tc_fail(err, TC_EXIT_SCENARIO, "sites.weight_* give every township zero weight");
        return NULL;
    }
    /* Seat stations are 0..n-1 (township order), then each township's
     * drawn stations, township after township. */
    long next = seats;
    for (int t = 0; t < n; t++) {
        first[t] = next;
        next += quota[t];
    }
    struct tc_workers *ws = tc_workers_new(threads, NULL, 0, err);
    if (!ws) {
        free(weight); free(quota); free(first);
        sites_free(&s);
        return NULL;
    }
    #pragma omp parallel for num_threads(ws->n) schedule(dynamic, 4)
    for (int t = 0; t < n; t++) {
        GEOSContextHandle_t ctx = ws->w[omp_get_thread_num()].geos;
        const struct township *tw = &map->t[t];
        if (seats) {
            s->x[t] = tw->seat_x;
            s->y[t] = tw->seat_y;
            s->township[t] = t;
        }
        if (!quota[t] || tc_interrupted())
            continue;
        /* Prepared per thread, never shared: its indexes build lazily. */
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, tw->geom);
        for (long i = first[t]; i < first[t] + quota[t]; i++) {
            draw_point(ctx, prep, tw, seed, i, &s->x[i], &s->y[i]);
            s->township[i] = t;
        }
        GEOSPreparedGeom_destroy_r(ctx, prep);
    }
    tc_workers_free(&ws);
    free(weight);
    free(quota);
    free(first);
    if (tc_interrupted()) {
        sites_free(&s);
        tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
        return NULL;
    }
    if (fill_lonlat(s, map, err) != 0)
        sites_free(&s);
    return s;
}


static int locate_file_sites(const struct sites_config *cfg, const char *path,
                             const struct tc_map *map, struct tc_sites *s, FILE *warn,
                             struct tc_error *err)
{
    struct map_proj *p = map_proj_new(map, err);
    if (!p)
        return -1;
    memcpy(s->x, s->lon, sizeof *s->x * (size_t)s->n);
    memcpy(s->y, s->lat, sizeof *s->y * (size_t)s->n);
    int rc = map_proj_trans(p, 0, s->x, s->y, s->n);
    map_proj_free(&p);
    if (rc)
        return tc_fail(err, TC_EXIT_SITES, "%s: PROJ cannot project the sites", path);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(map, ctx);
    long kept = 0, i = 0;
    for (; i < s->n; i++) {
        int t = map_locate(loc, s->x[i], s->y[i]);
        if (t < 0 && cfg->outside == SITES_OUTSIDE_ERROR) {
            rc = tc_fail(err, TC_EXIT_SITES, "%s: site '%s' (%.6f, %.6f) is outside every "
                         "township (sites.outside = drop or keep allows it)",
                         path, s->id[i], s->lon[i], s->lat[i]);
            break;
        }
        if (t < 0 && cfg->outside == SITES_OUTSIDE_DROP) {
            if (warn)
                fprintf(warn, "towncov: warning: %s: site '%s' is outside every township; "
                              "dropped\n", path, s->id[i]);
            free(s->id[i]);
            continue;
        }
        s->x[kept] = s->x[i];
        s->y[kept] = s->y[i];
        s->lon[kept] = s->lon[i];
        s->lat[kept] = s->lat[i];
        s->id[kept] = s->id[i];
        s->radio[kept] = s->radio[i];
        s->township[kept++] = t;
    }
    for (long j = i; j < s->n; j++) /* not moved down: still owned here */
        free(s->id[j]);
    s->n = kept;
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    return rc;
}

struct tc_sites *sites_place(const struct sites_config *cfg, const struct tc_map *map,
                             unsigned long long seed, const char *base_dir, int threads,
                             FILE *warn, struct tc_error *err)
{
    if (cfg->strategy != SITES_FILE)
        return place_generated(cfg, map, seed, threads, err);
    char path[2 * TC_STR_MAX];
    if (cfg->file[0] == '/' || !base_dir || !base_dir[0])
        snprintf(path, sizeof path, "%s", cfg->file);
    else
        snprintf(path, sizeof path, "%s/%s", base_dir, cfg->file);
    struct tc_sites *s = sites_read_csv(path, cfg, warn, err);
    if (s && locate_file_sites(cfg, path, map, s, warn, err) != 0)
        sites_free(&s);
    return s;
}

struct tc_sites *sites_from_points(const struct tc_map *map, const double *x, const double *y,
                                   const int *township, long n, struct tc_error *err)
{
    struct tc_sites *s = sites_alloc(n);
    if (!s) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", n);
        return NULL;
    }
    memcpy(s->x, x, sizeof *x * (size_t)n);
    memcpy(s->y, y, sizeof *y * (size_t)n);
    memcpy(s->township, township, sizeof *township * (size_t)n);
    struct map_proj *p = fill_lonlat(s, map, err) == 0 ? map_proj_new(map, err) : NULL;
    /* x, y as a sites file holding these lon, lat gives them back */
    memcpy(s->x, s->lon, sizeof *x * (size_t)n);
    memcpy(s->y, s->lat, sizeof *y * (size_t)n);
    if (!p || map_proj_trans(p, 0, s->x, s->y, n) != 0) {
        if (p)
            tc_fail(err, TC_EXIT_INTERNAL, "PROJ failed on site coordinates");
        sites_free(&s);
    }
    map_proj_free(&p);
    return s;
}

struct tc_sites *sites_read_located(const char *path, const struct tc_map *map, FILE *warn,
                                    struct tc_error *err)
{
    struct sites_config cfg = {.outside = SITES_OUTSIDE_DROP};
    struct tc_sites *s = sites_read_csv(path, NULL, warn, err);
    if (s && locate_file_sites(&cfg, path, map, s, warn, err) != 0)
        sites_free(&s);
    return s;
}
