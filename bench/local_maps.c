/* local_maps.c — what one station's local map costs on the country
 * benchmark's map (bench/synthetic-40k.ini: its metric CRS, stations
 * spread over its lon/lat box, the 1500 m 64-vertex disc): the full fit
 * (projection_local_map: PROJ's inverse, proj_factors, six geod_direct and
 * forward projections), and the path the footprint stage takes
 * (local_map_without_fit, the fit only where the bound does not hold);
 * each rounded and applied to the disc. One thread, CPU time per station,
 * how many skipped the fit, and whether the two gave the same bits
 * (a hash of every vertex's bits).
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -c bench/local_maps.c -o /tmp/lm.o
 *   cc /tmp/lm.o build/obj/footprint/local_bound.o build/obj/map/projection.o \
 *      build/obj/common/common.o \
 *      -o /tmp/local_maps -lproj -lm
 *   /tmp/local_maps 200000 */
#include <math.h>
#include <proj.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../sim/footprint/footprint_internal.h"
#include "towncov/projection.h"

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A running hash of every bit of a shape's vertices. */
static uint64_t bits(uint64_t h, const double *xy)
{
    for (int k = 0; k < 128; k++) {
        uint64_t u;
        memcpy(&u, &xy[k], sizeof u);
        h = (h ^ u) * 0x100000001B3ull + 0x9E3779B97F4A7C15ull;
    }
    return h;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    const char *crs = "+proj=laea +lat_0=29.637390 +lon_0=104.558771 +x_0=0 +y_0=0 "
                      "+a=6378137.0000 +rf=298.257223563 +units=m +no_defs +type=crs";
    struct projection_local l;
    if (n < 1 || projection_local_init(&l, crs) != 0) {
        fprintf(stderr, "usage: local_maps [STATIONS]\n");
        return 2;
    }
    struct local_bound b;
    local_bound_init(&b, &l);
    double *x = malloc(sizeof *x * (size_t)n), *y = malloc(sizeof *y * (size_t)n);
    if (!x || !y)
        return 1;
    srand(1);
    for (long i = 0; i < n; i++) {
        double lon = 92.15 + (116.97 - 92.15) * rand() / RAND_MAX;
        double lat = 19.71 + (39.56 - 19.71) * rand() / RAND_MAX;
        PJ_COORD c = proj_trans(l.geo, PJ_FWD, proj_coord(lon, lat, 0, 0));
        x[i] = c.xy.x, y[i] = c.xy.y;
    }
    double src[128], d = 1500;
    for (int k = 0; k < 64; k++) {
        src[2 * k] = d * cos(2 * M_PI * k / 64);
        src[2 * k + 1] = d * sin(2 * M_PI * k / 64);
    }
    struct projection_map m;
    double out[128];
    uint64_t sum_full = 0, sum_fast = 0;
    double t0 = cpu();
    for (long i = 0; i < n; i++) {
        projection_local_map(&l, x[i], y[i], d, &m);
        projection_map_round(&m, d);
        for (int k = 0; k < 64; k++)
            projection_map_apply(&m, src[2 * k], src[2 * k + 1], &out[2 * k], &out[2 * k + 1]);
        sum_full = bits(sum_full, out);
    }
    double t1 = cpu();
    long skipped = 0;
    for (long i = 0; i < n; i++) {
        if (local_map_without_fit(&l, &b, x[i], y[i], d, src, 64, &m))
            skipped++;
        else {
            projection_local_map(&l, x[i], y[i], d, &m);
            projection_map_round(&m, d);
        }
        for (int k = 0; k < 64; k++)
            projection_map_apply(&m, src[2 * k], src[2 * k + 1], &out[2 * k], &out[2 * k + 1]);
        sum_fast = bits(sum_fast, out);
    }
    double t2 = cpu();
    int same = sum_full == sum_fast;
    printf("%ld stations: full fit %.3f us a station, with the bound %.3f us (%ld skipped the "
           "fit); vertices %s\n",
           n, 1e6 * (t1 - t0) / n, 1e6 * (t2 - t1) / n, skipped, same ? "identical" : "DIFFER");
    projection_local_free(&l);
    free(x), free(y);
    return same ? 0 : 1;
}
