/* raster/terrain.c — the signal rasters over the ground (see
 * raster_internal.h): with [terrain] model = delta-bullington every
 * station's value at a cell loses the terrain excess of the profile from
 * the station to the cell's centre, the model and the sampler of the
 * footprints (terrain_excess_at: the same local map from the station's
 * frame, the same samples every DEM cell, the same rule for a missing
 * height).
 *
 * Why a frame per station, kept: a station reaches cells on many rows,
 * computed on any thread; its local map (nine PROJ calls, centred as the
 * footprint walk centres it: on the station, over its flat footprint's
 * longest vertex) is made once, in parallel, and read from then on.
 *
 * Which stations a cell sees does not change: the reach of each is its
 * flat footprint's (a far slope lit again beyond a first shadow shows in
 * the rasters, which the star-shaped footprints drop), so that flat or
 * evenly sloping ground, where the excess is zero, gives the rasters of
 * model = none bit for bit. */
#include "raster_internal.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "towncov/footprint.h"
#include "towncov/radio.h"
#include "towncov/terrain.h"

void rterrain_free(struct rterrain *t)
{
    free(t->st);
    t->st = NULL;
    t->dem = NULL;
}

/* Station i's frame and ground, as footprints_over_terrain makes them. */
static int station_frame(struct rterrain *t, struct terrain_sampler *smp,
                         const struct tc_footprints *flat, long i)
{
    long nv = footprint_size(flat, i);
    const double *v = flat->sxy + 2 * flat->shape_off[flat->shape[i]];
    double rmax = 0;
    for (long k = 0; k < nv; k++)
        rmax = fmax(rmax, hypot(v[2 * k], v[2 * k + 1]));
    struct rter_station *st = &t->st[i];
    if (terrain_sampler_frame(smp, flat->cx[i], flat->cy[i], rmax, &st->frame) != 0)
        return -1;
    long miss = 0;
    st->h0 = terrain_frame_height(t->dem, &st->frame, 0, 0, &miss);
    return 0;
}

int rterrain_build(struct rterrain *t, const struct rstations *s, const struct tc_footprints *flat,
                   const struct terrain_dem *dem, const struct terrain_config *cfg, double h_ut_m,
                   double max_range_m, int threads, struct tc_error *err)
{
    long n = s->n > 0 ? s->n : 1;
    t->dem = dem;
    t->h_ut_m = h_ut_m;
    t->cap = (int)fmin(max_range_m / terrain_dem_step_m(dem) + 3, 1 << 20);
    t->st = malloc((size_t)n * sizeof *t->st);
    struct terrain_sampler **smp = calloc((size_t)threads, sizeof *smp);
    int rc = 0;
    if (!t->st || !smp)
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster terrain)");
    for (int w = 0; rc == 0 && w < threads; w++)
        if (!(smp[w] = terrain_sampler_new(dem, err)))
            rc = -1;
    long failed = LONG_MAX; /* the first station that fails, whatever the threads */
    if (rc == 0) {
        /* Owner computes: station i's frame, ground and parameters. */
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 256) reduction(min : failed)
        for (long i = 0; i < s->n; i++) {
            t->st[i].p = terrain_params_of(cfg, radio_rx_freq_hz(s->rx[i]));
            if (station_frame(t, smp[omp_get_thread_num()], flat, i) != 0)
                failed = failed < i ? failed : i;
        }
    }
    for (int w = 0; smp && w < threads; w++)
        terrain_sampler_free(&smp[w]);
    free(smp);
    if (rc == 0 && failed < LONG_MAX)
        rc = tc_fail(err, TC_EXIT_INTERNAL, "station %ld: PROJ cannot place its profiles on "
                     "the DEM", failed + 1);
    return rc;
}

int rrow_terrain_new(struct rrow *w, int cap)
{
    w->tcap = cap;
    w->td = malloc((size_t)cap * sizeof *w->td);
    w->th = malloc((size_t)cap * sizeof *w->th);
    return !w->td || !w->th ? -1 : 0;
}

void rterrain_span(const struct rstations *s, struct rrow *w, long id, double dy, int c0, int n)
{
    const struct rterrain *t = &s->ter;
    const struct radio_rx *rx = s->rx[id];
    const struct rter_station *st = &t->st[id];
    double x = s->x[id], h_bs = radio_rx_height_m(rx), thr = radio_rx_threshold_dbm(rx);
    w->pairs += n;
    if (isnan(st->h0)) {
        w->pairs_missing += n; /* unknown ground: flat, no terrain loss */
        return;
    }
    for (int i = 0; i < n; i++) {
        double dx = w->xs[c0 + i] - x;
        long had = w->missing;
        double e = terrain_excess_at(t->dem, &st->frame, st->h0, dx, dy, h_bs, t->h_ut_m,
                                     &st->p, w->td, w->th, w->tcap, &w->missing);
        w->pairs_missing += w->missing > had;
        if (!(e > 0))
            continue; /* no excess: the flat values stand, bit for bit */
        double r = w->rsrp[i]; /* flat: radio_rx_rsrp's within a few ulp */
        w->rsrp[i] = r - e;
        w->mw[i] = exp(w->rsrp[i] * (M_LN10 / 10));
        /* Covered as the footprint walk judges a sample: the flat margin
         * (RSRP - shadowing margin - threshold) above the excess. */
        if (w->cover[i])
            w->cover[i] = r - radio_rx_margin_db(rx, dx, dy) - thr - e >= 0;
    }
}
