/* qgis.h — the one QGIS writer: what every QGIS 3 file towncov writes
 * shares, the styles (.qml: export, raster, plan) and the projects (.qgs:
 * export, plan) alike: the doctype and the <qgis> root, text escaped for
 * XML, elements, a CRS's <spatialrefsys>, and the file's opening and
 * checked closing. Each stage writes only its own layers and renderers. */
#ifndef TOWNCOV_QGIS_H
#define TOWNCOV_QGIS_H

#include <stdio.h>

#include "towncov/common.h"

/* The QGIS release whose format the files follow. */
#define QGIS_VERSION "3.22.0"

/* Opens path for writing; NULL with an output error naming it (exit 7). */
FILE *qgis_create(const char *path, struct tc_error *err);

/* The doctype line and the root's start, `<qgis version="3.22.0"`: the
 * caller writes the root's other attributes and its '>'. */
void qgis_root_begin(FILE *f);

/* Ends the root ("</qgis>\n") and closes f: 0, or an output error naming
 * path (f is closed either way). */
int qgis_finish(FILE *f, const char *path, struct tc_error *err);

/* s with & < > " ' escaped for XML text and attribute values. */
void qgis_xml_escaped(FILE *f, const char *s);

/* indent<tag>text</tag>, the text escaped. */
void qgis_element(FILE *f, const char *indent, const char *tag, const char *text);

/* A CRS as a <spatialrefsys> wants it. proj4 NULL: the WKT alone (QGIS
 * reads a CRS by its <wkt>); else every field is written. */
struct qgis_crs {
    const char *wkt, *proj4, *authid, *name;
    int geographic;
};

/* indent<spatialrefsys> ... indent</spatialrefsys>, its fields two deeper. */
void qgis_spatialrefsys(FILE *f, const char *indent, const struct qgis_crs *crs);

#endif
