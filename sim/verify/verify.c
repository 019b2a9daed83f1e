/* verify.c — invariants after each stage (see verify.h). */
#include "towncov/verify.h"

#include <math.h>

#include "towncov/coverage.h"
#include "towncov/map.h"
#include "towncov/sites.h"

static int broken(struct tc_error *err, const char *fmt, const struct township *t,
                  double a, double b)
{
    return tc_fail(err, TC_EXIT_INTERNAL, "internal error: invariant broken: township %s (%s): "
                   "%s (%.17g, %.17g)", t->code, t->name, fmt, a, b);
}

int verify_map(const struct tc_map *map, struct tc_error *err)
{
    double sum = 0;
    for (int i = 0; i < map->n; i++) {
        const struct township *t = &map->t[i];
        if (!(t->area_m2 > 0) || !isfinite(t->area_m2))
            return broken(err, "area is not a positive number", t, t->area_m2, 0);
        /* A seat the map gives may lie outside its polygon; one the loader
         * chose (a point on the surface) may not. */
        if (!t->seat_given && !(t->seat_x >= t->xmin && t->seat_x <= t->xmax &&
                                t->seat_y >= t->ymin && t->seat_y <= t->ymax))
            return broken(err, "computed seat outside the township's envelope", t, t->seat_x,
                          t->seat_y);
        sum += t->area_m2;
    }
    if (fabs(sum - map->total_area_m2) > VERIFY_AREA_REL * sum)
        return tc_fail(err, TC_EXIT_INTERNAL, "internal error: invariant broken: township areas "
                       "add up to %.17g m2, the map's is %.17g m2", sum, map->total_area_m2);
    return 0;
}

int verify_sites(const struct tc_map *map, const struct tc_sites *sites, int keep_outside,
                 struct tc_error *err)
{
    for (long i = 0; i < sites->n; i++) {
        int t = sites->township[i];
        char id[32];
        if (t < -1 || t >= map->n || (t == -1 && !keep_outside))
            return tc_fail(err, TC_EXIT_INTERNAL, "internal error: invariant broken: station %s "
                           "stands in no township (index %d of %d)",
                           sites_id(sites, i, id, sizeof id), t, map->n);
        if (t < 0)
            continue;
        const struct township *tw = &map->t[t];
        /* at the seat: to the 1 cm a generated station moves so that it
         * stands where its lon, lat project to (sites.h; about 1.5 mm) */
        int at_seat = fabs(sites->x[i] - tw->seat_x) <= 0.01 &&
                      fabs(sites->y[i] - tw->seat_y) <= 0.01;
        if (!at_seat && !(sites->x[i] >= tw->xmin && sites->x[i] <= tw->xmax &&
                          sites->y[i] >= tw->ymin && sites->y[i] <= tw->ymax))
            return tc_fail(err, TC_EXIT_INTERNAL, "internal error: invariant broken: station %s "
                           "is outside the envelope of township %s, its own",
                           sites_id(sites, i, id, sizeof id), tw->code);
    }
    return 0;
}

int verify_coverage(const struct tc_map *map, const struct tc_sites *sites,
                    const struct cov_result *results, struct tc_error *err)
{
    long counted = 0, standing = 0;
    for (int i = 0; i < map->n; i++) {
        const struct township *t = &map->t[i];
        const struct cov_result *r = &results[i];
        if (r->area_m2 != t->area_m2)
            return broken(err, "coverage area differs from the map's", t, r->area_m2, t->area_m2);
        if (!(r->covered_m2 >= 0) || r->covered_m2 > r->area_m2 * (1 + VERIFY_AREA_REL))
            return broken(err, "covered area outside [0, area]", t, r->covered_m2, r->area_m2);
        if (fabs(r->covered_frac - r->covered_m2 / r->area_m2) > 1e-15)
            return broken(err, "covered fraction is not covered / area", t, r->covered_frac,
                          r->covered_m2 / r->area_m2);
        counted += r->sites;
    }
    for (long i = 0; i < sites->n; i++)
        standing += sites->township[i] >= 0;
    if (counted != standing)
        return tc_fail(err, TC_EXIT_INTERNAL, "internal error: invariant broken: %ld stations "
                       "counted in townships, %ld stand in one", counted, standing);
    return 0;
}
