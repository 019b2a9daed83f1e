/* candidates.c — where the planner may add stations: a sites CSV, or a
 * hexagonal lattice over the failing townships' seat areas plus their
 * seats (see plan.h). */
#include <math.h>
#include <stdlib.h>

#include <geos_c.h>

#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/radio.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

#include "plan_internal.h"

double plan_default_spacing(const struct tc_map *map, const struct goal_verdict *v,
                            const struct radio_model *radio)
{
    int maxv = radio_footprint_max_vertices(radio_model_config(radio));
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv);
    double best = INFINITY;
    int seen[KIND_COUNT] = {0};
    for (int k = 0; xy && k < v->n_failing; k++) {
        enum tc_kind kind = map->t[v->failing[k]].kind;
        if (seen[kind]++)
            continue;
        struct radio_range_info info;
        if (radio_footprint(radio, kind, NULL, xy, maxv, &info) > 0 && info.min_range_m > 0)
            best = fmin(best, info.min_range_m);
    }
    free(xy);
    return isfinite(best) ? best : 0;
}

/* Growable points. */
struct points {
    double *x, *y;
    int *t;
    long n, cap;
};

static int points_add(struct points *p, double x, double y, int t)
{
    if (p->n == p->cap) {
        long cap = 2 * p->cap + 256;
        if (tc_resize((void **)&p->x, (size_t)cap, sizeof *p->x) ||
            tc_resize((void **)&p->y, (size_t)cap, sizeof *p->y) ||
            tc_resize((void **)&p->t, (size_t)cap, sizeof *p->t))
            return -1;
        p->cap = cap;
    }
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->t[p->n++] = t;
    return 0;
}

/* Lattice points inside township t's seat area, then its seat. The
 * lattice is anchored at the map's corner, so a point does not depend on
 * which townships fail. */
static int lattice_in_seat(GEOSContextHandle_t ctx, const struct tc_map *map,
                           const struct tc_seat_areas *seats, int t, double s,
                           struct points *pts)
{
    const double *e = seats->envelope[t];
    double dy = s * sqrt(3.0) / 2;
    const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, seats->geom[t]);
    if (!prep)
        return -1;
    int rc = 0;
    long r0 = (long)floor((e[1] - map->ymin) / dy), r1 = (long)ceil((e[3] - map->ymin) / dy);
    for (long r = r0; r <= r1 && rc == 0; r++) {
        double y = map->ymin + (double)r * dy, off = (r & 1) ? s / 2 : 0;
        long c0 = (long)floor((e[0] - map->xmin - off) / s);
        long c1 = (long)ceil((e[2] - map->xmin - off) / s);
        for (long c = c0; c <= c1 && rc == 0; c++) {
            double x = map->xmin + off + (double)c * s;
            if (x < e[0] || x > e[2] || y < e[1] || y > e[3])
                continue;
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
            char inside = pt ? GEOSPreparedContainsProperly_r(ctx, prep, pt) : 2;
            if (pt)
                GEOSGeom_destroy_r(ctx, pt);
            if (inside == 2)
                rc = -1; /* GEOS failed: out of memory */
            else if (inside == 1)
                rc = points_add(pts, x, y, t);
        }
    }
    GEOSPreparedGeom_destroy_r(ctx, prep);
    return rc == 0 ? points_add(pts, map->t[t].seat_x, map->t[t].seat_y, t) : -1;
}

static struct tc_sites *lattice(const struct tc_map *map, const struct tc_seat_areas *seats,
                                const struct goal_verdict *v, double spacing,
                                struct tc_error *err)
{
    struct points pts = {0};
    GEOSContextHandle_t ctx = GEOS_init_r();
    int rc = ctx ? 0 : -1;
    for (int k = 0; k < v->n_failing && rc == 0; k++) {
        int t = v->failing[k];
        if (seats->area_m2[t] > 0)
            rc = lattice_in_seat(ctx, map, seats, t, spacing, &pts);
    }
    if (ctx)
        GEOS_finish_r(ctx);
    struct tc_sites *s = NULL;
    if (rc != 0)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the candidate lattice");
    else if (pts.n == 0)
        tc_fail(err, TC_EXIT_INTERNAL, "no candidate place in the failing townships");
    else
        s = sites_from_points(map, pts.x, pts.y, pts.t, pts.n, err);
    free(pts.x);
    free(pts.y);
    free(pts.t);
    return s;
}

struct tc_sites *plan_candidates(const struct tc_map *map, const struct tc_seat_areas *seats,
                                 const struct goal_verdict *v, const char *csv, double spacing,
                                 FILE *warn, struct tc_error *err)
{
    if (!csv)
        return lattice(map, seats, v, spacing, err);
    struct tc_sites *s = sites_read_located(csv, map, warn, err);
    if (s && s->n == 0) {
        tc_fail(err, TC_EXIT_SITES, "%s: no candidate inside a township", csv);
        sites_free(&s);
    }
    return s;
}
