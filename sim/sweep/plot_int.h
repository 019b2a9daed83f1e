/* plot_int.h — what sweep.png's files share (private to sim/sweep/plot*.c):
 * the layout, the frame that maps values to pixels, the palette. */
#ifndef TOWNCOV_SWEEP_PLOT_INT_H
#define TOWNCOV_SWEEP_PLOT_INT_H

#include <cairo.h>

#include "towncov/picture_text.h"
#include "towncov/sweep_plot.h"

/* Layout, pixels: the title band, the two panels one above the other with
 * the x axis under the lower one, the legend on the right as in map.png. */
#define PLOT_MARGIN 30.0
#define PLOT_LEFT 110.0 /* room for the y tick labels */
#define PLOT_LEGEND_W 330.0
#define PLOT_RIGHT (SWEEP_PLOT_WIDTH - 2 * PLOT_MARGIN - PLOT_LEGEND_W)
#define PLOT_TOP_Y0 150.0
#define PLOT_TOP_Y1 530.0
#define PLOT_BOT_Y0 600.0
#define PLOT_BOT_Y1 980.0
#define PLOT_LEGEND_MAX 16 /* legend rows for series; more are counted */

/* The goal's colour: the green of map.png's "GOAL MET" title. */
static const struct rgb goal_green = {0.10, 0.45, 0.20};

/* A value range on an axis and its ticks: lo + k * step within [lo, hi]. */
struct plot_axis {
    double lo, hi;   /* the range the panel shows */
    double step;     /* between ticks */
    int decimals;    /* digits after the point in tick labels */
};

struct plot_frame {
    cairo_t *cr;
    const char *font;
    const struct sweep_plot *p;
    struct plot_axis x;     /* numeric: the x values; categorical: tick indices */
    struct plot_axis fail;  /* townships failing */
    struct plot_axis share; /* covered share, 0..1 */
};

static inline double axis_px(const struct plot_axis *a, double v, double p0, double p1)
{
    return p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0);
}
static inline double frame_px_x(const struct plot_frame *f, double x)
{
    return axis_px(&f->x, x, PLOT_LEFT, PLOT_RIGHT);
}
static inline double frame_px_fail(const struct plot_frame *f, double v)
{
    return axis_px(&f->fail, v, PLOT_TOP_Y1, PLOT_TOP_Y0);
}
static inline double frame_px_share(const struct plot_frame *f, double v)
{
    return axis_px(&f->share, v, PLOT_BOT_Y1, PLOT_BOT_Y0);
}

/* Series i's colour: ColorBrewer Dark2 (qualitative, legible on white),
 * cycling after eight. */
struct rgb sweep_plot_color(int i);

/* v with `decimals` digits and thousands separators ("45,000", "0.85"). */
void sweep_plot_format(char *buf, size_t size, double v, int decimals);

/* The label of x on the x axis: a number, or the categorical tick. */
void sweep_plot_x_label(const struct plot_frame *f, double x, char *buf, size_t size);

/* plot_series.c: every series' lines and markers in both panels, clipped
 * to them; the legend on the right. */
void sweep_plot_draw_series(const struct plot_frame *f);
void sweep_plot_draw_legend(const struct plot_frame *f);

#endif
