/* crs.c — the source CRS (.prj via PROJ), the equal-area metric CRS built
 * for the map's extent, and rings densified and projected into it. */
#include "map_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/densify.h"
#include "towncov/projection.h"

static char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int c;
    while ((c = getc(f)) != EOF) {
        if (tc_reserve((void **)&buf, &cap, len + 2, 1) != 0) {
            free(buf);
            fclose(f);
            return NULL;
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

int map_trans_point(double *x, double *y, void *userdata)
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
 * (source units; densify_coords, from each edge's start), then the ring
 * goes through PROJ in one batch; or, with step DENSIFY_BY_ERROR, edges are
 * bisected by the projection's error (projection_densify_ring). Done by
 * hand on coordinate arrays because GEOS 3.11's densifier both buffer(0)s
 * its result and double-frees on some MultiPolygons. */
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
    double *ox = NULL, *oy = NULL;
    GEOSGeometry *out = NULL;
    if (!x || !y || !GEOSCoordSeq_copyToArrays_r(ctx, seq, x, y, NULL, NULL))
        goto done;
    if (step == DENSIFY_BY_ERROR) {
        out = densify_by_error(ctx, x, y, n, seed, pj);
        goto done;
    }
    long dm = densify_coords(x, y, n, step, DENSIFY_FROM_START, &ox, &oy);
    if (dm < 0 || dm > (long)UINT_MAX)
        goto done;
    size_t m = (size_t)dm;
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
GEOSGeometry *map_densify_project(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step,
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

/* ---- coordinate systems --------------------------------------------------*/
double map_clamp_longitude(double x)
{
    if (x < -180 && x >= -180 - LON_SLACK)
        return -180;
    if (x > 180 && x <= 180 + LON_SLACK)
        return 180;
    if (x > 360 && x <= 360 + LON_SLACK)
        return 360;
    return x;
}

double map_clamp_latitude(double y)
{
    if (y < -90 && y >= -90 - LON_SLACK)
        return -90;
    if (y > 90 && y <= 90 + LON_SLACK)
        return 90;
    return y;
}

static int ring_unprojectable(GEOSContextHandle_t ctx, const GEOSGeometry *ring, PJ *pj,
                              double *x, double *y)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(ctx, seq, &n);
    for (unsigned i = 0; i < n; i++) {
        double px, py;
        if (!GEOSCoordSeq_getXY_r(ctx, seq, i, &px, &py))
            continue;
        *x = px;
        *y = py;
        if (!map_trans_point(&px, &py, pj))
            return 1;
    }
    return 0;
}

int map_unprojectable_vertex(GEOSContextHandle_t ctx, const GEOSGeometry *g, PJ *pj, double *x,
                             double *y)
{
    int parts = GEOSGeomTypeId_r(ctx, g) == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(ctx, g);
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *poly = GEOSGeomTypeId_r(ctx, g) == GEOS_POLYGON
                                       ? g : GEOSGetGeometryN_r(ctx, g, p);
        if (ring_unprojectable(ctx, GEOSGetExteriorRing_r(ctx, poly), pj, x, y))
            return 1;
        int nh = GEOSGetNumInteriorRings_r(ctx, poly);
        for (int h = 0; h < nh; h++)
            if (ring_unprojectable(ctx, GEOSGetInteriorRingN_r(ctx, poly, h), pj, x, y))
                return 1;
    }
    return 0;
}

static int read_source_crs(struct loader *ld, PJ **src, struct tc_error *err)
{
    char prj[TC_PATH_MAX + 40];
    if (ld->ogr) /* the layer's own CRS, as a .prj would hold it */
        snprintf(prj, sizeof prj, "%s: the layer's coordinate system", ld->shp_path);
    else
        snprintf(prj, sizeof prj, "%s.prj", ld->base);
    char *wkt = ld->ogr ? (ld->ogr->wkt ? strdup(ld->ogr->wkt) : NULL) : read_text_file(prj);
    if (!wkt) {
        if (!ld->cfg->assume_wgs84)
            return tc_fail(err, TC_EXIT_MAP, "%s: missing (map.assume_wgs84 = no)", prj);
        double lo[4], hi[4];
        map_source_bounds(ld, lo, hi);
        if (lo[0] < -180 - LON_SLACK || hi[0] > 180 + LON_SLACK || lo[1] < -90 - LON_SLACK ||
            hi[1] > 90 + LON_SLACK)
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: missing, and the coordinates (%g..%g, %g..%g) are not lon/lat: "
                           "add the .prj the data was made with",
                           prj, lo[0], hi[0], lo[1], hi[1]);
        if (ld->warn)
            fprintf(ld->warn, "towncov: warning: %s: missing; taking WGS 84 lon/lat\n", prj);
        *src = proj_create(ld->pj_ctx, "EPSG:4326");
        return *src ? 0 : tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot build EPSG:4326");
    }
    map_trim(wkt);
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
PJ *map_make_transform(PJ_CONTEXT *ctx, const PJ *from, const PJ *to)
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
 * (map_setup_crs measures it; see projection.h). */
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
    if (ld->given_metric) /* a layer joined to a map: in that map's CRS */
        snprintf(m->metric_crs, sizeof m->metric_crs, "%s", ld->given_metric);
    else if (inv_f > 0)
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

int map_setup_crs(struct loader *ld, struct tc_error *err)
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
    src_to_geo = map_make_transform(ld->pj_ctx, src, geo);
    double lo[4], hi[4];
    map_source_bounds(ld, lo, hi);
    struct tc_map *m = ld->map;
    if (ld->geographic) {
        /* Out-of-range vertices are reported per record later; clamp here. */
        lo[0] = fmax(map_clamp_longitude(lo[0]), -180); hi[0] = fmin(map_clamp_longitude(hi[0]), 360);
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
    ld->geo_to_metric = map_make_transform(ld->pj_ctx, geo, metric);
    /* A lon/lat source is its own geodetic CRS (strictly: same names,
     * datum, axes): the same operation, cloned (PROJ's search for it costs
     * milliseconds each time). */
    if (ld->geo_to_metric && proj_is_equivalent_to(src, geo, PJ_COMP_STRICT))
        ld->src_to_metric = proj_clone(ld->pj_ctx, ld->geo_to_metric);
    else
        ld->src_to_metric = map_make_transform(ld->pj_ctx, src, metric);
    const char *gw = proj_as_wkt(ld->pj_ctx, geo, PJ_WKT2_2019, NULL);
    ld->geo_wkt = gw ? strdup(gw) : NULL;
    /* The operation as PROJ instantiates it (from this pipeline text): a
     * later stage rebuilds it from the text in microseconds, where a
     * search of PROJ's database costs milliseconds a context. */
    const char *def = ld->geo_to_metric ? proj_as_proj_string(ld->pj_ctx, ld->geo_to_metric,
                                                              PJ_PROJ_5, NULL) : NULL;
    ld->geo_def = def ? strdup(def) : NULL;
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

/* The fixed step of a map whose metric CRS is within PROJECTION_SCALE_TOL
 * of ground truth everywhere (a province: the results of old), else
 * DENSIFY_BY_ERROR. */
double map_densify_step(const struct loader *ld)
{
    if (ld->map->scale_error > PROJECTION_SCALE_TOL)
        return DENSIFY_BY_ERROR;
    return ld->geographic ? DENSIFY_DEGREES : DENSIFY_METRES;
}

double map_densify_seed(const struct loader *ld)
{
    return ld->geographic ? PROJECTION_SEED_DEGREES : PROJECTION_SEED_UNITS;
}
