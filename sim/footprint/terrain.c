/* footprint/terrain.c — footprints that follow the ground (see
 * footprints_over_terrain in footprint.h).
 *
 * Each vertex of a station's flat-ground footprint is one direction (the
 * link model draws them every angle_step_deg). Along it the profile is
 * sampled every DEM cell from the station to the flat range r, the
 * flat-ground margin (median RSRP - shadowing margin - threshold, the very
 * terms of the flat footprint) is evaluated at each sample, and the vertex
 * moves in to where the received power first falls below the threshold
 * over the terrain (terrain_reach). What lies beyond a first shadow is
 * dropped even where a far slope is lit again: a footprint is star-shaped
 * about its station (the coverage engine's contract), so it keeps the
 * nearest stretch (docs/terrain.md says so and what it costs). Terrain
 * only ever adds loss, so no vertex moves out. */
#include "footprint_internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "towncov/map.h"
#include "towncov/sites.h"
#include "towncov/terrain.h"

/* One thread's scratch: its sampler and a profile's arrays. */
struct tscratch {
    struct terrain_sampler *s;
    double *d, *h, *m;
    int cap;
};

static enum tc_kind kind_of(const struct tc_map *map, const struct tc_sites *sites, long i)
{
    int t = sites->township[i];
    return t >= 0 ? map->t[t].kind : KIND_SPECIAL;
}

/* Stations placed by a strategy (no sites file) all have their kind's
 * link and shape: their flat-ground margins at the samples of each
 * direction are the same numbers, computed once per kind here (the same
 * calls a station would make, so the same bits). */
struct kind_margins {
    int shape;     /* the kind's shape; -1: no table */
    double *m;     /* vertex j's margins at m[j * cap + k] */
};

/* One ray being walked: filled sample by sample (terrain_ray.fill). */
struct rayfill {
    struct tscratch *w;
    const struct radio_rx *rx;
    double ux, uy, threshold;
    const double *table; /* this direction's margins, or NULL: from rx */
    long missing, sampled;
};

/* Sample k: the height (missing: the last known one toward the station)
 * and the flat-ground margin. */
static void fill_sample(void *ctx, int k)
{
    struct rayfill *f = ctx;
    struct tscratch *w = f->w;
    double d = w->d[k], mg;
    f->sampled++;
    double h = terrain_sampler_height(w->s, d * f->ux, d * f->uy, &f->missing);
    w->h[k] = isnan(h) ? w->h[k - 1] : h;
    w->m[k] = f->table ? f->table[k]
                       : radio_rx_rsrp(f->rx, d * f->ux, d * f->uy, &mg) - mg - f->threshold;
}

/* The ray toward unit (ux, uy) out to r: distances every step and r
 * itself, sample 0 at the station; returns the sample count. */
static int ray_of(struct rayfill *f, double r, double step, double h0)
{
    struct tscratch *w = f->w;
    double m0;
    w->h[0] = h0;
    w->m[0] = f->table ? f->table[0]
                       : radio_rx_rsrp(f->rx, f->ux, f->uy, &m0) - m0 - f->threshold;
    return terrain_profile_steps(w->d, r, step, w->cap);
}

/* The margins of kind k's directions (shape s), every sample, into t. */
static int kind_table(struct kind_margins *t, struct tscratch *w, const struct tc_footprints *fp,
                      int s, const struct radio_model *radio, enum tc_kind k, double step)
{
    long nv = fp->shape_off[s + 1] - fp->shape_off[s];
    const double *v = fp->sxy + 2 * fp->shape_off[s];
    struct radio_rx *rx = radio_rx_new(radio, k, NULL);
    t->m = malloc(sizeof(double) * (size_t)(nv * w->cap));
    if (!rx || !t->m) {
        radio_rx_free(&rx);
        return -1;
    }
    for (long j = 0; j < nv; j++) {
        double r = hypot(v[2 * j], v[2 * j + 1]);
        if (!(r > step))
            continue;
        struct rayfill f = {w, rx, v[2 * j] / r, v[2 * j + 1] / r, radio_rx_threshold_dbm(rx),
                            NULL, 0, 0};
        int n = ray_of(&f, r, step, 0);
        double *row = t->m + j * w->cap;
        row[0] = w->m[0];
        for (int i = 1; i < n; i++) {
            double d = w->d[i], mg;
            row[i] = radio_rx_rsrp(rx, d * f.ux, d * f.uy, &mg) - mg - f.threshold;
        }
    }
    t->shape = s;
    radio_rx_free(&rx);
    return 0;
}

/* Tables for the kinds of strategy-placed stations (none with a sites
 * file: each station may have its own link). */
static int kind_tables(struct kind_margins t[KIND_COUNT], struct tscratch *w,
                       const struct tc_footprints *fp, const struct radio_model *radio,
                       const struct tc_map *map, const struct tc_sites *sites, double step)
{
    for (int k = 0; k < KIND_COUNT; k++)
        t[k] = (struct kind_margins){-1, NULL};
    if (sites->radio)
        return 0;
    for (long i = 0; i < fp->n; i++) {
        enum tc_kind k = kind_of(map, sites, i);
        if (t[k].shape < 0 && kind_table(&t[k], w, fp, fp->shape[i], radio, k, step) != 0)
            return -1;
    }
    return 0;
}

/* Station i's reach in each of its n directions into out (vertex offsets);
 * *missing counts heights the DEM lacked. -1 when PROJ or memory fails. */
/* What the first-shadow rule drops along one ray that stopped at reach:
 * the samples beyond it where the power is above the threshold again
 * (evaluated exhaustively: O(n^2), for the report only), as areas of the
 * ring sectors they stand for (r dr), against the kept r^2 / 2. */
static void dropped_along(struct rayfill *f, const struct terrain_ray *ray,
                          const struct terrain_params *p, double reach, double acc[2])
{
    for (int k = (int)f->sampled + 1; k < ray->n; k++)
        fill_sample(f, k);
    acc[0] += 0.5 * reach * reach;
    for (int k = 1; k < ray->n; k++) {
        if (ray->d[k] <= reach || ray->margin_db[k] < 0)
            continue;
        double te = terrain_excess_db(ray->d, ray->h, k + 1, ray->h_tx_m, ray->h_rx_m, p);
        if (ray->margin_db[k] - te >= 0)
            acc[1] += ray->d[k] * (ray->d[k] - ray->d[k - 1]);
    }
}

static int station_reach(struct tscratch *w, const struct tc_footprints *fp, long i,
                         const struct radio_model *radio, const struct tc_map *map,
                         const struct tc_sites *sites, const struct terrain_config *cfg,
                         const struct kind_margins *tables, double step, double *out,
                         long *missing, long *samples, double *dropped)
{
    long nv = footprint_size(fp, i);
    const double *v = fp->sxy + 2 * fp->shape_off[fp->shape[i]];
    double rmax = 0;
    for (long k = 0; k < nv; k++)
        rmax = fmax(rmax, hypot(v[2 * k], v[2 * k + 1]));
    for (long k = 0; k < 2 * nv; k++)
        out[k] = v[k];
    if (terrain_sampler_centre(w->s, sites->x[i], sites->y[i], rmax) != 0)
        return -1;
    long miss = 0;
    double h0 = terrain_sampler_height(w->s, 0, 0, &miss);
    *samples += 1, *missing += miss;
    if (isnan(h0)) {
        /* The station's own ground is unknown: flat ground, every height
         * of its profiles counted missing. */
        for (long k = 0; k < nv; k++) {
            long m = (long)ceil(hypot(v[2 * k], v[2 * k + 1]) / step);
            *samples += m, *missing += m;
        }
        return 0;
    }
    enum tc_kind kind = kind_of(map, sites, i);
    const struct kind_margins *tab = tables[kind].shape == fp->shape[i] ? &tables[kind] : NULL;
    struct radio_rx *rx = radio_rx_new(radio, kind, sites->radio ? &sites->radio[i] : NULL);
    if (!rx)
        return -1;
    struct terrain_params p = terrain_params_of(cfg, radio_rx_freq_hz(rx));
    double h_ut = radio_model_config(radio)->ue_height_m, h_bs = radio_rx_height_m(rx);
    for (long k = 0; k < nv; k++) {
        double r = hypot(v[2 * k], v[2 * k + 1]);
        if (!(r > step))
            continue; /* within one cell of the mast: nothing to walk */
        struct rayfill f = {w, rx, v[2 * k] / r, v[2 * k + 1] / r, radio_rx_threshold_dbm(rx),
                            tab ? tab->m + k * w->cap : NULL, 0, 0};
        int n = ray_of(&f, r, step, h0);
        struct terrain_ray ray = {w->d, w->h, w->m, n, h_bs, h_ut, fill_sample, &f};
        double reach = fmax(terrain_reach(&ray, &p, 0, NULL), 1.0);
        double ux = f.ux, uy = f.uy;
        *missing += f.missing, *samples += f.sampled;
        if (reach < r)
            out[2 * k] = ux * reach, out[2 * k + 1] = uy * reach;
        if (dropped)
            dropped_along(&f, &ray, &p, reach, dropped);
    }
    radio_rx_free(&rx);
    return 0;
}

static void scratch_free(struct tscratch *w, int n)
{
    for (int t = 0; w && t < n; t++) {
        terrain_sampler_free(&w[t].s);
        free(w[t].d);
        free(w[t].h);
        free(w[t].m);
    }
    free(w);
}

static struct tscratch *scratch_new(int n, const struct terrain_dem *dem, int cap,
                                    struct tc_error *err)
{
    struct tscratch *w = calloc((size_t)n, sizeof *w);
    for (int t = 0; w && t < n; t++) {
        w[t].s = terrain_sampler_new(dem, err);
        w[t].cap = cap;
        w[t].d = malloc(sizeof(double) * (size_t)cap);
        w[t].h = malloc(sizeof(double) * (size_t)cap);
        w[t].m = malloc(sizeof(double) * (size_t)cap);
        if (!w[t].s || !w[t].d || !w[t].h || !w[t].m) {
            scratch_free(w, n);
            if (err && !err->msg[0])
                tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the terrain profiles");
            return NULL;
        }
    }
    if (!w)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the terrain profiles");
    return w;
}

/* Every footprint its own shape: offsets, vertices and facts of fp's. */
static struct tc_footprints *own_shapes(const struct tc_footprints *fp)
{
    struct tc_footprints *o = calloc(1, sizeof *o);
    size_t n = (size_t)(fp->n > 0 ? fp->n : 1);
    long nv = 0;
    for (long i = 0; i < fp->n; i++)
        nv += footprint_size(fp, i);
    if (!o)
        return NULL;
    o->n = fp->n, o->nshape = fp->n;
    o->cx = malloc(n * sizeof(double)), o->cy = malloc(n * sizeof(double));
    o->shape = malloc(n * sizeof(int));
    o->shape_off = malloc((n + 1) * sizeof(long));
    o->sxy = malloc(2 * (size_t)(nv > 0 ? nv : 1) * sizeof(double));
    o->shape_info = malloc(n * sizeof *o->shape_info);
    o->xmin = malloc(n * sizeof(double)), o->ymin = malloc(n * sizeof(double));
    o->xmax = malloc(n * sizeof(double)), o->ymax = malloc(n * sizeof(double));
    if (!o->cx || !o->cy || !o->shape || !o->shape_off || !o->sxy || !o->shape_info ||
        !o->xmin || !o->ymin || !o->xmax || !o->ymax) {
        footprints_free(&o);
        return NULL;
    }
    o->shape_off[0] = 0;
    for (long i = 0; i < fp->n; i++) {
        o->shape[i] = (int)i;
        o->shape_off[i + 1] = o->shape_off[i] + footprint_size(fp, i);
        o->cx[i] = fp->cx[i], o->cy[i] = fp->cy[i];
        o->shape_info[i] = *footprint_info(fp, i);
    }
    return o;
}

/* Ranges and envelope of footprint i from its new vertices. */
static void settle(struct tc_footprints *o, long i)
{
    long nv = footprint_size(o, i);
    const double *v = o->sxy + 2 * o->shape_off[i];
    double lo = INFINITY, hi = 0, e[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (long k = 0; k < nv; k++) {
        double x = v[2 * k], y = v[2 * k + 1], r = hypot(x, y);
        lo = fmin(lo, r), hi = fmax(hi, r);
        e[0] = fmin(e[0], x), e[1] = fmin(e[1], y), e[2] = fmax(e[2], x), e[3] = fmax(e[3], y);
    }
    o->shape_info[i].min_range_m = lo;
    o->shape_info[i].max_range_m = hi;
    o->xmin[i] = e[0] + o->cx[i], o->ymin[i] = e[1] + o->cy[i];
    o->xmax[i] = e[2] + o->cx[i], o->ymax[i] = e[3] + o->cy[i];
}

/* Every DROPPED_EVERY-th station is measured for the report. */
#define DROPPED_EVERY 16

int footprints_over_terrain(struct tc_footprints **pfp, const struct radio_model *radio,
                            const struct terrain_dem *dem, const struct terrain_config *cfg,
                            const struct tc_map *map, const struct tc_sites *sites, int threads,
                            FILE *log, double *dropped_share, struct tc_error *err)
{
    const struct tc_footprints *fp = *pfp;
    if (radio_model_config(radio)->model != RADIO_LINK)
        return tc_fail(err, TC_EXIT_SCENARIO, "terrain.model = delta-bullington needs "
                       "radio.model = link (the disc model has no received power)");
    threads = threads > 0 ? threads : 1;
    double step = terrain_dem_step_m(dem);
    int cap = (int)fmin(radio_model_config(radio)->max_range_m / step + 3, 1 << 20);
    struct tscratch *w = scratch_new(threads, dem, cap, err);
    struct tc_footprints *o = w ? own_shapes(fp) : NULL;
    long *miss = calloc((size_t)(fp->n > 0 ? fp->n : 1), 2 * sizeof(long));
    double *drop = dropped_share ? calloc((size_t)(fp->n / DROPPED_EVERY + 1), 2 * sizeof(double))
                                 : NULL;
    struct kind_margins tables[KIND_COUNT];
    int tab_rc = w ? kind_tables(tables, w, fp, radio, map, sites, step) : -1;
    if (!w || !o || !miss || tab_rc != 0 || (dropped_share && !drop)) {
        free(drop);
        for (int k = 0; w && k < KIND_COUNT; k++)
            free(tables[k].m);
        scratch_free(w, threads);
        footprints_free(&o);
        free(miss);
        return err->msg[0] ? -1 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    }
    /* Owner computes: station i writes its own vertices, facts and
     * counts; a failure marks its count -1, and the first is reported. */
    #pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
    for (long i = 0; i < fp->n; i++) {
        struct tscratch *t = &w[omp_get_thread_num()];
        double *dr = drop && i % DROPPED_EVERY == 0 ? drop + 2 * (i / DROPPED_EVERY) : NULL;
        if (station_reach(t, fp, i, radio, map, sites, cfg, tables, step,
                          o->sxy + 2 * o->shape_off[i], &miss[2 * i], &miss[2 * i + 1], dr) != 0)
            miss[2 * i + 1] = -1;
        settle(o, i);
    }
    scratch_free(w, threads);
    for (int k = 0; k < KIND_COUNT; k++)
        free(tables[k].m);
    if (drop) {
        double kept = 0, lost = 0;
        for (long j = 0; j <= fp->n / DROPPED_EVERY; j++)
            kept += drop[2 * j], lost += drop[2 * j + 1];
        *dropped_share = kept + lost > 0 ? lost / (kept + lost) : 0;
        free(drop);
    }
    struct terrain_missing_info mi = {0, 0};
    long failed = -1;
    for (long i = 0; i < fp->n; i++) {
        if (miss[2 * i + 1] < 0 && failed < 0)
            failed = i;
        mi.missing += miss[2 * i], mi.samples += miss[2 * i + 1];
    }
    free(miss);
    int rc = 0;
    if (failed >= 0)
        rc = tc_fail(err, TC_EXIT_INTERNAL, "station %ld: PROJ cannot place its profiles on the "
                     "DEM", failed + 1);
    if (rc == 0)
        rc = terrain_report_missing(cfg, &mi, log, err);
    if (rc != 0) {
        footprints_free(&o);
        return -1;
    }
    footprints_free(pfp);
    *pfp = o;
    return 0;
}

int footprints_terrain_stage(struct tc_footprints **fp, const struct radio_model *radio,
                             const struct terrain_config *cfg, const char *base_dir,
                             const struct tc_map *map, const struct tc_sites *sites, int threads,
                             FILE *log, struct terrain_dem **dem, double *dropped_share,
                             struct tc_error *err)
{
    /* The DEM's window: every footprint's envelope, and the map's widened
     * by the longest reach, so that stations placed later anywhere in the
     * map (the planner's candidates) find their ground too. */
    double reach = 0;
    for (long i = 0; i < (*fp)->n; i++)
        reach = fmax(reach, footprint_info(*fp, i)->max_range_m);
    double b[4] = {map->xmin - reach, map->ymin - reach, map->xmax + reach, map->ymax + reach};
    for (long i = 0; i < (*fp)->n; i++) {
        b[0] = fmin(b[0], (*fp)->xmin[i]), b[1] = fmin(b[1], (*fp)->ymin[i]);
        b[2] = fmax(b[2], (*fp)->xmax[i]), b[3] = fmax(b[3], (*fp)->ymax[i]);
    }
    *dem = terrain_dem_open(cfg, base_dir, map->metric_crs, b[0], b[1], b[2], b[3], log, err);
    if (!*dem)
        return -1;
    return footprints_over_terrain(fp, radio, *dem, cfg, map, sites, threads, log, dropped_share,
                                   err);
}
