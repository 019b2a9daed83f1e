/* footprint/local_bound.c — when a station's local map (projection.h) has
 * second-order terms that provably round to zero, so that the six geodesic
 * placements fitting them can be skipped (footprint_internal.h).
 *
 * Why the skip gives the same bits. projection_local_map fits each term of
 * Q from two placements at range d in opposite directions: with gamma(s)
 * the CRS image of the geodesic through the station (s metres along it,
 * s = 0 at the station), Q_ee and Q_nn are (gamma(d) + gamma(-d) -
 * 2 gamma(0)) / d^2 and Q_en is Q_uu - (Q_ee + Q_nn) / 2 (u the
 * diagonal). The second central difference is a weighted mean of gamma''
 * over [-d, d] (Taylor with integral remainder, kernel d - |s|), so
 *     |Q_ee|, |Q_nn| <= G  and  |Q_en| <= 2 G,
 * G the largest |gamma''| of any geodesic within ground range d of the
 * station. projection_map_round makes each term nearbyint(Q d / step) *
 * step / d: a zero of either sign once |Q| d < step / 2. A zero Q adds
 * +-0 to every vertex coordinate, which leaves a non-zero sum as it was;
 * a first-order sum J (e, n) of -0 (both products zeros) would take the
 * unknown sign, so such shapes take the full fit.
 *
 * G for Lambert azimuthal equal-area (PROJ's laea, the map's metric CRS).
 * On the ellipsoid PROJ computes it as L o F o A: A the ellipsoid to its
 * authalic sphere (radius Rq; latitude to authalic latitude), F the
 * spherical LAEA about the centre, L = diag(D, 1/D), D set by the centre's
 * latitude. For a unit-speed geodesic P and eta = A o P:
 *     gamma'' = L (Hess F (eta', eta') + dF (nabla eta' eta')).
 * (a) Sphere. In polar coordinates about the centre (c: angular distance,
 *     r = 2 Rq sin(c/2)), a great circle meeting the radius at angle alpha
 *     has image acceleration, in units of 1/Rq, with t = sin(c/2),
 *     S = t^2:  radial -(t/2) (cos^2 alpha + sin^2 alpha (3 - 2S)/(1 - S)),
 *     tangential t sin alpha cos alpha / (1 - S); hence
 *     |Hess F (v, v)| <= |v|^2 B(c) / Rq,
 *     B(c) = (t/2) sqrt(((3 - 2S)/(1 - S))^2 + 1/(1 - S)^2)   (~0.79 c),
 *     and |dF| <= 1/cos(c/2) = 1/sqrt(1 - S).
 * (b) A stretches by at most K_A = max(k, 1/k) of its east and north
 *     scales (1.00116 for e^2 <= 0.0069: every Earth ellipsoid), so
 *     |eta'| <= K_A and |L|, |L^-1| <= K_A (D is 1 / A's east scale at the
 *     centre). Its second fundamental form, from the Christoffel symbols
 *     of the two surfaces of revolution (A is latitude only), is at most
 *     0.5014 e^2 / a over every latitude and direction (the maximum of an
 *     explicit function of latitude and direction: bench/authalic_bound.py);
 *     H_A = 0.75 keeps a margin.
 * (c) Every point within range d lies at most K_A d / Rq (on the sphere)
 *     further out than the station, whose c follows from its offset r0
 *     from the CRS's origin: sin(c0/2) <= K_A r0 / (2 Rq). B and 1/cos
 *     grow with c, so with c = c0 + K_A d / Rq:
 *     G <= K_A (K_A^2 B(c) / Rq + H_A e^2 / (a sqrt(1 - S))).
 * Placements are not exact: geod_direct is good to ~15 nm, the forward
 * projection (a closed form) to round-off; EPS_PLACE = 1 um each covers
 * both. The station's lon/lat is PROJ's inverse, whose image is off
 * (x, y) by delta (measured here, one forward projection): each pair sum
 * carries 2 (delta + EPS_PLACE), Q_en twice that. The skip is taken when
 *     2 G d + 4 (delta + EPS_PLACE) / d <= 0.45 step
 * (0.45, not 0.5: the rounding of these very sums). Measured
 * |gamma''| / G reaches 0.93 far from the centre and 0.84 near it
 * (tests/test_local_bound.c checks the bound against fitted Q). */
#include "footprint_internal.h"

#include <math.h>
#include <proj.h>
#include <string.h>

#include "towncov/projection.h"

#define ES_MAX 0.0069  /* flattening e^2 the constants hold for */
#define K_A 1.0015     /* A's largest scale or inverse scale (1.00116) */
#define H_A 0.75       /* A's second fundamental form / (e^2 / a) (0.5014) */
#define EPS_PLACE 1e-6 /* metres: error of one placement */

/* Value (in metres) of the conversion's parameter with EPSG code `code`. */
static int param_m(PJ_CONTEXT *ctx, const PJ *op, const char *code, double *out)
{
    int n = proj_coordoperation_get_param_count(ctx, op);
    for (int i = 0; i < n; i++) {
        const char *auth = NULL, *c = NULL;
        double v = NAN, f = NAN;
        if (!proj_coordoperation_get_param(ctx, op, i, NULL, &auth, &c, &v, NULL, &f, NULL,
                                           NULL, NULL, NULL))
            continue;
        if (auth && c && strcmp(auth, "EPSG") == 0 && strcmp(c, code) == 0 && isfinite(v * f)) {
            *out = v * f;
            return 0;
        }
    }
    return -1;
}

/* The CRS is LAEA (EPSG methods 9820, 1027) with metre axes. */
static int is_laea_in_metres(PJ_CONTEXT *ctx, const PJ *crs, const PJ *op)
{
    const char *auth = NULL, *code = NULL;
    if (!proj_coordoperation_get_method_info(ctx, op, NULL, &auth, &code) || !auth || !code ||
        strcmp(auth, "EPSG") != 0 || (strcmp(code, "9820") != 0 && strcmp(code, "1027") != 0))
        return 0;
    PJ *cs = proj_crs_get_coordinate_system(ctx, crs);
    int ok = cs && proj_cs_get_axis_count(ctx, cs) == 2;
    for (int i = 0; ok && i < 2; i++) {
        double f = NAN;
        ok = proj_cs_get_axis_info(ctx, cs, i, NULL, NULL, NULL, &f, NULL, NULL, NULL) && f == 1;
    }
    proj_destroy(cs);
    return ok;
}

void local_bound_init(struct local_bound *b, const struct projection_local *l)
{
    *b = (struct local_bound){0};
    if (!(l->es >= 0 && l->es <= ES_MAX && l->a > 0))
        return;
    PJ *op = proj_crs_get_coordoperation(l->ctx, l->crs);
    int ok = op && is_laea_in_metres(l->ctx, l->crs, op) && param_m(l->ctx, op, "8806", &b->x0) == 0 &&
             param_m(l->ctx, op, "8807", &b->y0) == 0;
    proj_destroy(op);
    if (!ok)
        return;
    /* Authalic radius: Rq^2 = a^2 qp / 2 (Snyder 1987, eq. 3-12, 3-13). */
    double e = sqrt(l->es), qp = 2;
    if (e > 0)
        qp = 1 - (1 - l->es) / (2 * e) * log((1 - e) / (1 + e));
    b->rq = l->a * sqrt(0.5 * qp);
    b->es = l->es;
    b->a = l->a;
    b->usable = b->rq > 0;
}

double local_bound_curvature(const struct local_bound *b, double x, double y, double d)
{
    if (!b->usable || !(d > 0))
        return INFINITY;
    double s0 = K_A * hypot(x - b->x0, y - b->y0) / (2 * b->rq);
    if (!(s0 < 0.5)) /* c0 under 60 degrees */
        return INFINITY;
    double c = 2 * asin(s0) + K_A * d / b->rq;
    if (!(c < 1.0)) /* far from the antipode, where LAEA fails */
        return INFINITY;
    double t = sin(0.5 * c), S = t * t, q = (3 - 2 * S) / (1 - S);
    double B = 0.5 * t * sqrt(q * q + 1 / ((1 - S) * (1 - S)));
    return K_A * (K_A * K_A * B / b->rq + H_A * b->es / (b->a * sqrt(1 - S)));
}

int local_bound_q_is_zero(const struct local_bound *b, double x, double y, double d,
                          double delta)
{
    double G = local_bound_curvature(b, x, y, d);
    return isfinite(G) && delta >= 0 &&
           2 * G * d + 4 * (delta + EPS_PLACE) / d <= 0.45 * PROJECTION_MAP_STEP;
}

/* Whether the product a b is -0. */
static int minus_zero_product(double a, double b)
{
    return (a == 0 || b == 0) && signbit(a) != signbit(b);
}

/* Whether a vertex's first-order sum J (e, n) is -0 (both products -0;
 * fused or not): there a zero Q's sign would show, so only the full fit
 * will do. */
static int may_sum_to_minus_zero(const double J[4], const double *src, int n)
{
    for (int k = 0; k < n; k++) {
        double e = src[2 * k], nn = src[2 * k + 1];
        if ((minus_zero_product(J[0], e) && minus_zero_product(J[1], nn)) ||
            (minus_zero_product(J[2], e) && minus_zero_product(J[3], nn)))
            return 1;
    }
    return 0;
}

int local_map_without_fit(const struct projection_local *l, const struct local_bound *b,
                          double x, double y, double d, const double *src, int n,
                          struct projection_map *m)
{
    double lonlat[2];
    if (!b->usable || projection_local_jacobian_lonlat(l, x, y, m->J, lonlat) != 0)
        return 0;
    PJ_COORD c = proj_trans(l->geo, PJ_FWD, proj_coord(lonlat[0], lonlat[1], 0, 0));
    double delta = hypot(c.xy.x - x, c.xy.y - y);
    if (!local_bound_q_is_zero(b, x, y, d, delta))
        return 0;
    memset(m->Q, 0, sizeof m->Q);
    projection_map_round(m, d);
    return !may_sum_to_minus_zero(m->J, src, n);
}
