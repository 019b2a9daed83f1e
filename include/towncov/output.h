/* output.h — the scenario's [output] section: what a run writes and where.
 * The report stage (report.h) and the export stage (export.h, picture.h)
 * read it; the pipeline picks the folder. */
#ifndef TOWNCOV_OUTPUT_H
#define TOWNCOV_OUTPUT_H

#include "towncov/common.h"

/* What map.png paints under the borders: township colours, or one raster
 * (PICTURE_RSRP + k is enum raster_layer k). */
enum picture_layer { PICTURE_COVERAGE, PICTURE_RSRP, PICTURE_BEST_SERVER, PICTURE_SINR };

extern const char *const picture_layer_names[]; /* "coverage", ...; NULL-terminated */

/* The vector layers' format: shapefiles (+ .qml), towncov.gpkg, or both. */
enum output_format { OUTPUT_SHAPEFILE, OUTPUT_GPKG, OUTPUT_BOTH };
extern const char *const output_format_names[]; /* "shapefile", "gpkg", "both" */

/* Scenario section [output]; described by output_keys[]. */
struct output_config {
    char dir[TC_STR_MAX];  /* "" = out/<scenario name> */
    int layers;            /* write the QGIS layers, styles and project */
    int picture;           /* draw map.png */
    int footprints;        /* also export each station's footprint */
    long worst;            /* failing townships listed in the summary */
    int picture_layer;     /* enum picture_layer: what map.png fills the map with */
    int format;            /* enum output_format: the layers' file format */
    char postgis[TC_STR_MAX];        /* "PG:..." connection string; "" = no PostGIS */
    char postgis_schema[TC_STR_MAX]; /* the schema of its tables */
};

extern const struct key_desc output_keys[];
extern const int output_nkeys;

#endif
