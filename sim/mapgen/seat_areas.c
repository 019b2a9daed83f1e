/* seat_areas.c — each township's seat area (乡镇镇区) as a run models it
 * by default (seat.h), so that a map carries them for a planner to edit
 * and feed back ([map] seat_areas): a geodesic circle of the kind's default
 * radius around the seat (64 vertices placed by geod_direct on WGS 84, in
 * the order and directions of the run's disc), intersected with the
 * township in lon/lat; a radius of 0 makes the whole township its seat
 * area. Areas are geodesic, as the townships'. */
#include "mapgen_internal.h"

#include "towncov/seat.h"

/* The 64-gon of radius r metres around (lon, lat), counter-clockwise from
 * east as the run draws its disc (seat.c); NULL on GEOS failure. */
static GEOSGeometry *geodesic_circle(struct mg_worker *w, double lon, double lat, double r)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, SEAT_DISC_VERTICES + 1, 2);
    if (!seq)
        return NULL;
    for (int k = 0; k <= SEAT_DISC_VERTICES; k++) {
        /* the run's angle 2πk/n from east, counter-clockwise, as an azimuth */
        double azi = 90.0 - 360.0 * (k % SEAT_DISC_VERTICES) / SEAT_DISC_VERTICES;
        double lat2 = lat, lon2 = lon;
        geod_direct(&w->geod, lat, lon, azi, r, &lat2, &lon2, NULL);
        GEOSCoordSeq_setXY_r(ctx, seq, (unsigned)k, lon2, lat2);
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(ctx, seq);
    return ring ? GEOSGeom_createPolygon_r(ctx, ring, NULL, 0) : NULL;
}

/* t->seat_area and t->seat_area_km2 from t's polygon, seat and kind (its
 * polygon and area_km2 made already). 0, or -1 with w->err set. */
int mg_seat_area(struct mg_worker *w, struct mg_township *t)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    double r = seat_default_radius_m(t->kind);
    if (r <= 0) {
        t->seat_area = GEOSGeom_clone_r(ctx, t->geom);
        if (!t->seat_area)
            return mg_geos_fail(w, "clone");
        t->seat_area_km2 = t->area_km2;
        return 0;
    }
    GEOSGeometry *circle = geodesic_circle(w, t->seat_lon, t->seat_lat, r);
    if (!circle)
        return mg_geos_fail(w, "circle");
    GEOSGeometry *x = GEOSIntersection_r(ctx, circle, t->geom);
    mg_destroy(ctx, &circle);
    if (!x)
        return mg_geos_fail(w, "intersection");
    t->seat_area = mg_polygonal(ctx, x, NULL);
    mg_destroy(ctx, &x);
    if (!t->seat_area)
        return mg_geos_fail(w, "polygonal part");
    if (GEOSisEmpty_r(ctx, t->seat_area)) /* the seat is checked inside its township */
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "township %s: its seat area is empty",
                       t->code);
    t->seat_area_km2 = mg_geo_area_km2(w, t->seat_area);
    return 0;
}
