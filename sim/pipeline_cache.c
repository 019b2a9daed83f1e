/* pipeline_cache.c — what the members of a sweep share (pipeline.h's
 * struct pipeline_cache): the map and seat areas, and the last judged
 * run's stations, footprints and coverage, each kept with the keys it was
 * built from. */
#include "pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/radio.h"
#include "towncov/scenario.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

struct pipeline_cache {
    struct map_config map_cfg;
    struct seat_config seat_cfg;
    char base_dir[TC_STR_MAX];
    struct tc_map *map;          /* NULL until the first load */
    struct tc_seat_areas *seats; /* of map; NULL until built */
    double load_seconds;
    /* The last member's stations, footprints and coverage on this map and
     * these seats, with the keys they came from: a member that varies
     * only what comes after (the goal, the outputs) judges them again. */
    struct sites_config sites_cfg;
    struct radio_config radio_cfg;
    struct cov_config cov_cfg;
    long seed;
    struct tc_sites *sites;      /* NULL: none kept */
    struct radio_model *radio;
    struct tc_footprints *fp;
    struct cov_result *results;
};

/* Drops the kept stations, footprints and coverage. */
static void cache_drop_results(struct pipeline_cache *c)
{
    free(c->results);
    footprints_free(&c->fp);
    radio_model_free(&c->radio);
    sites_free(&c->sites);
    c->results = NULL;
}

struct pipeline_cache *pipeline_cache_new(void)
{
    return calloc(1, sizeof(struct pipeline_cache));
}

void pipeline_cache_free(struct pipeline_cache **cache)
{
    if (!*cache)
        return;
    cache_drop_results(*cache);
    seat_areas_free(&(*cache)->seats);
    map_free(&(*cache)->map);
    free(*cache);
    *cache = NULL;
}

double pipeline_cache_load_seconds(const struct pipeline_cache *cache)
{
    return cache->load_seconds;
}

/* The cache's map and seats when scn's keys are the ones they were built
 * from, else built anew into the cache. The configs are compared by their
 * keys (the key tables), never by their bytes. */
static int cached_map_and_seats(struct pipeline_cache *c, const struct scenario *scn,
                                const struct run_options *opt, struct tc_error *err)
{
    double t0 = tc_now();
    int same_map = c->map && tc_keys_equal(map_keys, map_nkeys, &c->map_cfg, &scn->map) &&
                   strcmp(c->base_dir, scn->base_dir) == 0;
    if (!same_map) {
        cache_drop_results(c);
        seat_areas_free(&c->seats);
        map_free(&c->map);
        c->map = pipeline_load_map(scn, opt, err);
        if (!c->map)
            return -1;
        c->map_cfg = scn->map;
        snprintf(c->base_dir, sizeof c->base_dir, "%s", scn->base_dir);
    }
    if (!c->seats || !tc_keys_equal(seat_keys, seat_nkeys, &c->seat_cfg, &scn->seat)) {
        cache_drop_results(c);
        seat_areas_free(&c->seats);
        c->seats = seat_areas_build(&scn->seat, c->map, scn->base_dir, opt->threads, opt->log,
                                    err);
        if (!c->seats)
            return -1;
        c->seat_cfg = scn->seat;
    }
    c->load_seconds += tc_now() - t0;
    return 0;
}

/* Whether the cache holds the coverage scn would compute: the same map
 * and seats (pipeline_cache_load made sure), stations, radio and engine keys. */
static int cache_has_results(const struct pipeline_cache *c, const struct scenario *scn)
{
    return c->results && c->seed == scn->info.seed &&
           tc_keys_equal(sites_keys, sites_nkeys, &c->sites_cfg, &scn->sites) &&
           tc_keys_equal(radio_keys, radio_nkeys, &c->radio_cfg, &scn->radio) &&
           tc_keys_equal(cov_keys, cov_nkeys, &c->cov_cfg, &scn->coverage);
}

int pipeline_cache_borrow(const struct pipeline_cache *c, const struct scenario *scn,
                          struct run_state *st)
{
    if (!cache_has_results(c, scn))
        return 0;
    st->sites = c->sites;
    st->radio = c->radio;
    st->fp = c->fp;
    st->results = c->results;
    st->cached_results = 1;
    return 1;
}

void pipeline_cache_keep(struct pipeline_cache *c, const struct scenario *scn,
                         struct run_state *st)
{
    cache_drop_results(c);
    c->sites_cfg = scn->sites;
    c->radio_cfg = scn->radio;
    c->cov_cfg = scn->coverage;
    c->seed = scn->info.seed;
    c->sites = st->sites;
    c->radio = st->radio;
    c->fp = st->fp;
    c->results = st->results;
    st->cached_results = 1;
}

int pipeline_cache_load(struct pipeline_cache *c, const struct scenario *scn,
                        const struct run_options *opt, struct run_state *st,
                        struct tc_error *err)
{
    if (cached_map_and_seats(c, scn, opt, err) != 0)
        return -1;
    st->map = c->map;
    st->seats = c->seats;
    st->cached_map = 1;
    return 0;
}
