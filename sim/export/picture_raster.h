/* picture_raster.h — map.png's raster layer (output.picture_layer): a
 * signal raster read back from its GeoTIFF with GDAL and painted in its
 * style's colours (private to sim/export/). */
#ifndef TOWNCOV_PICTURE_RASTER_H
#define TOWNCOV_PICTURE_RASTER_H

#include <cairo.h>

#include "towncov/common.h"
#include "towncov/raster_config.h"

/* The pw x ph image of tif (layer l) over the metric box whose top left
 * corner is (xmin, ymax), s pixels per metre: GDAL resamples (nearest
 * neighbour, from an overview when one fits); nodata and cells outside the
 * raster are transparent. n_sites: best_server's palette. Returns a new
 * ARGB32 surface, or NULL with err (TC_EXIT_OUTPUT when GDAL cannot read
 * the file). */
cairo_surface_t *picture_raster_image(const char *tif, enum raster_layer l, long n_sites,
                                      int pw, int ph, double xmin, double ymax, double s,
                                      struct tc_error *err);

/* Value v's colour in layer l's style, 0xrrggbb. */
unsigned picture_raster_rgb(enum raster_layer l, long n_sites, double v);

#endif
