/* raster/raster.c — the signal rasters, cell by cell (see raster.h): the
 * stations' links and grid index, the value of one cell, and the strips
 * computed in parallel and written from the calling thread. */
#include "raster_internal.h"

#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <omp.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/radio.h"
#include "towncov/sites.h"
#include "towncov/worker.h"

#define STRIP_ROWS 256 /* rows per strip: the tiles' height */

static const size_t cell_bytes[RASTER_LAYER_COUNT] = {4, 4, 4, 1};

const char *raster_file_name(enum raster_layer l)
{
    static const char *const files[RASTER_LAYER_COUNT] = {"rsrp.tif", "best_server.tif",
                                                          "sinr.tif", "servers.tif"};
    return files[l];
}

void raster_grid_of(const struct tc_map *map, double res, struct raster_grid *g)
{
    g->res = res;
    g->x0 = floor(map->xmin / res) * res;
    g->y1 = ceil(map->ymax / res) * res;
    double w = ceil((map->xmax - g->x0) / res), h = ceil((g->y1 - map->ymin) / res);
    g->width = w < 1 ? 1 : w > 2e9 ? -1 : (int)w;
    g->height = h < 1 ? 1 : h > 2e9 ? -1 : (int)h;
}

/* ---- the stations as the cells see them --------------------------------------- */

static int site_has_overrides(const struct radio_site *s)
{
    return isfinite(s->height_m) || isfinite(s->power_dbm) || isfinite(s->tilt_deg) ||
           s->n_azimuths > 0;
}

static void rstations_free(struct rstations *s)
{
    for (long i = 0; i < s->n_owned; i++)
        radio_rx_free(&s->owned[i]);
    free(s->owned);
    free(s->rx);
    free(s->reach2);
    free(s->band);
    free(s->head);
    free(s->ids);
    memset(s, 0, sizeof *s);
}

static int rstations_build(struct rstations *s, const struct radio_model *radio,
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
    return 0;
oom:
    return tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster stations)");
}

void raster_cell(const struct rstations *s, double load, const double *noise_mw, double x,
                 double y, struct rcell *c)
{
    double sum_mw[RADIO_BAND_COUNT] = {0};
    double strongest = -INFINITY, serving = -INFINITY;
    long is = -1, iv = -1;
    int servers = 0;
    int bx = (int)floor((x - s->bx0) / s->bucket), by = (int)floor((y - s->by0) / s->bucket);
    for (int j = by - 1; j <= by + 1; j++) {
        if (j < 0 || j >= s->nby)
            continue;
        for (int i = bx - 1; i <= bx + 1; i++) {
            if (i < 0 || i >= s->nbx)
                continue;
            long b = (long)j * s->nbx + i;
            for (long k = s->head[b]; k < s->head[b + 1]; k++) {
                long id = s->ids[k];
                double dx = x - s->x[id], dy = y - s->y[id];
                if (dx * dx + dy * dy > s->reach2[id])
                    continue;
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

/* ---- the run ---------------------------------------------------------------------- */

static char *metric_wkt(const struct tc_map *map)
{
    PJ_CONTEXT *c = proj_context_create();
    PJ *crs = c ? proj_create(c, map->metric_crs) : NULL;
    const char *w = crs ? proj_as_wkt(c, crs, PJ_WKT2_2019, NULL) : NULL;
    char *out = w ? strdup(w) : NULL;
    proj_destroy(crs);
    if (c)
        proj_context_destroy(c);
    return out;
}

struct strip {
    float *rsrp, *sinr;
    int32_t *best;
    uint8_t *servers;
};

/* Row r of the grid (row k of the strip), on thread wi. */
static void strip_row(const struct raster_grid *g, int r, int k, const struct rstations *s,
                      const struct raster_config *cfg, const double *noise_mw,
                      struct map_locator *loc, long *in, long *cov, struct strip *b)
{
    double y = g->y1 - (r + 0.5) * g->res;
    size_t o = (size_t)k * (size_t)g->width;
    for (int col = 0; col < g->width; col++, o++) {
        double x = g->x0 + (col + 0.5) * g->res;
        int t = map_locate(loc, x, y);
        struct rcell c = {(float)RASTER_NODATA_F32, (float)RASTER_NODATA_F32,
                          RASTER_NODATA_BEST, RASTER_NODATA_SERVERS};
        if (t >= 0) {
            raster_cell(s, cfg->load, noise_mw, x, y, &c);
            in[t]++;
            cov[t] += c.servers > 0;
        }
        b->rsrp[o] = c.rsrp;
        b->sinr[o] = c.sinr;
        b->best[o] = c.best;
        b->servers[o] = c.servers;
    }
}

static void consistency(const struct tc_map *map, const struct cov_result *res, const long *in,
                        const long *cov, int threads, struct raster_outcome *out)
{
    double sum = 0;
    out->consistency_max = 0;
    out->consistency_township = -1;
    out->townships_compared = 0;
    for (int t = 0; t < map->n; t++) {
        long ni = 0, nc = 0;
        for (int w = 0; w < threads; w++)
            ni += in[(size_t)w * map->n + t], nc += cov[(size_t)w * map->n + t];
        out->cells_in += ni;
        if (ni == 0)
            continue;
        double d = fabs((double)nc / ni - res[t].covered_frac);
        sum += d;
        out->townships_compared++;
        if (d > out->consistency_max)
            out->consistency_max = d, out->consistency_township = t;
    }
    out->consistency_mean = out->townships_compared ? sum / out->townships_compared : 0;
}

static int check_size(const struct raster_grid *g, unsigned mask, struct tc_error *err)
{
    if (g->width < 0 || g->height < 0)
        return tc_fail(err, TC_EXIT_RESOURCE, "raster.resolution_m = %g m: a grid of more than "
                       "2e9 cells a side", g->res);
    double bytes = 0;
    for (int l = 0; l < RASTER_LAYER_COUNT; l++)
        if (mask & (1u << l))
            bytes += (double)g->width * g->height * cell_bytes[l];
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (have > 0 && bytes > have)
        return tc_fail(err, TC_EXIT_RESOURCE, "raster.resolution_m = %g m: %d x %d cells, "
                       "%.1f GB uncompressed; this machine has %.1f GB (raise "
                       "raster.resolution_m)", g->res, g->width, g->height, bytes / 1e9,
                       have / 1e9);
    return 0;
}

int raster_check_size(const struct raster_config *cfg, const struct tc_map *map,
                      struct tc_error *err)
{
    unsigned mask;
    if (raster_config_layers(cfg, &mask, err) != 0)
        return -1;
    if (!(cfg->resolution_m > 0) || !mask)
        return 0;
    struct raster_grid g;
    raster_grid_of(map, cfg->resolution_m, &g);
    return check_size(&g, mask, err);
}

int raster_write(const char *dir, const struct raster_config *cfg,
                 const struct radio_model *radio, const struct tc_map *map,
                 const struct tc_sites *sites, const struct tc_footprints *fp,
                 const struct cov_result *results, int threads, struct raster_outcome *out,
                 struct tc_error *err)
{
    double t0 = tc_now();
    memset(out, 0, sizeof *out);
    out->consistency_township = -1;
    unsigned mask;
    if (raster_config_layers(cfg, &mask, err) != 0)
        return -1;
    if (!(cfg->resolution_m > 0) || !mask)
        return 0;
    threads = threads < 1 ? 1 : threads;
    if (!GDALGetDriverByName("GTiff"))
        GDALAllRegister(); /* a caller other than main (tests): once, serially */
    struct raster_grid *g = &out->grid;
    raster_grid_of(map, cfg->resolution_m, g);
    if (check_size(g, mask, err) != 0)
        return -1;
    double noise_mw[RADIO_BAND_COUNT] = {0};
    struct rstations s;
    struct rtif *tif[RASTER_LAYER_COUNT] = {0};
    struct tc_workers *ws = NULL;
    struct map_locator **loc = calloc((size_t)threads, sizeof *loc);
    long *in = calloc((size_t)threads * (size_t)map->n + 1, sizeof *in);
    long *cov = calloc((size_t)threads * (size_t)map->n + 1, sizeof *cov);
    size_t cells = (size_t)g->width * STRIP_ROWS;
    struct strip b = {malloc(cells * 4), malloc(cells * 4), malloc(cells * 4), malloc(cells)};
    char *wkt = metric_wkt(map);
    int rc = rstations_build(&s, radio, map, sites, fp, noise_mw, cfg->ue_noise_figure_db, err);
    if (rc == 0 && (!loc || !in || !cov || !b.rsrp || !b.sinr || !b.best || !b.servers || !wkt))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster strips)");
    if (rc == 0 && !(ws = tc_workers_new(threads, NULL, 0, err)))
        rc = -1;
    for (int w = 0; rc == 0 && w < threads; w++)
        if (!(loc[w] = map_locator_new(map, ws->w[w].geos)))
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (locator)");
    /* The shared geometries' envelopes, warmed before threads read them. */
    for (int t = 0; rc == 0 && t < map->n; t++) {
        double v;
        GEOSGeom_getXMin_r(map->ctx, map->t[t].geom, &v);
    }
    for (int l = 0; rc == 0 && l < RASTER_LAYER_COUNT; l++) {
        if (!(mask & (1u << l)))
            continue;
        char *path = outdir_join(dir, raster_file_name((enum raster_layer)l));
        tif[l] = path ? rtif_create(path, (enum raster_layer)l, g, wkt, cfg->cog, threads, err) : NULL;
        free(path);
        if (!tif[l])
            rc = -1;
    }
    const void *bufs[RASTER_LAYER_COUNT] = {b.rsrp, b.best, b.sinr, b.servers};
    for (int r0 = 0; rc == 0 && r0 < g->height; r0 += STRIP_ROWS) {
        int nr = g->height - r0 < STRIP_ROWS ? g->height - r0 : STRIP_ROWS;
        #pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int k = 0; k < nr; k++) {
            int w = omp_get_thread_num();
            strip_row(g, r0 + k, k, &s, cfg, noise_mw, loc[w], in + (size_t)w * map->n,
                      cov + (size_t)w * map->n, &b);
        }
        for (int l = 0; rc == 0 && l < RASTER_LAYER_COUNT; l++)
            if (tif[l])
                rc = rtif_write(tif[l], r0, nr, bufs[l], err);
        if (rc == 0 && tc_interrupted())
            rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted");
    }
    for (int l = 0; l < RASTER_LAYER_COUNT; l++) {
        if (rc == 0 && tif[l])
            rc = rtif_finish(&tif[l], err);
        rtif_abort(&tif[l]);
    }
    for (int l = 0; rc == 0 && l < RASTER_LAYER_COUNT; l++) {
        if (!(mask & (1u << l)))
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s", raster_file_name((enum raster_layer)l));
        strcpy(strrchr(name, '.'), ".qml");
        char *path = outdir_join(dir, name);
        rc = path ? raster_write_style(path, (enum raster_layer)l, sites->n, err)
                  : tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
        free(path);
    }
    if (rc == 0) {
        out->layers = mask;
        consistency(map, results, in, cov, threads, out);
    }
    for (int w = 0; loc && w < threads; w++)
        map_locator_free(&loc[w]);
    free(loc);
    tc_workers_free(&ws);
    rstations_free(&s);
    free(in);
    free(cov);
    free(b.rsrp);
    free(b.sinr);
    free(b.best);
    free(b.servers);
    free(wkt);
    out->seconds = tc_now() - t0;
    return rc;
}
