/* projection.h — how far the map's metric CRS (Lambert azimuthal equal-area
 * centred on the map) is from ground truth, and the two corrections used on
 * maps where that matters (wider than a province):
 *
 *  - edges are densified by the projection's error (bisected until each
 *    piece's projected midpoint lies within PROJECTION_DENSIFY_TOL_M of its
 *    projected chord), not by a fixed step, so areas stay geodesic;
 *  - footprints, drawn by the radio model in ground metres (east, north),
 *    are mapped to projected offsets by the CRS's second-order local map
 *    at each station, so their ranges and azimuths stay ground truth.
 *
 * Both are used only when the CRS's worst scale error over the map's extent
 * exceeds PROJECTION_SCALE_TOL; below it (a province) towncov keeps the fixed
 * step and the shared, uncorrected footprint shapes, exactly as before. */
#ifndef TOWNCOV_PROJECTION_H
#define TOWNCOV_PROJECTION_H

#include <proj.h>

struct geod_geodesic;

/* Relative error of ground distances tolerated in footprints (0.1 %). */
#define PROJECTION_SCALE_TOL 1e-3

/* Largest distance (m) of a projected edge from the true projected curve
 * of the source's straight edge: the area between them is about
 * 2/3 * length * distance, under 1e-4 of any township wider than ~300 m. */
#define PROJECTION_DENSIFY_TOL_M 0.01

/* The densifier also halves any piece longer than this (degrees for a
 * lon/lat source, source units otherwise), so that no S-shaped curve can
 * pass its midpoint test. */
#define PROJECTION_SEED_DEGREES 1.0
#define PROJECTION_SEED_UNITS 100000.0

/* Local maps (below) are rounded to multiples of this, so stations a few
 * hundred metres apart share a shape: the rounding moves a vertex by at
 * most 1.2 * PROJECTION_MAP_STEP of its range (3e-4). */
#define PROJECTION_MAP_STEP (1.0 / 4096)

/* Worst relative scale error max(a - 1, 1 - b) of projected CRS `crs`
 * (Tissot's semi-axes a >= b) over the lon/lat box, sampled on a 17 x 17
 * grid that includes its corners and edges. INFINITY when PROJ cannot
 * give the factors somewhere (e.g. at a pole). */
double projection_worst_scale_error(PJ_CONTEXT *ctx, const PJ *crs, double lon_min,
                                    double lat_min, double lon_max, double lat_max);

/* Densifies and projects one ring (n points, closed: the last equals the
 * first) with transformation `pj` (source -> metric): each source edge,
 * straight in source coordinates, is bisected (midpoints taken
 * symmetrically, so a border shared by two townships gets the same points
 * from both) until every piece is no longer than `seed` source units and
 * its projected midpoint lies within `tol_m` metres of the chord between
 * its projected ends. Returns the number of points written to *ox, *oy
 * (malloc'ed; the caller frees them), or -1 when a point cannot be
 * projected or memory runs out. */
long projection_densify_ring(PJ *pj, const double *x, const double *y, long n, double seed,
                             double tol_m, double **ox, double **oy);

/* Per-thread state for local maps of a metric CRS (PROJ objects are not
 * shared between threads). */
struct projection_local {
    PJ_CONTEXT *ctx;
    PJ *crs;        /* the projected CRS */
    PJ *op;         /* its bare projection (proj_factors) */
    PJ *geo;        /* its lon/lat (x = longitude) -> metric, normalised */
    struct geod_geodesic *geod; /* its ellipsoid */
    double a, es;   /* semi-major axis, e^2 */
};

/* 0, or -1 when PROJ cannot build metric_crs (a PROJ string or WKT). */
int projection_local_init(struct projection_local *l, const char *metric_crs);
void projection_local_free(struct projection_local *l);

/* The matrix J (row-major: dx/de, dx/dn, dy/de, dy/dn) taking ground
 * offsets (east, north, metres) at point (x, y) of the metric CRS to
 * offsets of the metric CRS, from proj_factors. Returns 0, or -1 (J left
 * as the identity) when PROJ cannot give the factors there (a pole). */
int projection_local_jacobian(const struct projection_local *l, double x, double y, double J[4]);

/* projection_local_jacobian, also giving the point's longitude and
 * latitude (degrees) as projection_local_map takes them. */
int projection_local_jacobian_lonlat(const struct projection_local *l, double x, double y,
                                     double J[4], double lonlat[2]);

/* Where the point at ground range r, azimuth atan2(e, n) from (x, y)
 * (along the geodesic) lands, to second order: offset
 *   J (e, n) + 1/2 (Q[0..1] e^2 + 2 Q[2..3] e n + Q[4..5] n^2),
 * J the Jacobian and Q fitted to exact placements (GeographicLib's
 * geod_direct, then the CRS) at range d in three directions and their
 * opposites. Exact at the station; within range d off by a third-order
 * term (measured 25-30 degrees from the centre: 1e-6 of the range for
 * d = 30 km, 1.2e-5 for d = 100 km). */
struct projection_map {
    double J[4];
    double Q[6]; /* x and y of Q(e,e), Q(e,n), Q(n,n) */
};

/* 0, or -1 with the identity (no correction) where PROJ or the geodesic
 * fails (a pole). */
int projection_local_map(const struct projection_local *l, double x, double y, double d,
                         struct projection_map *m);

/* Rounds m's terms for vertices within range d (see PROJECTION_MAP_STEP). */
void projection_map_round(struct projection_map *m, double d);

static inline void projection_map_apply(const struct projection_map *m, double e, double n,
                                        double *dx, double *dy)
{
    double ee = 0.5 * e * e, en = e * n, nn = 0.5 * n * n;
    *dx = m->J[0] * e + m->J[1] * n + m->Q[0] * ee + m->Q[2] * en + m->Q[4] * nn;
    *dy = m->J[2] * e + m->J[3] * n + m->Q[1] * ee + m->Q[3] * en + m->Q[5] * nn;
}

#endif
