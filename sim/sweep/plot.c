/* plot.c — sweep.png (see sweep_plot.h): the axes from the data, the
 * panels with their grids and the goal's thresholds, the find-min marker,
 * the title, and the file written whole or not at all. */
#include "towncov/sweep_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

/* ---- numbers ---------------------------------------------------------------------*/
void sweep_plot_format(char *buf, size_t size, double v, int decimals)
{
    char raw[64];
    /* No "-0" for a value that rounds to zero. */
    if (fabs(v) < 0.5 * pow(10, -decimals))
        v = 0;
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    const char *digits = raw[0] == '-' ? raw + 1 : raw;
    size_t n_int = strcspn(digits, ".");
    size_t o = 0;
    if (digits != raw && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; digits[i] && o + 1 < size; i++) {
        if (i > 0 && i < n_int && (n_int - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

void sweep_plot_x_label(const struct plot_frame *f, double x, char *buf, size_t size)
{
    if (f->p->x_numeric) {
        sweep_plot_format(buf, size, x, f->x.decimals);
        return;
    }
    long k = lround(x);
    snprintf(buf, size, "%s", k >= 0 && k < f->p->n_ticks ? f->p->ticks[k] : "?");
}

/* 1, 2 or 5 times a power of ten, near span / target. */
static double nice_step(double span, int target)
{
    double raw = span / target, p = pow(10, floor(log10(raw)));
    double m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static int step_decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : d > 6 ? 6 : d;
}

/* ---- axes from the data ----------------------------------------------------------
 * Each range folds the finite values of one field of every series; NaN
 * values are gaps, not zeros. */
enum plot_field { FIELD_X, FIELD_FAILING, FIELD_COVERED, FIELD_SEAT, FIELD_PEOPLE };

static const double *field_of(const struct sweep_plot_series *s, enum plot_field fl)
{
    return fl == FIELD_X ? s->x : fl == FIELD_FAILING ? s->failing
           : fl == FIELD_COVERED ? s->covered : fl == FIELD_SEAT ? s->seat_covered
                                              : s->people_covered;
}

static void fold_range(const struct sweep_plot *p, enum plot_field fl, double *lo, double *hi)
{
    for (int i = 0; i < p->n_series; i++) {
        const double *v = field_of(&p->series[i], fl);
        for (int k = 0; v && k < p->series[i].n; k++)
            if (isfinite(v[k])) {
                *lo = fmin(*lo, v[k]);
                *hi = fmax(*hi, v[k]);
            }
    }
}

/* Numeric x: nice ticks over the values, the range padded by 4 % so that
 * the end markers stand clear of the frame. One value: a span around it.
 * Categorical: one slot per tick label. */
static struct plot_axis x_axis(const struct sweep_plot *p)
{
    if (!p->x_numeric)
        return (struct plot_axis){-0.5, p->n_ticks - 0.5, 1, 0};
    double lo = INFINITY, hi = -INFINITY;
    fold_range(p, FIELD_X, &lo, &hi);
    if (!(lo <= hi))
        lo = 0, hi = 1;
    if (hi - lo < 1e-9 * fmax(1, fabs(lo))) {
        double half = fmax(1, fabs(lo) * 0.1);
        lo -= half, hi += half;
    }
    double step = nice_step(hi - lo, 8), pad = 0.04 * (hi - lo);
    return (struct plot_axis){lo - pad, hi + pad, step, step_decimals(step)};
}

/* Townships failing: from 0 to the largest value rounded up to a tick
 * (whole townships), at least 1 so that a sweep that always meets the
 * goal still has an axis. */
static struct plot_axis fail_axis(const struct sweep_plot *p)
{
    double lo = 0, hi = 1;
    fold_range(p, FIELD_FAILING, &lo, &hi);
    double step = fmax(1, nice_step(hi, 5));
    return (struct plot_axis){0, ceil(hi / step - 1e-9) * step, step, 0};
}

/* Covered share: up to 100 %, down to the lowest value or threshold
 * shown, floored to 10 % below it (a point on a tenth stands clear of the
 * frame): a sweep between 92 and 99 % is not a flat line at the top of a
 * 0-100 % panel. */
static struct plot_axis share_axis(const struct sweep_plot *p)
{
    double lo = 1, hi = 1; /* hi: 100 %, more only to show a share above 1 */
    fold_range(p, FIELD_COVERED, &lo, &hi);
    fold_range(p, FIELD_SEAT, &lo, &hi);
    fold_range(p, FIELD_PEOPLE, &lo, &hi);
    if (p->goal_seat_fraction > 0)
        lo = fmin(lo, p->goal_seat_fraction);
    if (p->goal_covered_fraction > 0)
        lo = fmin(lo, p->goal_covered_fraction);
    lo = fmin(0.9, fmax(0, floor((lo - 0.01) * 10) / 10));
    double step = nice_step(hi - lo, 5);
    return (struct plot_axis){lo, ceil(hi / step - 1e-9) * step, step, step_decimals(step * 100)};
}

/* ---- panels ----------------------------------------------------------------------*/
/* The centre of a line `width` (whole) pixels wide near v, so that it
 * covers whole pixels: crisp grid and threshold lines, not blurred pairs. */
static double crisp(double v, double width)
{
    return (long)width % 2 ? floor(v) + 0.5 : round(v);
}

static void hline(cairo_t *cr, double y, double width)
{
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, PLOT_LEFT, crisp(y, width));
    cairo_line_to(cr, PLOT_RIGHT, crisp(y, width));
    cairo_stroke(cr);
}

/* The y ticks of one panel: grid lines and labels (suffix "%" for shares). */
static void draw_y_ticks(const struct plot_frame *f, const struct plot_axis *a, double y0,
                         double y1, double scale, const char *suffix)
{
    char label[64], num[48];
    long k0 = lround(ceil(a->lo / a->step - 1e-9)), k1 = lround(floor(a->hi / a->step + 1e-9));
    for (long k = k0; k <= k1; k++) {
        double v = k * a->step, y = axis_px(a, v, y1, y0);
        cairo_set_source_rgb(f->cr, 0.88, 0.88, 0.88);
        hline(f->cr, y, 1);
        sweep_plot_format(num, sizeof num, v * scale, a->decimals);
        snprintf(label, sizeof label, "%s%s", num, suffix);
        set_rgb(f->cr, ink);
        picture_text_show(f->cr, f->font,
                          PLOT_LEFT - 10 - picture_text_advance(f->cr, f->font, 16, 0, label),
                          y + 6, 16, 0, label);
    }
}

/* The x grid of a panel and, under the lower one, the tick labels:
 * categorical labels thinned so that they do not overlap. */
static long x_label_stride(const struct plot_frame *f)
{
    if (f->p->x_numeric)
        return 1;
    double widest = 0;
    for (int i = 0; i < f->p->n_ticks; i++)
        widest = fmax(widest, picture_text_advance(f->cr, f->font, 16, 0, f->p->ticks[i]));
    double slot = (PLOT_RIGHT - PLOT_LEFT) / f->p->n_ticks;
    return (long)ceil((widest + 14) / slot);
}

static void draw_x_ticks(const struct plot_frame *f, double y0, double y1, int labels)
{
    const struct plot_axis *a = &f->x;
    long k0 = lround(ceil(a->lo / a->step - 1e-9)), k1 = lround(floor(a->hi / a->step + 1e-9));
    long stride = labels ? x_label_stride(f) : 1;
    char label[TC_STR_MAX];
    for (long k = k0; k <= k1; k++) {
        double v = k * a->step, x = frame_px_x(f, v), gx = crisp(x, 1);
        cairo_set_source_rgb(f->cr, 0.88, 0.88, 0.88);
        cairo_set_line_width(f->cr, 1);
        cairo_move_to(f->cr, gx, y0);
        cairo_line_to(f->cr, gx, y1);
        cairo_stroke(f->cr);
        if (!labels || (k - k0) % stride != 0)
            continue;
        sweep_plot_x_label(f, v, label, sizeof label);
        set_rgb(f->cr, ink);
        double w = picture_text_advance(f->cr, f->font, 16, 0, label);
        picture_text_show(f->cr, f->font, x - w / 2, y1 + 24, 16, 0, label);
    }
}

static void draw_panel_frame(const struct plot_frame *f, double y0, double y1, const char *title)
{
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, PLOT_LEFT, y0 - 14, 20, 1, title);
    cairo_rectangle(f->cr, PLOT_LEFT, y0, PLOT_RIGHT - PLOT_LEFT, y1 - y0);
    cairo_set_line_width(f->cr, 1.2);
    cairo_stroke(f->cr);
}

/* The goal's thresholds: met where no township fails (0 in the upper
 * panel), and the covered shares it asks for when it judges them. */
struct threshold {
    double y;        /* pixel */
    char label[96];
    int below;       /* label under the line: a second threshold at the same y */
};

static int thresholds_of(const struct plot_frame *f, struct threshold t[3])
{
    const struct sweep_plot *p = f->p;
    int n = 0;
    t[n] = (struct threshold){frame_px_fail(f, 0), "goal met (no township fails)", 0};
    n++;
    if (p->goal_covered_fraction > 0) {
        t[n] = (struct threshold){frame_px_share(f, p->goal_covered_fraction), "", 0};
        snprintf(t[n].label, sizeof t[n].label, "goal: covered area \xe2\x89\xa5 %g %%",
                 100 * p->goal_covered_fraction);
        n++;
    }
    if (p->goal_seat_fraction > 0) {
        t[n] = (struct threshold){frame_px_share(f, p->goal_seat_fraction), "",
                                  p->goal_seat_fraction == p->goal_covered_fraction};
        snprintf(t[n].label, sizeof t[n].label, "goal: seat area covered \xe2\x89\xa5 %g %%",
                 100 * p->goal_seat_fraction);
        n++;
    }
    return n;
}

/* The lines go under the series, their labels over them (on white, at the
 * right end), so that neither hides the other. */
static void draw_threshold_lines(const struct plot_frame *f)
{
    struct threshold t[3];
    int n = thresholds_of(f, t);
    set_rgb(f->cr, goal_green);
    for (int i = 0; i < n; i++)
        hline(f->cr, t[i].y, 2);
}

static void draw_threshold_labels(const struct plot_frame *f)
{
    struct threshold t[3];
    int n = thresholds_of(f, t);
    for (int i = 0; i < n; i++) {
        double w = picture_text_advance(f->cr, f->font, 16, 1, t[i].label);
        double x = PLOT_RIGHT - 8 - w, y = t[i].below ? t[i].y + 20 : t[i].y - 7;
        cairo_rectangle(f->cr, x - 3, y - 14, w + 6, 18);
        cairo_set_source_rgb(f->cr, 1, 1, 1);
        cairo_fill(f->cr);
        set_rgb(f->cr, goal_green);
        picture_text_show(f->cr, f->font, x, y, 16, 1, t[i].label);
    }
}

static void draw_panels(const struct plot_frame *f)
{
    char title[128], n[32];
    sweep_plot_format(n, sizeof n, f->p->n_townships, 0);
    snprintf(title, sizeof title, "Townships failing the goal (of %s)", n);
    draw_panel_frame(f, PLOT_TOP_Y0, PLOT_TOP_Y1, title);
    int people = 0;
    for (int i = 0; i < f->p->n_series; i++)
        people |= f->p->series[i].people_covered != NULL;
    draw_panel_frame(f, PLOT_BOT_Y0, PLOT_BOT_Y1,
                     people ? "Covered share (solid: area, dashed: seat areas, dotted: people)"
                            : "Covered share (solid: area, dashed: seat areas)");
    draw_y_ticks(f, &f->fail, PLOT_TOP_Y0, PLOT_TOP_Y1, 1, "");
    draw_y_ticks(f, &f->share, PLOT_BOT_Y0, PLOT_BOT_Y1, 100, " %");
    draw_x_ticks(f, PLOT_TOP_Y0, PLOT_TOP_Y1, 0);
    draw_x_ticks(f, PLOT_BOT_Y0, PLOT_BOT_Y1, 1);
    set_rgb(f->cr, ink);
    const char *key = f->p->x_key ? f->p->x_key : "";
    double w = picture_text_advance(f->cr, f->font, 20, 1, key);
    picture_text_show(f->cr, f->font, (PLOT_LEFT + PLOT_RIGHT - w) / 2, PLOT_BOT_Y1 + 62, 20,
                      1, key);
}

/* find_min_x: a dashed vertical line through both panels, "goal met from
 * N" beside it at the top (left of it when it stands near the right). */
static void draw_find_min(const struct plot_frame *f)
{
    double x = f->p->find_min_x;
    if (!isfinite(x))
        return;
    double px = crisp(frame_px_x(f, x), 2);
    static const double dash[] = {10, 6};
    set_rgb(f->cr, ink);
    cairo_set_line_width(f->cr, 2);
    cairo_set_dash(f->cr, dash, 2, 0);
    cairo_move_to(f->cr, px, PLOT_TOP_Y0);
    cairo_line_to(f->cr, px, PLOT_BOT_Y1);
    cairo_stroke(f->cr);
    cairo_set_dash(f->cr, NULL, 0, 0);
    char value[TC_STR_MAX], label[TC_STR_MAX + 32];
    sweep_plot_x_label(f, x, value, sizeof value);
    snprintf(label, sizeof label, "goal met from %s", value);
    double w = picture_text_advance(f->cr, f->font, 18, 1, label);
    double lx = px + w + 16 < PLOT_RIGHT ? px + 8 : px - 8 - w;
    cairo_rectangle(f->cr, lx - 4, PLOT_TOP_Y0 + 8, w + 8, 26);
    cairo_set_source_rgb(f->cr, 1, 1, 1);
    cairo_fill(f->cr);
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, lx, PLOT_TOP_Y0 + 27, 18, 1, label);
}

static void draw_title(const struct plot_frame *f)
{
    const struct sweep_plot *p = f->p;
    char line[TC_STR_MAX + 128], n[32];
    sweep_plot_format(n, sizeof n, p->n_townships, 0);
    set_rgb(f->cr, ink);
    picture_text_show(f->cr, f->font, PLOT_MARGIN, 50, 34, 1, p->title ? p->title : "");
    snprintf(line, sizeof line, "sweep over %s  |  %s townships  |  the goal is met where "
             "no township fails", p->x_key ? p->x_key : "?", n);
    picture_text_show(f->cr, f->font, PLOT_MARGIN, 86, 20, 0, line);
}

static void draw_all(const struct plot_frame *f)
{
    cairo_set_source_rgb(f->cr, 1, 1, 1);
    cairo_paint(f->cr);
    draw_title(f);
    draw_panels(f);
    draw_threshold_lines(f);
    sweep_plot_draw_series(f);
    draw_threshold_labels(f);
    draw_find_min(f);
    sweep_plot_draw_legend(f);
}

/* ---- checks and the file ---------------------------------------------------------*/
/* A malformed plot is the caller's bug: an internal error, not a crash. */
static int check_plot(const char *path, const struct sweep_plot *p, struct tc_error *err)
{
    if (!path)
        return tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: no path");
    if (!p || p->n_series < 0 || (p->n_series > 0 && !p->series))
        return tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: no series array");
    if (!p->x_numeric && (p->n_ticks < 1 || !p->ticks))
        return tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: categorical x without tick labels");
    for (int i = 0; i < p->n_series; i++) {
        const struct sweep_plot_series *s = &p->series[i];
        if (s->n < 0 || (s->n > 0 && (!s->x || !s->failing || !s->covered)))
            return tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: series %d lacks its values", i);
    }
    return 0;
}

/* The surface into path.tmp, then renamed over path; a failure removes
 * the temporary and leaves path as it was. */
static int write_png(cairo_surface_t *sf, const char *path, struct tc_error *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: out of memory", path);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    int rc = 0;
    cairo_status_t st = cairo_surface_write_to_png(sf, tmp);
    if (st != CAIRO_STATUS_SUCCESS)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path,
                     cairo_status_to_string(st));
    else if (rename(tmp, path) != 0)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    if (rc != 0)
        remove(tmp);
    free(tmp);
    return rc;
}

int sweep_plot_draw(const char *path, const struct sweep_plot *p, struct tc_error *err)
{
    if (check_plot(path, p, err) != 0)
        return -1;
    cairo_surface_t *sf =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, SWEEP_PLOT_WIDTH, SWEEP_PLOT_HEIGHT);
    struct plot_frame f = {.cr = cairo_create(sf), .p = p};
    int rc = 0;
    if (cairo_status(f.cr) != CAIRO_STATUS_SUCCESS) {
        rc = tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: cairo cannot make a %dx%d image: %s",
                     SWEEP_PLOT_WIDTH, SWEEP_PLOT_HEIGHT,
                     cairo_status_to_string(cairo_status(f.cr)));
    } else {
        f.font = picture_font_pick(f.cr);
        f.x = x_axis(p);
        f.fail = fail_axis(p);
        f.share = share_axis(p);
        draw_all(&f);
        if (cairo_status(f.cr) != CAIRO_STATUS_SUCCESS)
            rc = tc_fail(err, TC_EXIT_INTERNAL, "sweep plot: cairo: %s",
                         cairo_status_to_string(cairo_status(f.cr)));
    }
    cairo_destroy(f.cr);
    if (rc == 0)
        rc = write_png(sf, path, err);
    cairo_surface_destroy(sf);
    return rc;
}
