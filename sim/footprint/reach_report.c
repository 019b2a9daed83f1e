/* footprint/reach_report.c — how far the stations reach over the terrain,
 * direction by direction, against flat ground (`towncov link` with a DEM;
 * see footprints_print_reach in footprint.h). */
#include "footprint_internal.h"

#include <math.h>
#include <stdlib.h>

#include "towncov/map.h"
#include "towncov/sites.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *v, long n, double q)
{
    return n ? v[(long)fmin(n - 1, floor(q * n))] : NAN;
}

int footprints_print_reach(FILE *out, const struct tc_footprints *flat,
                           const struct tc_footprints *ter, const struct tc_map *map,
                           const struct tc_sites *sites)
{
    long total = 0;
    for (long i = 0; i < flat->n; i++)
        total += footprint_size(flat, i);
    double *reach = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
    double *ratio = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
    if (!reach || !ratio) {
        free(reach);
        free(ratio);
        return -1;
    }
    int w = fprintf(out, "\nReach over the terrain, per direction (angle_step_deg), against flat "
                         "ground\n%-12s %10s %9s %8s %8s %8s %8s %8s %11s\n", "kind",
                    "directions", "shortened", "p5 m", "p25 m", "median m", "p75 m", "p95 m",
                    "median/flat");
    for (int k = 0; k < KIND_COUNT && w >= 0; k++) {
        long n = 0, cut = 0;
        for (long i = 0; i < flat->n; i++) {
            int t = sites->township[i];
            if ((t >= 0 ? (int)map->t[t].kind : KIND_SPECIAL) != k)
                continue;
            for (long j = 0; j < footprint_size(flat, i); j++) {
                double fx, fy, tx, ty;
                footprint_vertex(flat, i, j, &fx, &fy);
                footprint_vertex(ter, i, j, &tx, &ty);
                double rf = hypot(fx - flat->cx[i], fy - flat->cy[i]);
                double rt = hypot(tx - ter->cx[i], ty - ter->cy[i]);
                reach[n] = rt;
                ratio[n++] = rf > 0 ? rt / rf : 1;
                cut += rt < rf - 1e-6;
            }
        }
        if (n == 0)
            continue;
        qsort(reach, (size_t)n, sizeof *reach, cmp_double);
        qsort(ratio, (size_t)n, sizeof *ratio, cmp_double);
        w = fprintf(out, "%-12s %10ld %8.1f%% %8.0f %8.0f %8.0f %8.0f %8.0f %11.3f\n",
                    tc_kind_name((enum tc_kind)k), n, 100.0 * cut / n, quantile(reach, n, 0.05),
                    quantile(reach, n, 0.25), quantile(reach, n, 0.5), quantile(reach, n, 0.75),
                    quantile(reach, n, 0.95), quantile(ratio, n, 0.5));
    }
    free(reach);
    free(ratio);
    return w < 0 ? -1 : 0;
}
