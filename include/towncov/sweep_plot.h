/* sweep_plot.h — sweep.png: a parameter sweep at a glance, for a planner
 * choosing a value. Two panels share the x axis (the first varied key):
 * above, the townships failing the goal (the goal is met at 0); below, the
 * covered share of the area (solid), of the seat areas (dashed) and, when
 * the map has people, of the people (dotted, square markers), with the
 * goal's thresholds. One colour and legend entry per series (the
 * members sharing the values of the other varied keys), and a vertical
 * marker where the goal is met from. Drawn with cairo in the fonts of
 * map.png (picture_text.h). */
#ifndef TOWNCOV_SWEEP_PLOT_H
#define TOWNCOV_SWEEP_PLOT_H

#include "towncov/common.h"
#include "towncov/picture.h"

#define SWEEP_PLOT_WIDTH PICTURE_WIDTH /* pixels, as map.png */
#define SWEEP_PLOT_HEIGHT 1070         /* pixels: the panels do not depend on the data */

/* One line of the plot: the members sharing the values of every varied key but the first. */
struct sweep_plot_series {
    const char *label;          /* "radio.band_town=n41, goal.x=0.9" ("" when only one series) */
    int n;                      /* points, in x order */
    const double *x;            /* x values (numeric axis) or 0..n_ticks-1 (categorical) */
    const double *failing;      /* townships failing the goal */
    const double *covered;      /* covered share of the area, 0..1 */
    const double *seat_covered; /* covered share of the seat areas, 0..1; NULL: no seat areas */
    const double *people_covered; /* share of the people covered, 0..1; NULL: no people */
};
struct sweep_plot {
    const char *title;          /* e.g. the scenario name and "13 members" */
    const char *x_key;          /* the first varied key, e.g. "sites.count": the x axis label */
    int x_numeric;              /* 1: x values are numbers; 0: categorical, x = tick index */
    int n_ticks;                /* categorical: tick labels */
    const char *const *ticks;
    int n_townships;            /* for the failing axis (0..n_townships) */
    double goal_seat_fraction;  /* the goal's [goal] seat_area_min_fraction (0: not judged) */
    double goal_covered_fraction; /* [goal] min_covered_fraction (0: not judged) */
    double find_min_x;          /* NAN, or the x from which the goal is met: a vertical marker */
    int n_series;
    const struct sweep_plot_series *series;
};

/* Draws p (borrowed for the call) into the PNG at path with cairo, on the
 * calling thread: SWEEP_PLOT_WIDTH x SWEEP_PLOT_HEIGHT pixels, the same
 * bytes for the same p. A NaN value is a gap in its line. The picture is
 * written to "path.tmp" and renamed into place, so that path is either the
 * whole picture or untouched. 0, or -1 with err (TC_EXIT_OUTPUT when the
 * file cannot be written, TC_EXIT_INTERNAL when cairo fails or p is not
 * well formed). */
int sweep_plot_draw(const char *path, const struct sweep_plot *p, struct tc_error *err);

#endif
