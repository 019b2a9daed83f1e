/* picture_legend.c — map.png's title, legend, scale bar and north arrow. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/raster.h"
#include "towncov/sites.h"

#include "picture_int.h"
#include "picture_raster.h"

/* ---- title, legend, scale bar, north arrow ---------------------------------------*/
void picture_draw_title(const struct canvas *c, const struct run_outcome *run)
{
    const struct goal_verdict *v = run->verdict;
    char line[TC_STR_MAX + 256];
    if (v->met)
        snprintf(line, sizeof line, "GOAL MET: all %d townships have 5G service", run->map->n);
    else
        snprintf(line, sizeof line, "GOAL NOT MET: %d of %d townships fail", v->n_failing,
                 run->map->n);
    set_rgb(c->cr, v->met ? (struct rgb){0.10, 0.45, 0.20} : fail_red);
    picture_text_at(c, MARGIN, 50, 34, 1, line);
    snprintf(line, sizeof line, "%s  |  %ld stations  |  %.2f %% of %.0f km\xc2\xb2 covered  |  "
             "%d of %d seats covered", run->info.name, run->sites->n,
             100 * v->covered_m2 / v->area_m2, v->area_m2 / 1e6, v->seats_covered, run->map->n);
    set_rgb(c->cr, ink);
    picture_text_at(c, MARGIN, 86, 20, 0, line);
}

static void swatch(const struct canvas *c, double x, double y, struct rgb fill, const char *label)
{
    cairo_rectangle(c->cr, x, y, 34, 22);
    set_rgb(c->cr, fill);
    cairo_fill_preserve(c->cr);
    cairo_set_source_rgb(c->cr, 0.4, 0.4, 0.4);
    cairo_set_line_width(c->cr, 0.8);
    cairo_stroke(c->cr);
    set_rgb(c->cr, ink);
    picture_text_at(c, x + 46, y + 17, 18, 0, label);
}

static void draw_legend_stats(const struct canvas *c, const struct run_outcome *run, double x,
                              double y)
{
    const struct goal_verdict *v = run->verdict;
    char line[256];
    picture_text_at(c, x, y, 20, 1, "Goal");
    snprintf(line, sizeof line, "seat area covered \xe2\x89\xa5 %g %%",
             100 * run->goal->seat_area_min_fraction);
    picture_text_at(c, x, y + 30, 17, 0, line);
    snprintf(line, sizeof line, "covered area \xe2\x89\xa5 %g %%%s",
             100 * run->goal->min_covered_fraction, run->goal->seat_covered ? ", seat covered" : "");
    picture_text_at(c, x, y + 56, 17, 0, line);
    snprintf(line, sizeof line, "failing: %d of %d", v->n_failing, run->map->n);
    picture_text_at(c, x, y + 82, 17, 0, line);
}

static struct rgb rgb_of(unsigned v)
{
    return (struct rgb){(v >> 16 & 0xff) / 255.0, (v >> 8 & 0xff) / 255.0, (v & 0xff) / 255.0};
}

/* The raster's classes, highest first; returns the y below them. */
static double draw_raster_classes(const struct canvas *c, const struct run_outcome *run,
                                  double x, double y)
{
    static const char *const titles[] = {"SS-RSRP", "Best server", "SINR"};
    static const char *const notes[] = {"(strongest station, median)", "(one colour a station)",
                                        "(of the best server)"};
    set_rgb(c->cr, ink);
    picture_text_at(c, x, y + 16, 20, 1, titles[c->layer]);
    picture_text_at(c, x, y + 40, 16, 0, notes[c->layer]);
    const struct raster_class *cls;
    int n = raster_style_classes((enum raster_layer)c->layer, &cls);
    double yy = y + 58;
    if (c->layer == RASTER_BEST_SERVER) {
        char label[64];
        for (long id = 1; id <= 3 && id <= run->sites->n; id++, yy += 32) {
            snprintf(label, sizeof label, "station %ld", id);
            swatch(c, x, yy, rgb_of(raster_best_server_rgb(id, run->sites->n)), label);
        }
        swatch(c, x, yy, rgb_of(raster_best_server_rgb(-1, run->sites->n)), "no server");
        yy += 32;
    }
    for (int k = n - 1; k >= 0; k--, yy += 32)
        swatch(c, x, yy, rgb_of((unsigned)strtoul(cls[k].color + 1, NULL, 16)), cls[k].label);
    swatch(c, x, yy + 14, (struct rgb){1, 1, 1}, "no signal / outside");
    return yy + 14 + 32;
}

/* The two border lines of the legend from height ly, then the goal's
 * figures: the same below the township classes and below a raster's. */
static void legend_borders_and_stats(const struct canvas *c, const struct run_outcome *run,
                                     double x, double ly)
{
    set_rgb(c->cr, ink);
    cairo_set_line_width(c->cr, 1.4);
    cairo_move_to(c->cr, x, ly);
    cairo_line_to(c->cr, x + 34, ly);
    cairo_stroke(c->cr);
    picture_text_at(c, x + 46, ly + 6, 18, 0, "county border");
    cairo_set_source_rgba(c->cr, 0.35, 0.35, 0.35, 0.8);
    cairo_set_line_width(c->cr, 0.5);
    cairo_move_to(c->cr, x, ly + 28);
    cairo_line_to(c->cr, x + 34, ly + 28);
    cairo_stroke(c->cr);
    set_rgb(c->cr, ink);
    picture_text_at(c, x + 46, ly + 34, 18, 0, "township border");
    draw_legend_stats(c, run, x, ly + 84);
}

void picture_draw_legend(const struct canvas *c, const struct run_outcome *run)
{
    double x = c->x0 + c->mw + MARGIN, y = TITLE_H + 10;
    if (c->raster) {
        legend_borders_and_stats(c, run, x, draw_raster_classes(c, run, x, y) + 8);
        return;
    }
    int count[6] = {0};
    for (int t = 0; t < run->map->n; t++)
        count[picture_township_class(run, t)]++;
    set_rgb(c->cr, ink);
    picture_text_at(c, x, y + 16, 20, 1, "Covered fraction");
    picture_text_at(c, x, y + 40, 16, 0, "(townships meeting the goal)");
    char label[64];
    for (int k = 4; k >= 0; k--) {
        snprintf(label, sizeof label, "%d \xe2\x80\x93 %d %%  (%d)", 20 * k, 20 * (k + 1),
                 count[k]);
        swatch(c, x, y + 58 + 32 * (4 - k), frac_palette[k], label);
    }
    snprintf(label, sizeof label, "goal not met  (%d)", count[5]);
    swatch(c, x, y + 58 + 32 * 5 + 14, fail_red, label);
    legend_borders_and_stats(c, run, x, y + 58 + 32 * 6 + 40);
}

/* 1, 2 or 5 times a power of ten, near a fifth of the map's width. */
static double nice_length(double metres)
{
    double p = pow(10, floor(log10(metres)));
    double m = metres / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

void picture_draw_scale_bar(const struct canvas *c)
{
    double len = nice_length(c->mw / c->s / 5);
    double w = len * c->s, x = c->x0, y = c->y0 + c->mh + 30;
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(c->cr, x + i * w / 4, y, w / 4, 10);
        if (i % 2 == 0)
            set_rgb(c->cr, ink);
        else
            cairo_set_source_rgb(c->cr, 1, 1, 1);
        cairo_fill_preserve(c->cr);
        set_rgb(c->cr, ink);
        cairo_set_line_width(c->cr, 1);
        cairo_stroke(c->cr);
    }
    char label[64];
    const char *unit = len >= 1000 ? "km" : "m";
    double f = len >= 1000 ? 1e-3 : 1;
    picture_text_at(c, x - 4, y + 32, 16, 0, "0");
    snprintf(label, sizeof label, "%g", len / 2 * f);
    picture_text_at(c, x + w / 2 - picture_text_width(c, 16, label) / 2, y + 32, 16, 0, label);
    snprintf(label, sizeof label, "%g %s", len * f, unit);
    picture_text_at(c, x + w - picture_text_width(c, 16, "0") / 2, y + 32, 16, 0, label);
}

void picture_draw_north_arrow(const struct canvas *c)
{
    double x = c->x0 + c->mw - 30, y = c->y0 + 20;
    cairo_move_to(c->cr, x, y);
    cairo_line_to(c->cr, x + 13, y + 42);
    cairo_line_to(c->cr, x, y + 32);
    cairo_line_to(c->cr, x - 13, y + 42);
    cairo_close_path(c->cr);
    set_rgb(c->cr, ink);
    cairo_fill(c->cr);
    picture_text_at(c, x - picture_text_width(c, 20, "N") / 2, y + 66, 20, 1, "N");
}
