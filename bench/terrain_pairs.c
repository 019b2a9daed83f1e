/* terrain_pairs.c — what one station-cell pair of the rasters over terrain
 * costs by itself: terrain_excess_at (heights gathered along the profile,
 * then the delta-Bullington excess) for every cell of a 500 m grid within
 * 2 km of N stations spread over Jiangxi's 90 m DEM (bench/terrain.sh
 * makes it), REPS times over, on one thread; CPU time per pair, and the
 * sum of the excesses (the same bits from any build that keeps the
 * results). Few stations many times over: their DEM windows stay in cache
 * ("hot"); many stations once or twice: each window comes from memory
 * ("cold"). Link it with the objects of a build (build/, or another
 * checkout's) to compare builds:
 *   cc -O2 -std=c11 -Iinclude -I/usr/include/gdal -c bench/terrain_pairs.c -o /tmp/tp.o
 *   cc -fopenmp /tmp/tp.o build/obj/terrain/{dem,sampler,p526}.o build/obj/map/transform.o \
 *      build/obj/common/common.o -o /tmp/terrain_pairs -lgdal -lproj -lm
 *   /tmp/terrain_pairs bench/dem/jiangxi-90m.tif 20 800     # hot
 *   /tmp/terrain_pairs bench/dem/jiangxi-90m.tif 8000 2     # cold */
#define _GNU_SOURCE
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "towncov/terrain.h"

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: terrain_pairs DEM [STATIONS [REPS]]\n");
        return 2;
    }
    GDALAllRegister();
    /* the default scenario's metric CRS (summary.json's metric_crs) */
    const char *crs = "+proj=laea +lat_0=27.282227 +lon_0=116.033203 +x_0=0 +y_0=0 "
                      "+a=6378137.0000 +rf=298.257223563 +units=m +no_defs +type=crs";
    struct terrain_config cfg = {.model = TERRAIN_DELTA_BULLINGTON, .memory_mb = 1000,
                                 .k_factor = 4.0 / 3, .ground_eps_r = 15, .ground_sigma = 0.005};
    snprintf(cfg.dem, sizeof cfg.dem, "%s", argv[1]);
    struct tc_error err = {0};
    struct terrain_dem *dem = terrain_dem_open(&cfg, NULL, crs, -150000, -150000, 150000, 150000,
                                               NULL, &err);
    struct terrain_sampler *s = dem ? terrain_sampler_new(dem, &err) : NULL;
    if (!s) {
        fprintf(stderr, "terrain_pairs: %s\n", err.msg);
        return 1;
    }
    int ns = argc > 2 ? atoi(argv[2]) : 4000, reps = argc > 3 ? atoi(argv[3]) : 3;
    struct terrain_params p = terrain_params_of(&cfg, 3.5e9);
    enum { CAP = 4000 };
    static double d[CAP], h[CAP];
    struct terrain_frame *fr = malloc(sizeof *fr * (size_t)ns);
    double *h0 = malloc(sizeof *h0 * (size_t)ns);
    srand(7);
    for (int i = 0; i < ns; i++) {
        double x = (rand() / (double)RAND_MAX - 0.5) * 250000;
        double y = (rand() / (double)RAND_MAX - 0.5) * 250000;
        long m = 0;
        if (terrain_sampler_frame(s, x, y, 2000, &fr[i]) != 0)
            return 1;
        h0[i] = terrain_frame_height(dem, &fr[i], 0, 0, &m);
    }
    double sum = 0;
    long miss = 0, pairs = 0;
    double t0 = cpu();
    for (int rep = 0; rep < reps; rep++)
        for (int i = 0; i < ns; i++)
            for (double dy = -2000 + 137; dy < 2000; dy += 500)
                for (double dx = -2000 + 61; dx < 2000; dx += 500) {
                    if (dx * dx + dy * dy > 4.0e6)
                        continue;
                    sum += terrain_excess_at(dem, &fr[i], h0[i], dx, dy, 30, 1.5, &p, d, h, CAP,
                                             &miss);
                    pairs++;
                }
    double t1 = cpu();
    printf("pairs %ld missing %ld sum %.17g cpu %.3f s %.1f ns/pair\n", pairs, miss, sum, t1 - t0,
           1e9 * (t1 - t0) / (double)pairs);
    free(fr);
    free(h0);
    terrain_sampler_free(&s);
    terrain_dem_free(&dem);
    return 0;
}
