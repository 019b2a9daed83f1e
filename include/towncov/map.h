/* map.h — stage 2: the township map. Loads a polygon shapefile of any
 * province (shapelib), reads its .prj (PROJ) and .cpg (iconv), and holds
 * every township in an equal-area metric CRS built for the map's extent. */
#ifndef TOWNCOV_MAP_H
#define TOWNCOV_MAP_H

#include <geos_c.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/map_config.h"

struct township {
    char *code;       /* UTF-8, whole as read; owned by the map */
    char *name;       /* UTF-8, whole */
    char *county;     /* UTF-8, whole; "" when the map has none */
    char *county_code;/* "" when the map has no county codes */
    int county_id;    /* 0..map->n_counties-1: one per county (by code, else name) */
    enum tc_kind kind;
    int record;       /* the record's FID in the shapefile (0-based) */
    GEOSGeometry *geom; /* (Multi)Polygon in the metric CRS; owned by the map */
    double area_m2;
    double seat_x, seat_y;     /* metric CRS */
    double seat_lon, seat_lat; /* degrees, WGS 84 */
    int seat_given;            /* 1: from the seat attributes (may lie outside the
                                  polygon: a GCJ-02 offset, say); 0: a point inside it */
    double xmin, ymin, xmax, ymax; /* envelope, metric CRS */
    /* People (population.h), when the map has them (map->has_population).
     * population and urban_population hold the township figures as read
     * ([map] population_field; urban -1: no such field) until
     * population_apply completes them. */
    long population, urban_population, rural_population;
    long pop_builtup;   /* people living on its built-up zone; the rest on its rural zone */
    double builtup_m2;  /* its built-up zone's area (a subdistrict whole, else its seat area) */
};

struct tc_map {
    int n;
    struct township *t;        /* sorted by code */
    char source_file[TC_PATH_MAX];
    char *source_wkt;          /* the .prj text; NULL when it had none */
    char *geo_wkt;             /* the lon/lat CRS of the map's datum (seats, reports) */
    char *geo_to_metric_def;   /* geo_wkt -> metric_crs as a PROJ pipeline, so that
                                  map_proj_new needs no database search; NULL: none */
    char metric_crs[256];      /* PROJ string of the equal-area CRS */
    double scale_error;        /* its worst relative scale error over the extent;
                                  past PROJECTION_SCALE_TOL, edges and footprints
                                  are corrected (projection.h) */
    double lon_min, lat_min, lon_max, lat_max; /* extent, degrees */
    double xmin, ymin, xmax, ymax;             /* extent, metric CRS */
    double total_area_m2;
    int n_counties;            /* distinct counties (t[i].county_id) */
    int has_population;        /* townships carry people (population.h) */
    int carries_people;        /* the file has mapgen --population's fields
                                  (population, urban_pop), used or not */
    int repaired;              /* records made valid */
    int parts_dropped;         /* parts with no area dropped (map.repair) */
    int repair;                /* map.repair as loaded: layers read onto this map (its
                                  seat areas) are repaired, or refused, as it was */
    GEOSContextHandle_t ctx;   /* created the geometries; owned */
};

/* Loads the map described by cfg; relative paths are taken from base_dir
 * (the scenario file's folder; NULL = current folder). Geometry work runs on
 * `threads` OpenMP threads; the result does not depend on their number.
 * Warnings go to warn (may be NULL), in record order. Returns a map the
 * caller frees with map_free, or NULL with err set, naming the file and the
 * record. */
struct tc_map *map_load(const struct map_config *cfg, const char *base_dir, int threads,
                        FILE *warn, struct tc_error *err);

/* Loads another polygon layer keyed by code (seat areas) in the metric CRS
 * of the map `onto`, read, validated and repaired exactly as a map (so its
 * errors name the file and the record); cfg's name, county and kind fields
 * may be absent. code_key names the scenario key of cfg->code_field in the
 * error when the layer lacks it ("map.seat_area_code_field"). Freed with
 * map_free. */
struct tc_map *map_load_layer(const struct map_config *cfg, const char *code_key,
                              const char *base_dir, const struct tc_map *onto, int threads,
                              FILE *warn, struct tc_error *err);

void map_free(struct tc_map **map);

/* Index of the township whose code is `code` (the map is sorted by code),
 * or -1. */
int map_find_code(const struct tc_map *map, const char *code);

/* A transformation between the map's metric CRS and WGS 84 lon/lat, for one
 * thread (PROJ objects are not shared between threads). */
struct map_proj;
struct map_proj *map_proj_new(const struct tc_map *map, struct tc_error *err);
void map_proj_free(struct map_proj **p);
/* The same between the map's metric CRS and another CRS (WKT or PROJ
 * text: a raster's), x, y in that CRS's visualisation order (lon, lat;
 * easting, northing). NULL with err (exit 5) when PROJ cannot. */
struct map_proj *map_proj_new_from(const struct tc_map *map, const char *crs,
                                   struct tc_error *err);
/* In-place, n points; inverse = metric -> lon/lat. Returns 0 or -1. */
int map_proj_trans(struct map_proj *p, int inverse, double *x, double *y, long n);

/* Index of the township containing point (x, y) of the metric CRS, or -1,
 * or MAP_LOCATE_FAILED when GEOS failed (out of memory, mostly).
 * When townships overlap (real county data does, slightly) the one with
 * the lowest index wins, so the answer never depends on thread order.
 * Not thread-safe on one locator; make one per thread. */
struct map_locator;
struct map_locator *map_locator_new(const struct tc_map *map, GEOSContextHandle_t ctx);
void map_locator_free(struct map_locator **loc);
#define MAP_LOCATE_FAILED (-2)
int map_locate(struct map_locator *loc, double x, double y);

#endif
