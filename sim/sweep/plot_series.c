/* plot_series.c — sweep.png's series (lines and markers in both panels)
 * and its legend. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_int.h"

struct rgb sweep_plot_color(int i)
{
    static const struct rgb dark2[8] = {
        {0.106, 0.620, 0.467}, {0.851, 0.373, 0.008}, {0.459, 0.439, 0.702},
        {0.906, 0.161, 0.541}, {0.400, 0.651, 0.118}, {0.902, 0.671, 0.008},
        {0.651, 0.463, 0.114}, {0.400, 0.400, 0.400}};
    return dark2[(i % 8 + 8) % 8];
}

/* How a series is drawn in one panel. */
enum mark { MARK_DOT, MARK_RING, MARK_SQUARE };
enum dash { DASH_NONE, DASH_SEAT, DASH_PEOPLE };
struct line_style {
    struct rgb color;
    enum dash dash;
    enum mark mark;
};

static const double seat_dash[] = {12, 7};
static const double people_dash[] = {3, 6}; /* dotted: round caps make the dots */

static void set_line(cairo_t *cr, const struct line_style *st)
{
    set_rgb(cr, st->color);
    cairo_set_line_width(cr, 3);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, st->dash == DASH_PEOPLE ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
    if (st->dash == DASH_SEAT)
        cairo_set_dash(cr, seat_dash, 2, 0);
    else if (st->dash == DASH_PEOPLE)
        cairo_set_dash(cr, people_dash, 2, 0);
    else
        cairo_set_dash(cr, NULL, 0, 0);
}

/* A marker: a dot, a ring (white inside) for the seat areas' line, a
 * square for the people's. */
static void draw_mark(cairo_t *cr, double x, double y, const struct line_style *st)
{
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_new_sub_path(cr);
    if (st->mark == MARK_SQUARE) {
        set_rgb(cr, st->color);
        cairo_rectangle(cr, x - 5, y - 5, 10, 10);
        cairo_fill(cr);
        return;
    }
    cairo_arc(cr, x, y, 5.5, 0, 2 * M_PI);
    if (st->mark == MARK_RING) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        set_rgb(cr, st->color);
        cairo_set_line_width(cr, 2.5);
        cairo_stroke(cr);
    } else {
        set_rgb(cr, st->color);
        cairo_fill(cr);
    }
}

/* The points (x[k], v[k]) through to_px: a polyline broken at NaN values,
 * then a marker at every finite point (one point: the marker alone). */
static void draw_polyline(const struct plot_frame *f, const struct sweep_plot_series *s,
                          const double *v, double (*to_py)(const struct plot_frame *, double),
                          const struct line_style *st)
{
    cairo_t *cr = f->cr;
    int pen_down = 0;
    for (int k = 0; k < s->n; k++) {
        if (!isfinite(s->x[k]) || !isfinite(v[k])) {
            pen_down = 0;
            continue;
        }
        double px = frame_px_x(f, s->x[k]), py = to_py(f, v[k]);
        (pen_down ? cairo_line_to : cairo_move_to)(cr, px, py);
        pen_down = 1;
    }
    set_line(cr, st);
    cairo_stroke(cr);
    for (int k = 0; k < s->n; k++)
        if (isfinite(s->x[k]) && isfinite(v[k]))
            draw_mark(cr, frame_px_x(f, s->x[k]), to_py(f, v[k]), st);
}

/* Clips to a panel, a little larger so that markers on its edge show. */
static void clip_panel(cairo_t *cr, double y0, double y1)
{
    cairo_save(cr);
    cairo_rectangle(cr, PLOT_LEFT - 8, y0 - 8, PLOT_RIGHT - PLOT_LEFT + 16, y1 - y0 + 16);
    cairo_clip(cr);
}

void sweep_plot_draw_series(const struct plot_frame *f)
{
    const struct sweep_plot *p = f->p;
    clip_panel(f->cr, PLOT_TOP_Y0, PLOT_TOP_Y1);
    for (int i = 0; i < p->n_series; i++) {
        struct line_style st = {sweep_plot_color(i), DASH_NONE, MARK_DOT};
        draw_polyline(f, &p->series[i], p->series[i].failing, frame_px_fail, &st);
    }
    cairo_restore(f->cr);
    clip_panel(f->cr, PLOT_BOT_Y0, PLOT_BOT_Y1);
    /* The seat areas' dashed and the people's dotted lines first: the
     * area's solid line stays on top. */
    for (int i = 0; i < p->n_series; i++) {
        struct line_style seat = {sweep_plot_color(i), DASH_SEAT, MARK_RING};
        if (p->series[i].seat_covered)
            draw_polyline(f, &p->series[i], p->series[i].seat_covered, frame_px_share, &seat);
    }
    for (int i = 0; i < p->n_series; i++) {
        struct line_style people = {sweep_plot_color(i), DASH_PEOPLE, MARK_SQUARE};
        if (p->series[i].people_covered)
            draw_polyline(f, &p->series[i], p->series[i].people_covered, frame_px_share,
                          &people);
    }
    for (int i = 0; i < p->n_series; i++) {
        struct line_style area = {sweep_plot_color(i), DASH_NONE, MARK_DOT};
        draw_polyline(f, &p->series[i], p->series[i].covered, frame_px_share, &area);
    }
    cairo_restore(f->cr);
}

/* ---- the legend ------------------------------------------------------------------*/
#define LEGEND_X (PLOT_RIGHT + PLOT_MARGIN)
#define LEGEND_TEXT_W (PLOT_LEGEND_W - 50)

/* A sample of a line 34 px long with its marker, and its label (cut with
 * an ellipsis to the legend's width) at the right. */
static void legend_row(const struct plot_frame *f, double y, const struct line_style *st,
                       const char *label)
{
    cairo_move_to(f->cr, LEGEND_X, y);
    cairo_line_to(f->cr, LEGEND_X + 34, y);
    set_line(f->cr, st);
    cairo_stroke(f->cr);
    draw_mark(f->cr, LEGEND_X + 17, y, st);
    char text[TC_STR_MAX + 4];
    size_t n = strlen(label);
    snprintf(text, sizeof text, "%s", label);
    while (n > 0 && picture_text_advance(f->cr, f->font, 16, 0, text) > LEGEND_TEXT_W) {
        do /* back one UTF-8 character */
            n--;
        while (n > 0 && ((unsigned char)label[n] & 0xc0) == 0x80);
        snprintf(text, sizeof text, "%.*s\xe2\x80\xa6", (int)n, label);
    }
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, LEGEND_X + 46, y + 6, 16, 0, text);
}

/* The series with a label, PLOT_LEGEND_MAX at most (the rest counted);
 * returns the y below them. */
static double legend_series(const struct plot_frame *f, double y)
{
    const struct sweep_plot *p = f->p;
    int labelled = 0, shown = 0;
    for (int i = 0; i < p->n_series; i++)
        labelled += p->series[i].label && p->series[i].label[0];
    if (labelled == 0)
        return y;
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, LEGEND_X, y, 20, 1, "Series");
    y += 30;
    int room = labelled > PLOT_LEGEND_MAX ? PLOT_LEGEND_MAX - 1 : labelled;
    for (int i = 0; i < p->n_series && shown < room; i++) {
        if (!p->series[i].label || !p->series[i].label[0])
            continue;
        struct line_style st = {sweep_plot_color(i), DASH_NONE, MARK_DOT};
        legend_row(f, y, &st, p->series[i].label);
        y += 28;
        shown++;
    }
    if (shown < labelled) {
        char more[96];
        snprintf(more, sizeof more, "\xe2\x80\xa6 and %d more (colours repeat every 8)",
                 labelled - shown);
        set_rgb(f->cr, ink);
        picture_text_show(f->cr, f->font, LEGEND_X, y + 6, 16, 0, more);
        y += 28;
    }
    return y + 20;
}

static int any_seat(const struct sweep_plot *p)
{
    for (int i = 0; i < p->n_series; i++)
        if (p->series[i].seat_covered)
            return 1;
    return 0;
}

static int any_people(const struct sweep_plot *p)
{
    for (int i = 0; i < p->n_series; i++)
        if (p->series[i].people_covered)
            return 1;
    return 0;
}

/* What the line styles mean: solid and dashed, the goal's green, the
 * find-min marker. */
static void legend_styles(const struct plot_frame *f, double y)
{
    struct rgb grey = {0.4, 0.4, 0.4};
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, LEGEND_X, y, 20, 1, "Lines");
    y += 30;
    legend_row(f, y, &(struct line_style){grey, DASH_NONE, MARK_DOT}, "area covered / failing");
    y += 28;
    if (any_seat(f->p)) {
        legend_row(f, y, &(struct line_style){grey, DASH_SEAT, MARK_RING}, "seat areas covered");
        y += 28;
    }
    if (any_people(f->p)) {
        legend_row(f, y, &(struct line_style){grey, DASH_PEOPLE, MARK_SQUARE}, "people covered");
        y += 28;
    }
    set_rgb(f->cr, goal_green);
    cairo_move_to(f->cr, LEGEND_X, y);
    cairo_line_to(f->cr, LEGEND_X + 34, y);
    cairo_set_line_width(f->cr, 2);
    cairo_stroke(f->cr);
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, LEGEND_X + 46, y + 6, 16, 0, "goal threshold");
    if (!isfinite(f->p->find_min_x))
        return;
    y += 28;
    static const double dash[] = {10, 6};
    cairo_set_dash(f->cr, dash, 2, 0);
    cairo_move_to(f->cr, LEGEND_X + 17, y - 12);
    cairo_line_to(f->cr, LEGEND_X + 17, y + 12);
    cairo_stroke(f->cr);
    cairo_set_dash(f->cr, NULL, 0, 0);
    picture_text_show(f->cr, f->font, LEGEND_X + 46, y + 6, 16, 0, "goal met from here on");
}

void sweep_plot_draw_legend(const struct plot_frame *f)
{
    legend_styles(f, legend_series(f, PLOT_TOP_Y0 + 6));
}
