/* raster_config.h — the [raster] section (signal rasters): plain data the
 * scenario file fills (scenario.h embeds it); raster.h includes it. */
#ifndef TOWNCOV_RASTER_CONFIG_H
#define TOWNCOV_RASTER_CONFIG_H

#include "towncov/common.h"

/* The rasters a run can write, in the order they are written. */
enum raster_layer { RASTER_RSRP, RASTER_BEST_SERVER, RASTER_SINR, RASTER_SERVERS,
                    RASTER_LAYER_COUNT };

extern const char *const raster_layer_names[]; /* "rsrp", ...; NULL-terminated */

/* Scenario section [raster]; described by raster_keys[]. */
struct raster_config {
    double resolution_m;       /* cell size in the map's metric CRS; 0 = no rasters */
    char layers[TC_STR_MAX];   /* comma-separated subset of raster_layer_names */
    double load;               /* share of REs the interfering stations transmit on */
    double ue_noise_figure_db; /* for SINR's thermal noise */
    int cog;                   /* copy each GeoTIFF into a Cloud Optimized GeoTIFF */
    long deflate_level;        /* DEFLATE level of the files written (1 fastest) */
    int sparse;                /* leave tiles all nodata out of the files */
};

extern const struct key_desc raster_keys[];
extern const int raster_nkeys;

/* The layers cfg names, as bits 1 << enum raster_layer, into *mask.
 * Returns 0, or -1 with err naming the unknown word (exit code: scenario). */
int raster_config_layers(const struct raster_config *cfg, unsigned *mask, struct tc_error *err);

#endif
