/* geom.c — small helpers every step of the builder uses: strings, GEOS
 * clean-up and errors, growable geometry lists, ring coordinates, planar
 * and geodesic areas, the polygonal part of a geometry. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *mg_dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* FNV-1a: a county's random stream from its code, so its townships do not
 * change when other counties are added or reordered. */
uint64_t mg_hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Fails with the last GEOS message, for library calls that returned NULL. */
int mg_geos_fail(struct mg_worker *w, const char *what)
{
    return tc_fail(&w->err, TC_EXIT_INTERNAL, "GEOS %s failed: %s", what,
                   w->tw->geos_msg[0] ? w->tw->geos_msg : "no message");
}

void mg_destroy(GEOSContextHandle_t ctx, GEOSGeometry **g)
{
    if (*g)
        GEOSGeom_destroy_r(ctx, *g);
    *g = NULL;
}

void mg_pts_free(struct pts *p)
{
    free(p->x);
    free(p->y);
    memset(p, 0, sizeof *p);
}

int mg_glist_push(struct glist *l, GEOSGeometry *g)
{
    size_t cap = (size_t)l->cap;
    if (tc_reserve((void **)&l->g, &cap, (size_t)l->n + 1, sizeof *l->g) != 0)
        return -1;
    l->cap = (int)cap;
    l->g[l->n++] = g;
    return 0;
}

void mg_glist_free(GEOSContextHandle_t ctx, struct glist *l)
{
    for (int i = 0; i < l->n; i++)
        mg_destroy(ctx, &l->g[i]);
    free(l->g);
    memset(l, 0, sizeof *l);
}

/* Coordinates of a ring (closed) as new arrays; returns the count or -1. */
int mg_ring_coords(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double **x, double **y)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n))
        return -1;
    *x = malloc(sizeof **x * (n ? n : 1));
    *y = malloc(sizeof **y * (n ? n : 1));
    if (!*x || !*y || (n && !GEOSCoordSeq_copyToArrays_r(ctx, seq, *x, *y, NULL, NULL))) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        return -1;
    }
    return (int)n;
}

double mg_shoelace(const double *x, const double *y, int n)
{
    double s = 0.0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        s += (x[j] - x[i]) * (y[j] + y[i]);
    return s / 2.0;
}

/* Geodesic area of a ring, m², absolute. */
double mg_ring_geo_m2(struct mg_worker *w, const GEOSGeometry *ring)
{
    double *x, *y;
    int n = mg_ring_coords(w->tw->geos, ring, &x, &y);
    if (n < 4) {
        if (n >= 0) {
            free(x);
            free(y);
        }
        return 0.0;
    }
    double area = 0.0, perim = 0.0;
    geod_polygonarea(&w->geod, y, x, n - 1, &area, &perim); /* lats, lons */
    free(x);
    free(y);
    return fabs(area);
}

/* Geodesic area of a lon/lat Polygon or MultiPolygon, km². */
double mg_geo_area_km2(struct mg_worker *w, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(w->tw->geos, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        double s = 0.0;
        for (int i = 0; i < GEOSGetNumGeometries_r(w->tw->geos, g); i++)
            s += mg_geo_area_km2(w, GEOSGetGeometryN_r(w->tw->geos, g, i));
        return s;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(w->tw->geos, g))
        return 0.0;
    double m2 = mg_ring_geo_m2(w, GEOSGetExteriorRing_r(w->tw->geos, g));
    for (int i = 0; i < GEOSGetNumInteriorRings_r(w->tw->geos, g); i++)
        m2 -= mg_ring_geo_m2(w, GEOSGetInteriorRingN_r(w->tw->geos, g, i));
    return m2 / 1e6;
}

/* Appends clones of the polygons in g to l; counts the other pieces (the
 * lines and points MakeValid leaves where spikes collapse). */
int mg_collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g, struct glist *l,
                        int *others)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
            if (mg_collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), l, others) != 0)
                return -1;
        return 0;
    }
    if (type != GEOS_POLYGON) {
        if (others)
            *others += type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOINT
                ? GEOSGetNumGeometries_r(ctx, g) : 1;
        return 0;
    }
    if (GEOSisEmpty_r(ctx, g))
        return 0;
    GEOSGeometry *c = GEOSGeom_clone_r(ctx, g);
    if (!c || mg_glist_push(l, c) != 0) {
        mg_destroy(ctx, &c);
        return -1;
    }
    return 0;
}

/* Polygon, MultiPolygon or empty polygon from l; takes l's geometries. */
GEOSGeometry *mg_polygons_make(GEOSContextHandle_t ctx, struct glist *l)
{
    GEOSGeometry *g;
    if (l->n == 0)
        g = GEOSGeom_createEmptyPolygon_r(ctx);
    else if (l->n == 1)
        g = l->g[0];
    else
        g = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, l->g, (unsigned)l->n);
    if (g)
        l->n = 0; /* owned by g now */
    mg_glist_free(ctx, l);
    return g;
}

/* The polygonal part of g as a Polygon or MultiPolygon. */
GEOSGeometry *mg_polygonal(GEOSContextHandle_t ctx, const GEOSGeometry *g, int *others)
{
    struct glist l = {0};
    if (mg_collect_polygons(ctx, g, &l, others) != 0) {
        mg_glist_free(ctx, &l);
        return NULL;
    }
    return mg_polygons_make(ctx, &l);
}

int mg_cmp_cand(const void *a, const void *b)
{
    const struct cand *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}
