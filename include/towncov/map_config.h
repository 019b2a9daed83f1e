/* map_config.h — the [map] section: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_MAP_CONFIG_H
#define TOWNCOV_MAP_CONFIG_H

#include "towncov/common.h"

/* Scenario section [map]; described by map_keys[]. */
struct map_config {
    char file[TC_STR_MAX];         /* polygon shapefile (.shp) or any OGR source */
    char layer[TC_STR_MAX];        /* the layer of a source holding several */
    char code_field[TC_STR_MAX];
    char name_field[TC_STR_MAX];
    char kind_field[TC_STR_MAX];   /* "" or absent field: kind from the name */
    char county_field[TC_STR_MAX];
    char county_code_field[TC_STR_MAX]; /* tells counties apart; absent: by name */
    char seat_lon_field[TC_STR_MAX];
    char seat_lat_field[TC_STR_MAX];
    char encoding[TC_STR_MAX];     /* auto, utf-8, gbk or an iconv name */
    char population[TC_STR_MAX];   /* county table (population.h); "" = none */
    char population_field[TC_STR_MAX];       /* township figures instead; "" = none */
    char urban_population_field[TC_STR_MAX]; /* their urban part; "" = none */
    int repair;                    /* make invalid polygons valid (warn) */
    int assume_wgs84;              /* no .prj: take lon/lat WGS 84 */
};

extern const struct key_desc map_keys[];
extern const int map_nkeys;

#endif
