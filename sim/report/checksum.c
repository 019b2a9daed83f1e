/* checksum.c — the run's verification hash (see report.h). */
#include "towncov/report.h"

#include <math.h>

#include "towncov/coverage.h"
#include "towncov/map.h"

unsigned long long report_checksum(const struct tc_map *map, const struct cov_result *results)
{
    unsigned long long h = 1469598103934665603ULL;
    for (int t = 0; t < map->n; t++) {
        /* Every figure the goal judges: the township's and its seat
         * area's covered areas, the seat, the key points. */
        const struct cov_result *r = &results[t];
        long long q[7] = {llround(r->covered_m2 * 1e3), llround(r->area_m2 * 1e3),
                          r->seat_covered, llround(r->seat_area_m2 * 1e3),
                          llround(r->seat_covered_m2 * 1e3), r->key_points,
                          r->key_points_covered};
        const unsigned char *b = (const unsigned char *)q;
        for (size_t k = 0; k < sizeof q; k++)
            h = (h ^ b[k]) * 1099511628211ULL;
        if (!map->has_population)
            continue; /* runs without people keep the checksums they always had */
        long long p = llround(results[t].population_covered * 1e3);
        b = (const unsigned char *)&p;
        for (size_t k = 0; k < sizeof p; k++)
            h = (h ^ b[k]) * 1099511628211ULL;
    }
    return h;
}
