/* density_internal.h — what density.c (the placement by a raster of
 * people) and density_read.c (reading the raster) share. Private to
 * sim/sites/. */
#ifndef TOWNCOV_DENSITY_INTERNAL_H
#define TOWNCOV_DENSITY_INTERNAL_H

#include <stddef.h>

#include "towncov/common.h"

struct tc_map;

/* The raster over the window of it the map covers, one strip of rows at a
 * time. */
struct people {
    int w, h;          /* the window, cells */
    double gt[6];      /* its geotransform (the raster's, origin moved) */
    int r0, r1;        /* the strip held: window rows r0 .. r1-1 */
    float *v;          /* its people per cell, row-major from row r0; nodata and NaN read as
                          0; only the cells of blocks holding a span are set */
    char *crs;         /* the raster's CRS as WKT */
};

/* A run of window cells c0 .. c1-1 of one row whose centres lie inside a
 * township: the township rasterised once, in row order then column order
 * (the order its people are summed and its cells drawn in). */
struct span { int row, c0, c1; };

struct spans {
    long n;
    size_t cap;
    struct span *s;
};

/* The raster's dataset handles (one per thread), which blocks to read and
 * the strip buffer. */
struct dens_reader;

/* Opens the raster at path and finds the window over the map's extent
 * (pp->w, h, gt, crs); nothing is read yet. 0, or -1 with err (exit 5:
 * not a raster, no band, no geotransform, rotated, no CRS, PROJ cannot
 * take it to the map's, or it misses the map). */
int dens_open(const char *path, const struct tc_map *map, struct people *pp,
              struct dens_reader **r, struct tc_error *err);

/* Marks the blocks holding some township's span (sp[0..n-1], window
 * pixels), opens a dataset handle for each of `threads` threads (serially)
 * and the strip buffer. 0, or -1 with err. */
int dens_plan(struct dens_reader *r, const struct spans *sp, int n, int threads,
              struct people *pp, struct tc_error *err);

/* The strips: whole block rows of the raster, at least 256 rows. */
long dens_strips(const struct dens_reader *r);

/* Reads strip k's needed blocks into pp (pp->r0, r1, v), by every thread.
 * With check, a negative or infinite cell is an error naming the first in
 * row order (exit 5). 0, or -1 with err. */
int dens_read_strip(struct dens_reader *r, long k, int check, struct people *pp,
                    struct tc_error *err);

void dens_close(struct dens_reader **r);

#endif
