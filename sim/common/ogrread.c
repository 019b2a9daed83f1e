/* ogrread.c — one layer of any OGR vector source read whole into shapelib
 * records and UTF-8 texts (see ogrread.h). Serial: a GDAL dataset is used
 * by one thread at a time. */
#include "towncov/ogrread.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "towncov/textenc.h"

#define LAYER_SUFFIX "|layername="

/* ---- names and connection strings --------------------------------------*/
static int is_pg(const char *path)
{
    return strncasecmp(path, "PG:", 3) == 0;
}

int ogrread_wants(const char *path)
{
    if (is_pg(path))
        return 1;
    size_t len = strcspn(path, "|");
    char name[TC_PATH_MAX];
    snprintf(name, sizeof name, "%.*s", (int)len, path);
    if (len >= 4 && strcasecmp(name + len - 4, ".shp") == 0)
        return 0;
    struct stat st;
    return stat(name, &st) == 0;
}

void ogrread_mask(const char *conn, char *out, size_t size)
{
    snprintf(out, size, "%s", conn);
    char *p = strcasestr(out, "password");
    for (; p; p = strcasestr(p + 1, "password")) {
        char *v = p + 8;
        while (*v == ' ')
            v++;
        if (*v != '=')
            continue;
        v++;
        while (*v == ' ')
            v++;
        char *end = v;
        if (*v == '\'') { /* libpq's quoted value, with \' and \\ escapes */
            for (end = v + 1; *end && *end != '\''; end++)
                end += end[0] == '\\' && end[1];
            end += *end == '\'';
        } else {
            end += strcspn(v, " \t");
        }
        if ((size_t)(v - out) + 3 >= size)
            break;
        memmove(v + 3, end, strlen(end) + 1);
        memcpy(v, "***", 3);
    }
    char *uri = strstr(out, "://"); /* postgresql://user:password@host */
    char *at = uri ? strchr(uri + 3, '@') : NULL;
    char *colon = uri ? strchr(uri + 3, ':') : NULL;
    if (at && colon && colon < at) {
        memmove(colon + 4, at, strlen(at) + 1);
        memcpy(colon + 1, "***", 3);
    }
}

/* msg with every occurrence of the connection's password masked too (a
 * library may echo the string it was given). */
void ogrread_mask_in(const char *conn, const char *msg, char *out, size_t size)
{
    snprintf(out, size, "%s", msg);
    const char *p = strcasestr(conn, "password=");
    if (!p)
        return;
    char pw[256];
    snprintf(pw, sizeof pw, "%.*s", (int)strcspn(p + 9, " \t'"), p + 9);
    if (strlen(pw) < 3)
        return;
    for (char *h = strstr(out, pw); h; h = strstr(h + 3, pw)) {
        memmove(h + 3, h + strlen(pw), strlen(h + strlen(pw)) + 1);
        memcpy(h, "***", 3);
    }
}

/* ---- the table ------------------------------------------------------------*/
void ogrread_free(struct ogr_table **pt)
{
    struct ogr_table *t = *pt;
    if (!t)
        return;
    for (long i = 0; i < t->n; i++) {
        if (t->shape[i])
            SHPDestroyObject(t->shape[i]);
        for (int f = 0; f < t->nfields; f++)
            free(t->text[i * t->nfields + f]);
    }
    for (int f = 0; f < t->nfields; f++)
        free(t->field[f]);
    free(t->field);
    free(t->text);
    free(t->num);
    free(t->fid);
    free(t->shape);
    free(t->wkt);
    free(t->label);
    free(t->layer);
    free(t);
    *pt = NULL;
}

int ogrread_field(const struct ogr_table *t, const char *name)
{
    for (int f = 0; name[0] && f < t->nfields; f++)
        if (strcasecmp(t->field[f], name) == 0)
            return f;
    return -1;
}

void ogrread_list_fields(const struct ogr_table *t, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int f = 0; f < t->nfields; f++) {
        strncat(buf, f ? ", " : "", size - strlen(buf) - 1);
        strncat(buf, t->field[f], size - strlen(buf) - 1);
    }
}

/* ---- geometry -> shapelib record -----------------------------------------*/
struct rings {
    double *x, *y;
    size_t nv, cap;
    int *start;
    int np, pcap;
};

static int add_ring(struct rings *r, OGRGeometryH ring)
{
    int n = OGR_G_GetPointCount(ring);
    size_t pcap = (size_t)r->pcap;
    if (tc_reserve_xy(&r->x, &r->y, &r->cap, r->nv + (size_t)n + 1) != 0 ||
        tc_reserve((void **)&r->start, &pcap, (size_t)r->np + 1, sizeof *r->start) != 0)
        return -1;
    r->pcap = (int)pcap;
    r->start[r->np++] = (int)r->nv;
    OGR_G_GetPoints(ring, r->x + r->nv, sizeof(double), r->y + r->nv, sizeof(double), NULL, 0);
    r->nv += (size_t)n;
    return 0;
}

static int add_polygon(struct rings *r, OGRGeometryH poly)
{
    for (int k = 0; k < OGR_G_GetGeometryCount(poly); k++)
        if (add_ring(r, OGR_G_GetGeometryRef(poly, k)) != 0)
            return -1;
    return 0;
}

/* Every ring of a (multi)polygon as a part, in the source's order (nesting
 * is by containment in shpio_polygon_to_geos, as for shapefiles). */
static SHPObject *polygon_record(OGRGeometryH g, long index)
{
    struct rings r = {0};
    int rc = 0;
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
        rc = add_polygon(&r, g);
    else
        for (int k = 0; rc == 0 && k < OGR_G_GetGeometryCount(g); k++)
            rc = add_polygon(&r, OGR_G_GetGeometryRef(g, k));
    SHPObject *o = rc == 0 && r.np > 0
        ? SHPCreateObject(SHPT_POLYGON, (int)index, r.np, r.start, NULL, (int)r.nv, r.x, r.y,
                          NULL, NULL)
        : NULL;
    free(r.x);
    free(r.y);
    free(r.start);
    return o;
}

/* The feature's shape as a record, *o = NULL for a null or empty one;
 * -1 with `why` set when it is of another kind. */
static int to_record(OGRGeometryH g, long index, enum ogrread_want want, SHPObject **o,
                     char *why, size_t size)
{
    *o = NULL;
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (want == OGRREAD_POLYGONS && (type == wkbCurvePolygon || type == wkbMultiSurface)) {
        OGRGeometryH lin = OGR_G_GetLinearGeometry(g, 0, NULL);
        int rc = lin ? to_record(lin, index, want, o, why, size) : -1;
        OGR_G_DestroyGeometry(lin);
        return rc;
    }
    if (want == OGRREAD_POLYGONS && (type == wkbPolygon || type == wkbMultiPolygon))
        *o = polygon_record(g, index);
    else if (want == OGRREAD_POINTS && type == wkbPoint) {
        double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
        *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x, &y, NULL);
    } else {
        snprintf(why, size, "a %s, not a %s", OGRGeometryTypeToName(type),
                 want == OGRREAD_POLYGONS ? "polygon" : "point");
        return -1;
    }
    if (!*o)
        snprintf(why, size, "out of memory");
    else
        (*o)->nShapeId = (int)index;
    return *o ? 0 : -1;
}

/* ---- reading ---------------------------------------------------------------*/
static int grow(struct ogr_table *t, size_t *cap)
{
    if ((size_t)t->n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 256, nf = (size_t)(t->nfields ? t->nfields : 1);
    if (tc_resize((void **)&t->fid, c, sizeof *t->fid) ||
        tc_resize((void **)&t->shape, c, sizeof *t->shape) ||
        tc_resize((void **)&t->text, c * nf, sizeof *t->text) ||
        tc_resize((void **)&t->num, c * nf, sizeof *t->num))
        return -1;
    *cap = c;
    return 0;
}

static double field_number(OGRFeatureH f, int k, OGRFieldType type, const char *text)
{
    if (!text)
        return NAN;
    if (type == OFTReal || type == OFTInteger || type == OFTInteger64)
        return OGR_F_GetFieldAsDouble(f, k);
    char *end;
    double v = strtod(text, &end);
    return end != text && *end == '\0' ? v : NAN;
}

/* Feature i's attributes; -1 with err when a text is not UTF-8. */
static int read_fields(struct ogr_table *t, OGRFeatureH f, int exit_code, struct tc_error *err)
{
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    size_t row = (size_t)t->n * (size_t)t->nfields;
    for (int k = 0; k < t->nfields; k++) {
        t->text[row + (size_t)k] = NULL;
        t->num[row + (size_t)k] = NAN;
    }
    for (int k = 0; k < t->nfields; k++) {
        size_t at = row + (size_t)k;
        if (!OGR_F_IsFieldSetAndNotNull(f, k))
            continue;
        const char *s = OGR_F_GetFieldAsString(f, k);
        if (!textenc_valid_utf8(s, strlen(s)))
            return tc_fail(err, exit_code, "%s: " OGRREAD_FEAT_FMT ": field '%s' is not valid "
                           "UTF-8 text", t->label, t->n + 1, t->fid[t->n], t->field[k]);
        if (!(t->text[at] = strdup(s)))
            return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", t->label);
        t->num[at] = field_number(f, k, OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, k)), s);
    }
    return 0;
}

static int read_feature(struct ogr_table *t, OGRFeatureH f, enum ogrread_want want,
                        int exit_code, struct tc_error *err)
{
    t->fid[t->n] = (long long)OGR_F_GetFID(f);
    t->shape[t->n] = NULL;
    if (read_fields(t, f, exit_code, err) != 0) {
        t->n++; /* counted: ogrread_free frees its texts */
        return -1;
    }
    char why[160];
    int rc = to_record(OGR_F_GetGeometryRef(f), t->n, want, &t->shape[t->n], why, sizeof why);
    t->n++;
    if (rc != 0)
        return tc_fail(err, exit_code, "%s: " OGRREAD_FEAT_FMT ": the geometry is %s",
                       t->label, t->n, t->fid[t->n - 1], why);
    return 0;
}

static int read_layer(struct ogr_table *t, OGRLayerH layer, enum ogrread_want want,
                      int exit_code, struct tc_error *err)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    t->nfields = OGR_FD_GetFieldCount(defn);
    if (t->nfields && !(t->field = calloc((size_t)t->nfields, sizeof *t->field)))
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", t->label);
    for (int k = 0; k < t->nfields; k++)
        if (!(t->field[k] = strdup(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, k)))))
            return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", t->label);
    OGR_L_ResetReading(layer);
    size_t cap = 0;
    OGRFeatureH f;
    int rc = 0;
    CPLErrorReset();
    while (rc == 0 && (f = OGR_L_GetNextFeature(layer)) != NULL) {
        rc = grow(t, &cap) != 0 ? tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", t->label)
                                : read_feature(t, f, want, exit_code, err);
        OGR_F_Destroy(f);
    }
    if (rc == 0 && CPLGetLastErrorType() >= CE_Failure)
        rc = tc_fail(err, exit_code, "%s: cannot read it past " OGRREAD_FEAT_FMT ": %s",
                     t->label, t->n, t->n ? t->fid[t->n - 1] : -1LL, CPLGetLastErrorMsg());
    return rc;
}

/* The layer's CRS: ESRI WKT as a shapefile's .prj holds, else WKT2. */
static char *layer_wkt(OGRLayerH layer)
{
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (!srs)
        return NULL;
    char *w = NULL, *out = NULL;
    const char *esri[] = {"FORMAT=WKT1_ESRI", NULL}, *wkt2[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &w, esri) != OGRERR_NONE || !w || !w[0]) {
        CPLFree(w);
        w = NULL;
        if (OSRExportToWktEx(srs, &w, wkt2) != OGRERR_NONE)
            w = NULL;
    }
    out = w ? strdup(w) : NULL;
    CPLFree(w);
    return out;
}

static void extent(struct ogr_table *t)
{
    t->xmin = t->ymin = INFINITY;
    t->xmax = t->ymax = -INFINITY;
    for (long i = 0; i < t->n; i++) {
        const SHPObject *o = t->shape[i];
        if (!o)
            continue;
        t->xmin = fmin(t->xmin, o->dfXMin);
        t->ymin = fmin(t->ymin, o->dfYMin);
        t->xmax = fmax(t->xmax, o->dfXMax);
        t->ymax = fmax(t->ymax, o->dfYMax);
    }
}

/* ---- opening ---------------------------------------------------------------*/
static OGRLayerH choose_layer(GDALDatasetH ds, const char *source, const char *want,
                              const char *layer_key, int exit_code, struct tc_error *err)
{
    int n = GDALDatasetGetLayerCount(ds);
    if (want[0]) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, want);
        if (l)
            return l;
    } else if (n == 1) {
        return GDALDatasetGetLayer(ds, 0);
    }
    char names[1536] = "";
    for (int i = 0; i < n; i++) {
        const char *name = OGR_L_GetName(GDALDatasetGetLayer(ds, i));
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s'%s'", i ? ", " : "", name);
    }
    if (n == 0)
        tc_fail(err, exit_code, "%s: holds no vector layer", source);
    else if (want[0])
        tc_fail(err, exit_code, "%s: no layer '%s'; it holds %s", source, want, names);
    else
        tc_fail(err, exit_code, "%s: holds %d layers (%s): name one with %s", source, n, names,
                layer_key);
    return NULL;
}

static int open_layer(struct ogr_table *t, GDALDatasetH ds, const char *source,
                      const char *layer, const char *layer_key, enum ogrread_want want,
                      int exit_code, struct tc_error *err)
{
    OGRLayerH l = choose_layer(ds, source, layer, layer_key, exit_code, err);
    if (!l)
        return -1;
    const char *name = OGR_L_GetName(l);
    size_t len = strlen(source) + strlen(name) + 16;
    t->layer = strdup(name);
    t->label = malloc(len);
    if (!t->layer || !t->label)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    snprintf(t->label, len, "%s, layer '%s'", source, name);
    t->wkt = layer_wkt(l);
    if (read_layer(t, l, want, exit_code, err) != 0)
        return -1;
    if (t->n == 0)
        return tc_fail(err, exit_code, "%s: the layer has no features", t->label);
    extent(t);
    return 0;
}

int ogrread_open(const char *path, const char *layer, const char *layer_key,
                 enum ogrread_want want, int exit_code, struct ogr_table **out,
                 struct tc_error *err)
{
    *out = NULL;
    char name[TC_PATH_MAX], source[TC_PATH_MAX], chosen[TC_STR_MAX];
    const char *bar = strstr(path, LAYER_SUFFIX);
    snprintf(name, sizeof name, "%.*s", bar ? (int)(bar - path) : (int)strlen(path), path);
    snprintf(chosen, sizeof chosen, "%s", bar ? bar + strlen(LAYER_SUFFIX) : layer ? layer : "");
    ogrread_mask(name, source, sizeof source);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister(); /* a caller other than main (tests): once, serially */
    struct ogr_table *t = calloc(1, sizeof *t);
    if (!t)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(name, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    int rc = 0;
    if (!ds) {
        char msg[1024];
        ogrread_mask_in(name, CPLGetLastErrorMsg(), msg, sizeof msg);
        rc = tc_fail(err, exit_code, "%s: GDAL cannot open it as a vector dataset%s%s", source,
                     msg[0] ? ": " : "", msg);
    } else {
        rc = open_layer(t, ds, source, chosen, layer_key, want, exit_code, err);
        GDALClose(ds);
    }
    CPLPopErrorHandler();
    if (rc != 0) {
        char msg[sizeof err->msg];
        ogrread_mask_in(name, err->msg, msg, sizeof msg);
        snprintf(err->msg, sizeof err->msg, "%s", msg);
        ogrread_free(&t);
        return -1;
    }
    *out = t;
    return 0;
}
