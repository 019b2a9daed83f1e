/* population.c — the people a coverage reaches (population.h): exact,
 * with density uniform per zone, from the covered areas the engine already
 * computed (the township's and its seat area's). */
#include "towncov/population.h"

#include "towncov/coverage.h"
#include "towncov/map.h"
#include "towncov/seat.h"

/* ---- people covered ------------------------------------------------------*/
void population_cover(const struct tc_map *map, const struct tc_seat_areas *seats,
                      struct cov_result *results)
{
    for (int i = 0; i < map->n; i++) {
        struct cov_result *r = &results[i];
        r->population = r->population_covered = r->population_covered_frac = 0;
        if (!map->has_population)
            continue;
        const struct township *t = &map->t[i];
        double b = t->builtup_m2, rural = t->area_m2 - b;
        int whole = t->kind == KIND_SUBDISTRICT || seats->whole[i];
        double cb = whole ? r->covered_m2 : r->seat_covered_m2;
        double cr = r->covered_m2 - cb;
        /* The seat area lies in the township: its covered part is within
         * the township's up to the engine's rounding (verify.c checks
         * covered <= area); the difference is kept within 0..rural. */
        cr = cr < 0 ? 0 : cr > rural ? rural : cr;
        double people = 0;
        if (b > 0)
            people += (double)t->pop_builtup * (cb < b ? cb : b) / b;
        if (rural > 0)
            people += (double)(t->population - t->pop_builtup) * cr / rural;
        r->population = (double)t->population;
        r->population_covered = people;
        r->population_covered_frac = t->population > 0 ? people / (double)t->population : 0;
    }
}
