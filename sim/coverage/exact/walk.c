/* walk.c — the exact engine's walk (see exact.h): Green's theorem along
 * each ring, its state toggled at the crossings, and the exact point tests
 * that give the state where a walk starts (in which footprints, in the
 * township), all in one file: they are the walk's hot path. */
#include "exact_internal.h"

#include <string.h>

/* ---- point tests ------------------------------------------------------------*/

/* Winding contribution of edge (x0,y0)-(x1,y1) to point (x, y) (Sunday's
 * rule, half-open in y); sets *unsure when the point is on the edge or
 * too near to decide. */
static inline int edge_winding(double x0, double y0, double x1, double y1, double x, double y,
                               int *unsure)
{
    /* Bitwise tests: these loops run over whole rings, where data-dependent
     * branches mispredict. */
    int up = (y0 <= y) & (y1 > y), down = (y0 > y) & (y1 <= y);
    if (up | down) {
        double d;
        int o = orient(x0, y0, x1, y1, x, y, &d);
        *unsure |= o == 0;
        return up ? o > 0 : -(o < 0);
    }
    /* Not straddling: only a vertex or a horizontal edge can hold it. */
    int at_vertex = (x == x0) && (y == y0);
    int on_flat_edge = (y0 == y) && (y1 == y) && x >= dmin(x0, x1) && x <= dmax(x0, x1);
    *unsure |= at_vertex | on_flat_edge;
    return 0;
}

/* Is (x, y) inside ring r of s? Exact; SIDE_UNSURE on its boundary.
 * edge_winding over the ring, but each vertex is compared with y once,
 * and only the few edges that straddle y or start on it go further. */
static int ring_side(const struct covx_scratch *s, const struct ring *r, double x, double y)
{
    const double *vx = s->vx + r->off, *vy = s->vy + r->off;
    int w = 0, unsure = 0;
    int below_a = vy[r->n - 1] <= y;
    for (long a = r->n - 1, b = 0; b < r->n; a = b++) {
        int below_b = vy[b] <= y;
        if ((below_a != below_b) | (vy[a] == y))
            w += edge_winding(vx[a], vy[a], vx[b], vy[b], x, y, &unsure);
        below_a = below_b;
    }
    if (unsure)
        return SIDE_UNSURE;
    return w != 0 ? SIDE_IN : SIDE_OUT;
}

/* Is (x, y) inside footprint f? ring_side's answer, given at once for a
 * point in the disc its shape surely holds or out of the one holding it,
 * or, nearer its boundary, by the sure radii of its direction (sectors.c). */
static inline int footprint_side(const struct covx_scratch *s, const struct ufp *f, double x,
                                 double y)
{
    double dx = x - f->px, dy = y - f->py, d2 = dx * dx + dy * dy;
    if (d2 < f->rin2)
        return SIDE_IN;
    if (d2 > f->rout2)
        return SIDE_OUT;
    if (f->sect >= 0 && d2 > SECTOR_MIN_R * SECTOR_MIN_R) {
        const struct sectors *t = &s->sect[f->sect];
        int k = pseudo_sector(pseudo_angle(dx, dy));
        if (d2 < t->in2[k])
            return SIDE_IN;
        if (d2 > t->out2[k])
            return SIDE_OUT;
    }
    return ring_side(s, &s->rings[f->ring], x, y);
}

/* The point tests' tiles: UF_TILES x UF_TILES blocks of grid cells (rows
 * of blocks were once bands of rows only: where footprints are dense, a
 * band held a share of them all, and each test read it through). */
#define UF_TILES 32

static inline int tile_col(const struct covx_scratch *s, double x)
{
    return cell_of(x, s->bx0, s->inv, s->nx) / s->tile_cols;
}

static inline int tile_row(const struct covx_scratch *s, double y)
{
    return cell_of(y, s->by0, s->inv, s->ny) / s->tile_rows;
}

/* The tile of (x, y): monotone in x and in y, as cell_of. */
static inline int tile_of(const struct covx_scratch *s, double x, double y)
{
    return tile_row(s, y) * s->tile_ncol + tile_col(s, x);
}

/* Adds footprint u to the tiles its envelope meets: counts them in
 * start[b + 1] (fill NULL), or lists it at fill[b]++. */
static void tile_footprint(const struct covx_scratch *s, int u, int *start, int *fill, int *list)
{
    const struct ufp *f = &s->uf[u];
    int c0 = tile_col(s, f->xmin), c1 = tile_col(s, f->xmax);
    for (int r = tile_row(s, f->ymin), r1 = tile_row(s, f->ymax); r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
            int b = r * s->tile_ncol + c;
            if (fill)
                list[fill[b]++] = u;
            else
                start[b + 1]++;
        }
}

/* Lists the kept footprints by tile (in order), each in the tiles its
 * envelope meets: a point test reads only its tile's footprints. */
int covx_tile_footprints(struct covx_scratch *s)
{
    s->tile_rows = (s->ny + UF_TILES - 1) / UF_TILES;
    s->tile_cols = (s->nx + UF_TILES - 1) / UF_TILES;
    s->tile_ncol = (s->nx + s->tile_cols - 1) / s->tile_cols;
    int ntile = s->tile_ncol * ((s->ny + s->tile_rows - 1) / s->tile_rows);
    s->tile_start = buf_get(&s->bufs[BUF_TILE_START], (size_t)ntile + 1, sizeof *s->tile_start);
    if (!s->tile_start)
        return decline(s, COVX_NOMEM);
    memset(s->tile_start, 0, ((size_t)ntile + 1) * sizeof *s->tile_start);
    for (int u = 0; u < s->nuf; u++) /* tile b's count in tile_start[b + 1] */
        tile_footprint(s, u, s->tile_start, NULL, NULL);
    for (int b = 0; b < ntile; b++)
        s->tile_start[b + 1] += s->tile_start[b];
    s->tile_uf = buf_get(&s->bufs[BUF_TILE_UF], (size_t)s->tile_start[ntile], sizeof *s->tile_uf);
    s->fill = buf_get(&s->bufs[BUF_FILL], (size_t)ntile, sizeof *s->fill);
    if (!s->tile_uf || !s->fill)
        return decline(s, COVX_NOMEM);
    memcpy(s->fill, s->tile_start, (size_t)ntile * sizeof *s->fill);
    for (int u = 0; u < s->nuf; u++)
        tile_footprint(s, u, NULL, s->fill, s->tile_uf);
    return 0;
}

/* How many kept footprints other than `skip` contain (x, y); marks them
 * as reaching the township when `mark`. -1 when (x, y) is on a boundary. */
static int cover_count(struct covx_scratch *s, double x, double y, int skip, int mark)
{
    int c = 0, b = tile_of(s, x, y);
    for (int i = s->tile_start[b]; i < s->tile_start[b + 1]; i++) {
        int u = s->tile_uf[i];
        struct ufp *f = &s->uf[u];
        if ((u == skip) | (x < f->xmin) | (x > f->xmax) | (y < f->ymin) | (y > f->ymax))
            continue;
        int side = footprint_side(s, f, x, y);
        if (side == SIDE_UNSURE)
            return -1;
        if (side == SIDE_IN) {
            c++;
            if (mark)
                f->reach = 1;
        }
    }
    return c;
}

/* Winding number of the township edges in cell k about (x, y), counting
 * only edges that cross the row y there (each long edge once). */
static int cell_winding(const struct covx_scratch *s, long k, double x, double y, int *unsure)
{
    int w = 0;
    for (int i = s->tpc.start[k]; i < s->tpc.start[k + 1]; i++) {
        const struct run *r = &s->tpc.run[i];
        if (y < r->ymin || y > r->ymax)
            continue;
        for (int j = r->start; j < r->end; j++) {
            const struct slot *p = &s->tpc.slot[j];
            if (y < p->ymin || y > p->ymax)
                continue;
            double x0 = s->vx[p->g], y0 = s->vy[p->g], x1 = s->vx[p->h], y1 = s->vy[p->h];
            if ((y0 <= y) != (y1 <= y) && p->np > 1 && !slot_holds(p, (y - y0) / (y1 - y0)))
                continue; /* another piece of this edge meets the row */
            w += edge_winding(x0, y0, x1, y1, x, y, unsure);
        }
    }
    return w;
}

/* Is (x, y) inside the township? Casts a ray to +x through the cells
 * whose pieces can reach its row and the right of its column. Exact;
 * SIDE_UNSURE on ∂T. */
static int township_side(const struct covx_scratch *s, double x, double y)
{
    if (x < s->bx0 || x > s->bx1 || y < s->by0 || y > s->by1)
        return SIDE_OUT;
    int row = cell_of(y, s->by0, s->inv, s->ny);
    int c0 = cell_of(x, s->bx0, s->inv, s->nx);
    unsigned char cls = s->cls[(long)row * s->nx + c0];
    if (!(cls & CELL_TOUCHED)) /* ∂T misses the cell: it is all in or out */
        return cls & CELL_INSIDE ? SIDE_IN : SIDE_OUT;
    int w = 0, unsure = 0;
    for (int cy = row > 0 ? row - 1 : 0; cy <= row; cy++)
        for (int cx = c0 > 0 ? c0 - 1 : 0; cx < s->nx; cx++)
            w += cell_winding(s, (long)cy * s->nx + cx, x, y, &unsure);
    if (unsure || w < 0 || w > 1)
        return SIDE_UNSURE;
    return w ? SIDE_IN : SIDE_OUT;
}

/* ---- walking the rings ------------------------------------------------------*/

/* Twice the Green's-theorem contribution of the piece p -> q. */
static inline double green(double px, double py, double qx, double qy)
{
    return px * qy - qx * py;
}

/* Adds the boundary piece p -> q of T ∩ U (local coordinates) to the area
 * and, when rings are kept, to the recorded edges (metric CRS). */
static int bound(struct covx_scratch *s, double *acc, double px, double py, double qx,
                 double qy)
{
    *acc += green(px, py, qx, qy);
    if (!s->keep)
        return 0;
    s->edge = buf_get(&s->bufs[BUF_EDGE], 4 * (size_t)(s->nedge + 1), sizeof *s->edge);
    if (!s->edge)
        return decline(s, COVX_NOMEM);
    double *e = s->edge + 4 * s->nedge++;
    e[0] = px + s->ox;
    e[1] = py + s->oy;
    e[2] = qx + s->ox;
    e[3] = qy + s->oy;
    return 0;
}

/* A whole ring bounds T ∩ U: its area is added as one sum, as always. */
static int bound_ring(struct covx_scratch *s, const struct ring *r, double *acc)
{
    const double *vx = s->vx + r->off, *vy = s->vy + r->off;
    double unused = 0.0;
    for (long k = 0; s->keep && k < r->n; k++) {
        long k1 = k + 1 == r->n ? 0 : k + 1;
        if (bound(s, &unused, vx[k], vy[k], vx[k1], vy[k1]) != 0)
            return -1;
    }
    *acc += ring_twice_area(s, r);
    return 0;
}

/* A township ring bounds T ∩ U where some footprint covers it. */
static int walk_township_ring(struct covx_scratch *s, const struct ring *r, double *acc)
{
    const double *vx = s->vx + r->off, *vy = s->vy + r->off;
    int c0 = cover_count(s, vx[0], vy[0], -1, 1);
    if (c0 < 0)
        return decline(s, COVX_POINT);
    if (r->nev == 0)
        return c0 > 0 ? bound_ring(s, r, acc) : 0;
    int c = c0;
    double x = vx[0], y = vy[0];
    for (long k = 0; k < r->n; k++) {
        long g = r->off + k, k1 = k + 1 == r->n ? 0 : k + 1;
        for (long e = s->evstart[g]; e < s->evstart[g + 1]; e++) {
            const struct event *ev = &s->evs[e];
            if (c > 0 && bound(s, acc, x, y, ev->x, ev->y) != 0)
                return -1;
            if ((c += ev->sign) < 0)
                return decline(s, COVX_INCONSISTENT);
            x = ev->x;
            y = ev->y;
        }
        if (c > 0 && bound(s, acc, x, y, vx[k1], vy[k1]) != 0)
            return -1;
        x = vx[k1];
        y = vy[k1];
    }
    return c == c0 ? 0 : decline(s, COVX_INCONSISTENT);
}

/* The state of a walk along part of a footprint ring. How many other
 * footprints cover the start vertex is asked only once the walk is inside
 * the township (most walks never are). */
struct walk {
    const struct ring *r;
    long kb;    /* the vertex base counts at: the start, or past a deep edge */
    int in_t;   /* inside the township */
    int base;   /* other footprints covering vertex kb; -1 unknown */
    int floor;  /* what base is known to be at least (while unknown) */
    int delta;  /* footprints entered minus left since */
    int rebased; /* stepped over a deep edge: base was asked afresh */
    double x, y;
};

/* Moves the walk to (x, y), adding the piece when it bounds T ∩ U. */
static int walk_to(struct covx_scratch *s, struct walk *w, double x, double y, double *acc)
{
    if (w->in_t) {
        if (w->base < 0 && w->floor + w->delta > 0)
            goto moved; /* covered by another footprint: nothing to add */
        if (w->base < 0) {
            w->base = cover_count(s, s->vx[w->r->off + w->kb], s->vy[w->r->off + w->kb],
                                  w->r->owner, 0);
            if (w->base < 0)
                return decline(s, COVX_POINT);
        }
        int c = w->base + w->delta;
        if (c < 0)
            return decline(s, COVX_INCONSISTENT);
        if (c == 0 && bound(s, acc, w->x, w->y, x, y) != 0)
            return -1;
    }
moved:
    w->x = x;
    w->y = y;
    return 0;
}

/* Does the walk need its vertices: is it inside T with a count that may
 * be at most 0 (adding pieces, or about to decline)? Otherwise only its
 * crossings can change what it does, and walk_to at one moves it there.
 * base >= floor, so floor + delta > 0 says the count is > 0 unasked. */
static inline int walk_needs_vertices(const struct walk *w)
{
    return w->in_t && (w->base < 0 ? w->floor + w->delta <= 0 : w->base + w->delta <= 0);
}

/* The first of edges [k, k + m) of a ring of n (cyclically) that is not
 * EDGE_WALKED, or -1. */
static long first_unwalked(const unsigned char *use, long n, long k, long m)
{
    for (long i = 0, e = k; i < m; i++, e = e + 1 == n ? 0 : e + 1)
        if (use[e] != EDGE_WALKED)
            return e;
    return -1;
}

/* Where a walk that needs no vertices, at vertex k of ring r, has
 * something to do next: the first edge from k on (cyclically) with a
 * crossing, unless the walk ends before it, back at k0 (cyclic) or at an
 * edge that is not walked (where a run ends, or a deep edge to step
 * over). Nothing between changes its state. */
static long next_busy_edge(const struct covx_scratch *s, const struct ring *r, long k, long k0,
                           int cyclic)
{
    long first = s->evstart[r->off + k]; /* the ring's next crossing, if on an edge >= k */
    long kt = first < s->evstart[r->off + r->n] ? s->evs[first].g - r->off
                                                 : s->evs[s->evstart[r->off]].g - r->off;
    long gap = kt >= k ? kt - k : kt - k + r->n; /* edges to step over */
    long to_k0 = k0 >= k ? k0 - k : k0 - k + r->n;
    long next = cyclic && to_k0 < gap ? k0 : kt;
    long stop = first_unwalked(s->use + r->off, r->n, k, cyclic && to_k0 < gap ? to_k0 : gap);
    return stop >= 0 ? stop : next;
}

/* Steps the walk over deep edge k -> k1 (deep.c): inside T and inside
 * another footprint, so it bounds nothing, but the crossings between deep
 * edges are not known: the count is asked afresh at k1, when needed. It
 * is at least 1 there: k1 is in the footprint that made the edge deep. */
static int step_over_deep(struct walk *w, const double *vx, const double *vy, long k1)
{
    w->base = -1;
    w->floor = 1;
    w->delta = 0;
    w->rebased = 1;
    w->kb = k1;
    w->x = vx[k1];
    w->y = vy[k1];
    return w->in_t == 1 ? 0 : -1;
}

/* Walks footprint ring r from vertex k0, all the way round (cyclic) or
 * along the run of walked edges that starts there. */
static int walk_run(struct covx_scratch *s, const struct ring *r, long k0, int cyclic,
                    double *acc)
{
    const double *vx = s->vx + r->off, *vy = s->vy + r->off;
    struct ufp *f = &s->uf[r->owner];
    struct walk w = {.r = r, .kb = k0, .base = -1, .x = vx[k0], .y = vy[k0]};
    w.in_t = township_side(s, vx[k0], vy[k0]);
    if (w.in_t == SIDE_UNSURE)
        return decline(s, COVX_POINT);
    int in0 = w.in_t;
    f->reach |= w.in_t;
    long k = k0;
    do {
        long g = r->off + k, k1 = k + 1 == r->n ? 0 : k + 1;
        if (s->use[g] == EDGE_DEEP) {
            if (step_over_deep(&w, vx, vy, k1) != 0)
                return decline(s, COVX_INCONSISTENT);
            k = k1;
            continue;
        }
        for (long e = s->evstart[g]; e < s->evstart[g + 1]; e++) {
            const struct event *ev = &s->evs[e];
            if (walk_to(s, &w, ev->x, ev->y, acc) != 0)
                return -1;
            if (ev->kind == EV_FOOTPRINT) {
                w.delta += ev->sign;
                continue;
            }
            f->reach = 1;
            w.in_t += ev->sign;
            if (w.in_t < 0 || w.in_t > 1)
                return decline(s, COVX_INCONSISTENT);
        }
        if (walk_needs_vertices(&w)) {
            if (walk_to(s, &w, vx[k1], vy[k1], acc) != 0)
                return -1;
            k = k1;
        } else {
            k = next_busy_edge(s, r, k1, k0, cyclic);
        }
    } while (cyclic ? k != k0 : s->use[r->off + k] != EDGE_SKIP);
    /* Back at the start, or at the start of an edge that is not walked,
     * which lies outside T. */
    if (cyclic ? w.in_t != in0 || (!w.rebased && w.delta != 0) : w.in_t != 0)
        return decline(s, COVX_INCONSISTENT);
    return 0;
}

/* A footprint ring crossing nothing lies inside or outside T as a whole. */
static int lone_footprint(struct covx_scratch *s, const struct ring *r, double *acc)
{
    double x = s->vx[r->off], y = s->vy[r->off];
    int side = township_side(s, x, y);
    if (side == SIDE_UNSURE)
        return decline(s, COVX_POINT);
    if (side == SIDE_OUT)
        return 0;
    s->uf[r->owner].reach = 1;
    int c = cover_count(s, x, y, r->owner, 0);
    if (c < 0)
        return decline(s, COVX_POINT);
    return c == 0 ? bound_ring(s, r, acc) : 0;
}

/* A footprint ring bounds T ∩ U where it is inside T and no other
 * footprint covers it. Only walked edges (those that may meet T) are
 * walked, in runs that start where the ring enters them. */
static int walk_footprint_ring(struct covx_scratch *s, const struct ring *r, double *acc)
{
    const unsigned char *use = s->use + r->off;
    if (r->nev == 0) {
        /* With a deep edge, all of it is inside T and covered by others:
         * from one of its points to the others no crossing changes that. */
        if (memchr(use, EDGE_DEEP, (size_t)r->n)) {
            s->uf[r->owner].reach = 1;
            return 0;
        }
        return lone_footprint(s, r, acc);
    }
    /* Runs of edges walked or deep, as if none were deep: the walks add
     * the same pieces in the same order either way. */
    long k = 0;
    while (k < r->n && use[k] != EDGE_SKIP)
        k++;
    if (k == r->n)
        return walk_run(s, r, 0, 1, acc);
    for (k = 0; k < r->n; k++)
        if (use[k] != EDGE_SKIP && use[k ? k - 1 : r->n - 1] == EDGE_SKIP &&
            walk_run(s, r, k, 0, acc) != 0)
            return -1;
    return 0;
}

int covx_walk_rings(struct covx_scratch *s, double *acc)
{
    for (int ri = 0; ri < s->nring; ri++) {
        const struct ring *ring = &s->rings[ri];
        int rc = ring->owner == FP_TOWNSHIP ? walk_township_ring(s, ring, acc)
                                            : walk_footprint_ring(s, ring, acc);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Is the seat in (or on) a footprint that reaches the township? */
int covx_seat_side(struct covx_scratch *s, double x, double y)
{
    int unsure = 0, b = tile_of(s, x, y);
    for (int i = s->tile_start[b]; i < s->tile_start[b + 1]; i++) {
        const struct ufp *f = &s->uf[s->tile_uf[i]];
        if (!f->reach || x < f->xmin || x > f->xmax || y < f->ymin || y > f->ymax)
            continue;
        int side = footprint_side(s, f, x, y);
        if (side == SIDE_IN)
            return SIDE_IN;
        unsure |= side == SIDE_UNSURE;
    }
    return unsure ? SIDE_UNSURE : SIDE_OUT;
}
