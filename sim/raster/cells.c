/* raster/cells.c — the stations as the cells see them (see
 * raster_internal.h): each station's link and reach, bucketed on a grid
 * no finer than the longest reach, and the value of one cell from the
 * stations within reach of it.
 *
 * Why a row band: a cell looks at 3 x 3 buckets, about sixty stations in
 * Jiangxi of which six reach it. The stations of those buckets within
 * reach of the row's centre line (|dy| <= reach) are listed once per
 * bucket column and row, so that each cell tests only those; the list
 * keeps the buckets' order, which the interference sum depends on. */
#include "raster_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/radio.h"
#include "towncov/sites.h"

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
    for (int j = 0; j < s->nby; j++) /* the most stations a cell's 3 x 3 buckets hold */
        for (int i = 0; i < s->nbx; i++) {
            long m = 0;
            for (int jj = j - 1; jj <= j + 1; jj++)
                for (int ii = i - 1; ii <= i + 1; ii++)
                    if (jj >= 0 && jj < s->nby && ii >= 0 && ii < s->nbx)
                        m += s->head[(long)jj * s->nbx + ii + 1] - s->head[(long)jj * s->nbx + ii];
            s->max_band = m > s->max_band ? m : s->max_band;
        }
    for (long k = 0; k < n; k++) {
        long id = s->ids[k];
        s->packed[k] = (struct rcand){s->x[id], s->y[id], s->reach2[id], id};
    }
    return 0;
oom:
    return tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster stations)");
}

int rband_new(struct rband *rb, const struct rstations *s)
{
    memset(rb, 0, sizeof *rb);
    rb->n = -1; /* filled by the first cell */
    rb->c = malloc(((size_t)s->max_band + 1) * sizeof *rb->c);
    return rb->c ? 0 : -1;
}

void rband_free(struct rband *rb)
{
    free(rb->c);
    memset(rb, 0, sizeof *rb);
}

/* The stations of the 3 x 3 buckets around (bx, by) that reach the line
 * y, in the buckets' order. A station left out has dy^2 > reach^2, so
 * dx^2 + dy^2 > reach^2 for every x as well (the sum of non-negative
 * doubles rounds no lower than either term): the cells lose none. */
static void rband_fill(const struct rstations *s, int bx, int by, double y, struct rband *rb)
{
    rb->bx = bx, rb->by = by, rb->y = y, rb->n = 0;
    for (int j = by - 1; j <= by + 1; j++) {
        if (j < 0 || j >= s->nby)
            continue;
        for (int i = bx - 1; i <= bx + 1; i++) {
            if (i < 0 || i >= s->nbx)
                continue;
            long b = (long)j * s->nbx + i;
            for (long k = s->head[b]; k < s->head[b + 1]; k++) {
                const struct rcand *p = &s->packed[k];
                double dy = y - p->y;
                if (dy * dy <= p->reach2)
                    rb->c[rb->n++] = *p;
            }
        }
    }
}

void raster_cell(const struct rstations *s, struct rband *rb, double load,
                 const double *noise_mw, double x, double y, struct rcell *c)
{
    double sum_mw[RADIO_BAND_COUNT] = {0};
    double strongest = -INFINITY, serving = -INFINITY;
    long is = -1, iv = -1;
    int servers = 0;
    int bx = (int)floor((x - s->bx0) / s->bucket), by = (int)floor((y - s->by0) / s->bucket);
    if (rb->n < 0 || bx != rb->bx || by != rb->by || y != rb->y)
        rband_fill(s, bx, by, y, rb);
    for (long k = 0; k < rb->n; k++) {
        const struct rcand *p = &rb->c[k];
        double dx = x - p->x, dy = y - p->y;
        if (dx * dx + dy * dy > p->reach2)
            continue;
        long id = p->id;
        double r;
        int cov = radio_rx_covers(s->rx[id], dx, dy, &r);
        sum_mw[s->band[id]] += exp(r * (M_LN10 / 10));
        if (r > strongest || (r == strongest && id < is))
            strongest = r, is = id;
        if (cov) {
            servers++;
            if (r > serving || (r == serving && id < iv))
                serving = r, iv = id;
        }
    }
    c->servers = (uint8_t)(servers > 254 ? 254 : servers);
    c->best = iv >= 0 ? (int32_t)(iv + 1) : -1;
    if (is < 0) {
        c->rsrp = c->sinr = (float)RASTER_NODATA_F32;
        return;
    }
    double ps = exp(strongest * (M_LN10 / 10)), others = sum_mw[s->band[is]] - ps;
    c->rsrp = (float)strongest;
    c->sinr = (float)(10 * log10(ps / (load * fmax(others, 0) + noise_mw[s->band[is]])));
}

