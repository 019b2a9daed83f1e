/* map_crs.h — the map stage's CRS transforms for the stages after it: the
 * one place outside the map's own loading that makes a PROJ context. A
 * later stage asks here for a transformation (metric -> the map's own CRS,
 * a .prj -> lon/lat), for the WKT of a CRS, or for what QGIS wants to know
 * of one; the worker factory (worker.h) clones a transformation into each
 * thread's own context. */
#ifndef TOWNCOV_MAP_CRS_H
#define TOWNCOV_MAP_CRS_H

#include <stddef.h>

#include <proj.h>

struct tc_map;

/* A PROJ context and one transformation in it, for one thread at a time. */
struct map_transform;

/* The map's metric CRS -> the map's own CRS (its .prj, else WGS 84), axes
 * normalised as shapefiles store them (easting, longitude first). NULL
 * when PROJ cannot build it (or out of memory). */
struct map_transform *map_transform_to_source(const struct tc_map *map);

/* The CRS in wkt (a .prj's text) -> WGS 84 lon/lat, normalised (longitude
 * first). NULL when PROJ cannot read it. */
struct map_transform *map_transform_to_lonlat(const char *wkt);

/* The transformation (borrowed: lives as long as t): for proj_trans on
 * t's thread, or for tc_workers_new to clone into each worker. */
PJ *map_transform_pj(const struct map_transform *t);

/* Transforms n points in place: 0, or -1 when one does not transform to
 * finite coordinates. */
int map_transform_points(const struct map_transform *t, double *x, double *y, size_t n);

/* Frees *t (NULL is fine); *t becomes NULL. */
void map_transform_free(struct map_transform **t);

/* The CRS crs (a PROJ string or WKT) as WKT2 (2019), malloc'd; NULL when
 * PROJ cannot read it. */
char *map_crs_wkt2(const char *crs);

/* What QGIS wants to know of a CRS in a <spatialrefsys>, as PROJ says it. */
struct map_crs_desc {
    char *wkt, *proj4, *name; /* malloc'd (map_crs_desc_free) */
    char authid[64];          /* "EPSG:n" when PROJ identifies it at 100 %, else "" */
    int geographic;
};

/* Describes wkt (its own text where PROJ cannot read it). */
void map_crs_describe(const char *wkt, struct map_crs_desc *d);
void map_crs_desc_free(struct map_crs_desc *d);

#endif
