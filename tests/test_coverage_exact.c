/* The exact coverage engine (sim/coverage/exact/) against GEOS: hand-made
 * townships and footprints, then hundreds of seeded random cases. The
 * reference is what the geos engine computes: the union of the footprints
 * that intersect the township, intersected with it. */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/sites.h"
#include "towncov/worker.h"
#include "fixture.h"
/* The engine's internals (covx_*) are private to the coverage stage: */
#include "../sim/coverage/exact/exact.h"

#define MAXF 512
#define MAXV 400

/* Footprints built by hand, stored as footprints_build stores them: each
 * a shape of its own placed at (0, 0), unless it copies another's. */
struct fpset {
    struct tc_footprints fp;
    int shape[MAXF];
    double cx[MAXF], cy[MAXF];
    long offset[MAXF + 1]; /* of the shapes */
    double xy[2 * MAXF * MAXV];
    double xmin[MAXF], ymin[MAXF], xmax[MAXF], ymax[MAXF];
};

static struct fpset *fps_new(void)
{
    struct fpset *s = calloc(1, sizeof *s);
    cr_assert_not_null(s);
    s->fp = (struct tc_footprints){.cx = s->cx, .cy = s->cy, .shape = s->shape,
                                   .shape_off = s->offset, .sxy = s->xy, .xmin = s->xmin,
                                   .ymin = s->ymin, .xmax = s->xmax, .ymax = s->ymax};
    return s;
}

/* Forgets every footprint and shape. */
static void fps_clear(struct fpset *s)
{
    s->fp.n = s->fp.nshape = 0;
}

/* A new footprint with a new shape of n vertices: their array to fill. */
static double *fps_add(struct fpset *s, int n, long *id)
{
    cr_assert(s->fp.n < MAXF && s->fp.nshape < MAXF && n <= MAXV);
    long i = *id = s->fp.n++, sh = s->fp.nshape++;
    s->shape[i] = (int)sh;
    s->offset[sh + 1] = s->offset[sh] + n;
    return s->xy + 2 * s->offset[sh];
}

static void fps_envelope(struct fpset *s, long i)
{
    s->xmin[i] = s->ymin[i] = INFINITY;
    s->xmax[i] = s->ymax[i] = -INFINITY;
    for (long k = 0; k < footprint_size(&s->fp, i); k++) {
        double x, y;
        footprint_vertex(&s->fp, i, k, &x, &y);
        s->xmin[i] = fmin(s->xmin[i], x);
        s->xmax[i] = fmax(s->xmax[i], x);
        s->ymin[i] = fmin(s->ymin[i], y);
        s->ymax[i] = fmax(s->ymax[i], y);
    }
}

/* A footprint star-shaped about (cx, cy): vertex j at angle a0 + 2 pi j / n,
 * radius r[j] (counter-clockwise), as radio_footprint draws a shape and
 * footprints_build places it. */
static long fps_star(struct fpset *s, double cx, double cy, int n, const double *r, double a0)
{
    long i;
    double *xy = fps_add(s, n, &i);
    for (int j = 0; j < n; j++) {
        double a = a0 + 2.0 * M_PI * j / n;
        xy[2 * j] = r[j] * cos(a) + cx;
        xy[2 * j + 1] = r[j] * sin(a) + cy;
    }
    fps_envelope(s, i);
    return i;
}

static long fps_disc(struct fpset *s, double cx, double cy, double radius, int n, double a0)
{
    double r[MAXV];
    for (int j = 0; j < n; j++)
        r[j] = radius;
    return fps_star(s, cx, cy, n, r, a0);
}

/* A co-located twin of footprint i: the same shape at the same place, as
 * footprints_build stores two stations with equal radio settings. */
static long fps_copy(struct fpset *s, long i)
{
    cr_assert(s->fp.n < MAXF);
    long k = s->fp.n++;
    s->shape[k] = s->shape[i];
    s->cx[k] = s->cx[i];
    s->cy[k] = s->cy[i];
    fps_envelope(s, k);
    return k;
}

/* A byte-identical copy of footprint i stored as a shape of its own. */
static long fps_clone(struct fpset *s, long i)
{
    long n = footprint_size(&s->fp, i), k;
    double *xy = fps_add(s, (int)n, &k);
    for (long j = 0; j < n; j++)
        footprint_vertex(&s->fp, i, j, &xy[2 * j], &xy[2 * j + 1]);
    fps_envelope(s, k);
    return k;
}

/* A polygon footprint from explicit vertices (counter-clockwise). */
static long fps_poly(struct fpset *s, const double *pts, int n)
{
    long i;
    double *xy = fps_add(s, n, &i);
    memcpy(xy, pts, sizeof(double) * 2 * (size_t)n);
    fps_envelope(s, i);
    return i;
}

static void township_set(GEOSContextHandle_t ctx, struct township *t, GEOSGeometry *g,
                         double seat_x, double seat_y)
{
    memset(t, 0, sizeof *t);
    cr_assert_not_null(g);
    t->geom = g;
    GEOSArea_r(ctx, g, &t->area_m2);
    GEOSGeom_getXMin_r(ctx, g, &t->xmin);
    GEOSGeom_getYMin_r(ctx, g, &t->ymin);
    GEOSGeom_getXMax_r(ctx, g, &t->xmax);
    GEOSGeom_getYMax_r(ctx, g, &t->ymax);
    t->seat_x = seat_x;
    t->seat_y = seat_y;
}

static void township_wkt(GEOSContextHandle_t ctx, struct township *t, const char *wkt,
                         double seat_x, double seat_y)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx);
    township_set(ctx, t, GEOSWKTReader_read_r(ctx, rd, wkt), seat_x, seat_y);
    GEOSWKTReader_destroy_r(ctx, rd);
}

/* Footprints whose envelope meets the township's, ascending (what the
 * driver's index hands the engine). */
static long candidates(const struct township *t, const struct tc_footprints *fp, long *ids)
{
    long n = 0;
    for (long i = 0; i < fp->n; i++)
        if (!(fp->xmax[i] < t->xmin || fp->xmin[i] > t->xmax || fp->ymax[i] < t->ymin ||
              fp->ymin[i] > t->ymax))
            ids[n++] = i;
    return n;
}

/* The geos engine's answer, written out here. */
static void reference_part(GEOSContextHandle_t ctx, const struct township *t,
                           const struct tc_footprints *fp, const long *ids, long n,
                           struct cov_result *r, GEOSGeometry **part)
{
    GEOSGeometry **polys = calloc((size_t)n + 1, sizeof *polys);
    GEOSGeometry *seat = GEOSGeom_createPointFromXY_r(ctx, t->seat_x, t->seat_y);
    unsigned k = 0;
    memset(r, 0, sizeof *r);
    for (long j = 0; j < n; j++) {
        GEOSGeometry *p = footprint_polygon(ctx, fp, ids[j]);
        if (GEOSIntersects_r(ctx, t->geom, p) != 1) {
            GEOSGeom_destroy_r(ctx, p);
            continue;
        }
        r->seat_covered |= GEOSIntersects_r(ctx, p, seat) == 1;
        polys[k++] = p;
    }
    r->footprints = (int)k;
    if (k) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, polys, k);
        GEOSGeometry *uni = GEOSUnaryUnion_r(ctx, coll);
        GEOSGeometry *cut = GEOSIntersection_r(ctx, t->geom, uni);
        cr_assert(cut && GEOSArea_r(ctx, cut, &r->covered_m2));
        if (part)
            *part = cut;
        else
            GEOSGeom_destroy_r(ctx, cut);
        GEOSGeom_destroy_r(ctx, uni);
        GEOSGeom_destroy_r(ctx, coll);
    }
    else if (part)
        *part = GEOSGeom_createEmptyPolygon_r(ctx);
    GEOSGeom_destroy_r(ctx, seat);
    free(polys);
}

static void reference(GEOSContextHandle_t ctx, const struct township *t,
                      const struct tc_footprints *fp, const long *ids, long n,
                      struct cov_result *r)
{
    reference_part(ctx, t, fp, ids, n, r, NULL);
}

struct env {
    GEOSContextHandle_t ctx;
    struct covx_scratch *s;
    struct fpset *f;
    long ids[MAXF];
};

static void env_open(struct env *e)
{
    e->ctx = GEOS_init_r();
    e->s = covx_scratch_new(e->ctx);
    e->f = fps_new();
    cr_assert(e->ctx && e->s);
}

static void env_close(struct env *e, struct township *t)
{
    if (t && t->geom)
        GEOSGeom_destroy_r(e->ctx, t->geom);
    covx_scratch_free(&e->s);
    cr_assert_null(e->s, "covx_scratch_free must null the pointer");
    free(e->f);
    GEOS_finish_r(e->ctx);
}

/* Runs the engine; 0, or -1 when it declined. Checks against GEOS when it
 * answered, to rel (of the reference area; 1e-6 m² at least). */
static int check(struct env *e, const struct township *t, double rel, struct cov_result *got)
{
    long n = candidates(t, &e->f->fp, e->ids);
    struct cov_result want;
    memset(got, 0x55, sizeof *got);
    if (covx_township(e->s, t, &e->f->fp, e->ids, n, got) != 0)
        return -1;
    reference(e->ctx, t, &e->f->fp, e->ids, n, &want);
    cr_assert(fabs(got->covered_m2 - want.covered_m2) <= rel * want.covered_m2 + 1e-6,
              "covered %.9f m², GEOS %.9f m² (rel %.3g)", got->covered_m2, want.covered_m2,
              fabs(got->covered_m2 - want.covered_m2) / fmax(want.covered_m2, 1e-300));
    cr_assert_eq(got->footprints, want.footprints, "footprints %d, GEOS %d", got->footprints,
                 want.footprints);
    cr_assert_eq(got->seat_covered, want.seat_covered, "seat %d, GEOS %d", got->seat_covered,
                 want.seat_covered);
    return 0;
}

static double ngon_area(double r, int n)
{
    return 0.5 * n * r * r * sin(2 * M_PI / n);
}

/* ---- hand-made cases ------------------------------------------------------*/

Test(exact, disc_inside_square_is_the_whole_ngon)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 5000.5, 5000.5);
    fps_disc(e.f, 5000.5, 5000.5, 1000, 64, 0.1);
    cr_assert_eq(check(&e, &t, 1e-12, &r), 0, "declined");
    cr_assert_float_eq(r.covered_m2, ngon_area(1000, 64), 1e-6);
    cr_assert_eq(r.footprints, 1);
    cr_assert_eq(r.seat_covered, 1);
    env_close(&e, &t);
}

Test(exact, disc_straddling_two_townships_splits_between_them)
{
    struct env e;
    struct township w, east;
    struct cov_result a, b;
    env_open(&e);
    township_wkt(e.ctx, &w, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 5000, 5000);
    township_wkt(e.ctx, &east, "POLYGON((10000 0,20000 0,20000 10000,10000 10000,10000 0))",
                 15000, 5000);
    fps_disc(e.f, 10300.25, 5000.5, 1000, 64, 0.05);
    cr_assert_eq(check(&e, &w, 1e-9, &a), 0, "declined west");
    cr_assert_eq(check(&e, &east, 1e-9, &b), 0, "declined east");
    cr_assert(a.covered_m2 > 0 && b.covered_m2 > a.covered_m2);
    cr_assert_float_eq(a.covered_m2 + b.covered_m2, ngon_area(1000, 64), 1e-6);
    cr_assert_eq(a.seat_covered + b.seat_covered, 0);
    GEOSGeom_destroy_r(e.ctx, w.geom);
    env_close(&e, &east);
}

Test(exact, hole_covered_by_a_disc_is_not_counted)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t,
                 "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0),"
                 "(4000 4000,4000 6000,6000 6000,6000 4000,4000 4000))",
                 2000, 2000);
    fps_disc(e.f, 5000.3, 5000.7, 2500, 64, 0.2); /* holds the hole */
    fps_disc(e.f, 5100.3, 5000.7, 800, 64, 0.3);  /* inside the hole only */
    cr_assert_eq(check(&e, &t, 1e-10, &r), 0, "declined");
    cr_assert_float_eq(r.covered_m2, ngon_area(2500, 64) - 4e6, 1e-3);
    cr_assert_eq(r.footprints, 1, "the disc inside the hole misses the township");
    env_close(&e, &t);
}

Test(exact, multipart_township_sums_its_parts)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t,
                 "MULTIPOLYGON(((0 0,3000 0,3000 3000,0 3000,0 0)),"
                 "((6000 0,9000 0,9000 3000,6000 3000,6000 0)),"
                 "((0 6000,9000 6000,9000 9000,0 9000,0 6000),"
                 "(1000 7000,8000 7000,8000 8000,1000 8000,1000 7000)))",
                 1500, 1500);
    fps_disc(e.f, 1500.1, 1500.2, 700, 64, 0.0);  /* inside part 1 */
    fps_disc(e.f, 6000.3, 1500.4, 900, 64, 0.1);  /* straddles part 2's edge */
    fps_disc(e.f, 4500.5, 1500.6, 1000, 64, 0.2); /* between parts */
    fps_disc(e.f, 4500.5, 7500.6, 1200, 64, 0.3); /* over part 3's hole */
    fps_disc(e.f, 2900.7, 2900.8, 500, 64, 0.4);  /* part 1's corner */
    cr_assert_eq(check(&e, &t, 1e-10, &r), 0, "declined");
    cr_assert_eq(r.footprints, 4);
    cr_assert_eq(r.seat_covered, 1);
    env_close(&e, &t);
}

Test(exact, identical_colocated_footprints_count_but_cover_once)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 9000, 9000);
    long a = fps_disc(e.f, 9800.5, 5000.5, 1000, 64, 0.1); /* straddles the east edge */
    fps_copy(e.f, a);
    fps_disc(e.f, 9000.5, 5500.5, 700, 64, 0.1);
    fps_copy(e.f, a);
    long b = fps_disc(e.f, 3000.5, 3000.5, 600, 64, 0.1); /* alone, inside */
    fps_clone(e.f, b); /* identical vertices in a shape of its own */
    cr_assert_eq(check(&e, &t, 1e-10, &r), 0, "identical footprints must not be declined");
    cr_assert_eq(r.footprints, 6);
    env_close(&e, &t);
}

Test(exact, township_inside_one_footprint_is_fully_covered)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((100 100,300 120,250 300,90 250,100 100))", 200, 200);
    fps_disc(e.f, 200.5, 200.5, 1000, 64, 0.1);
    fps_disc(e.f, 900.5, 200.5, 500, 64, 0.1); /* envelope meets, disc misses */
    cr_assert_eq(check(&e, &t, 1e-12, &r), 0, "declined");
    cr_assert_float_eq(r.covered_m2, t.area_m2, 1e-6);
    cr_assert_eq(r.footprints, 1);
    env_close(&e, &t);
}

Test(exact, no_footprints_covers_nothing)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10 0,10 10,0 10,0 0))", 5, 5);
    memset(&r, 0x55, sizeof r);
    cr_assert_eq(covx_township(e.s, &t, &e.f->fp, e.ids, 0, &r), 0);
    cr_assert_eq(r.covered_m2, 0.0);
    cr_assert_eq(r.footprints, 0);
    cr_assert_eq(r.seat_covered, 0);
    env_close(&e, &t);
}

Test(exact, seat_covered_only_by_a_footprint_reaching_the_township)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    /* The seat lies off the township (bad data happens); the disc holding
     * it has an envelope meeting the township's but misses its corner. */
    township_wkt(e.ctx, &t, "POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))", 1100, 1100);
    fps_disc(e.f, 1100, 1100, 140, 64, 0.1);
    cr_assert_eq(check(&e, &t, 1e-12, &r), 0, "declined");
    cr_assert_eq(r.seat_covered, 0);
    cr_assert_eq(r.footprints, 0);
    /* Now a second disc reaches the township and holds the seat too. */
    fps_disc(e.f, 1050, 1050, 200, 64, 0.1);
    cr_assert_eq(check(&e, &t, 1e-12, &r), 0, "declined");
    cr_assert_eq(r.seat_covered, 1);
    cr_assert_eq(r.footprints, 1);
    env_close(&e, &t);
}

Test(exact, seat_off_every_footprint_is_not_covered)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 5000, 5000);
    fps_disc(e.f, 2000.5, 2000.5, 1000, 64, 0.1);
    fps_disc(e.f, 5000.5, 3900.5, 1000, 64, 0.1); /* stops ~100 m short of the seat */
    cr_assert_eq(check(&e, &t, 1e-10, &r), 0, "declined");
    cr_assert_eq(r.seat_covered, 0);
    cr_assert_eq(r.footprints, 2);
    env_close(&e, &t);
}

/* A footprint vertex exactly on the township's edge, and a footprint edge
 * lying along it: the engine must decline (the driver then asks GEOS),
 * never return a guess. */
Test(exact, degenerate_contacts_are_declined)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 5000, 5000);
    const double diamond[] = {0, 4000, 1000, 5000, 0, 6000, -1000, 5000};
    fps_poly(e.f, diamond, 4);
    long n = candidates(&t, &e.f->fp, e.ids);
    cr_assert_eq(covx_township(e.s, &t, &e.f->fp, e.ids, n, &r), -1, "vertex on an edge");
    fps_clear(e.f);
    const double square[] = {0, 4000, 1000, 4000, 1000, 6000, 0, 6000};
    fps_poly(e.f, square, 4);
    n = candidates(&t, &e.f->fp, e.ids);
    cr_assert_eq(covx_township(e.s, &t, &e.f->fp, e.ids, n, &r), -1, "collinear edges");
    /* The same square nudged off the edge is fine again. */
    fps_clear(e.f);
    const double nudged[] = {0.001, 4000, 1000, 4000, 1000, 6000, 0.001, 6000};
    fps_poly(e.f, nudged, 4);
    cr_assert_eq(check(&e, &t, 1e-12, &r), 0, "declined a clean square");
    cr_assert_float_eq(r.covered_m2, 999.999 * 2000, 1e-6);
    env_close(&e, &t);
}

/* Non-convex star footprints (the link model's shape): sectors with deep
 * notches, with many more vertices than the discs. */
/* Through the driver: a township the engine declines is computed by GEOS
 * (the same answer), counted in by_geos, and has no kept rings. */
Test(exact, declined_township_falls_back_to_geos_and_is_counted)
{
    struct env e;
    struct township t[2];
    env_open(&e);
    township_wkt(e.ctx, &t[0], "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0))", 5000, 5000);
    township_wkt(e.ctx, &t[1], "POLYGON((20000 0,30000 0,30000 10000,20000 10000,20000 0))",
                 25000, 5000);
    const double diamond[] = {0, 4000, 1000, 5000, 0, 6000, -1000, 5000}; /* vertex on an edge */
    fps_poly(e.f, diamond, 4);
    fps_disc(e.f, 25000.5, 5000.5, 1000, 64, 0.1);
    struct tc_map map = {.n = 2, .t = t, .xmin = -1000, .ymin = 0, .xmax = 30000, .ymax = 10000};
    struct tc_sites sites = {.n = 0};
    struct cov_config cfg = {.engine = COV_ENGINE_EXACT};
    struct cov_result r[2];
    struct cov_parts *parts = NULL;
    struct tc_error err = {0};
    cr_assert_eq(cov_compute(&cfg, &map, &sites, &e.f->fp, NULL, 2, r, &parts, &err), 0, "%s", err.msg);
    cr_assert_eq(r[0].by_geos, 1, "the diamond's vertex lies on the township's edge");
    cr_assert_eq(r[1].by_geos, 0);
    cr_assert_float_eq(r[0].covered_m2, 1e6, 1e-6, "half the diamond: %.9f", r[0].covered_m2);
    cr_assert_float_eq(r[1].covered_m2, fx_ngon_area(1000, 64), 1e-6);
    cr_assert(parts->missing[0] && !parts->missing[1]);
    cr_assert_eq(parts->first[1], 0, "no rings for the declined township");
    cr_assert_eq(parts->first[2], 1, "one ring, the disc");
    cov_parts_free(&parts);
    cr_assert_null(parts);
    GEOSGeom_destroy_r(e.ctx, t[1].geom);
    env_close(&e, &t[0]);
}

Test(exact, star_footprints_with_notches)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,8000 500,9000 9000,500 7000,0 0))", 4000, 4000);
    double rad[360];
    for (int s = 0; s < 3; s++) {
        for (int j = 0; j < 360; j++) /* three lobes, 120 degrees apart */
            rad[j] = 300 + (1500 + 200 * s) * pow(fabs(cos(1.5 * M_PI * j / 180.0)), 4);
        fps_star(e.f, 2000.0 + 2500 * s + 0.37, 3000.0 + 1200 * s + 0.71, 360, rad, 0.01 * s);
    }
    cr_assert_eq(check(&e, &t, 1e-10, &r), 0, "declined");
    cr_assert_eq(r.footprints, 3);
    env_close(&e, &t);
}

/* ---- seeded random cases ----------------------------------------------------*/

/* splitmix64: a counter-based stream, one per case. */
/* A ring star-shaped about (cx, cy) with n random radii in [r0, r1]. */
static GEOSGeometry *random_ring(GEOSContextHandle_t ctx, uint64_t *st, double cx, double cy,
                                 int n, double r0, double r1, int clockwise)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, (unsigned)n + 1, 2);
    double a0 = fx_rnd(st);
    for (int k = 0; k < n; k++) {
        double a = a0 + 2 * M_PI * (k + 0.8 * fx_rnd(st)) / n;
        double r = r0 + (r1 - r0) * fx_rnd(st);
        unsigned at = (unsigned)(clockwise ? n - k : k);
        GEOSCoordSeq_setXY_r(ctx, seq, at, cx + r * cos(a), cy + r * sin(a));
        if (k == 0)
            GEOSCoordSeq_setXY_r(ctx, seq, clockwise ? 0 : (unsigned)n, cx + r * cos(a),
                                 cy + r * sin(a));
    }
    return GEOSGeom_createLinearRing_r(ctx, seq);
}

/* A random township near the origin (metric coordinates of a province:
 * offset by a few hundred km), sometimes with a hole, sometimes in two
 * parts, and 10-70 footprints around it: discs of 64 vertices, star
 * footprints of up to 222, and twins (kept small: GEOS is the slow side). */
static void random_case(struct env *e, struct township *t, uint64_t seed)
{
    uint64_t st = seed * 0x2545F4914F6CDD1Dull;
    GEOSContextHandle_t ctx = e->ctx;
    double ox = 3e5 * (fx_rnd(&st) - 0.5), oy = 3e5 * (fx_rnd(&st) - 0.5);
    double big = 3000 + 7000 * fx_rnd(&st);
    int nv = 8 + (int)(600 * fx_rnd(&st));
    GEOSGeometry *holes[1];
    int nh = fx_rnd(&st) < 0.3;
    if (nh)
        holes[0] = random_ring(ctx, &st, ox + 0.05 * big, oy, 40, 0.1 * big, 0.25 * big, 1);
    GEOSGeometry *shell = random_ring(ctx, &st, ox, oy, nv, 0.6 * big, big, 0);
    GEOSGeometry *parts[2];
    parts[0] = GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nh);
    int np = 1;
    if (fx_rnd(&st) < 0.2)
        parts[np++] = GEOSGeom_createPolygon_r(
            ctx, random_ring(ctx, &st, ox + 2.3 * big, oy, 30, 0.3 * big, 0.6 * big, 0), NULL, 0);
    GEOSGeometry *g = np == 1 ? parts[0]
                              : GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, 2);
    township_set(ctx, t, g, ox + 0.7 * big * (fx_rnd(&st) - 0.5),
                 oy + 0.7 * big * (fx_rnd(&st) - 0.5));
    fps_clear(e->f);
    int nf = 10 + (int)(60 * fx_rnd(&st));
    double rad[MAXV];
    for (int i = 0; i < nf; i++) {
        double u = fx_rnd(&st);
        double cx = t->xmin - 0.2 * big + (t->xmax - t->xmin + 0.4 * big) * fx_rnd(&st);
        double cy = t->ymin - 0.2 * big + (t->ymax - t->ymin + 0.4 * big) * fx_rnd(&st);
        double r0 = big * (0.03 + 0.3 * fx_rnd(&st));
        if (u < 0.1 && e->f->fp.n > 0) {
            fps_copy(e->f, (long)(fx_rnd(&st) * (double)e->f->fp.n));
        } else if (u < 0.3) {
            int n = 72 + (int)(150 * fx_rnd(&st));
            for (int j = 0; j < n; j++)
                rad[j] = r0 * (0.3 + 0.7 * fx_rnd(&st));
            fps_star(e->f, cx, cy, n, rad, fx_rnd(&st));
        } else {
            fps_disc(e->f, cx, cy, r0, 64, 0.0);
        }
    }
}

Test(exact, random_cases_agree_with_geos)
{
    struct env e;
    struct township t = {0};
    struct cov_result r;
    env_open(&e);
    int declined = 0, cases = 300;
    for (int c = 0; c < cases; c++) {
        random_case(&e, &t, 1000 + (uint64_t)c);
        cr_assert(GEOSisValid_r(e.ctx, t.geom) == 1, "case %d: invalid township", c);
        declined += check(&e, &t, 1e-9, &r) != 0;
        GEOSGeom_destroy_r(e.ctx, t.geom);
        t.geom = NULL;
    }
    cr_assert(declined <= cases / 100, "%d of %d random cases declined", declined, cases);
    env_close(&e, NULL);
}

/* The rings the engine keeps for the exporters, as a GEOS geometry. */
static GEOSGeometry *rings_geometry(GEOSContextHandle_t ctx, const struct covx_rings *r)
{
    GEOSGeometry **ring = calloc((size_t)r->nring + 1, sizeof *ring);
    GEOSGeometry **poly = calloc((size_t)r->nring + 1, sizeof *poly);
    GEOSGeometry **holes = calloc((size_t)r->nring + 1, sizeof *holes);
    for (long k = 0; k < r->nring; k++) {
        long a = r->start[k], n = r->start[k + 1] - a;
        GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, (unsigned)n + 1, 2);
        for (long i = 0; i <= n; i++)
            GEOSCoordSeq_setXY_r(ctx, seq, (unsigned)i, r->x[a + i % n], r->y[a + i % n]);
        ring[k] = GEOSGeom_createLinearRing_r(ctx, seq);
    }
    unsigned np = 0;
    for (long k = 0; k < r->nring; k++) {
        if (r->shell[k] != k)
            continue;
        unsigned nh = 0;
        for (long h = 0; h < r->nring; h++)
            if (h != k && r->shell[h] == k)
                holes[nh++] = ring[h];
        poly[np++] = GEOSGeom_createPolygon_r(ctx, ring[k], holes, nh);
    }
    GEOSGeometry *g = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, poly, np);
    free(ring);
    free(poly);
    free(holes);
    return g;
}

/* Kept rings are the covered part itself: valid, with the engine's area,
 * and the same region as GEOS's union and intersection. */
Test(exact, kept_rings_are_the_covered_part)
{
    struct env e;
    struct township t = {0};
    env_open(&e);
    covx_keep_rings(e.s, 1);
    int unchained = 0, holes = 0, cases = 120;
    for (int c = 0; c < cases; c++) {
        random_case(&e, &t, 5000 + (uint64_t)c);
        long n = candidates(&t, &e.f->fp, e.ids);
        struct cov_result got, want;
        GEOSGeometry *part = NULL;
        struct covx_rings rings;
        if (covx_township(e.s, &t, &e.f->fp, e.ids, n, &got) != 0)
            goto next;
        if (covx_rings(e.s, &rings) != 0) {
            unchained++;
            goto next;
        }
        for (long k = 0; k < rings.nring; k++)
            holes += rings.shell[k] != k;
        reference_part(e.ctx, &t, &e.f->fp, e.ids, n, &want, &part);
        GEOSGeometry *g = rings_geometry(e.ctx, &rings);
        cr_assert_eq(GEOSisValid_r(e.ctx, g), 1, "case %d: kept rings are not valid", c);
        double area, diff_area;
        cr_assert(GEOSArea_r(e.ctx, g, &area));
        cr_assert(fabs(area - got.covered_m2) <= 1e-9 * t.area_m2 + 1e-6,
                  "case %d: rings %.6f m2, engine %.6f m2", c, area, got.covered_m2);
        GEOSGeometry *diff = GEOSSymDifference_r(e.ctx, g, part);
        cr_assert(diff && GEOSArea_r(e.ctx, diff, &diff_area));
        cr_assert(diff_area <= 1e-9 * t.area_m2 + 1e-6, "case %d: rings and GEOS differ by %g m2",
                  c, diff_area);
        GEOSGeom_destroy_r(e.ctx, diff);
        GEOSGeom_destroy_r(e.ctx, g);
        GEOSGeom_destroy_r(e.ctx, part);
    next:
        GEOSGeom_destroy_r(e.ctx, t.geom);
        t.geom = NULL;
    }
    cr_assert(unchained <= cases / 50, "%d of %d cases gave no rings", unchained, cases);
    cr_assert(holes > 0, "the cases must include covered parts with holes");
    env_close(&e, NULL);
}

/* Dense overlap: 400 discs over a small township, many crossing near one
 * another, as in a city's subdistrict. */
Test(exact, dense_city_agrees_with_geos)
{
    struct env e;
    struct township t;
    struct cov_result r;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,3000 200,3300 3100,-200 2800,0 0))", 1500, 1500);
    uint64_t st = 7;
    for (int i = 0; i < 400; i++)
        fps_disc(e.f, -500 + 4300 * fx_rnd(&st), -500 + 4100 * fx_rnd(&st), 400, 64, 0.0);
    cr_assert_eq(check(&e, &t, 1e-9, &r), 0, "declined");
    cr_assert(r.footprints > 300);
    env_close(&e, &t);
}

/* A star of n radii r about its station (cx, cy), stored as radio
 * footprints are: the shape relative to the station, placed there (so the
 * engine knows the station, and its sure discs and wedges). */
static long fps_station_star(struct fpset *s, double cx, double cy, int n, const double *r,
                             double a0)
{
    long i;
    double *xy = fps_add(s, n, &i);
    for (int j = 0; j < n; j++) {
        double a = a0 + 2.0 * M_PI * j / n;
        xy[2 * j] = r[j] * cos(a);
        xy[2 * j + 1] = r[j] * sin(a);
    }
    s->cx[i] = cx;
    s->cy[i] = cy;
    fps_envelope(s, i);
    return i;
}

/* Three lobes 120 degrees apart about station (cx, cy), as the link model
 * draws a three-sector one (radius r0 between the lobes, r0 + r1 on them). */
static long fps_lobes(struct fpset *s, double cx, double cy, double r0, double r1, double a0)
{
    double rad[72];
    for (int j = 0; j < 72; j++)
        rad[j] = r0 + r1 * pow(fabs(cos(1.5 * 2.0 * M_PI * j / 72.0)), 2);
    return fps_station_star(s, cx, cy, 72, rad, a0);
}

/* Runs township t with deep edges always pruned and never: the same
 * result, bit for bit (and GEOS's, through check). */
static void assert_pruning_changes_nothing(struct env *e, const struct township *t,
                                           const char *what)
{
    struct cov_result pruned, plain;
    covx_prune_deep(e->s, COVX_PRUNE_ALWAYS);
    cr_assert_eq(check(e, t, 1e-9, &pruned), 0, "%s: declined", what);
    long n = candidates(t, &e->f->fp, e->ids);
    covx_prune_deep(e->s, COVX_PRUNE_NEVER);
    int rc = covx_township(e->s, t, &e->f->fp, e->ids, n, &plain);
    covx_prune_deep(e->s, COVX_PRUNE_DENSE);
    cr_assert_eq(rc, 0, "%s: declined unpruned", what);
    cr_assert(memcmp(&pruned.covered_m2, &plain.covered_m2, sizeof(double)) == 0,
              "%s: pruned %.17g m2, unpruned %.17g m2", what, pruned.covered_m2,
              plain.covered_m2);
    cr_assert_eq(pruned.footprints, plain.footprints, "%s: footprints differ", what);
    cr_assert_eq(pruned.seat_covered, plain.seat_covered, "%s: seat differs", what);
}

/* Footprints nested in others (whose edges lie deep inside the union and
 * are pruned, deep.c), lobed stars (whose point tests take the sure radii
 * of their direction, sectors.c), some across the township's boundary and
 * some in a hole: pruning changes nothing. */
Test(exact, pruning_deep_edges_changes_nothing)
{
    struct env e;
    struct township t;
    env_open(&e);
    township_wkt(e.ctx, &t,
                 "POLYGON((0 0,10000 300,9700 10000,200 9800,0 0),"
                 "(6500 6500,7500 6500,7500 7500,6500 7500,6500 6500))",
                 5000, 5000);
    uint64_t st = 11;
    double round[64];
    for (int j = 0; j < 64; j++)
        round[j] = 3000;
    fps_station_star(e.f, 5000.3, 5000.7, 64, round, 0.1); /* holds most of the others */
    fps_lobes(e.f, 4000.1, 6000.2, 1500, 1200, 0.2);        /* and a big star, too */
    for (int i = 0; i < 300; i++) { /* small stars inside the big disc */
        double a = 2 * M_PI * fx_rnd(&st), r = 2200 * sqrt(fx_rnd(&st));
        fps_lobes(e.f, 5000 + r * cos(a), 5000 + r * sin(a), 200 + 100 * fx_rnd(&st),
                  150 + 150 * fx_rnd(&st), 2 * M_PI * fx_rnd(&st));
    }
    for (int i = 0; i < 150; i++) /* and others anywhere, across the boundary too */
        fps_lobes(e.f, -800 + 11600 * fx_rnd(&st), -800 + 11600 * fx_rnd(&st),
                  200 + 200 * fx_rnd(&st), 100 + 300 * fx_rnd(&st), 2 * M_PI * fx_rnd(&st));
    assert_pruning_changes_nothing(&e, &t, "nested");
    GEOSGeom_destroy_r(e.ctx, t.geom);
    t.geom = NULL;
    for (int c = 0; c < 40; c++) { /* and the seeded random cases */
        char what[32];
        snprintf(what, sizeof what, "case %d", c);
        random_case(&e, &t, 500 + (uint64_t)c);
        assert_pruning_changes_nothing(&e, &t, what);
        GEOSGeom_destroy_r(e.ctx, t.geom);
        t.geom = NULL;
    }
    env_close(&e, NULL);
}

/* Overlapping discs on a lattice, shifted and turned from case to case,
 * so that their edges' runs end on every side of the grid's cells: each
 * pair of crossing runs, in the same cell or in neighbouring ones (east,
 * above, above left and above right), is found from one of them by what
 * it reaches (pairs.c's ahead_of). Most discs lie inside the township on
 * clean inside cells: with pruning never, their rings are bucketed whole
 * (bucket.c's bucket_all_walked); the others cross the slanted boundary
 * or lie outside it. A few 7-gons have edges longer than a cell (cut in
 * pieces). Agrees with GEOS, and bit for bit with pruning always (which
 * buckets edge by edge). */
Test(exact, lattice_runs_across_cell_borders_agree_with_geos)
{
    struct env e;
    struct township t;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,10000 300,9700 10000,200 9800,0 0))", 5000, 5000);
    for (int c = 0; c < 6; c++) {
        fps_clear(e.f);
        double dx = 173.1 * c + 0.37, dy = 91.7 * c + 0.19;
        for (int i = 0; i < 13; i++)
            for (int j = 0; j < 13; j++) {
                double x = -1200 + 1000 * i + dx, y = -1200 + 1000 * j + dy;
                if ((i * 7 + j * 3 + c) % 23 == 0)
                    fps_disc(e.f, x, y, 900, 7, 0.3 * c);
                else
                    fps_disc(e.f, x, y, 600 + 20 * ((i + j + c) % 5), 64, 0.1 * c + 0.01 * i);
            }
        char what[32];
        snprintf(what, sizeof what, "lattice %d", c);
        assert_pruning_changes_nothing(&e, &t, what);
    }
    env_close(&e, &t);
}

/* A dense township: 500 lobed stars, each point of it under about eight,
 * and a boundary of 300 vertices wandering through them, so that many
 * edges lie deep inside the union close to the boundary (the fine cells of
 * deep.c). Agrees with GEOS; pruning changes nothing, bit for bit. */
Test(exact, dense_lobes_near_a_wiggly_boundary_agree_with_geos)
{
    struct env e;
    struct township t;
    env_open(&e);
    uint64_t st = 2025;
    township_set(e.ctx, &t,
                 GEOSGeom_createPolygon_r(e.ctx, random_ring(e.ctx, &st, 0, 0, 300, 2500, 3500, 0),
                                          NULL, 0),
                 10.5, 20.5);
    for (int i = 0; i < 500; i++) {
        double a = 2 * M_PI * fx_rnd(&st), r = 3800 * sqrt(fx_rnd(&st));
        fps_lobes(e.f, r * cos(a), r * sin(a), 250 + 150 * fx_rnd(&st), 150 + 200 * fx_rnd(&st),
                  2 * M_PI * fx_rnd(&st));
    }
    assert_pruning_changes_nothing(&e, &t, "dense lobes");
    env_close(&e, &t);
}

/* Lobed stars across a wiggly boundary, each point of the band about it
 * under one to four, and small ones near ∂T: edges inside another
 * footprint that may cross ∂T (EDGE_COVERED, deep.c: paired only with the
 * township's edges and with walked ones), walked edges resuming past them
 * in and out of cover and of T, and small rings covered all along near
 * ∂T. Agrees with GEOS; pruning changes nothing, bit for bit. */
Test(exact, covered_edges_across_the_boundary_agree_with_geos)
{
    struct env e;
    struct township t;
    env_open(&e);
    for (int c = 0; c < 30; c++) {
        uint64_t st = 4242 + 7 * (uint64_t)c;
        township_set(e.ctx, &t,
                     GEOSGeom_createPolygon_r(
                         e.ctx, random_ring(e.ctx, &st, 0, 0, 200, 2000, 3000, 0), NULL, 0),
                     0.5, 0.5);
        fps_clear(e.f);
        int nf = 40 + (int)(120 * fx_rnd(&st));
        for (int i = 0; i < nf; i++) {
            double a = 2 * M_PI * fx_rnd(&st), r = 1500 + 2000 * fx_rnd(&st);
            fps_lobes(e.f, r * cos(a), r * sin(a), 100 + 400 * fx_rnd(&st),
                      50 + 400 * fx_rnd(&st), 2 * M_PI * fx_rnd(&st));
        }
        for (int i = 0; i < 40; i++) { /* small ones, some inside others near ∂T */
            double a = 2 * M_PI * fx_rnd(&st), r = 2000 + 1000 * fx_rnd(&st);
            fps_lobes(e.f, r * cos(a), r * sin(a), 10 + 40 * fx_rnd(&st), 10 + 30 * fx_rnd(&st),
                      2 * M_PI * fx_rnd(&st));
        }
        char what[32];
        snprintf(what, sizeof what, "case %d", c);
        assert_pruning_changes_nothing(&e, &t, what);
        GEOSGeom_destroy_r(e.ctx, t.geom);
        t.geom = NULL;
    }
    /* A small ring inside T by its edge, inside a large one reaching over
     * the edge, crossing nothing: it reaches T, and counts. */
    township_wkt(e.ctx, &t, "POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))", 500, 500);
    fps_clear(e.f);
    double big[64], small[64];
    for (int j = 0; j < 64; j++) {
        big[j] = 600;
        small[j] = 0.5;
    }
    fps_station_star(e.f, 1010.25, 500.25, 64, big, 0.01);
    fps_station_star(e.f, 999.0, 500.375, 64, small, 0.02);
    struct cov_result r;
    covx_prune_deep(e.s, COVX_PRUNE_ALWAYS);
    cr_assert_eq(check(&e, &t, 1e-9, &r), 0, "small ring: declined");
    covx_prune_deep(e.s, COVX_PRUNE_DENSE);
    cr_assert_eq(r.footprints, 2, "small ring: %d footprints reach T", r.footprints);
    assert_pruning_changes_nothing(&e, &t, "small ring");
    env_close(&e, &t);
}

/* A worker keeps the shapes it measured for the townships after (load.c's
 * memo, by shape id). A shape id that comes back with other vertices (a
 * new footprint set, here each case's: other radii, other vertex counts)
 * is measured afresh; one with the same vertices (each case is run twice
 * in a row) is answered from the memo. Each case agrees with GEOS on the
 * scratch that saw the cases before, and bit for bit with a fresh one. */
Test(exact, shape_memo_answers_only_for_the_same_shape)
{
    struct env e;
    struct township t;
    env_open(&e);
    township_wkt(e.ctx, &t, "POLYGON((0 0,4000 100,3900 4000,100 3900,0 0))", 2000.5, 2000.5);
    for (int c = 0; c < 16; c++) {
        uint64_t st = 99 + (uint64_t)(c / 2);
        fps_clear(e.f);
        int nf = 30 + (int)(40 * fx_rnd(&st));
        for (int i = 0; i < nf; i++) {
            double x = -500 + 5000 * fx_rnd(&st), y = -500 + 5000 * fx_rnd(&st);
            if (fx_rnd(&st) < 0.5) {
                fps_lobes(e.f, x, y, 150 + 500 * fx_rnd(&st), 50 + 400 * fx_rnd(&st),
                          2 * M_PI * fx_rnd(&st));
                continue;
            }
            double rad[64], r0 = 200 + 600 * fx_rnd(&st);
            int n = 48 + (int)(16 * fx_rnd(&st));
            for (int j = 0; j < n; j++)
                rad[j] = r0;
            fps_station_star(e.f, x, y, n, rad, 0.3);
        }
        struct cov_result kept, fresh;
        cr_assert_eq(check(&e, &t, 1e-9, &kept), 0, "case %d: declined", c);
        struct covx_scratch *s = covx_scratch_new(e.ctx);
        long n = candidates(&t, &e.f->fp, e.ids);
        int rc = covx_township(s, &t, &e.f->fp, e.ids, n, &fresh);
        covx_scratch_free(&s);
        cr_assert_eq(rc, 0, "case %d: declined on a fresh scratch", c);
        cr_assert(memcmp(&kept.covered_m2, &fresh.covered_m2, sizeof(double)) == 0 &&
                      kept.footprints == fresh.footprints &&
                      kept.seat_covered == fresh.seat_covered,
                  "case %d: %.17g m2 after other cases, %.17g m2 fresh", c, kept.covered_m2,
                  fresh.covered_m2);
    }
    /* A shape that is the start of the one its id held before (48 of its
     * 64 vertices, a smaller sure disc): measured afresh, too. */
    for (int c = 0; c < 2; c++) {
        fps_clear(e.f);
        long i;
        int n = c == 0 ? 64 : 48;
        double *xy = fps_add(e.f, n, &i);
        for (int j = 0; j < n; j++) {
            xy[2 * j] = 2500 * cos(2 * M_PI * j / 64);
            xy[2 * j + 1] = 2500 * sin(2 * M_PI * j / 64);
        }
        e.f->cx[i] = 2000.25;
        e.f->cy[i] = 1999.75;
        fps_envelope(e.f, i);
        struct cov_result r;
        cr_assert_eq(check(&e, &t, 1e-9, &r), 0, "%d-gon: declined", n);
    }
    env_close(&e, &t);
}

/* Results depend only on the township and footprints: not on what the
 * scratch computed before (buffers are reused), nor on which scratch. */
Test(exact, results_do_not_depend_on_the_scratch_history)
{
    struct env e;
    struct township t = {0};
    struct cov_result first[20], again;
    env_open(&e);
    struct covx_scratch *other = covx_scratch_new(e.ctx);
    for (int c = 0; c < 20; c++) {
        random_case(&e, &t, 77 + (uint64_t)c);
        long n = candidates(&t, &e.f->fp, e.ids);
        int rc = covx_township(e.s, &t, &e.f->fp, e.ids, n, &first[c]);
        GEOSGeom_destroy_r(e.ctx, t.geom);
        cr_assert_eq(rc, 0, "case %d declined", c);
    }
    for (int c = 19; c >= 0; c--) {
        random_case(&e, &t, 77 + (uint64_t)c);
        long n = candidates(&t, &e.f->fp, e.ids);
        cr_assert_eq(covx_township(other, &t, &e.f->fp, e.ids, n, &again), 0);
        GEOSGeom_destroy_r(e.ctx, t.geom);
        cr_assert(memcmp(&again.covered_m2, &first[c].covered_m2, sizeof(double)) == 0 &&
                      again.footprints == first[c].footprints &&
                      again.seat_covered == first[c].seat_covered,
                  "case %d differs", c);
    }
    covx_scratch_free(&other);
    env_close(&e, NULL);
}

/* The decline rate on random inputs (no GEOS here, so many more cases):
 * random coordinates never meet exactly, so the engine should answer all. */
Test(exact, declines_are_rare_on_random_inputs)
{
    struct env e;
    struct township t = {0};
    struct cov_result r;
    env_open(&e);
    int declined = 0, cases = 1500;
    for (int c = 0; c < cases; c++) {
        random_case(&e, &t, 50000 + (uint64_t)c);
        long n = candidates(&t, &e.f->fp, e.ids);
        declined += covx_township(e.s, &t, &e.f->fp, e.ids, n, &r) != 0;
        GEOSGeom_destroy_r(e.ctx, t.geom);
    }
    cr_assert(declined * 1000 <= cases, "%d of %d random cases declined", declined, cases);
    env_close(&e, NULL);
}

/* Degenerate contacts the engine may decline; when it answers, the answer
 * must be GEOS's. */
/* Either way something is asserted: an answer must agree with GEOS; a
 * refusal must be the documented -1, repeat on the same input (the driver
 * relies on it being deterministic) and leave a case GEOS answers. */
static void decline_or_agree(struct env *e, const struct township *t, const char *what)
{
    struct cov_result r;
    long n = candidates(t, &e->f->fp, e->ids);
    cr_assert_gt(n, 0, "%s: no candidate footprint: the case tests nothing", what);
    int rc = covx_township(e->s, t, &e->f->fp, e->ids, n, &r);
    cr_assert(rc == 0 || rc == -1, "%s: covx_township returned %d", what, rc);
    if (rc == 0) {
        cr_assert_eq(check(e, t, 1e-9, &r), 0, "%s: answered once, declined the next time", what);
        return;
    }
    cr_assert_eq(covx_township(e->s, t, &e->f->fp, e->ids, n, &r), -1,
                 "%s: declined once, answered the next time", what);
    struct cov_result want;
    reference(e->ctx, t, &e->f->fp, e->ids, n, &want);
    cr_assert(want.covered_m2 > 0 && want.covered_m2 <= t->area_m2 * (1 + 1e-12),
              "%s: GEOS fallback gives %.3f m2 of %.3f", what, want.covered_m2, t->area_m2);
}

Test(exact, degenerate_inputs_decline_or_agree)
{
    struct env e;
    struct township t;
    env_open(&e);
    township_wkt(e.ctx, &t,
                 "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0),"
                 "(4000 4000,4000 6000,6000 6000,6000 4000,4000 4000))",
                 2000, 2000);
    /* Two stations on one mast, sectors pointing apart: stars about the
     * same point with equal radii in some directions (shared vertices and
     * edges). */
    double ra[72], rb[72];
    for (int j = 0; j < 72; j++) {
        ra[j] = j < 36 ? 1500 : 800;
        rb[j] = j < 18 || j >= 54 ? 800 : 1300;
    }
    fps_star(e.f, 2500.5, 2500.5, 72, ra, 0.0);
    fps_star(e.f, 2500.5, 2500.5, 72, rb, 0.0);
    decline_or_agree(&e, &t, "co-sited stars");
    /* A footprint vertex exactly on the hole's edge, and one at a corner. */
    fps_clear(e.f);
    const double on_hole[] = {4000, 5000, 3000, 5500, 3000, 4500};
    const double at_corner[] = {10000, 10000, 9000, 9500, 9500, 9000};
    fps_poly(e.f, on_hole, 3);
    fps_poly(e.f, at_corner, 3);
    decline_or_agree(&e, &t, "vertex on a township edge");
    /* Two footprints sharing part of an edge. */
    fps_clear(e.f);
    const double sq1[] = {1000, 1000, 2000, 1000, 2000, 2000, 1000, 2000};
    const double sq2[] = {2000, 1500, 3000, 1500, 3000, 2500, 2000, 2500};
    fps_poly(e.f, sq1, 4);
    fps_poly(e.f, sq2, 4);
    decline_or_agree(&e, &t, "footprints sharing an edge");
    env_close(&e, &t);
}

/* One scratch per thread, as the driver runs it: the results are the
 * serial ones, bit for bit, whatever thread computes which township. */
Test(exact, parallel_scratches_match_serial_results)
{
    struct env e;
    env_open(&e);
    uint64_t st = 99;
    for (int i = 0; i < 300; i++) {
        double x = 40000 * fx_rnd(&st), y = 40000 * fx_rnd(&st);
        fps_disc(e.f, x, y, 300 + 1200 * fx_rnd(&st), 64, 0.0);
    }
    enum { N = 16 };
    struct township t[N];
    struct cov_result serial[N], parallel[N];
    long n[N], *ids = calloc((size_t)N * MAXF, sizeof *ids);
    for (int k = 0; k < N; k++) {
        GEOSGeometry *ring = random_ring(e.ctx, &st, 5000 + 10000 * (k % 4), 5000 + 10000 * (k / 4),
                                         200, 3000, 5500, 0);
        township_set(e.ctx, &t[k], GEOSGeom_createPolygon_r(e.ctx, ring, NULL, 0),
                     5000 + 10000 * (k % 4), 5000 + 10000 * (k / 4));
        n[k] = candidates(&t[k], &e.f->fp, ids + (long)k * MAXF);
        cr_assert_eq(covx_township(e.s, &t[k], &e.f->fp, ids + (long)k * MAXF, n[k], &serial[k]),
                     0, "township %d declined", k);
    }
    int nthreads = 4, failed = 0;
    struct tc_error err;
    struct tc_workers *ws = tc_workers_new(nthreads, NULL, 0, &err);
    cr_assert_not_null(ws, "%s", err.msg);
    struct covx_scratch *sc[4];
    for (int i = 0; i < nthreads; i++) /* created serially, as the driver does */
        sc[i] = covx_scratch_new(ws->w[i].geos); /* each thread its own GEOS context */
    #pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1) reduction(+ : failed)
    for (int k = 0; k < N; k++)
        failed += covx_township(sc[omp_get_thread_num()], &t[k], &e.f->fp,
                                ids + (long)k * MAXF, n[k], &parallel[k]) != 0;
    cr_assert_eq(failed, 0);
    for (int k = 0; k < N; k++) {
        cr_assert(memcmp(&parallel[k].covered_m2, &serial[k].covered_m2, sizeof(double)) == 0 &&
                      parallel[k].footprints == serial[k].footprints &&
                      parallel[k].seat_covered == serial[k].seat_covered,
                  "township %d differs", k);
        GEOSGeom_destroy_r(e.ctx, t[k].geom);
    }
    for (int i = 0; i < nthreads; i++)
        covx_scratch_free(&sc[i]);
    tc_workers_free(&ws);
    free(ids);
    env_close(&e, NULL);
}
