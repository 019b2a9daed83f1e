/* sites.h — stage 3: where the stations stand. Placement by strategy
 * (uniform, weighted, seats, demand: by people, see demand.c; file), deterministic by seed whatever the
 * number of threads. Generated placements are nested: the stations of
 * sites.count = n are exactly the first n of any larger count (same points,
 * townships and order), so that sweeps and bisections on the count see
 * monotone results. The seats strategy's stations 0..T-1 stand at the
 * seats; the drawn ones follow the Webster (Sainte-Laguë) divisor sequence
 * over the township weights, and township t's j-th drawn station's point
 * comes from a counter-based generator keyed by (seed, t, j). A generated
 * station's x, y are those its lon, lat give through the map's projection
 * (drawn, taken to lon, lat, projected back): a sites file holding the
 * lon, lat to 17 digits gives a run exactly the same stations. */
#ifndef TOWNCOV_SITES_H
#define TOWNCOV_SITES_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/sites_config.h"

struct tc_map;

struct tc_sites {
    long n;
    double *x, *y;          /* metric CRS of the map */
    double *lon, *lat;      /* WGS 84 degrees */
    int *township;          /* index into map->t, -1 = outside every township */
    char **id;              /* NULL for generated sites (id = index + 1) */
    struct radio_site *radio; /* per-station overrides; NULL when none */
    unsigned char *zone;    /* strategy = demand: the zone each stands in
                             * (SITES_ZONE_*); NULL otherwise */
};

enum sites_zone { SITES_ZONE_NONE, SITES_ZONE_BUILTUP, SITES_ZONE_RURAL };

/* "built-up", "rural" ("" for none): sites.csv's zone column. */
const char *sites_zone_name(unsigned char zone);

/* Places the stations. base_dir resolves a relative sites file. Returns a
 * set the caller frees with sites_free, or NULL with err set. */
struct tc_sites *sites_place(const struct sites_config *cfg, const struct tc_map *map,
                             unsigned long long seed, const char *base_dir, int threads,
                             FILE *warn, struct tc_error *err);

/* sites_place with the seat areas, which strategy = demand needs (its
 * built-up zones; sites_place passes NULL). */
struct tc_seat_areas;
struct tc_sites *sites_place_on(const struct sites_config *cfg, const struct tc_map *map,
                                const struct tc_seat_areas *seats, unsigned long long seed,
                                const char *base_dir, int threads, FILE *warn,
                                struct tc_error *err);

/* A rank of a province-parallel run draws only some townships' stations
 * (issue 26; sim/run_mpi.c): once the sequence has given every station its
 * township (and zone), choose(ctx, s, draw, err) sets draw[t] (map->n
 * bytes, zeroed) for the townships whose stations are drawn. Those stand
 * exactly where a whole placement puts them; the others keep their
 * township, zone and index but stand at their township's seat (a rank
 * that asked for this uses none of them). choose returns 0, or -1 with
 * err. It is not called for a sites file nor a demand raster (every
 * station then stands where it would). */
struct sites_subset {
    int (*choose)(void *ctx, const struct tc_sites *s, unsigned char *draw,
                  struct tc_error *err);
    void *ctx;
};

/* sites_place_on, drawing only the townships subset->choose picks (NULL:
 * every township, as sites_place_on). */
struct tc_sites *sites_place_some(const struct sites_config *cfg, const struct tc_map *map,
                                  const struct tc_seat_areas *seats, unsigned long long seed,
                                  const char *base_dir, int threads, FILE *warn,
                                  const struct sites_subset *subset, struct tc_error *err);

void sites_free(struct tc_sites **sites);

/* Reads a sites CSV (columns id, lon, lat and optional height_m, power_dbm,
 * azimuths, tilt_deg, found by name; see csv.h for what it accepts) without
 * placing it on a map: x, y and township are not set. cfg gives encoding,
 * id_field, lon_field, lat_field and filter (NULL: the defaults); notes
 * (columns not used, rows filtered) go to warn (may be NULL). NULL with err
 * naming the file and line on bad input. */
struct tc_sites *sites_read_csv(const char *path, const struct sites_config *cfg, FILE *warn,
                                struct tc_error *err);

/* n stations at (x[i], y[i]) of the map's metric CRS in township[i]
 * (generated ids), with lon, lat by the map's inverse projection and x, y
 * then projected back from them, so that a sites file holding these lon,
 * lat gives a run the same x, y. Freed with sites_free; NULL with err. */
struct tc_sites *sites_from_points(const struct tc_map *map, const double *x, const double *y,
                                   const int *township, long n, struct tc_error *err);

/* A sites CSV read with sites_read_csv's defaults and placed on the map
 * like a sites file (projected, located); rows outside every township are
 * dropped with a warning on warn. Freed with sites_free; NULL with err
 * naming the file and line. */
struct tc_sites *sites_read_located(const char *path, const struct tc_map *map, FILE *warn,
                                    struct tc_error *err);

/* The station's id as text (the file's id, or index + 1). buf >= 32. */
const char *sites_id(const struct tc_sites *sites, long i, char *buf, size_t size);

/* Bytes sites_place would allocate for count stations (for the estimate). */
double sites_bytes_estimate(long count);

#endif
