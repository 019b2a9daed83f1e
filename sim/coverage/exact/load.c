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
static int reserve_ring(struct covx_load *ld, long n)
{
    ld->rings = buf_get(&ld->bufs[LB_RINGS], (size_t)ld->nring + 1, sizeof *ld->rings);
    ld->vx = buf_get(&ld->bufs[LB_VX], (size_t)(ld->nv + n), sizeof *ld->vx);
    ld->vy = buf_get(&ld->bufs[LB_VY], (size_t)(ld->nv + n), sizeof *ld->vy);
    return ld->rings && ld->vx && ld->vy ? 0 : decline(&ld->reason, COVX_NOMEM);
}

/* Adds the ring of n points xy + (dx, dy) (a footprint's shape and its
 * station, or a township's ring and 0), in local coordinates. */
static int add_ring(struct covx_load *ld, const double *xy, long n, double dx, double dy,
                    int owner)
{
    if (reserve_ring(ld, n) != 0)
        return -1;
    double *vx = ld->vx + ld->nv, *vy = ld->vy + ld->nv;
    long m = 0;
    for (long k = 0; k < n; k++) { /* local coordinates, repeated points out */
        double x = (xy[2 * k] + dx) - ld->ox, y = (xy[2 * k + 1] + dy) - ld->oy;
        if (m > 0 && x == vx[m - 1] && y == vy[m - 1])
            continue;
        vx[m] = x;
        vy[m++] = y;
    }
    while (m > 1 && vx[m - 1] == vx[0] && vy[m - 1] == vy[0])
        m--; /* the closing point, or repeats of it */
    if (m < 3)
        return decline(&ld->reason, COVX_GEOMETRY);
    double a2 = twice_area(vx, vy, m);
    struct ring *r = &ld->rings[ld->nring++];
    *r = (struct ring){.off = ld->nv, .n = m, .owner = owner, .area_known = 1, .area2 = a2};
    ld->nv += m;
    return a2 != 0 ? 0 : decline(&ld->reason, COVX_GEOMETRY);
}

/* add_ring for a plain shape (shape_facts.plain): no vertex can repeat
 * and the area is positive, so the vertices are only placed. */
static int add_plain_ring(struct covx_load *ld, const double *xy, long n, double dx, double dy,
                          int owner)
{
    if (reserve_ring(ld, n) != 0)
        return -1;
    double *vx = ld->vx + ld->nv, *vy = ld->vy + ld->nv;
    for (long k = 0; k < n; k++) {
        vx[k] = (xy[2 * k] + dx) - ld->ox;
        vy[k] = (xy[2 * k + 1] + dy) - ld->oy;
    }
    ld->rings[ld->nring++] = (struct ring){.off = ld->nv, .n = n, .owner = owner};
    ld->nv += n;
    return 0;
}

/* Reverses ring r in place (so its interior side is on its left). */
static void ring_reverse(struct covx_load *ld, struct ring *r)
{
    double *vx = ld->vx + r->off, *vy = ld->vy + r->off;
    for (long a = 0, b = r->n - 1; a < b; a++, b--) {
        double tx = vx[a], ty = vy[a];
        vx[a] = vx[b];
        vy[a] = vy[b];
        vx[b] = tx;
        vy[b] = ty;
    }
    r->area2 = -r->area2; /* township rings: always known */
}

/* GEOS answers NULL (or its error value) on an exception: on a township
 * the map has validated, that is an allocation failing. Never read on. */
static int geos_failed(struct covx_load *ld)
{
    return decline(&ld->reason, COVX_NOMEM);
}

static int add_geos_ring(struct covx_load *ld, const GEOSGeometry *g, int shell)
{
    const GEOSCoordSequence *seq = g ? GEOSGeom_getCoordSeq_r(ld->ctx, g) : NULL;
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ld->ctx, seq, &n))
        return geos_failed(ld);
    ld->coords = buf_get(&ld->bufs[LB_COORDS], 2 * (size_t)n, sizeof *ld->coords);
    if (!ld->coords)
        return decline(&ld->reason, COVX_NOMEM);
    if (!GEOSCoordSeq_copyToBuffer_r(ld->ctx, seq, ld->coords, 0, 0))
        return geos_failed(ld);
    if (add_ring(ld, ld->coords, n, 0.0, 0.0, FP_TOWNSHIP) != 0)
        return -1;
    struct ring *r = &ld->rings[ld->nring - 1];
    if ((r->area2 > 0) != shell) /* shells counter-clockwise, holes clockwise */
        ring_reverse(ld, r);
    return 0;
}

static int add_geos_polygon(struct covx_load *ld, const GEOSGeometry *p)
{
    char empty = p ? GEOSisEmpty_r(ld->ctx, p) : 2;
    if (empty == 2)
        return geos_failed(ld);
    if (empty == 1)
        return 0;
    if (add_geos_ring(ld, GEOSGetExteriorRing_r(ld->ctx, p), 1) != 0)
        return -1;
    int holes = GEOSGetNumInteriorRings_r(ld->ctx, p);
    if (holes < 0)
        return geos_failed(ld);
    for (int h = 0; h < holes; h++)
        if (add_geos_ring(ld, GEOSGetInteriorRingN_r(ld->ctx, p, h), 0) != 0)
            return -1;
    return 0;
}

int covx_load_township(struct covx_load *ld, const struct township *t)
{
    const GEOSGeometry *g = t->geom;
    int type = GEOSGeomTypeId_r(ld->ctx, g);
    if (type == GEOS_POLYGON) {
        if (add_geos_polygon(ld, g) != 0)
            return -1;
    } else if (type == GEOS_MULTIPOLYGON) {
        int parts = GEOSGetNumGeometries_r(ld->ctx, g);
        if (parts < 0)
            return geos_failed(ld);
        for (int i = 0; i < parts; i++)
            if (add_geos_polygon(ld, GEOSGetGeometryN_r(ld->ctx, g, i)) != 0)
                return -1;
    } else {
        return type < 0 ? geos_failed(ld) : decline(&ld->reason, COVX_GEOMETRY);
    }
    ld->ntring = ld->nring;
    ld->bx0 = ld->by0 = INFINITY;
    ld->bx1 = ld->by1 = -INFINITY;
    for (long v = 0; v < ld->nv; v++) {
        ld->bx0 = dmin(ld->bx0, ld->vx[v]);
        ld->bx1 = dmax(ld->bx1, ld->vx[v]);
        ld->by0 = dmin(ld->by0, ld->vy[v]);
        ld->by1 = dmax(ld->by1, ld->vy[v]);
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
static int find_duplicates(struct covx_load *ld, const struct tc_footprints *fp,
                           const long *ids, long n)
{
    size_t size = 16;
    while (size < 2 * (size_t)n)
        size *= 2;
    ld->table = buf_get(&ld->bufs[LB_TABLE], size, sizeof *ld->table);
    ld->rep = buf_get(&ld->bufs[LB_REP], (size_t)n, sizeof *ld->rep);
    if (!ld->table || !ld->rep)
        return decline(&ld->reason, COVX_NOMEM);
    memset(ld->table, 0xff, size * sizeof *ld->table); /* all -1 */
    for (long j = 0; j < n; j++) {
        size_t h = (size_t)fp_hash(fp, ids[j]) & (size - 1);
        ld->rep[j] = (int)j;
        for (; ld->table[h] >= 0; h = (h + 1) & (size - 1))
            if (same_fp(fp, ids[ld->table[h]], ids[j])) {
                ld->rep[j] = ld->table[h];
                break;
            }
        if (ld->rep[j] == j)
            ld->table[h] = (int)j;
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
static int clear_shapes(struct covx_load *ld, long n)
{
    size_t size = 16;
    while (size < 2 * (size_t)n)
        size *= 2;
    ld->shapes = buf_get(&ld->bufs[LB_SHAPES], size, sizeof *ld->shapes);
    if (!ld->shapes)
        return decline(&ld->reason, COVX_NOMEM);
    for (size_t i = 0; i < size; i++)
        ld->shapes[i].shape = -1;
    ld->shape_mask = size - 1;
    ld->nsect = 0;
    return 0;
}

/* The memo's entry for shape sh (xy, n vertices), or NULL when it has
 * none (or no memory: every shape is then measured, only slower). */
static struct shape_memo *memo_entry(struct covx_load *ld, int sh)
{
    if (!ld->memo)
        ld->memo = calloc(SHAPE_MEMO, sizeof *ld->memo);
    return ld->memo ? &ld->memo[(unsigned)sh % SHAPE_MEMO] : NULL;
}

/* Does memo entry m hold shape sh of these n vertices xy? Its facts are a
 * function of the vertices alone, so then they are the shape's, bit for bit. */
static int memo_holds(const struct shape_memo *m, int sh, const double *xy, long n)
{
    return m && m->used && m->shape == sh && m->n == n && memcmp(m->xy.p, xy, 2 * (size_t)n * sizeof *xy) == 0;
}

/* Keeps shape sh's facts f (and sectors t, when f has them) in entry m. */
static void memo_keep(struct shape_memo *m, int sh, const double *xy, long n,
                      const struct shape_facts *f, const struct sectors *t)
{
    if (!m || !buf_get(&m->xy, 2 * (size_t)n, sizeof *xy)) {
        if (m)
            m->used = 0;
        return;
    }
    memcpy(m->xy.p, xy, 2 * (size_t)n * sizeof *xy);
    m->used = 1;
    m->shape = sh;
    m->n = n;
    m->f = *f;
    m->has_sect = t != NULL;
    if (t)
        m->sect = *t;
}

/* The facts of shape sh, measured the first time a township meets it (or
 * taken from the memo, when an earlier township measured it). */
static const struct shape_facts *shape_facts_of(struct covx_load *ld,
                                                const struct tc_footprints *fp, int sh)
{
    size_t h = ((size_t)sh * 0x9E3779B97F4A7C15ull >> 32) & ld->shape_mask;
    for (; ld->shapes[h].shape >= 0; h = (h + 1) & ld->shape_mask)
        if (ld->shapes[h].shape == sh)
            return &ld->shapes[h];
    struct shape_facts *f = &ld->shapes[h];
    const double *xy = fp->sxy + 2 * fp->shape_off[sh];
    long n = fp->shape_off[sh + 1] - fp->shape_off[sh];
    struct shape_memo *m = memo_entry(ld, sh);
    int known = memo_holds(m, sh, xy, n);
    *f = known ? m->f : measure_shape(fp, sh);
    f->sect = -1;
    if (f->rin2 > 0.0) { /* its sectors, or none when out of memory (slower only) */
        ld->sect = buf_get(&ld->bufs[LB_SECT], (size_t)ld->nsect + 1, sizeof *ld->sect);
        if (ld->sect) {
            if (known && m->has_sect)
                ld->sect[ld->nsect] = m->sect;
            else
                covx_measure_sectors(xy, n, &ld->sect[ld->nsect]);
            f->sect = ld->nsect++;
        }
    }
    if (!known)
        memo_keep(m, sh, xy, n, f, f->sect >= 0 ? &ld->sect[f->sect] : NULL);
    else if (f->sect >= 0 && !m->has_sect) /* measured now: keep them too */
        memo_keep(m, sh, xy, n, f, &ld->sect[f->sect]);
    return f;
}

/* Copies footprint u's ring. Its envelope is the footprint's, moved to
 * local coordinates: rounding is monotonic, so min(x - ox) = min(x) - ox
 * exactly. Its edges' lengths, which only size the grid and bound how far
 * a neighbour can be (with a cell to spare), are its shape's. */
static int add_footprint(struct covx_load *ld, const struct tc_footprints *fp, long id, int u)
{
    const struct shape_facts *sf = shape_facts_of(ld, fp, fp->shape[id]);
    const double *shape = fp->sxy + 2 * fp->shape_off[fp->shape[id]];
    long n = footprint_size(fp, id);
    int rc = sf->plain ? add_plain_ring(ld, shape, n, fp->cx[id], fp->cy[id], u)
                       : add_ring(ld, shape, n, fp->cx[id], fp->cy[id], u);
    if (rc != 0)
        return -1;
    const struct ring *r = &ld->rings[ld->nring - 1];
    if (r->area_known && r->area2 < 0) /* footprints are counter-clockwise by contract */
        return decline(&ld->reason, COVX_GEOMETRY);
    ld->uf[u] = (struct ufp){.id = id, .mult = 1, .ring = ld->nring - 1,
                            .xmin = fp->xmin[id] - ld->ox, .ymin = fp->ymin[id] - ld->oy,
                            .xmax = fp->xmax[id] - ld->ox, .ymax = fp->ymax[id] - ld->oy,
                            .px = fp->cx[id] - ld->ox, .py = fp->cy[id] - ld->oy,
                            .rin2 = sf->rin2, .rout2 = sf->rout2, .lmax = sf->lmax,
                            .sect = sf->sect};
    ld->lmax = dmax(ld->lmax, sf->lmax);
    ld->linv += sf->linv;
    ld->lcount += r->n;
    return 0;
}

int covx_load_footprints(struct covx_load *ld, const struct tc_footprints *fp,
                         const long *ids, long n)
{
    if (find_duplicates(ld, fp, ids, n) != 0 || clear_shapes(ld, n) != 0)
        return -1;
    ld->uf = buf_get(&ld->bufs[LB_UF], (size_t)n, sizeof *ld->uf);
    if (!ld->uf)
        return decline(&ld->reason, COVX_NOMEM);
    for (long j = 0; j < n; j++) {
        if (ld->rep[j] != j) { /* rep[] of a kept candidate now holds its ufp */
            ld->uf[ld->rep[ld->rep[j]]].mult++;
            ld->rep[j] = ld->rep[ld->rep[j]];
            continue;
        }
        if (add_footprint(ld, fp, ids[j], ld->nuf) != 0)
            return -1;
        ld->rep[j] = ld->nuf++;
    }
    return 0;
}
