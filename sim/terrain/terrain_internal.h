/* terrain_internal.h — what the terrain stage's files share: the
 * Bullington pieces of P.526-15 §4.5 (p526.c) that the reach walk
 * (reach.c) bounds, and the DEM's layout (dem.c, sampler.c). Private to
 * sim/terrain/. */
#ifndef TOWNCOV_TERRAIN_INTERNAL_H
#define TOWNCOV_TERRAIN_INTERNAL_H

#include <math.h>
#include <proj.h>

#include "towncov/map_crs.h"
#include "towncov/terrain.h"

/* fmax without its NaN rule, which keeps GCC from inlining it in the
 * profile loops; no NaN reaches these (heights are filled first). */
static inline double tmax(double a, double b)
{
    return a > b ? a : b;
}

/* A loop whose only carried values are maxima (any order gives the same
 * bits): `omp simd` with those reductions, so that it vectorises. GCC only:
 * clang (the TSan and fuzz builds) cannot vectorise these loops and turns
 * the hint into an error under -Werror (-Wpass-failed); without it the
 * loops give the same bits. */
#if defined(_OPENMP) && !defined(__clang__)
#define TERRAIN_PRAGMA_(x) _Pragma(#x)
#define TERRAIN_SIMD_MAX(...) TERRAIN_PRAGMA_(omp simd reduction(max : __VA_ARGS__))
#define TERRAIN_SIMD_OR(...) TERRAIN_PRAGMA_(omp simd reduction(| : __VA_ARGS__))
#else
#define TERRAIN_SIMD_MAX(...)
#define TERRAIN_SIMD_OR(...)
#endif
/* Such a loop's function inlined into each of its callers, so that it is
 * compiled in every clone of theirs (TC_VEC_CLONES, vecmath.h). */
#if defined(__GNUC__)
#define TERRAIN_INLINE __attribute__((always_inline))
#else
#define TERRAIN_INLINE
#endif

/* §4.5.1: the Bullington loss from the knife-edge loss L_uc of the
 * Bullington point (or the highest point) over a path of dt metres:
 * L_uc + (1 - exp(-L_uc / 6)) (10 + 0.02 d[km]). Increasing in L_uc. */
static inline double terrain_bull_of_luc(double l_uc, double dt)
{
    return l_uc + (1 - exp(-l_uc / 6)) * (10 + 0.02 * (dt / 1000));
}

/* Bullington over the profile (h NULL: all heights 0); *los: case 1. */
double terrain_bullington(const double *d, const double *h, int n, double h_ts, double h_rs,
                          double a_e, double lam, int *los);

/* terrain_excess_db of a profile known to be well formed (d[0] = 0, then
 * increasing, n >= 2: terrain_profile_steps' distances), without the
 * check: the rasters ask it for every station-cell pair. */
double terrain_excess_steps_db(const double *d, const double *h, int n, double h_tx_m,
                               double h_rx_m, const struct terrain_params *p);

/* The smooth surface's heights at the ends (§4.5.2). */
void terrain_smooth_heights(const double *d, const double *h, int n, double h_ts, double h_rs,
                            double *h_st, double *h_sr);

/* The DEM window in memory, in the DEM's own grid and CRS. */
struct terrain_dem {
    int nx, ny;            /* window size, cells */
    float *z;              /* nx * ny heights, row-major from the top; NaN: nodata */
    double gt[6];          /* GDAL geotransform of the window (pixel corner) */
    char *dem_wkt;         /* the DEM's CRS */
    char metric_crs[512];  /* the map's metric CRS */
    int same_crs;          /* the DEM is in the map's metric CRS itself */
    double step_m;         /* cell size along the ground, m */
};

/* One thread's sampler: the local map from metric offsets to the DEM's
 * pixel coordinates (u, v), second order about the centre. */
struct terrain_sampler {
    const struct terrain_dem *dem;
    struct map_transform *t; /* metric CRS -> DEM CRS (x = easting / longitude) */
    struct terrain_frame f;  /* the current centre's */
};

#endif
