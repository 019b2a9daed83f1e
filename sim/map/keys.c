/* keys.c — the [map] section's keys (see map.h). */
#include "map_internal.h"

#include <stddef.h>

const struct key_desc map_keys[] = {
    {"map", "file", KEY_PATH, offsetof(struct map_config, file), 0, 0, NULL, "", "",
     "township polygons: a shapefile (.shp, read with shapelib) or any vector source GDAL/OGR "
     "opens (GeoPackage .gpkg, GeoJSON, FlatGeobuf .fgb, or a PostGIS table as "
     "PG:dbname=... host=...), relative to the scenario file's folder (docs/formats.md)"},
    {"map", "layer", KEY_STRING, offsetof(struct map_config, layer), 0, 0, NULL, "", "",
     "the layer of map.file when it holds several (a GeoPackage's layer, or schema.table in "
     "PostGIS); empty: the only one"},
    {"map", "code_field", KEY_STRING, offsetof(struct map_config, code_field), 0, 0, NULL,
     "code", "", "attribute holding the township code (unique)"},
    {"map", "name_field", KEY_STRING, offsetof(struct map_config, name_field), 0, 0, NULL,
     "name", "", "attribute holding the township name"},
    {"map", "kind_field", KEY_STRING, offsetof(struct map_config, kind_field), 0, 0, NULL,
     "kind", "",
     "attribute holding the kind (subdistrict, town, township, special, or 街道/镇/乡); "
     "empty or absent: guessed from the name's ending"},
    {"map", "county_field", KEY_STRING, offsetof(struct map_config, county_field), 0, 0, NULL,
     "county", "", "attribute holding the county name (empty: no county)"},
    {"map", "county_code_field", KEY_STRING, offsetof(struct map_config, county_code_field), 0,
     0, NULL, "cnty_code", "", "attribute holding the county code, which tells apart counties "
     "that share a name (absent: counties are told apart by name)"},
    {"map", "seat_lon_field", KEY_STRING, offsetof(struct map_config, seat_lon_field), 0, 0,
     NULL, "seat_lon", "",
     "attribute holding the seat's longitude (degrees); absent: a point inside the polygon"},
    {"map", "seat_lat_field", KEY_STRING, offsetof(struct map_config, seat_lat_field), 0, 0,
     NULL, "seat_lat", "", "attribute holding the seat's latitude (degrees)"},
    {"map", "encoding", KEY_ENCODING, offsetof(struct map_config, encoding), 0, 0, NULL,
     "auto", "",
     "text encoding of the .dbf: auto (the .cpg, else the DBF's language driver, else UTF-8 "
     "when valid and GBK otherwise), utf-8, gbk, or any iconv name (latin1, cp1252, big5...)"},
    {"map", "population", KEY_PATH, offsetof(struct map_config, population), 0, 0, NULL, "",
     "", "county population table (CSV: code, population, urban_share, found by name; e.g. "
     "../maps/census/county_population_2020.csv), joined by county_code_field, relative to the "
     "scenario file: urban people spread over built-up land, rural over the rest (docs/"
     "population.md); empty: no population"},
    {"map", "population_field", KEY_STRING, offsetof(struct map_config, population_field), 0, 0,
     NULL, "", "", "attribute holding each township's population (instead of map.population); "
     "empty: none"},
    {"map", "urban_population_field", KEY_STRING,
     offsetof(struct map_config, urban_population_field), 0, 0, NULL, "", "",
     "attribute holding each township's urban population (with population_field); empty: "
     "people at one density over the township"},
    {"map", "repair", KEY_BOOL, offsetof(struct map_config, repair), 0, 0, NULL, "yes", "",
     "make invalid polygons valid (GEOS MakeValid) with a warning; no: refuse them"},
    {"map", "assume_wgs84", KEY_BOOL, offsetof(struct map_config, assume_wgs84), 0, 0, NULL,
     "yes", "",
     "a map without .prj: take its coordinates as WGS 84 lon/lat (warning) if they fit; "
     "no: refuse it"},
};
const int map_nkeys = (int)(sizeof map_keys / sizeof map_keys[0]);
