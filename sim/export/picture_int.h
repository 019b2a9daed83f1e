/* picture_int.h — what map.png's files share (private to sim/export/):
 * the canvas, its colours and the text helpers. */
#ifndef TOWNCOV_PICTURE_INT_H
#define TOWNCOV_PICTURE_INT_H

#include <cairo.h>

#include "towncov/picture_text.h"

struct run_outcome;

/* Layout, pixels. */
#define MARGIN 30.0
#define TITLE_H 104.0
#define LEGEND_W 330.0
#define BOTTOM_H 80.0
#define MAP_H_MAX 1500.0
#define LEGEND_H 560.0

/* Covered fraction of townships that meet the goal, five classes of 20 %:
 * ColorBrewer YlGnBu, light (little) to dark (all); sequential, and apart
 * from the red of failing townships for colour-blind readers too. */
static const struct rgb frac_palette[5] = {
    {1.000, 1.000, 0.800}, {0.631, 0.855, 0.706}, {0.255, 0.714, 0.769},
    {0.173, 0.498, 0.722}, {0.145, 0.204, 0.580}};
static const struct rgb fail_red = {0.890, 0.102, 0.110};

struct canvas {
    cairo_t *cr;
    double s;        /* pixels per metre */
    double x0, y0;   /* pixel of the map's (xmin, ymax) */
    double mw, mh;   /* map box, pixels */
    double xmin, ymax;
    const char *font;
    /* output.picture_layer other than coverage: that raster (enum
     * raster_layer) as an image of the map box, painted under the borders. */
    int layer;
    cairo_surface_t *raster;
};

static inline void to_px(const struct canvas *c, double x, double y, double *px, double *py)
{
    *px = c->x0 + (x - c->xmin) * c->s;
    *py = c->y0 + (c->ymax - y) * c->s;
}

/* Text at (x, y) in the picture's font (bold or not), and its width. */
void picture_text_at(const struct canvas *c, double x, double y, double size, int bold,
                     const char *s);
double picture_text_width(const struct canvas *c, double size, const char *s);

/* The class of township t: 0-4 its covered fifth (goal met), 5 failing. */
int picture_township_class(const struct run_outcome *run, int t);

/* picture_legend.c: the title, the legend, the scale bar, the north arrow. */
void picture_draw_title(const struct canvas *c, const struct run_outcome *run);
void picture_draw_legend(const struct canvas *c, const struct run_outcome *run);
void picture_draw_scale_bar(const struct canvas *c);
void picture_draw_north_arrow(const struct canvas *c);

#endif
