/* The picture (map.png): its size follows the map's shape, townships are
 * filled by their verdict and covered fraction, and a file that cannot be
 * written is an output error. The map is a real one (a fixture shapefile
 * loaded by map_load: the picture draws its geometries); the results and
 * the verdict are hand-made, there are no stations and no scenario. */
#include <cairo.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/picture.h"
#include "towncov/run_outcome.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

/* 12 km by 4 km: west half fails (its seat is not covered), east half
 * meets the goal, all of it covered. */
static const struct fx_township wide[] = {
    {"360101001", "滕王阁街道", "东湖区", "subdistrict", FX_SQUARE(-6000, -2000, 0, 2000), -3000, 0},
    {"360102101", "梅岭镇", "湾里区", "town", FX_SQUARE(0, -2000, 6000, 2000), 3000, 0},
};

/* 12 km by 4 km in three 4 km squares: the west two of one county, the
 * east one of another. */
static const struct fx_township three[] = {
    {"360101001", "滕王阁街道", "东湖区", "subdistrict", FX_SQUARE(-6000, -2000, -2000, 2000), -4000, 0},
    {"360101002", "豫章街道", "东湖区", "subdistrict", FX_SQUARE(-2000, -2000, 2000, 2000), 0, 0},
    {"360102101", "梅岭镇", "湾里区", "town", FX_SQUARE(2000, -2000, 6000, 2000), 4000, 0},
};

/* 4 km by 12 km, one township. */
static const struct fx_township tall[] = {
    {"360102201", "太平乡", "湾里区", "township", FX_SQUARE(-2000, -6000, 2000, 6000), 0, 0},
};

struct prun {
    char dir[256];
    struct tc_map *map;
    struct tc_sites sites; /* none */
    struct cov_result r[4];
    struct goal_config goal;
    struct goal_verdict v;
    struct run_outcome run;
};

static void prun_make(struct prun *p, const struct fx_township *t, int n, const double *frac,
                      const int *seat)
{
    memset(p, 0, sizeof *p);
    fx_tmpdir(p->dir, sizeof p->dir);
    char base[300];
    snprintf(base, sizeof base, "%s/map", p->dir);
    fx_write_map(base, t, n);
    struct map_config cfg;
    {
        struct scenario *defaults = calloc(1, sizeof *defaults);
        scenario_defaults(defaults);
        cfg = defaults->map;
        free(defaults);
    }
    snprintf(cfg.file, sizeof cfg.file, "%s.shp", base);
    struct tc_error err = {0};
    p->map = map_load(&cfg, NULL, 1, NULL, &err);
    cr_assert_not_null(p->map, "%s", err.msg);
    cr_assert_eq(p->map->n, n);
    for (int i = 0; i < n; i++) {
        cr_assert_str_eq(p->map->t[i].code, t[i].code); /* fixtures listed in code order */
        double a = p->map->t[i].area_m2;
        p->r[i] = (struct cov_result){.area_m2 = a, .covered_m2 = frac[i] * a,
                                      .covered_frac = frac[i], .seat_covered = seat[i]};
    }
    p->goal = (struct goal_config){.seat_covered = 1, .min_covered_fraction = 0.5};
    cr_assert_eq(goal_judge(&p->goal, p->map, p->r, &p->v, &err), 0, "%s", err.msg);
    p->run = (struct run_outcome){.info = {.name = "画 picture"}, .goal = &p->goal,
                                  .map = p->map, .sites = &p->sites, .results = p->r,
                                  .verdict = &p->v, .threads = 1};
}

static void prun_free(struct prun *p)
{
    goal_verdict_free(&p->v);
    map_free(&p->map);
}

/* Draws p into dir/map.png and reads it back with cairo. */
static cairo_surface_t *draw_and_read(struct prun *p)
{
    char path[512];
    snprintf(path, sizeof path, "%s/map.png", p->dir);
    struct tc_error err = {0};
    cr_assert_eq(picture_draw(path, &p->run, &err), 0, "%s", err.msg);
    size_t len;
    char *png = fx_read_file(path, &len);
    cr_assert_not_null(png);
    cr_assert_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0, "not a PNG");
    free(png);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    cr_assert_eq(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

/* The pixel (x, y) as 0xRRGGBB. */
static unsigned pixel(cairo_surface_t *s, int x, int y)
{
    cairo_surface_flush(s);
    const unsigned char *row =
        cairo_image_surface_get_data(s) + (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    uint32_t v;
    memcpy(&v, row + 4 * x, sizeof v);
    return v & 0xffffff;
}

static void assert_color(unsigned got, unsigned want, const char *what)
{
    for (int shift = 0; shift < 24; shift += 8) {
        int a = (int)(got >> shift & 0xff), b = (int)(want >> shift & 0xff);
        cr_assert(abs(a - b) <= 2, "%s: pixel %06x, want %06x", what, got, want);
    }
}

/* A wide map is 1600 pixels wide and as tall as the legend needs (title
 * 104 + legend 560 + bottom 80); the failing township is red, the one
 * fully covered the darkest blue, the margins white. */
Test(picture, wide_map_png_size_and_colours)
{
    struct prun p;
    const double frac[] = {1.0, 1.0};
    const int seat[] = {0, 1};
    prun_make(&p, wide, 2, frac, seat);
    cr_assert_eq(p.v.n_failing, 1);
    cairo_surface_t *s = draw_and_read(&p);
    cr_assert_eq(cairo_image_surface_get_width(s), PICTURE_WIDTH);
    cr_assert_eq(cairo_image_surface_get_height(s), 744);
    /* The map box is 1180 px for 12 km from x = 30, y = 104: the centres of
     * the two townships are at (325, 301) and (915, 301). */
    assert_color(pixel(s, 325, 301), 0xe31a1c, "failing township");
    assert_color(pixel(s, 915, 301), 0x253494, "township meeting the goal, 100 % covered");
    assert_color(pixel(s, 10, 300), 0xffffff, "margin");
    cairo_surface_destroy(s);
    prun_free(&p);
}

/* The county border is drawn in ink where townships of two counties meet
 * (and around the map), not between two townships of one county: there
 * only the townships' thin grey edge lies over their red. The map box is
 * 1180 px for 12 km from x = 30: the edges at x = -2000 and 2000 m fall
 * on pixels 423 and 816 (rows 104 .. 497). */
Test(picture, county_borders_only_between_counties)
{
    struct prun p;
    const double frac[] = {0.0, 0.0, 0.0};
    const int seat[] = {0, 0, 0};
    prun_make(&p, three, 3, frac, seat);
    cr_assert_eq(p.map->t[0].county_id, p.map->t[1].county_id);
    cr_assert_neq(p.map->t[1].county_id, p.map->t[2].county_id);
    cairo_surface_t *s = draw_and_read(&p);
    unsigned inner = pixel(s, 423, 301), border = pixel(s, 816, 301);
    cr_assert(inner >> 16 > 0xa0, "one county's inner edge drawn dark: %06x", inner);
    cr_assert(border >> 16 < 0x60 && (border >> 8 & 0xff) < 0x60, "county border not in ink: "
              "%06x", border);
    assert_color(pixel(s, 620, 301), 0xe31a1c, "a township's inside");
    cairo_surface_destroy(s);
    prun_free(&p);
}

/* A tall map is drawn 1500 pixels high: the picture is 104 + 1500 + 80. */
Test(picture, tall_map_png_size)
{
    struct prun p;
    const double frac[] = {0.3};
    const int seat[] = {1};
    prun_make(&p, tall, 1, frac, seat);
    cairo_surface_t *s = draw_and_read(&p);
    cr_assert_eq(cairo_image_surface_get_width(s), PICTURE_WIDTH);
    int h = cairo_image_surface_get_height(s);
    cr_assert(h == 1684 || h == 1685, "height %d (1684, or one more when the map's 1500 px "
              "round up)", h);
    cairo_surface_destroy(s);
    prun_free(&p);
}

Test(picture, unwritable_path_is_an_output_error)
{
    struct prun p;
    const double frac[] = {1.0, 0.2};
    const int seat[] = {1, 1};
    prun_make(&p, wide, 2, frac, seat);
    char path[512];
    snprintf(path, sizeof path, "%s/no/such/folder/map.png", p.dir);
    struct tc_error err = {0};
    cr_assert_eq(picture_draw(path, &p.run, &err), -1);
    cr_assert_eq(err.exit_code, 7);
    cr_assert_eq(err.exit_code, TC_EXIT_OUTPUT);
    cr_assert_not_null(strstr(err.msg, "map.png"), "%s", err.msg);
    prun_free(&p);
}

/* A picture no longer wanted (the run failed elsewhere) is stopped, not
 * waited for: here the child would wait for ever to open map.png, a FIFO
 * nobody reads; picture_cancel kills and reaps it and removes the file. */
Test(picture, cancel_stops_a_child_still_drawing, .timeout = 60)
{
    struct prun p;
    const double frac[] = {1.0, 0.2};
    const int seat[] = {1, 1};
    prun_make(&p, wide, 2, frac, seat);
    char path[512];
    snprintf(path, sizeof path, "%s/map.png", p.dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    struct picture_job *job = NULL;
    struct tc_error err = {0};
    cr_assert_eq(picture_start(path, &p.run, &job, &err), 0, "%s", err.msg);
    cr_assert_not_null(job);
    usleep(200000); /* the child is drawing, or already blocked on the FIFO */
    picture_cancel(&job);
    cr_assert_null(job);
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD);
    cr_assert_neq(access(path, F_OK), 0, "map.png was left");
    picture_cancel(&job); /* nothing to stop: nothing happens */
    prun_free(&p);
}
