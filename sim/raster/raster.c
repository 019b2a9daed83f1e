/* raster/raster.c — the signal rasters (see raster.h): the grid, the
 * strips (their rows computed in parallel: cells.c, scan.c; then written)
 * and the layers finished side by side (gtiff.c). */
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
#include "towncov/map_crs.h"
#include "towncov/outdir.h"
#include "towncov/progress.h"
#include "towncov/radio.h"
#include "towncov/sites.h"
#include "towncov/worker.h"

#define STRIP_ROWS RTIF_TILE /* rows per strip: the tiles' height */

static const size_t cell_bytes[RASTER_LAYER_COUNT] = {4, 4, 4, 1};

const char *raster_file_name(enum raster_layer l)
{
    static const char *const files[RASTER_LAYER_COUNT] = {"rsrp.tif", "best_server.tif",
                                                          "sinr.tif", "servers.tif"};
    return files[l];
}

/* The overview levels of a grid of w x h cells: factors 2, 4, ... while
 * the longer side still has 128 cells at that factor (GDAL's and QGIS's
 * readers pick among them; the COG driver would stop near a tile too). */
static int overview_levels(int w, int h)
{
    int side = w > h ? w : h, levels = 0;
    while (levels < RPYR_MAX_LEVELS && side / (2 << levels) >= 128)
        levels++;
    return levels;
}

/* n rounded up to a multiple of m (a power of two), at most 2^31 - 1
 * (n <= 2e9 and m <= 2^16). */
static int round_up(int n, int m)
{
    return (int)(((long long)n + m - 1) / m * m);
}

void raster_grid_of(const struct tc_map *map, double res, struct raster_grid *g)
{
    g->res = res;
    g->x0 = floor(map->xmin / res) * res;
    g->y1 = ceil(map->ymax / res) * res;
    double w = ceil((map->xmax - g->x0) / res), h = ceil((g->y1 - map->ymin) / res);
    g->width = w < 1 ? 1 : w > 2e9 ? -1 : (int)w;
    g->height = h < 1 ? 1 : h > 2e9 ? -1 : (int)h;
    g->levels = 0;
    if (g->width < 0 || g->height < 0)
        return;
    /* Padded east and south so that every overview cell is a whole 2 x 2
     * block of the level below and each level's rows come in pairs: the
     * overviews are made from the strips as they are written (overview.c).
     * The extra cells lie outside the map's extent, so outside every
     * township: nodata. */
    g->levels = overview_levels(g->width, g->height);
    g->width = round_up(g->width, 1 << g->levels);
    g->height = round_up(g->height, 1 << g->levels);
}

/* ---- the run ---------------------------------------------------------------------- */

static char *metric_wkt(const struct tc_map *map)
{
    return map_crs_wkt2(map->metric_crs);
}

struct strip {
    float *rsrp, *sinr;
    int32_t *best;
    uint8_t *servers;
};

/* One thread's scratch: its locator (GEOS, for the cells the scanlines
 * leave unsure), the row's townships, the row's stations and values, its
 * per-township counts. */
struct rworker {
    struct map_locator *loc;
    struct rrow row;
    int *own;
    uint8_t *unsure;
    long *in, *cov;
    int failed; /* map_locate failed (out of memory): the rasters are not written */
};

/* Row r of the grid (row k of the strip), on the worker's thread. */
static void strip_row(const struct raster_grid *g, int r, int k, const struct rstations *s,
                      const struct raster_config *cfg, const double *noise_mw,
                      const struct rscan *scan, struct rworker *w, struct strip *b)
{
    double y = g->y1 - (r + 0.5) * g->res;
    size_t o = (size_t)k * (size_t)g->width;
    rscan_row(scan, k, w->own, w->unsure);
    for (int col = 0; col < g->width; col++)
        if (w->own[col] == RSCAN_UNSURE) {
            w->own[col] = map_locate(w->loc, w->row.xs[col], y);
            if (w->own[col] == MAP_LOCATE_FAILED) {
                w->failed = 1;
                w->own[col] = -1;
            }
        }
    struct rrow_out out = {b->rsrp + o, b->sinr + o, b->best + o, b->servers + o};
    raster_row(s, &w->row, cfg->load, noise_mw, y, w->own, &out);
    for (int col = 0; col < g->width; col++) {
        int t = w->own[col];
        if (t >= 0) {
            w->in[t]++;
            w->cov[t] += out.servers[col] > 0;
        }
    }
}

static int strip_alloc(struct strip *b, int width)
{
    size_t cells = (size_t)width * STRIP_ROWS;
    *b = (struct strip){malloc(cells * 4), malloc(cells * 4), malloc(cells * 4), malloc(cells)};
    return !b->rsrp || !b->sinr || !b->best || !b->servers;
}

static void strip_free(struct strip *b)
{
    free(b->rsrp);
    free(b->sinr);
    free(b->best);
    free(b->servers);
    memset(b, 0, sizeof *b);
}

/* What the strip loop reads (all borrowed). */
struct strips_job {
    const struct raster_grid *g;
    const struct rstations *s;
    const struct raster_config *cfg;
    const double *noise_mw;
    struct rscan *scan;
    struct rworker *rw;  /* one per thread */
    struct rtif **tif;   /* RASTER_LAYER_COUNT, NULL where not written */
    int threads;
};

/* Rows r0 .. r0 + nr - 1 of every layer from b to GDAL. */
static int strip_write(struct rtif **tif, const struct strip *b, int r0, int nr,
                       struct tc_error *err)
{
    const void *bufs[RASTER_LAYER_COUNT] = {b->rsrp, b->best, b->sinr, b->servers};
    for (int l = 0; l < RASTER_LAYER_COUNT; l++)
        if (tif[l] && rtif_write(tif[l], r0, nr, bufs[l], err) != 0)
            return -1;
    return 0;
}

/* What the strip loop's threads share. Each field is written by one
 * thread inside an OpenMP single and read by the others only after the
 * barrier that follows it. */
struct strips_sync {
    int stop;        /* leave the loop: set before any thread reads it */
    int rc;          /* the loop's result, err its message */
    int write_rc;    /* the writer's first failure, werr its message */
    struct tc_error werr;
    double wsec;     /* time spent writing */
};

/* Strip s's first row and row count. */
static int strip_rows(const struct raster_grid *g, int s, int *r0)
{
    *r0 = s * STRIP_ROWS;
    return g->height - *r0 < STRIP_ROWS ? g->height - *r0 : STRIP_ROWS;
}

/* Whether a worker's map_locate failed on the last strip. */
static int any_failed(const struct strips_job *j)
{
    for (int k = 0; k < j->threads; k++)
        if (j->rw[k].failed)
            return 1;
    return 0;
}

/* Before strip s (s == n: after the last): stop at the first failed
 * write, at an interrupt, or when the scanlines fail; else the strip's
 * scanlines. One thread; the others wait. */
static void strip_begin(const struct strips_job *j, int s, int n, struct strips_sync *y,
                        struct tc_error *err)
{
    int r0, nr = strip_rows(j->g, s, &r0);
    tc_progress("rasters", s, n);
    if (y->write_rc != 0) {
        *err = y->werr;
        y->rc = -1;
    } else if (tc_interrupted())
        y->rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted");
    else if (any_failed(j))
        y->rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory locating the raster's cells");
    else if (s < n && rscan_strip(j->scan, r0, nr) != 0)
        y->rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster scanlines)");
    y->stop = y->rc != 0;
}

/* Strip s from b to GDAL, on the one thread that takes it. */
static void strip_flush(const struct strips_job *j, const struct strip *b, int s,
                        struct strips_sync *y)
{
    double t = tc_now();
    int r0, nr = strip_rows(j->g, s, &r0);
    y->write_rc = strip_write(j->tif, b, r0, nr, &y->werr);
    y->wsec += tc_now() - t;
}

/* Every strip computed and written. The rows of strip s go to every
 * thread (each row on one thread, into its own part of the buffer, handed
 * out dynamically: rows in cities cost more) while one thread first writes
 * strip s - 1 from the other buffer (GDAL: one thread per dataset), then
 * joins in for the rows left: the writes and the overviews made from them
 * hide behind the cells. A write's failure stops the loop before the next
 * strip; the first is reported. The files do not depend on which thread
 * computes or writes what: strips are written in order. (OpenMP tasks for
 * the same overlap ran nearly every row on one thread under libgomp: the
 * rows stay a worksharing loop.) */
static int run_strips(const struct strips_job *j, struct strip b[2], struct raster_outcome *out,
                      struct tc_error *err)
{
    const struct raster_grid *g = j->g;
    int n = (g->height + STRIP_ROWS - 1) / STRIP_ROWS;
    struct strips_sync y = {0};
    double t0 = tc_now();
    #pragma omp parallel num_threads(j->threads)
    for (int s = 0; s <= n; s++) {
        #pragma omp single
        strip_begin(j, s, n, &y, err);
        if (y.stop)
            break;
        #pragma omp single nowait
        if (s > 0)
            strip_flush(j, &b[(s - 1) % 2], s - 1, &y);
        if (s < n) {
            int r0, nr = strip_rows(g, s, &r0);
            #pragma omp for schedule(dynamic, 1)
            for (int k = 0; k < nr; k++)
                strip_row(g, r0 + k, k, j->s, j->cfg, j->noise_mw, j->scan,
                          &j->rw[omp_get_thread_num()], &b[s % 2]);
        }
    }
    if (y.rc == 0) /* the last strip's write, and an interrupt during it */
        strip_begin(j, n, n, &y, err);
    tc_progress_end();
    out->cells_seconds = tc_now() - t0;
    out->write_seconds = y.wsec;
    return y.rc;
}

/* The layers closed and copied to COG (their overviews are written
 * already), one layer per thread: each is a dataset of its own (GDAL: one
 * thread per dataset), and a copy keeps GDAL's compression threads only
 * half busy (it reads and lays out tiles between them), so that layers
 * side by side use the cores better (measured again with the overviews
 * gone from here: as fast as two GDAL threads per layer, faster than one
 * layer at a time). The first failing layer's message is the one
 * reported, whatever the thread count. */
static int finish_layers(struct rtif *tif[RASTER_LAYER_COUNT], int threads,
                         struct tc_error *err)
{
    struct tc_error errs[RASTER_LAYER_COUNT];
    int rcs[RASTER_LAYER_COUNT] = {0}, n = 0;
    for (int l = 0; l < RASTER_LAYER_COUNT; l++)
        n += tif[l] != NULL;
    int side = threads < n ? threads : n > 0 ? n : 1;
    int inner = threads / side > 0 ? threads / side : 1;
    /* The 4-byte layers first, so that the 1-byte one fills the gap. */
    static const int order[RASTER_LAYER_COUNT] = {RASTER_RSRP, RASTER_SINR, RASTER_BEST_SERVER,
                                                  RASTER_SERVERS};
    #pragma omp parallel for num_threads(side) schedule(dynamic, 1)
    for (int i = 0; i < RASTER_LAYER_COUNT; i++) {
        int l = order[i];
        if (tif[l])
            rcs[l] = rtif_finish(&tif[l], inner, &errs[l]);
    }
    for (int l = 0; l < RASTER_LAYER_COUNT; l++)
        if (rcs[l] != 0) {
            *err = errs[l];
            return -1;
        }
    return 0;
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

/* The threads' counts of pairs over terrain into out, and what they took
 * for missing ground reported ([terrain] missing: a warning, or exit 4). */
static int terrain_pairs(const struct rworker *rw, int threads, const struct raster_terrain *ter,
                         struct raster_outcome *out, struct tc_error *err)
{
    out->terrain = 1;
    for (int w = 0; w < threads; w++) {
        out->terrain_pairs += rw[w].row.pairs;
        out->terrain_pairs_missing += rw[w].row.pairs_missing;
    }
    return terrain_report_raster_missing(ter->cfg, out->terrain_pairs, out->terrain_pairs_missing,
                                         ter->log, err);
}

int raster_write(const char *dir, const struct raster_config *cfg,
                 const struct radio_model *radio, const struct tc_map *map,
                 const struct tc_sites *sites, const struct tc_footprints *fp,
                 const struct raster_terrain *ter, const struct cov_result *results, int threads,
                 struct raster_outcome *out, struct tc_error *err)
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
    memset(&s, 0, sizeof s);
    struct rtif *tif[RASTER_LAYER_COUNT] = {0};
    struct tc_workers *ws = NULL;
    struct rworker *rw = calloc((size_t)threads, sizeof *rw);
    struct rscan *scan = rscan_new(map, g, map->ctx, STRIP_ROWS);
    long *in = calloc((size_t)threads * (size_t)map->n + 1, sizeof *in);
    long *cov = calloc((size_t)threads * (size_t)map->n + 1, sizeof *cov);
    struct strip b[2];
    int bad_strips = strip_alloc(&b[0], g->width) | strip_alloc(&b[1], g->width);
    char *wkt = metric_wkt(map);
    /* Over terrain each station reaches as far as its flat footprint. */
    const struct terrain_dem *dem = ter ? ter->dem : NULL;
    struct tc_footprints *flat = dem ? footprints_build(radio, map, sites, threads, err) : NULL;
    int rc = dem && !flat ? -1 : 0;
    if (rc == 0)
        rc = rstations_build(&s, radio, map, sites, dem ? flat : fp, noise_mw,
                             cfg->ue_noise_figure_db, err);
    if (rc == 0 && dem)
        rc = rterrain_build(&s.ter, &s, flat, dem, ter->cfg, radio_model_config(radio)->ue_height_m,
                            radio_model_config(radio)->max_range_m, threads, err);
    footprints_free(&flat);
    if (rc == 0 && (!rw || !scan || !in || !cov || bad_strips || !wkt))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (raster strips)");
    if (rc == 0 && !(ws = tc_workers_new(threads, NULL, 0, err)))
        rc = -1;
    for (int w = 0; rc == 0 && w < threads; w++) {
        rw[w].loc = map_locator_new(map, ws->w[w].geos);
        rw[w].own = malloc((size_t)g->width * sizeof *rw[w].own);
        rw[w].unsure = malloc((size_t)g->width);
        rw[w].in = in + (size_t)w * map->n;
        rw[w].cov = cov + (size_t)w * map->n;
        if (!rw[w].loc || !rw[w].own || !rw[w].unsure || rrow_new(&rw[w].row, g) != 0 ||
            (dem && rrow_terrain_new(&rw[w].row, s.ter.cap) != 0))
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory (locator)");
    }
    /* The shared geometries' envelopes, warmed before threads read them. */
    for (int t = 0; rc == 0 && t < map->n; t++) {
        double v;
        GEOSGeom_getXMin_r(map->ctx, map->t[t].geom, &v);
    }
    for (int l = 0; rc == 0 && l < RASTER_LAYER_COUNT; l++) {
        if (!(mask & (1u << l)))
            continue;
        char *path = outdir_join(dir, raster_file_name((enum raster_layer)l));
        tif[l] = path ? rtif_create(path, (enum raster_layer)l, g, wkt, cfg, threads, err) : NULL;
        free(path);
        if (!tif[l])
            rc = -1;
    }
    if (rc == 0) {
        struct strips_job job = {g, &s, cfg, noise_mw, scan, rw, tif, threads};
        rc = run_strips(&job, b, out, err);
    }
    if (rc == 0 && dem)
        rc = terrain_pairs(rw, threads, ter, out, err);
    double tf = tc_now();
    if (rc == 0)
        rc = finish_layers(tif, threads, err);
    for (int l = 0; l < RASTER_LAYER_COUNT; l++)
        rtif_abort(&tif[l]);
    out->finish_seconds = tc_now() - tf;
    for (int l = 0; rc == 0 && l < RASTER_LAYER_COUNT; l++) {
        if (!(mask & (1u << l)))
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s", raster_file_name((enum raster_layer)l));
        strcpy(strrchr(name, '.'), ".qml");
        char *path = outdir_join(dir, name);
        rc = path ? raster_write_style(path, (enum raster_layer)l, sites->n, err)
                  : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        free(path);
    }
    if (rc == 0) {
        out->layers = mask;
        consistency(map, results, in, cov, threads, out);
    }
    for (int w = 0; rw && w < threads; w++) {
        map_locator_free(&rw[w].loc);
        free(rw[w].own);
        free(rw[w].unsure);
        rrow_free(&rw[w].row);
    }
    free(rw);
    rscan_free(&scan);
    tc_workers_free(&ws);
    rstations_free(&s);
    free(in);
    free(cov);
    strip_free(&b[0]);
    strip_free(&b[1]);
    free(wkt);
    out->seconds = tc_now() - t0;
    return rc;
}
