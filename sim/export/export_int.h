/* export_int.h — the export stage's insides, shared by its files (private
 * to sim/export/).
 *
 * Three steps. Geometry (geometry.c): the covered part of every township is
 * rebuilt with GEOS and every coordinate is taken from the metric CRS back
 * to the map's own CRS, in parallel (one worker per thread from the
 * project's factory, worker.h, made before the parallel region). Plan (shapefile.c): every
 * layer's string widths and file sizes are worked out, so that a layer too
 * big for a shapefile is refused before the first byte is written. Write:
 * shapelib, on the calling thread only (its handles are not thread-safe),
 * then the .qml styles (qml.c) and the QGIS project (qgs.c). What each
 * layer holds is layers.c's table; export.c drives the three steps. */
#ifndef TOWNCOV_EXPORT_INT_H
#define TOWNCOV_EXPORT_INT_H

#include <geos_c.h>
#include <ogr_api.h>
#include <shapefil.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/export.h"
#include "towncov/worker.h"

#define MAX_FIELDS 24

/* Everything the layers are written from. Geometries in town/cov were made
 * in the GEOS context of worker owner[t] and are written and freed with it. */
struct exporter {
    const struct run_outcome *run;
    const char *dir;
    const char *prj_wkt;          /* written to every .prj */
    int gpkg;                     /* towncov.gpkg is written: the project opens it */
    struct tc_workers *ws;        /* one per thread (worker.h), each with its own
                                     clone of metric CRS -> output CRS */
    GEOSGeometry **town, **cov;   /* per township, output CRS */
    GEOSGeometry **seat_area;     /* per township, output CRS; NULL without seat areas */
    int *owner;
    int *cov_ids;                 /* townships with a covered part, ascending */
    int n_cov;
    double *seat_x, *seat_y;      /* per township, output CRS */
    double *site_x, *site_y;      /* per station, output CRS */
    double *fp_x, *fp_y;          /* footprint vertices, output CRS: */
    long *fp_off;                 /* footprint i's are fp_off[i] .. fp_off[i+1]-1 */
    double xmin, ymin, xmax, ymax; /* extent of the townships, output CRS */
    /* The sites layer's azimuths of a station of each kind that has none
     * of its own ("0;120;240", "omni"): formatted once, not per station. */
    char kind_azimuths[KIND_COUNT][96];
};

/* The GEOS context of worker wi. */
static inline GEOSContextHandle_t export_geos(const struct exporter *ex, int wi)
{
    return ex->ws->w[wi].geos;
}

/* ---- geometry (geometry.c) ---------------------------------------------------*/
/* Builds every geometry of ex in the output CRS on `threads` threads: the
 * townships and their covered parts, the seats and stations, the
 * footprints when the run exports them, and the townships' extent.
 * Returns 0, or -1 with err set. */
int export_geometry_build(struct exporter *ex, int threads, struct tc_error *err);

/* Frees what export_geometry_build made (also after it failed half-way). */
void export_geometry_free(struct exporter *ex);

/* ---- layers (layers.c) --------------------------------------------------------*/
enum ftype { FT_STR, FT_INT, FT_DBL };

struct field {
    const char *name; /* <= 10 characters: the dBase limit */
    enum ftype type;
    int width, decimals; /* strings: worked out from the values */
};

/* One attribute value of one record; text may point into buf. */
struct value {
    const char *s;
    double d;
    int null;
    char buf[96];
};

/* Fills ex->kind_azimuths (layers.c), before any row is asked for. */
void export_kind_azimuths(struct exporter *ex);

/* What a layer is made of; export_layer_specs[] lists them in the order
 * QGIS draws them (first = bottom). */
struct layer_spec {
    const char *name;
    int shp_type;                  /* SHPT_POLYGON or SHPT_POINT */
    const struct field *fields;
    int nf;
    long (*count)(const struct exporter *ex);
    void (*row)(const struct exporter *ex, long i, struct value *v);
    double (*shape_bytes)(const struct exporter *ex, long i); /* record in the .shp */
    int (*shape)(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err);
    void (*renderer)(FILE *f);     /* the <renderer-v2> element */
    int visible;                   /* checked in the project's layer tree */
    double min_scale;              /* drawn only at scales larger than 1:min_scale; 0: all */
    int footprints;                /* written only when the run exports footprints */
    int (*fields_used)(const struct exporter *ex); /* the first this many; NULL: all */
};

/* Its definition must list exactly this many: the two would conflict. */
#define EXPORT_NLAYERS 6
extern const struct layer_spec export_layer_specs[EXPORT_NLAYERS];

/* ---- shapefiles (shapefile.c) ----------------------------------------------------*/
/* A layer as it will be written. */
struct plan {
    const struct layer_spec *spec;
    struct field f[MAX_FIELDS];
    int nf;           /* fields written: spec->fields_used or all */
    long n;
    long cut;         /* text values over the dBase limit, cut */
    double shp_bytes, dbf_bytes;
};

/* Field widths and file sizes, before any file is written. */
void export_plan_layer(const struct exporter *ex, const struct layer_spec *spec,
                       struct plan *p);

/* Writes dir/<layer>.shp, .shx, .dbf, .prj and .cpg. Returns 0, or -1 with
 * err set. */
int export_write_layer(struct exporter *ex, const struct plan *p, struct tc_error *err);

/* ---- records read back (records.c) -------------------------------------------------*/
/* Called for record i of a layer with its row v and its geometry g (the
 * output CRS; MultiPolygon or Point; NULL for a null shape), which the
 * callee takes and frees. Returns 0, or -1 with err set (stops the walk). */
typedef int (*export_record_fn)(void *ctx, long i, const struct value *v, OGRGeometryH g,
                                struct tc_error *err);

/* Walks layer p's records in order: rows from layers.c, geometries read
 * back through OGR from dir/<layer>.shp, written just before. Serial.
 * Returns 0, or -1 with err set. */
int export_each_record(const struct exporter *ex, const struct plan *p, export_record_fn fn,
                       void *ctx, struct tc_error *err);

/* ---- GeoPackage (gpkg.c) ---------------------------------------------------------*/
/* dir/towncov.gpkg from the n layers of p just written as shapefiles and
 * .qml: each layer with a spatial index and its style in layer_styles, and
 * the run in towncov_run. Returns 0, or -1 with err set. */
int export_write_gpkg(const struct exporter *ex, const struct plan *p, int n,
                      struct tc_error *err);

/* towncov_run's row of this run (strings borrowed from it), and the build
 * as that table names it ("towncov VERSION (GIT_REV)"). */
void export_run_row_of(const struct run_outcome *r, struct export_run_row *row);
void export_build_name(char *buf, size_t size);

/* ---- PostGIS (postgis.c) ---------------------------------------------------------*/
/* The n layers of p (as for the GeoPackage) and towncov_run as tables of
 * output.postgis_schema at output.postgis, in one transaction replacing
 * the tables of towncov's earlier run there. Returns 0, or -1 with err set
 * (the database as it was). */
int export_write_postgis(const struct exporter *ex, const struct plan *p, int n,
                         struct tc_error *err);

/* ---- QGIS styles (qml.c) and project (qgs.c) ---------------------------------------*/
/* QGIS: minScale is the most zoomed-out scale a layer is drawn at. */
void export_scale_attributes(FILE *f, const struct layer_spec *spec);

/* The <renderer-v2> element of each layer. */
void export_renderer_townships(FILE *f);
void export_renderer_coverage(FILE *f);
void export_renderer_seat_areas(FILE *f);
void export_renderer_seats(FILE *f);
void export_renderer_sites(FILE *f);
void export_renderer_footprints(FILE *f);

/* dir/<layer>.qml, which QGIS loads beside a layer as its default style.
 * Returns 0, or -1 with err set. */
int export_write_qml(const struct exporter *ex, const struct layer_spec *spec,
                     struct tc_error *err);

/* dir/towncov.qgs, opening the n layers of p, styled. Returns 0, or -1
 * with err set. */
int export_write_project(const struct exporter *ex, const struct plan *p, int n,
                         struct tc_error *err);

#endif
