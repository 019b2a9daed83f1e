/* raster_internal.h — what the raster stage's files share: the stations
 * as the cells see them (links and a grid index) and one GeoTIFF being
 * written. Private to sim/raster/. */
#ifndef TOWNCOV_RASTER_INTERNAL_H
#define TOWNCOV_RASTER_INTERNAL_H

#include <stdint.h>

#include "towncov/raster.h"

struct radio_rx;

/* The stations with their links and reaches, bucketed on a square grid of
 * side `bucket` (>= every reach), so that a cell looks at 3 x 3 buckets. */
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
};

/* Values of one cell. */
struct rcell {
    float rsrp, sinr;
    int32_t best;
    uint8_t servers;
};

/* One cell at (x, y), inside a township: the strongest station's RSRP, the
 * serving station (1-based; -1 when none covers), SINR and servers. */
void raster_cell(const struct rstations *s, double load, const double *noise_mw, double x,
                 double y, struct rcell *c);

/* ---- gtiff.c ------------------------------------------------------------ */
struct rtif;

/* Creates path as a tiled, DEFLATE-compressed GeoTIFF of one band of
 * layer l's type, in CRS wkt, nodata, description and UNITS set. cog: it
 * is written to path.part and copied to path as a COG at the end. GDAL
 * compresses tiles on `threads` threads of its own (NUM_THREADS); the
 * dataset itself is used by the calling thread alone. */
struct rtif *rtif_create(const char *path, enum raster_layer l, const struct raster_grid *g,
                         const char *wkt, int cog, int threads, struct tc_error *err);
/* Writes rows row0 .. row0 + n - 1 from buf (the layer's type, width per row). */
int rtif_write(struct rtif *t, int row0, int n, const void *buf, struct tc_error *err);
/* Builds the overviews and closes (then copies to the COG and removes the
 * part file); frees t. Returns 0 or -1 with err. */
int rtif_finish(struct rtif **t, struct tc_error *err);
/* Closes without overviews (after an error), removing a part file. */
void rtif_abort(struct rtif **t);

/* ---- style.c ------------------------------------------------------------ */
int raster_write_style(const char *path, enum raster_layer l, long n_sites, struct tc_error *err);

#endif
