/* sites.h — stage 3: where the stations stand. Placement by strategy
 * (uniform, weighted, seats, file), deterministic by seed whatever the
 * number of threads: site i's coordinates come from a counter-based
 * generator keyed by (seed, i). */
#ifndef TOWNCOV_SITES_H
#define TOWNCOV_SITES_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/radio.h"

struct tc_map;

enum sites_strategy { SITES_UNIFORM, SITES_WEIGHTED, SITES_SEATS, SITES_FILE };

/* Scenario section [sites]; described by sites_keys[]. */
struct sites_config {
    int strategy;               /* enum sites_strategy */
    long count;
    char file[TC_STR_MAX];      /* CSV for strategy = file */
    double weight[KIND_COUNT];  /* relative station density per km2, per kind */
    int outside;                /* file sites outside every township: enum */
};

enum sites_outside { SITES_OUTSIDE_ERROR, SITES_OUTSIDE_DROP, SITES_OUTSIDE_KEEP };

extern const struct key_desc sites_keys[];
extern const int sites_nkeys;

struct tc_sites {
    long n;
    double *x, *y;          /* metric CRS of the map */
    double *lon, *lat;      /* WGS 84 degrees */
    int *township;          /* index into map->t, -1 = outside every township */
    char **id;              /* NULL for generated sites (id = index + 1) */
    struct radio_site *radio; /* per-station overrides; NULL when none */
};

/* Places the stations. base_dir resolves a relative sites file. Returns a
 * set the caller frees with sites_free, or NULL with err set. */
struct tc_sites *sites_place(const struct sites_config *cfg, const struct tc_map *map,
                             unsigned long long seed, const char *base_dir, int threads,
                             FILE *warn, struct tc_error *err);

void sites_free(struct tc_sites **sites);

/* Reads a sites CSV (id,lon,lat[,height_m,power_dbm,azimuths,tilt_deg]) without
 * placing it on a map: x, y and township are not set. NULL with err naming
 * the file and line on bad input. */
struct tc_sites *sites_read_csv(const char *path, struct tc_error *err);

/* The station's id as text (the file's id, or index + 1). buf >= 32. */
const char *sites_id(const struct tc_sites *sites, long i, char *buf, size_t size);

/* Bytes sites_place would allocate for count stations (for the estimate). */
double sites_bytes_estimate(long count);

#endif
