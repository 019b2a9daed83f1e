/* sweep_config.h — the [sweep] section: how `towncov sweep` repeats and
 * filters the members the scenario's iterations give (sweep_space.h reads
 * the iterations themselves). Plain data the scenario file fills. */
#ifndef TOWNCOV_SWEEP_CONFIG_H
#define TOWNCOV_SWEEP_CONFIG_H

#include "towncov/common.h"

/* Scenario section [sweep]; described by sweep_keys[]. */
struct sweep_config {
    long repeat;                /* repetitions of each member, seeds seed, seed+1, ... */
    char constraint[TC_STR_MAX]; /* expression over the iteration variables; "" = all */
};

extern const struct key_desc sweep_keys[];
extern const int sweep_nkeys;

#endif
