/* picture.c — map.png (see picture.h).
 * Drawn in the map's metric CRS, an equal-area projection centred on the
 * map: a metre is the same length everywhere on the picture to within
 * 0.05 %, so the scale bar is honest, and grid north is true north at the
 * centre. */
#include "towncov/picture.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/raster.h"
#include "towncov/sites.h"
#include "towncov/worker.h"

#include "picture_int.h"
#include "picture_raster.h"

/* ---- text: the shared helpers (picture_text.h) on this canvas ------------------*/
void picture_text_at(const struct canvas *c, double x, double y, double size, int bold,
                    const char *s)
{
    picture_text_show(c->cr, c->font, x, y, size, bold, s);
}

double picture_text_width(const struct canvas *c, double size, const char *s)
{
    return picture_text_advance(c->cr, c->font, size, 0, s);
}

/* ---- geometry as paths ----------------------------------------------------------
 * A province has hundreds of thousands of vertices, most of them closer
 * together than a pixel: a pen that skips points within half a pixel of
 * the last one drawn keeps cairo's paths (and stroking time) small. */
struct pen { int down, pending; double lx, ly, qx, qy; };

static void pen_move(cairo_t *cr, struct pen *p, double x, double y)
{
    cairo_move_to(cr, x, y);
    *p = (struct pen){1, 0, x, y, x, y};
}

static void pen_line(cairo_t *cr, struct pen *p, double x, double y)
{
    p->qx = x;
    p->qy = y;
    p->pending = 1;
    if ((x - p->lx) * (x - p->lx) + (y - p->ly) * (y - p->ly) < 0.25)
        return;
    cairo_line_to(cr, x, y);
    p->lx = x;
    p->ly = y;
    p->pending = 0;
}

static void pen_up(cairo_t *cr, struct pen *p)
{
    if (p->down && p->pending)
        cairo_line_to(cr, p->qx, p->qy);
    p->down = p->pending = 0;
}

static void ring_path(const struct canvas *c, GEOSContextHandle_t ctx, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n))
        return;
    struct pen pen = {0};
    for (unsigned i = 0; i < n; i++) {
        double x, y, px, py;
        GEOSCoordSeq_getXY_r(ctx, seq, i, &x, &y);
        to_px(c, x, y, &px, &py);
        if (i == 0)
            pen_move(c->cr, &pen, px, py);
        else
            pen_line(c->cr, &pen, px, py);
    }
    pen_up(c->cr, &pen);
    cairo_close_path(c->cr);
}

/* Every ring of every polygon in g (collections descended into). */
static void geom_path(const struct canvas *c, GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(ctx, g))
            return;
        ring_path(c, ctx, GEOSGetExteriorRing_r(ctx, g));
        int nh = GEOSGetNumInteriorRings_r(ctx, g);
        for (int i = 0; i < nh; i++)
            ring_path(c, ctx, GEOSGetInteriorRingN_r(ctx, g, i));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(ctx, g);
        for (int i = 0; i < n; i++)
            geom_path(c, ctx, GEOSGetGeometryN_r(ctx, g, i));
    }
}

/* ---- the map -------------------------------------------------------------------*/
/* Class of township t: 0..4 by covered fraction, 5 when it fails. */
int picture_township_class(const struct run_outcome *run, int t)
{
    if (!run->verdict->township_met[t])
        return 5;
    int k = (int)floor(run->results[t].covered_frac * 5);
    return k < 0 ? 0 : k > 4 ? 4 : k;
}

static struct rgb township_color(const struct run_outcome *run, int t)
{
    int k = picture_township_class(run, t);
    return k == 5 ? fail_red : frac_palette[k];
}

static void draw_townships(const struct canvas *c, GEOSContextHandle_t ctx,
                           const struct run_outcome *run)
{
    cairo_t *cr = c->cr;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    if (c->raster) {
        cairo_set_source_surface(cr, c->raster, c->x0, c->y0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_paint(cr);
    }
    for (int t = 0; t < run->map->n; t++) {
        geom_path(c, ctx, run->map->t[t].geom);
        if (!c->raster) {
            set_rgb(cr, township_color(run, t));
            cairo_fill_preserve(cr);
        }
        /* Township edges: thin and light, so that counties read first. */
        cairo_set_source_rgba(cr, 0.35, 0.35, 0.35, 0.55);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
}

/* ---- county borders ----------------------------------------------------------------
 * An edge between two townships of one county is interior; every other
 * township edge is a county border (or the province's). Township maps
 * tile their counties with shared vertices, so an edge is found by its two
 * end points in a hash table: linear in the vertices, where dissolving the
 * counties with GEOS takes seconds on a province. Maps whose neighbours do
 * not share vertices get some interior edges drawn as borders: a cosmetic
 * fault, never a wrong number. */
struct edge { double x1, y1, x2, y2; int county, town, interior, used; };

struct edge_table { struct edge *e; size_t mask; };

static uint64_t mix(uint64_t h, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    h ^= b + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* The entry of edge (a, b) in either direction, inserted when new. */
static struct edge *edge_find(struct edge_table *tb, double ax, double ay, double bx, double by)
{
    if (ax > bx || (ax == bx && ay > by)) {
        double tx = ax, ty = ay;
        ax = bx, ay = by, bx = tx, by = ty;
    }
    uint64_t h = mix(mix(mix(mix(0, ax), ay), bx), by);
    for (size_t i = h & tb->mask;; i = (i + 1) & tb->mask) {
        struct edge *e = &tb->e[i];
        if (!e->used) {
            *e = (struct edge){ax, ay, bx, by, -1, -1, 0, 1};
            return e;
        }
        if (e->x1 == ax && e->y1 == ay && e->x2 == bx && e->y2 == by)
            return e;
    }
}

/* Calls fn on every ring of g (collections descended into) as arrays. */
struct ring_visit {
    double *x, *y;
    size_t cap;
    void (*fn)(void *user, const double *x, const double *y, unsigned n);
    void *user;
    int failed; /* out of memory or GEOS failed: a ring went undrawn */
};

static void visit_rings(GEOSContextHandle_t ctx, const GEOSGeometry *g, struct ring_visit *v)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0, n = GEOSGetNumGeometries_r(ctx, g); i < n; i++)
            visit_rings(ctx, GEOSGetGeometryN_r(ctx, g, i), v);
        return;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(ctx, g))
        return;
    for (int r = -1, nh = GEOSGetNumInteriorRings_r(ctx, g); r < nh; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(ctx, g)
                                         : GEOSGetInteriorRingN_r(ctx, g, r);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
        unsigned n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || n < 2)
            continue;
        if (n > v->cap) {
            double *x = realloc(v->x, sizeof *x * n), *y = x ? realloc(v->y, sizeof *y * n) : NULL;
            if (x)
                v->x = x;
            if (!y) {
                v->failed = 1;
                continue;
            }
            v->y = y;
            v->cap = n;
        }
        if (GEOSCoordSeq_copyToArrays_r(ctx, seq, v->x, v->y, NULL, NULL))
            v->fn(v->user, v->x, v->y, n);
        else
            v->failed = 1;
    }
}

/* The second pass visits the edges in the first pass's order: each one's
 * entry is remembered (seen[k], the k-th edge visited) instead of being
 * hashed again. */
struct border_pass {
    const struct canvas *c;
    struct edge_table *tb;
    size_t *seen, n_seen, k;
    int county, town;
    int draw; /* 0: register edges; 1: stroke the border edges */
    int failed; /* the passes did not visit the same edges */
};

static void border_ring(void *user, const double *x, const double *y, unsigned n)
{
    struct border_pass *bp = user;
    struct pen pen = {0};
    for (unsigned i = 0; i + 1 < n; i++) {
        struct edge *e;
        if (bp->k >= bp->n_seen) {
            bp->failed = 1;
            break;
        }
        if (!bp->draw) {
            e = edge_find(bp->tb, x[i], y[i], x[i + 1], y[i + 1]);
            bp->seen[bp->k++] = (size_t)(e - bp->tb->e);
        } else {
            e = &bp->tb->e[bp->seen[bp->k++]];
        }
        if (!bp->draw) {
            if (e->town < 0) {
                e->county = bp->county;
                e->town = bp->town;
            } else if (e->town != bp->town && e->county == bp->county) {
                e->interior = 1;
            }
        } else if (e->interior) {
            pen_up(bp->c->cr, &pen);
        } else {
            double px, py;
            if (!pen.down) {
                to_px(bp->c, x[i], y[i], &px, &py);
                pen_move(bp->c->cr, &pen, px, py);
            }
            to_px(bp->c, x[i + 1], y[i + 1], &px, &py);
            pen_line(bp->c->cr, &pen, px, py);
        }
    }
    pen_up(bp->c->cr, &pen);
}

/* The map's vertices (an upper bound on its edges) and a table size for
 * them. */
static size_t edge_capacity(GEOSContextHandle_t ctx, const struct tc_map *map, size_t *n_out)
{
    size_t n = 0, cap = 1024;
    for (int t = 0; t < map->n; t++)
        n += (size_t)GEOSGetNumCoordinates_r(ctx, map->t[t].geom);
    while (cap < 2 * n)
        cap *= 2;
    *n_out = n;
    return cap;
}

static int draw_counties(const struct canvas *c, GEOSContextHandle_t ctx, const struct tc_map *map)
{
    size_t n_edges;
    size_t cap = edge_capacity(ctx, map, &n_edges);
    struct edge_table tb = {calloc(cap, sizeof *tb.e), cap - 1};
    struct border_pass bp = {.c = c, .tb = &tb, .seen = malloc(sizeof(size_t) * (n_edges + 1)),
                             .n_seen = n_edges};
    int rc = tb.e && bp.seen ? 0 : -1;
    struct ring_visit v = {.fn = border_ring, .user = &bp};
    for (bp.draw = 0; rc == 0 && bp.draw < 2; bp.draw++) {
        bp.k = 0;
        for (bp.town = 0; bp.town < map->n; bp.town++) {
            bp.county = map->t[bp.town].county_id;
            visit_rings(ctx, map->t[bp.town].geom, &v);
        }
        rc = bp.failed ? -1 : 0;
    }
    set_rgb(c->cr, ink);
    cairo_set_line_width(c->cr, 1.4);
    cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(c->cr);
    free(v.x);
    free(v.y);
    free(bp.seen);
    free(tb.e);
    return rc == 0 && !v.failed ? 0 : -1;
}

/* ---- layout and driver -------------------------------------------------------------*/
/* Fits the map's extent into the space beside the legend; the picture is
 * as tall as the map (or the legend) needs. */
static void layout(struct canvas *c, const struct tc_map *map, int *height)
{
    double w = fmax(map->xmax - map->xmin, 1), h = fmax(map->ymax - map->ymin, 1);
    double box_w = PICTURE_WIDTH - 3 * MARGIN - LEGEND_W;
    c->s = fmin(box_w / w, MAP_H_MAX / h);
    c->mw = w * c->s;
    c->mh = h * c->s;
    c->x0 = MARGIN + (box_w - c->mw) / 2;
    c->y0 = TITLE_H;
    c->xmin = map->xmin;
    c->ymax = map->ymax;
    *height = (int)ceil(TITLE_H + fmax(c->mh, LEGEND_H) + BOTTOM_H);
}

/* The last run->marked_sites stations (the plan's added ones) as magenta
 * stars with a white edge. */
static void draw_marked_sites(const struct canvas *c, const struct run_outcome *run)
{
    const struct tc_sites *s = run->sites;
    long first = s->n - run->marked_sites;
    for (long i = first < 0 ? 0 : first; i < s->n; i++) {
        double px, py;
        to_px(c, s->x[i], s->y[i], &px, &py);
        for (int k = 0; k < 10; k++) {
            double r = k % 2 ? 3.5 : 9.0, a = -M_PI / 2 + k * M_PI / 5;
            (k ? cairo_line_to : cairo_move_to)(c->cr, px + r * cos(a), py + r * sin(a));
        }
        cairo_close_path(c->cr);
        cairo_set_source_rgb(c->cr, 0.9, 0.0, 0.9);
        cairo_fill_preserve(c->cr);
        cairo_set_source_rgb(c->cr, 1, 1, 1);
        cairo_set_line_width(c->cr, 1.0);
        cairo_stroke(c->cr);
    }
}

static int draw_all(struct canvas *c, GEOSContextHandle_t ctx, const struct run_outcome *run)
{
    cairo_set_source_rgb(c->cr, 1, 1, 1);
    cairo_paint(c->cr);
    draw_townships(c, ctx, run);
    int rc = draw_counties(c, ctx, run->map);
    draw_marked_sites(c, run);
    picture_draw_title(c, run);
    picture_draw_legend(c, run);
    picture_draw_scale_bar(c);
    picture_draw_north_arrow(c);
    return rc;
}

/* The raster of layer l, written beside path (map.png), as c's image. */
static int picture_raster_of(struct canvas *c, const char *path, const struct run_outcome *run,
                             int l, struct tc_error *err)
{
    if (!run->raster || !(run->raster->layers & 1u << l))
        return tc_fail(err, TC_EXIT_INTERNAL, "picture: the %s raster was not written",
                       raster_layer_names[l]);
    const char *slash = strrchr(path, '/'), *name = raster_file_name((enum raster_layer)l);
    int n = slash ? (int)(slash - path + 1) : 0;
    char *tif = malloc((size_t)n + strlen(name) + 1);
    if (!tif)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", slash ? slash + 1 : path);
    sprintf(tif, "%.*s%s", n, path, name);
    c->layer = l;
    c->raster = picture_raster_image(tif, (enum raster_layer)l, run->sites->n,
                                     (int)ceil(c->mw), (int)ceil(c->mh), c->xmin, c->ymax, c->s,
                                     err);
    free(tif);
    return c->raster ? 0 : -1;
}

/* The exit status for a cairo failure: out of memory is a limit. */
static int cairo_exit(cairo_status_t st)
{
    return st == CAIRO_STATUS_NO_MEMORY ? TC_EXIT_RESOURCE : TC_EXIT_INTERNAL;
}

/* Draws every layer on c (its image made); 0 or -1 with err. */
static int draw_canvas(struct canvas *c, const char *path, const char *name,
                       const struct tc_worker *w, const struct run_outcome *run, int height,
                       struct tc_error *err)
{
    cairo_status_t st = cairo_status(c->cr);
    if (st != CAIRO_STATUS_SUCCESS)
        return tc_fail(err, cairo_exit(st), "%s: cairo cannot make a %dx%d image: %s", name,
                       PICTURE_WIDTH, height, cairo_status_to_string(st));
    int pl = run->output ? run->output->picture_layer : PICTURE_COVERAGE;
    if (pl != PICTURE_COVERAGE && picture_raster_of(c, path, run, pl - PICTURE_RSRP, err) != 0)
        return -1;
    c->font = picture_font_pick(c->cr);
    if (draw_all(c, w->geos, run) != 0) {
        int oom = tc_worker_geos_status(w) == TC_EXIT_RESOURCE;
        return tc_fail(err, oom ? TC_EXIT_RESOURCE : TC_EXIT_INTERNAL,
                       "%s: %s%s%s", name, oom ? "out of memory drawing it" : "GEOS failed",
                       w->geos_msg[0] ? ": " : "", w->geos_msg);
    }
    st = cairo_status(c->cr);
    if (st != CAIRO_STATUS_SUCCESS)
        return tc_fail(err, cairo_exit(st), "%s: cairo: %s", name, cairo_status_to_string(st));
    return 0;
}

int picture_draw(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    /* One worker from the project's factory: the GEOS context (with its
     * error message) that reads the map's geometries on this thread. */
    struct tc_workers *ws = tc_workers_new(1, NULL, 0, err);
    if (!ws)
        return -1;
    struct canvas c = {0};
    int height;
    layout(&c, run->map, &height);
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, PICTURE_WIDTH, height);
    c.cr = cairo_create(sf);
    /* messages name map.png, not the output folder's temporary twin */
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int rc = draw_canvas(&c, path, name, &ws->w[0], run, height, err);
    cairo_destroy(c.cr);
    if (c.raster)
        cairo_surface_destroy(c.raster);
    if (rc == 0) {
        cairo_status_t st = cairo_surface_write_to_png(sf, path);
        if (st != CAIRO_STATUS_SUCCESS) {
            rc = tc_fail(err, st == CAIRO_STATUS_NO_MEMORY ? TC_EXIT_RESOURCE : TC_EXIT_OUTPUT,
                         "%s: cannot write: %s", name, cairo_status_to_string(st));
            remove(path); /* no partial picture */
        }
    }
    cairo_surface_destroy(sf);
    tc_workers_free(&ws);
    return rc;
}
