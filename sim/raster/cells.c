/* raster/cells.c — the stations as the cells see them (see
 * raster_internal.h): each station's link and reach, bucketed on a grid
 * no finer than the longest reach, and the values of a row of cells from
 * the stations within reach of them.
 *
 * Why a row at a time, station by station: a station reaches a contiguous
 * span of a row's cells, so its link budget is evaluated along the span in
 * one call (radio_rx_row: vectorised, several cells per instruction), and
 * each cell keeps what the stations so far leave there (the strongest, the
 * serving one, the power per band). A cell sees its stations in the
 * buckets' order — bucket row, then bucket column, then id — as when each
 * cell walked its own 3 x 3 buckets, so that the interference sums add in
 * the same order on any thread. */
#include "raster_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/radio.h"
#include "towncov/sites.h"
#include "towncov/vecmath.h"

static int site_has_overrides(const struct radio_site *s)
{
    return isfinite(s->height_m) || isfinite(s->power_dbm) || isfinite(s->tilt_deg) ||
           s->n_azimuths > 0;
}

void rstations_free(struct rstations *s)
{
    for (long i = 0; i < s->n_owned; i++)
        radio_rx_free(&s->owned[i]);
    free(s->owned);
    free(s->rx);
    free(s->reach2);
    free(s->band);
    free(s->head);
    free(s->ids);
    free(s->packed);
    rterrain_free(&s->ter);
    memset(s, 0, sizeof *s);
}

int rstations_build(struct rstations *s, const struct radio_model *radio,
                    const struct tc_map *map, const struct tc_sites *sites,
                    const struct tc_footprints *fp, double *noise_mw, double nf_db,
                    struct tc_error *err)
{
    memset(s, 0, sizeof *s);
    long n = sites->n;
    s->n = n;
    s->x = sites->x;
    s->y = sites->y;
    s->rx = calloc((size_t)n + 1, sizeof *s->rx);
    s->owned = calloc((size_t)n + KIND_COUNT, sizeof *s->owned);
    s->reach2 = calloc((size_t)n + 1, sizeof *s->reach2);
    s->band = calloc((size_t)n + 1, sizeof *s->band);
    if (!s->rx || !s->owned || !s->reach2 || !s->band)
        goto oom;
    for (int k = 0; k < KIND_COUNT; k++)
        if (!(s->owned[s->n_owned++] = radio_rx_new(radio, (enum tc_kind)k, NULL)))
            return tc_fail(err, TC_EXIT_INTERNAL, "the signal rasters need radio.model = link");
    double maxr = 0, xmin = map->xmin, ymin = map->ymin, xmax = map->xmax, ymax = map->ymax;
    for (long i = 0; i < n; i++) {
        int t = sites->township[i];
        enum tc_kind k = t >= 0 ? map->t[t].kind : KIND_SPECIAL;
        const struct radio_site *rs = sites->radio ? &sites->radio[i] : NULL;
        if (rs && site_has_overrides(rs)) {
            if (!(s->owned[s->n_owned] = radio_rx_new(radio, k, rs)))
                goto oom;
            s->rx[i] = s->owned[s->n_owned++];
        } else {
            s->rx[i] = s->owned[k];
        }
        s->band[i] = radio_rx_band(s->rx[i]);
        noise_mw[s->band[i]] =
            pow(10, (-174 + 10 * log10(radio_rx_scs_hz(s->rx[i])) + nf_db) / 10);
        /* The footprint's longest vertex, and the solver's 0.5 m beyond. */
        double r = footprint_info(fp, i)->max_range_m + 1;
        s->reach2[i] = r * r;
        maxr = fmax(maxr, r);
        xmin = fmin(xmin, s->x[i]), xmax = fmax(xmax, s->x[i]);
        ymin = fmin(ymin, s->y[i]), ymax = fmax(ymax, s->y[i]);
    }
    /* Buckets no smaller than the longest reach, and not many more than
     * stations. */
    double b = fmax(maxr, 1);
    while ((xmax - xmin) / b * (ymax - ymin) / b > 4.0 * n + 1e6)
        b *= 2;
    s->bucket = b;
    s->bx0 = xmin - b;
    s->by0 = ymin - b;
    s->nbx = (int)((xmax - s->bx0) / b) + 2;
    s->nby = (int)((ymax - s->by0) / b) + 2;
    size_t nb = (size_t)s->nbx * (size_t)s->nby;
    s->head = calloc(nb + 1, sizeof *s->head);
    s->ids = malloc(((size_t)n + 1) * sizeof *s->ids);
    if (!s->head || !s->ids)
        goto oom;
    for (long i = 0; i < n; i++) {
        long bi = (long)((s->y[i] - s->by0) / b) * s->nbx + (long)((s->x[i] - s->bx0) / b);
        s->head[bi + 1]++;
    }
    for (size_t k = 0; k < nb; k++)
        s->head[k + 1] += s->head[k];
    long *fill = malloc(nb * sizeof *fill);
    if (!fill)
        goto oom;
    memcpy(fill, s->head, nb * sizeof *fill);
    for (long i = 0; i < n; i++) { /* ascending within each bucket */
        long bi = (long)((s->y[i] - s->by0) / b) * s->nbx + (long)((s->x[i] - s->bx0) / b);
        s->ids[fill[bi]++] = i;
    }
    free(fill);
    if (!(s->packed = malloc(((size_t)n + 1) * sizeof *s->packed)))
        goto oom;
    for (long k = 0; k < n; k++) {
        long id = s->ids[k];
        s->packed[k] = (struct rcand){s->x[id], s->y[id], s->reach2[id], id};
    }
    return 0;
oom:
    return tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster stations)");
}

int rrow_new(struct rrow *w, const struct raster_grid *g)
{
    memset(w, 0, sizeof *w);
    size_t n = (size_t)g->width;
    w->width = g->width;
    w->x0 = g->x0;
    w->res = g->res;
    w->xs = malloc(n * sizeof *w->xs);
    w->strongest = malloc(n * sizeof *w->strongest);
    w->strongest_mw = malloc(n * sizeof *w->strongest_mw);
    w->serving = malloc(n * sizeof *w->serving);
    w->strongest_id = malloc(n * sizeof *w->strongest_id);
    w->serving_id = malloc(n * sizeof *w->serving_id);
    w->servers = malloc(n * sizeof *w->servers);
    w->sum_mw = malloc(RADIO_BAND_COUNT * n * sizeof *w->sum_mw);
    w->rsrp = malloc(n * sizeof *w->rsrp);
    w->mw = malloc(n * sizeof *w->mw);
    w->cover = malloc(n * sizeof *w->cover);
    if (!w->xs || !w->strongest || !w->strongest_mw || !w->serving || !w->strongest_id ||
        !w->serving_id || !w->servers || !w->sum_mw || !w->rsrp || !w->mw || !w->cover)
        return -1;
    for (size_t c = 0; c < n; c++)
        w->xs[c] = g->x0 + ((double)c + 0.5) * g->res;
    return 0;
}

void rrow_free(struct rrow *w)
{
    free(w->xs);
    free(w->strongest);
    free(w->strongest_mw);
    free(w->serving);
    free(w->strongest_id);
    free(w->serving_id);
    free(w->servers);
    free(w->sum_mw);
    free(w->rsrp);
    free(w->mw);
    free(w->cover);
    free(w->td);
    free(w->th);
    memset(w, 0, sizeof *w);
}

/* Station p reaches column c of the row dy off it. */
static inline int reaches(const struct rrow *w, const struct rcand *p, double dy, int c)
{
    double dx = w->xs[c] - p->x;
    return dx * dx + dy * dy <= p->reach2;
}

/* The columns [*c0, *c1] that p reaches (dy off its row), exactly by
 * reaches(): an interval around the column nearest to p, found from the
 * estimate of the disc's chord and corrected cell by cell. Returns 0 when
 * p reaches no column. */
static int span_of(const struct rrow *w, const struct rcand *p, double dy, int *c0, int *c1)
{
    double at = (p->x - w->x0) / w->res - 0.5, last = w->width - 1; /* p's column, fractional */
    double near = fmin(fmax(round(at), 0), last);
    int cc = (int)near;
    if (!reaches(w, p, dy, cc))
        return 0;
    double half = sqrt(fmax(p->reach2 - dy * dy, 0)) / w->res;
    int lo = (int)fmin(fmax(ceil(at - half), 0), near);
    int hi = (int)fmax(fmin(floor(at + half), last), near);
    while (lo < cc && !reaches(w, p, dy, lo))
        lo++;
    while (lo > 0 && reaches(w, p, dy, lo - 1))
        lo--;
    while (hi > cc && !reaches(w, p, dy, hi))
        hi--;
    while (hi < w->width - 1 && reaches(w, p, dy, hi + 1))
        hi++;
    *c0 = lo, *c1 = hi;
    return 1;
}

/* Station id's values along columns c0 .. c0 + n - 1 (w->rsrp, mw, cover)
 * folded into what the row's cells keep. Ties go to the lower id, so that
 * the order of the stations does not matter to the choice. Selects, not
 * branches, on 64-bit lanes: the loop vectorises. */
static inline void row_add(struct rrow *w, long id, int band, int c0, int n)
{
    double *restrict sum = w->sum_mw + (size_t)band * (size_t)w->width + c0;
    double *restrict st = w->strongest + c0, *restrict st_mw = w->strongest_mw + c0;
    double *restrict sv = w->serving + c0;
    long *restrict st_id = w->strongest_id + c0, *restrict sv_id = w->serving_id + c0;
    int64_t *restrict servers = w->servers + c0;
    const double *restrict rsrp = w->rsrp, *restrict mw = w->mw;
    const int64_t *restrict cover = w->cover;
    TC_SIMD
    for (int i = 0; i < n; i++) {
        double r = rsrp[i];
        sum[i] += mw[i];
        int stronger = (r > st[i]) | ((r == st[i]) & (id < st_id[i]));
        st[i] = stronger ? r : st[i];
        st_mw[i] = stronger ? mw[i] : st_mw[i];
        st_id[i] = stronger ? id : st_id[i];
        servers[i] += cover[i];
        int serves = (cover[i] != 0) & ((r > sv[i]) | ((r == sv[i]) & (id < sv_id[i])));
        sv[i] = serves ? r : sv[i];
        sv_id[i] = serves ? id : sv_id[i];
    }
}

static void row_reset(struct rrow *w)
{
    for (int c = 0; c < w->width; c++) {
        w->strongest[c] = w->serving[c] = -INFINITY;
        w->strongest_id[c] = w->serving_id[c] = -1;
        w->servers[c] = 0;
    }
    memset(w->sum_mw, 0, RADIO_BAND_COUNT * (size_t)w->width * sizeof *w->sum_mw);
}

/* SINR (dB) of each cell's strongest station into out->sinr, where it has
 * one; the log10 of the ratios is vectorised (vecmath.h). */
static inline void row_sinr(const struct rstations *s, struct rrow *w, double load,
                            const double *noise_mw, struct rrow_out *out)
{
    double *ratio = w->mw; /* free again once the stations are added */
    for (int c = 0; c < w->width; c++) {
        long is = w->strongest_id[c];
        if (is < 0) {
            ratio[c] = 1;
            continue;
        }
        int b = s->band[is];
        double ps = w->strongest_mw[c];
        double others = w->sum_mw[(size_t)b * (size_t)w->width + c] - ps;
        ratio[c] = ps / (load * fmax(others, 0) + noise_mw[b]);
    }
    float *sinr = out->sinr;
    TC_SIMD
    for (int c = 0; c < w->width; c++)
        sinr[c] = (float)(10 * log10(ratio[c]));
}

/* Compiled once per x86-64 level (vecmath.h), with the loops inlined. */
TC_VEC_CLONES
void raster_row(const struct rstations *s, struct rrow *w, double load,
                const double *noise_mw, double y, const int *own, struct rrow_out *out)
{
    row_reset(w);
    int by = (int)floor((y - s->by0) / s->bucket);
    for (int j = by - 1; j <= by + 1; j++) {
        if (j < 0 || j >= s->nby)
            continue;
        const struct rcand *p = s->packed + s->head[(long)j * s->nbx];
        const struct rcand *end = s->packed + s->head[(long)(j + 1) * s->nbx];
        for (; p < end; p++) {
            double dy = y - p->y;
            int c0, c1;
            if (dy * dy > p->reach2 || !span_of(w, p, dy, &c0, &c1))
                continue;
            radio_rx_row(s->rx[p->id], w->xs + c0, p->x, dy, c1 - c0 + 1, w->rsrp, w->mw,
                         w->cover);
            if (s->ter.dem)
                rterrain_span(s, w, p->id, dy, c0, c1 - c0 + 1);
            row_add(w, p->id, s->band[p->id], c0, c1 - c0 + 1);
        }
    }
    row_sinr(s, w, load, noise_mw, out);
    for (int c = 0; c < w->width; c++) {
        if (own[c] < 0) {
            out->rsrp[c] = out->sinr[c] = (float)RASTER_NODATA_F32;
            out->best[c] = RASTER_NODATA_BEST;
            out->servers[c] = RASTER_NODATA_SERVERS;
            continue;
        }
        int64_t n = w->servers[c];
        out->servers[c] = (uint8_t)(n > 254 ? 254 : n);
        out->best[c] = w->serving_id[c] >= 0 ? (int32_t)(w->serving_id[c] + 1) : -1;
        if (w->strongest_id[c] < 0)
            out->rsrp[c] = out->sinr[c] = (float)RASTER_NODATA_F32;
        else
            out->rsrp[c] = (float)w->strongest[c];
    }
}
