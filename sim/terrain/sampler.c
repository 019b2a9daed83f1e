/* terrain/sampler.c — heights at offsets from a station, for one thread
 * (see terrain.h). A profile is a straight line in the map's metric CRS;
 * rather than one PROJ call per sample, each station gets a second-order
 * map from metric offsets to the DEM's pixel coordinates, fitted to nine
 * exact PROJ placements (the map stage's transformation, map_crs.h) at +-r about it (central differences): within the
 * reach r its error is of third order in r over the CRSs' scale of
 * curvature (earth radius), a small fraction of a cell at a station's few
 * km (tests/test_terrain_run.c runs the same relief as a DEM in another
 * CRS and in the map's and compares the coverage). */
#include "terrain_internal.h"

#include <limits.h>
#include <stdlib.h>

#include "towncov/vecmath.h"


struct terrain_sampler *terrain_sampler_new(const struct terrain_dem *dem, struct tc_error *err)
{
    struct terrain_sampler *s = calloc(1, sizeof *s);
    if (s)
        s->t = map_transform_between(dem->metric_crs, dem->dem_wkt);
    if (!s || !s->t) {
        terrain_sampler_free(&s);
        tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot take the map's CRS to the DEM's");
        return NULL;
    }
    s->dem = dem;
    return s;
}

void terrain_sampler_free(struct terrain_sampler **ps)
{
    struct terrain_sampler *s = *ps;
    if (!s)
        return;
    map_transform_free(&s->t);
    free(s);
    *ps = NULL;
}

/* Pixel coordinates (of the window) of metric point (x, y). */
static int pixel_of(const struct terrain_sampler *s, double x, double y, double uv[2])
{
    PJ_COORD c = proj_trans(map_transform_pj(s->t), PJ_FWD, proj_coord(x, y, 0, 0));
    const double *g = s->dem->gt;
    double det = g[1] * g[5] - g[2] * g[4];
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || det == 0)
        return -1;
    double ex = c.xy.x - g[0], ey = c.xy.y - g[3];
    uv[0] = (g[5] * ex - g[2] * ey) / det;
    uv[1] = (-g[4] * ex + g[1] * ey) / det;
    return 0;
}

int terrain_sampler_frame(const struct terrain_sampler *s, double x, double y, double r,
                          struct terrain_frame *f)
{
    r = fmax(r, 100);
    double p[3][3][2]; /* p[i][j]: at (x + (i-1) r, y + (j-1) r) */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (pixel_of(s, x + (i - 1) * r, y + (j - 1) * r, p[i][j]) != 0)
                return -1;
    for (int c = 0; c < 2; c++) {
        double f0 = p[1][1][c];
        f->J[2 * c] = (p[2][1][c] - p[0][1][c]) / (2 * r);
        f->J[2 * c + 1] = (p[1][2][c] - p[1][0][c]) / (2 * r);
        f->Q[c] = (p[2][1][c] - 2 * f0 + p[0][1][c]) / (r * r);
        f->Q[2 + c] = (p[2][2][c] - p[2][0][c] - p[0][2][c] + p[0][0][c]) / (4 * r * r);
        f->Q[4 + c] = (p[1][2][c] - 2 * f0 + p[1][0][c]) / (r * r);
    }
    f->u0 = p[1][1][0];
    f->v0 = p[1][1][1];
    return 0;
}

int terrain_sampler_centre(struct terrain_sampler *s, double x, double y, double r)
{
    return terrain_sampler_frame(s, x, y, r, &s->f);
}

double terrain_frame_height(const struct terrain_dem *d, const struct terrain_frame *f,
                            double dx, double dy, long *missing)
{
    double xx = 0.5 * dx * dx, xy = dx * dy, yy = 0.5 * dy * dy;
    double u = f->u0 + f->J[0] * dx + f->J[1] * dy + f->Q[0] * xx + f->Q[2] * xy + f->Q[4] * yy;
    double v = f->v0 + f->J[2] * dx + f->J[3] * dy + f->Q[1] * xx + f->Q[3] * xy + f->Q[5] * yy;
    /* Bilinear between the four cell centres around (u, v). */
    double fu = u - 0.5, fv = v - 0.5;
    double iu = floor(fu), iv = floor(fv);
    if (!(iu >= 0 && iv >= 0 && iu + 1 < d->nx && iv + 1 < d->ny)) {
        /* the outermost half cell: the nearest cell alone */
        long cu = (long)floor(u), cv = (long)floor(v);
        if (cu >= 0 && cv >= 0 && cu < d->nx && cv < d->ny && !isnan(d->z[cv * d->nx + cu]))
            return d->z[cv * d->nx + cu];
        (*missing)++;
        return NAN;
    }
    long i = (long)iv * d->nx + (long)iu;
    double tu = fu - iu, tv = fv - iv;
    double z00 = d->z[i], z10 = d->z[i + 1], z01 = d->z[i + d->nx], z11 = d->z[i + d->nx + 1];
    double z = (1 - tv) * ((1 - tu) * z00 + tu * z10) + tv * ((1 - tu) * z01 + tu * z11);
    if (isnan(z))
        (*missing)++;
    return z;
}

double terrain_sampler_height(const struct terrain_sampler *s, double dx, double dy,
                              long *missing)
{
    return terrain_frame_height(s->dem, &s->f, dx, dy, missing);
}

/* terrain_profile_steps, inlined into the rasters' profile (each of its
 * vector clones fills d in vectors). */
static inline TERRAIN_INLINE int profile_steps(double *d, double r, double step, int cap)
{
    /* The last sample m is the first n >= 1 with n step >= r - 1e-6 step
     * (or n + 1 >= cap), where r itself stands: found from the quotient,
     * then settled by that very test, so that every distance is n step
     * exactly as a walk from 0 would make it. */
    double lim = r - 1e-6 * step, q = ceil(lim / step);
    int m = q < 1 ? 1 : q > cap - 1 ? cap - 1 : (int)q;
    while (m > 1 && (m - 1) * step >= lim)
        m--;
    while (m + 1 < cap && m * step < lim)
        m++;
    for (int k = 0; k < m; k++)
        d[k] = k * step;
    d[m] = r;
    return m + 1;
}

int terrain_profile_steps(double *d, double r, double step, int cap)
{
    return profile_steps(d, r, step, cap);
}

/* The heights of samples 1 .. n-1 along unit (ux, uy) into h, as
 * terrain_frame_height gives them (the same arithmetic, term for term).
 * Two loops per block of samples: the first, vectorised, places each
 * sample (its bilinear cell and weights); the second, which GCC 12 leaves
 * scalar, reads the four corners of each cell and interpolates (the same
 * bits vectorised or not). Read inside the vector loop, the corners were
 * four emulated gathers (on AVX-512 an extract and an insert per lane per
 * corner), dearer than the second loop's plain loads: a station-cell pair
 * alone costs 14 % less from memory, 5 % from cache (bench/terrain_pairs.c,
 * same sum of excesses; bench/results/2026-12-07-terrain5-s10.md).
 * The loops run on to np >= n (d[n .. np-1] set by the caller, their
 * heights unused) so that the first one's trip count is whole vectors: a
 * profile has ~30 samples, and the scalar remainder GCC 12 leaves after an
 * 8-lane loop cost as much as the vectors. Returns 0, or -1 where one of
 * samples 1 .. n-1 falls outside the bilinear cells or on nodata: then h is
 * not whole, and the caller takes the slow path, which says what is
 * missing and fills it. */
#define RAY_BLOCK 64
static inline TERRAIN_INLINE int ray_heights(const struct terrain_dem *dem,
                                             const struct terrain_frame *f, double ux,
                                             double uy, const double *d, double *h, int n,
                                             int np)
{
    const float *z = dem->z;
    int nx = dem->nx;
    double umax = nx - 2, vmax = dem->ny - 2; /* the last bilinear cells' corners */
    if ((long)nx * dem->ny >= INT_MAX)
        return -1; /* cell numbers past int: the slow path's long arithmetic */
    double u0 = f->u0, v0 = f->v0, j0 = f->J[0], j1 = f->J[1], j2 = f->J[2], j3 = f->J[3];
    double q0 = f->Q[0], q1 = f->Q[1], q2 = f->Q[2], q3 = f->Q[3], q4 = f->Q[4], q5 = f->Q[5];
    int cell[RAY_BLOCK];
    double wu[RAY_BLOCK], wv[RAY_BLOCK];
    for (int k0 = 1; k0 < np; k0 += RAY_BLOCK) {
        int m = np - k0 < RAY_BLOCK ? np - k0 : RAY_BLOCK;
        const double *dk = d + k0;
        /* Outside, a sample reads clamped cells and its weight tv is NaN,
         * which makes its height NaN; selects only (GCC 12 vectorises
         * neither fmin nor a reduction here). */
        TC_SIMD
        for (int j = 0; j < m; j++) {
            double dx = dk[j] * ux, dy = dk[j] * uy;
            double xx = 0.5 * dx * dx, xy = dx * dy, yy = 0.5 * dy * dy;
            double u = u0 + j0 * dx + j1 * dy + q0 * xx + q2 * xy + q4 * yy;
            double v = v0 + j2 * dx + j3 * dy + q1 * xx + q3 * xy + q5 * yy;
            double fu = u - 0.5, fv = v - 0.5, iu = floor(fu), iv = floor(fv);
            double cu = iu < 0 ? 0 : iu > umax ? umax : iu;
            double cv = iv < 0 ? 0 : iv > vmax ? vmax : iv;
            cell[j] = (int)cv * nx + (int)cu;
            wu[j] = fu - iu;
            wv[j] = ((cu == iu) & (cv == iv)) ? fv - iv : NAN;
        }
        double *hk = h + k0;
        for (int j = 0; j < m; j++) {
            const float *c = z + cell[j];
            double tu = wu[j], tv = wv[j];
            double z00 = c[0], z10 = c[1], z01 = c[nx], z11 = c[nx + 1];
            hk[j] = (1 - tv) * ((1 - tu) * z00 + tu * z10) + tv * ((1 - tu) * z01 + tu * z11);
        }
    }
    for (int k = 1; k < n; k++)
        if (isnan(h[k]))
            return -1;
    return 0;
}

TC_VEC_CLONES
double terrain_excess_at(const struct terrain_dem *dem, const struct terrain_frame *f, double h0,
                         double dx, double dy, double h_tx_m, double h_rx_m,
                         const struct terrain_params *p, double *d, double *h, int cap,
                         long *missing)
{
    double r = sqrt(dx * dx + dy * dy), ux = dx / r, uy = dy / r; /* metres: no overflow */
    if (!(r > terrain_dem_step_m(dem)) || isnan(h0))
        return 0; /* within a cell of the mast, or on unknown ground: flat */
    int n = profile_steps(d, r, terrain_dem_step_m(dem), cap);
    /* Whole vectors of 8 past sample 0, as far as cap allows; the extra
     * samples sit on the last one (in the DEM wherever it is). */
    int np = 1 + ((n - 1 + 7) & ~7);
    np = np < cap ? np : cap;
    for (int k = n; k < np; k++)
        d[k] = r;
    h[0] = h0;
    if (ray_heights(dem, f, ux, uy, d, h, n, np) != 0) {
        for (int k = 1; k < n; k++) {
            double z = terrain_frame_height(dem, f, d[k] * ux, d[k] * uy, missing);
            h[k] = isnan(z) ? h[k - 1] : z;
        }
    }
    return terrain_excess_steps_db(d, h, n, h_tx_m, h_rx_m, p);
}
