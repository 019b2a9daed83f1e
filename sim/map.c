/* map.c — loads a township polygon shapefile into the metric CRS (map.h). */
#include "towncov/map.h"

#include <ctype.h>
#include <stdarg.h>
#include <strings.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <omp.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "towncov/grid.h"
#include "towncov/projection.h"
#include "towncov/shpio.h"
#include "towncov/textenc.h"

const struct key_desc map_keys[] = {
    {"map", "file", KEY_STRING, offsetof(struct map_config, file), 0, 0, NULL, "", "",
     "township polygon shapefile (.shp), relative to the scenario file's folder"},
    {"map", "code_field", KEY_STRING, offsetof(struct map_config, code_field), 0, 0, NULL,
     "code", "", "attribute holding the township code (unique)"},
    {"map", "name_field", KEY_STRING, offsetof(struct map_config, name_field), 0, 0, NULL,
     "name", "", "attribute holding the township name"},
    {"map", "kind_field", KEY_STRING, offsetof(struct map_config, kind_field), 0, 0, NULL,
     "kind", "",
     "attribute holding the kind (subdistrict, town, township, special, or 街道/镇/乡); "
     "empty or absent: guessed from the name's ending"},
    {"map", "county_field", KEY_STRING, offsetof(struct map_config, county_field), 0, 0, NULL,
     "county", "", "attribute holding the county name (empty: no county)"},
    {"map", "county_code_field", KEY_STRING, offsetof(struct map_config, county_code_field), 0,
     0, NULL, "cnty_code", "", "attribute holding the county code, which tells apart counties "
     "that share a name (absent: counties are told apart by name)"},
    {"map", "seat_lon_field", KEY_STRING, offsetof(struct map_config, seat_lon_field), 0, 0,
     NULL, "seat_lon", "",
     "attribute holding the seat's longitude (degrees); absent: a point inside the polygon"},
    {"map", "seat_lat_field", KEY_STRING, offsetof(struct map_config, seat_lat_field), 0, 0,
     NULL, "seat_lat", "", "attribute holding the seat's latitude (degrees)"},
    {"map", "encoding", KEY_ENCODING, offsetof(struct map_config, encoding), 0, 0, NULL,
     "auto", "",
     "text encoding of the .dbf: auto (the .cpg, else the DBF's language driver, else UTF-8 "
     "when valid and GBK otherwise), utf-8, gbk, or any iconv name (latin1, cp1252, big5...)"},
    {"map", "repair", KEY_BOOL, offsetof(struct map_config, repair), 0, 0, NULL, "yes", "",
     "make invalid polygons valid (GEOS MakeValid) with a warning; no: refuse them"},
    {"map", "assume_wgs84", KEY_BOOL, offsetof(struct map_config, assume_wgs84), 0, 0, NULL,
     "yes", "",
     "a map without .prj: take its coordinates as WGS 84 lon/lat (warning) if they fit; "
     "no: refuse it"},
};
const int map_nkeys = (int)(sizeof map_keys / sizeof map_keys[0]);

/* Geographic maps are densified to this step (degrees) before projection:
 * an edge straight in lon/lat is curved in the metric CRS, and longer edges
 * make areas drift from geodesic by 0.1-0.2 % on Jiangxi's county data.
 * That fixed step is kept where the metric CRS's scale error stays within
 * PROJECTION_SCALE_TOL over the map (a province); on wider maps edges are
 * densified by the projection's error instead (DENSIFY_BY_ERROR). */
#define DENSIFY_DEGREES 0.005
#define DENSIFY_METRES 500.0
#define DENSIFY_BY_ERROR 0.0

/* Longitudes this far past +-180 (rounding in the data's making, as
 * Natural Earth's 180.00000000000006) are taken as +-180. */
#define LON_SLACK 1e-9

/* ---- paths ---------------------------------------------------------------*/
static void join_path(char *out, size_t size, const char *base_dir, const char *file)
{
    if (file[0] == '/' || !base_dir || !base_dir[0] || strcmp(base_dir, ".") == 0)
        snprintf(out, size, "%s", file);
    else
        snprintf(out, size, "%s/%s", base_dir, file);
}

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? 2 * cap : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        buf[len++] = (char)c;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] && isspace((unsigned char)s[k]))
        k++;
    memmove(s, s + k, n - k + 1);
}

/* ---- the loader's working state -----------------------------------------*/
struct loader {
    const struct map_config *cfg;
    char shp_path[TC_PATH_MAX];
    SHPHandle shp;
    DBFHandle dbf;
    char *base;        /* shp_path without ".shp": the sidecars' stem */
    char encoding[TEXTENC_NAME_MAX]; /* iconv name, "" = guess per string */
    int shp_type;      /* the type the .shp header declares */
    int deleted;       /* DBF records marked deleted (skipped) */
    int cut_texts;     /* texts a writer cut inside a character */
    int f_code, f_name, f_kind, f_county, f_county_code, f_lon, f_lat;
    PJ_CONTEXT *pj_ctx;
    PJ *src_to_metric;  /* source CRS -> metric */
    PJ *geo_to_metric;  /* geodetic lon/lat of the source's datum -> metric */
    char *geo_wkt;      /* that geodetic CRS */
    int geographic;     /* the source CRS is lon/lat */
    FILE *warn;
    int threads;
    struct tc_map *map;
};

static int trans_point(double *x, double *y, void *userdata)
{
    PJ *pj = userdata;
    PJ_COORD c = proj_coord(*x, *y, 0, 0);
    c = proj_trans(pj, PJ_FWD, c);
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
        return 0;
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

/* ---- densify and project -------------------------------------------------
 * One pass per ring: points are inserted so no edge is longer than `step`
 * (source units), then the ring goes through PROJ in one batch; or, with
 * step DENSIFY_BY_ERROR, edges are bisected by the projection's error
 * (projection_densify_ring). Done by hand on coordinate arrays because
 * GEOS 3.11's densifier both buffer(0)s its result and double-frees on
 * some MultiPolygons. */
static GEOSGeometry *densify_by_error(GEOSContextHandle_t ctx, const double *x, const double *y,
                                      unsigned n, double seed, PJ *pj)
{
    double *ox = NULL, *oy = NULL;
    long m = projection_densify_ring(pj, x, y, n, seed, PROJECTION_DENSIFY_TOL_M, &ox, &oy);
    GEOSCoordSequence *os =
        m > 0 ? GEOSCoordSeq_copyFromArrays_r(ctx, ox, oy, NULL, NULL, (unsigned)m) : NULL;
    free(ox);
    free(oy);
    return os ? GEOSGeom_createLinearRing_r(ctx, os) : NULL;
}

static GEOSGeometry *densify_project_ring(GEOSContextHandle_t ctx, const GEOSGeometry *ring,
                                          double step, PJ *pj, double seed)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &n);
    double *x = malloc(sizeof *x * (n ? n : 1)), *y = malloc(sizeof *y * (n ? n : 1));
    size_t cap = (size_t)n + 16, m = 0;
    double *ox = malloc(sizeof *ox * cap), *oy = malloc(sizeof *oy * cap);
    GEOSGeometry *out = NULL;
    if (!x || !y || !ox || !oy || !GEOSCoordSeq_copyToArrays_r(ctx, seq, x, y, NULL, NULL))
        goto done;
    if (step == DENSIFY_BY_ERROR) {
        out = densify_by_error(ctx, x, y, n, seed, pj);
        goto done;
    }
    for (unsigned i = 0; i < n; i++) {
        int pieces = 1;
        if (i + 1 < n) {
            double len = hypot(x[i + 1] - x[i], y[i + 1] - y[i]);
            pieces = len > step ? (int)ceil(len / step) : 1;
        }
        if (m + (size_t)pieces + 1 > cap) {
            cap = 2 * (m + (size_t)pieces + 1);
            double *nx = realloc(ox, sizeof *ox * cap), *ny = realloc(oy, sizeof *oy * cap);
            if (nx) ox = nx;
            if (ny) oy = ny;
            if (!nx || !ny)
                goto done;
        }
        for (int k = 0; k < (i + 1 < n ? pieces : 1); k++) {
            double f = (double)k / pieces;
            ox[m] = k ? x[i] + f * (x[i + 1] - x[i]) : x[i];
            oy[m] = k ? y[i] + f * (y[i + 1] - y[i]) : y[i];
            m++;
        }
    }
    if (proj_trans_generic(pj, PJ_FWD, ox, sizeof *ox, m, oy, sizeof *oy, m, NULL, 0, 0, NULL, 0,
                           0) != m)
        goto done;
    for (size_t i = 0; i < m; i++)
        if (!isfinite(ox[i]) || !isfinite(oy[i]))
            goto done;
    GEOSCoordSequence *os = GEOSCoordSeq_copyFromArrays_r(ctx, ox, oy, NULL, NULL, (unsigned)m);
    out = os ? GEOSGeom_createLinearRing_r(ctx, os) : NULL;
done:
    free(x); free(y); free(ox); free(oy);
    return out;
}

static GEOSGeometry *densify_project_polygon(GEOSContextHandle_t ctx, const GEOSGeometry *poly,
                                             double step, PJ *pj, double seed)
{
    int nh = GEOSGetNumInteriorRings_r(ctx, poly);
    GEOSGeometry *shell =
        densify_project_ring(ctx, GEOSGetExteriorRing_r(ctx, poly), step, pj, seed);
    GEOSGeometry **holes = malloc(sizeof *holes * (size_t)(nh > 0 ? nh : 1));
    int ok = shell && holes;
    for (int i = 0; ok && i < nh; i++) {
        holes[i] =
            densify_project_ring(ctx, GEOSGetInteriorRingN_r(ctx, poly, i), step, pj, seed);
        if (!holes[i]) {
            for (int j = 0; j < i; j++)
                GEOSGeom_destroy_r(ctx, holes[j]);
            ok = 0;
        }
    }
    GEOSGeometry *out = NULL;
    if (ok)
        out = GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nh);
    else if (shell)
        GEOSGeom_destroy_r(ctx, shell);
    free(holes);
    return out;
}

/* g: Polygon or MultiPolygon in source coordinates; returns a new one in
 * the metric CRS, or NULL when a coordinate cannot be projected. `seed`:
 * the longest piece (source units) when step is DENSIFY_BY_ERROR. */
static GEOSGeometry *densify_project(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step,
                                     PJ *pj, double seed)
{
    if (GEOSGeomTypeId_r(ctx, g) == GEOS_POLYGON)
        return densify_project_polygon(ctx, g, step, pj, seed);
    int n = GEOSGetNumGeometries_r(ctx, g);
    GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(n > 0 ? n : 1));
    if (!parts)
        return NULL;
    for (int i = 0; i < n; i++) {
        parts[i] = densify_project_polygon(ctx, GEOSGetGeometryN_r(ctx, g, i), step, pj, seed);
        if (!parts[i]) {
            for (int j = 0; j < i; j++)
                GEOSGeom_destroy_r(ctx, parts[j]);
            free(parts);
            return NULL;
        }
    }
    GEOSGeometry *out = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, (unsigned)n);
    free(parts);
    return out;
}

/* A corrupt .dbf header can claim billions of records: refuse it before
 * allocating anything for them, from the file's real size. */
static int dbf_claims_too_much(DBFHandle dbf, const char *base, struct tc_error *err)
{
    char path[TC_PATH_MAX + 8];
    snprintf(path, sizeof path, "%s.dbf", base);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* opened under another case of the extension: shapelib checked it */
    double claimed = (double)dbf->nHeaderLength +
                     (double)DBFGetRecordCount(dbf) * (double)dbf->nRecordLength;
    if (claimed > (double)st.st_size + 1)
        return tc_fail(err, TC_EXIT_MAP,
                       "%s: truncated or corrupt: its header claims %d records (%.0f bytes) "
                       "but the file has %lld bytes",
                       path, DBFGetRecordCount(dbf), claimed, (long long)st.st_size);
    return 0;
}

/* The .dbf's encoding: map.encoding, else the .cpg or language driver. */
static int choose_encoding(struct loader *ld, struct tc_error *err)
{
    const char *setting = ld->cfg->encoding;
    if (setting[0] && strcasecmp(setting, "auto") != 0) {
        if (textenc_from_setting(setting, ld->encoding, sizeof ld->encoding) != 0)
            return tc_fail(err, TC_EXIT_MAP, "map.encoding = %s: iconv knows no such encoding",
                           setting);
        return 0;
    }
    const char *cp = DBFGetCodePage(ld->dbf);
    if (textenc_from_codepage(cp, ld->encoding, sizeof ld->encoding) != 0)
        return tc_fail(err, TC_EXIT_MAP, "%s.cpg: unknown text encoding '%s'; set map.encoding "
                       "(utf-8, gbk, cp1252, or any iconv name) or correct the .cpg",
                       ld->base, ld->encoding);
    return 0;
}

static int open_files(struct loader *ld, const char *base_dir, struct tc_error *err)
{
    join_path(ld->shp_path, sizeof ld->shp_path, base_dir, ld->cfg->file);
    if (shpio_open(ld->shp_path, &ld->shp, &ld->dbf, &ld->base, err) != 0)
        return -1;
    int n;
    SHPGetInfo(ld->shp, &n, &ld->shp_type, NULL, NULL);
    if (!shpio_is_polygon_type(ld->shp_type))
        return tc_fail(err, TC_EXIT_MAP, "%s: shape type is %s, not Polygon", ld->shp_path,
                       shpio_type_name(ld->shp_type));
    if (n <= 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: the map has no records", ld->shp_path);
    if (dbf_claims_too_much(ld->dbf, ld->base, err))
        return -1;
    if (DBFGetRecordCount(ld->dbf) != n)
        return tc_fail(err, TC_EXIT_MAP, "%s: %d shapes but %d attribute records in the .dbf",
                       ld->shp_path, n, DBFGetRecordCount(ld->dbf));
    return choose_encoding(ld, err);
}

static void list_fields(DBFHandle dbf, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < DBFGetFieldCount(dbf); i++) {
        char name[16];
        DBFGetFieldInfo(dbf, i, name, NULL, NULL);
        strncat(buf, i ? ", " : "", size - strlen(buf) - 1);
        strncat(buf, name, size - strlen(buf) - 1);
    }
}

static int find_field(struct loader *ld, const char *name, int required, const char *key,
                      int *index, struct tc_error *err)
{
    *index = name[0] ? DBFGetFieldIndex(ld->dbf, name) : -1;
    if (*index < 0 && required) {
        char fields[1024];
        list_fields(ld->dbf, fields, sizeof fields);
        return tc_fail(err, TC_EXIT_MAP,
                       "%s: no attribute '%s' (map.%s); the .dbf has: %s", ld->shp_path, name,
                       key, fields);
    }
    return 0;
}

static int find_fields(struct loader *ld, struct tc_error *err)
{
    const struct map_config *c = ld->cfg;
    if (find_field(ld, c->code_field, 1, "code_field", &ld->f_code, err) ||
        find_field(ld, c->name_field, 1, "name_field", &ld->f_name, err) ||
        find_field(ld, c->county_field, c->county_field[0] != 0, "county_field", &ld->f_county, err))
        return -1;
    find_field(ld, c->kind_field, 0, "kind_field", &ld->f_kind, err);
    find_field(ld, c->county_code_field, 0, "county_code_field", &ld->f_county_code, err);
    find_field(ld, c->seat_lon_field, 0, "seat_lon_field", &ld->f_lon, err);
    find_field(ld, c->seat_lat_field, 0, "seat_lat_field", &ld->f_lat, err);
    if ((ld->f_lon < 0) != (ld->f_lat < 0))
        return tc_fail(err, TC_EXIT_MAP, "%s: has only one of the seat fields '%s' and '%s'",
                       ld->shp_path, c->seat_lon_field, c->seat_lat_field);
    if (ld->f_kind < 0 && ld->warn && c->kind_field[0])
        fprintf(ld->warn, "towncov: warning: %s: no attribute '%s'; township kinds are guessed "
                          "from the names\n", ld->shp_path, c->kind_field);
    if (ld->f_lon < 0 && ld->warn)
        fprintf(ld->warn, "towncov: note: %s: no seat attributes; each township's seat is a "
                          "point inside its polygon\n", ld->shp_path);
    return 0;
}

/* ---- coordinate systems --------------------------------------------------*/
static double clamp_longitude(double x)
{
    if (x < -180 && x >= -180 - LON_SLACK)
        return -180;
    if (x > 180 && x <= 180 + LON_SLACK)
        return 180;
    if (x > 360 && x <= 360 + LON_SLACK)
        return 360;
    return x;
}

static int read_source_crs(struct loader *ld, PJ **src, struct tc_error *err)
{
    char prj[TC_PATH_MAX + 8];
    snprintf(prj, sizeof prj, "%s.prj", ld->base);
    char *wkt = read_text_file(prj);
    if (!wkt) {
        if (!ld->cfg->assume_wgs84)
            return tc_fail(err, TC_EXIT_MAP, "%s: missing (map.assume_wgs84 = no)", prj);
        double lo[4], hi[4];
        SHPGetInfo(ld->shp, NULL, NULL, lo, hi);
        if (lo[0] < -180 - LON_SLACK || hi[0] > 180 + LON_SLACK || lo[1] < -90 || hi[1] > 90)
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: missing, and the coordinates (%g..%g, %g..%g) are not lon/lat: "
                           "add the .prj the data was made with",
                           prj, lo[0], hi[0], lo[1], hi[1]);
        if (ld->warn)
            fprintf(ld->warn, "towncov: warning: %s: missing; taking WGS 84 lon/lat\n", prj);
        *src = proj_create(ld->pj_ctx, "EPSG:4326");
        return *src ? 0 : tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot build EPSG:4326");
    }
    trim(wkt);
    *src = proj_create(ld->pj_ctx, wkt);
    if (*src && !proj_is_crs(*src)) {
        proj_destroy(*src);
        *src = NULL;
    }
    ld->map->source_wkt = wkt;
    if (!*src)
        return tc_fail(err, TC_EXIT_MAP, "%s: not a coordinate system PROJ can read: %s", prj,
                       proj_context_errno_string(ld->pj_ctx, proj_context_errno(ld->pj_ctx)));
    return 0;
}

static int is_geographic(const PJ *crs)
{
    PJ_TYPE t = proj_get_type(crs);
    return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
           t == PJ_TYPE_GEOGRAPHIC_CRS;
}

/* A transformation between two CRSs with x = easting/longitude order. */
static PJ *make_transform(PJ_CONTEXT *ctx, const PJ *from, const PJ *to)
{
    PJ *raw = proj_create_crs_to_crs_from_pj(ctx, from, to, NULL, NULL);
    if (!raw)
        return NULL;
    PJ *norm = proj_normalize_for_visualization(ctx, raw);
    proj_destroy(raw);
    return norm;
}

/* Lambert azimuthal equal-area centred on the map, on the source's
 * ellipsoid: areas exact, distances within 0.05 % over a province; wider
 * maps are corrected where the scale error passes PROJECTION_SCALE_TOL
 * (setup_crs measures it; see projection.h). */
static PJ *make_metric_crs(struct loader *ld, const PJ *geo, struct tc_error *err)
{
    PJ *ell = proj_get_ellipsoid(ld->pj_ctx, geo);
    double a = 6378137.0, inv_f = 298.257223563;
    if (ell) {
        proj_ellipsoid_get_parameters(ld->pj_ctx, ell, &a, NULL, NULL, &inv_f);
        proj_destroy(ell);
    }
    struct tc_map *m = ld->map;
    double lon0 = 0.5 * (m->lon_min + m->lon_max), lat0 = 0.5 * (m->lat_min + m->lat_max);
    if (inv_f > 0)
        snprintf(m->metric_crs, sizeof m->metric_crs,
                 "+proj=laea +lat_0=%.6f +lon_0=%.6f +x_0=0 +y_0=0 +a=%.4f +rf=%.9f +units=m "
                 "+no_defs +type=crs",
                 lat0, lon0, a, inv_f);
    else
        snprintf(m->metric_crs, sizeof m->metric_crs,
                 "+proj=laea +lat_0=%.6f +lon_0=%.6f +x_0=0 +y_0=0 +R=%.4f +units=m +no_defs "
                 "+type=crs",
                 lat0, lon0, a);
    PJ *metric = proj_create(ld->pj_ctx, m->metric_crs);
    if (!metric)
        tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot build %s", m->metric_crs);
    return metric;
}

static int setup_crs(struct loader *ld, struct tc_error *err)
{
    PJ *src = NULL, *geo = NULL, *metric = NULL, *src_to_geo = NULL;
    int rc = -1;
    if (read_source_crs(ld, &src, err) != 0)
        goto done;
    ld->geographic = is_geographic(src);
    geo = proj_crs_get_geodetic_crs(ld->pj_ctx, src);
    if (!geo || !is_geographic(geo)) {
        tc_fail(err, TC_EXIT_MAP, "%s: its coordinate system has no geographic base",
                ld->shp_path);
        goto done;
    }
    src_to_geo = make_transform(ld->pj_ctx, src, geo);
    double lo[4], hi[4];
    SHPGetInfo(ld->shp, NULL, NULL, lo, hi);
    struct tc_map *m = ld->map;
    if (ld->geographic) {
        /* Out-of-range vertices are reported per record later; clamp here. */
        lo[0] = fmax(clamp_longitude(lo[0]), -180); hi[0] = fmin(clamp_longitude(hi[0]), 360);
        lo[1] = fmax(lo[1], -90); hi[1] = fmin(hi[1], 90);
    }
    if (!src_to_geo ||
        !proj_trans_bounds(ld->pj_ctx, src_to_geo, PJ_FWD, lo[0], lo[1], hi[0], hi[1], &m->lon_min,
                           &m->lat_min, &m->lon_max, &m->lat_max, 21) ||
        !isfinite(m->lon_min) || !isfinite(m->lat_max) || m->lat_min < -90 || m->lat_max > 90) {
        tc_fail(err, TC_EXIT_MAP, "%s: the extent (%g, %g) - (%g, %g) is not valid in its CRS",
                ld->shp_path, lo[0], lo[1], hi[0], hi[1]);
        goto done;
    }
    metric = make_metric_crs(ld, geo, err);
    if (!metric)
        goto done;
    m->scale_error = projection_worst_scale_error(ld->pj_ctx, metric, m->lon_min, m->lat_min,
                                                  m->lon_max, m->lat_max);
    if (m->scale_error > PROJECTION_SCALE_TOL && ld->warn)
        fprintf(ld->warn, "towncov: note: %s: wider than a province (the metric CRS's scale is "
                "off by up to %.2f %%): edges are densified by the projection's error and "
                "footprints drawn at their stations' scale\n", ld->shp_path,
                100 * m->scale_error);
    ld->src_to_metric = make_transform(ld->pj_ctx, src, metric);
    ld->geo_to_metric = make_transform(ld->pj_ctx, geo, metric);
    const char *gw = proj_as_wkt(ld->pj_ctx, geo, PJ_WKT2_2019, NULL);
    ld->geo_wkt = gw ? strdup(gw) : NULL;
    if (!ld->src_to_metric || !ld->geo_to_metric || !ld->geo_wkt) {
        tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot transform %s to %s", ld->shp_path,
                m->metric_crs);
        goto done;
    }
    rc = 0;
done:
    proj_destroy(src_to_geo);
    proj_destroy(metric);
    proj_destroy(geo);
    proj_destroy(src);
    return rc;
}

/* ---- records -------------------------------------------------------------*/
/* Also clamps longitudes within LON_SLACK past -180, 180 or 360 to them. */
static int check_coordinates(const struct loader *ld, SHPObject *o, int rec,
                             struct tc_error *err)
{
    for (int i = 0; i < o->nVertices; i++) {
        double x = o->padfX[i], y = o->padfY[i];
        if (!isfinite(x) || !isfinite(y))
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": vertex %d is not a number",
                           ld->shp_path, SHPIO_REC(rec), i);
        if (ld->geographic)
            x = o->padfX[i] = clamp_longitude(x);
        if (ld->geographic && (x < -180 || x > 360 || y < -90 || y > 90))
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: " SHPIO_REC_FMT ": vertex %d (%g, %g) is outside lon/lat range",
                           ld->shp_path, SHPIO_REC(rec), i, x, y);
    }
    return 0;
}

/* Keeps only the polygonal parts of what MakeValid returned (it may return
 * a collection mixing polygons, multipolygons and lines). Consumes g. */
static int count_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON)
        return 1;
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return 0;
    int n = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
        n += count_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i));
    return n;
}

static void collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g, GEOSGeometry **out,
                             int *k)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        out[(*k)++] = GEOSGeom_clone_r(ctx, g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
            collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out, k);
    }
}

static GEOSGeometry *polygonal_part(GEOSContextHandle_t ctx, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return g;
    int n = count_polygons(ctx, g), k = 0;
    GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(n > 0 ? n : 1));
    if (parts)
        collect_polygons(ctx, g, parts, &k);
    GEOSGeom_destroy_r(ctx, g);
    GEOSGeometry *out =
        parts ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, (unsigned)k) : NULL;
    free(parts);
    return out;
}

/* What the parallel part of loading learns about one record; reported
 * serially, in record order, so messages do not depend on threads. */
struct record_job {
    SHPObject *obj;
    char *warning;            /* repair warnings, "" or NULL when none */
    struct shpio_drops drops; /* parts with no area that were dropped */
    int repaired;
    int failed;
    struct tc_error err;
};

/* A thread's own GEOS context and PROJ transformations. */
struct geo_worker {
    GEOSContextHandle_t ctx;
    PJ_CONTEXT *pj_ctx;
    PJ *src_to_metric;
    PJ *geo_to_metric;
};

/* Appends a printf-style line to the job's warnings (grown as needed: the
 * codes in them are input text of any length). */
static void job_warn(struct record_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void job_warn(struct record_job *job, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int add = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t used = job->warning ? strlen(job->warning) : 0;
    if (add < 0 || tc_resize((void **)&job->warning, used + (size_t)add + 1, 1) != 0)
        return; /* a warning lost to memory exhaustion; the load goes on */
    va_start(ap, fmt);
    vsnprintf(job->warning + used, (size_t)add + 1, fmt, ap);
    va_end(ap);
}

/* Why g is invalid and where, the place given in the input's CRS (to_input
 * maps g's coordinates back to it; NULL when they already are), as users
 * see it in QGIS: "Self-intersection at (115.123456, 28.654321)". Returns a
 * new string, NULL when GEOS says nothing. */
static char *invalid_reason(const struct loader *ld, GEOSContextHandle_t ctx,
                            const GEOSGeometry *g, PJ *to_input)
{
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    if (GEOSisValidDetail_r(ctx, g, 0, &reason, &where) != 0 || !reason)
        return NULL;
    double x = NAN, y = NAN;
    if (where) {
        GEOSGeomGetX_r(ctx, where, &x);
        GEOSGeomGetY_r(ctx, where, &y);
        GEOSGeom_destroy_r(ctx, where);
    }
    if (to_input && isfinite(x)) {
        PJ_COORD c = proj_trans(to_input, PJ_INV, proj_coord(x, y, 0, 0));
        x = c.xy.x;
        y = c.xy.y;
    }
    size_t len = strlen(reason) + 96;
    char *text = malloc(len);
    if (text && isfinite(x))
        snprintf(text, len, ld->geographic ? "%s at (%.6f, %.6f)" : "%s at (%.2f, %.2f)",
                 reason, x, y);
    else if (text)
        snprintf(text, len, "%s", reason);
    GEOSFree_r(ctx, reason);
    return text;
}

/* Returns g if valid, else (map.repair = yes) its polygonal MakeValid with
 * a warning naming the record, the place and the relative area change,
 * else NULL with the job's error set. Consumes g. */
static GEOSGeometry *make_valid(const struct loader *ld, GEOSContextHandle_t ctx, GEOSGeometry *g,
                                PJ *to_input, const struct township *t, struct record_job *job)
{
    if (GEOSisValid_r(ctx, g) == 1)
        return g;
    char *reason = invalid_reason(ld, ctx, g, to_input);
    const char *why = reason ? reason : "?";
    if (!ld->cfg->repair) {
        tc_fail(&job->err, TC_EXIT_MAP,
                "%s: " SHPIO_REC_FMT " (code %s): invalid polygon: %s (map.repair = no)",
                ld->shp_path, SHPIO_REC(t->record), t->code, why);
        free(reason);
        GEOSGeom_destroy_r(ctx, g);
        return NULL;
    }
    double before = 0, after = 0;
    GEOSArea_r(ctx, g, &before);
    GEOSGeometry *fixed = GEOSMakeValid_r(ctx, g);
    GEOSGeom_destroy_r(ctx, g);
    if (fixed)
        fixed = polygonal_part(ctx, fixed);
    if (!fixed || GEOSisEmpty_r(ctx, fixed) || GEOSArea_r(ctx, fixed, &after) != 1 ||
        after <= 0) {
        tc_fail(&job->err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): invalid polygon (%s) "
                "with no area left after repair", ld->shp_path, SHPIO_REC(t->record), t->code,
                why);
        free(reason);
        if (fixed)
            GEOSGeom_destroy_r(ctx, fixed);
        return NULL;
    }
    job->repaired++;
    job_warn(job, "towncov: warning: %s: " SHPIO_REC_FMT " (code %s): invalid polygon (%s) "
             "made valid; area changed by %.4f %%\n", ld->shp_path, SHPIO_REC(t->record),
             t->code, why, 100.0 * fabs(after - before) / (before > 0 ? before : after));
    free(reason);
    return fixed;
}

/* Text attribute `field` of record fid as a new UTF-8 string, or NULL with
 * err saying how to read it. A writer's cut is counted (and noted in the
 * job's warnings by the caller). */
static char *read_text(struct loader *ld, int fid, int field, const char *what, int *cut,
                       struct tc_error *err)
{
    int was_cut = 0;
    char *text = shpio_read_text(ld->dbf, fid, field, ld->encoding, &was_cut);
    *cut |= was_cut;
    if (text)
        return text;
    if (errno == ENOMEM)
        tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", ld->shp_path);
    else
        tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": %s is not valid %s text: set "
                "map.encoding (gbk, cp1252, latin1, big5 or any iconv name), or put a .cpg "
                "naming the encoding beside the file (%s.cpg)", ld->shp_path, SHPIO_REC(fid),
                what, ld->encoding[0] ? ld->encoding : "UTF-8 or GBK", ld->base);
    return NULL;
}

static int read_kind(struct loader *ld, int fid, struct township *t, int *cut,
                     struct tc_error *err)
{
    if (ld->f_kind < 0) {
        t->kind = tc_kind_from_name(t->name);
        return 0;
    }
    char *kind = read_text(ld, fid, ld->f_kind, "the kind", cut, err);
    if (!kind)
        return -1;
    int k = kind[0] ? tc_kind_parse(kind) : (int)tc_kind_from_name(t->name);
    if (k < 0)
        tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): unknown kind '%s' (expected "
                "subdistrict, town, township or special)", ld->shp_path, SHPIO_REC(fid), t->code,
                kind);
    free(kind);
    if (k < 0)
        return -1;
    t->kind = (enum tc_kind)k;
    return 0;
}

static int read_seat(struct loader *ld, int fid, struct township *t, struct tc_error *err)
{
    t->seat_lon = t->seat_lat = NAN;
    if (ld->f_lon < 0 || DBFIsAttributeNULL(ld->dbf, fid, ld->f_lon))
        return 0;
    t->seat_lon = DBFReadDoubleAttribute(ld->dbf, fid, ld->f_lon);
    t->seat_lat = DBFReadDoubleAttribute(ld->dbf, fid, ld->f_lat);
    if (!isfinite(t->seat_lon) || !isfinite(t->seat_lat) || fabs(t->seat_lat) > 90 ||
        fabs(t->seat_lon) > 360)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): seat (%g, %g) is not "
                       "a longitude/latitude", ld->shp_path, SHPIO_REC(fid), t->code,
                       t->seat_lon, t->seat_lat);
    return 0;
}

/* Code, name, county, kind and seat of record fid. Texts are kept whole
 * (a DBF field holds up to 254 bytes; decoded, more). *cut is set when a
 * writer cut one of them inside a character. */
static int read_attributes(struct loader *ld, int fid, struct township *t, int *cut,
                           struct tc_error *err)
{
    if (!(t->code = read_text(ld, fid, ld->f_code, "the code", cut, err)) ||
        !(t->name = read_text(ld, fid, ld->f_name, "the name", cut, err)) ||
        !(t->county = read_text(ld, fid, ld->f_county, "the county", cut, err)) ||
        !(t->county_code = read_text(ld, fid, ld->f_county_code, "the county code", cut, err)))
        return -1;
    if (!t->code[0])
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": empty township code (field "
                       "'%s')", ld->shp_path, SHPIO_REC(fid), ld->cfg->code_field);
    if (read_kind(ld, fid, t, cut, err) != 0)
        return -1;
    return read_seat(ld, fid, t, err);
}

/* Serial: reads record fid's shape and checks what needs no geometry. */
static int read_shape(struct loader *ld, int fid, const struct township *t, SHPObject **out,
                      struct tc_error *err)
{
    SHPObject *o = SHPReadObject(ld->shp, fid);
    if (!o)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": cannot read the shape (corrupt "
                       "file)", ld->shp_path, SHPIO_REC(fid));
    int rc = 0;
    if (o->nSHPType != SHPT_NULL && !shpio_is_polygon_type(o->nSHPType))
        rc = tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): shape type %s, but the "
                     "file declares %s", ld->shp_path, SHPIO_REC(fid), t->code,
                     shpio_type_name(o->nSHPType), shpio_type_name(ld->shp_type));
    else if (o->nSHPType == SHPT_NULL || o->nVertices == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): null shape (no "
                     "polygon)", ld->shp_path, SHPIO_REC(fid), t->code);
    else
        rc = check_coordinates(ld, o, fid, err);
    if (rc != 0) {
        SHPDestroyObject(o);
        return -1;
    }
    *out = o;
    return 0;
}

/* The record's polygon in the source CRS; parts with no area dropped under
 * map.repair = yes (listed in job->drops), refused under no. */
static GEOSGeometry *record_polygon(const struct loader *ld, GEOSContextHandle_t ctx,
                                    const struct township *t, struct record_job *job)
{
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, job->obj, ld->cfg->repair ? &job->drops : NULL,
                                            &job->err);
    if (g)
        return g;
    char inner[sizeof job->err.msg];
    snprintf(inner, sizeof inner, "%s", job->err.msg);
    tc_fail(&job->err, TC_EXIT_MAP, "%s: %s (code %s)%s", ld->shp_path, inner, t->code,
            ld->cfg->repair ? "" : " (map.repair = no; yes drops parts with no area)");
    return NULL;
}

/* The seat in both CRSs: the attributes' point, else one inside the polygon. */
static void place_seat(struct geo_worker *w, struct township *t)
{
    GEOSContextHandle_t ctx = w->ctx;
    if (isfinite(t->seat_lon)) {
        t->seat_x = t->seat_lon;
        t->seat_y = t->seat_lat;
        trans_point(&t->seat_x, &t->seat_y, w->geo_to_metric);
        return;
    }
    GEOSGeometry *p = GEOSPointOnSurface_r(ctx, t->geom);
    GEOSGeomGetX_r(ctx, p, &t->seat_x);
    GEOSGeomGetY_r(ctx, p, &t->seat_y);
    GEOSGeom_destroy_r(ctx, p);
    PJ_COORD c = proj_trans(w->geo_to_metric, PJ_INV, proj_coord(t->seat_x, t->seat_y, 0, 0));
    t->seat_lon = c.xy.x;
    t->seat_lat = c.xy.y;
}

/* The fixed step of a map whose metric CRS is within PROJECTION_SCALE_TOL
 * of ground truth everywhere (a province: the results of old), else
 * DENSIFY_BY_ERROR. */
static double densify_step(const struct loader *ld)
{
    if (ld->map->scale_error > PROJECTION_SCALE_TOL)
        return DENSIFY_BY_ERROR;
    return ld->geographic ? DENSIFY_DEGREES : DENSIFY_METRES;
}

static double densify_seed(const struct loader *ld)
{
    return ld->geographic ? PROJECTION_SEED_DEGREES : PROJECTION_SEED_UNITS;
}

/* Parallel: polygon, validity, densify, projection, area, envelope, seat. */
static void build_township(const struct loader *ld, struct geo_worker *w, struct township *t,
                           struct record_job *job)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry *g = record_polygon(ld, ctx, t, job);
    if (g)
        g = make_valid(ld, ctx, g, NULL, t, job);
    GEOSGeometry *metric = g ? densify_project(ctx, g, densify_step(ld), w->src_to_metric,
                                               densify_seed(ld))
                             : NULL;
    if (g && !metric)
        tc_fail(&job->err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): coordinates cannot be "
                "projected", ld->shp_path, SHPIO_REC(t->record), t->code);
    if (g)
        GEOSGeom_destroy_r(ctx, g);
    /* Projection can, rarely, make near-touching rings cross. */
    t->geom = metric ? make_valid(ld, ctx, metric, w->src_to_metric, t, job) : NULL;
    if (!t->geom) {
        job->failed = 1;
        return;
    }
    GEOSArea_r(ctx, t->geom, &t->area_m2);
    GEOSGeom_getXMin_r(ctx, t->geom, &t->xmin); /* also warms the envelope cache */
    GEOSGeom_getYMin_r(ctx, t->geom, &t->ymin);
    GEOSGeom_getXMax_r(ctx, t->geom, &t->xmax);
    GEOSGeom_getYMax_r(ctx, t->geom, &t->ymax);
    place_seat(w, t);
}

static int workers_new(const struct loader *ld, struct geo_worker *w, int n)
{
    for (int i = 0; i < n; i++) { /* created serially, as GEOS and PROJ want */
        w[i].ctx = GEOS_init_r();
        w[i].pj_ctx = proj_context_create();
        proj_log_level(w[i].pj_ctx, PJ_LOG_NONE);
        w[i].src_to_metric = proj_clone(w[i].pj_ctx, ld->src_to_metric);
        w[i].geo_to_metric = proj_clone(w[i].pj_ctx, ld->geo_to_metric);
        if (!w[i].src_to_metric || !w[i].geo_to_metric)
            return -1;
    }
    return 0;
}

static void workers_free(struct geo_worker *w, int n)
{
    for (int i = 0; i < n; i++) {
        proj_destroy(w[i].src_to_metric);
        proj_destroy(w[i].geo_to_metric);
        if (w[i].pj_ctx)
            proj_context_destroy(w[i].pj_ctx);
        if (w[i].ctx)
            GEOS_finish_r(w[i].ctx);
    }
}

/* Builds every township's geometry in parallel, then reports the first
 * failure and every warning in record order. */
static void report_drops(struct loader *ld, const struct record_job *jobs);

static int build_townships(struct loader *ld, struct record_job *jobs, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int nthreads = ld->threads > 0 ? ld->threads : 1;
    struct geo_worker *w = calloc((size_t)nthreads, sizeof *w);
    if (!w || workers_new(ld, w, nthreads) != 0) {
        if (w)
            workers_free(w, nthreads);
        free(w);
        return tc_fail(err, TC_EXIT_INTERNAL, "cannot set up GEOS/PROJ for %d threads", nthreads);
    }
    #pragma omp parallel for num_threads(nthreads) schedule(dynamic, 4)
    for (int i = 0; i < m->n; i++)
        if (!tc_interrupted())
            build_township(ld, &w[omp_get_thread_num()], &m->t[i], &jobs[i]);
    workers_free(w, nthreads);
    free(w);
    if (tc_interrupted())
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while loading %s", ld->shp_path);
    for (int i = 0; i < m->n; i++) {
        if (jobs[i].failed) {
            *err = jobs[i].err;
            return -1;
        }
        if (jobs[i].warning && ld->warn)
            fputs(jobs[i].warning, ld->warn);
        m->repaired += jobs[i].repaired;
    }
    report_drops(ld, jobs);
    return 0;
}

/* How many detailed lines a repeated warning gets before it only counts. */
#define WARN_FIRST 5

/* Parts with no area that were dropped: one summary line, then the first
 * few (a coastal province has dozens of collapsed islets). */
static void report_drops(struct loader *ld, const struct record_job *jobs)
{
    struct tc_map *m = ld->map;
    int parts = 0, records = 0;
    for (int i = 0; i < m->n; i++) {
        parts += jobs[i].drops.n;
        records += jobs[i].drops.n > 0;
    }
    m->parts_dropped = parts;
    if (parts == 0 || !ld->warn)
        return;
    fprintf(ld->warn, "towncov: warning: %s: dropped %d part%s with no area from %d record%s "
            "(islets or holes collapsed to a point or a line)%s\n", ld->shp_path, parts,
            parts == 1 ? "" : "s", records, records == 1 ? "" : "s",
            parts > WARN_FIRST ? "; the first ones:" : ":");
    int shown = 0;
    for (int i = 0; i < m->n && shown < WARN_FIRST; i++)
        for (int k = 0; k < jobs[i].drops.n && shown < WARN_FIRST; k++, shown++) {
            const struct shpio_drop *d = &jobs[i].drops.part[k];
            fprintf(ld->warn, "  " SHPIO_REC_FMT " (code %s): part %d, %s of %d vertices with %d "
                    "distinct point%s\n", SHPIO_REC(m->t[i].record), m->t[i].code, d->part,
                    d->hole ? "a hole" : "an islet", d->vertices, d->distinct,
                    d->distinct == 1 ? "" : "s");
        }
}

static int by_code(const void *a, const void *b)
{
    const struct township *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : x->record - y->record;
}

static int sort_and_check_codes(struct loader *ld, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    qsort(m->t, (size_t)m->n, sizeof *m->t, by_code);
    for (int i = 1; i < m->n; i++)
        if (strcmp(m->t[i].code, m->t[i - 1].code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " and " SHPIO_REC_FMT " have "
                           "the same code %s", ld->shp_path, SHPIO_REC(m->t[i - 1].record),
                           SHPIO_REC(m->t[i].record), m->t[i].code);
    return 0;
}

/* A township's county, as the key that tells counties apart. */
static const char *county_key(const struct township *t)
{
    return t->county_code[0] ? t->county_code : t->county;
}

static int by_county(const void *a, const void *b, void *map)
{
    const struct township *t = ((const struct tc_map *)map)->t;
    int x = *(const int *)a, y = *(const int *)b;
    int d = strcmp(county_key(&t[x]), county_key(&t[y]));
    return d ? d : x - y;
}

/* Numbers the counties 0..n-1 in key order: two counties sharing a name
 * (新华区 in two cities) stay two when the map has county codes. */
static int number_counties(struct tc_map *m, struct tc_error *err)
{
    int *order = malloc(sizeof *order * (size_t)m->n);
    if (!order)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int i = 0; i < m->n; i++)
        order[i] = i;
    qsort_r(order, (size_t)m->n, sizeof *order, by_county, m);
    m->n_counties = 0;
    for (int i = 0; i < m->n; i++) {
        if (i > 0 && strcmp(county_key(&m->t[order[i]]), county_key(&m->t[order[i - 1]])) != 0)
            m->n_counties++;
        m->t[order[i]].county_id = m->n_counties;
    }
    m->n_counties += m->n > 0;
    free(order);
    return 0;
}

/* Notes what the reading skipped or mended, once per file. */
static void report_reading(const struct loader *ld, int first_deleted, int first_cut)
{
    if (!ld->warn)
        return;
    if (ld->deleted)
        fprintf(ld->warn, "towncov: note: %s: skipped %d record%s marked deleted in the .dbf "
                "(as GDAL and QGIS do), the first " SHPIO_REC_FMT "\n", ld->shp_path,
                ld->deleted, ld->deleted == 1 ? "" : "s", SHPIO_REC(first_deleted));
    if (ld->cut_texts)
        fprintf(ld->warn, "towncov: warning: %s: %d record%s had text cut inside a character "
                "by the program that wrote the file (the first " SHPIO_REC_FMT "); the "
                "incomplete character was dropped\n", ld->shp_path, ld->cut_texts,
                ld->cut_texts == 1 ? "" : "s", SHPIO_REC(first_cut));
}

/* An invariant of every loaded map: each township has an area. */
static int check_areas(const struct loader *ld, struct tc_error *err)
{
    const struct tc_map *m = ld->map;
    for (int i = 0; i < m->n; i++)
        if (!(m->t[i].area_m2 > 0))
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (code %s): the township has "
                           "no area after loading", ld->shp_path, SHPIO_REC(m->t[i].record),
                           m->t[i].code);
    return 0;
}

/* Serial: attributes and shapes of every live record (shapelib is not
 * thread-safe), into m->t and jobs. */
static int read_records(struct loader *ld, struct record_job *jobs, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int n = DBFGetRecordCount(ld->dbf), first_deleted = -1, first_cut = -1, rc = 0;
    for (int fid = 0; rc == 0 && fid < n; fid++) {
        if (DBFIsRecordDeleted(ld->dbf, fid)) {
            if (ld->deleted++ == 0)
                first_deleted = fid;
            continue;
        }
        struct township *t = &m->t[m->n++]; /* counted first: map_free frees its texts */
        t->record = fid;
        int cut = 0;
        rc = read_attributes(ld, fid, t, &cut, err);
        if (rc == 0 && cut && ld->cut_texts++ == 0)
            first_cut = fid;
        if (rc == 0)
            rc = read_shape(ld, fid, t, &jobs[m->n - 1].obj, err);
        if (rc == 0 && tc_interrupted())
            rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while loading %s", ld->shp_path);
    }
    if (rc == 0 && m->n == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: every record is marked deleted", ld->shp_path);
    if (rc == 0)
        report_reading(ld, first_deleted, first_cut);
    return rc;
}

static int read_townships(struct loader *ld, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int n = DBFGetRecordCount(ld->dbf);
    m->t = calloc((size_t)n, sizeof *m->t);
    struct record_job *jobs = calloc((size_t)n, sizeof *jobs);
    int rc = m->t && jobs ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for %d "
                                        "townships", ld->shp_path, n);
    if (rc == 0)
        rc = read_records(ld, jobs, err);
    if (rc == 0)
        rc = build_townships(ld, jobs, err);
    for (int i = 0; jobs && i < n; i++) {
        SHPDestroyObject(jobs[i].obj);
        free(jobs[i].warning);
        shpio_drops_free(&jobs[i].drops);
    }
    free(jobs);
    if (rc != 0 || check_areas(ld, err) != 0 || sort_and_check_codes(ld, err) != 0 ||
        number_counties(m, err) != 0)
        return -1;
    m->xmin = m->ymin = INFINITY;
    m->xmax = m->ymax = -INFINITY;
    for (int i = 0; i < m->n; i++) {
        struct township *t = &m->t[i];
        m->total_area_m2 += t->area_m2;
        m->xmin = fmin(m->xmin, t->xmin);
        m->ymin = fmin(m->ymin, t->ymin);
        m->xmax = fmax(m->xmax, t->xmax);
        m->ymax = fmax(m->ymax, t->ymax);
    }
    return 0;
}

static void loader_close(struct loader *ld)
{
    free(ld->base);
    if (ld->shp)
        SHPClose(ld->shp);
    if (ld->dbf)
        DBFClose(ld->dbf);
    proj_destroy(ld->src_to_metric);
    proj_destroy(ld->geo_to_metric);
    if (ld->pj_ctx)
        proj_context_destroy(ld->pj_ctx);
}

struct tc_map *map_load(const struct map_config *cfg, const char *base_dir, int threads,
                        FILE *warn, struct tc_error *err)
{
    struct loader ld = {.cfg = cfg, .warn = warn, .threads = threads};
    ld.map = calloc(1, sizeof *ld.map);
    if (!ld.map) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    ld.map->ctx = GEOS_init_r();
    ld.pj_ctx = proj_context_create();
    proj_log_level(ld.pj_ctx, PJ_LOG_NONE);
    int rc = open_files(&ld, base_dir, err);
    snprintf(ld.map->source_file, sizeof ld.map->source_file, "%s", ld.shp_path);
    if (rc == 0)
        rc = find_fields(&ld, err);
    if (rc == 0)
        rc = setup_crs(&ld, err);
    if (rc == 0)
        rc = read_townships(&ld, err);
    loader_close(&ld);
    if (rc != 0) {
        free(ld.geo_wkt);
        map_free(&ld.map);
        return NULL;
    }
    ld.map->geo_wkt = ld.geo_wkt;
    return ld.map;
}

void map_free(struct tc_map **map)
{
    struct tc_map *m = *map;
    if (!m)
        return;
    for (int i = 0; i < m->n; i++) {
        GEOSGeom_destroy_r(m->ctx, m->t[i].geom);
        free(m->t[i].code);
        free(m->t[i].name);
        free(m->t[i].county);
        free(m->t[i].county_code);
    }
    free(m->t);
    free(m->source_wkt);
    free(m->geo_wkt);
    GEOS_finish_r(m->ctx);
    free(m);
    *map = NULL;
}

/* ---- per-thread projections ---------------------------------------------*/
struct map_proj {
    PJ_CONTEXT *ctx;
    PJ *geo_to_metric;
};

struct map_proj *map_proj_new(const struct tc_map *map, struct tc_error *err)
{
    struct map_proj *p = calloc(1, sizeof *p);
    if (!p) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    p->ctx = proj_context_create();
    proj_log_level(p->ctx, PJ_LOG_NONE);
    PJ *geo = proj_create(p->ctx, map->geo_wkt);
    PJ *metric = proj_create(p->ctx, map->metric_crs);
    if (geo && metric)
        p->geo_to_metric = make_transform(p->ctx, geo, metric);
    proj_destroy(geo);
    proj_destroy(metric);
    if (!p->geo_to_metric) {
        tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot rebuild the map's transformation");
        map_proj_free(&p);
    }
    return p;
}

void map_proj_free(struct map_proj **pp)
{
    struct map_proj *p = *pp;
    if (!p)
        return;
    proj_destroy(p->geo_to_metric);
    proj_context_destroy(p->ctx);
    free(p);
    *pp = NULL;
}

int map_proj_trans(struct map_proj *p, int inverse, double *x, double *y, long n)
{
    size_t st = sizeof(double);
    size_t done = proj_trans_generic(p->geo_to_metric, inverse ? PJ_INV : PJ_FWD, x, st, (size_t)n,
                                     y, st, (size_t)n, NULL, 0, 0, NULL, 0, 0);
    return done == (size_t)n ? 0 : -1;
}

/* ---- point location ------------------------------------------------------
 * A uniform grid over the map's extent; each cell lists the townships whose
 * envelope meets it, ascending. Prepared geometries are made lazily per
 * locator (a locator belongs to one thread). */
struct map_locator {
    const struct tc_map *map;
    GEOSContextHandle_t ctx;
    struct grid grid;
    const GEOSPreparedGeometry **prepared;
};

static void township_envelope(const void *items, long i, double box[4])
{
    const struct township *t = &((const struct tc_map *)items)->t[i];
    box[0] = t->xmin;
    box[1] = t->ymin;
    box[2] = t->xmax;
    box[3] = t->ymax;
}

struct map_locator *map_locator_new(const struct tc_map *map, GEOSContextHandle_t ctx)
{
    struct map_locator *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->map = map;
    l->ctx = ctx;
    const double extent[4] = {map->xmin, map->ymin, map->xmax, map->ymax};
    l->prepared = calloc((size_t)map->n, sizeof *l->prepared);
    if (!l->prepared ||
        grid_build(&l->grid, extent, 4L * map->n, map->n, township_envelope, map) != 0)
        map_locator_free(&l);
    return l;
}

void map_locator_free(struct map_locator **pl)
{
    struct map_locator *l = *pl;
    if (!l)
        return;
    if (l->prepared)
        for (int i = 0; i < l->map->n; i++)
            if (l->prepared[i])
                GEOSPreparedGeom_destroy_r(l->ctx, l->prepared[i]);
    free(l->prepared);
    grid_free(&l->grid);
    free(l);
    *pl = NULL;
}

int map_locate(struct map_locator *l, double x, double y)
{
    const struct tc_map *m = l->map;
    long first, last;
    grid_cell(&l->grid, x, y, &first, &last);
    int found = -1;
    GEOSGeometry *pt = NULL;
    for (long k = first; k < last && found < 0; k++) {
        int i = (int)l->grid.ids[k];
        const struct township *t = &m->t[i];
        if (x < t->xmin || x > t->xmax || y < t->ymin || y > t->ymax)
            continue;
        if (!l->prepared[i])
            l->prepared[i] = GEOSPrepare_r(l->ctx, t->geom);
        if (!pt)
            pt = GEOSGeom_createPointFromXY_r(l->ctx, x, y);
        if (GEOSPreparedIntersects_r(l->ctx, l->prepared[i], pt) == 1)
            found = i;
    }
    if (pt)
        GEOSGeom_destroy_r(l->ctx, pt);
    return found;
}
