/* shplayer.h — writing one shapefile layer (.shp/.shx/.dbf + .prj/.cpg),
 * the one writer the exporter and the map builder share. shapelib's file
 * I/O goes through a stdio layer that skips seeks to where the file
 * already is (shapelib seeks before every record: without it, one write(2)
 * a record), its own messages are silenced (errors are ours, naming the
 * file), DBF text is UTF-8 and cut, where the dBase limit forces it, at a
 * character boundary. Use from one thread: shapelib handles are not
 * thread-safe. */
#ifndef TOWNCOV_SHPLAYER_H
#define TOWNCOV_SHPLAYER_H

#include <shapefil.h>

#include "towncov/common.h"

/* The dBase limit of a text field, in bytes. */
#define SHPLAYER_TEXT_MAX 254

struct shp_layer {
    char *base;     /* "dir/name", without extension */
    SHPHandle shp;
    DBFHandle dbf;
};

/* Creates dir/name.shp/.shx/.dbf of shapelib type shp_type (SHPT_POINT,
 * SHPT_POLYGON, ...). Returns 0, or -1 with err set (exit 7); the layer
 * must be closed with shp_layer_close either way. */
int shp_layer_create(struct shp_layer *ly, const char *dir, const char *name, int shp_type,
                     struct tc_error *err);

/* Adds a field (before the first record). 0 or -1 with err set. */
int shp_layer_field(struct shp_layer *ly, const char *name, DBFFieldType type, int width,
                    int decimals, struct tc_error *err);

/* Field values of record rec: text (UTF-8, cut where a character starts if
 * over SHPLAYER_TEXT_MAX), numbers, NULL. 0 or -1 with err set. */
int shp_layer_text(struct shp_layer *ly, int rec, int field, const char *v,
                   struct tc_error *err);
int shp_layer_double(struct shp_layer *ly, int rec, int field, double v, struct tc_error *err);
int shp_layer_integer(struct shp_layer *ly, int rec, int field, int v, struct tc_error *err);
int shp_layer_null(struct shp_layer *ly, int rec, int field, struct tc_error *err);

/* The bytes of text v a field keeps (v whole up to the dBase limit). */
size_t shp_layer_text_len(const char *v);

/* Closes the files; when rc is 0, also writes the .prj (prj_wkt) and the
 * .cpg (UTF-8). Returns rc, or -1 with err set when that writing failed. */
int shp_layer_close(struct shp_layer *ly, int rc, const char *prj_wkt, struct tc_error *err);

#endif
