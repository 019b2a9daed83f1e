/* raster/keys.c — the [raster] scenario keys (see raster_config.h). */
#include "towncov/raster_config.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

const char *const raster_layer_names[] = {"rsrp", "best_server", "sinr", "servers", NULL};

const struct key_desc raster_keys[] = {
    {"raster", "resolution_m", KEY_DOUBLE, offsetof(struct raster_config, resolution_m), 0, 1e6,
     NULL, "500", "m", "cell size of the signal rasters (GeoTIFF) in the map's equal-area CRS; "
     "0 = no rasters"},
    {"raster", "layers", KEY_STRING, offsetof(struct raster_config, layers), 0, 0, NULL,
     "rsrp, best_server, sinr, servers", "", "which rasters to write: any of rsrp, best_server, "
     "sinr, servers, comma-separated"},
    {"raster", "load", KEY_DOUBLE, offsetof(struct raster_config, load), 0, 1, NULL, "0.5", "",
     "share of resource elements the interfering stations transmit on (SINR)"},
    {"raster", "ue_noise_figure_db", KEY_DOUBLE,
     offsetof(struct raster_config, ue_noise_figure_db), 0, 30, NULL, "7", "dB",
     "UE noise figure: thermal noise per RE is -174 dBm/Hz + 10 log10(SCS) + this (SINR)"},
    {"raster", "cog", KEY_BOOL, offsetof(struct raster_config, cog), 0, 0, NULL, "yes", "",
     "write Cloud Optimized GeoTIFFs (copied by GDAL's COG driver from the tiled GeoTIFF); no: "
     "the tiled GeoTIFF with internal overviews"},
    {"raster", "deflate_level", KEY_INT, offsetof(struct raster_config, deflate_level), 1, 9,
     NULL, "1", "", "DEFLATE level of the GeoTIFFs: 1 compresses about twice as fast as GDAL's "
     "default 6 for files about 2 % larger (the cells are the same at every level)"},
    {"raster", "sparse", KEY_BOOL, offsetof(struct raster_config, sparse), 0, 0, NULL, "no", "",
     "yes: leave the tiles that are all nodata out of the GeoTIFFs (GDAL, and so QGIS, reads "
     "nodata there; faster to write, but a reader through plain libtiff cannot read them); "
     "no: every tile written, for any reader"},
};
const int raster_nkeys = (int)(sizeof raster_keys / sizeof raster_keys[0]);

int raster_config_layers(const struct raster_config *cfg, unsigned *mask, struct tc_error *err)
{
    *mask = 0;
    const char *p = cfg->layers;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        size_t n = 0;
        while (p[n] && p[n] != ',' && !isspace((unsigned char)p[n]))
            n++;
        if (n == 0)
            break;
        int k = 0;
        while (raster_layer_names[k] &&
               !(strlen(raster_layer_names[k]) == n && strncmp(raster_layer_names[k], p, n) == 0))
            k++;
        if (!raster_layer_names[k])
            return tc_fail(err, TC_EXIT_SCENARIO,
                           "raster.layers: unknown layer \"%.*s\" (rsrp, best_server, sinr, "
                           "servers)", (int)n, p);
        *mask |= 1u << k;
        p += n;
    }
    return 0;
}
