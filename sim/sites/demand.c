/* demand.c — stations where people live (strategy = demand). Every
 * township is two zones: its built-up zone (a subdistrict whole, else its
 * seat area) and its rural zone (the rest of it), each holding the people
 * population.h puts there. Stations are shared out over the zones in
 * proportion to their people by the same Webster divisor sequence as the
 * other strategies (webster.c), after a floor of sites.min_per_township
 * stations per township (in its built-up zone, or its rural zone when it
 * has no built-up land), and each zone's j-th station is drawn uniformly
 * inside the zone by a generator keyed by (seed, zone, j). So placements
 * are nested in the count, deterministic and independent of threads, as
 * the other strategies' are. */
#include "sites_internal.h"

#include <stdlib.h>
#include <string.h>
#include <omp.h>

#include "towncov/map.h"
#include "towncov/rng.h"
#include "towncov/seat.h"
#include "towncov/worker.h"

#define MAX_TRIES 10000

const char *sites_zone_name(unsigned char zone)
{
    return zone == SITES_ZONE_BUILTUP ? "built-up" : zone == SITES_ZONE_RURAL ? "rural" : "";
}

/* Whether township t's built-up zone is all of it. */
static int builtup_whole(const struct tc_map *map, const struct tc_seat_areas *seats, int t)
{
    return map->t[t].kind == KIND_SUBDISTRICT || seats->whole[t];
}

/* The zone a township's floor stations go to: built-up unless it has no
 * built-up land. */
static int floor_zone(const struct tc_map *map, int t)
{
    return 2 * t + (map->t[t].builtup_m2 > 0 ? 0 : 1);
}

/* A point of zone z (2t: built-up, 2t + 1: rural), rank j: rejection
 * sampling in the zone's envelope against its prepared polygon(s); the
 * seat after MAX_TRIES (only absurdly thin zones). */
static void draw_zone_point(GEOSContextHandle_t ctx, const GEOSPreparedGeometry *town,
                            const GEOSPreparedGeometry *seat, const struct tc_map *map,
                            const struct tc_seat_areas *seats, int z, long j,
                            unsigned long long seed, double *x, double *y)
{
    int t = z / 2, rural = z % 2;
    const struct township *tw = &map->t[t];
    int in_seat = !rural && !builtup_whole(map, seats, t);
    double x0 = in_seat ? seats->envelope[t][0] : tw->xmin;
    double y0 = in_seat ? seats->envelope[t][1] : tw->ymin;
    double w = (in_seat ? seats->envelope[t][2] : tw->xmax) - x0;
    double h = (in_seat ? seats->envelope[t][3] : tw->ymax) - y0;
    uint64_t stream = ((uint64_t)z << 32) | (uint64_t)j;
    for (uint64_t k = 0; k < MAX_TRIES; k++) {
        double px = x0 + w * rng_uniform(seed, stream, 2 * k);
        double py = y0 + h * rng_uniform(seed, stream, 2 * k + 1);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, px, py);
        int ok = in_seat ? GEOSPreparedContainsProperly_r(ctx, seat, pt) == 1
                         : GEOSPreparedContainsProperly_r(ctx, town, pt) == 1 &&
                               (!rural || GEOSPreparedIntersects_r(ctx, seat, pt) == 0);
        GEOSGeom_destroy_r(ctx, pt);
        if (ok) {
            *x = px;
            *y = py;
            return;
        }
    }
    *x = tw->seat_x;
    *y = tw->seat_y;
}

/* Township t's stations of both zones, by rank, into px, py at their
 * zones' slots (zone-major scratch): the owner computes. */
static void draw_township(GEOSContextHandle_t ctx, const struct tc_map *map,
                          const struct tc_seat_areas *seats, int t, const long *first,
                          const long *quota, int drawn, unsigned long long seed, double *px,
                          double *py)
{
    if (!quota[2 * t] && !quota[2 * t + 1])
        return;
    if (!drawn) { /* a split run's rank that needs none of them: at the seat */
        for (int z = 2 * t; z < 2 * t + 2; z++)
            for (long j = 0; j < quota[z]; j++) {
                px[first[z] + j] = map->t[t].seat_x;
                py[first[z] + j] = map->t[t].seat_y;
            }
        return;
    }
    /* Prepared per thread, never shared: their indexes build lazily. */
    const GEOSPreparedGeometry *town = GEOSPrepare_r(ctx, map->t[t].geom);
    const GEOSPreparedGeometry *seat = GEOSPrepare_r(ctx, seats->geom[t]);
    for (int zb = 0; zb < 2; zb++) {
        int z = 2 * t + zb;
        for (long j = 0; j < quota[z]; j++)
            draw_zone_point(ctx, town, seat, map, seats, z, j, seed, &px[first[z] + j],
                            &py[first[z] + j]);
    }
    GEOSPreparedGeom_destroy_r(ctx, seat);
    GEOSPreparedGeom_destroy_r(ctx, town);
}

/* The zone of every station in sequence order: the floor (for each round
 * j, every township in code order), then the Webster sequence over the
 * zones' people. quota[z] ends as zone z's stations. */
static int zone_sequence(const struct sites_config *cfg, const struct tc_map *map, int *zone,
                         long *quota, struct tc_error *err)
{
    int nz = 2 * map->n;
    long floor_n = cfg->min_per_township * (long)map->n;
    double *w = malloc(sizeof *w * (size_t)nz);
    long *given = calloc((size_t)nz, sizeof *given);
    if (!w || !given) {
        free(w);
        free(given);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
    }
    for (int t = 0; t < map->n; t++) {
        w[2 * t] = (double)map->t[t].pop_builtup;
        w[2 * t + 1] = (double)(map->t[t].population - map->t[t].pop_builtup);
    }
    for (long k = 0; k < floor_n; k++) {
        int z = floor_zone(map, (int)(k % map->n));
        zone[k] = z;
        given[z]++;
    }
    int rc = sites_webster_from(w, nz, given, cfg->count - floor_n, zone + floor_n, quota);
    free(w);
    free(given);
    if (rc == -1)
        return tc_fail(err, TC_EXIT_SCENARIO, "sites.strategy = demand: the map has no people");
    if (rc == -2)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
    for (int z = 0; z < nz; z++)
        if ((uint64_t)quota[z] > UINT32_MAX)
            return tc_fail(err, TC_EXIT_SCENARIO, "sites.count = %ld puts more than 2^32 "
                           "stations in township %s", cfg->count, map->t[z / 2].code);
    return 0;
}

/* Draws zone by zone into scratch, then gathers in sequence order. */
static int draw_all(const struct tc_map *map, const struct tc_seat_areas *seats,
                    const long *first, const long *slot, const long *quota,
                    const unsigned char *draw, unsigned long long seed, int threads,
                    struct tc_sites *s, struct tc_error *err)
{
    struct tc_workers *ws = tc_workers_new(threads, NULL, 0, err);
    if (!ws)
        return -1;
    double *px = s->lon, *py = s->lat; /* scratch until lon, lat are filled */
    #pragma omp parallel num_threads(ws->n)
    {
        #pragma omp for schedule(dynamic, 4)
        for (int t = 0; t < map->n; t++)
            if (!tc_interrupted())
                draw_township(ws->w[omp_get_thread_num()].geos, map, seats, t, first, quota,
                              !draw || draw[t], seed, px, py);
        #pragma omp for schedule(static)
        for (long k = 0; k < s->n; k++) {
            s->x[k] = px[slot[k]];
            s->y[k] = py[slot[k]];
        }
    }
    tc_workers_free(&ws);
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
    return 0;
}

int sites_place_demand(const struct sites_config *cfg, const struct tc_map *map,
                       const struct tc_seat_areas *seats, unsigned long long seed, int threads,
                       const struct sites_subset *subset, unsigned char **draw_out,
                       struct tc_sites *s, struct tc_error *err)
{
    if (!map->has_population || !seats)
        return tc_fail(err, TC_EXIT_SCENARIO, "sites.strategy = demand needs people on the "
                       "map: [map] population or population_field (or sites.density)");
    long floor_n = cfg->min_per_township * (long)map->n;
    if (cfg->count < floor_n)
        return tc_fail(err, TC_EXIT_SCENARIO, "sites.min_per_township = %ld needs sites.count "
                       ">= %ld (%d townships), not %ld", cfg->min_per_township, floor_n,
                       map->n, cfg->count);
    int nz = 2 * map->n;
    int *zone = malloc(sizeof *zone * (size_t)(s->n > 0 ? s->n : 1));
    long *quota = malloc(sizeof *quota * (size_t)nz), *first = malloc(sizeof *first * (size_t)nz);
    long *slot = malloc(sizeof *slot * (size_t)(s->n > 0 ? s->n : 1));
    s->zone = malloc((size_t)(s->n > 0 ? s->n : 1));
    int rc = zone && quota && first && slot && s->zone
                 ? zone_sequence(cfg, map, zone, quota, err)
                 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
    if (rc == 0) {
        /* zone-major slots, each zone's stations by rank */
        sites_slots(zone, s->n, nz, quota, first, slot);
        for (long k = 0; k < s->n; k++) {
            s->township[k] = zone[k] / 2;
            s->zone[k] = zone[k] % 2 ? SITES_ZONE_RURAL : SITES_ZONE_BUILTUP;
        }
        int failed;
        unsigned char *draw = sites_choose_drawn(subset, map, s, &failed, err);
        rc = failed ? -1
                    : draw_all(map, seats, first, slot, quota, draw, seed, threads, s, err);
        *draw_out = draw;
    }
    free(zone);
    free(quota);
    free(first);
    free(slot);
    return rc;
}
