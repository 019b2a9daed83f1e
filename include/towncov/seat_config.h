/* seat_config.h — seat-area keys of [map] and [goal]: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_SEAT_CONFIG_H
#define TOWNCOV_SEAT_CONFIG_H

#include "towncov/common.h"

/* Keys of [map] (the layer) and [goal] (the model); seat_keys[]. */
struct seat_config {
    char areas_file[TC_STR_MAX];  /* [map] seat_areas: polygon shapefile, "" = none */
    char code_field[TC_STR_MAX];  /* [map] seat_area_code_field */
    char key_points[TC_STR_MAX];  /* [map] key_points: CSV code,kind,lon,lat; "" = none */
    double radius_m[KIND_COUNT];  /* [goal] seat_radius_<kind>_m; 0 = the whole township */
};

extern const struct key_desc seat_keys[];
extern const int seat_nkeys;

#endif
