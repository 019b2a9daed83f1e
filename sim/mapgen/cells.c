/* cells.c — splitting a polygon into n cells: the seeds' Voronoi diagram,
 * noded with the polygon's boundary once so that neighbouring cells share
 * their vertices exactly, each face handed to the seed whose cell holds
 * it. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void mg_split_free(GEOSContextHandle_t ctx, struct split *sp)
{
    for (int k = 0; sp->cell && k < sp->n; k++)
        mg_destroy(ctx, &sp->cell[k]);
    free(sp->cell);
    free(sp->lon);
    free(sp->lat);
    free(sp->dist);
    memset(sp, 0, sizeof *sp);
}

/* The ring of a Voronoi cell (local frame) as a lon/lat line. Densified
 * later, per township: noding is far cheaper on the few long edges. */
static GEOSGeometry *cell_outline(struct splitter *z, const GEOSGeometry *cell)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    double *x, *y;
    int n = mg_ring_coords(ctx, GEOSGetExteriorRing_r(ctx, cell), &x, &y);
    if (n < 4) {
        if (n >= 0)
            free(x), free(y);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        mg_frame_to_lonlat(&z->f, x[i], y[i], &x[i], &y[i]);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(ctx, x, y, NULL, NULL, (unsigned)n);
    free(x);
    free(y);
    return seq ? GEOSGeom_createLineString_r(ctx, seq) : NULL;
}

static GEOSGeometry *seeds_multipoint(GEOSContextHandle_t ctx, const double *sx,
                                      const double *sy, int n)
{
    GEOSGeometry **pt = calloc((size_t)n, sizeof *pt);
    if (!pt)
        return NULL;
    int ok = 1;
    for (int k = 0; ok && k < n; k++)
        ok = (pt[k] = GEOSGeom_createPointFromXY_r(ctx, sx[k], sy[k])) != NULL;
    GEOSGeometry *mp =
        ok ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOINT, pt, (unsigned)n) : NULL;
    if (!mp)
        for (int k = 0; k < n; k++)
            mg_destroy(ctx, &pt[k]);
    free(pt);
    return mp;
}

/* The Voronoi diagram of the seeds, cut to box, as lon/lat outlines
 * (appended to l). */
static int voronoi_outlines(struct splitter *z, const double *sx, const double *sy,
                            const double *box, struct glist *l)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    GEOSGeometry *mp = seeds_multipoint(ctx, sx, sy, z->n);
    GEOSGeometry *env = GEOSGeom_createRectangle_r(ctx, box[0], box[1], box[2], box[3]);
    GEOSGeometry *vd = mp && env ? GEOSVoronoiDiagram_r(ctx, mp, env, 0.0, 0) : NULL;
    mg_destroy(ctx, &mp);
    mg_destroy(ctx, &env);
    if (!vd)
        return mg_geos_fail(z->w, "VoronoiDiagram");
    int rc = 0, nv = GEOSGetNumGeometries_r(ctx, vd);
    if (nv != z->n)
        rc = tc_fail(&z->w->err, TC_EXIT_INTERNAL, "%d Voronoi cells for %d seeds", nv, z->n);
    for (int i = 0; rc == 0 && i < nv; i++) {
        GEOSGeometry *cut = GEOSClipByRect_r(ctx, GEOSGetGeometryN_r(ctx, vd, i), box[0], box[1],
                                             box[2], box[3]);
        GEOSGeometry *line = cut && !GEOSisEmpty_r(ctx, cut) ? cell_outline(z, cut) : NULL;
        mg_destroy(ctx, &cut);
        if (!line || mg_glist_push(l, line) != 0) {
            mg_destroy(ctx, &line);
            rc = mg_geos_fail(z->w, "Voronoi cell");
        }
    }
    mg_destroy(ctx, &vd);
    return rc;
}

/* The faces of the polygon's boundary and the cell outlines, noded together
 * once: every intersection point is computed once, so neighbouring cells
 * share their vertices exactly and the faces tile the polygon. */
static GEOSGeometry *faces_of(struct splitter *z, struct glist *lines)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    GEOSGeometry *bound = GEOSBoundary_r(ctx, z->poly);
    if (!bound || mg_glist_push(lines, bound) != 0) {
        mg_destroy(ctx, &bound);
        return NULL;
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, lines->g,
                                                    (unsigned)lines->n);
    if (!all)
        return NULL;
    lines->n = 0; /* owned by all */
    GEOSGeometry *noded = GEOSUnaryUnion_r(ctx, all);
    mg_destroy(ctx, &all);
    if (!noded)
        return NULL;
    const GEOSGeometry *in[1] = {noded};
    GEOSGeometry *faces = GEOSPolygonize_r(ctx, in, 1);
    mg_destroy(ctx, &noded);
    return faces;
}

/* Face f goes to the seed whose cell holds it (the seed nearest a point
 * inside it), unless it lies outside the polygon (a hole, or beyond). */
static int face_assign(struct splitter *z, const GEOSGeometry *f, const struct seed_grid *g,
                       const double *sx, const double *sy, struct glist *per_seed)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    GEOSGeometry *pt = GEOSPointOnSurface_r(ctx, f);
    double lon = 0, lat = 0;
    int ok = pt && GEOSGeomGetX_r(ctx, pt, &lon) && GEOSGeomGetY_r(ctx, pt, &lat);
    mg_destroy(ctx, &pt);
    if (!ok)
        return mg_geos_fail(z->w, "PointOnSurface");
    double x = (lon - z->f.lon0) * z->f.c, y = lat - z->f.lat0;
    if (!mg_rings_inside(&z->rings, x, y))
        return 0;
    int k = seed_grid_nearest(g, sx, sy, x, y);
    GEOSGeometry *c = GEOSGeom_clone_r(ctx, f);
    if (!c || mg_glist_push(&per_seed[k], c) != 0) {
        mg_destroy(ctx, &c);
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    }
    return 0;
}

static int faces_assign(struct splitter *z, const GEOSGeometry *faces, const double *sx,
                        const double *sy, struct split *sp)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    struct glist *per_seed = calloc((size_t)z->n, sizeof *per_seed);
    struct seed_grid g = {0};
    int rc = per_seed && seed_grid_build(&g, sx, sy, z->n) == 0
        ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    int nf = rc == 0 ? GEOSGetNumGeometries_r(ctx, faces) : 0;
    for (int i = 0; rc == 0 && i < nf; i++)
        rc = face_assign(z, GEOSGetGeometryN_r(ctx, faces, i), &g, sx, sy, per_seed);
    for (int k = 0; per_seed && k < z->n; k++) {
        if (rc == 0 && per_seed[k].n == 0)
            rc = tc_fail(&z->w->err, TC_EXIT_INTERNAL, "seed %d got no face", k);
        GEOSGeometry *cell = rc == 0 ? mg_polygons_make(ctx, &per_seed[k]) : NULL;
        /* The two townships along an edge densify it identically (see
         * densify_edge), so the tiling stays exact. */
        if (rc == 0 && !(sp->cell[k] = cell ? mg_densify(ctx, cell, DENSIFY_DEG) : NULL))
            rc = mg_geos_fail(z->w, "polygon");
        mg_destroy(ctx, &cell);
        mg_glist_free(ctx, &per_seed[k]);
    }
    seed_grid_free(&g);
    free(per_seed);
    return rc;
}

/* Clips the seeds' Voronoi cells to the polygon, in lon/lat so that the
 * cells tile the polygon as given. */
static int split_cells(struct splitter *z, const double *sx, const double *sy, struct split *sp)
{
    GEOSContextHandle_t ctx = z->w->tw->geos;
    if (z->n == 1)
        return (sp->cell[0] = GEOSGeom_clone_r(ctx, z->poly)) ? 0 : mg_geos_fail(z->w, "clone");
    double pad = 0.05 * fmax(z->box[2] - z->box[0], z->box[3] - z->box[1]) + 1e-9;
    double box[4] = {z->box[0] - pad, z->box[1] - pad, z->box[2] + pad, z->box[3] + pad};
    struct glist lines = {0};
    int rc = voronoi_outlines(z, sx, sy, box, &lines);
    GEOSGeometry *faces = rc == 0 ? faces_of(z, &lines) : NULL;
    mg_glist_free(ctx, &lines);
    if (rc == 0 && !faces)
        rc = mg_geos_fail(z->w, "noding or polygonizing the cells");
    if (rc == 0)
        rc = faces_assign(z, faces, sx, sy, sp);
    mg_destroy(ctx, &faces);
    return rc;
}

static int split_alloc(struct split *sp, int n)
{
    sp->n = n;
    sp->lon = malloc(sizeof *sp->lon * (size_t)n);
    sp->lat = malloc(sizeof *sp->lat * (size_t)n);
    sp->dist = malloc(sizeof *sp->dist * (size_t)n);
    sp->cell = calloc((size_t)n, sizeof *sp->cell);
    return sp->lon && sp->lat && sp->dist && sp->cell ? 0 : -1;
}

static int splitter_run(struct splitter *z, struct split *sp)
{
    double *sx = malloc(sizeof *sx * (size_t)z->n), *sy = malloc(sizeof *sy * (size_t)z->n);
    int rc = sx && sy && split_alloc(sp, z->n) == 0
        ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    if (rc == 0)
        rc = mg_splitter_setup(z);
    if (rc == 0)
        rc = mg_seeds_place(z, sx, sy);
    if (rc == 0)
        rc = split_cells(z, sx, sy, sp);
    for (int k = 0; rc == 0 && k < z->n; k++) {
        mg_frame_to_lonlat(&z->f, sx[k], sy[k], &sp->lon[k], &sp->lat[k]);
        sp->dist[k] = hypot(sx[k] - z->cx, sy[k] - z->cy);
    }
    free(sx);
    free(sy);
    return rc;
}

/* Splits poly (lon/lat, valid) into n cells that tile it; the n_urban
 * cells nearest its centre come out small. sp is filled (caller frees with
 * split_free) or, on failure, w->err is set. */
int mg_split_polygon(struct mg_worker *w, const GEOSGeometry *poly, int n, int n_urban,
                     uint64_t seed, uint64_t stream, struct split *sp)
{
    struct splitter z = {.w = w, .poly = poly, .n = n, .n_urban = n_urban, .seed = seed,
                         .stream = stream};
    int rc = splitter_run(&z, sp);
    mg_rings_free(&z.rings);
    mg_pts_free(&z.s);
    free(z.wt);
    free(z.assign);
    if (rc != 0)
        mg_split_free(w->tw->geos, sp);
    return rc;
}
