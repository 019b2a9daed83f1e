/* goal_config.h — the [goal] section: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_GOAL_CONFIG_H
#define TOWNCOV_GOAL_CONFIG_H

#include "towncov/common.h"

/* Scenario section [goal]; described by goal_keys[]. */
struct goal_config {
    int seat_covered;            /* a township needs its seat covered */
    double min_covered_fraction; /* and at least this fraction covered */
};

extern const struct key_desc goal_keys[];
extern const int goal_nkeys;

#endif
