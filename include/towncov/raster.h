/* raster.h — the signal rasters: per cell of a grid over the map (cell
 * centre inside a township), the best server's median SS-RSRP, which
 * station serves, the SINR and how many stations cover the cell, from the
 * same link budget, path loss and sector pattern as the footprints
 * (radio_rx_*), written as tiled, compressed GeoTIFFs with overviews
 * (GDAL) and a QGIS style each. Runs after the coverage stage: its
 * consistency figure compares the cells with the exact covered shares. */
#ifndef TOWNCOV_RASTER_H
#define TOWNCOV_RASTER_H

#include <stdio.h>

#include "towncov/common.h"
#include "towncov/raster_config.h"

struct tc_map;
struct tc_sites;
struct tc_footprints;
struct cov_result;
struct radio_model;

/* The grid: cell (r, c) has its centre at (x0 + (c + 0.5) res,
 * y1 - (r + 0.5) res), row 0 at the top (north). Its files have overviews
 * of factors 2, 4, ..., 2^levels, and width and height are multiples of
 * 2^levels (the map's extent padded east and south with nodata), so that
 * every overview cell is a whole block of cells. */
struct raster_grid {
    double x0, y1, res;
    int width, height;
    int levels;
};

/* What a raster run produced, for the summary and the QGIS project. */
struct raster_outcome {
    unsigned layers;          /* bits 1 << enum raster_layer written */
    struct raster_grid grid;
    long cells_in;            /* cells whose centre lies in a township */
    /* Consistency: per township with at least one cell, the share of its
     * cells with servers >= 1 minus its exact covered_frac; the largest
     * absolute value and the township it belongs to (-1: no township had
     * a cell), and the mean absolute value. */
    double consistency_max, consistency_mean;
    int consistency_township;
    int townships_compared;
    double seconds;            /* the whole stage, of which: */
    double cells_seconds;      /* computing the cells (strips, all threads) */
    double write_seconds;      /* writing the strips and their overviews (on one
                                  thread, while the others compute the next strip) */
    double finish_seconds;     /* closing the files, and the copies to COG */
    /* Over terrain (terrain = 1): the station-cell pairs evaluated, and
     * those whose profile took an assumed height (a height the DEM lacks,
     * or the station's own ground unknown: no terrain loss then). */
    int terrain;
    long terrain_pairs, terrain_pairs_missing;
};

/* The size of GDAL's block cache main sets (bytes). The rasters' tiles
 * are written past it; only the COG copies stream through it, and a few
 * tiles' worth keeps its blocks reused, mapped and in the CPU's caches
 * (64 MB cost the copies about a fifth more CPU at Jiangxi 100 m). */
#define RASTER_GDAL_CACHE (4 << 20)

/* Nodata of each raster (best_server: -1 means "inside, no server"). */
#define RASTER_NODATA_F32 (-9999.0)
#define RASTER_NODATA_BEST 0
#define RASTER_NODATA_SERVERS 255

/* The grid covering the map's extent at res, padded as struct raster_grid
 * says (width or height -1: more than 2e9 cells a side). */
void raster_grid_of(const struct tc_map *map, double res, struct raster_grid *g);

/* Refuses, before any work (TC_EXIT_RESOURCE, naming the size), rasters
 * of cfg over map whose uncompressed size would exceed the machine's
 * memory. Returns 0 (also when cfg asks for no rasters) or -1 with err. */
int raster_check_size(const struct raster_config *cfg, const struct tc_map *map,
                      struct tc_error *err);

/* Computes and writes the rasters cfg asks for into folder dir
 * (rsrp.tif, best_server.tif, sinr.tif, servers.tif, each with a .qml),
 * OpenMP over the rows of each strip on `threads` threads, each strip's
 * tiles and overview rows written from one thread at a time (overlapping
 * the next strip's rows), the layers' COG copies side by side. Every argument is borrowed for the
 * call. GDAL's drivers must be registered (towncov: when GDAL is loaded,
 * lazyload.h; tests: GDALAllRegister, once). Link model only. Refuses (TC_EXIT_RESOURCE) rasters whose
 * uncompressed size exceeds the machine's memory. Returns 0 and fills *out,
 * or -1 with err.
 * ter (NULL, or ter->dem NULL: flat ground): every station's value at a
 * cell less the terrain excess of the profile to the cell's centre, the
 * footprints' model and sampler (docs/terrain.md); each station then
 * reaches as far as its flat footprint (fp holds the terrain's). */
struct terrain_dem;
struct terrain_config;
struct raster_terrain {
    const struct terrain_dem *dem;
    const struct terrain_config *cfg;
    FILE *log; /* the warning when profiles took assumed heights (may be NULL) */
};
int raster_write(const char *dir, const struct raster_config *cfg,
                 const struct radio_model *radio, const struct tc_map *map,
                 const struct tc_sites *sites, const struct tc_footprints *fp,
                 const struct raster_terrain *ter, const struct cov_result *results, int threads,
                 struct raster_outcome *out, struct tc_error *err);

/* The <pipe> renderer of layer l's QGIS style (for its .qml and the
 * project); n_sites: the palette's size for best_server. */
void raster_style_pipe(FILE *f, enum raster_layer l, long n_sites);

/* A class of a raster's style: the colour ("#rrggbb") of values up to v
 * (1e9: the last, unbounded), and its legend label. */
struct raster_class { double v; const char *color, *label; };

/* The classes of layer l's ramp (rsrp, sinr, servers) into *out; their
 * count (0 for best_server, a palette: raster_best_server_rgb). */
int raster_style_classes(enum raster_layer l, const struct raster_class **out);

/* Station id's colour in best_server's style (0xrrggbb; id < 1: none). */
unsigned raster_best_server_rgb(long id, long n_sites);

/* "rsrp.tif", ... */
const char *raster_file_name(enum raster_layer l);

#endif
