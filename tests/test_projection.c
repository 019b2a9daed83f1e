/* Maps wider than a province (projection.c): township areas stay within
 * 1e-4 of geodesic and footprints within 0.1 % of their ground ranges, in
 * their ground directions, wherever the map reaches; a province keeps the
 * old, uncorrected path; longitudes a rounding error past +-180 are
 * lon/lat. */
#include <criterion/criterion.h>
#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/projection.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"
#include "towncov/sites.h"

#define WGS84_A 6378137.0
#define WGS84_F (1 / 298.257223563)

static char dir[256];
static char base[300];

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(base, sizeof base, "%s/map", dir);
}

struct box { double lon0, lat0, lon1, lat1; const char *kind; };

/* 60 degrees of longitude (70-130 E) and 30 of latitude (20-50 N): eight
 * 15 x 15 (or 14) degree townships, a 60 x 1 degree strip along the top and
 * a 0.1 degree square in the far corner, every edge straight in lon/lat. */
static const struct box wide[] = {
    {70, 20, 85, 35, "town"},      {85, 20, 100, 35, "township"}, {100, 20, 115, 35, "town"},
    {115, 20, 130, 35, "special"}, {70, 35, 85, 49, "township"},  {85, 35, 100, 49, "town"},
    {100, 35, 115, 49, "township"}, {115, 35, 130, 49, "subdistrict"},
    {70, 49, 130, 50, "town"},     {129.9, 19.9, 130, 20, "subdistrict"}};
#define NWIDE ((int)(sizeof wide / sizeof wide[0]))

/* Writes lon/lat boxes as shells (clockwise, as shapefiles want), with
 * the WGS 84 .prj when prj is set. */
static void write_boxes(const struct box *b, int n, int prj)
{
    SHPHandle shp = SHPCreate(base, SHPT_POLYGON);
    DBFHandle dbf = DBFCreateEx(base, "UTF-8");
    cr_assert(shp && dbf);
    DBFAddField(dbf, "code", FTString, 16, 0);
    DBFAddField(dbf, "name", FTString, 64, 0);
    DBFAddField(dbf, "county", FTString, 32, 0);
    DBFAddField(dbf, "kind", FTString, 16, 0);
    for (int i = 0; i < n; i++) {
        double x[] = {b[i].lon0, b[i].lon0, b[i].lon1, b[i].lon1, b[i].lon0};
        double y[] = {b[i].lat0, b[i].lat1, b[i].lat1, b[i].lat0, b[i].lat0};
        SHPObject *o = SHPCreateSimpleObject(SHPT_POLYGON, 5, x, y, NULL);
        SHPWriteObject(shp, -1, o);
        SHPDestroyObject(o);
        char code[16];
        snprintf(code, sizeof code, "%02d", i);
        DBFWriteStringAttribute(dbf, i, 0, code);
        DBFWriteStringAttribute(dbf, i, 1, code);
        DBFWriteStringAttribute(dbf, i, 2, "c");
        DBFWriteStringAttribute(dbf, i, 3, b[i].kind);
    }
    SHPClose(shp);
    DBFClose(dbf);
    char path[400];
    snprintf(path, sizeof path, "%s.cpg", base);
    fx_write_text(path, "UTF-8");
    if (prj) {
        snprintf(path, sizeof path, "%s.prj", base);
        fx_write_text(path, shpio_wgs84_wkt);
    }
}

static struct scenario scn;

static struct tc_map *load_boxes(const struct box *b, int n, int prj, struct tc_error *err)
{
    write_boxes(b, n, prj);
    scenario_defaults(&scn);
    snprintf(scn.map.file, sizeof scn.map.file, "%s.shp", base);
    FILE *devnull = fopen("/dev/null", "w");
    struct tc_map *m = map_load(&scn.map, NULL, 2, devnull, err);
    fclose(devnull);
    return m;
}

/* The authalic function q(phi) / (1 - e^2): the ellipsoid's area between
 * the equator and latitude phi, per radian of longitude, is
 * a^2 (1 - e^2) / 2 * q(phi). */
static double authalic_q(double phi)
{
    double e2 = WGS84_F * (2 - WGS84_F), e = sqrt(e2), s = sin(phi);
    return s / (1 - e2 * s * s) - 1 / (2 * e) * log((1 - e * s) / (1 + e * s));
}

/* Exact area of a lon/lat rectangle on the WGS 84 ellipsoid. */
static double box_area(const struct box *b)
{
    const double deg = M_PI / 180, e2 = WGS84_F * (2 - WGS84_F);
    return (b->lon1 - b->lon0) * deg * (authalic_q(b->lat1 * deg) - authalic_q(b->lat0 * deg)) *
           WGS84_A * WGS84_A * (1 - e2) / 2;
}

static const struct township *by_code(const struct tc_map *m, int i)
{
    char code[16];
    snprintf(code, sizeof code, "%02d", i);
    for (int k = 0; k < m->n; k++)
        if (strcmp(m->t[k].code, code) == 0)
            return &m->t[k];
    cr_assert_fail("no township %s", code);
    return NULL;
}

Test(projection, closed_form_box_area_agrees_with_geodesic_polygon)
{
    /* The reference itself, against GeographicLib on the box densified
     * along its parallels (what a straight lon/lat edge is). */
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    static double lat[4004], lon[4004];
    const struct box *b = &wide[4];
    int k = 0;
    for (int i = 0; i < 1000; i++, k++)
        lon[k] = b->lon0, lat[k] = b->lat0 + (b->lat1 - b->lat0) * i / 1000;
    for (int i = 0; i < 1000; i++, k++)
        lon[k] = b->lon0 + (b->lon1 - b->lon0) * i / 1000, lat[k] = b->lat1;
    for (int i = 0; i < 1000; i++, k++)
        lon[k] = b->lon1, lat[k] = b->lat1 - (b->lat1 - b->lat0) * i / 1000;
    for (int i = 0; i < 1000; i++, k++)
        lon[k] = b->lon1 - (b->lon1 - b->lon0) * i / 1000, lat[k] = b->lat0;
    double area;
    geod_polygonarea(&g, lat, lon, k, &area, NULL);
    double want = box_area(b);
    cr_assert(fabs(fabs(area) - want) / want < 1e-6, "geodesic %.6e vs closed form %.6e",
              fabs(area), want);
}

Test(projection, wide_map_areas_are_geodesic, .init = setup)
{
    struct tc_error err;
    struct tc_map *m = load_boxes(wide, NWIDE, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert_eq(m->n, NWIDE);
    cr_assert(m->scale_error > 0.03, "scale error %g", m->scale_error);
    double worst = 0;
    for (int i = 0; i < NWIDE; i++) {
        double want = box_area(&wide[i]), got = by_code(m, i)->area_m2;
        double rel = fabs(got - want) / want;
        worst = fmax(worst, rel);
        cr_expect(rel < 1e-4, "township %d: area %.6e vs geodesic %.6e (%.2e)", i, got, want, rel);
    }
    cr_log_info("wide map: worst relative area error %.3g (scale error %.4f)", worst,
                m->scale_error);
    map_free(&m);
}

/* Stations (lon, lat) on map m, outside every township (special kind). */
static struct tc_sites *stations(const struct tc_map *m, const double (*ll)[2], long n,
                                 struct radio_site *radio)
{
    struct tc_sites *s = calloc(1, sizeof *s);
    s->n = n;
    s->x = calloc((size_t)n, sizeof *s->x);
    s->y = calloc((size_t)n, sizeof *s->y);
    s->lon = calloc((size_t)n, sizeof *s->lon);
    s->lat = calloc((size_t)n, sizeof *s->lat);
    s->township = calloc((size_t)n, sizeof *s->township);
    s->radio = radio;
    for (long i = 0; i < n; i++) {
        s->x[i] = s->lon[i] = ll[i][0];
        s->y[i] = s->lat[i] = ll[i][1];
        s->township[i] = -1;
    }
    struct tc_error err;
    struct map_proj *p = map_proj_new(m, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(map_proj_trans(p, 0, s->x, s->y, n), 0);
    map_proj_free(&p);
    return s;
}

static void stations_free(struct tc_sites *s)
{
    free(s->x), free(s->y), free(s->lon), free(s->lat), free(s->township), free(s);
}

/* Every vertex of every footprint, taken back to lon/lat, lies at the
 * radio model's ground range from its station (within tol, relative) and
 * in the model's direction (within tol radians); returns the worst
 * relative range error. */
static double check_ground_truth(const struct radio_model *rm, const struct tc_map *m,
                                 const struct tc_sites *s, const struct tc_footprints *fp,
                                 double tol)
{
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    struct tc_error err;
    struct map_proj *p = map_proj_new(m, &err);
    cr_assert_not_null(p, "%s", err.msg);
    int maxv = radio_footprint_max_vertices(radio_model_config(rm));
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv);
    double worst = 0, worst_dir = 0;
    for (long i = 0; i < s->n; i++) {
        const struct radio_site *rs = s->radio ? &s->radio[i] : NULL;
        int n = radio_footprint(rm, KIND_SPECIAL, rs, xy, maxv, NULL);
        cr_assert_eq(footprint_size(fp, i), n);
        for (int k = 0; k < n; k++) {
            double x, y, s12, azi1, azi2;
            footprint_vertex(fp, i, k, &x, &y);
            cr_assert_eq(map_proj_trans(p, 1, &x, &y, 1), 0);
            geod_inverse(&g, s->lat[i], s->lon[i], y, x, &s12, &azi1, &azi2);
            double r = hypot(xy[2 * k], xy[2 * k + 1]);
            double want_az = atan2(xy[2 * k], xy[2 * k + 1]); /* from north, clockwise */
            double daz = remainder(azi1 * M_PI / 180 - want_az, 2 * M_PI);
            worst = fmax(worst, fabs(s12 - r) / r);
            worst_dir = fmax(worst_dir, fabs(daz));
            cr_assert(fabs(s12 - r) <= tol * r, "station %ld (%g, %g) vertex %d: %.3f m, want %.3f",
                      i, s->lon[i], s->lat[i], k, s12, r);
            cr_assert(fabs(daz) <= tol, "station %ld (%g, %g) vertex %d: azimuth %.5f, want %.5f",
                      i, s->lon[i], s->lat[i], k, azi1, want_az * 180 / M_PI);
        }
    }
    cr_log_info("worst range error %.3g, direction error %.3g rad", worst, worst_dir);
    free(xy);
    map_proj_free(&p);
    return worst;
}

/* The map's centre is (100, 35); these are 25-30 degrees away, then the
 * centre itself and two co-located stations (one shape). */
static const double far_stations[][2] = {{128, 22}, {72, 47}, {129.5, 49.5}, {71, 21},
                                         {100, 35}, {120.25, 30.5}, {120.25, 30.5}};
#define NFAR ((long)(sizeof far_stations / sizeof far_stations[0]))

Test(projection, disc_footprints_keep_ground_range_far_from_the_centre, .init = setup)
{
    struct tc_error err;
    struct tc_map *m = load_boxes(wide, NWIDE, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    scn.radio.model = RADIO_DISC;
    scn.radio.radius_m[KIND_SPECIAL] = 30000;
    struct radio_model *rm = radio_model_new(&scn.radio, &err);
    cr_assert_not_null(rm, "%s", err.msg);
    struct tc_sites *s = stations(m, far_stations, NFAR, NULL);
    struct tc_footprints *fp = footprints_build(rm, m, s, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    check_ground_truth(rm, m, s, fp, 1e-3);
    cr_assert_eq(fp->nshape, NFAR - 1, "%ld shapes", fp->nshape); /* the pair shares one */
    footprints_free(&fp);
    stations_free(s);
    radio_model_free(&rm);
    map_free(&m);
}

Test(projection, sector_footprints_keep_ground_azimuths, .init = setup)
{
    struct tc_error err;
    struct tc_map *m = load_boxes(wide, NWIDE, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    scn.radio.model = RADIO_LINK;
    struct radio_model *rm = radio_model_new(&scn.radio, &err);
    cr_assert_not_null(rm, "%s", err.msg);
    struct radio_site radio[NFAR];
    for (long i = 0; i < NFAR; i++) {
        radio[i] = (struct radio_site){NAN, NAN, NAN, 0, {0}};
        radio[i].n_azimuths = 2;
        radio[i].azimuth_deg[0] = 10.0 + 37 * (double)i;
        radio[i].azimuth_deg[1] = 200.0 + 11 * (double)i;
    }
    struct tc_sites *s = stations(m, far_stations, NFAR, radio);
    struct tc_footprints *fp = footprints_build(rm, m, s, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    check_ground_truth(rm, m, s, fp, 1e-3);
    footprints_free(&fp);
    stations_free(s);
    radio_model_free(&rm);
    map_free(&m);
}

/* A province (Jiangxi's extent) is within tolerance: footprints are the
 * radio model's shapes placed at the stations, to the last bit, as before. */
Test(projection, a_province_keeps_the_shared_uncorrected_shapes, .init = setup)
{
    static const struct box jx[] = {{113.6, 24.5, 116, 27.3, "town"},
                                    {116, 27.3, 118.5, 30.1, "township"}};
    struct tc_error err;
    struct tc_map *m = load_boxes(jx, 2, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    cr_assert(m->scale_error > 1e-4 && m->scale_error < PROJECTION_SCALE_TOL, "%g",
              m->scale_error);
    scn.radio.model = RADIO_DISC;
    struct radio_model *rm = radio_model_new(&scn.radio, &err);
    cr_assert_not_null(rm, "%s", err.msg);
    static const double ll[][2] = {{113.7, 24.6}, {118.4, 30}, {116, 27.3}};
    struct tc_sites *s = stations(m, ll, 3, NULL);
    struct tc_footprints *fp = footprints_build(rm, m, s, 2, &err);
    cr_assert_not_null(fp, "%s", err.msg);
    cr_assert_eq(fp->nshape, 1);
    int maxv = radio_footprint_max_vertices(&scn.radio);
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv);
    int n = radio_footprint(rm, KIND_SPECIAL, NULL, xy, maxv, NULL);
    for (long i = 0; i < s->n; i++)
        for (int k = 0; k < n; k++) {
            double x, y;
            footprint_vertex(fp, i, k, &x, &y);
            cr_assert(x == xy[2 * k] + s->x[i] && y == xy[2 * k + 1] + s->y[i]);
        }
    for (int i = 0; i < 2; i++) {
        double want = box_area(&jx[i]);
        cr_assert(fabs(by_code(m, i)->area_m2 - want) / want < 1e-4);
    }
    free(xy);
    footprints_free(&fp);
    stations_free(s);
    radio_model_free(&rm);
    map_free(&m);
}

Test(projection, jacobian_matches_finite_differences)
{
    const char *crs = "+proj=laea +lat_0=35 +lon_0=100 +x_0=0 +y_0=0 +ellps=WGS84 +units=m "
                      "+no_defs +type=crs";
    struct projection_local l;
    cr_assert_eq(projection_local_init(&l, crs), 0);
    struct geod_geodesic g;
    geod_init(&g, WGS84_A, WGS84_F);
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326", crs, NULL);
    PJ *fwd = proj_normalize_for_visualization(ctx, raw);
    static const double ll[][2] = {{130, 48}, {72, 21}, {100, 35}, {160, -10}};
    for (int i = 0; i < 4; i++) {
        PJ_COORD c = proj_trans(fwd, PJ_FWD, proj_coord(ll[i][0], ll[i][1], 0, 0));
        double J[4];
        cr_assert_eq(projection_local_jacobian(&l, c.xy.x, c.xy.y, J), 0);
        /* 1 m east and 1 m north along the ground, by geodesics */
        for (int d = 0; d < 2; d++) {
            double lat2, lon2;
            geod_direct(&g, ll[i][1], ll[i][0], d ? 0 : 90, 1.0, &lat2, &lon2, NULL);
            PJ_COORD e = proj_trans(fwd, PJ_FWD, proj_coord(lon2, lat2, 0, 0));
            double dx = e.xy.x - c.xy.x, dy = e.xy.y - c.xy.y;
            cr_assert(fabs(dx - J[d]) < 1e-5 && fabs(dy - J[2 + d]) < 1e-5,
                      "(%g, %g) %s: (%.7f, %.7f) vs J (%.7f, %.7f)", ll[i][0], ll[i][1],
                      d ? "north" : "east", dx, dy, J[d], J[2 + d]);
        }
    }
    proj_destroy(fwd);
    proj_destroy(raw);
    proj_context_destroy(ctx);
    projection_local_free(&l);
}

Test(projection, densified_ring_is_within_tolerance_and_symmetric)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(ctx, "EPSG:4326",
                                     "+proj=laea +lat_0=35 +lon_0=100 +ellps=WGS84 +type=crs",
                                     NULL);
    PJ *pj = proj_normalize_for_visualization(ctx, raw);
    double x[] = {70, 70, 130, 130, 70}, y[] = {20, 50, 50, 20, 20};
    double rx[] = {70, 130, 130, 70, 70}, ry[] = {20, 20, 50, 50, 20};
    double *ox, *oy, *px, *py;
    long n = projection_densify_ring(pj, x, y, 5, 1.0, 0.01, &ox, &oy);
    long m = projection_densify_ring(pj, rx, ry, 5, 1.0, 0.01, &px, &py);
    cr_assert(n > 100 && n == m, "%ld and %ld points", n, m);
    for (long i = 0; i < n; i++) /* the same points, in reverse order */
        cr_assert(ox[i] == px[n - 1 - i] && oy[i] == py[n - 1 - i], "point %ld", i);
    /* each piece's true midpoint is within 1 cm of its chord */
    PJ *inv = pj;
    for (long i = 0; i + 1 < n; i++) {
        PJ_COORD a = proj_trans(inv, PJ_INV, proj_coord(ox[i], oy[i], 0, 0));
        PJ_COORD b = proj_trans(inv, PJ_INV, proj_coord(ox[i + 1], oy[i + 1], 0, 0));
        PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(0.5 * (a.xy.x + b.xy.x),
                                                       0.5 * (a.xy.y + b.xy.y), 0, 0));
        double dx = ox[i + 1] - ox[i], dy = oy[i + 1] - oy[i];
        double dev = fabs(dx * (c.xy.y - oy[i]) - dy * (c.xy.x - ox[i])) / hypot(dx, dy);
        cr_assert(dev < 0.0101, "piece %ld: %.4f m off its chord", i, dev);
    }
    free(ox), free(oy), free(px), free(py);
    proj_destroy(pj);
    proj_destroy(raw);
    proj_context_destroy(ctx);
}

/* Natural Earth writes the antimeridian as 180.00000000000006: lon/lat,
 * with or without a .prj, taken as 180. */
Test(projection, longitude_a_rounding_error_past_180_is_lonlat, .init = setup)
{
    const double over = 180.00000000000006;
    cr_assert(over > 180);
    const struct box b[] = {{170, 10, over, 20, "town"}, {-over, 10, -170, 20, "town"}};
    for (int prj = 0; prj < 2; prj++) {
        setup();
        struct tc_error err;
        struct tc_map *m = load_boxes(b, 2, prj, &err);
        cr_assert_not_null(m, "%s .prj: %s", prj ? "with" : "without", err.msg);
        cr_assert_eq(m->n, 2);
        cr_assert(m->lon_min >= -180 && m->lon_max <= 180, "extent %.17g .. %.17g", m->lon_min,
                  m->lon_max);
        const struct box clamped = {170, 10, 180, 20, "town"};
        for (int i = 0; i < 2; i++) {
            double want = box_area(&clamped), got = by_code(m, i)->area_m2;
            cr_assert(fabs(got - want) / want < 1e-4, "township %d: %.6e vs %.6e", i, got, want);
        }
        map_free(&m);
    }
    /* a real overshoot is still refused */
    setup();
    const struct box bad[] = {{170, 10, 180.001, 20, "town"}};
    struct tc_error err;
    cr_assert_null(load_boxes(bad, 1, 0, &err));
    cr_assert(strstr(err.msg, "not lon/lat"), "%s", err.msg);
    setup();
    const struct box bad2[] = {{-180.001, 10, -170, 20, "town"}};
    cr_assert_null(load_boxes(bad2, 1, 1, &err));
    cr_assert(strstr(err.msg, "outside lon/lat range"), "%s", err.msg);
}

/* Sites by seats and by weight, and a whole run, on the 60-degree map:
 * every site in its township, seats where their lon/lat project. */
Test(projection, sites_and_seats_on_a_wide_map, .init = setup)
{
    struct tc_error err;
    struct tc_map *m = load_boxes(wide, NWIDE, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    struct map_proj *p = map_proj_new(m, &err);
    cr_assert_not_null(p, "%s", err.msg);
    for (int i = 0; i < m->n; i++) {
        const struct township *t = &m->t[i];
        double x = t->seat_lon, y = t->seat_lat;
        cr_assert_eq(map_proj_trans(p, 0, &x, &y, 1), 0);
        /* PROJ's inverse LAEA takes the authalic latitude from a series:
         * a round trip drifts by millimetres 25 degrees from the centre */
        cr_assert(fabs(x - t->seat_x) < 0.01 && fabs(y - t->seat_y) < 0.01, "seat of %s: %g %g",
                  t->code, x - t->seat_x, y - t->seat_y);
        const struct box *b = &wide[atoi(t->code)];
        cr_assert(t->seat_lon > b->lon0 && t->seat_lon < b->lon1 && t->seat_lat > b->lat0 &&
                  t->seat_lat < b->lat1, "seat of %s at (%g, %g)", t->code, t->seat_lon,
                  t->seat_lat);
    }
    map_proj_free(&p);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(m, ctx);
    for (int strategy = SITES_WEIGHTED; strategy <= SITES_SEATS; strategy++) {
        scn.sites.strategy = strategy;
        scn.sites.count = 500;
        struct tc_sites *s = sites_place(&scn.sites, m, 5, NULL, 2, NULL, &err);
        cr_assert_not_null(s, "%s", err.msg);
        for (long i = 0; i < s->n; i++) {
            cr_assert(s->township[i] >= 0, "site %ld", i);
            cr_assert_eq(map_locate(loc, s->x[i], s->y[i]), s->township[i], "site %ld", i);
            const struct box *b = &wide[atoi(m->t[s->township[i]].code)];
            cr_assert(s->lon[i] >= b->lon0 && s->lon[i] <= b->lon1 && s->lat[i] >= b->lat0 &&
                      s->lat[i] <= b->lat1, "site %ld at (%g, %g)", i, s->lon[i], s->lat[i]);
        }
        sites_free(&s);
    }
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    map_free(&m);

    char path[600], args[1400], out[1 << 14];
    snprintf(path, sizeof path, "%s/wide.ini", dir);
    fx_write_text(path, "[scenario]\nname = wide\nseed = 9\n[map]\nfile = map.shp\n"
                        "[sites]\nstrategy = seats\ncount = 1500\n");
    snprintf(args, sizeof args, "run %s --threads 2 --out %s/out --quiet", path, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 0, "%s", out);
    snprintf(path, sizeof path, "%s/out/townships.csv", dir);
    char *csv = fx_read_file(path, NULL);
    cr_assert_not_null(csv);
    int rows = 0;
    for (char *c = csv; *c; c++)
        rows += *c == '\n';
    cr_assert_eq(rows, NWIDE + 1, "%s", csv);
    free(csv);
}

/* Station i's shape on a wide map as the footprint stage documents it,
 * computed here one station at a time: its kind's disc, placed by the
 * rounded local map at the station, fitted at the disc's reach. */
static int reference_shape(const struct radio_model *rm, const struct projection_local *l,
                           const struct tc_map *m, const struct tc_sites *s, long i, double *xy,
                           int maxv)
{
    enum tc_kind kind = s->township[i] >= 0 ? m->t[s->township[i]].kind : KIND_SPECIAL;
    int n = radio_footprint(rm, kind, NULL, xy, maxv, NULL);
    double d = 0;
    for (int k = 0; k < n; k++)
        d = fmax(d, hypot(xy[2 * k], xy[2 * k + 1]));
    struct projection_map pm;
    projection_local_map(l, s->x[i], s->y[i], d, &pm);
    projection_map_round(&pm, d);
    for (int k = 0; k < n; k++)
        projection_map_apply(&pm, xy[2 * k], xy[2 * k + 1], &xy[2 * k], &xy[2 * k + 1]);
    return n;
}

/* Placed stations on a wide map (their kinds' shapes drawn once, only the
 * local map per station): every shape is, to the last bit, the one drawn
 * station by station, and stations share a shape exactly when their
 * shapes are equal, at 1 and 2 threads. */
Test(projection, placed_shapes_on_a_wide_map_are_drawn_per_station, .init = setup)
{
    struct tc_error err;
    struct tc_map *m = load_boxes(wide, NWIDE, 1, &err);
    cr_assert_not_null(m, "%s", err.msg);
    scn.radio.model = RADIO_DISC;
    /* the country benchmark's radii, whose Q terms round to zero, and one
     * reach long enough for them to count */
    const double radius[KIND_COUNT] = {400, 900, 1500, 30000};
    for (int k = 0; k < KIND_COUNT; k++)
        scn.radio.radius_m[k] = radius[k];
    struct radio_model *rm = radio_model_new(&scn.radio, &err);
    cr_assert_not_null(rm, "%s", err.msg);
    scn.sites.strategy = SITES_WEIGHTED;
    scn.sites.count = 3000;
    struct tc_sites *s = sites_place(&scn.sites, m, 11, NULL, 2, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    /* a few stations twice, so that some shapes are shared */
    for (long i = 0; i < 20; i++) {
        s->x[s->n - 1 - i] = s->x[i], s->y[s->n - 1 - i] = s->y[i];
        s->township[s->n - 1 - i] = s->township[i];
    }
    struct projection_local l;
    cr_assert_eq(projection_local_init(&l, m->metric_crs), 0);
    int maxv = radio_footprint_max_vertices(&scn.radio);
    double *want = malloc(sizeof *want * 2 * (size_t)(maxv * s->n));
    int *nv = malloc(sizeof *nv * (size_t)s->n);
    for (long i = 0; i < s->n; i++)
        nv[i] = reference_shape(rm, &l, m, s, i, want + 2 * maxv * i, maxv);
    projection_local_free(&l);
    for (int threads = 1; threads <= 2; threads++) {
        struct tc_footprints *fp = footprints_build(rm, m, s, threads, &err);
        cr_assert_not_null(fp, "%s", err.msg);
        long distinct = 0;
        for (long i = 0; i < s->n; i++) {
            const double *w = want + 2 * maxv * i;
            cr_assert_eq(footprint_size(fp, i), nv[i], "station %ld", i);
            cr_assert(memcmp(fp->sxy + 2 * fp->shape_off[fp->shape[i]], w,
                             sizeof *w * 2 * (size_t)nv[i]) == 0, "station %ld", i);
            long first = i; /* the first station with the same shape */
            for (long j = 0; j < i && first == i; j++)
                if (nv[j] == nv[i] && memcmp(want + 2 * maxv * j, w, sizeof *w * 2 *
                                             (size_t)nv[i]) == 0)
                    first = j;
            distinct += first == i;
            cr_assert_eq(fp->shape[i], fp->shape[first], "station %ld", i);
        }
        cr_assert_eq(fp->nshape, distinct, "%ld shapes, %ld distinct", fp->nshape, distinct);
        cr_assert(distinct < s->n && distinct > s->n / 2, "%ld of %ld", distinct, s->n);
        footprints_free(&fp);
    }
    free(want);
    free(nv);
    sites_free(&s);
    radio_model_free(&rm);
    map_free(&m);
}
