/* output.c — the scenario's [output] section: its key table (see output.h). */
#include "towncov/output.h"

const char *const picture_layer_names[] = {"coverage", "rsrp", "best_server", "sinr", NULL};

const char *const output_format_names[] = {"shapefile", "gpkg", "both", NULL};

const struct key_desc output_keys[] = {
    {"output", "dir", KEY_STRING, offsetof(struct output_config, dir), 0, 0, NULL, "", "",
     "output folder (relative to the current folder); empty: out/<scenario name>"},
    {"output", "layers", KEY_BOOL, offsetof(struct output_config, layers), 0, 0, NULL, "yes",
     "", "write the QGIS layers (townships, coverage, sites, seats .shp with .qml styles) and "
     "towncov.qgs"},
    {"output", "picture", KEY_BOOL, offsetof(struct output_config, picture), 0, 0, NULL, "yes",
     "", "draw map.png"},
    {"output", "picture_layer", KEY_ENUM, offsetof(struct output_config, picture_layer), 0, 0,
     picture_layer_names, "coverage", "", "what map.png fills the map with: the townships' "
     "covered fractions (coverage), or one signal raster read back from its GeoTIFF, in its "
     "style's classes (rsrp, best_server, sinr; needs that raster written)"},
    {"output", "footprints", KEY_BOOL, offsetof(struct output_config, footprints), 0, 0, NULL,
     "no", "", "also export every station's footprint polygon (footprints.shp; needs layers)"},
    {"output", "format", KEY_ENUM, offsetof(struct output_config, format), 0, 0,
     output_format_names, "shapefile", "", "the layers' format: shapefile (.shp with .qml "
     "styles), "
     "gpkg (one towncov.gpkg, styles stored inside, a towncov_run table) or both; "
     "towncov.qgs opens the GeoPackage when it is written. Default shapefile: the "
     "GeoPackage's spatial indexes cost more than 0.5 s on the default run "
     "(docs/formats.md)"},
    {"output", "postgis", KEY_STRING, offsetof(struct output_config, postgis), 0, 0, NULL, "",
     "", "also write the layers as PostGIS tables, in one transaction: PG:dbname=... "
     "host=... user=... (password from PGPASSFILE or the environment, best; never printed); "
     "empty: no database (docs/formats.md)"},
    {"output", "postgis_schema", KEY_STRING, offsetof(struct output_config, postgis_schema), 0,
     0, NULL, "towncov", "", "the schema of the PostGIS tables; a run replaces only the "
     "tables an earlier towncov run made there"},
    {"output", "worst", KEY_INT, offsetof(struct output_config, worst), 0, 1e6, NULL, "10",
     "townships", "failing townships listed in the terminal summary"},
};
const int output_nkeys = (int)(sizeof output_keys / sizeof output_keys[0]);
