/* keypoints.c — key points read and joined to townships (keypoints.h). */
#include "towncov/keypoints.h"

#include <math.h>
#include <stdlib.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "towncov/csv.h"
#include "towncov/libmsg.h"
#include "towncov/map.h"
#include "towncov/map_crs.h"
#include "towncov/ogrread.h"
#include "towncov/seat.h"
#include "towncov/shpio.h"

void key_points_free(struct tc_key_points **pk)
{
    struct tc_key_points *k = *pk;
    if (!k)
        return;
    for (long i = 0; i < k->n; i++) {
        free(k->code[i]);
        free(k->kind[i]);
    }
    free(k->code);
    free(k->kind);
    free(k->lon);
    free(k->lat);
    free(k->x);
    free(k->y);
    free(k->township);
    free(k->first);
    free(k->order);
    free(k->covered);
    free(k);
    *pk = NULL;
}

static int grow(struct tc_key_points *k, long *cap)
{
    if (k->n < *cap)
        return 0;
    long c = *cap ? 2 * *cap : 64;
    if (tc_resize((void **)&k->code, (size_t)c, sizeof *k->code) ||
        tc_resize((void **)&k->kind, (size_t)c, sizeof *k->kind) ||
        tc_resize((void **)&k->lon, (size_t)c, sizeof *k->lon) ||
        tc_resize((void **)&k->lat, (size_t)c, sizeof *k->lat) ||
        tc_resize((void **)&k->township, (size_t)c, sizeof *k->township))
        return -1;
    *cap = c;
    return 0;
}

static int find(struct csv_reader *r, const char *const *names, const char *what,
                struct tc_error *err)
{
    for (int i = 0; names[i]; i++) {
        int c = csv_column(r, names[i]);
        if (c >= 0)
            return c;
    }
    return tc_fail(err, TC_EXIT_SITES, "%s:%ld: no column '%s' in the header: \"%s\"",
                   csv_path(r), csv_header_line(r), what, csv_header_text(r)) - 1;
}

/* Adds one key point (lon/lat WGS 84) of township code; 0 or -1 with err
 * naming where (`where` is "file:line" or "file: record N (FID M)"). */
static int add_point(const struct tc_map *map, struct tc_key_points *k, long *cap,
                     const char *code, const char *kind, double lon, double lat,
                     const char *where, struct tc_error *err)
{
    if (grow(k, cap) != 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    if (!isfinite(lon) || !isfinite(lat) || fabs(lat) > 90 || fabs(lon) > 360)
        return tc_fail(err, TC_EXIT_SITES, "%s: (%g, %g) is not a longitude and latitude", where,
                       lon, lat);
    int t = map_find_code(map, code);
    if (t < 0)
        return tc_fail(err, TC_EXIT_SITES, "%s: key point of township '%s', which the map does "
                       "not have", where, code);
    k->code[k->n] = strdup(code);
    k->kind[k->n] = strdup(kind);
    k->lon[k->n] = lon;
    k->lat[k->n] = lat;
    k->township[k->n] = t;
    if (!k->code[k->n] || !k->kind[k->n])
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    k->n++;
    return 0;
}

static int read_rows(struct csv_reader *r, const struct tc_map *map, struct tc_key_points *k,
                     struct tc_error *err)
{
    static const char *const codes[] = {"code", NULL}, *const kinds[] = {"kind", "type", NULL};
    static const char *const lons[] = {"lon", "lng", "longitude", NULL};
    static const char *const lats[] = {"lat", "latitude", NULL};
    int c_code = find(r, codes, "code", err), c_kind = c_code >= 0 ? find(r, kinds, "kind", err)
                                                                     : -2;
    int c_lon = c_kind >= 0 ? find(r, lons, "lon", err) : -2;
    int c_lat = c_lon >= 0 ? find(r, lats, "lat", err) : -2;
    if (c_lat < 0)
        return -1;
    long cap = k->n;
    int got;
    while ((got = csv_next(r, err)) == 1) {
        char *end1, *end2;
        const char *f_lon = csv_field(r, c_lon), *f_lat = csv_field(r, c_lat);
        double lon = strtod(f_lon, &end1), lat = strtod(f_lat, &end2);
        /* An empty field (a short row too) is no coordinate, not 0. */
        if (end1 == f_lon || end2 == f_lat || *end1 || *end2)
            return csv_fail(r, err, "'%s', '%s' is not a longitude and latitude",
                            csv_field(r, c_lon), csv_field(r, c_lat));
        char where[32];
        snprintf(where, sizeof where, ":%ld", csv_line(r));
        size_t len = strlen(csv_path(r)) + sizeof where;
        char *at = malloc(len);
        if (!at)
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
        snprintf(at, len, "%s%s", csv_path(r), where);
        int rc = add_point(map, k, &cap, csv_field(r, c_code), csv_field(r, c_kind), lon, lat,
                           at, err);
        free(at);
        if (rc != 0)
            return -1;
    }
    return got;
}

/* The whole of an open file as a string (NULL when out of memory). */
static char *read_whole(FILE *f)
{
    if (fseek(f, 0, SEEK_END) != 0)
        return NULL;
    long len = ftell(f);
    char *text = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!text)
        return NULL;
    rewind(f);
    size_t got = fread(text, 1, (size_t)len, f);
    text[got] = '\0';
    return text;
}

/* A point shapefile: fields code and kind; coordinates in its .prj's CRS
 * (none: WGS 84 lon/lat), taken to lon/lat by PROJ. */
static int read_points_shapefile(const char *path, const struct tc_map *map,
                                 struct tc_key_points *k, struct tc_error *err)
{
    SHPHandle shp;
    DBFHandle dbf;
    char *base = NULL;
    if (shpio_open(path, &shp, &dbf, &base, err) != 0)
        return -1;
    int n = 0, type = 0, rc = 0;
    SHPGetInfo(shp, &n, &type, NULL, NULL);
    int f_code = DBFGetFieldIndex(dbf, "code"), f_kind = DBFGetFieldIndex(dbf, "kind");
    if (type != SHPT_POINT && type != SHPT_POINTZ && type != SHPT_POINTM)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: shape type %s, not Point", path,
                     shpio_type_name(type));
    else if (f_code < 0)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: the .dbf has no 'code' field", path);
    struct map_transform *to_lonlat = NULL;
    size_t plen = strlen(base) + 5;
    char *prj = malloc(plen);
    FILE *pf = NULL;
    if (prj) {
        snprintf(prj, plen, "%s.prj", base);
        pf = fopen(prj, "rb");
    }
    char *wkt = rc == 0 && pf ? read_whole(pf) : NULL;
    if (rc == 0 && pf) {
        to_lonlat = wkt ? map_transform_to_lonlat(wkt) : NULL;
        if (!to_lonlat)
            rc = tc_fail(err, TC_EXIT_SITES, "%s: not a coordinate system PROJ can read%s%s%s",
                         prj, *tc_libmsg_proj_last() ? " (" : "", tc_libmsg_proj_last(),
                         *tc_libmsg_proj_last() ? ")" : "");
    }
    free(wkt);
    if (pf)
        fclose(pf);
    long cap = k->n;
    for (int i = 0; rc == 0 && i < n; i++) {
        SHPObject *o = SHPReadObject(shp, i);
        if (!o || o->nVertices < 1) {
            rc = tc_fail(err, TC_EXIT_SITES, "%s: " SHPIO_REC_FMT ": no point", path,
                         SHPIO_REC(i));
            SHPDestroyObject(o);
            break;
        }
        PJ_COORD c = proj_coord(o->padfX[0], o->padfY[0], 0, 0);
        SHPDestroyObject(o);
        if (to_lonlat)
            c = proj_trans(map_transform_pj(to_lonlat), PJ_FWD, c);
        int cut = 0;
        char *code = shpio_read_text(dbf, i, f_code, "", &cut);
        char *kind = shpio_read_text(dbf, i, f_kind, "", &cut);
        char where[64];
        snprintf(where, sizeof where, SHPIO_REC_FMT, SHPIO_REC(i));
        char *at = malloc(strlen(path) + sizeof where + 3);
        if (at)
            sprintf(at, "%s: %s", path, where);
        rc = code && kind && at ? add_point(map, k, &cap, code, kind, c.xy.x, c.xy.y, at, err)
                                : tc_fail(err, TC_EXIT_SITES, "%s: %s: unreadable code or kind",
                                          path, where);
        free(code);
        free(kind);
        free(at);
    }
    map_transform_free(&to_lonlat);
    free(prj);
    free(base);
    DBFClose(dbf);
    SHPClose(shp);
    return rc;
}

/* A point layer of any other OGR source (GeoPackage, GeoJSON, PostGIS...):
 * fields code and kind, coordinates in the layer's CRS (none: WGS 84). */
static int read_points_ogr(const char *path, const struct tc_map *map, struct tc_key_points *k,
                           struct tc_error *err)
{
    struct ogr_table *t = NULL;
    if (ogrread_open(path, NULL, "a '|layername=NAME' suffix on [map] key_points",
                     OGRREAD_POINTS, TC_EXIT_SITES, &t, err) != 0)
        return -1;
    int f_code = ogrread_field(t, "code"), f_kind = ogrread_field(t, "kind"), rc = 0;
    if (f_code < 0)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: the layer has no 'code' field", t->label);
    struct map_transform *to_lonlat = rc == 0 && t->wkt ? map_transform_to_lonlat(t->wkt)
                                                         : NULL;
    if (rc == 0 && t->wkt && !to_lonlat)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: not a coordinate system PROJ can read", t->label);
    long cap = k->n;
    for (long i = 0; rc == 0 && i < t->n; i++) {
        char at[TC_PATH_MAX + 64];
        snprintf(at, sizeof at, "%s: " OGRREAD_FEAT_FMT, t->label, i + 1, t->fid[i]);
        const char *code = t->text[i * t->nfields + f_code];
        const char *kind = f_kind >= 0 ? t->text[i * t->nfields + f_kind] : NULL;
        if (!t->shape[i]) {
            rc = tc_fail(err, TC_EXIT_SITES, "%s: no point", at);
            break;
        }
        PJ_COORD c = proj_coord(t->shape[i]->padfX[0], t->shape[i]->padfY[0], 0, 0);
        if (to_lonlat)
            c = proj_trans(map_transform_pj(to_lonlat), PJ_FWD, c);
        rc = add_point(map, k, &cap, code ? code : "", kind ? kind : "", c.xy.x, c.xy.y, at,
                       err);
    }
    map_transform_free(&to_lonlat);
    ogrread_free(&t);
    return rc;
}

/* Metric coordinates and the township index (first/order). */
static int place(const struct tc_map *map, struct tc_key_points *k, struct tc_error *err)
{
    size_t n = (size_t)k->n + 1;
    k->x = malloc(n * sizeof *k->x);
    k->y = malloc(n * sizeof *k->y);
    k->first = calloc((size_t)map->n + 1, sizeof *k->first);
    k->order = malloc(n * sizeof *k->order);
    k->covered = calloc(n, 1);
    if (!k->x || !k->y || !k->first || !k->order || !k->covered)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    if (k->n == 0)
        return 0; /* none asked (or an empty file): nothing to place */
    memcpy(k->x, k->lon, sizeof *k->x * (size_t)k->n);
    memcpy(k->y, k->lat, sizeof *k->y * (size_t)k->n);
    struct map_proj *p = map_proj_new(map, err);
    int rc = p ? map_proj_trans(p, 0, k->x, k->y, k->n) : -1;
    map_proj_free(&p);
    if (rc != 0)
        return tc_fail(err, TC_EXIT_SITES, "PROJ cannot project the key points");
    /* counting sort by township: stable, so file order within one */
    for (long i = 0; i < k->n; i++)
        k->first[k->township[i] + 1]++;
    for (int t = 0; t < map->n; t++)
        k->first[t + 1] += k->first[t];
    long *next = malloc(sizeof *next * ((size_t)map->n + 1));
    if (!next)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    memcpy(next, k->first, sizeof *next * (size_t)map->n);
    for (long i = 0; i < k->n; i++)
        k->order[next[k->township[i]]++] = i;
    free(next);
    return 0;
}

struct tc_key_points *key_points_load(const struct seat_config *cfg, const struct tc_map *map,
                                      const char *base_dir, FILE *warn, struct tc_error *err)
{
    (void)warn;
    struct tc_key_points *k = calloc(1, sizeof *k);
    if (!k) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    int rc = 0;
    if (cfg->key_points[0]) {
        size_t len = strlen(cfg->key_points) + (base_dir ? strlen(base_dir) : 0) + 2;
        char *path = malloc(len);
        if (!path)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        else if (cfg->key_points[0] == '/' || !base_dir || !base_dir[0])
            snprintf(path, len, "%s", cfg->key_points);
        else
            snprintf(path, len, "%s/%s", base_dir, cfg->key_points);
        size_t n = path ? strlen(path) : 0;
        const char *slash = path ? strrchr(path, '/') : NULL; /* CSV as before, or any OGR source */
        const char *ext = path ? strrchr(slash ? slash : path, '.') : NULL;
        int csv = !ext || strcasecmp(ext, ".csv") == 0 || strcasecmp(ext, ".txt") == 0 ||
                  strcasecmp(ext, ".tsv") == 0;
        if (rc == 0 && n > 4 && strcasecmp(path + n - 4, ".shp") == 0) {
            rc = read_points_shapefile(path, map, k, err);
        } else if (rc == 0 && !csv && (ogrread_wants(path) || ogrread_wants(cfg->key_points))) {
            rc = read_points_ogr(ogrread_wants(path) ? path : cfg->key_points, map, k, err);
        } else if (rc == 0) {
            struct csv_options opt = {NULL, NULL, TC_EXIT_SITES};
            struct csv_reader *r = csv_open(path, &opt, err);
            rc = r ? read_rows(r, map, k, err) : -1;
            csv_close(&r);
        }
        free(path);
    }
    if (rc == 0)
        rc = place(map, k, err);
    if (rc != 0)
        key_points_free(&k);
    return k;
}
