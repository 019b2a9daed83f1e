/* keys.c — the [sites] section's keys and the station set's own
 * allocation (see sites.h). */
#include "sites_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const strategy_names[] = {"uniform", "weighted", "seats", "file", "demand",
                                             NULL};
static const char *const outside_names[] = {"error", "drop", "keep", NULL};

#define WEIGHT_KEY(kind, field, def, what)                                                  \
    {"sites", "weight_" field, KEY_DOUBLE,                                                  \
     offsetof(struct sites_config, weight) + (kind) * sizeof(double), 0, 1e6, NULL, def, "", \
     "weighted/seats: relative station density (per km2) in " what}

const struct key_desc sites_keys[] = {
    {"sites", "strategy", KEY_ENUM, offsetof(struct sites_config, strategy), 0, 0,
     strategy_names, "weighted", "",
     "uniform: area-proportional; weighted: area x kind weight; seats: one at every seat "
     "first, the rest weighted; demand: in proportion to people, by zone (each township's "
     "built-up and rural parts; needs [map] population; docs/population.md); file: read "
     "sites.file"},
    {"sites", "count", KEY_INT, offsetof(struct sites_config, count), 0, 1e15, NULL, "65000",
     "stations", "how many stations to place (ignored by strategy = file); nested: the first n "
     "stations are the same for any larger count"},
    {"sites", "file", KEY_PATH, offsetof(struct sites_config, file), 0, 0, NULL, "", "",
     "CSV of real sites (strategy = file), relative to the scenario file's folder: columns "
     "id, lon, lat and optional height_m, power_dbm, azimuths, tilt_deg, found by name; "
     "or a point layer GDAL/OGR opens (.gpkg, .geojson, .fgb, PG:...) with those columns "
     "(docs/formats.md)"},
    {"sites", "encoding", KEY_ENCODING, offsetof(struct sites_config, encoding), 0, 0, NULL,
     "auto", "",
     "text encoding of sites.file: auto (UTF-8 with a byte-order mark or when the whole file "
     "is valid UTF-8, else GBK), utf-8, gbk, or any iconv name (big5, latin1...)"},
    {"sites", "id_field", KEY_STRING, offsetof(struct sites_config, id_field), 0, 0, NULL, "id",
     "", "column of sites.file holding the station id (any text, kept whole; e.g. cell)"},
    {"sites", "lon_field", KEY_STRING, offsetof(struct sites_config, lon_field), 0, 0, NULL, "",
     "", "column holding the longitude (degrees); empty: lon, lng or longitude"},
    {"sites", "lat_field", KEY_STRING, offsetof(struct sites_config, lat_field), 0, 0, NULL, "",
     "", "column holding the latitude (degrees); empty: lat or latitude"},
    {"sites", "filter", KEY_STRING, offsetof(struct sites_config, filter), 0, 0, NULL, "", "",
     "COLUMN=VALUE: read only the rows of sites.file whose COLUMN equals VALUE "
     "(case-insensitive), e.g. radio=NR; empty: every row"},
    WEIGHT_KEY(KIND_SUBDISTRICT, "subdistrict", "8", "subdistricts (urban)"),
    WEIGHT_KEY(KIND_TOWN, "town", "2", "towns"),
    WEIGHT_KEY(KIND_TOWNSHIP, "township", "1", "townships (rural)"),
    WEIGHT_KEY(KIND_SPECIAL, "special", "1", "special zones (farms, development zones)"),
    {"sites", "outside", KEY_ENUM, offsetof(struct sites_config, outside), 0, 0, outside_names,
     "error", "",
     "a file site outside every township: error, drop it (warning), or keep it (it covers "
     "across the border)"},
    {"sites", "min_per_township", KEY_INT, offsetof(struct sites_config, min_per_township), 0,
     1e6, NULL, "0", "stations",
     "demand: a floor of stations in every township (in its built-up zone), placed first; the "
     "rest go by people"},
    {"sites", "density", KEY_PATH, offsetof(struct sites_config, density), 0, 0, NULL, "", "",
     "demand: a raster of people per cell (any GDAL raster, its CRS read by GDAL: WorldPop, "
     "GHS-POP...), relative to the scenario file: stations drawn in proportion to its people "
     "within each township, cell by cell, instead of by the population's zones"},
};
const int sites_nkeys = (int)(sizeof sites_keys / sizeof sites_keys[0]);

double sites_bytes_estimate(long count)
{
    return (double)count * (6 * sizeof(double) + sizeof(int));
}

struct tc_sites *sites_alloc(long n)
{
    struct tc_sites *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    size_t m = (size_t)(n > 0 ? n : 1);
    s->x = malloc(m * sizeof *s->x);
    s->y = malloc(m * sizeof *s->y);
    s->lon = malloc(m * sizeof *s->lon);
    s->lat = malloc(m * sizeof *s->lat);
    s->township = malloc(m * sizeof *s->township);
    if (!s->x || !s->y || !s->lon || !s->lat || !s->township)
        sites_free(&s);
    return s;
}

void sites_free(struct tc_sites **ps)
{
    struct tc_sites *s = *ps;
    if (!s)
        return;
    if (s->id)
        for (long i = 0; i < s->n; i++)
            free(s->id[i]);
    free(s->id);
    free(s->radio);
    free(s->x);
    free(s->y);
    free(s->lon);
    free(s->lat);
    free(s->township);
    free(s->zone);
    free(s);
    *ps = NULL;
}

const char *sites_id(const struct tc_sites *sites, long i, char *buf, size_t size)
{
    if (sites->id)
        return sites->id[i];
    snprintf(buf, size, "%ld", i + 1);
    return buf;
}

