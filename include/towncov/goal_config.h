/* goal_config.h — the [goal] section: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_GOAL_CONFIG_H
#define TOWNCOV_GOAL_CONFIG_H

#include "towncov/common.h"

/* Scenario section [goal]; described by goal_keys[]. */
struct goal_config {
    double seat_area_min_fraction; /* share of the seat area (镇区) to cover; 0 = not judged */
    double min_covered_fraction;   /* share of the whole township; 0 = not judged */
    int seat_covered;              /* the seat point (township government) covered */
    int key_points;                /* enum goal_key_points */
    double population_min_fraction; /* share of the township's people; 0 = not judged */
};

/* [goal] key_points: a township's key points must be covered all, any
 * (at least one), or none (not judged). Townships without any are not
 * judged on them. */
enum goal_key_points { GOAL_KEYS_NONE, GOAL_KEYS_ALL, GOAL_KEYS_ANY };

extern const struct key_desc goal_keys[];
extern const int goal_nkeys;

#endif
