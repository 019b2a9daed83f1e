/* sweep.png (sweep_plot_draw): drawn from hand-made series and read back
 * with cairo: its size, the series' colours, the find-min marker, the
 * legend, categorical ticks, byte-identical repeats, and that a failure
 * leaves nothing at the path. */
#include <cairo.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/sweep_plot.h"

#include "../sim/sweep/plot_int.h"

/* Two series over sites.count, the second better; the goal met from 45,000. */
static const double xs[] = {40000, 45000, 50000, 55000};
static const double fail_a[] = {12, 3, 0, 0}, cov_a[] = {0.91, 0.95, 0.97, 0.99};
static const double seat_a[] = {0.93, 0.97, 0.99, 1.0};
static const double fail_b[] = {7, 0, 0, 0}, cov_b[] = {0.93, 0.96, 0.985, 0.995};
static const double seat_b[] = {0.95, 0.98, 1.0, 1.0};

static struct sweep_plot_series two[] = {
    {"radio.band_town=n41", 4, xs, fail_a, cov_a, seat_a, NULL},
    {"radio.band_town=n78", 4, xs, fail_b, cov_b, seat_b, NULL},
};

static struct sweep_plot base_plot(void)
{
    return (struct sweep_plot){.title = "jiangxi-65k  |  8 members", .x_key = "sites.count",
                               .x_numeric = 1, .n_townships = 40, .goal_seat_fraction = 0.95,
                               .goal_covered_fraction = 0.9, .find_min_x = NAN,
                               .n_series = 2, .series = two};
}

static void draw_ok(const char *path, const struct sweep_plot *p)
{
    struct tc_error err = {0};
    cr_assert_eq(sweep_plot_draw(path, p, &err), 0, "%s", err.msg);
}

/* A fresh folder with the paths of two pictures in it. */
struct pngs {
    char dir[256], a[512], b[512];
};

static void pngs_make(struct pngs *t)
{
    fx_tmpdir(t->dir, sizeof t->dir);
    snprintf(t->a, sizeof t->a, "%s/a.png", t->dir);
    snprintf(t->b, sizeof t->b, "%s/b.png", t->dir);
}

/* c as cairo writes it into an RGB24 image: through 16 bits, then the
 * high byte (0.1 is 0x19, where rounding v * 255 would give 0x1a). */
static unsigned channel(double v)
{
    return (unsigned)lround(v * 65535) >> 8;
}

static unsigned rgb_hex(struct rgb c)
{
    return channel(c.r) << 16 | channel(c.g) << 8 | channel(c.b);
}

/* A box of pixels: x0 <= x < x1, y0 <= y < y1. */
struct box {
    int x0, x1, y0, y1;
};
static const struct box whole = {0, 1600, 0, SWEEP_PLOT_HEIGHT};
#define LEGEND_LEFT ((int)(PLOT_RIGHT + PLOT_MARGIN) - 4)
static const struct box legend = {LEGEND_LEFT, 1600, 0, SWEEP_PLOT_HEIGHT};

/* Pixels of colour `want` (0xRRGGBB, exactly) within b of the PNG at path,
 * which must be a picture of the plot's size. */
static long count_color(const char *path, unsigned want, struct box b)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS, "%s: not a PNG", path);
    cr_assert_eq(cairo_image_surface_get_width(s), 1600);
    cr_assert_eq(cairo_image_surface_get_height(s), SWEEP_PLOT_HEIGHT);
    cairo_surface_flush(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    long n = 0;
    for (int y = b.y0; y < b.y1; y++)
        for (int x = b.x0; x < b.x1; x++) {
            uint32_t v;
            memcpy(&v, data + (size_t)y * (size_t)stride + 4 * (size_t)x, sizeof v);
            n += (v & 0xffffff) == want;
        }
    cairo_surface_destroy(s);
    return n;
}

Test(sweep_plot, png_is_1600_wide_with_each_series_colour)
{
    struct pngs t;
    pngs_make(&t);
    struct sweep_plot p = base_plot();
    draw_ok(t.a, &p);
    /* Lines 3 px wide and dots: hundreds of pixels of each series' colour
     * in both panels; none of a third series that is not there. */
    struct box top = {(int)PLOT_LEFT, (int)PLOT_RIGHT, (int)PLOT_TOP_Y0, (int)PLOT_TOP_Y1 + 8};
    struct box bottom = {(int)PLOT_LEFT, (int)PLOT_RIGHT, (int)PLOT_BOT_Y0 - 8, (int)PLOT_BOT_Y1};
    for (int i = 0; i < 2; i++) {
        unsigned c = rgb_hex(sweep_plot_color(i));
        long nt = count_color(t.a, c, top), nb = count_color(t.a, c, bottom);
        cr_assert_gt(nt, 300, "series %d: %ld pixels of %06x in the top panel", i, nt, c);
        cr_assert_gt(nb, 600, "series %d: %ld pixels in the bottom panel", i, nb);
    }
    cr_assert_eq(count_color(t.a, rgb_hex(sweep_plot_color(2)), whole), 0);
    /* The goal's three thresholds are green lines (2 px) across the panels. */
    cr_assert_gt(count_color(t.a, rgb_hex(goal_green), whole), 3 * (long)(PLOT_RIGHT - PLOT_LEFT));
}

/* The seat areas' dashed lines add pixels of the series' colour; without
 * them (NULL) the plot still draws. */
Test(sweep_plot, seat_lines_drawn_only_when_given)
{
    struct pngs t;
    pngs_make(&t);
    struct sweep_plot p = base_plot();
    draw_ok(t.a, &p);
    struct sweep_plot_series bare[2] = {two[0], two[1]};
    bare[0].seat_covered = bare[1].seat_covered = NULL;
    p.series = bare;
    draw_ok(t.b, &p);
    unsigned c = rgb_hex(sweep_plot_color(0));
    struct box panel = {0, (int)PLOT_RIGHT, (int)PLOT_BOT_Y0 - 8, (int)PLOT_BOT_Y1};
    long na = count_color(t.a, c, panel), nb = count_color(t.b, c, panel);
    cr_assert_gt(na, nb + 200, "with seats %ld, without %ld pixels", na, nb);
}

/* The people's dotted line (square markers) adds pixels of the series'
 * colour to the lower panel when given, and a legend row. */
Test(sweep_plot, people_lines_drawn_only_when_given)
{
    static const double people_a[] = {0.80, 0.86, 0.90, 0.92};
    static const double people_b[] = {0.82, 0.88, 0.91, 0.93};
    struct pngs t;
    pngs_make(&t);
    struct sweep_plot p = base_plot();
    draw_ok(t.a, &p);
    struct sweep_plot_series with[2] = {two[0], two[1]};
    with[0].people_covered = people_a;
    with[1].people_covered = people_b;
    p.series = with;
    draw_ok(t.b, &p);
    unsigned c = rgb_hex(sweep_plot_color(0));
    struct box panel = {0, (int)PLOT_RIGHT, (int)PLOT_BOT_Y0 - 8, (int)PLOT_BOT_Y1};
    long na = count_color(t.a, c, panel), nb = count_color(t.b, c, panel);
    cr_assert_gt(nb, na + 150, "with people %ld, without %ld pixels", nb, na);
    cr_assert(!fx_same_file(t.a, t.b));
}

Test(sweep_plot, find_min_marker_changes_the_image)
{
    struct pngs t;
    pngs_make(&t);
    struct sweep_plot p = base_plot();
    draw_ok(t.a, &p);
    p.find_min_x = 45000;
    draw_ok(t.b, &p);
    cr_assert(!fx_same_file(t.a, t.b));
    /* The dashed line runs down both panels in ink. */
    struct box panels = {(int)PLOT_LEFT + 2, (int)PLOT_RIGHT - 2, (int)PLOT_TOP_Y0 + 40,
                         (int)PLOT_BOT_Y1 - 2};
    long na = count_color(t.a, rgb_hex(ink), panels), nb = count_color(t.b, rgb_hex(ink), panels);
    cr_assert_gt(nb, na + 500, "ink pixels in the panels: %ld without, %ld with the marker",
                 na, nb);
}

Test(sweep_plot, same_input_same_bytes)
{
    struct pngs t;
    pngs_make(&t);
    struct sweep_plot p = base_plot();
    p.find_min_x = 50000;
    draw_ok(t.a, &p);
    draw_ok(t.b, &p);
    cr_assert(fx_same_file(t.a, t.b), "two draws of one plot differ");
}

static void assert_nothing_at(const char *path)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    cr_assert_neq(access(tmp, F_OK), 0, "%s left behind", tmp);
}

Test(sweep_plot, unwritable_path_is_an_output_error_and_leaves_nothing)
{
    char dir[256], path[512];
    fx_tmpdir(dir, sizeof dir);
    struct sweep_plot p = base_plot();
    struct tc_error err = {0};
    snprintf(path, sizeof path, "%s/no/such/folder/sweep.png", dir);
    cr_assert_eq(sweep_plot_draw(path, &p, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert_not_null(strstr(err.msg, "sweep.png"), "%s", err.msg);
    cr_assert_neq(access(path, F_OK), 0);
    assert_nothing_at(path);
    /* A folder at path: the temporary is written, the rename fails, the
     * temporary is removed and the folder stays a folder. */
    snprintf(path, sizeof path, "%s/taken", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    err = (struct tc_error){0};
    cr_assert_eq(sweep_plot_draw(path, &p, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT, "%s", err.msg);
    struct stat st;
    cr_assert(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    assert_nothing_at(path);
}

/* Categorical x (bands): the tick labels are drawn (other labels, other
 * picture), and the series' points stand at the tick indices. */
Test(sweep_plot, categorical_ticks)
{
    struct pngs t;
    pngs_make(&t);
    static const double idx[] = {0, 1, 2}, fail[] = {5, 2, 1}, cov[] = {0.8, 0.9, 0.95};
    struct sweep_plot_series one = {"", 3, idx, fail, cov, NULL, NULL};
    const char *const bands[] = {"n28", "n41", "n78"};
    const char *const other[] = {"700 MHz", "2.6 GHz", "3.5 GHz"};
    struct sweep_plot p = {.title = "bands", .x_key = "radio.band_town", .x_numeric = 0,
                           .n_ticks = 3, .ticks = bands, .n_townships = 24,
                           .find_min_x = NAN, .n_series = 1, .series = &one};
    draw_ok(t.a, &p);
    p.ticks = other;
    draw_ok(t.b, &p);
    cr_assert(!fx_same_file(t.a, t.b), "the tick labels are not drawn");
    cr_assert_gt(count_color(t.a, rgb_hex(sweep_plot_color(0)), whole), 300);
    /* Categorical without labels is the caller's bug. */
    p.ticks = NULL;
    struct tc_error err = {0};
    cr_assert_eq(sweep_plot_draw(t.a, &p, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_INTERNAL);
}

/* One point, one series without a label, no township failing, no seat
 * areas: the marker alone, and no legend row for the series. With a
 * label, the legend shows its colour. */
Test(sweep_plot, one_point_unlabelled_series_has_no_legend_row)
{
    struct pngs t;
    pngs_make(&t);
    static const double x[] = {40000}, fail[] = {0}, cov[] = {1.0};
    struct sweep_plot_series one = {"", 1, x, fail, cov, NULL, NULL};
    struct sweep_plot p = {.title = "one", .x_key = "sites.count", .x_numeric = 1,
                           .n_townships = 24, .find_min_x = 40000, .n_series = 1,
                           .series = &one};
    draw_ok(t.a, &p);
    one.label = "sites.strategy=seats";
    draw_ok(t.b, &p);
    unsigned c = rgb_hex(sweep_plot_color(0));
    struct box plot = {0, LEGEND_LEFT, 0, SWEEP_PLOT_HEIGHT};
    cr_assert_gt(count_color(t.a, c, plot), 60, "the marker is drawn");
    cr_assert_eq(count_color(t.a, c, legend), 0);
    cr_assert_gt(count_color(t.b, c, legend), 60);
}

/* Forty labelled series: the legend is capped, it ends above the bottom of
 * the lower panel (forty rows would run off the picture), and NaN values
 * are gaps. */
Test(sweep_plot, many_series_legend_capped)
{
    struct pngs t;
    pngs_make(&t);
    enum { N = 40 };
    static double fail[N][4], cov[N][4];
    static char labels[N][64];
    struct sweep_plot_series s[N];
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 4; k++) {
            fail[i][k] = (i + 3 - k) % 9;
            cov[i][k] = k == 2 && i % 5 == 0 ? NAN : 0.55 + 0.01 * i + 0.02 * k;
        }
        snprintf(labels[i], sizeof labels[i], "radio.tx_power=%d, goal.min=0.%d", 40 + i, i);
        s[i] = (struct sweep_plot_series){labels[i], 4, xs, fail[i], cov[i], NULL, NULL};
    }
    struct sweep_plot p = base_plot();
    p.n_series = N;
    p.series = s;
    draw_ok(t.a, &p);
    struct box below = {LEGEND_LEFT, 1600, (int)PLOT_BOT_Y1, SWEEP_PLOT_HEIGHT};
    cr_assert_eq(count_color(t.a, 0xffffff, below),
                 (long)(below.x1 - below.x0) * (below.y1 - below.y0),
                 "the legend runs below the panels");
    cr_assert_gt(count_color(t.a, rgb_hex(sweep_plot_color(7)), legend), 30,
                 "the eighth colour is in the legend");
}

Test(sweep_plot, numbers_with_thousands_separators)
{
    char buf[64];
    sweep_plot_format(buf, sizeof buf, 45000, 0);
    cr_assert_str_eq(buf, "45,000");
    sweep_plot_format(buf, sizeof buf, -1234567.25, 1);
    cr_assert_str_eq(buf, "-1,234,567.2");
    sweep_plot_format(buf, sizeof buf, 0.85, 2);
    cr_assert_str_eq(buf, "0.85");
    sweep_plot_format(buf, sizeof buf, -0.001, 1);
    cr_assert_str_eq(buf, "0.0");
    sweep_plot_format(buf, sizeof buf, 999, 0);
    cr_assert_str_eq(buf, "999");
}
