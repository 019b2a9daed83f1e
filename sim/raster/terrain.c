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

/* The tables and their indexes (t->ex NULL after: none). */
static void free_tables(struct rterrain *t)
{
    free(t->ex);
    free(t->mi);
    free(t->dxy);
    free(t->rlo);
    free(t->rn);
    free(t->roff);
    t->ex = t->dxy = NULL;
    t->mi = NULL;
    t->rlo = t->rn = NULL;
    t->roff = NULL;
    t->rlo = t->rn = NULL;
    t->roff = NULL;
}

void rterrain_free(struct rterrain *t)
{
    free_tables(t);
    free(t->st);
    t->st = NULL;
    t->dem = NULL;
}

/* The tables' bound: past it (millions of stations) each row computes
 * its own pairs, as before the tables. */
#define RTER_TABLE_MAX_BYTES (512.0 * 1024 * 1024)

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

/* Station i's box: the grid cells whose centres may lie within its reach
 * (a cell more on each side), clipped to the grid; none on unknown ground. */
static void station_box(struct rter_station *st, const struct raster_grid *g, double x, double y,
                        double reach2)
{
    double r = sqrt(reach2);
    double ra = floor((g->y1 - (y + r)) / g->res - 0.5) - 1;
    double rb = ceil((g->y1 - (y - r)) / g->res - 0.5) + 1;
    double ca = floor((x - r - g->x0) / g->res - 0.5) - 1;
    double cb = ceil((x + r - g->x0) / g->res - 0.5) + 1;
    ra = fmax(ra, 0), ca = fmax(ca, 0);
    rb = fmin(rb, g->height - 1), cb = fmin(cb, g->width - 1);
    st->nr = st->nc = 0;
    st->r0 = st->c0 = 0;
    if (isnan(st->h0) || !(rb >= ra && cb >= ca))
        return;
    st->r0 = (int)ra, st->c0 = (int)ca;
    st->nr = (int)(rb - ra) + 1, st->nc = (int)(cb - ca) + 1;
}

/* Station i's offsets, as raster_row makes them (x of a column's centre,
 * rrow_new's, less the station's; y of a row's centre, strip_row's, less
 * the station's), and on each box row the columns within its reach, as
 * span_of finds them (dx^2 + dy^2 <= reach^2). */
static void station_spans(struct rterrain *t, const struct rstations *s,
                          const struct raster_grid *g, long i)
{
    const struct rter_station *st = &t->st[i];
    double x = s->x[i], y = s->y[i];
    double *dxv = t->dxy + st->offd, *dyv = dxv + st->nc;
    for (int c = 0; c < st->nc; c++)
        dxv[c] = (g->x0 + ((double)(size_t)(st->c0 + c) + 0.5) * g->res) - x;
    for (int r = 0; r < st->nr; r++) {
        dyv[r] = (g->y1 - (st->r0 + r + 0.5) * g->res) - y;
        int lo = 0, hi = st->nc - 1;
        while (lo <= hi && !(dxv[lo] * dxv[lo] + dyv[r] * dyv[r] <= s->reach2[i]))
            lo++;
        while (hi >= lo && !(dxv[hi] * dxv[hi] + dyv[r] * dyv[r] <= s->reach2[i]))
            hi--;
        t->rlo[st->offr + r] = lo;
        t->rn[st->offr + r] = hi - lo + 1;
    }
}

/* Station i's excess over its spans (and whether each profile took an
 * assumed height), by terrain_excess_at from those very offsets: what a
 * row would compute, bit for bit. */
static void station_table(struct rterrain *t, const struct rstations *s, long i, double *d,
                          double *h)
{
    const struct rter_station *st = &t->st[i];
    const double *dxv = t->dxy + st->offd, *dyv = dxv + st->nc;
    double h_bs = radio_rx_height_m(s->rx[i]);
    for (int r = 0; r < st->nr; r++) {
        long o = t->roff[st->offr + r];
        int lo = t->rlo[st->offr + r];
        for (int j = 0; j < t->rn[st->offr + r]; j++) {
            long miss = 0;
            t->ex[o + j] = terrain_excess_at(t->dem, &st->frame, st->h0, dxv[lo + j], dyv[r],
                                             h_bs, t->h_ut_m, &st->p, d, h, t->cap, &miss);
            t->mi[o + j] = miss > 0;
        }
    }
}

/* Every station's table, stations shared out dynamically (each one's DEM
 * window stays in cache while its cells are computed); or none, where
 * they would pass RTER_TABLE_MAX_BYTES or memory runs short. */
void rterrain_tables(struct rterrain *t, const struct rstations *s, const struct raster_grid *g,
                     int threads)
{
    long rows = 0, dxy = 0, pairs = 0;
    for (long i = 0; i < s->n; i++) {
        struct rter_station *st = &t->st[i];
        station_box(st, g, s->x[i], s->y[i], s->reach2[i]);
        st->offr = rows, st->offd = dxy;
        rows += st->nr;
        dxy += st->nr + st->nc;
    }
    t->dxy = malloc((size_t)(dxy > 0 ? dxy : 1) * sizeof *t->dxy);
    t->rlo = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *t->rlo);
    t->rn = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *t->rn);
    t->roff = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *t->roff);
    double *scratch = malloc(2 * (size_t)threads * (size_t)t->cap * sizeof *scratch);
    if (!t->dxy || !t->rlo || !t->rn || !t->roff || !scratch)
        goto none;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 256)
    for (long i = 0; i < s->n; i++)
        station_spans(t, s, g, i);
    for (long k = 0; k < rows; k++) {
        t->roff[k] = pairs;
        pairs += t->rn[k];
    }
    if (9.0 * (double)pairs + 8.0 * (double)dxy + 16.0 * (double)rows > RTER_TABLE_MAX_BYTES)
        goto none;
    t->ex = malloc((size_t)(pairs > 0 ? pairs : 1) * sizeof *t->ex);
    t->mi = malloc((size_t)(pairs > 0 ? pairs : 1));
    if (!t->ex || !t->mi)
        goto none;
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
    for (long i = 0; i < s->n; i++) {
        double *d = scratch + 2 * (size_t)omp_get_thread_num() * (size_t)t->cap;
        station_table(t, s, i, d, d + t->cap);
    }
    free(scratch);
    return;
none: /* no room: the rows compute their pairs */
    free_tables(t);
    free(scratch);
}

int rterrain_build(struct rterrain *t, const struct rstations *s, const struct tc_footprints *flat,
                   const struct terrain_dem *dem, const struct terrain_config *cfg, double h_ut_m,
                   double max_range_m, const struct raster_grid *g, int threads,
                   struct tc_error *err)
{
    long n = s->n > 0 ? s->n : 1;
    t->dem = dem;
    t->h_ut_m = h_ut_m;
    t->y1 = g->y1, t->res = g->res;
    t->ex = t->dxy = NULL;
    t->mi = NULL;
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
    /* The station's table row for this row (NULL: none, or not these
     * offsets: computed here). */
    const double *ex = NULL, *dxv = NULL;
    const unsigned char *mi = NULL;
    int lo = 0, nn = 0;
    if (t->ex && st->nr > 0) {
        int r = (int)floor((t->y1 - (s->y[id] + dy)) / t->res) - st->r0;
        dxv = t->dxy + st->offd;
        if (r >= 0 && r < st->nr && dxv[st->nc + r] == dy) {
            ex = t->ex + t->roff[st->offr + r];
            mi = t->mi + t->roff[st->offr + r];
            lo = t->rlo[st->offr + r], nn = t->rn[st->offr + r];
        }
    }
    for (int i = 0; i < n; i++) {
        int c = c0 + i - st->c0, j = c - lo; /* the box column, the span's */
        double dx = w->xs[c0 + i] - x, e;
        if (ex && j >= 0 && j < nn && dxv[c] == dx) {
            e = ex[j];
            w->pairs_missing += mi[j];
        } else {
            long had = w->missing;
            e = terrain_excess_at(t->dem, &st->frame, st->h0, dx, dy, h_bs, t->h_ut_m, &st->p,
                                  w->td, w->th, w->tcap, &w->missing);
            w->pairs_missing += w->missing > had;
        }
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
