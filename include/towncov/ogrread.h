/* ogrread.h — vector sources other than shapefiles: GeoPackage, GeoJSON,
 * FlatGeobuf, a PostGIS table (PG:...), anything GDAL/OGR opens. A layer is
 * read whole, on one thread, into shapelib records (SHPObject) and UTF-8
 * attribute texts, so that the map loader, the map builder, key points and
 * sites validate, repair and project them exactly as shapefile records.
 * Shapefiles keep going through shapelib (shpio.h): ogrread_wants says
 * which reader a name is for. */
#ifndef TOWNCOV_OGRREAD_H
#define TOWNCOV_OGRREAD_H

#include <shapefil.h>

#include "towncov/common.h"

/* A feature as users see it: its place in the layer (from 1) and the FID
 * that ogrinfo, QGIS and SQL show. printf(OGRREAD_FEAT_FMT, n, fid). */
#define OGRREAD_FEAT_FMT "feature %ld (FID %lld)"

enum ogrread_want { OGRREAD_POLYGONS, OGRREAD_POINTS };

struct ogr_table {
    char *label;      /* "source, layer 'name'": the prefix of every message */
    char *layer;      /* the layer's whole name */
    long n;           /* features, in the layer's order */
    long long *fid;   /* n FIDs */
    SHPObject **shape;/* n records (SHPT_POLYGON with every ring a part, or
                         SHPT_POINT); NULL for a null or empty geometry;
                         nShapeId = the index */
    int nfields;
    char **field;     /* nfields names */
    char **text;      /* [i * nfields + f]: UTF-8 as stored, NULL = NULL */
    double *num;      /* [i * nfields + f]: the number (exact for Real
                         fields), NAN when NULL or not numeric */
    char *wkt;        /* the layer's CRS as WKT (ESRI flavour when it has
                         one, else WKT2), NULL when the layer has none */
    double xmin, ymin, xmax, ymax; /* extent of the shapes */
};

/* 1 when `path` is for OGR: a PG: connection string, or an existing file or
 * folder whose name does not end in .shp (any case). A name that names no
 * file stays with shapelib, whose messages say what is missing. The QGIS
 * suffix "|layername=NAME" is allowed on either. */
int ogrread_wants(const char *path);

/* Opens `path` (a "|layername=NAME" suffix selects the layer, as QGIS
 * writes it) and reads one layer: `layer` when not empty, else the only
 * one; a dataset holding several with none named is an error naming them
 * all and `layer_key` (the key that names one, e.g. "map.layer"). Every
 * feature must be of the wanted kind (polygons: Polygon/MultiPolygon, curved
 * ones linearised; points: Point) or NULL; texts must be UTF-8. Errors name
 * the source (password masked), the layer and the feature, with exit code
 * `exit_code`. Registers GDAL's drivers when nobody has. Returns 0 with
 * *out (freed with ogrread_free) or -1 with err set. */
int ogrread_open(const char *path, const char *layer, const char *layer_key,
                 enum ogrread_want want, int exit_code, struct ogr_table **out,
                 struct tc_error *err);
void ogrread_free(struct ogr_table **t);

/* Index of the field `name` (case-insensitive, as OGR matches), or -1. */
int ogrread_field(const struct ogr_table *t, const char *name);
/* The field names, comma-separated, cut to size. */
void ogrread_list_fields(const struct ogr_table *t, char *buf, size_t size);

/* A connection string with its password masked ("password=***", and the
 * password of a postgresql:// URI), for messages and summary.json. */
void ogrread_mask(const char *conn, char *out, size_t size);
/* msg with the password of connection string conn masked wherever it
 * appears (a library may echo what it was given). */
void ogrread_mask_in(const char *conn, const char *msg, char *out, size_t size);

#endif
