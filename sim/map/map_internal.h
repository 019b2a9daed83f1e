/* map_internal.h — what the map loader's files share (private to sim/map/):
 * the loader's working state, one record's job, and the functions one file
 * gives another. See map.h for the stage's public interface. */
#ifndef TOWNCOV_MAP_INTERNAL_H
#define TOWNCOV_MAP_INTERNAL_H

#include <geos_c.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>

#include "towncov/map.h"
#include "towncov/ogrread.h"
#include "towncov/shpio.h"
#include "towncov/textenc.h"
#include "towncov/worker.h"

/* Geographic maps are densified to this step (degrees) before projection:
 * an edge straight in lon/lat is curved in the metric CRS, and longer edges
 * make areas drift from geodesic by 0.1-0.2 % on Jiangxi's county data.
 * That fixed step is kept where the metric CRS's scale error stays within
 * PROJECTION_SCALE_TOL over the map (a province); on wider maps edges are
 * densified by the projection's error instead (DENSIFY_BY_ERROR). */
#define DENSIFY_DEGREES 0.005
#define DENSIFY_METRES 500.0
#define DENSIFY_BY_ERROR 0.0

/* Longitudes this far past +-180 (rounding in the data's making, as
 * Natural Earth's 180.00000000000006) are taken as +-180, latitudes this
 * far past a pole as the pole (a world map's Antarctica at
 * -90.00000000000001): the range of lon/lat is closed. */
#define LON_SLACK 1e-9

/* ---- the loader's working state -----------------------------------------*/
struct loader {
    const struct map_config *cfg;
    char shp_path[TC_PATH_MAX]; /* the source as messages name it */
    struct ogr_table *ogr; /* any source but a shapefile (ogr_source.c); else: */
    SHPHandle shp;
    DBFHandle dbf;
    char *base;        /* shp_path without ".shp": the sidecars' stem */
    char encoding[TEXTENC_NAME_MAX]; /* iconv name, "" = guess per string */
    int shp_type;      /* the type the .shp header declares */
    int deleted;       /* DBF records marked deleted (skipped) */
    int cut_texts;     /* texts a writer cut inside a character */
    int first_deleted, first_cut; /* their first records, -1: none */
    int f_code, f_name, f_kind, f_county, f_county_code, f_lon, f_lat;
    int f_pop, f_urban;   /* [map] population_field, urban_population_field; -1: none */
    PJ_CONTEXT *pj_ctx;
    PJ *src_to_metric;  /* source CRS -> metric */
    PJ *geo_to_metric;  /* geodetic lon/lat of the source's datum -> metric */
    char *geo_wkt;      /* that geodetic CRS */
    char *geo_def;      /* geo_to_metric as a PROJ pipeline, or NULL */
    int geographic;     /* the source CRS is lon/lat */
    FILE *warn;
    int threads;
    const char *given_metric; /* a layer joined to a map: its metric CRS */
    int names_optional;       /* a layer joined to a map: no name field needed */
    const char *code_key;     /* the key naming cfg->code_field, for messages; NULL:
                                 map.code_field */
    struct tc_map *map;
};

/* What the parallel part of loading learns about one record; reported
 * serially, in record order, so messages do not depend on threads. */
struct record_job {
    SHPObject *obj;
    char *warning;            /* repair warnings, "" or NULL when none */
    struct shpio_drops drops; /* parts with no area that were dropped */
    int repaired;
    int failed;
    struct tc_error err;
};

/* Each thread's worker (worker.h) holds its GEOS context and its clones of
 * these transformations, in this order. */
enum { MAP_PJ_SRC_TO_METRIC, MAP_PJ_GEO_TO_METRIC, MAP_NPJ };

/* A record as messages name it: "record 3 (FID 2)" in a shapefile,
 * "feature 3 (FID 17)" in another source (its own FID). Use as
 * printf(MAP_REC_FMT, MAP_REC(ld, index)). */
#define MAP_REC_FMT "%s %d (FID %lld)"
#define MAP_REC(ld, rec) map_rec_word(ld), (rec) + 1, map_rec_fid(ld, rec)

/* ogr_source.c: a source other than a shapefile, read through OGR */
int map_ogr_open(struct loader *ld, const char *path, struct tc_error *err);
int map_source_count(const struct loader *ld);
void map_source_bounds(const struct loader *ld, double lo[4], double hi[4]);
const char *map_rec_word(const struct loader *ld);
long long map_rec_fid(const struct loader *ld, int rec);
int map_ogr_find_field(struct loader *ld, const char *name, int required, const char *key,
                       int *index, struct tc_error *err);
char *map_ogr_text(const struct loader *ld, int rec, int field);
int map_ogr_is_null(const struct loader *ld, int rec, int field);
double map_ogr_number(const struct loader *ld, int rec, int field);
SHPObject *map_ogr_take_shape(struct loader *ld, int rec);
void map_ogr_fix_message(const struct loader *ld, int rec, char *msg, size_t size);

/* crs.c: coordinate systems: the source CRS, the metric CRS, densify and project */
int map_trans_point(double *x, double *y, void *userdata);
GEOSGeometry *map_densify_project(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step, PJ *pj, double seed);
double map_clamp_longitude(double x);
double map_clamp_latitude(double y);
/* A vertex of g (source coordinates) that pj cannot project, for the
 * message that says which: 1 with *x, *y set, 0 when each projects. */
int map_unprojectable_vertex(GEOSContextHandle_t ctx, const GEOSGeometry *g, PJ *pj, double *x,
                             double *y);
PJ *map_make_transform(PJ_CONTEXT *ctx, const PJ *from, const PJ *to);
int map_setup_crs(struct loader *ld, struct tc_error *err);
double map_densify_step(const struct loader *ld);
double map_densify_seed(const struct loader *ld);

/* open.c: opening the files, the encoding, the attribute fields */
void map_trim(char *s);
int map_open_files(struct loader *ld, const char *base_dir, struct tc_error *err);
int map_find_fields(struct loader *ld, struct tc_error *err);

/* records.c: reading each record's attributes and shape (serial: shapelib),
 * then, with the CRS known, their coordinates checked */
int map_read_records(struct loader *ld, struct record_job *jobs, struct tc_error *err);
int map_records_finish(struct loader *ld, struct record_job *jobs, int read_rc,
                       const struct tc_error *read_err, struct tc_error *err);

/* repair.c: parts with no area, validity and repair, their warnings */
GEOSGeometry *map_make_valid(const struct loader *ld, struct tc_worker *w, GEOSGeometry *g, PJ *to_input, const struct township *t, struct record_job *job);
GEOSGeometry *map_record_polygon(const struct loader *ld, GEOSContextHandle_t ctx, const struct township *t, struct record_job *job);
void map_report_drops(struct loader *ld, const struct record_job *jobs);

/* build.c: each township's geometry, built in parallel */
int map_build_townships(struct loader *ld, struct record_job *jobs, struct tc_error *err);

#endif
