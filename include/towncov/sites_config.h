/* sites_config.h — the [sites] section: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_SITES_CONFIG_H
#define TOWNCOV_SITES_CONFIG_H

#include "towncov/common.h"

enum sites_strategy { SITES_UNIFORM, SITES_WEIGHTED, SITES_SEATS, SITES_FILE };

/* Scenario section [sites]; described by sites_keys[]. */
struct sites_config {
    int strategy;               /* enum sites_strategy */
    long count;                 /* generated stations; nested in the count (sites.h) */
    char file[TC_STR_MAX];      /* CSV for strategy = file */
    char encoding[TC_STR_MAX];  /* its text: auto, utf-8, gbk or an iconv name */
    char id_field[TC_STR_MAX];  /* its columns: the id ("" = id) */
    char lon_field[TC_STR_MAX]; /* "" = lon, lng or longitude */
    char lat_field[TC_STR_MAX]; /* "" = lat or latitude */
    char filter[TC_STR_MAX];    /* COLUMN=VALUE: only matching rows; "" = all */
    double weight[KIND_COUNT];  /* relative station density per km2, per kind:
                                 * township weight = area x this (weighted, seats) */
    int outside;                /* file sites outside every township: enum */
};

/* The most sectors one station may have (the radio model's limit too). */
#define SITE_MAX_SECTORS 12

/* What a sites file may say of one station's antenna (the sites stage
 * reads it; the radio model uses it); NaN (or n_azimuths == 0) means
 * "use the scenario's default for the station's kind". tilt_deg is the
 * mechanical downtilt (replaces mtilt_<kind>_deg); height_m the antenna
 * height above ground; power_dbm the total transmit power. */
struct radio_site {
    double height_m;
    double power_dbm;
    double tilt_deg;
    int n_azimuths;
    double azimuth_deg[SITE_MAX_SECTORS]; /* clockwise from north */
};

enum sites_outside { SITES_OUTSIDE_ERROR, SITES_OUTSIDE_DROP, SITES_OUTSIDE_KEEP };

extern const struct key_desc sites_keys[];
extern const int sites_nkeys;

#endif
