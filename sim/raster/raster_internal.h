/* raster_internal.h — what the raster stage's files share: the stations
 * as the cells see them (links and a grid index) and one GeoTIFF being
 * written. Private to sim/raster/. */
#ifndef TOWNCOV_RASTER_INTERNAL_H
#define TOWNCOV_RASTER_INTERNAL_H

#include <stdint.h>

#include "towncov/raster.h"
#include "towncov/terrain.h"

struct radio_rx;
struct tc_map;

/* A station as a row's search reads it, packed in bucket order. */
struct rcand {
    double x, y, reach2;
    long id;
};

struct terrain_dem;
struct terrain_config;

/* One station's ground, read together for every cell it reaches (one
 * cache miss, not three): its DEM frame, its ground height (NaN: unknown,
 * no terrain loss) and the model's parameters at its carrier. */
struct rter_station {
    struct terrain_frame frame;
    double h0;
    struct terrain_params p;
};

/* The ground under the stations, for rasters over terrain (terrain.c):
 * dem NULL when the rasters are flat. */
struct rterrain {
    const struct terrain_dem *dem;
    struct rter_station *st;
    double h_ut_m;
    int cap;                   /* samples of the longest profile */
};

/* The stations with their links and reaches, bucketed on a square grid of
 * side `bucket` (>= every reach), so that a cell's stations lie in its
 * 3 x 3 buckets, and a row's in three rows of buckets: packed holds them
 * bucket by bucket, row-major, so each bucket row is one run of it.
 * Read-only once built: rows on many threads share it. */
struct rstations {
    long n;
    const double *x, *y;       /* borrowed from the sites */
    double *reach2;            /* squared longest reach of each station */
    const struct radio_rx **rx; /* each station's link (borrowed from owned) */
    struct radio_rx **owned;   /* the links made: KIND_COUNT defaults then customs */
    long n_owned;
    int *band;
    double bucket, bx0, by0;
    int nbx, nby;
    long *head;                /* nbx * nby + 1 offsets into ids */
    long *ids;                 /* station ids per bucket, ascending */
    struct rcand *packed;      /* the stations in the order of ids */
    struct rterrain ter;       /* the ground (ter.dem NULL: flat) */
};

struct radio_model;
struct tc_sites;
struct tc_footprints;

/* Builds s from the sites, their footprints' reaches and the radio model's
 * links (link model only), and each band's thermal noise per RE (mW) into
 * noise_mw for UE noise figure nf_db. Returns 0, or -1 with err. Free with
 * rstations_free (also after a failure). */
int rstations_build(struct rstations *s, const struct radio_model *radio,
                    const struct tc_map *map, const struct tc_sites *sites,
                    const struct tc_footprints *fp, double *noise_mw, double nf_db,
                    struct tc_error *err);
void rstations_free(struct rstations *s);

/* One thread's scratch for a row of `width` cells (see cells.c): the cell
 * centres' x, what the stations that reach a cell leave there so far, and
 * one station's values along its span. */
struct rrow {
    int width;
    double x0, res;              /* the grid's west edge and cell size */
    double *xs;                  /* x of column c's centre */
    double *strongest, *strongest_mw, *serving;
    long *strongest_id, *serving_id;
    int64_t *servers;
    double *sum_mw;              /* RADIO_BAND_COUNT x width: received power per band */
    double *rsrp, *mw;           /* one station's span */
    int64_t *cover;
    double *td, *th;             /* a terrain profile's distances and heights */
    int tcap;
    long missing;                /* heights the DEM lacked (terrain) */
    long pairs, pairs_missing;   /* station-cell pairs over terrain, and those that
                                  * took an assumed height (raster_outcome) */
};

/* A thread's row scratch for grid g. Returns 0 or -1 (out of memory);
 * rrow_free also after a failure. */
int rrow_new(struct rrow *w, const struct raster_grid *g);
void rrow_free(struct rrow *w);

/* ---- terrain.c ----------------------------------------------------------- */

/* s's ground from the DEM: every station's frame, centred as the
 * footprint walk centres it (flat: the stations' flat footprints, whose
 * longest vertex also bounds s's reaches), on `threads` threads. Returns
 * 0, or -1 with err (PROJ fails at a station: exit 8, as in the walk). */
int rterrain_build(struct rterrain *t, const struct rstations *s, const struct tc_footprints *flat,
                   const struct terrain_dem *dem, const struct terrain_config *cfg, double h_ut_m,
                   double max_range_m, int threads, struct tc_error *err);
void rterrain_free(struct rterrain *t);
/* A row's profile scratch of cap samples: 0 or -1 (out of memory). */
int rrow_terrain_new(struct rrow *w, int cap);
/* Station id's values along columns c0 .. c0 + n - 1 of w (radio_rx_row's
 * rsrp, mw, cover) less the terrain excess from it to each cell. */
void rterrain_span(const struct rstations *s, struct rrow *w, long id, double dy, int c0, int n);

/* Values of one row's cells (one array per layer, width cells each). */
struct rrow_out {
    float *rsrp, *sinr;
    int32_t *best;
    uint8_t *servers;
};

/* Row y of the grid: per cell whose own[c] >= 0 (inside a township), the
 * strongest station's RSRP, the serving station (1-based; -1 when none
 * covers), SINR and servers; the other cells get nodata. Every station
 * within reach of a cell counts, in the buckets' order (which the
 * interference sum depends on). */
void raster_row(const struct rstations *s, struct rrow *w, double load,
                const double *noise_mw, double y, const int *own, struct rrow_out *out);

/* ---- scan.c ------------------------------------------------------------- */
struct rscan;
typedef struct GEOSContextHandle_HS *GEOSContextHandle_t;

/* own[] of a cell whose centre lies within rounding of a boundary: to be
 * located exactly (map_locate). */
#define RSCAN_UNSURE (-2)

/* The townships of map by scanlines over grid g (both borrowed for the
 * handle's life), read through GEOS context ctx (the map's, one thread),
 * strips of at most strip_rows rows. Free with rscan_free. NULL: out of
 * memory. */
struct rscan *rscan_new(const struct tc_map *map, const struct raster_grid *g,
                        GEOSContextHandle_t ctx, int strip_rows);
void rscan_free(struct rscan **s);
/* Collects the crossings of rows r0 .. r0 + nr - 1 (serially). Returns 0
 * or -1 (out of memory, or GEOS refused a ring). */
int rscan_strip(struct rscan *s, int r0, int nr);
/* Row k of the strip: own[c] = the township of cell c's centre, -1 none,
 * RSCAN_UNSURE; unsure is scratch of g->width bytes. Read-only on s: rows
 * may run on many threads, each with its own own and unsure. */
void rscan_row(const struct rscan *s, int k, int *own, uint8_t *unsure);

/* ---- overview.c --------------------------------------------------------- */
struct rpyramid;

#define RPYR_MAX_LEVELS 16

/* How a level's cell comes from a 2 x 2 block of the level below, as
 * GDAL 3.6's overviews compute it: AVERAGE (Float32 only, nodata left
 * out) or NEAREST (the block's top-left cell). */
enum rpyr_method { RPYR_AVERAGE, RPYR_NEAREST };

/* Receives rows row0 .. row0 + n - 1 of overview `level` (1: factor 2,
 * ..., levels: 2^levels), level width per row; rows is valid only during
 * the call. Rows come in order, tile_rows at a time (fewer at the level's
 * end), so that each call fills whole tile rows. Returns 0 or -1 (the
 * push fails). */
typedef int (*rpyr_sink)(void *ctx, int level, int row0, int n, const void *rows);

/* The overviews of a width x height base of cells of `bytes` (4: Float32
 * or Int32; 1), factors 2 .. 2^levels, handed out tile_rows (even) rows
 * at a time. width and height must be multiples of 2^levels. Holds
 * tile_rows rows of each level (at most tile_rows x width cells in all).
 * NULL: bad arguments or out of memory. Free with rpyr_free. */
struct rpyramid *rpyr_new(enum rpyr_method method, size_t bytes, double nodata, int width,
                          int height, int levels, int tile_rows);
void rpyr_free(struct rpyramid **p);
/* The base's next n rows (n even, in order), width per row: every level
 * row they complete goes to sink. Returns 0, or -1 (n odd, or the sink
 * failed). */
int rpyr_push(struct rpyramid *p, const void *rows, int n, rpyr_sink sink, void *ctx);
/* 1 when every level has been handed out whole. */
int rpyr_done(const struct rpyramid *p);

/* ---- gtiff.c ------------------------------------------------------------ */
struct rtif;

/* The files' tiles are RTIF_TILE x RTIF_TILE cells (RTIF_TILE_TEXT: the
 * same number as GDAL's options take it, text). */
#define RTIF_TILE 256
#define RTIF_TEXT_(n) #n
#define RTIF_TEXT(n) RTIF_TEXT_(n)
#define RTIF_TILE_TEXT RTIF_TEXT(RTIF_TILE)

/* Creates path as a tiled, DEFLATE-compressed GeoTIFF (cfg->deflate_level)
 * of one band of layer l's type, in CRS wkt, nodata, description and UNITS
 * set. cfg->cog: it is written uncompressed to path.part and copied to
 * path as a COG at the end. GDAL compresses tiles on `threads` threads of
 * its own (NUM_THREADS); the dataset itself is used by one thread at a
 * time. */
struct rtif *rtif_create(const char *path, enum raster_layer l, const struct raster_grid *g,
                         const char *wkt, const struct raster_config *cfg, int threads,
                         struct tc_error *err);
/* Writes rows row0 .. row0 + n - 1 from buf (the layer's type, width per
 * row), and the overview rows they complete. Rows come in order, row0 a
 * multiple of RTIF_TILE, n even. */
int rtif_write(struct rtif *t, int row0, int n, const void *buf, struct tc_error *err);
/* Closes, once every row was written (then copies to the COG, compressing on
 * `threads` GDAL threads, and removes the part file); frees t. Returns 0
 * or -1 with err. Datasets of different layers may finish on different
 * threads at once. */
int rtif_finish(struct rtif **t, int threads, struct tc_error *err);
/* Closes unfinished (after an error), removing a part file. */
void rtif_abort(struct rtif **t);

/* ---- style.c ------------------------------------------------------------ */
int raster_write_style(const char *path, enum raster_layer l, long n_sites, struct tc_error *err);

#endif
