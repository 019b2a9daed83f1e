/* terrain.h — path loss over the ground between a station and a user:
 * the delta-Bullington diffraction method of ITU-R P.526-15 §4.5 over a
 * path profile, heights from any elevation model GDAL reads, and the reach
 * of a station along a direction over that ground.
 *
 * The scenario's path-loss models (TR 38.901, Hata) are fitted over average
 * ground with the earth's curvature in them, so what terrain adds to them
 * is the *terrain excess*: the Bullington loss of the real profile beyond
 * the Bullington loss of the smooth (least-squares) profile the same method
 * builds, never below zero. It is zero on a flat or evenly sloping profile
 * at any height (docs/terrain.md). */
#ifndef TOWNCOV_TERRAIN_H
#define TOWNCOV_TERRAIN_H

#include <stdint.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/terrain_config.h"

/* Terrain excess below this is zero: rounding between the real and the
 * smooth profile's arithmetic (1e-12 dB) must not move a footprint. */
#define TERRAIN_EXCESS_EPS_DB 1e-6

/* ---- the model along one profile (sim/terrain/p526.c) -------------------- */

/* The carrier and ground of one evaluation. */
struct terrain_params {
    double f_hz;          /* carrier frequency */
    double k_factor;      /* effective earth radius = k 6371 km */
    double eps_r, sigma;  /* ground: relative permittivity, conductivity S/m */
    int polarization;     /* enum terrain_polarization */
};

/* The params of cfg at frequency f_hz. */
struct terrain_params terrain_params_of(const struct terrain_config *cfg, double f_hz);

/* The terms of the delta-Bullington loss of one profile (dB, median). */
struct terrain_terms {
    double bull_actual_db; /* L_ba: Bullington over the real profile */
    double bull_smooth_db; /* L_bs: Bullington over the smooth profile (heights 0) */
    double sphere_db;      /* L_sph: spherical-earth diffraction (§3.2) */
    double diffraction_db; /* L_d = L_ba + max(L_sph - L_bs, 0) */
    double excess_db;      /* max(L_ba - L_bs, 0) (below TERRAIN_EXCESS_EPS_DB: 0) */
    double h_st_m, h_sr_m; /* smooth-earth surface at the two ends (amsl) */
    int los;               /* 1: the real path is line of sight (Bullington case 1) */
};

/* J(nu) of P.526-15 eq. (31): the knife-edge loss, 0 for nu <= -0.78. */
double terrain_knife_edge_db(double nu);

/* The spherical-earth diffraction loss of §3.2 (any distance, 10 MHz and
 * above) for path length d_m and antenna heights h1_m, h2_m above the
 * smooth earth. */
double terrain_sphere_db(double d_m, double h1_m, double h2_m, const struct terrain_params *p);

/* The delta-Bullington terms of the profile d_m[0..n-1] (metres from the
 * transmitter, increasing, d_m[0] = 0), h_m[] ground heights above sea
 * level, antennas h_tx_m and h_rx_m above the ground at the two ends.
 * Returns 0, or -1 when the profile is not usable (n < 2, distances not
 * increasing). */
int terrain_delta_bullington(const double *d_m, const double *h_m, int n, double h_tx_m,
                             double h_rx_m, const struct terrain_params *p,
                             struct terrain_terms *t);

/* The terrain excess alone (terms.excess_db of the call above, bit for
 * bit), without the spherical-earth term. */
double terrain_excess_db(const double *d_m, const double *h_m, int n, double h_tx_m,
                         double h_rx_m, const struct terrain_params *p);

/* ---- a profile file and the terms (sim/terrain/profile.c) --------------- */

/* Reads a CSV with columns distance_m,height_m (the first row at the
 * station, distance 0, increasing) into *d and *h (malloc'd, *n rows; the
 * caller frees both). Returns 0, or -1 with err naming the file and line
 * (exit 2: it is a command-line input). */
int terrain_profile_read(const char *path, double **d, double **h, int *n, struct tc_error *err);

/* Prints the model's path loss and the terms of t one per line, ending
 * with total_db = pathloss_db + terrain_excess_db. 0, or -1 when writing
 * failed. */
int terrain_print_terms(FILE *out, double pathloss_db, const struct terrain_terms *t);

/* ---- reach along one direction (sim/terrain/reach.c) --------------------- */

/* One direction of one station: the ground profile sampled at d[0] = 0,
 * d[k] = k step, ..., and d[n-1] = the flat-ground range (the last sample,
 * where the footprint without terrain ends), and the flat-ground link
 * margin there: margin_db[k] = RSRP - shadowing margin - threshold (>= 0:
 * covered on flat ground). */
struct terrain_ray {
    const double *d, *h, *margin_db;
    int n;
    double h_tx_m, h_rx_m;
    /* NULL, or called with k = 1, 2, ... in turn before sample k is read,
     * so that a caller fills h[k] and margin_db[k] only as far as the walk
     * goes (d, h[0] and margin_db[0] are filled beforehand). */
    void (*fill)(void *ctx, int k);
    void *ctx;
};

/* The distance where the received power first falls below the threshold
 * along the ray: the first sample whose terrain excess is above the flat
 * margin (a sample with no excess never stops it, so that flat ground
 * gives the flat range exactly), interpolated linearly from the last
 * sample that passed; d[n-1] when none fails. exhaustive = 1 evaluates
 * every sample (the brute force the tests compare with); 0 skips the
 * samples that a bound proves pass: the same result, bit for bit.
 * *evaluated (may be NULL) gets how many samples were evaluated. */
double terrain_reach(const struct terrain_ray *ray, const struct terrain_params *p,
                     int exhaustive, long *evaluated);

/* ---- the elevation model (sim/terrain/dem.c) ----------------------------- */

struct terrain_dem;

/* What reading a DEM for a map found missing, for the run's warning. */
struct terrain_missing_info {
    long samples, missing; /* heights asked for, and those on nodata or outside */
};

/* Opens cfg->dem (relative to base_dir) and reads, once, the window that
 * covers the box [xmin, xmax] x [ymin, ymax] of the map's metric CRS
 * (metric_crs, a PROJ string) into memory, in the DEM's own grid and CRS.
 * The window's size is checked against cfg->memory_mb and the machine's
 * memory before it is read (exit 6). Returns the handle (the caller frees
 * it with terrain_dem_free), or NULL with err set. Read-only afterwards;
 * samplers (below) give each thread its own PROJ objects. */
struct terrain_dem *terrain_dem_open(const struct terrain_config *cfg, const char *base_dir,
                                     const char *metric_crs, double xmin, double ymin,
                                     double xmax, double ymax, FILE *log,
                                     struct tc_error *err);
void terrain_dem_free(struct terrain_dem **dem);

/* The DEM's cell size in metres (along the map's metric CRS, at the
 * window's centre): the profiles' sampling step. */
double terrain_dem_step_m(const struct terrain_dem *dem);

/* One thread's access to a DEM: its own PROJ context and transformation. */
struct terrain_sampler;
struct terrain_sampler *terrain_sampler_new(const struct terrain_dem *dem, struct tc_error *err);
void terrain_sampler_free(struct terrain_sampler **s);

/* Prepares heights around (x, y) of the metric CRS within radius r_m: a
 * local second-order map from metric offsets to the DEM's grid (one PROJ
 * call per stencil point). Returns 0, or -1 where PROJ fails there. */
int terrain_sampler_centre(struct terrain_sampler *s, double x, double y, double r_m);

/* The local map of a centre, kept: heights about many stations read
 * later on any thread without PROJ (the rasters keep one per station). */
struct terrain_frame {
    double u0, v0; /* the centre's pixel coordinates */
    double J[4];   /* du/dx, du/dy, dv/dx, dv/dy */
    double Q[6];   /* u and v of the second derivatives xx, xy, yy */
};

/* terrain_sampler_centre's map into *f (s itself unchanged). */
int terrain_sampler_frame(const struct terrain_sampler *s, double x, double y, double r_m,
                          struct terrain_frame *f);

/* terrain_sampler_height from a kept frame (the same arithmetic). */
double terrain_frame_height(const struct terrain_dem *dem, const struct terrain_frame *f,
                            double dx, double dy, long *missing);

/* A profile's distances out to r: d[0] = 0, every step, and r itself
 * last (at most cap samples: then r comes early). Returns the count. The
 * footprints' rays and the rasters' cells are sampled alike. */
int terrain_profile_steps(double *d, double r, double step, int cap);

/* The terrain excess (dB) at offset (dx, dy) from a station whose frame
 * is f and whose ground is h0 (NaN: unknown, no excess): the profile
 * sampled by terrain_profile_steps every DEM cell, heights from f (a
 * missing one: the last known toward the station, *missing incremented),
 * as the footprints' walk samples its rays. 0 within one cell of the
 * station. d and h: scratch of cap doubles. */
double terrain_excess_at(const struct terrain_dem *dem, const struct terrain_frame *f, double h0,
                         double dx, double dy, double h_tx_m, double h_rx_m,
                         const struct terrain_params *p, double *d, double *h, int cap,
                         long *missing);

/* The bilinear height at offset (dx, dy) m from the centre (within the
 * DEM's outermost half cell: that cell's). Nodata (any of the four cells)
 * or outside the DEM: NaN, and *missing incremented; the caller decides
 * what to assume and says so ([terrain] missing). */
double terrain_sampler_height(const struct terrain_sampler *s, double dx, double dy,
                              long *missing);

/* ---- the [terrain] keys and the link report (sim/terrain/keys.c) --------- */

/* Reports what a run found missing: a "towncov: warning:" line on log
 * naming how much and what was assumed (returns 0), or, under [terrain]
 * missing = error, -1 with err set (exit 4, like any unusable input map). */
int terrain_report_missing(const struct terrain_config *cfg, const struct terrain_missing_info *m,
                           FILE *log, struct tc_error *err);

/* The same for the signal rasters: of `pairs` station-cell pairs over
 * terrain, `missing` took an assumed height. */
int terrain_report_raster_missing(const struct terrain_config *cfg, long pairs, long missing,
                                  FILE *log, struct tc_error *err);

/* ---- a synthetic DEM (sim/terrain/demgen.c, `towncov demgen`) ---------- */

struct terrain_demgen {
    const char *map;  /* any vector source OGR opens: its first layer's extent */
    const char *out;  /* the GeoTIFF written (replaced once whole) */
    double cell_m;    /* cell size, metres (on a lon/lat grid) */
    double relief_m;  /* heights 0 .. relief_m */
    double pad_m;     /* the extent widened by this on every side */
    uint64_t seed;
    int threads;
};

/* Writes a deterministic ridged fractal relief over o->map's extent (the
 * same options give the same file byte for byte, on any thread count) and
 * one line on log (may be NULL). Returns 0, or -1 with err: the map
 * unreadable (exit 4), the grid too large for memory (6), the file not
 * written (7). GDAL's drivers must be registered. */
int terrain_demgen(const struct terrain_demgen *o, FILE *log, struct tc_error *err);

#endif
