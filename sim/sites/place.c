/* place.c — where generated stations stand and where file stations stand
 * on the map. Generated stations are nested: the placement of n stations is
 * exactly the first n of the placement of n + k (same points, townships and
 * order), so that sweeps and a bisection on sites.count see monotone
 * results. Townships follow the Webster divisor sequence (webster.c); a
 * station's point depends only on (seed, township t, its rank j among t's
 * drawn stations), never on the count. */
#include "sites_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <omp.h>

#include "towncov/map.h"
#include "towncov/ogrread.h"
#include "towncov/rng.h"
#include "towncov/worker.h"

/* Rejection sampling gives up after this many tries per site and takes the
 * seat instead (only absurdly thin townships get there). */
#define MAX_TRIES 10000

/* ---- drawing points inside a township ----------------------------------*/
/* The generator's stream of township t's j-th drawn station: t in the high
 * half, j in the low one (place_sequence refuses j >= 2^32). Keyed by
 * rank, not by the station's index, so that the point does not move when
 * a larger count puts more stations before it in the sequence. */
static uint64_t draw_stream(int t, long j)
{
    return ((uint64_t)t << 32) | (uint64_t)j;
}

/* 0, or -1 when GEOS failed (a NULL point or a predicate's 2: under
 * memory pressure), never taken for "outside". */
static int draw_point(GEOSContextHandle_t ctx, const GEOSPreparedGeometry *prep,
                      const struct township *t, unsigned long long seed, uint64_t stream,
                      double *x, double *y)
{
    double w = t->xmax - t->xmin, h = t->ymax - t->ymin;
    for (uint64_t k = 0; k < MAX_TRIES; k++) {
        double px = t->xmin + w * rng_uniform(seed, stream, 2 * k);
        double py = t->ymin + h * rng_uniform(seed, stream, 2 * k + 1);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, px, py);
        char inside = pt ? GEOSPreparedContainsProperly_r(ctx, prep, pt) : 2;
        if (pt)
            GEOSGeom_destroy_r(ctx, pt);
        if (inside == 2)
            return -1;
        if (inside == 1) {
            *x = px;
            *y = py;
            return 0;
        }
    }
    *x = t->seat_x;
    *y = t->seat_y;
    return 0;
}

/* lon, lat of the drawn x, y (the map's inverse projection), then x, y
 * projected forward again from those lon, lat. A station is thus the point
 * a sites file holding its lon, lat (17 digits: planned_sites.csv) gives
 * back exactly: PROJ's inverse then forward is not the identity (it moves a
 * point by about 1.5 mm on the default map), and a run re-read from a
 * file must judge the same stations, not neighbours millimetres away: a
 * seat area's exact covered share at 95 % can cross the threshold on less
 * (the plan's check run did; docs/planning.md, Outputs). The forward
 * projection of the same doubles gives the same doubles: one pass is enough. */
static int lonlat_slice(struct map_proj *p, struct tc_sites *s, long a, long b)
{
    size_t bytes = sizeof *s->x * (size_t)(b - a);
    memcpy(s->lon + a, s->x + a, bytes);
    memcpy(s->lat + a, s->y + a, bytes);
    if (map_proj_trans(p, 1, s->lon + a, s->lat + a, b - a) != 0)
        return -1;
    memcpy(s->x + a, s->lon + a, bytes);
    memcpy(s->y + a, s->lat + a, bytes);
    return map_proj_trans(p, 0, s->x + a, s->y + a, b - a);
}

/* Millions of stations (a country) in a contiguous slice a thread, each
 * with its own transform (PROJ objects are not shared between threads;
 * made serially): every point is transformed alone, so the slices give the
 * same doubles as one pass. */
#define LONLAT_SLICE_MIN 65536L

static int fill_lonlat_all(struct tc_sites *s, const struct tc_map *map, int threads,
                           struct tc_error *err)
{
    long nt = threads > 1 ? threads : 1;
    if (nt > s->n / LONLAT_SLICE_MIN)
        nt = s->n / LONLAT_SLICE_MIN > 1 ? s->n / LONLAT_SLICE_MIN : 1;
    struct map_proj **p = calloc((size_t)nt, sizeof *p);
    if (!p)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    int rc = 0;
    for (long k = 0; rc == 0 && k < nt; k++)
        rc = (p[k] = map_proj_new(map, err)) ? 0 : -1;
    if (rc != 0) {
        for (long k = 0; k < nt; k++)
            map_proj_free(&p[k]);
        free(p);
        return -1;
    }
    int failed = 0;
    #pragma omp parallel for num_threads((int)nt) schedule(static, 1) reduction(|| : failed)
    for (long k = 0; k < nt; k++)
        failed = lonlat_slice(p[k], s, s->n * k / nt, s->n * (k + 1) / nt) != 0 || failed;
    for (long k = 0; k < nt; k++)
        map_proj_free(&p[k]);
    free(p);
    return failed ? tc_fail(err, TC_EXIT_INTERNAL, "PROJ failed on site coordinates") : 0;
}

/* fill_lonlat_all for the stations of the townships drawn (draw; NULL:
 * every one): those gathered, transformed, put back (each point is
 * transformed alone: the same doubles); the others, at their seats, get
 * the seats' lon, lat (sites_place_some: nobody reads them). */
static int fill_lonlat(struct tc_sites *s, const struct tc_map *map, int threads,
                       const unsigned char *draw, struct tc_error *err)
{
    if (!draw)
        return fill_lonlat_all(s, map, threads, err);
    long m = 0;
    for (long i = 0; i < s->n; i++)
        m += draw[s->township[i]];
    size_t size = sizeof(double) * (size_t)(m > 0 ? m : 1);
    struct tc_sites d = {.n = m, .x = malloc(size), .y = malloc(size), .lon = malloc(size),
                         .lat = malloc(size)};
    int rc = d.x && d.y && d.lon && d.lat ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (long i = 0, k = 0; rc == 0 && i < s->n; i++)
        if (draw[s->township[i]]) {
            d.x[k] = s->x[i];
            d.y[k++] = s->y[i];
        }
    if (rc == 0)
        rc = fill_lonlat_all(&d, map, threads, err);
    for (long i = 0, k = 0; rc == 0 && i < s->n; i++) {
        const struct township *tw = &map->t[s->township[i]];
        int mine = draw[s->township[i]];
        s->x[i] = mine ? d.x[k] : tw->seat_x;
        s->y[i] = mine ? d.y[k] : tw->seat_y;
        s->lon[i] = mine ? d.lon[k] : tw->seat_lon;
        s->lat[i] = mine ? d.lat[k] : tw->seat_lat;
        k += mine;
    }
    free(d.x);
    free(d.y);
    free(d.lon);
    free(d.lat);
    return rc;
}

/* The township's seat station (index t) and its drawn stations' points,
 * by rank, into px, py (township-major scratch): written only here, the
 * owner computes whatever the thread. A township not drawn (a split
 * run's rank, sites_place_some) has its stations at its seat. */
static int draw_township(GEOSContextHandle_t ctx, const struct tc_map *map, int t, long seats,
                         long quota, int drawn, unsigned long long seed, struct tc_sites *s,
                         double *px, double *py)
{
    const struct township *tw = &map->t[t];
    if (seats) {
        s->x[t] = tw->seat_x;
        s->y[t] = tw->seat_y;
        s->township[t] = t;
    }
    for (long j = 0; !drawn && j < quota; j++) {
        px[j] = tw->seat_x;
        py[j] = tw->seat_y;
    }
    if (!quota || !drawn)
        return 0;
    /* Prepared per thread, never shared: its indexes build lazily. */
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, tw->geom);
    int rc = prep ? 0 : -1;
    for (long j = 0; rc == 0 && j < quota; j++)
        rc = draw_point(ctx, prep, tw, seed, draw_stream(t, j), &px[j], &py[j]);
    if (prep)
        GEOSPreparedGeom_destroy_r(ctx, prep);
    return rc;
}

/* Draws township by township into lon, lat (free until fill_lonlat: used
 * as scratch, so that each thread writes contiguous memory, not points
 * scattered over the whole sequence), then gathers the points into x, y
 * in sequence order. */
static int draw_all(const struct tc_map *map, long seats, long drawn, const long *first,
                    const long *slot, const long *quota, const unsigned char *draw,
                    unsigned long long seed, int threads, struct tc_sites *s,
                    struct tc_error *err)
{
    struct tc_workers *ws = tc_workers_new(threads, NULL, 0, err);
    if (!ws)
        return -1;
    double *px = s->lon + seats, *py = s->lat + seats;
    #pragma omp parallel num_threads(ws->n)
    {
        #pragma omp for schedule(dynamic, 4)
        for (int t = 0; t < map->n; t++) {
            struct tc_worker *w = &ws->w[omp_get_thread_num()];
            if (!tc_interrupted() && draw_township(w->geos, map, t, seats, quota[t],
                                                   !draw || draw[t], seed, s, px + first[t],
                                                   py + first[t]) != 0)
                tc_worker_failf(w, t, TC_EXIT_RESOURCE, "GEOS failed placing the stations of "
                                "township %s (out of memory?)", map->t[t].code);
        }
        #pragma omp for schedule(static)
        for (long k = 0; k < drawn; k++) {
            s->x[seats + k] = px[slot[k]];
            s->y[seats + k] = py[slot[k]];
        }
    }
    int rc = tc_workers_failure(ws, err);
    tc_workers_free(&ws);
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
    return rc;
}

/* Each township's weight: its area, times its kind's weight unless uniform. */
static void township_weights(const struct sites_config *cfg, const struct tc_map *map,
                             double *weight)
{
    for (int t = 0; t < map->n; t++)
        weight[t] = map->t[t].area_m2 * (cfg->strategy == SITES_UNIFORM ? 1.0
                                                                         : cfg->weight[map->t[t].kind]);
}

/* The townships and points of the drawn stations seats .. count - 1 (the
 * seats strategy's stations 0 .. n-1 stand at the seats). */
static int place_sequence(const struct sites_config *cfg, const struct tc_map *map, long seats,
                          unsigned long long seed, int threads,
                          const struct sites_subset *subset, unsigned char **draw_out,
                          struct tc_sites *s, struct tc_error *err)
{
    int n = map->n;
    long drawn = cfg->count - seats;
    double *weight = malloc(sizeof *weight * (size_t)n);
    long *quota = malloc(sizeof *quota * (size_t)n), *first = malloc(sizeof *first * (size_t)n);
    long *slot = malloc(sizeof *slot * (size_t)(drawn > 0 ? drawn : 1));
    int rc = weight && quota && first && slot ? 0 : -2;
    if (rc == 0) {
        township_weights(cfg, map, weight);
        rc = sites_webster(weight, n, drawn, s->township + seats, quota);
    }
    if (rc == -1)
        tc_fail(err, TC_EXIT_SCENARIO, "sites.weight_* give every township zero weight");
    if (rc == -2)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
    for (int t = 0; rc == 0 && t < n; t++)
        if ((uint64_t)quota[t] > UINT32_MAX)
            rc = tc_fail(err, TC_EXIT_SCENARIO, "sites.count = %ld puts more than 2^32 "
                         "stations in township %s", cfg->count, map->t[t].code);
    unsigned char *draw = NULL;
    if (rc == 0) {
        for (int t = 0; t < seats; t++)
            s->township[t] = t;
        draw = sites_choose_drawn(subset, map, s, &rc, err);
        rc = -rc;
    }
    if (rc == 0) {
        sites_slots(s->township + seats, drawn, n, quota, first, slot);
        rc = draw_all(map, seats, drawn, first, slot, quota, draw, seed, threads, s, err);
    }
    *draw_out = draw;
    free(weight);
    free(quota);
    free(first);
    free(slot);
    return rc;
}

/* A file the scenario names, relative to its folder unless absolute. */
static void resolve(const char *base_dir, const char *file, char *path, size_t size)
{
    if (file[0] == '/' || !base_dir || !base_dir[0])
        snprintf(path, size, "%s", file);
    else
        snprintf(path, size, "%s/%s", base_dir, file);
}

/* The demand strategy: by a raster of people, or by the map's zones. */
static int place_demand(const struct sites_config *cfg, const struct tc_map *map,
                        const struct tc_seat_areas *seat_areas, const char *base_dir,
                        unsigned long long seed, int threads, const struct sites_subset *subset,
                        unsigned char **draw, struct tc_sites *s, struct tc_error *err)
{
    if (!cfg->density[0])
        return sites_place_demand(cfg, map, seat_areas, seed, threads, subset, draw, s, err);
    char path[2 * TC_STR_MAX];
    resolve(base_dir, cfg->density, path, sizeof path);
    return sites_place_density(cfg, map, path, seed, threads, s, err);
}

static struct tc_sites *place_generated(const struct sites_config *cfg, const struct tc_map *map,
                                        const struct tc_seat_areas *seat_areas,
                                        const char *base_dir, unsigned long long seed,
                                        int threads, const struct sites_subset *subset,
                                        struct tc_error *err)
{
    if (cfg->density[0] && cfg->strategy != SITES_DEMAND) {
        tc_fail(err, TC_EXIT_SCENARIO, "sites.density is a demand raster: it needs "
                "sites.strategy = demand");
        return NULL;
    }
    long seats = cfg->strategy == SITES_SEATS ? map->n : 0;
    if (cfg->count < seats) {
        tc_fail(err, TC_EXIT_SCENARIO, "sites.strategy = seats needs sites.count >= %d "
                "(one station per township seat), not %ld", map->n, cfg->count);
        return NULL;
    }
    struct tc_sites *s = sites_alloc(cfg->count);
    if (!s) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
        return NULL;
    }
    unsigned char *draw = NULL; /* the townships drawn, with a subset */
    int rc = cfg->strategy == SITES_DEMAND
                 ? place_demand(cfg, map, seat_areas, base_dir, seed, threads, subset, &draw, s,
                                err)
                 : place_sequence(cfg, map, seats, seed, threads, subset, &draw, s, err);
    if (rc != 0 || fill_lonlat(s, map, threads, draw, err) != 0)
        sites_free(&s);
    free(draw);
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
    struct map_locator *loc = ctx ? map_locator_new(map, ctx) : NULL;
    if (!loc) {
        if (ctx)
            GEOS_finish_r(ctx);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory locating the sites", path);
    }
    long kept = 0, i = 0;
    for (; i < s->n; i++) {
        int t = map_locate(loc, s->x[i], s->y[i]);
        if (t == MAP_LOCATE_FAILED) {
            rc = tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory locating site '%s'", path,
                         s->id[i]);
            break;
        }
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
    return sites_place_on(cfg, map, NULL, seed, base_dir, threads, warn, err);
}

unsigned char *sites_choose_drawn(const struct sites_subset *subset, const struct tc_map *map,
                                  const struct tc_sites *s, int *failed, struct tc_error *err)
{
    *failed = 0;
    if (!subset)
        return NULL;
    unsigned char *draw = calloc((size_t)map->n + 1, 1);
    if (!draw || subset->choose(subset->ctx, s, draw, err) != 0) {
        if (!draw)
            tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n);
        free(draw);
        *failed = 1;
        return NULL;
    }
    return draw;
}

struct tc_sites *sites_place_on(const struct sites_config *cfg, const struct tc_map *map,
                                const struct tc_seat_areas *seats, unsigned long long seed,
                                const char *base_dir, int threads, FILE *warn,
                                struct tc_error *err)
{
    return sites_place_some(cfg, map, seats, seed, base_dir, threads, warn, NULL, err);
}

struct tc_sites *sites_place_some(const struct sites_config *cfg, const struct tc_map *map,
                                  const struct tc_seat_areas *seats, unsigned long long seed,
                                  const char *base_dir, int threads, FILE *warn,
                                  const struct sites_subset *subset, struct tc_error *err)
{
    if (cfg->strategy != SITES_FILE)
        return place_generated(cfg, map, seats, base_dir, seed, threads, subset, err);
    char path[2 * TC_STR_MAX];
    resolve(base_dir, cfg->file, path, sizeof path);
    const char *slash = strrchr(path, '/'), *ext = strrchr(slash ? slash : path, '.');
    int csv = !ext || strcasecmp(ext, ".csv") == 0 || strcasecmp(ext, ".txt") == 0 ||
              strcasecmp(ext, ".tsv") == 0;
    struct tc_sites *s = csv || !(ogrread_wants(path) || ogrread_wants(cfg->file))
        ? sites_read_csv(path, cfg, warn, err)
        : sites_read_layer(ogrread_wants(path) ? path : cfg->file, cfg, warn, err);
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
    if (fill_lonlat_all(s, map, 1, err) != 0) /* x, y as a sites file of these lon, lat gives */
        sites_free(&s);
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
