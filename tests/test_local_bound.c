/* Local maps without their second-order terms (sim/footprint/local_bound.c):
 * the bound on the terms holds for the fitted terms, and where it says they
 * round to zero the skipped path gives the full fit's vertices bit for bit;
 * where it does not, the full fit is taken. */
#include <criterion/criterion.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>

#include "../sim/footprint/footprint_internal.h"
#include "towncov/projection.h"

/* As the loader makes the metric CRS (sim/map/crs.c), centred on the
 * country benchmark's map (bench/synthetic-40k.ini: 92.1-117.0 E,
 * 19.7-39.6 N). */
#define COUNTRY_CRS                                                                        \
    "+proj=laea +lat_0=29.637390 +lon_0=104.558771 +x_0=0 +y_0=0 +a=6378137.0000 "         \
    "+rf=298.257223563 +units=m +no_defs +type=crs"

/* The station at lon, lat in the metric CRS. */
static void to_xy(const struct projection_local *l, double lon, double lat, double *x, double *y)
{
    PJ_COORD c = proj_trans(l->geo, PJ_FWD, proj_coord(lon, lat, 0, 0));
    *x = c.xy.x;
    *y = c.xy.y;
}

/* The country's local-map state and its bound (usable). */
static void country(struct projection_local *l, struct local_bound *b)
{
    cr_assert_eq(projection_local_init(l, COUNTRY_CRS), 0);
    local_bound_init(b, l);
    cr_assert(b->usable);
}

/* A 64-vertex disc of radius r, as the disc model draws it. */
static void disc(double r, double *src)
{
    for (int k = 0; k < 64; k++) {
        double az = 2 * M_PI * k / 64;
        src[2 * k] = r * sin(az);
        src[2 * k + 1] = r * cos(az);
    }
}

static void apply(const struct projection_map *m, const double *src, double *xy)
{
    for (int k = 0; k < 64; k++)
        projection_map_apply(m, src[2 * k], src[2 * k + 1], &xy[2 * k], &xy[2 * k + 1]);
}

/* Unrounded fitted terms against G: |Q_ee|, |Q_nn| <= G and |Q_en| <= 2 G
 * (allowing the placements' error, far below) for stations up to ~50
 * degrees from the centre and ranges 1.5 to 100 km. */
Test(local_bound, the_bound_holds_for_the_fitted_terms)
{
    struct projection_local l;
    struct local_bound b;
    country(&l, &b);
    static const double range[] = {1500, 30000, 100000};
    double worst = 0;
    for (int i = 0; i <= 24; i++)
        for (int j = 0; j <= 18; j++)
            for (int r = 0; r < 3; r++) {
                double x, y, d = range[r];
                to_xy(&l, 104.56 - 60 + 5 * i, 29.64 - 45 + 5 * j, &x, &y);
                double G = local_bound_curvature(&b, x, y, d);
                struct projection_map m;
                if (!isfinite(G) || projection_local_map(&l, x, y, d, &m) != 0)
                    continue;
                /* the placements' error: PROJ's inverse of (x, y) projects
                 * back delta off it (local_bound.c) */
                double lonlat[2], J[4], u, v;
                cr_assert_eq(projection_local_jacobian_lonlat(&l, x, y, J, lonlat), 0);
                to_xy(&l, lonlat[0], lonlat[1], &u, &v);
                double slack = 2 * (hypot(u - x, v - y) + 1e-6) / (d * d);
                for (int c = 0; c < 2; c++) {
                    double ee = fabs(m.Q[c]), nn = fabs(m.Q[4 + c]), en = fabs(m.Q[2 + c]);
                    cr_assert(ee <= G + slack && nn <= G + slack && en <= 2 * (G + slack),
                              "station %d,%d range %g: Q %g %g %g, G %g, delta %g", i, j, d, ee,
                              en, nn, G, hypot(u - x, v - y));
                    worst = fmax(worst, (fmax(fmax(ee, nn), en / 2) - slack) / G);
                }
            }
    cr_log_info("largest fitted term (less the placements' error) / bound: %.3f", worst);
    cr_assert(worst > 0.5, "%g: no station was checked", worst);
    projection_local_free(&l);
}

/* The country: stations over its whole latitude and longitude range, the
 * largest radius (1500 m): the bound lets every station skip the
 * placements, and each skipped one has the full fit's vertices, bit for
 * bit (its rounded Q are zeros). */
Test(local_bound, skipped_path_gives_the_full_fits_vertices)
{
    struct projection_local l;
    struct local_bound b;
    country(&l, &b);
    double src[128], full[128], fast[128], d = 1500;
    disc(d, src);
    long skipped = 0, n = 0;
    for (int i = 0; i <= 50; i++)
        for (int j = 0; j <= 40; j++, n++) {
            double x, y;
            to_xy(&l, 92.15 + (116.97 - 92.15) * i / 50, 19.71 + (39.56 - 19.71) * j / 40, &x,
                  &y);
            struct projection_map mf, mq;
            projection_local_map(&l, x, y, d, &mf);
            projection_map_round(&mf, d);
            apply(&mf, src, full);
            if (!local_map_without_fit(&l, &b, x, y, d, src, 64, &mq))
                continue;
            skipped++;
            apply(&mq, src, fast);
            for (int k = 0; k < 6; k++)
                cr_assert(mf.Q[k] == 0, "station %d,%d: the full fit's Q[%d] is %g", i, j, k,
                          mf.Q[k]);
            cr_assert(memcmp(mf.J, mq.J, sizeof mf.J) == 0, "station %d,%d", i, j);
            cr_assert(memcmp(full, fast, sizeof full) == 0, "station %d,%d", i, j);
        }
    cr_log_info("%ld of %ld stations skip the placements", skipped, n);
    cr_assert(skipped == n, "%ld of %ld stations skip the placements", skipped, n);
    projection_local_free(&l);
}

/* Where the bound does not hold (30 km from a station 17 degrees out) the
 * full fit is taken, and there it matters: its rounded Q are not zero. A
 * CRS other than LAEA gets no bound at all. */
Test(local_bound, where_the_bound_fails_the_full_fit_is_taken)
{
    struct projection_local l;
    struct local_bound b;
    country(&l, &b);
    double x, y, d = 30000;
    to_xy(&l, 92.15, 19.71, &x, &y);
    struct projection_map m;
    double src[128];
    disc(1500, src);
    cr_assert_eq(local_map_without_fit(&l, &b, x, y, d, src, 64, &m), 0);
    cr_assert_eq(local_bound_q_is_zero(&b, x, y, d, 0), 0);
    projection_local_map(&l, x, y, d, &m);
    projection_map_round(&m, d);
    int nonzero = 0;
    for (int k = 0; k < 6; k++)
        nonzero += m.Q[k] != 0;
    cr_assert(nonzero > 0, "the full fit's rounded Q are all zero");
    /* the same station at 1500 m does skip, unless PROJ's inverse were a
     * metre off */
    cr_assert_eq(local_map_without_fit(&l, &b, x, y, 1500, src, 64, &m), 1);
    cr_assert_eq(local_bound_q_is_zero(&b, x, y, 1500, 0.001), 1);
    cr_assert_eq(local_bound_q_is_zero(&b, x, y, 1500, 1.0), 0);
    projection_local_free(&l);

    cr_assert_eq(projection_local_init(&l, "+proj=tmerc +lat_0=0 +lon_0=105 +k=1 +x_0=0 "
                                           "+y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs"),
                 0);
    local_bound_init(&b, &l);
    cr_assert_eq(b.usable, 0);
    cr_assert_eq(local_map_without_fit(&l, &b, 1000, 1000, 1500, src, 64, &m), 0);
    projection_local_free(&l);

    cr_assert_eq(projection_local_init(&l, "+proj=laea +lat_0=30 +lon_0=105 +x_0=0 +y_0=0 "
                                           "+R=6371000 +units=m +no_defs +type=crs"),
                 0);
    local_bound_init(&b, &l);
    cr_assert(b.usable && fabs(b.rq - 6371000) < 1e-6, "sphere: usable %d, Rq %g", b.usable,
              b.rq);
    projection_local_free(&l);
}

/* A vertex at -0 whose products with J are both -0 (a sector's apex drawn
 * as 0 * sin of a negative angle) sums to -0 at first order, where the
 * full fit's zero Q would add its own sign: such a shape takes the full
 * fit, even where the bound holds; the skipped map would give +0 there. */
Test(local_bound, a_first_order_minus_zero_takes_the_full_fit)
{
    struct projection_local l;
    struct local_bound b;
    country(&l, &b);
    double src[128], x, y;
    disc(1500, src);
    to_xy(&l, 110, 35, &x, &y);
    struct projection_map m;
    cr_assert_eq(local_map_without_fit(&l, &b, x, y, 1500, src, 64, &m), 1);
    for (int c = 0; c < 2; c++) { /* the x, then the y coordinate */
        double e0 = copysign(0.0, -m.J[2 * c]), n0 = copysign(0.0, -m.J[2 * c + 1]);
        double got[2], plus[2];
        struct projection_map z = m;
        /* a full fit's zeros may be these: each term -0 */
        z.Q[c] = z.Q[4 + c] = -0.0; /* e e / 2 and n n / 2 are +0 */
        z.Q[2 + c] = copysign(0.0, -(e0 * n0));
        projection_map_apply(&z, e0, n0, &got[0], &got[1]);
        projection_map_apply(&m, e0, n0, &plus[0], &plus[1]);
        cr_assert(got[c] == 0 && plus[c] == 0 && signbit(got[c]) && !signbit(plus[c]),
                  "coordinate %d: %g, %g", c, got[c], plus[c]);
        double with[128];
        memcpy(with, src, sizeof with);
        with[40] = e0, with[41] = n0;
        cr_assert_eq(local_map_without_fit(&l, &b, x, y, 1500, with, 64, &m), 0,
                     "coordinate %d", c);
    }
    projection_local_free(&l);
}
