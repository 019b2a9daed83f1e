/* shpio.h — shapefile records <-> GEOS geometries, on top of shapelib.
 * Shared by the map loader, the map builder and the exporters so that ring
 * nesting and orientation rules live in one place.
 * shapelib handles are not thread-safe: call these from one thread. */
#ifndef TOWNCOV_SHPIO_H
#define TOWNCOV_SHPIO_H

#include <geos_c.h>
#include <shapefil.h>

#include "towncov/common.h"

/* Converts a polygon record (SHPT_POLYGON, -Z or -M) to a GEOS Polygon or
 * MultiPolygon. Rings are nested by containment, not by orientation (many
 * writers get orientation wrong): a ring inside an even number of others is
 * a shell, inside an odd number a hole of the smallest ring containing it.
 * Rings with fewer than 3 distinct points, or with NaN/Inf coordinates, are
 * an error. The result may be invalid (self-intersections): callers check.
 * Returns a new geometry the caller frees with GEOSGeom_destroy_r, or NULL
 * with err set ("record N: ..."; the caller adds the file name). */
GEOSGeometry *shpio_polygon_to_geos(GEOSContextHandle_t ctx, const SHPObject *obj,
                                    struct tc_error *err);

/* Writes a Polygon or MultiPolygon (empty allowed: a null shape) as record
 * `record` (-1 appends) with shells clockwise and holes counter-clockwise,
 * as the shapefile specification requires. Returns 0 or -1 with err set. */
int shpio_write_polygon(GEOSContextHandle_t ctx, SHPHandle shp, int record,
                        const GEOSGeometry *g, struct tc_error *err);

/* Writes a point record. Returns 0 or -1 with err set. */
int shpio_write_point(SHPHandle shp, double x, double y, struct tc_error *err);

/* Writes `path` (".prj" file) with the given WKT and `cpg` file saying
 * UTF-8 next to a shapefile whose base name (no extension) is `base`.
 * Returns 0 or -1 with err set. */
int shpio_write_sidecars(const char *base, const char *prj_wkt, struct tc_error *err);

/* The WKT of WGS 84 longitude/latitude in the ESRI flavour shapefiles use. */
extern const char shpio_wgs84_wkt[];

#endif
