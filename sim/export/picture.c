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
 * fault, never a wrong number.
 *
 * The rings are read from GEOS once, into one array of points (the
 * border's points, in the order they are drawn); a table entry is 16
 * bytes that name its edge's first visit there, not the edge's four
 * doubles (48 bytes: a 24 MB table for a province, touched at random). */
struct border_pts {
    double *x, *y;   /* every ring's points, ring after ring */
    size_t n, cap;
    size_t *ring;    /* ring r: points ring[r] .. ring[r + 1] - 1 */
    size_t n_ring, ring_cap;
    int *county;     /* of ring r's township */
    int *town;
};

/* at: 1 + the index in pts of the edge's first point at its first visit
 * (0: a free slot); town: of that visit, TOWN_INTERIOR once a township of
 * the same county has visited the edge too. */
struct edge { uint32_t at; int32_t county, town, pad; };
#define TOWN_INTERIOR (-2)

struct edge_table { struct edge *e; size_t mask; };

static uint64_t mix(uint64_t h, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    h ^= b + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* Edge (x[j], y[j]) - (x[j + 1], y[j + 1]) with its lower end first
 * (x, then y): an edge compares equal in either direction. */
static void edge_key(const struct border_pts *p, size_t j, double k[4])
{
    double ax = p->x[j], ay = p->y[j], bx = p->x[j + 1], by = p->y[j + 1];
    if (ax > bx || (ax == bx && ay > by)) {
        k[0] = bx, k[1] = by, k[2] = ax, k[3] = ay;
    } else {
        k[0] = ax, k[1] = ay, k[2] = bx, k[3] = by;
    }
}

/* The entry of the edge from point j, inserted when new (town -1). */
static struct edge *edge_find(struct edge_table *tb, const struct border_pts *p, size_t j)
{
    double k[4], o[4];
    edge_key(p, j, k);
    uint64_t h = mix(mix(mix(mix(0, k[0]), k[1]), k[2]), k[3]);
    for (size_t i = h & tb->mask;; i = (i + 1) & tb->mask) {
        struct edge *e = &tb->e[i];
        if (!e->at) {
            *e = (struct edge){(uint32_t)(j + 1), -1, -1, 0};
            return e;
        }
        edge_key(p, e->at - 1, o);
        if (o[0] == k[0] && o[1] == k[1] && o[2] == k[2] && o[3] == k[3])
            return e;
    }
}

/* Appends every ring of g (collections descended into; rings of fewer
 * than two points have no edge) to p, of township town in county.
 * -1 when GEOS failed or out of memory. */
static int collect_rings(GEOSContextHandle_t ctx, const GEOSGeometry *g, int town, int county,
                         struct border_pts *p)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0, n = GEOSGetNumGeometries_r(ctx, g); i < n; i++)
            if (collect_rings(ctx, GEOSGetGeometryN_r(ctx, g, i), town, county, p) != 0)
                return -1;
        return 0;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(ctx, g))
        return 0;
    int failed = 0;
    for (int r = -1, nh = GEOSGetNumInteriorRings_r(ctx, g); r < nh; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(ctx, g)
                                         : GEOSGetInteriorRingN_r(ctx, g, r);
        const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
        unsigned n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n) || n < 2)
            continue;
        if (tc_reserve_xy(&p->x, &p->y, &p->cap, p->n + n) != 0 ||
            tc_reserve((void **)&p->ring, &p->ring_cap, p->n_ring + 2, sizeof *p->ring) != 0 ||
            tc_resize((void **)&p->county, p->ring_cap, sizeof *p->county) != 0 ||
            tc_resize((void **)&p->town, p->ring_cap, sizeof *p->town) != 0 ||
            !GEOSCoordSeq_copyToArrays_r(ctx, seq, p->x + p->n, p->y + p->n, NULL, NULL)) {
            failed = 1; /* a ring went undrawn: the picture fails */
            continue;
        }
        p->county[p->n_ring] = county;
        p->town[p->n_ring] = town;
        p->ring[p->n_ring++] = p->n;
        p->n += n;
        p->ring[p->n_ring] = p->n;
    }
    return failed ? -1 : 0;
}

/* Every edge of p into tb, in order; seen[k]: the entry of the k-th. */
static void register_edges(struct edge_table *tb, const struct border_pts *p, size_t *seen)
{
    size_t k = 0;
    for (size_t r = 0; r < p->n_ring; r++)
        for (size_t j = p->ring[r]; j + 1 < p->ring[r + 1]; j++) {
            struct edge *e = edge_find(tb, p, j);
            seen[k++] = (size_t)(e - tb->e);
            if (e->town == -1) {
                e->county = p->county[r];
                e->town = p->town[r];
            } else if (e->town >= 0 && e->town != p->town[r] && e->county == p->county[r]) {
                e->town = TOWN_INTERIOR;
            }
        }
}

/* The border edges as one path: a pen lifted at each interior edge. */
static void border_path(const struct canvas *c, const struct edge_table *tb,
                        const struct border_pts *p, const size_t *seen)
{
    size_t k = 0;
    for (size_t r = 0; r < p->n_ring; r++) {
        struct pen pen = {0};
        for (size_t j = p->ring[r]; j + 1 < p->ring[r + 1]; j++) {
            double px, py;
            if (tb->e[seen[k++]].town == TOWN_INTERIOR) {
                pen_up(c->cr, &pen);
                continue;
            }
            if (!pen.down) {
                to_px(c, p->x[j], p->y[j], &px, &py);
                pen_move(c->cr, &pen, px, py);
            }
            to_px(c, p->x[j + 1], p->y[j + 1], &px, &py);
            pen_line(c->cr, &pen, px, py);
        }
        pen_up(c->cr, &pen);
    }
}

/* A table size for the map's vertices (an upper bound on its edges). */
static size_t edge_capacity(GEOSContextHandle_t ctx, const struct tc_map *map)
{
    size_t n = 0, cap = 1024;
    for (int t = 0; t < map->n; t++)
        n += (size_t)GEOSGetNumCoordinates_r(ctx, map->t[t].geom);
    while (cap < 2 * n)
        cap *= 2;
    return cap;
}

static int draw_counties(const struct canvas *c, GEOSContextHandle_t ctx, const struct tc_map *map)
{
    struct border_pts p = {0};
    int rc = 0;
    for (int t = 0; t < map->n; t++)
        if (collect_rings(ctx, map->t[t].geom, t, map->t[t].county_id, &p) != 0)
            rc = -1;
    size_t cap = edge_capacity(ctx, map);
    struct edge_table tb = {calloc(cap, sizeof *tb.e), cap - 1};
    size_t *seen = malloc(sizeof *seen * (p.n + 1));
    /* at is 32 bits; the table holds each edge once */
    if (!tb.e || !seen || p.n >= UINT32_MAX || p.n >= cap)
        rc = -1;
    if (rc == 0) {
        register_edges(&tb, &p, seen);
        border_path(c, &tb, &p, seen);
    }
    set_rgb(c->cr, ink);
    cairo_set_line_width(c->cr, 1.4);
    cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(c->cr);
    free(p.x);
    free(p.y);
    free(p.ring);
    free(p.county);
    free(p.town);
    free(seen);
    free(tb.e);
    return rc;
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
