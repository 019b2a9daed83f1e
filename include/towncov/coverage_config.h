/* coverage_config.h — the [coverage] section: plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_COVERAGE_CONFIG_H
#define TOWNCOV_COVERAGE_CONFIG_H

#include "towncov/common.h"

/* Scenario section [coverage]; described by cov_keys[]. */
struct cov_config {
    int engine; /* enum cov_engine_id */
};

extern const struct key_desc cov_keys[];
extern const int cov_nkeys;

#endif
