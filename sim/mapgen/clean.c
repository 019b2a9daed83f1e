/* clean.c — a county made fit to split: its shape converted (parts with no
 * area dropped), repeated, collinear and spike vertices stripped, made
 * valid (GEOS MakeValid, structure method), sliver parts and small holes
 * dropped. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/shpio.h"

/* Polygon parts and holes smaller than this are slivers of the 1/1024°
 * source grid (pinched-off spikes MakeValid cuts loose), not real land. */
#define SLIVER_KM2 0.1

/* A copy of polygon p without the holes under SLIVER_KM2 (km2_per_unit
 * converts its planar area). */
static GEOSGeometry *fill_small_holes(struct mg_worker *w, struct county *c, const GEOSGeometry *p,
                                      double km2_per_unit)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    int nh = GEOSGetNumInteriorRings_r(ctx, p), nk = 0;
    GEOSGeometry **keep = calloc((size_t)nh + 1, sizeof *keep);
    GEOSGeometry *shell = GEOSGeom_clone_r(ctx, GEOSGetExteriorRing_r(ctx, p));
    int ok = keep && shell;
    for (int i = 0; ok && i < nh; i++) {
        const GEOSGeometry *hole = GEOSGetInteriorRingN_r(ctx, p, i);
        double *x, *y;
        int n = mg_ring_coords(ctx, hole, &x, &y);
        if (!(ok = n >= 0))
            break;
        double km2 = fabs(mg_shoelace(x, y, n)) * km2_per_unit;
        free(x);
        free(y);
        if (km2 < SLIVER_KM2) {
            c->holes_filled++;
            c->hole_km2 += mg_ring_geo_m2(w, hole) / 1e6;
        } else {
            ok = (keep[nk++] = GEOSGeom_clone_r(ctx, hole)) != NULL;
        }
    }
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, keep, (unsigned)nk) : NULL;
    if (!g) {
        for (int i = 0; keep && i < nk; i++)
            mg_destroy(ctx, &keep[i]);
        mg_destroy(ctx, &shell);
    }
    free(keep);
    return g;
}

/* The polygonal part of a valid geometry, without slivers: parts under
 * SLIVER_KM2 (but never the largest) and holes under it. */
static GEOSGeometry *drop_slivers(struct mg_worker *w, struct county *c, const GEOSGeometry *g)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    struct glist parts = {0}, kept = {0};
    double y0 = 0, y1 = 0, x0, x1, best = -1.0;
    int largest = -1, ok = mg_collect_polygons(ctx, g, &parts, &c->lines_dropped) == 0;
    if (ok && parts.n > 0)
        ok = GEOSGeom_getExtent_r(ctx, g, &x0, &y0, &x1, &y1);
    double km2_per_unit = KM_PER_DEG * KM_PER_DEG * cos((y0 + y1) / 2 * M_PI / 180.0);
    double *area = ok ? calloc((size_t)parts.n + 1, sizeof *area) : NULL;
    for (int i = 0; area && i < parts.n; i++) {
        GEOSArea_r(ctx, parts.g[i], &area[i]);
        if (area[i] > best)
            best = area[i], largest = i;
    }
    ok = area && (largest >= 0 || parts.n == 0); /* none: an empty result */
    for (int i = 0; ok && i < parts.n; i++) {
        if (i != largest && area[i] * km2_per_unit < SLIVER_KM2) {
            c->parts_dropped++;
            c->sliver_km2 += mg_geo_area_km2(w, parts.g[i]);
            continue;
        }
        GEOSGeometry *f = fill_small_holes(w, c, parts.g[i], km2_per_unit);
        ok = f && mg_glist_push(&kept, f) == 0;
        if (!ok)
            mg_destroy(ctx, &f);
    }
    free(area);
    mg_glist_free(ctx, &parts);
    if (!ok) {
        mg_glist_free(ctx, &kept);
        return NULL;
    }
    return mg_polygons_make(ctx, &kept);
}

/* Exact cross product of (b - a) and (c - a) is zero. On the source's
 * 1/1024-degree grid every product is exact, so only truly collinear
 * vertices are ever removed. */
static int collinear(const double *x, const double *y, int a, int b, int c)
{
    return (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]) == 0.0;
}

/* Removes repeated, collinear and spike (A-B-A) vertices of a closed ring in
 * place; returns the distinct vertices left (the ring is then closed again).
 * Neither changes the area the ring bounds; spikes are zero-width lines that
 * MakeValid would cut off anyway, at a far higher cost per vertex. */
static int ring_strip(double *x, double *y, int n)
{
    int m = 0;
    for (int i = 0; i + 1 < n; i++) { /* the closing vertex is re-added below */
        if (m > 0 && x[i] == x[m - 1] && y[i] == y[m - 1])
            continue;
        x[m] = x[i], y[m] = y[i], m++;
        while (m >= 3 && collinear(x, y, m - 3, m - 2, m - 1))
            x[m - 2] = x[m - 1], y[m - 2] = y[m - 1], m--;
    }
    int h = 0; /* first vertex kept: the wrap-around may remove leading ones */
    while (m - h >= 3) {
        if (x[m - 1] == x[h] && y[m - 1] == y[h])
            m--;
        else if (collinear(x, y, m - 2, m - 1, h))
            m--;
        else if (collinear(x, y, m - 1, h, h + 1))
            h++;
        else
            break;
    }
    memmove(x, x + h, sizeof *x * (size_t)(m - h));
    memmove(y, y + h, sizeof *y * (size_t)(m - h));
    m -= h;
    if (m < 3)
        return m;
    x[m] = x[0], y[m] = y[0];
    return m;
}

/* A stripped copy of ring r, or NULL with *gone set when nothing is left. */
static GEOSGeometry *strip_ring(GEOSContextHandle_t ctx, const GEOSGeometry *r, int *removed,
                                int *gone)
{
    double *x, *y;
    int n = mg_ring_coords(ctx, r, &x, &y);
    *gone = 0;
    if (n < 0)
        return NULL;
    int m = ring_strip(x, y, n);
    *removed += n - 1 - (m < 3 ? 0 : m);
    GEOSGeometry *ring = NULL;
    if (m < 3) {
        *gone = 1;
    } else {
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(ctx, x, y, NULL, NULL,
                                                               (unsigned)m + 1);
        ring = seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
    }
    free(x);
    free(y);
    return ring;
}

static int strip_polygon(GEOSContextHandle_t ctx, const GEOSGeometry *p, struct glist *out,
                         int *removed)
{
    int gone, nh = GEOSGetNumInteriorRings_r(ctx, p), nk = 0;
    GEOSGeometry *shell = strip_ring(ctx, GEOSGetExteriorRing_r(ctx, p), removed, &gone);
    if (!shell)
        return gone ? 0 : -1;
    GEOSGeometry **holes = calloc((size_t)nh + 1, sizeof *holes);
    int ok = holes != NULL;
    for (int i = 0; ok && i < nh; i++) {
        GEOSGeometry *h = strip_ring(ctx, GEOSGetInteriorRingN_r(ctx, p, i), removed, &gone);
        ok = h || gone;
        if (h)
            holes[nk++] = h;
    }
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nk) : NULL;
    if (!g) {
        for (int i = 0; holes && i < nk; i++)
            mg_destroy(ctx, &holes[i]);
        mg_destroy(ctx, &shell);
    }
    free(holes);
    return g && mg_glist_push(out, g) == 0 ? 0 : -1;
}

/* g (Polygon or MultiPolygon, maybe invalid) without repeated, collinear and
 * spike vertices. */
static GEOSGeometry *strip_vertices(GEOSContextHandle_t ctx, const GEOSGeometry *g, int *removed)
{
    struct glist l = {0};
    int n = GEOSGetNumGeometries_r(ctx, g), rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (!GEOSisEmpty_r(ctx, p))
            rc = strip_polygon(ctx, p, &l, removed);
    }
    if (rc != 0) {
        mg_glist_free(ctx, &l);
        return NULL;
    }
    return mg_polygons_make(ctx, &l);
}

/* GEOS's "structure" MakeValid: each ring's area by its winding (buffer by
 * zero, both orientations). The default "linework" method nodes the rings
 * and alternates faces: where collapsed spikes of the source close off a
 * triangle it keeps that triangle, which then overlaps the neighbouring
 * county (about 2 km2 over Jiangxi), and it is ten times slower. */
static GEOSGeometry *make_valid(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    GEOSMakeValidParams *par = GEOSMakeValidParams_create_r(ctx);
    if (!par)
        return NULL;
    GEOSMakeValidParams_setMethod_r(ctx, par, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(ctx, par, 0);
    GEOSGeometry *v = GEOSMakeValidWithParams_r(ctx, g, par);
    GEOSMakeValidParams_destroy_r(ctx, par);
    return v;
}

/* The county's shape as read (the record converted, its SHPObject freed),
 * or the synthetic county's; NULL with w->err set. */
static GEOSGeometry *county_source(struct mg_worker *w, const struct province *p, struct county *c)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSGeometry *g = c->geom;
    c->geom = NULL;
    if (!g) {
        /* The builder always repairs: parts a coarse grid collapsed to a
         * point or a line (coastal islets) are dropped and counted. */
        struct shpio_drops drops = {0};
        g = shpio_polygon_to_geos(ctx, c->shape, &drops, &w->err);
        c->collapsed_parts = drops.n;
        shpio_drops_free(&drops);
        SHPDestroyObject(c->shape);
        c->shape = NULL;
        if (!g) {
            char inner[sizeof w->err.msg];
            snprintf(inner, sizeof inner, "%s", w->err.msg);
            tc_fail(&w->err, TC_EXIT_MAP, "%s: %s", p->shp_path, inner);
            return NULL;
        }
    }
    double x0, y0, x1, y1;
    if (GEOSGeom_getExtent_r(ctx, g, &x0, &y0, &x1, &y1)
        && (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90)) {
        mg_destroy(ctx, &g);
        tc_fail(&w->err, TC_EXIT_MAP, "%s: " MG_REC_FMT ": coordinates up to %.1f %.1f are "
                "not longitude/latitude degrees (the builder reads WGS 84 lon/lat)", MG_SRC(p),
                MG_REC(p, c), fabs(x0) > fabs(x1) ? x0 : x1, fabs(y0) > fabs(y1) ? y0 : y1);
    }
    return g;
}

/* County c cleaned: c->geom a valid, sliver-free (Multi)Polygon (densified
 * later, after the borders are simplified), its extent measured. */
int mg_county_clean(struct mg_worker *w, const struct province *p, struct county *c)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSGeometry *g = county_source(w, p, c);
    if (!g)
        return -1;
    GEOSGeometry *stripped = strip_vertices(ctx, g, &c->vertices_stripped);
    mg_destroy(ctx, &g);
    if (!stripped)
        return mg_geos_fail(w, "polygon copy");
    g = stripped;
    char valid = GEOSisValid_r(ctx, g);
    if (!valid) {
        GEOSGeometry *fixed = make_valid(ctx, g);
        mg_destroy(ctx, &g);
        g = fixed;
        c->was_invalid = 1;
    }
    GEOSGeometry *clean = g && valid != 2 ? drop_slivers(w, c, g) : NULL;
    mg_destroy(ctx, &g);
    if (!clean)
        return mg_geos_fail(w, "MakeValid");
    if (GEOSisEmpty_r(ctx, clean)) {
        mg_destroy(ctx, &clean);
        return tc_fail(&w->err, TC_EXIT_MAP, "%s: " MG_REC_FMT ": the county has no area",
                       MG_SRC(p), MG_REC(p, c));
    }
    c->geom = clean;
    if (mg_check_valid(w, c->geom, "the cleaned county") != 0)
        return -1;
    GEOSGeom_getExtent_r(ctx, c->geom, &c->xmin, &c->ymin, &c->xmax, &c->ymax);
    return 0;
}
