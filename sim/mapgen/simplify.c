/* simplify.c — the county borders simplified all at once, so that a border
 * two counties share stays shared vertex for vertex. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>

/* The province's border arcs: every county boundary, noded together (a
 * border two counties share appears once) and merged into arcs between
 * the points where three or more borders meet. */
static GEOSGeometry *border_arcs(struct mg_worker *w, const struct province *p)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    struct glist l = {0};
    for (int i = 0; i < p->nc; i++) {
        GEOSGeometry *b = GEOSBoundary_r(ctx, p->c[i].geom);
        if (!b || mg_glist_push(&l, b) != 0) {
            mg_destroy(ctx, &b);
            mg_glist_free(ctx, &l);
            return NULL;
        }
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, l.g,
                                                    (unsigned)l.n);
    if (all)
        l.n = 0;
    mg_glist_free(ctx, &l);
    GEOSGeometry *noded = all ? GEOSUnaryUnion_r(ctx, all) : NULL;
    mg_destroy(ctx, &all);
    GEOSGeometry *arcs = noded ? GEOSLineMerge_r(ctx, noded) : NULL;
    mg_destroy(ctx, &noded);
    return arcs;
}

#define MAX_OWNERS 8

/* The counties whose boundary holds arc a, probed at the middle of its
 * first segment (exactly on the boundary, up to rounding). */
static int arc_owners(struct mg_worker *w, const struct province *p,
                      const GEOSPreparedGeometry *const *bound, const GEOSGeometry *a, int *own)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, a);
    double x0, y0, x1, y1;
    if (!seq || !GEOSCoordSeq_getXY_r(ctx, seq, 0, &x0, &y0)
        || !GEOSCoordSeq_getXY_r(ctx, seq, 1, &x1, &y1))
        return -1;
    double x = (x0 + x1) / 2, y = (y0 + y1) / 2, eps = 1e-9;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
    int n = 0;
    for (int i = 0; pt && i < p->nc && n < MAX_OWNERS; i++) {
        const struct county *c = &p->c[i];
        double d = 1.0;
        if (x < c->xmin - eps || x > c->xmax + eps || y < c->ymin - eps || y > c->ymax + eps)
            continue;
        if (GEOSPreparedDistance_r(ctx, bound[i], pt, &d) && d <= eps)
            own[n++] = i;
    }
    mg_destroy(ctx, &pt);
    return n;
}

static int count_vertices(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    int n = GEOSGetNumCoordinates_r(ctx, g);
    return n > 0 ? n : 0;
}

/* Guards against a lost part or a wrongly owned arc: the area moves little
 * (simplifying at the source's resolution moves a county's by under 0.5 %)
 * and every part of the original still has a point in or near the new one
 * (parts touching at a point may merge). */
static int simplified_check(struct mg_worker *w, const GEOSGeometry *old, const GEOSGeometry *new,
                            double tol)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    double a0 = 0, a1 = 0;
    GEOSArea_r(ctx, old, &a0);
    GEOSArea_r(ctx, new, &a1);
    if (fabs(a1 - a0) > 0.05 * a0)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "simplifying its border changed its area "
                       "from %.6g to %.6g square degrees; try a smaller --simplify", a0, a1);
    for (int k = 0; k < GEOSGetNumGeometries_r(ctx, old); k++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(ctx, GEOSGetGeometryN_r(ctx, old, k));
        double d = INFINITY;
        int ok = pt && GEOSDistance_r(ctx, new, pt, &d);
        mg_destroy(ctx, &pt);
        if (!ok || d > 2 * tol)
            return tc_fail(&w->err, TC_EXIT_INTERNAL, "simplifying its border lost part %d; "
                           "try a smaller --simplify", k);
    }
    return 0;
}

/* County i rebuilt from its simplified arcs (even-odd nesting). */
static int county_rebuild(struct mg_worker *w, struct county *c, int i, const GEOSGeometry *simp,
                          const int *nown, const int (*own)[MAX_OWNERS], double tol)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    struct glist l = {0};
    int rc = 0;
    for (int a = 0; rc == 0 && a < GEOSGetNumGeometries_r(ctx, simp); a++)
        for (int k = 0; k < nown[a]; k++)
            if (own[a][k] == i) {
                GEOSGeometry *arc = GEOSGeom_clone_r(ctx, GEOSGetGeometryN_r(ctx, simp, a));
                rc = arc && mg_glist_push(&l, arc) == 0 ? 0 : -1;
                if (rc != 0)
                    mg_destroy(ctx, &arc);
                break;
            }
    GEOSGeometry *coll = rc == 0 ? GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION,
                                                               l.g, (unsigned)l.n) : NULL;
    if (coll)
        l.n = 0;
    mg_glist_free(ctx, &l);
    GEOSGeometry *area = coll ? GEOSBuildArea_r(ctx, coll) : NULL;
    mg_destroy(ctx, &coll);
    GEOSGeometry *poly = area ? mg_polygonal(ctx, area, NULL) : NULL;
    mg_destroy(ctx, &area);
    if (!poly)
        return mg_geos_fail(w, "rebuilding the simplified county");
    if (simplified_check(w, c->geom, poly, tol) != 0
        || mg_check_valid(w, poly, "the simplified county") != 0) {
        mg_destroy(ctx, &poly);
        return -1;
    }
    mg_destroy(ctx, &c->geom);
    c->geom = poly;
    return 0;
}

/* Owners of every arc; an arc nobody owns means the noding went wrong. */
static int arcs_owned(struct mg_worker *w, const struct province *p, const GEOSGeometry *arcs,
                      int *nown, int (*own)[MAX_OWNERS])
{
    GEOSContextHandle_t ctx = w->tw->geos;
    int rc = 0;
    GEOSGeometry **bound = calloc((size_t)p->nc, sizeof *bound);
    const GEOSPreparedGeometry **prep = calloc((size_t)p->nc, sizeof *prep);
    for (int i = 0; bound && prep && i < p->nc && rc == 0; i++) {
        bound[i] = GEOSBoundary_r(ctx, p->c[i].geom);
        prep[i] = bound[i] ? GEOSPrepare_r(ctx, bound[i]) : NULL;
        rc = prep[i] ? 0 : -1;
    }
    if (!bound || !prep || rc != 0)
        rc = mg_geos_fail(w, "boundary");
    int na = GEOSGetNumGeometries_r(ctx, arcs);
    for (int a = 0; rc == 0 && a < na; a++) {
        nown[a] = arc_owners(w, p, prep, GEOSGetGeometryN_r(ctx, arcs, a), own[a]);
        if (nown[a] <= 0)
            rc = tc_fail(&w->err, TC_EXIT_INTERNAL, "border arc %d belongs to no county", a);
    }
    for (int i = 0; prep && bound && i < p->nc; i++) {
        if (prep[i])
            GEOSPreparedGeom_destroy_r(ctx, prep[i]);
        mg_destroy(ctx, &bound[i]);
    }
    free(prep);
    free(bound);
    return rc;
}

/* Simplifies the county borders with tolerance tol (degrees) so that two
 * counties sharing a border still share it vertex for vertex: the arcs are
 * simplified once, together, by GEOS's topology-preserving simplifier
 * (no arc crosses another), and each county is rebuilt from its arcs. */
int mg_counties_simplify(struct mg_worker *w, struct province *p, double tol,
                         struct mapgen_report *r, struct tc_error *err)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSGeometry *arcs = border_arcs(w, p);
    GEOSGeometry *simp = arcs ? GEOSTopologyPreserveSimplify_r(ctx, arcs, tol) : NULL;
    int na = arcs ? GEOSGetNumGeometries_r(ctx, arcs) : 0;
    int *nown = calloc((size_t)na + 1, sizeof *nown);
    int (*own)[MAX_OWNERS] = calloc((size_t)na + 1, sizeof *own);
    int rc = simp && nown && own && GEOSGetNumGeometries_r(ctx, simp) == na
        ? 0 : mg_geos_fail(w, "simplifying the borders");
    if (rc == 0)
        rc = arcs_owned(w, p, arcs, nown, own);
    if (rc == 0) {
        r->border_arcs = na;
        r->border_vertices = count_vertices(ctx, arcs);
        r->border_vertices_kept = count_vertices(ctx, simp);
    }
    if (rc != 0)
        tc_fail(err, TC_EXIT_INTERNAL, "simplifying the county borders: %s", w->err.msg);
    for (int i = 0; rc == 0 && i < p->nc; i++)
        if (county_rebuild(w, &p->c[i], i, simp, nown, own, tol) != 0)
            rc = tc_fail(err, TC_EXIT_INTERNAL, "county %s (%s): %s", p->c[i].code,
                         p->c[i].name, w->err.msg);
    free(nown);
    free(own);
    mg_destroy(ctx, &simp);
    mg_destroy(ctx, &arcs);
    return rc;
}
