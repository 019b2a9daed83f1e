/* walk.c — the exact engine's walk (see exact.h): Green's theorem along
 * each ring, its state toggled at the crossings, and the exact point tests
 * that give the state where a walk starts (in which footprints, in the
 * township), all in one file: they are the walk's hot path. */
#include "exact_internal.h"

#include <limits.h>
#include <string.h>

/* What the walk reads: the phases before it, and its own state. */
struct walker {
    struct covx_walk *wk;
    const struct covx_load *ld;
    const struct covx_grid *gr;
    const struct covx_cross *xs;
};

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
static int ring_side(const struct covx_load *ld, const struct ring *r, double x, double y)
{
    const double *vx = ld->vx + r->off, *vy = ld->vy + r->off;
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
static inline int footprint_side(const struct covx_load *ld, const struct ufp *f, double x,
                                 double y)
{
    double dx = x - f->px, dy = y - f->py, d2 = dx * dx + dy * dy;
    if (d2 < f->rin2)
        return SIDE_IN;
    if (d2 > f->rout2)
        return SIDE_OUT;
    if (f->sect >= 0 && d2 > SECTOR_MIN_R * SECTOR_MIN_R) {
        const struct sectors *t = &ld->sect[f->sect];
        int k = pseudo_sector(pseudo_angle(dx, dy));
        if (d2 < t->in2[k])
            return SIDE_IN;
        if (d2 > t->out2[k])
            return SIDE_OUT;
    }
    return ring_side(ld, &ld->rings[f->ring], x, y);
}

/* The point tests' tiles: UF_TILES x UF_TILES blocks of grid cells (rows
 * of blocks were once bands of rows only: where footprints are dense, a
 * band held a share of them all, and each test read it through). */
#define UF_TILES 32

static inline int tile_col(const struct covx_walk *wk, const struct covx_grid *gr, double x)
{
    return cell_of(x, gr->m.x0, gr->m.inv, gr->m.nx) / wk->tile_cols;
}

static inline int tile_row(const struct covx_walk *wk, const struct covx_grid *gr, double y)
{
    return cell_of(y, gr->m.y0, gr->m.inv, gr->m.ny) / wk->tile_rows;
}

/* The tile of (x, y): monotone in x and in y, as cell_of. */
static inline int tile_of(const struct covx_walk *wk, const struct covx_grid *gr, double x,
                          double y)
{
    return tile_row(wk, gr, y) * wk->tile_ncol + tile_col(wk, gr, x);
}

/* Adds footprint u to the tiles its envelope meets: counts them in
 * start[b + 1] (fill NULL), or lists it at fill[b]++. */
static void tile_footprint(const struct covx_walk *wk, const struct covx_load *ld,
                           const struct covx_grid *gr, int u, int *start, int *fill, int *list)
{
    const struct ufp *f = &ld->uf[u];
    int c0 = tile_col(wk, gr, f->xmin), c1 = tile_col(wk, gr, f->xmax);
    for (int r = tile_row(wk, gr, f->ymin), r1 = tile_row(wk, gr, f->ymax); r <= r1; r++)
        for (int c = c0; c <= c1; c++) {
            int b = r * wk->tile_ncol + c;
            if (fill)
                list[fill[b]++] = u;
            else
                start[b + 1]++;
        }
}

static inline int imax(int a, int b)
{
    return a > b ? a : b;
}

/* The least tile side, in cells: half the footprints' mean envelope side.
 * Where footprints are many cells wide (large discs on a fine grid), a
 * tile of one cell listed each footprint in dozens of tiles; a point test
 * reads the same footprints, in the same order, from any tile holding the
 * point, so the tiles' size changes no answer. */
static int tile_least(const struct covx_load *ld, const struct covx_grid *gr)
{
    double side = 0.0;
    for (int u = 0; u < ld->nuf; u++)
        side += dmax(ld->uf[u].xmax - ld->uf[u].xmin, ld->uf[u].ymax - ld->uf[u].ymin);
    double cells = ld->nuf > 0 ? 0.5 * side / (double)ld->nuf * gr->m.inv : 1.0;
    return cells < 1.0 ? 1 : cells > UF_TILES ? UF_TILES : (int)cells;
}

/* Lists the kept footprints by tile (in order), each in the tiles its
 * envelope meets: a point test reads only its tile's footprints. */
int covx_tile_footprints(struct covx_walk *wk, const struct covx_load *ld,
                         const struct covx_grid *gr)
{
    int least = tile_least(ld, gr);
    wk->tile_rows = imax((gr->m.ny + UF_TILES - 1) / UF_TILES, least);
    wk->tile_cols = imax((gr->m.nx + UF_TILES - 1) / UF_TILES, least);
    wk->tile_ncol = (gr->m.nx + wk->tile_cols - 1) / wk->tile_cols;
    int ntile = wk->tile_ncol * ((gr->m.ny + wk->tile_rows - 1) / wk->tile_rows);
    wk->tile_start = buf_get(&wk->bufs[WB_TILE_START], (size_t)ntile + 1, sizeof *wk->tile_start);
    if (!wk->tile_start)
        return decline(&wk->reason, COVX_NOMEM);
    memset(wk->tile_start, 0, ((size_t)ntile + 1) * sizeof *wk->tile_start);
    for (int u = 0; u < ld->nuf; u++) /* tile b's count in tile_start[b + 1] */
        tile_footprint(wk, ld, gr, u, wk->tile_start, NULL, NULL);
    for (int b = 0; b < ntile; b++)
        wk->tile_start[b + 1] += wk->tile_start[b];
    wk->tile_uf =
        buf_get(&wk->bufs[WB_TILE_UF], (size_t)wk->tile_start[ntile], sizeof *wk->tile_uf);
    wk->fill = buf_get(&wk->bufs[WB_FILL], (size_t)ntile, sizeof *wk->fill);
    if (!wk->tile_uf || !wk->fill)
        return decline(&wk->reason, COVX_NOMEM);
    memcpy(wk->fill, wk->tile_start, (size_t)ntile * sizeof *wk->fill);
    for (int u = 0; u < ld->nuf; u++)
        tile_footprint(wk, ld, gr, u, NULL, wk->fill, wk->tile_uf);
    return 0;
}

/* How many kept footprints other than `skip` contain (x, y), counting no
 * further than `most`; marks them as reaching the township when `mark`.
 * -1 when (x, y) is on a boundary (of a footprint looked at). */
static int cover_count(const struct walker *wr, double x, double y, int skip, int mark, int most)
{
    const struct covx_load *ld = wr->ld;
    const int *tile_uf = wr->wk->tile_uf;
    unsigned char *reach = wr->wk->reach;
    int c = 0, b = tile_of(wr->wk, wr->gr, x, y);
    for (int i = wr->wk->tile_start[b], end = wr->wk->tile_start[b + 1]; i < end; i++) {
        int u = tile_uf[i];
        const struct ufp *f = &ld->uf[u];
        if ((u == skip) | (x < f->xmin) | (x > f->xmax) | (y < f->ymin) | (y > f->ymax))
            continue;
        int side = footprint_side(ld, f, x, y);
        if (side == SIDE_UNSURE)
            return -1;
        if (side == SIDE_IN) {
            if (++c >= most)
                return c;
            if (mark)
                reach[u] = 1;
        }
    }
    return c;
}

/* Winding number of the township edges in cell k about (x, y), counting
 * only edges that cross the row y there (each long edge once). */
static int cell_winding(const struct covx_grid *gr, const struct covx_load *ld, long k, double x,
                        double y, int *unsure)
{
    int w = 0;
    for (int i = gr->tpc.start[k]; i < gr->tpc.start[k + 1]; i++) {
        const struct run *r = &gr->tpc.run[i];
        if (y < r->ymin || y > r->ymax)
            continue;
        for (int j = r->start; j < r->end; j++) {
            const struct slot *p = &gr->tpc.slot[j];
            if (y < p->ymin || y > p->ymax)
                continue;
            double x0 = ld->vx[p->g], y0 = ld->vy[p->g], x1 = ld->vx[p->h], y1 = ld->vy[p->h];
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
static int township_side(const struct covx_grid *gr, const struct covx_load *ld, double x, double y)
{
    if (x < ld->bx0 || x > ld->bx1 || y < ld->by0 || y > ld->by1)
        return SIDE_OUT;
    int row = cell_of(y, gr->m.y0, gr->m.inv, gr->m.ny);
    int c0 = cell_of(x, gr->m.x0, gr->m.inv, gr->m.nx);
    unsigned char cls = gr->m.cls[(long)row * gr->m.nx + c0];
    if (!(cls & CELL_TOUCHED)) /* ∂T misses the cell: it is all in or out */
        return cls & CELL_INSIDE ? SIDE_IN : SIDE_OUT;
    int w = 0, unsure = 0;
    for (int cy = row > 0 ? row - 1 : 0; cy <= row; cy++)
        for (int cx = c0 > 0 ? c0 - 1 : 0; cx < gr->m.nx; cx++)
            w += cell_winding(gr, ld, (long)cy * gr->m.nx + cx, x, y, &unsure);
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
static int bound(const struct walker *wr, double *acc, double px, double py, double qx,
                 double qy)
{
    *acc += green(px, py, qx, qy);
    if (!wr->wk->keep)
        return 0;
    wr->wk->edge =
        buf_get(&wr->wk->bufs[WB_EDGE], 4 * (size_t)(wr->wk->nedge + 1), sizeof *wr->wk->edge);
    if (!wr->wk->edge)
        return decline(&wr->wk->reason, COVX_NOMEM);
    double *e = wr->wk->edge + 4 * wr->wk->nedge++;
    e[0] = px + wr->ld->ox;
    e[1] = py + wr->ld->oy;
    e[2] = qx + wr->ld->ox;
    e[3] = qy + wr->ld->oy;
    return 0;
}

/* A whole ring bounds T ∩ U: its area is added as one sum, as always. */
static int bound_ring(const struct walker *wr, const struct ring *r, double *acc)
{
    const double *vx = wr->ld->vx + r->off, *vy = wr->ld->vy + r->off;
    double unused = 0.0;
    for (long k = 0; wr->wk->keep && k < r->n; k++) {
        long k1 = k + 1 == r->n ? 0 : k + 1;
        if (bound(wr, &unused, vx[k], vy[k], vx[k1], vy[k1]) != 0)
            return -1;
    }
    *acc += ring_twice_area(wr->ld, r);
    return 0;
}

/* A township ring bounds T ∩ U where some footprint covers it. */
static int walk_township_ring(const struct walker *wr, const struct ring *r, double *acc)
{
    const double *vx = wr->ld->vx + r->off, *vy = wr->ld->vy + r->off;
    int c0 = cover_count(wr, vx[0], vy[0], -1, 1, INT_MAX);
    if (c0 < 0)
        return decline(&wr->wk->reason, COVX_POINT);
    if (ring_events(wr->xs, r) == 0)
        return c0 > 0 ? bound_ring(wr, r, acc) : 0;
    int c = c0;
    double x = vx[0], y = vy[0];
    for (long k = 0; k < r->n; k++) {
        long g = r->off + k, k1 = k + 1 == r->n ? 0 : k + 1;
        for (long e = wr->xs->evstart[g]; e < wr->xs->evstart[g + 1]; e++) {
            const struct event *ev = &wr->xs->evs[e];
            if (c > 0 && bound(wr, acc, x, y, ev->x, ev->y) != 0)
                return -1;
            if ((c += ev->sign) < 0)
                return decline(&wr->wk->reason, COVX_INCONSISTENT);
            x = ev->x;
            y = ev->y;
        }
        if (c > 0 && bound(wr, acc, x, y, vx[k1], vy[k1]) != 0)
            return -1;
        x = vx[k1];
        y = vy[k1];
    }
    return c == c0 ? 0 : decline(&wr->wk->reason, COVX_INCONSISTENT);
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

/* Where stations are dense a vertex lies under many footprints, and the
 * walk needs no more than a lower bound of their count until it has left
 * as many: the first count stops at COUNT_MOST of them. */
#define COUNT_MOST 4

/* Asks for the count at vertex kb: base, or a higher floor when the count
 * stopped at COUNT_MOST and that is enough (base then stays unknown). */
static int ask_base(const struct walker *wr, struct walk *w)
{
    double x = wr->ld->vx[w->r->off + w->kb], y = wr->ld->vy[w->r->off + w->kb];
    int most = w->floor < COUNT_MOST ? COUNT_MOST : INT_MAX;
    int c = cover_count(wr, x, y, w->r->owner, 0, most);
    if (c >= most) {
        w->floor = c;
        if (c + w->delta > 0)
            return 0;
        c = cover_count(wr, x, y, w->r->owner, 0, INT_MAX);
    }
    if (c < 0)
        return decline(&wr->wk->reason, COVX_POINT);
    w->base = c;
    return 0;
}

/* Moves the walk to (x, y), adding the piece when it bounds T ∩ U. */
static int walk_to(const struct walker *wr, struct walk *w, double x, double y, double *acc)
{
    if (w->in_t) {
        if (w->base < 0 && w->floor + w->delta > 0)
            goto moved; /* covered by another footprint: nothing to add */
        if (w->base < 0 && ask_base(wr, w) != 0)
            return -1;
        if (w->base < 0)
            goto moved; /* a lower bound says covered */
        int c = w->base + w->delta;
        if (c < 0)
            return decline(&wr->wk->reason, COVX_INCONSISTENT);
        if (c == 0 && bound(wr, acc, w->x, w->y, x, y) != 0)
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
static long next_busy_edge(const struct walker *wr, const struct ring *r, long k, long k0,
                           int cyclic)
{
    long first = wr->xs->evstart[r->off + k]; /* the ring's next crossing, if on an edge >= k */
    long kt = first < wr->xs->evstart[r->off + r->n] ? wr->xs->evs[first].g - r->off
                                                 : wr->xs->evs[wr->xs->evstart[r->off]].g - r->off;
    long gap = kt >= k ? kt - k : kt - k + r->n; /* edges to step over */
    long to_k0 = k0 >= k ? k0 - k : k0 - k + r->n;
    long next = cyclic && to_k0 < gap ? k0 : kt;
    long stop = first_unwalked(wr->gr->use + r->off, r->n, k, cyclic && to_k0 < gap ? to_k0 : gap);
    return stop >= 0 ? stop : next;
}

/* Moves the walk past an edge whose crossings with other footprints are
 * not all known, to its end k1: the count is asked afresh there, when
 * needed. It is at least 1: k1 is in the footprint that held the edge. */
static void rebase_at(struct walk *w, const double *vx, const double *vy, long k1)
{
    w->base = -1;
    w->floor = 1;
    w->delta = 0;
    w->rebased = 1;
    w->kb = k1;
    w->x = vx[k1];
    w->y = vy[k1];
}

/* Steps the walk over deep edge k -> k1 (deep.c): inside T and inside
 * another footprint, so it bounds nothing. */
static int step_over_deep(struct walk *w, const double *vx, const double *vy, long k1)
{
    rebase_at(w, vx, vy, k1);
    return w->in_t == 1 ? 0 : -1;
}

/* Steps the walk over covered edge g (deep.c): inside another footprint,
 * so it bounds nothing; only its crossings of ∂T count (its crossings
 * with other footprints are not all known), and the count is asked afresh
 * past it, as past a deep edge. -1: the township count went out of range. */
static int step_over_covered(const struct walker *wr, struct walk *w, long g, long k1,
                             unsigned char *reach)
{
    const double *vx = wr->ld->vx + w->r->off, *vy = wr->ld->vy + w->r->off;
    for (long e = wr->xs->evstart[g]; e < wr->xs->evstart[g + 1]; e++) {
        const struct event *ev = &wr->xs->evs[e];
        if (ev->kind == EV_FOOTPRINT)
            continue;
        *reach = 1;
        w->in_t += ev->sign;
        if (w->in_t < 0 || w->in_t > 1)
            return -1;
    }
    rebase_at(w, vx, vy, k1);
    return 0;
}

/* Walks footprint ring r from vertex k0, all the way round (cyclic) or
 * along the run of walked edges that starts there. */
static int walk_run(const struct walker *wr, const struct ring *r, long k0, int cyclic,
                    double *acc)
{
    const double *vx = wr->ld->vx + r->off, *vy = wr->ld->vy + r->off;
    const unsigned char *use = wr->gr->use;
    const long *evstart = wr->xs->evstart;
    const struct event *evs = wr->xs->evs;
    unsigned char *reach = &wr->wk->reach[r->owner];
    struct walk w = {.r = r, .kb = k0, .base = -1, .x = vx[k0], .y = vy[k0]};
    w.in_t = township_side(wr->gr, wr->ld, vx[k0], vy[k0]);
    if (w.in_t == SIDE_UNSURE)
        return decline(&wr->wk->reason, COVX_POINT);
    int in0 = w.in_t;
    *reach |= (unsigned char)w.in_t;
    long k = k0;
    do {
        long g = r->off + k, k1 = k + 1 == r->n ? 0 : k + 1;
        if (use[g] == EDGE_DEEP) {
            if (step_over_deep(&w, vx, vy, k1) != 0)
                return decline(&wr->wk->reason, COVX_INCONSISTENT);
            k = k1;
            continue;
        }
        if (use[g] == EDGE_COVERED) {
            if (step_over_covered(wr, &w, g, k1, reach) != 0)
                return decline(&wr->wk->reason, COVX_INCONSISTENT);
            k = k1;
            continue;
        }
        for (long e = evstart[g]; e < evstart[g + 1]; e++) {
            const struct event *ev = &evs[e];
            if (walk_to(wr, &w, ev->x, ev->y, acc) != 0)
                return -1;
            if (ev->kind == EV_FOOTPRINT) {
                w.delta += ev->sign;
                continue;
            }
            *reach = 1;
            w.in_t += ev->sign;
            if (w.in_t < 0 || w.in_t > 1)
                return decline(&wr->wk->reason, COVX_INCONSISTENT);
        }
        if (walk_needs_vertices(&w)) {
            if (walk_to(wr, &w, vx[k1], vy[k1], acc) != 0)
                return -1;
            k = k1;
        } else {
            k = next_busy_edge(wr, r, k1, k0, cyclic);
        }
    } while (cyclic ? k != k0 : use[r->off + k] != EDGE_SKIP);
    /* Back at the start, or at the start of an edge that is not walked,
     * which lies outside T. */
    if (cyclic ? w.in_t != in0 || (!w.rebased && w.delta != 0) : w.in_t != 0)
        return decline(&wr->wk->reason, COVX_INCONSISTENT);
    return 0;
}

/* A footprint ring crossing nothing lies inside or outside T as a whole. */
static int lone_footprint(const struct walker *wr, const struct ring *r, double *acc)
{
    double x = wr->ld->vx[r->off], y = wr->ld->vy[r->off];
    int side = township_side(wr->gr, wr->ld, x, y);
    if (side == SIDE_UNSURE)
        return decline(&wr->wk->reason, COVX_POINT);
    if (side == SIDE_OUT)
        return 0;
    wr->wk->reach[r->owner] = 1;
    int c = cover_count(wr, x, y, r->owner, 0, 1); /* covered or not is all it asks */
    if (c < 0)
        return decline(&wr->wk->reason, COVX_POINT);
    return c == 0 ? bound_ring(wr, r, acc) : 0;
}

/* A footprint ring with a covered edge and no crossing: covered by others
 * all along, it bounds nothing, and reaches T when inside it. */
static int covered_footprint(const struct walker *wr, const struct ring *r)
{
    int side = township_side(wr->gr, wr->ld, wr->ld->vx[r->off], wr->ld->vy[r->off]);
    if (side == SIDE_UNSURE)
        return decline(&wr->wk->reason, COVX_POINT);
    wr->wk->reach[r->owner] |= (unsigned char)(side == SIDE_IN);
    return 0;
}

/* A footprint ring bounds T ∩ U where it is inside T and no other
 * footprint covers it. Only walked edges (those that may meet T) are
 * walked, in runs that start where the ring enters them. */
static int walk_footprint_ring(const struct walker *wr, const struct ring *r, double *acc)
{
    const unsigned char *use = wr->gr->use + r->off;
    if (ring_events(wr->xs, r) == 0) {
        /* With a deep edge, all of it is inside T and covered by others:
         * from one of its points to the others no crossing changes that. */
        if (memchr(use, EDGE_DEEP, (size_t)r->n)) {
            wr->wk->reach[r->owner] = 1;
            return 0;
        }
        /* With a covered edge, all of it is covered by others likewise
         * (the count changes only at a crossing): in T or not is all. */
        if (memchr(use, EDGE_COVERED, (size_t)r->n))
            return covered_footprint(wr, r);
        return lone_footprint(wr, r, acc);
    }
    /* Runs of edges walked or deep, as if none were deep: the walks add
     * the same pieces in the same order either way. */
    long k = 0;
    while (k < r->n && use[k] != EDGE_SKIP)
        k++;
    if (k == r->n)
        return walk_run(wr, r, 0, 1, acc);
    for (k = 0; k < r->n; k++)
        if (use[k] != EDGE_SKIP && use[k ? k - 1 : r->n - 1] == EDGE_SKIP &&
            walk_run(wr, r, k, 0, acc) != 0)
            return -1;
    return 0;
}

int covx_walk_rings(struct covx_walk *wk, const struct covx_load *ld, const struct covx_grid *gr,
                    const struct covx_cross *xs, double *acc)
{
    wk->reach = buf_get(&wk->bufs[WB_REACH], (size_t)ld->nuf, sizeof *wk->reach);
    if (!wk->reach)
        return decline(&wk->reason, COVX_NOMEM);
    memset(wk->reach, 0, (size_t)ld->nuf);
    const struct walker walker = {.wk = wk, .ld = ld, .gr = gr, .xs = xs}, *wr = &walker;
    for (int ri = 0; ri < ld->nring; ri++) {
        const struct ring *ring = &ld->rings[ri];
        int rc = ring->owner == FP_TOWNSHIP ? walk_township_ring(wr, ring, acc)
                                            : walk_footprint_ring(wr, ring, acc);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Is the seat in (or on) a footprint that reaches the township? */
int covx_seat_side(const struct covx_walk *wk, const struct covx_load *ld,
                   const struct covx_grid *gr, double x, double y)
{
    int unsure = 0, b = tile_of(wk, gr, x, y);
    for (int i = wk->tile_start[b]; i < wk->tile_start[b + 1]; i++) {
        const struct ufp *f = &ld->uf[wk->tile_uf[i]];
        if (!wk->reach[wk->tile_uf[i]] || x < f->xmin || x > f->xmax || y < f->ymin || y > f->ymax)
            continue;
        int side = footprint_side(ld, f, x, y);
        if (side == SIDE_IN)
            return SIDE_IN;
        unsure |= side == SIDE_UNSURE;
    }
    return unsure ? SIDE_UNSURE : SIDE_OUT;
}
