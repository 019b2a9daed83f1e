/* projection.c — distortion of the metric CRS and its corrections
 * (projection.h). */
#include "towncov/projection.h"

#include "towncov/common.h"

#include <geodesic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID 17       /* samples per side of the extent */
#define MAX_DEPTH 50  /* bisections of one piece: 2^-50 of the seed */

/* proj_factors on a CRS builds its conversion on every call (milliseconds):
 * give it the bare projection instead, from the CRS's PROJ string. */
static PJ *projection_of(PJ_CONTEXT *ctx, const PJ *crs)
{
    const char *def = proj_as_proj_string(ctx, crs, PJ_PROJ_4, NULL);
    if (!def)
        return NULL;
    char *bare = strdup(def);
    if (!bare)
        return NULL;
    char *type = strstr(bare, "+type=crs");
    if (type)
        memset(type, ' ', strlen("+type=crs"));
    PJ *op = proj_create(ctx, bare);
    free(bare);
    return op;
}

double projection_worst_scale_error(PJ_CONTEXT *ctx, const PJ *crs, double lon_min,
                                    double lat_min, double lon_max, double lat_max)
{
    const double deg = M_PI / 180;
    PJ *op = projection_of(ctx, crs);
    if (!op)
        return INFINITY;
    double worst = 0;
    for (int i = 0; i < GRID; i++)
        for (int j = 0; j < GRID; j++) {
            double lon = lon_min + (lon_max - lon_min) * i / (GRID - 1);
            double lat = lat_min + (lat_max - lat_min) * j / (GRID - 1);
            proj_errno_reset(op);
            PJ_FACTORS f = proj_factors(op, proj_coord(lon * deg, lat * deg, 0, 0));
            if (proj_errno(op) != 0 || !isfinite(f.tissot_semimajor) ||
                !isfinite(f.tissot_semiminor) || f.tissot_semiminor <= 0)
                worst = INFINITY;
            else
                worst = fmax(worst, fmax(f.tissot_semimajor - 1, 1 - f.tissot_semiminor));
        }
    proj_destroy(op);
    return worst;
}

/* ---- densifying by the projection's error ---------------------------------*/
struct densifier {
    PJ *pj;
    double seed2, tol;
    double *x, *y;
    long n, cap;
};

static int push(struct densifier *d, double x, double y)
{
    size_t cap = (size_t)d->cap;
    if (tc_reserve_xy(&d->x, &d->y, &cap, (size_t)d->n + 1) != 0)
        return -1;
    d->cap = (long)cap;
    d->x[d->n] = x;
    d->y[d->n] = y;
    d->n++;
    return 0;
}

static int forward(PJ *pj, double sx, double sy, double *x, double *y)
{
    PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(sx, sy, 0, 0));
    *x = c.xy.x;
    *y = c.xy.y;
    return isfinite(*x) && isfinite(*y) ? 0 : -1;
}

/* Distance from m to segment ab, the same whichever end comes first. */
static double segment_distance(double ax, double ay, double bx, double by, double mx, double my)
{
    if (ax > bx || (ax == bx && ay > by)) {
        double tx = ax, ty = ay;
        ax = bx, ay = by, bx = tx, by = ty;
    }
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((mx - ax) * dx + (my - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(mx - (ax + t * dx), my - (ay + t * dy));
}

/* Appends the points strictly between source points a and b (projected:
 * pa, pb), in order from a to b. */
static int refine(struct densifier *d, const double a[2], const double b[2], const double pa[2],
                  const double pb[2], int depth)
{
    if (depth >= MAX_DEPTH)
        return 0;
    double m[2] = {0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])}, pm[2];
    if (forward(d->pj, m[0], m[1], &pm[0], &pm[1]) != 0)
        return -1;
    double dx = b[0] - a[0], dy = b[1] - a[1];
    if (dx * dx + dy * dy <= d->seed2 &&
        segment_distance(pa[0], pa[1], pb[0], pb[1], pm[0], pm[1]) <= d->tol)
        return 0;
    if (refine(d, a, m, pa, pm, depth + 1) != 0 || push(d, pm[0], pm[1]) != 0)
        return -1;
    return refine(d, m, b, pm, pb, depth + 1);
}

long projection_densify_ring(PJ *pj, const double *x, const double *y, long n, double seed,
                             double tol_m, double **ox, double **oy)
{
    struct densifier d = {.pj = pj, .seed2 = seed * seed, .tol = tol_m};
    double pa[2], pb[2];
    int rc = n > 0 ? forward(pj, x[0], y[0], &pa[0], &pa[1]) : 0;
    for (long i = 0; rc == 0 && i < n; i++) {
        rc = push(&d, pa[0], pa[1]);
        if (rc != 0 || i + 1 == n)
            break;
        rc = forward(pj, x[i + 1], y[i + 1], &pb[0], &pb[1]);
        if (rc == 0)
            rc = refine(&d, (const double[2]){x[i], y[i]}, (const double[2]){x[i + 1], y[i + 1]},
                        pa, pb, 0);
        pa[0] = pb[0];
        pa[1] = pb[1];
    }
    if (rc != 0) {
        free(d.x);
        free(d.y);
        *ox = *oy = NULL;
        return -1;
    }
    *ox = d.x;
    *oy = d.y;
    return d.n;
}

/* ---- local maps -------------------------------------------------------------*/
int projection_local_init(struct projection_local *l, const char *metric_crs)
{
    *l = (struct projection_local){0};
    l->ctx = proj_context_create();
    l->geod = malloc(sizeof *l->geod);
    if (!l->ctx || !l->geod) {
        projection_local_free(l);
        return -1;
    }
    proj_log_level(l->ctx, PJ_LOG_NONE);
    l->crs = proj_create(l->ctx, metric_crs);
    PJ *geo = l->crs ? proj_crs_get_geodetic_crs(l->ctx, l->crs) : NULL;
    PJ *ell = l->crs ? proj_get_ellipsoid(l->ctx, l->crs) : NULL;
    double inv_f = 0;
    if (ell)
        proj_ellipsoid_get_parameters(l->ctx, ell, &l->a, NULL, NULL, &inv_f);
    l->es = inv_f > 0 ? (2 - 1 / inv_f) / inv_f : 0;
    l->op = l->crs ? projection_of(l->ctx, l->crs) : NULL;
    PJ *raw = geo ? proj_create_crs_to_crs_from_pj(l->ctx, geo, l->crs, NULL, NULL) : NULL;
    if (raw)
        l->geo = proj_normalize_for_visualization(l->ctx, raw);
    proj_destroy(raw);
    proj_destroy(ell);
    proj_destroy(geo);
    if (!l->geo || !l->op || !(l->a > 0)) {
        projection_local_free(l);
        return -1;
    }
    geod_init(l->geod, l->a, inv_f > 0 ? 1 / inv_f : 0);
    return 0;
}

void projection_local_free(struct projection_local *l)
{
    proj_destroy(l->geo);
    proj_destroy(l->op);
    proj_destroy(l->crs);
    if (l->ctx)
        proj_context_destroy(l->ctx);
    free(l->geod);
    *l = (struct projection_local){0};
}

static int to_lonlat(const struct projection_local *l, double x, double y, double *lon,
                     double *lat)
{
    PJ_COORD g = proj_trans(l->geo, PJ_INV, proj_coord(x, y, 0, 0));
    *lon = g.xy.x;
    *lat = g.xy.y;
    return isfinite(*lon) && isfinite(*lat) && fabs(*lat) < 90 ? 0 : -1;
}

/* proj_factors gives the derivatives of the projection of the ellipsoid
 * with a = 1 by longitude and latitude (radians); a ground metre east is
 * 1 / (N cos phi) radians of longitude and one north 1 / M of latitude. */
static int jacobian_at(const struct projection_local *l, double lon, double lat, double J[4])
{
    const double deg = M_PI / 180;
    double lam = lon * deg, phi = lat * deg;
    double c = cos(phi), s = sin(phi), w = 1 - l->es * s * s;
    if (c < 1e-9)
        return -1;
    proj_errno_reset(l->op);
    PJ_FACTORS f = proj_factors(l->op, proj_coord(lam, phi, 0, 0));
    if (proj_errno(l->op) != 0) {
        proj_errno_reset(l->op);
        return -1;
    }
    double east = sqrt(w) / c;                /* a / (N cos phi) */
    double north = w * sqrt(w) / (1 - l->es); /* a / M */
    double K[4] = {f.dx_dlam * east, f.dx_dphi * north, f.dy_dlam * east, f.dy_dphi * north};
    for (int i = 0; i < 4; i++)
        if (!isfinite(K[i]))
            return -1;
    for (int i = 0; i < 4; i++)
        J[i] = K[i];
    return 0;
}

int projection_local_jacobian_lonlat(const struct projection_local *l, double x, double y,
                                     double J[4], double lonlat[2])
{
    J[0] = J[3] = 1;
    J[1] = J[2] = 0;
    return to_lonlat(l, x, y, &lonlat[0], &lonlat[1]) == 0 ? jacobian_at(l, lonlat[0], lonlat[1], J)
                                                           : -1;
}

int projection_local_jacobian(const struct projection_local *l, double x, double y, double J[4])
{
    double lonlat[2];
    return projection_local_jacobian_lonlat(l, x, y, J, lonlat);
}

/* The metric offset from (x, y) of the point at range d, azimuth az
 * (degrees) from (lon, lat). */
static int place(const struct projection_local *l, double lon, double lat, double x, double y,
                 double az, double d, double out[2])
{
    double lat2, lon2;
    geod_direct(l->geod, lat, lon, az, d, &lat2, &lon2, NULL);
    PJ_COORD c = proj_trans(l->geo, PJ_FWD, proj_coord(lon2, lat2, 0, 0));
    out[0] = c.xy.x - x;
    out[1] = c.xy.y - y;
    return isfinite(out[0]) && isfinite(out[1]) ? 0 : -1;
}

int projection_local_map(const struct projection_local *l, double x, double y, double d,
                         struct projection_map *m)
{
    *m = (struct projection_map){.J = {1, 0, 0, 1}};
    double lon, lat, J[4], p[6][2];
    /* east, north, north-east and their opposites */
    static const double az[6] = {90, -90, 0, 180, 45, -135};
    if (!(d > 0) || to_lonlat(l, x, y, &lon, &lat) != 0 || jacobian_at(l, lon, lat, J) != 0)
        return -1;
    for (int k = 0; k < 6; k++)
        if (place(l, lon, lat, x, y, az[k], d, p[k]) != 0)
            return -1;
    double d2 = d * d;
    for (int c = 0; c < 2; c++) {
        double ee = (p[0][c] + p[1][c]) / d2, nn = (p[2][c] + p[3][c]) / d2;
        double uu = (p[4][c] + p[5][c]) / d2; /* Q(u,u), u = (e + n) / sqrt 2 */
        m->Q[c] = ee;
        m->Q[2 + c] = uu - 0.5 * (ee + nn);
        m->Q[4 + c] = nn;
    }
    for (int i = 0; i < 4; i++)
        m->J[i] = J[i];
    return 0;
}

/* J moves a vertex (e, n) by at most step / 2 (|e| + |n|) <= 0.71 step r;
 * Q by step / (2 d) (|e| + |n|)^2 / 2 <= step r / 2 within range d. */
void projection_map_round(struct projection_map *m, double d)
{
    const double step = PROJECTION_MAP_STEP;
    for (int i = 0; i < 4; i++)
        m->J[i] = nearbyint(m->J[i] / step) * step;
    for (int i = 0; d > 0 && i < 6; i++)
        m->Q[i] = nearbyint(m->Q[i] * d / step) * step / d;
}
