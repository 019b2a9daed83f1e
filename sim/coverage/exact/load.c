/* load.c — the exact engine's first phase (see exact.h): the township's
 * rings and its candidate footprints copied into one vertex array, in
 * coordinates local to the township, every ring with its interior on its
 * left; byte-identical footprints kept once, with a multiplicity. */
#include "exact_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/map.h"

/* ---- the township -----------------------------------------------------------*/

/* Makes room for one more ring of n vertices. */
static int reserve_ring(struct covx_scratch *s, long n)
{
    s->rings = buf_get(&s->bufs[BUF_RINGS], (size_t)s->nring + 1, sizeof *s->rings);
    s->vx = buf_get(&s->bufs[BUF_VX], (size_t)(s->nv + n), sizeof *s->vx);
    s->vy = buf_get(&s->bufs[BUF_VY], (size_t)(s->nv + n), sizeof *s->vy);
    return s->rings && s->vx && s->vy ? 0 : decline(s, COVX_NOMEM);
}

/* Adds the ring of n points xy + (dx, dy) (a footprint's shape and its
 * station, or a township's ring and 0), in local coordinates. */
static int add_ring(struct covx_scratch *s, const double *xy, long n, double dx, double dy,
                    int owner)
{
    if (reserve_ring(s, n) != 0)
        return -1;
    double *vx = s->vx + s->nv, *vy = s->vy + s->nv;
    long m = 0;
    for (long k = 0; k < n; k++) { /* local coordinates, repeated points out */
        double x = (xy[2 * k] + dx) - s->ox, y = (xy[2 * k + 1] + dy) - s->oy;
        if (m > 0 && x == vx[m - 1] && y == vy[m - 1])
            continue;
        vx[m] = x;
        vy[m++] = y;
    }
    while (m > 1 && vx[m - 1] == vx[0] && vy[m - 1] == vy[0])
        m--; /* the closing point, or repeats of it */
    if (m < 3)
        return decline(s, COVX_GEOMETRY);
    double a2 = twice_area(vx, vy, m);
    struct ring *r = &s->rings[s->nring++];
    *r = (struct ring){.off = s->nv, .n = m, .owner = owner, .area_known = 1, .area2 = a2};
    s->nv += m;
    return a2 != 0 ? 0 : decline(s, COVX_GEOMETRY);
}

/* add_ring for a plain shape (shape_facts.plain): no vertex can repeat
 * and the area is positive, so the vertices are only placed. */
static int add_plain_ring(struct covx_scratch *s, const double *xy, long n, double dx, double dy,
                          int owner)
{
    if (reserve_ring(s, n) != 0)
        return -1;
    double *vx = s->vx + s->nv, *vy = s->vy + s->nv;
    for (long k = 0; k < n; k++) {
        vx[k] = (xy[2 * k] + dx) - s->ox;
        vy[k] = (xy[2 * k + 1] + dy) - s->oy;
    }
    s->rings[s->nring++] = (struct ring){.off = s->nv, .n = n, .owner = owner};
    s->nv += n;
    return 0;
}

/* Reverses ring r in place (so its interior side is on its left). */
static void ring_reverse(struct covx_scratch *s, struct ring *r)
{
    double *vx = s->vx + r->off, *vy = s->vy + r->off;
    for (long a = 0, b = r->n - 1; a < b; a++, b--) {
        double tx = vx[a], ty = vy[a];
        vx[a] = vx[b];
        vy[a] = vy[b];
        vx[b] = tx;
        vy[b] = ty;
    }
    r->area2 = -r->area2; /* township rings: always known */
}

static int add_geos_ring(struct covx_scratch *s, const GEOSGeometry *g, int shell)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(s->ctx, g);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(s->ctx, seq, &n))
        return decline(s, COVX_GEOMETRY);
    s->coords = buf_get(&s->bufs[BUF_COORDS], 2 * (size_t)n, sizeof *s->coords);
    if (!s->coords)
        return decline(s, COVX_NOMEM);
    if (!GEOSCoordSeq_copyToBuffer_r(s->ctx, seq, s->coords, 0, 0))
        return decline(s, COVX_GEOMETRY);
    if (add_ring(s, s->coords, n, 0.0, 0.0, FP_TOWNSHIP) != 0)
        return -1;
    struct ring *r = &s->rings[s->nring - 1];
    if ((r->area2 > 0) != shell) /* shells counter-clockwise, holes clockwise */
        ring_reverse(s, r);
    return 0;
}

static int add_geos_polygon(struct covx_scratch *s, const GEOSGeometry *p)
{
    if (GEOSisEmpty_r(s->ctx, p) == 1)
        return 0;
    if (add_geos_ring(s, GEOSGetExteriorRing_r(s->ctx, p), 1) != 0)
        return -1;
    int holes = GEOSGetNumInteriorRings_r(s->ctx, p);
    for (int h = 0; h < holes; h++)
        if (add_geos_ring(s, GEOSGetInteriorRingN_r(s->ctx, p, h), 0) != 0)
            return -1;
    return 0;
}

int covx_load_township(struct covx_scratch *s, const struct township *t)
{
    const GEOSGeometry *g = t->geom;
    int type = GEOSGeomTypeId_r(s->ctx, g);
    if (type == GEOS_POLYGON) {
        if (add_geos_polygon(s, g) != 0)
            return -1;
    } else if (type == GEOS_MULTIPOLYGON) {
        int parts = GEOSGetNumGeometries_r(s->ctx, g);
        for (int i = 0; i < parts; i++)
            if (add_geos_polygon(s, GEOSGetGeometryN_r(s->ctx, g, i)) != 0)
                return -1;
    } else {
        return decline(s, COVX_GEOMETRY);
    }
    s->ntring = s->nring;
    s->bx0 = s->by0 = INFINITY;
    s->bx1 = s->by1 = -INFINITY;
    for (long v = 0; v < s->nv; v++) {
        s->bx0 = dmin(s->bx0, s->vx[v]);
        s->bx1 = dmax(s->bx1, s->vx[v]);
        s->by0 = dmin(s->by0, s->vy[v]);
        s->by1 = dmax(s->by1, s->vy[v]);
    }
    return 0;
}

/* ---- its candidate footprints -----------------------------------------------*/

/* Identical footprints share their first vertex and size: hash those, and
 * let a vertex-by-vertex comparison settle collisions. */
static uint64_t fp_hash(const struct tc_footprints *fp, long i)
{
    double x, y;
    footprint_vertex(fp, i, 0, &x, &y);
    uint64_t a, b;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    uint64_t h = a ^ (b * 0x9E3779B97F4A7C15ull) ^
                 ((uint64_t)footprint_size(fp, i) * 0xC2B2AE3D27D4EB4Full);
    h ^= h >> 31; /* splitmix64's finaliser */
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

static int same_fp(const struct tc_footprints *fp, long i, long j)
{
    long n = footprint_size(fp, i);
    if (n != footprint_size(fp, j))
        return 0;
    if (fp->shape[i] == fp->shape[j]) /* the common case: compare the placements */
        return fp->cx[i] == fp->cx[j] && fp->cy[i] == fp->cy[j];
    for (long k = 0; k < n; k++) {
        double xi, yi, xj, yj;
        footprint_vertex(fp, i, k, &xi, &yi);
        footprint_vertex(fp, j, k, &xj, &yj);
        if (xi != xj || yi != yj)
            return 0;
    }
    return 1;
}

/* rep[j] = the first candidate identical to candidate j (j when none):
 * co-located stations with equal radio settings have byte-identical
 * footprints, whose shared edges would otherwise be a degenerate overlap. */
static int find_duplicates(struct covx_scratch *s, const struct tc_footprints *fp,
                           const long *ids, long n)
{
    size_t size = 16;
    while (size < 2 * (size_t)n)
        size *= 2;
    s->table = buf_get(&s->bufs[BUF_TABLE], size, sizeof *s->table);
    s->rep = buf_get(&s->bufs[BUF_REP], (size_t)n, sizeof *s->rep);
    if (!s->table || !s->rep)
        return decline(s, COVX_NOMEM);
    memset(s->table, 0xff, size * sizeof *s->table); /* all -1 */
    for (long j = 0; j < n; j++) {
        size_t h = (size_t)fp_hash(fp, ids[j]) & (size - 1);
        s->rep[j] = (int)j;
        for (; s->table[h] >= 0; h = (h + 1) & (size - 1))
            if (same_fp(fp, ids[s->table[h]], ids[j])) {
                s->rep[j] = s->table[h];
                break;
            }
        if (s->rep[j] == j)
            s->table[h] = (int)j;
    }
    return 0;
}

/* A shape is plain when its edges are far longer than the rounding of
 * placing it (~1e-9 m) and its area is far from 0: placed copies then
 * keep every vertex and a positive area. */
#define PLAIN_EDGE 1e-3 /* m, L-inf */
#define PLAIN_AREA 1e-3 /* of its envelope's */

/* The sure discs keep SURE_MARGIN from the boundary, far above the
 * rounding of placing a shape (~1e-9 m). So far from it, ring_side's
 * filter decides every sign it takes: with c the point and ab an edge
 * straddling c's row, both in the envelope (|a - c|, |b - c| <= 3 rout),
 * the filter is sure when |det| > 3.4e-16 * 18 rout^2, and |det| =
 * (c's horizontal gap to ab) * |dy| >= SURE_MARGIN * dymin. SURE_SLACK
 * asks for 100 times the bound. */
#define SURE_SLACK 1e-12

/* The distance from the station (0, 0) to segment a b. */
static double station_distance(double xa, double ya, double xb, double yb)
{
    double dx = xb - xa, dy = yb - ya, l2 = dx * dx + dy * dy;
    double t = l2 > 0.0 ? dmin(dmax(-(xa * dx + ya * dy) / l2, 0.0), 1.0) : 0.0;
    return hypot(xa + t * dx, ya + t * dy);
}

/* Measures shape sh (vertices relative to its station). */
static struct shape_facts measure_shape(const struct tc_footprints *fp, int sh)
{
    const double *xy = fp->sxy + 2 * fp->shape_off[sh];
    long n = fp->shape_off[sh + 1] - fp->shape_off[sh];
    struct shape_facts f = {.shape = sh, .rout2 = INFINITY, .sect = -1};
    double lmin = INFINITY, dymin = INFINITY, a2 = 0.0, rin = INFINITY, rout2 = 0.0;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    int winding = 0; /* of the shape about its station (crossings of the +x ray) */
    for (long a = n - 1, b = 0; b < n; a = b++) {
        double xa = xy[2 * a], ya = xy[2 * a + 1], xb = xy[2 * b], yb = xy[2 * b + 1];
        double len = dmax(fabs(xb - xa), fabs(yb - ya));
        f.lmax = dmax(f.lmax, len);
        f.linv += len > 0.0 ? 1.0 / len : 0.0;
        lmin = dmin(lmin, len);
        dymin = yb != ya ? dmin(dymin, fabs(yb - ya)) : dymin;
        double cross = xa * yb - xb * ya;
        a2 += cross;
        if ((ya <= 0.0) != (yb <= 0.0)) /* a crossing of y = 0, right of 0 or not */
            winding += (yb > ya) == (cross > 0.0) ? (yb > ya ? 1 : -1) : 0;
        rin = dmin(rin, station_distance(xa, ya, xb, yb));
        rout2 = dmax(rout2, xb * xb + yb * yb);
        x0 = dmin(x0, xb);
        y0 = dmin(y0, yb);
        x1 = dmax(x1, xb);
        y1 = dmax(y1, yb);
    }
    f.plain = n >= 3 && lmin > PLAIN_EDGE && a2 > 2.0 * PLAIN_AREA * (x1 - x0) * (y1 - y0);
    if (!f.plain || dymin * SURE_MARGIN <= SURE_SLACK * rout2)
        return f;
    if (winding == 1 && rin > 2.0 * SURE_MARGIN) /* the station is inside, clear of ∂ */
        f.rin2 = (rin - SURE_MARGIN) * (rin - SURE_MARGIN);
    f.rout2 = (sqrt(rout2) + SURE_MARGIN) * (sqrt(rout2) + SURE_MARGIN);
    return f;
}

/* Empties the table of shapes for a township of n candidates. */
static int clear_shapes(struct covx_scratch *s, long n)
{
    size_t size = 16;
    while (size < 2 * (size_t)n)
        size *= 2;
    s->shapes = buf_get(&s->bufs[BUF_SHAPES], size, sizeof *s->shapes);
    if (!s->shapes)
        return decline(s, COVX_NOMEM);
    for (size_t i = 0; i < size; i++)
        s->shapes[i].shape = -1;
    s->shape_mask = size - 1;
    s->nsect = 0;
    return 0;
}

/* The facts of shape sh, measured the first time a township meets it. */
static const struct shape_facts *shape_facts_of(struct covx_scratch *s,
                                                const struct tc_footprints *fp, int sh)
{
    size_t h = ((size_t)sh * 0x9E3779B97F4A7C15ull >> 32) & s->shape_mask;
    for (; s->shapes[h].shape >= 0; h = (h + 1) & s->shape_mask)
        if (s->shapes[h].shape == sh)
            return &s->shapes[h];
    struct shape_facts *f = &s->shapes[h];
    *f = measure_shape(fp, sh);
    if (f->rin2 > 0.0) { /* its sectors, or none when out of memory (slower only) */
        s->sect = buf_get(&s->bufs[BUF_SECT], (size_t)s->nsect + 1, sizeof *s->sect);
        if (s->sect) {
            covx_measure_sectors(fp->sxy + 2 * fp->shape_off[sh],
                                 fp->shape_off[sh + 1] - fp->shape_off[sh], &s->sect[s->nsect]);
            f->sect = s->nsect++;
        }
    }
    return f;
}

/* Copies footprint u's ring. Its envelope is the footprint's, moved to
 * local coordinates: rounding is monotonic, so min(x - ox) = min(x) - ox
 * exactly. Its edges' lengths, which only size the grid and bound how far
 * a neighbour can be (with a cell to spare), are its shape's. */
static int add_footprint(struct covx_scratch *s, const struct tc_footprints *fp, long id, int u)
{
    const struct shape_facts *sf = shape_facts_of(s, fp, fp->shape[id]);
    const double *shape = fp->sxy + 2 * fp->shape_off[fp->shape[id]];
    long n = footprint_size(fp, id);
    int rc = sf->plain ? add_plain_ring(s, shape, n, fp->cx[id], fp->cy[id], u)
                       : add_ring(s, shape, n, fp->cx[id], fp->cy[id], u);
    if (rc != 0)
        return -1;
    const struct ring *r = &s->rings[s->nring - 1];
    if (r->area_known && r->area2 < 0) /* footprints are counter-clockwise by contract */
        return decline(s, COVX_GEOMETRY);
    s->uf[u] = (struct ufp){.id = id, .mult = 1, .ring = s->nring - 1,
                            .xmin = fp->xmin[id] - s->ox, .ymin = fp->ymin[id] - s->oy,
                            .xmax = fp->xmax[id] - s->ox, .ymax = fp->ymax[id] - s->oy,
                            .px = fp->cx[id] - s->ox, .py = fp->cy[id] - s->oy,
                            .rin2 = sf->rin2, .rout2 = sf->rout2, .lmax = sf->lmax,
                            .sect = sf->sect};
    s->lmax = dmax(s->lmax, sf->lmax);
    s->linv += sf->linv;
    s->lcount += r->n;
    return 0;
}

int covx_load_footprints(struct covx_scratch *s, const struct tc_footprints *fp,
                         const long *ids, long n)
{
    if (find_duplicates(s, fp, ids, n) != 0 || clear_shapes(s, n) != 0)
        return -1;
    s->uf = buf_get(&s->bufs[BUF_UF], (size_t)n, sizeof *s->uf);
    if (!s->uf)
        return decline(s, COVX_NOMEM);
    for (long j = 0; j < n; j++) {
        if (s->rep[j] != j) { /* rep[] of a kept candidate now holds its ufp */
            s->uf[s->rep[s->rep[j]]].mult++;
            s->rep[j] = s->rep[s->rep[j]];
            continue;
        }
        if (add_footprint(s, fp, ids[j], s->nuf) != 0)
            return -1;
        s->rep[j] = s->nuf++;
    }
    return 0;
}
