/* shpio.h — shapefile records <-> GEOS geometries, on top of shapelib.
 * Shared by the map loader, the map builder and the exporters so that ring
 * nesting and orientation rules live in one place.
 * shapelib handles are not thread-safe: call these from one thread. */
#ifndef TOWNCOV_SHPIO_H
#define TOWNCOV_SHPIO_H

#include <geos_c.h>
#include <shapefil.h>

#include "towncov/common.h"

/* Records are named as users see them: the shapefile specification counts
 * from 1, ogrinfo and QGIS show the 0-based FID: "record 3 (FID 2)".
 * Use as printf(SHPIO_REC_FMT, SHPIO_REC(fid)). */
#define SHPIO_REC_FMT "record %d (FID %d)"
#define SHPIO_REC(fid) (fid) + 1, (fid)

/* Opens the shapefile `path` names, exactly: shapelib strips the last
 * extension of the name it is given, so a dotted name ("tiles.v2.shp", or
 * "tiles.v2" meaning tiles.v2.shp) is passed with its ".shp" and never
 * opens tiles.shp. The .shx and .dbf are the files of the same name beside
 * it; dbf may be NULL when only geometry is wanted. On failure err names
 * the file that is missing or broken and what to do about it. *base_out
 * (may be NULL) gets the path without ".shp", for sidecars (.prj); the
 * caller frees it. Returns 0 or -1 (exit 4). */
int shpio_open(const char *path, SHPHandle *shp, DBFHandle *dbf, char **base_out,
               struct tc_error *err);

/* The shape type's name as users see it (PolyLine, not shapelib's Arc). */
const char *shpio_type_name(int type);
/* Polygon, PolygonZ or PolygonM. */
int shpio_is_polygon_type(int type);

/* Text attribute `field` of record fid decoded from `encoding` (an iconv
 * name, "" = guess: see textenc.h), trimmed, as a new string the caller
 * frees. A NULL attribute (a numeric field of '*') is "". *cut is set when
 * the writer cut the text inside a character (that character is dropped).
 * Returns NULL with errno EILSEQ when the text is not valid in the
 * encoding, ENOMEM when out of memory. */
char *shpio_read_text(DBFHandle dbf, int fid, int field, const char *encoding, int *cut);

/* Parts dropped from a record because they have no area: an islet or a
 * hole that the source's grid collapsed to a point or a line. */
struct shpio_drop {
    int part;     /* part number in the record, from 0 */
    int vertices; /* as stored */
    int distinct; /* distinct points among them */
    int hole;     /* 1: it lay inside another part (a collapsed hole) */
};
struct shpio_drops {
    int n;
    struct shpio_drop *part; /* n entries; free with shpio_drops_free */
};
void shpio_drops_free(struct shpio_drops *d);

/* Converts a polygon record (SHPT_POLYGON, -Z or -M) to a GEOS Polygon or
 * MultiPolygon. Rings are nested by containment, not by orientation (many
 * writers get orientation wrong): a ring inside an even number of others is
 * a shell, inside an odd number a hole of the smallest ring containing it.
 * A part with no area (fewer than 3 distinct points, or all on a line) is
 * dropped and listed in drops when drops is not NULL (repair), else an
 * error naming the record, the part and its vertex count; a record left
 * with no part is an error either way, as are NaN/Inf coordinates and a
 * record of another shape type (a Point in a Polygon file). The result may
 * be invalid (self-intersections): callers check. Returns a new geometry
 * the caller frees with GEOSGeom_destroy_r (an empty polygon for a Null
 * shape), or NULL with err set ("record N (FID M): ..."; the caller adds
 * the file name). */
GEOSGeometry *shpio_polygon_to_geos(GEOSContextHandle_t ctx, const SHPObject *obj,
                                    struct shpio_drops *drops, struct tc_error *err);

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
