/* terrain_config.h — the [terrain] section (elevation model and diffraction
 * over the ground): plain data the scenario file fills (scenario.h embeds
 * it); terrain.h includes it. */
#ifndef TOWNCOV_TERRAIN_CONFIG_H
#define TOWNCOV_TERRAIN_CONFIG_H

#include "towncov/common.h"

enum terrain_model { TERRAIN_NONE, TERRAIN_DELTA_BULLINGTON };
enum terrain_missing { TERRAIN_MISSING_WARN, TERRAIN_MISSING_ERROR };
enum terrain_polarization { TERRAIN_POL_VERTICAL, TERRAIN_POL_HORIZONTAL };

/* Scenario section [terrain]; every field is described in terrain_keys[]. */
struct terrain_config {
    int model;               /* enum terrain_model */
    char dem[TC_STR_MAX];    /* any raster GDAL opens; "" = none */
    double k_factor;         /* effective earth radius factor */
    double ground_eps_r;     /* relative permittivity (spherical-earth term) */
    double ground_sigma;     /* conductivity, S/m */
    int polarization;        /* enum terrain_polarization */
    int missing;             /* enum terrain_missing */
    double memory_mb;        /* bound on the DEM held in memory */
};

extern const struct key_desc terrain_keys[];
extern const int terrain_nkeys;
extern const char *const terrain_model_names[];

/* Cross-key checks (model needs dem); 0 or -1 with err set (exit 3). */
int terrain_config_check(const struct terrain_config *cfg, struct tc_error *err);

#endif
