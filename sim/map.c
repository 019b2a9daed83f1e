/* map.c — loads a township polygon shapefile into the metric CRS (map.h). */
#include "towncov/map.h"

#include <ctype.h>
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

static const char *const encoding_names[] = {"auto", "utf-8", "gbk", NULL};

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
    {"map", "seat_lon_field", KEY_STRING, offsetof(struct map_config, seat_lon_field), 0, 0,
     NULL, "seat_lon", "",
     "attribute holding the seat's longitude (degrees); absent: a point inside the polygon"},
    {"map", "seat_lat_field", KEY_STRING, offsetof(struct map_config, seat_lat_field), 0, 0,
     NULL, "seat_lat", "", "attribute holding the seat's latitude (degrees)"},
    {"map", "encoding", KEY_ENUM, offsetof(struct map_config, encoding), 0, 0, encoding_names,
     "auto", "",
     "text encoding of the .dbf; auto: the .cpg or the DBF code page, else UTF-8 when valid, "
     "else GBK"},
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

/* ---- shapelib's error hook: it has no user pointer, so keep the last
 * message per thread and add it to ours. */
static _Thread_local char shapelib_msg[512];

static void on_shapelib_error(const char *message)
{
    snprintf(shapelib_msg, sizeof shapelib_msg, "%s", message);
}

static void quiet_hooks(SAHooks *hooks)
{
    SASetupDefaultHooks(hooks);
    hooks->Error = on_shapelib_error;
}

/* ---- paths ---------------------------------------------------------------*/
static void join_path(char *out, size_t size, const char *base_dir, const char *file)
{
    if (file[0] == '/' || !base_dir || !base_dir[0] || strcmp(base_dir, ".") == 0)
        snprintf(out, size, "%s", file);
    else
        snprintf(out, size, "%s/%s", base_dir, file);
}

/* "dir/x.shp" -> "dir/x" */
static void strip_shp(char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcasecmp(path + n - 4, ".shp") == 0)
        path[n - 4] = '\0';
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

/* ---- text encoding -------------------------------------------------------*/
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2
                : (*s & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0)
            return 0;
        s++;
        for (int i = 0; i < n; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void trim(char *s);

/* The iconv name of the .dbf's encoding: from map.encoding, else the .cpg
 * (shapelib reads it) or the DBF header's language driver; "" = unknown
 * (then each string is taken as UTF-8 when valid, else as GBK). */
static int dbf_encoding(int setting, const char *codepage, char *name, size_t size)
{
    name[0] = '\0';
    if (setting == MAP_ENC_UTF8 || setting == MAP_ENC_GBK) {
        snprintf(name, size, "%s", setting == MAP_ENC_UTF8 ? "UTF-8" : "GB18030");
        return 0;
    }
    if (!codepage || !codepage[0])
        return 0;
    char up[48]; /* code page names are short; "CP" may be prefixed */
    size_t i = 0;
    for (; codepage[i] && i + 1 < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)codepage[i]);
    up[i] = '\0';
    trim(up);
    if (strstr(up, "UTF") || strcmp(up, "65001") == 0) {
        snprintf(name, size, "UTF-8");
    } else if (strstr(up, "GB") || strstr(up, "936") || strcmp(up, "LDID/77") == 0) {
        /* GB18030 is a superset of GBK, CP936 and GB2312. */
        snprintf(name, size, "GB18030");
    } else if (strncmp(up, "LDID/", 5) == 0) {
        return 0; /* a language driver we do not map: guess per string */
    } else {
        /* Any other code page iconv knows (CP1252, BIG5, ISO-8859-1...). */
        snprintf(name, size, "%s%s", isdigit((unsigned char)up[0]) ? "CP" : "", up);
        iconv_t cd = iconv_open("UTF-8", name);
        if (cd == (iconv_t)-1)
            return -1;
        iconv_close(cd);
    }
    return 0;
}

static int convert(const char *from, const char *in, char *out, size_t size)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return -1;
    char *src = (char *)in, *dst = out;
    size_t left = strlen(in), room = size - 1;
    size_t r = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1)
        return -1;
    *dst = '\0';
    return 0;
}

/* Converts one DBF string to UTF-8 into out. Returns 0 or -1. */
static int to_utf8(const char *encoding, const char *in, char *out, size_t size)
{
    int utf8 = valid_utf8((const unsigned char *)in);
    if (strcmp(encoding, "UTF-8") == 0 || (!encoding[0] && utf8)) {
        if (!utf8)
            return -1;
        snprintf(out, size, "%s", in);
        return 0;
    }
    return convert(encoding[0] ? encoding : "GB18030", in, out, size);
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
    char encoding[64]; /* iconv name, "" = guess per string */
    int f_code, f_name, f_kind, f_county, f_lon, f_lat;
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

static int open_files(struct loader *ld, const char *base_dir, struct tc_error *err)
{
    char base[TC_PATH_MAX];
    join_path(base, sizeof base, base_dir, ld->cfg->file);
    snprintf(ld->shp_path, sizeof ld->shp_path, "%s", base);
    strip_shp(base);
    SAHooks hooks;
    quiet_hooks(&hooks);
    shapelib_msg[0] = '\0';
    ld->shp = SHPOpenLL(base, "rb", &hooks);
    if (!ld->shp)
        return tc_fail(err, TC_EXIT_MAP, "%s: cannot open shapefile (.shp/.shx): %s",
                       ld->shp_path, shapelib_msg[0] ? shapelib_msg : strerror(errno));
    ld->dbf = DBFOpenLL(base, "rb", &hooks);
    if (!ld->dbf)
        return tc_fail(err, TC_EXIT_MAP, "%s.dbf: cannot open attribute table: %s", base,
                       shapelib_msg[0] ? shapelib_msg : strerror(errno));
    int n, type;
    SHPGetInfo(ld->shp, &n, &type, NULL, NULL);
    if (type != SHPT_POLYGON && type != SHPT_POLYGONZ && type != SHPT_POLYGONM)
        return tc_fail(err, TC_EXIT_MAP, "%s: shape type is %s, not polygon", ld->shp_path,
                       SHPTypeName(type));
    if (n <= 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: the map has no records", ld->shp_path);
    if (dbf_claims_too_much(ld->dbf, base, err))
        return -1;
    if (DBFGetRecordCount(ld->dbf) != n)
        return tc_fail(err, TC_EXIT_MAP, "%s: %d shapes but %d attribute records in the .dbf",
                       ld->shp_path, n, DBFGetRecordCount(ld->dbf));
    const char *cp = DBFGetCodePage(ld->dbf);
    if (dbf_encoding(ld->cfg->encoding, cp, ld->encoding, sizeof ld->encoding) != 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: unknown text encoding '%s' (from the .cpg); "
                       "set map.encoding to utf-8 or gbk", ld->shp_path, cp);
    return 0;
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
    snprintf(prj, sizeof prj, "%s", ld->shp_path);
    strip_shp(prj);
    strcat(prj, ".prj");
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
            return tc_fail(err, TC_EXIT_MAP, "%s: record %d: vertex %d is not a number",
                           ld->shp_path, rec, i);
        if (ld->geographic)
            x = o->padfX[i] = clamp_longitude(x);
        if (ld->geographic && (x < -180 || x > 360 || y < -90 || y > 90))
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: record %d: vertex %d (%g, %g) is outside lon/lat range",
                           ld->shp_path, rec, i, x, y);
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
    char warning[1024];
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

/* Returns g if valid, else (map.repair = yes) its polygonal MakeValid with
 * a warning naming the record and the relative area change, else NULL with
 * the job's error set. Consumes g. */
static GEOSGeometry *make_valid(const struct loader *ld, GEOSContextHandle_t ctx, GEOSGeometry *g,
                                int rec, const char *code, struct record_job *job)
{
    if (GEOSisValid_r(ctx, g) == 1)
        return g;
    char *reason = GEOSisValidReason_r(ctx, g);
    if (!ld->cfg->repair) {
        tc_fail(&job->err, TC_EXIT_MAP,
                "%s: record %d (code %s): invalid polygon: %s (map.repair = no)", ld->shp_path,
                rec, code, reason ? reason : "?");
        GEOSFree_r(ctx, reason);
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
        tc_fail(&job->err, TC_EXIT_MAP, "%s: record %d (code %s): invalid polygon (%s) with no "
                "area left after repair", ld->shp_path, rec, code, reason ? reason : "?");
        GEOSFree_r(ctx, reason);
        if (fixed)
            GEOSGeom_destroy_r(ctx, fixed);
        return NULL;
    }
    job->repaired++;
    size_t used = strlen(job->warning);
    snprintf(job->warning + used, sizeof job->warning - used,
             "towncov: warning: %s: record %d (code %s): invalid polygon (%s) made valid; "
             "area changed by %.4f %%\n",
             ld->shp_path, rec, code, reason ? reason : "?",
             100.0 * fabs(after - before) / (before > 0 ? before : after));
    GEOSFree_r(ctx, reason);
    return fixed;
}

static int read_string(struct loader *ld, int rec, int field, const char *what, char *out,
                       size_t size, struct tc_error *err)
{
    out[0] = '\0';
    if (field < 0)
        return 0;
    const char *raw = DBFReadStringAttribute(ld->dbf, rec, field);
    if (!raw)
        return tc_fail(err, TC_EXIT_MAP, "%s: record %d: cannot read %s", ld->shp_path, rec, what);
    if (to_utf8(ld->encoding, raw, out, size) != 0)
        return tc_fail(err, TC_EXIT_MAP,
                       "%s: record %d: %s is not valid %s text (set map.encoding)", ld->shp_path,
                       rec, what, ld->encoding[0] ? ld->encoding : "UTF-8 or GBK");
    trim(out);
    return 0;
}

static int read_attributes(struct loader *ld, int rec, struct township *t, struct tc_error *err)
{
    char kind[64];
    if (read_string(ld, rec, ld->f_code, "the code", t->code, sizeof t->code, err) ||
        read_string(ld, rec, ld->f_name, "the name", t->name, sizeof t->name, err) ||
        read_string(ld, rec, ld->f_county, "the county", t->county, sizeof t->county, err) ||
        read_string(ld, rec, ld->f_kind, "the kind", kind, sizeof kind, err))
        return -1;
    if (!t->code[0])
        return tc_fail(err, TC_EXIT_MAP, "%s: record %d: empty township code (field '%s')",
                       ld->shp_path, rec, ld->cfg->code_field);
    if (ld->f_kind < 0 || !kind[0]) {
        t->kind = tc_kind_from_name(t->name);
    } else {
        int k = tc_kind_parse(kind);
        if (k < 0)
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: record %d (code %s): unknown kind '%s' (expected subdistrict, "
                           "town, township or special)",
                           ld->shp_path, rec, t->code, kind);
        t->kind = (enum tc_kind)k;
    }
    t->seat_lon = t->seat_lat = NAN;
    if (ld->f_lon >= 0 && !DBFIsAttributeNULL(ld->dbf, rec, ld->f_lon)) {
        t->seat_lon = DBFReadDoubleAttribute(ld->dbf, rec, ld->f_lon);
        t->seat_lat = DBFReadDoubleAttribute(ld->dbf, rec, ld->f_lat);
        if (!isfinite(t->seat_lon) || !isfinite(t->seat_lat) || fabs(t->seat_lat) > 90 ||
            fabs(t->seat_lon) > 360)
            return tc_fail(err, TC_EXIT_MAP, "%s: record %d (code %s): seat (%g, %g) is not a "
                           "longitude/latitude", ld->shp_path, rec, t->code, t->seat_lon,
                           t->seat_lat);
    }
    return 0;
}

/* Serial: reads record rec's shape and checks what needs no geometry. */
static int read_shape(struct loader *ld, int rec, const struct township *t, SHPObject **out,
                      struct tc_error *err)
{
    shapelib_msg[0] = '\0';
    SHPObject *o = SHPReadObject(ld->shp, rec);
    if (!o)
        return tc_fail(err, TC_EXIT_MAP, "%s: record %d: cannot read the shape (%s)",
                       ld->shp_path, rec, shapelib_msg[0] ? shapelib_msg : "corrupt file");
    if (o->nSHPType == SHPT_NULL || o->nVertices == 0) {
        SHPDestroyObject(o);
        return tc_fail(err, TC_EXIT_MAP, "%s: record %d (code %s): null shape (no polygon)",
                       ld->shp_path, rec, t->code);
    }
    if (check_coordinates(ld, o, rec, err) != 0) {
        SHPDestroyObject(o);
        return -1;
    }
    *out = o;
    return 0;
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
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, job->obj, &job->err);
    if (!g) {
        char inner[sizeof job->err.msg];
        snprintf(inner, sizeof inner, "%s", job->err.msg);
        tc_fail(&job->err, TC_EXIT_MAP, "%s: %s", ld->shp_path, inner);
        job->failed = 1;
        return;
    }
    g = make_valid(ld, ctx, g, t->record, t->code, job);
    GEOSGeometry *metric = g ? densify_project(ctx, g, densify_step(ld), w->src_to_metric,
                                               densify_seed(ld))
                             : NULL;
    if (g && !metric)
        tc_fail(&job->err, TC_EXIT_MAP, "%s: record %d (code %s): coordinates cannot be "
                "projected", ld->shp_path, t->record, t->code);
    if (g)
        GEOSGeom_destroy_r(ctx, g);
    /* Projection can, rarely, make near-touching rings cross. */
    t->geom = metric ? make_valid(ld, ctx, metric, t->record, t->code, job) : NULL;
    if (!t->geom) {
        job->failed = 1;
        return;
    }
    GEOSArea_r(ctx, t->geom, &t->area_m2);
    GEOSGeom_getXMin_r(ctx, t->geom, &t->xmin); /* also warms the envelope cache */
    GEOSGeom_getYMin_r(ctx, t->geom, &t->ymin);
    GEOSGeom_getXMax_r(ctx, t->geom, &t->xmax);
    GEOSGeom_getYMax_r(ctx, t->geom, &t->ymax);
    if (isfinite(t->seat_lon)) {
        t->seat_x = t->seat_lon;
        t->seat_y = t->seat_lat;
        trans_point(&t->seat_x, &t->seat_y, w->geo_to_metric);
    } else {
        GEOSGeometry *p = GEOSPointOnSurface_r(ctx, t->geom);
        GEOSGeomGetX_r(ctx, p, &t->seat_x);
        GEOSGeomGetY_r(ctx, p, &t->seat_y);
        GEOSGeom_destroy_r(ctx, p);
        PJ_COORD c = proj_trans(w->geo_to_metric, PJ_INV, proj_coord(t->seat_x, t->seat_y, 0, 0));
        t->seat_lon = c.xy.x;
        t->seat_lat = c.xy.y;
    }
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
        if (jobs[i].warning[0] && ld->warn)
            fputs(jobs[i].warning, ld->warn);
        m->repaired += jobs[i].repaired;
    }
    return 0;
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
            return tc_fail(err, TC_EXIT_MAP, "%s: records %d and %d have the same code %s",
                           ld->shp_path, m->t[i - 1].record, m->t[i].record, m->t[i].code);
    return 0;
}

static int read_townships(struct loader *ld, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int n = DBFGetRecordCount(ld->dbf);
    m->t = calloc((size_t)n, sizeof *m->t);
    struct record_job *jobs = calloc((size_t)n, sizeof *jobs);
    int rc = m->t && jobs ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for %d "
                                        "townships", ld->shp_path, n);
    /* shapelib is not thread-safe: read every record here first. */
    for (int rec = 0; rc == 0 && rec < n; rec++) {
        struct township *t = &m->t[rec];
        t->record = rec;
        rc = read_attributes(ld, rec, t, err);
        if (rc == 0)
            rc = read_shape(ld, rec, t, &jobs[rec].obj, err);
        if (rc == 0)
            m->n++;
        if (rc == 0 && tc_interrupted())
            rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while loading %s", ld->shp_path);
    }
    if (rc == 0)
        rc = build_townships(ld, jobs, err);
    for (int i = 0; jobs && i < n; i++)
        SHPDestroyObject(jobs[i].obj);
    free(jobs);
    if (rc != 0)
        return -1;
    if (sort_and_check_codes(ld, err) != 0)
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
    for (int i = 0; i < m->n; i++)
        GEOSGeom_destroy_r(m->ctx, m->t[i].geom);
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
