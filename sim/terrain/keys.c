/* terrain/keys.c — the [terrain] scenario keys, their cross-key check and
 * the report of missing heights (see terrain_config.h, terrain.h). */
#include "terrain_internal.h"

#include <stddef.h>

const char *const terrain_model_names[] = {"none", "delta-bullington", NULL};
static const char *const missing_names[] = {"warn", "error", NULL};
static const char *const polarization_names[] = {"vertical", "horizontal", NULL};

#define TOFF(field) offsetof(struct terrain_config, field)

const struct key_desc terrain_keys[] = {
    {"terrain", "model", KEY_ENUM, TOFF(model), 0, 0, terrain_model_names, "none", "",
     "none: flat ground (results as without a DEM); delta-bullington: footprints lose the "
     "terrain excess of ITU-R P.526-15 §4.5 over the DEM's profiles (needs dem; the signal "
     "rasters stay flat-ground for now, docs/terrain.md)"},
    {"terrain", "dem", KEY_PATH, TOFF(dem), 0, 0, NULL, "", "",
     "elevation model: any raster GDAL opens (GeoTIFF, SRTM .hgt, a VRT of tiles), in any "
     "CRS, heights in metres above sea level; relative to the scenario's folder"},
    {"terrain", "k_factor", KEY_DOUBLE, TOFF(k_factor), 0.5, 100, NULL, "1.3333333333333333", "",
     "effective earth radius factor (k 6371 km): 4/3, the median atmosphere (refractivity "
     "gradient about -40 N-units/km, ITU-R P.453)"},
    {"terrain", "ground_eps_r", KEY_DOUBLE, TOFF(ground_eps_r), 1, 100, NULL, "22", "",
     "relative permittivity of the ground in the spherical-earth term (land, as ITU-R "
     "P.1812/P.452 take it)"},
    {"terrain", "ground_sigma", KEY_DOUBLE, TOFF(ground_sigma), 0, 100, NULL, "0.003", "S/m",
     "conductivity of the ground in the spherical-earth term (land, as ITU-R P.1812/P.452)"},
    {"terrain", "polarization", KEY_ENUM, TOFF(polarization), 0, 0, polarization_names,
     "vertical", "", "polarization for the spherical-earth term of pathloss --profile (no "
     "effect on the terrain excess, hence on footprints)"},
    {"terrain", "missing", KEY_ENUM, TOFF(missing), 0, 0, missing_names, "warn", "",
     "heights the DEM lacks (nodata, or outside it): warn (how many; each takes the last "
     "known height toward the station) or error (exit 4)"},
    {"terrain", "memory_mb", KEY_DOUBLE, TOFF(memory_mb), 1, 1e6, NULL, "1500", "MB",
     "largest DEM window held in memory, checked before it is read (exit 6)"},
};
const int terrain_nkeys = (int)(sizeof terrain_keys / sizeof terrain_keys[0]);

int terrain_config_check(const struct terrain_config *cfg, struct tc_error *err)
{
    if (cfg->model == TERRAIN_DELTA_BULLINGTON && !cfg->dem[0])
        return tc_fail(err, TC_EXIT_SCENARIO, "terrain.model = delta-bullington needs "
                       "terrain.dem");
    return 0;
}

int terrain_report_missing(const struct terrain_config *cfg, const struct terrain_missing_info *m,
                           FILE *log, struct tc_error *err)
{
    if (m->missing == 0)
        return 0;
    double share = m->samples > 0 ? 100.0 * m->missing / m->samples : 100;
    if (cfg->missing == TERRAIN_MISSING_ERROR)
        return tc_fail(err, TC_EXIT_MAP, "%s: %ld of %ld heights along the profiles (%.2f %%) "
                       "are nodata or outside the DEM (terrain.missing = error)", cfg->dem,
                       m->missing, m->samples, share);
    if (log)
        fprintf(log, "towncov: warning: %s: %ld of %ld heights along the profiles (%.2f %%) are "
                "nodata or outside the DEM; each was taken as the last known height toward its "
                "station (a station on missing ground: flat ground, no terrain loss)\n", cfg->dem,
                m->missing, m->samples, share);
    return 0;
}

int terrain_report_raster_missing(const struct terrain_config *cfg, long pairs, long missing,
                                  FILE *log, struct tc_error *err)
{
    if (missing == 0)
        return 0;
    double share = pairs > 0 ? 100.0 * missing / pairs : 100;
    if (cfg->missing == TERRAIN_MISSING_ERROR)
        return tc_fail(err, TC_EXIT_MAP, "%s: signal rasters: %ld of %ld station-cell profiles "
                       "(%.2f %%) cross nodata or leave the DEM (terrain.missing = error)",
                       cfg->dem, missing, pairs, share);
    if (log)
        fprintf(log, "towncov: warning: %s: signal rasters: %ld of %ld station-cell profiles "
                "(%.2f %%) cross nodata or leave the DEM; each missing height was taken as the "
                "last known one toward the station (a station on missing ground: no terrain "
                "loss)\n", cfg->dem, missing, pairs, share);
    return 0;
}
