/* read_counties.c — the county polygons and their attributes (code, name,
 * city, townships) from the county shapefile, on one thread (shapelib
 * handles are not thread-safe); the shapes are converted later, in
 * parallel (clean.c). */
#include "mapgen_internal.h"

#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/ogrread.h"
#include "towncov/shpio.h"

/* A text attribute, decoded and trimmed, as a new string ("" when absent);
 * NULL with err set when it cannot be decoded or memory ran out. */
static char *dbf_text(const struct province *p, DBFHandle dbf, int rec, int field,
                      const char *what, struct tc_error *err)
{
    int cut = 0;
    char *text = shpio_read_text(dbf, rec, field, p->encoding, &cut);
    if (!text && errno == ENOMEM)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->shp_path);
    else if (!text)
        tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": the %s is not valid %s text; put a "
                ".cpg naming the encoding beside the file", p->shp_path, SHPIO_REC(rec), what,
                p->encoding[0] ? p->encoding : "UTF-8 or GBK");
    else if (cut)
        fprintf(stderr, "towncov: warning: %s: " SHPIO_REC_FMT ": the %s was cut inside a "
                "character by the program that wrote the file; the incomplete character was "
                "dropped\n", p->shp_path, SHPIO_REC(rec), what);
    return text;
}

static int dbf_check(struct province *p, DBFHandle dbf, int *fcode, int *fname, int *fcity,
                     int *fcount, struct tc_error *err)
{
    const char *cp = DBFGetCodePage(dbf);
    if (textenc_from_codepage(cp, p->encoding, sizeof p->encoding) != 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: unknown text encoding '%s' (from the .cpg); "
                       "correct the .cpg", p->shp_path, p->encoding);
    *fcode = DBFGetFieldIndex(dbf, "code");
    *fname = DBFGetFieldIndex(dbf, "name");
    *fcity = DBFGetFieldIndex(dbf, "city");
    *fcount = DBFGetFieldIndex(dbf, "townships");
    if (*fcode < 0 || *fname < 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: the .dbf has no '%s' field", p->shp_path,
                       *fcode < 0 ? "code" : "name");
    return 0;
}

static int county_read(const struct province *p, SHPHandle shp, DBFHandle dbf, int rec,
                       const int *fields, struct county *c, struct tc_error *err)
{
    c->record = rec;
    c->fid = rec;
    if (!(c->code = dbf_text(p, dbf, rec, fields[0], "code", err)) ||
        !(c->name = dbf_text(p, dbf, rec, fields[1], "name", err)) ||
        !(c->city = dbf_text(p, dbf, rec, fields[2], "city", err)))
        return -1;
    c->declared = fields[3] >= 0 && !DBFIsAttributeNULL(dbf, rec, fields[3])
        ? DBFReadIntegerAttribute(dbf, rec, fields[3]) : -1;
    if (!*c->code)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": empty county code", p->shp_path,
                       SHPIO_REC(rec));
    c->shape = SHPReadObject(shp, rec);
    if (!c->shape)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): cannot read the "
                       "shape (corrupt file)", p->shp_path, SHPIO_REC(rec), c->code);
    if (c->shape->nSHPType != SHPT_NULL && !shpio_is_polygon_type(c->shape->nSHPType))
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): shape type %s, but "
                       "the file declares Polygon", p->shp_path, SHPIO_REC(rec), c->code,
                       shpio_type_name(c->shape->nSHPType));
    if (c->shape->nSHPType == SHPT_NULL || c->shape->nVertices == 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): null shape",
                       p->shp_path, SHPIO_REC(rec), c->code);
    c->stream = mg_hash_str(c->code);
    return 0;
}

/* Field f of feature i as a new trimmed string ("" when NULL or absent). */
static char *ogr_text(const struct ogr_table *t, long i, int f, struct tc_error *err)
{
    const char *s = f >= 0 ? t->text[i * t->nfields + f] : NULL;
    size_t b = 0, e = s ? strlen(s) : 0;
    while (b < e && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
        e--;
    char *out = strndup(s ? s + b : "", e - b);
    if (!out)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", t->label);
    return out;
}

/* The counties from any other vector source (GeoPackage, GeoJSON, PostGIS
 * ...): the same fields, UTF-8 by those formats' definitions. */
static int counties_read_ogr(struct province *p, struct tc_error *err)
{
    struct ogr_table *t = NULL;
    if (ogrread_open(p->shp_path, NULL, "a '|layername=NAME' suffix on --counties",
                     OGRREAD_POLYGONS, TC_EXIT_MAP, &t, err) != 0)
        return -1;
    int f[4] = {ogrread_field(t, "code"), ogrread_field(t, "name"), ogrread_field(t, "city"),
                ogrread_field(t, "townships")};
    p->ogr = 1;
    p->ogr_label = strdup(t->label); /* for the later messages (MG_SRC) */
    int rc = f[0] < 0 || f[1] < 0
        ? tc_fail(err, TC_EXIT_MAP, "%s: the layer has no '%s' field", t->label,
                  f[0] < 0 ? "code" : "name")
        : 0;
    if (rc == 0 && (!p->ogr_label || !(p->c = calloc((size_t)t->n, sizeof *p->c))))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", t->label);
    for (long i = 0; rc == 0 && i < t->n; i++) {
        struct county *c = &p->c[p->nc++];
        c->record = (int)i;
        c->fid = t->fid[i];
        double declared = f[3] >= 0 ? t->num[i * t->nfields + f[3]] : NAN;
        c->declared = isfinite(declared) ? (int)declared : -1;
        if (!(c->code = ogr_text(t, i, f[0], err)) || !(c->name = ogr_text(t, i, f[1], err)) ||
            !(c->city = ogr_text(t, i, f[2], err)))
            rc = -1;
        else if (!c->code[0])
            rc = tc_fail(err, TC_EXIT_MAP, "%s: " OGRREAD_FEAT_FMT ": empty county code",
                         t->label, i + 1, t->fid[i]);
        else if (!(c->shape = t->shape[i]))
            rc = tc_fail(err, TC_EXIT_MAP, "%s: " OGRREAD_FEAT_FMT " (county %s): null "
                         "geometry", t->label, i + 1, t->fid[i], c->code);
        t->shape[i] = NULL; /* the county owns it now */
        c->stream = rc == 0 ? mg_hash_str(c->code) : 0;
    }
    ogrread_free(&t);
    return rc;
}

int mg_counties_read(struct province *p, struct tc_error *err)
{
    if (ogrread_wants(p->shp_path))
        return counties_read_ogr(p, err);
    SHPHandle shp = NULL;
    DBFHandle dbf = NULL;
    int rc = shpio_open(p->shp_path, &shp, &dbf, NULL, err), n = 0, type = 0;
    int f[4] = {-1, -1, -1, -1}, deleted = 0;
    if (rc == 0) {
        SHPGetInfo(shp, &n, &type, NULL, NULL);
        if (!shpio_is_polygon_type(type))
            rc = tc_fail(err, TC_EXIT_MAP, "%s: shape type %s, not Polygon", p->shp_path,
                         shpio_type_name(type));
        else if (n == 0)
            rc = tc_fail(err, TC_EXIT_MAP, "%s: no records", p->shp_path);
        else if (DBFGetRecordCount(dbf) != n)
            rc = tc_fail(err, TC_EXIT_MAP, "%s: %d shapes but %d .dbf records", p->shp_path, n,
                         DBFGetRecordCount(dbf));
    }
    if (rc == 0)
        rc = dbf_check(p, dbf, &f[0], &f[1], &f[2], &f[3], err);
    if (rc == 0 && !(p->c = calloc((size_t)n, sizeof *p->c)))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->shp_path);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (DBFIsRecordDeleted(dbf, i)) { /* GDAL and QGIS skip them too */
            deleted++;
            continue;
        }
        p->nc++;
        rc = county_read(p, shp, dbf, i, f, &p->c[p->nc - 1], err);
    }
    if (rc == 0 && deleted)
        fprintf(stderr, "towncov: note: %s: skipped %d record%s marked deleted in the .dbf\n",
                p->shp_path, deleted, deleted == 1 ? "" : "s");
    if (rc == 0 && p->nc == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: every record is marked deleted", p->shp_path);
    if (dbf)
        DBFClose(dbf);
    if (shp)
        SHPClose(shp);
    return rc;
}
