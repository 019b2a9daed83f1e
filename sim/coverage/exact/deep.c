/* deep.c — the footprint edges that cannot bound T ∩ U (see exact.h): an
 * edge lying wholly inside T and inside another footprint's sure disc.
 *
 * Where stations are dense, most footprint edges lie deep inside the
 * union, and their crossings with each other are most of the pairs (their
 * number grows with the square of the stations per township), yet none of
 * them can bound T ∩ U: every point there is covered by another footprint.
 * Such an edge is marked EDGE_DEEP. It is bucketed only as a neighbour of
 * walked edges, so the crossings of walked edges stay complete, and no
 * pair of deep edges is ever tested. The walk steps over a deep edge with
 * its count of covering footprints unknown and asks for it afresh where
 * walked edges resume (walk.c); the boundary pieces it adds, their points
 * and their order are the same as without pruning, so the area is too.
 *
 * Both tests are exact: the cells of the edge's span must be clean inside
 * T (no township piece touches them, so the edge crosses no township edge
 * and the walk stays inside T along it), and the four corners of its
 * envelope must lie in the sure disc of a footprint (shape_facts: the disc
 * keeps SURE_MARGIN, 1e-3 m, from that footprint's boundary, far above the
 * rounding of the distance). The disc is convex, so it holds the envelope
 * and the edge. It is never the edge's own footprint's, whose ring lies
 * outside its own sure disc.
 *
 * An edge held so but not clean inside T (near ∂T, across it, or outside
 * T) is EDGE_COVERED: it bounds nothing either, yet the walk must follow
 * it in and out of T. It is bucketed like a walked edge, so the
 * township's pieces meet it, and walked edges meet it as they must (their
 * counts need it); but no pair of covered or deep edges is tested, and the
 * walk asks the count afresh past it. Where stations are dense nearly
 * every walked edge is covered: the pairs left are those of the few
 * edges near the union's boundary, and those along ∂T. */
#include "exact_internal.h"

#include <math.h>
#include <string.h>

#define NEAR_CELLS 2.0
/* Edges are looked at only in townships with more footprint edges than
 * DEEP_EDGES per cell on average (tuned on Jiangxi, 65,000 to 600,000
 * stations). */
#define DEEP_EDGES 8.0

/* The deep test reads cells DEEP_SUB times finer than the grid's (each
 * way), at most DEEP_FINE_CELLS of them: with the grid's, a cell touched
 * by ∂T kept every edge in it walked, a band as wide as a cell (hundreds of
 * metres where footprints are large) along the whole boundary, and the
 * walked edges there were most of the pairs once stations are dense. */
#define DEEP_SUB 8
#define DEEP_FINE_CELLS 4e6

/* Sizes and classifies the fine cells. */
static int fine_cells(struct covx_deep *dp, const struct covx_load *ld,
                      const struct covx_grid *gr)
{
    struct cellmap *m = &dp->fine;
    double ncell = (double)gr->m.nx * (double)gr->m.ny;
    double sub = dmax(dmin(DEEP_SUB, floor(sqrt(DEEP_FINE_CELLS / ncell))), 1.0);
    m->x0 = gr->m.x0;
    m->y0 = gr->m.y0;
    m->cell = dmax(gr->m.cell / sub, 1e3 * PIECE_MARGIN);
    m->inv = 1.0 / m->cell;
    m->nx = (int)((ld->bx1 - ld->bx0) * m->inv) + 1;
    m->ny = (int)((ld->by1 - ld->by0) * m->inv) + 1;
    if (covx_cells_clear(m, &dp->reason) != 0)
        return -1;
    covx_cells_touch(m, ld);
    return covx_cells_inside(m, ld, &dp->reason);
}

/* The grid cell of f's station, clamped. */
static inline long station_cell(const struct covx_grid *gr, const struct ufp *f)
{
    return (long)cell_of(f->py, gr->m.y0, gr->m.inv, gr->m.ny) * gr->m.nx +
           cell_of(f->px, gr->m.x0, gr->m.inv, gr->m.nx);
}

/* Lists the kept footprints with a sure disc by the grid cell of their
 * station (clamped to the grid), for covx_edge_deep. Needs the grid. */
int covx_index_stations(struct covx_deep *dp, const struct covx_load *ld,
                        const struct covx_grid *gr)
{
    size_t ncell = (size_t)gr->m.nx * (size_t)gr->m.ny;
    /* Sparse footprints: few pairs to save, and the search would cost more. */
    dp->deep = dp->prune == COVX_PRUNE_ALWAYS ||
              (dp->prune == COVX_PRUNE_DENSE && (double)ld->lcount > DEEP_EDGES * (double)ncell);
    if (!dp->deep)
        return 0;
    if (fine_cells(dp, ld, gr) != 0)
        return -1;
    dp->sg_start = buf_get(&dp->bufs[DB_SG_START], ncell + 1, sizeof *dp->sg_start);
    dp->sg_uf = buf_get(&dp->bufs[DB_SG_UF], (size_t)ld->nuf, sizeof *dp->sg_uf);
    if (!dp->sg_start || !dp->sg_uf)
        return decline(&dp->reason, COVX_NOMEM);
    memset(dp->sg_start, 0, (ncell + 1) * sizeof *dp->sg_start);
    dp->rin_max = 0.0;
    for (int u = 0; u < ld->nuf; u++) { /* cell k's count in sg_start[k + 1] */
        const struct ufp *f = &ld->uf[u];
        if (f->rin2 <= 0.0)
            continue;
        dp->rin_max = dmax(dp->rin_max, sqrt(f->rin2));
        dp->sg_start[station_cell(gr, f) + 1]++;
    }
    for (size_t k = 0; k < ncell; k++)
        dp->sg_start[k + 1] += dp->sg_start[k];
    int *fill = buf_get(&dp->bufs[DB_FILL], ncell, sizeof *fill);
    if (!fill)
        return decline(&dp->reason, COVX_NOMEM);
    memcpy(fill, dp->sg_start, ncell * sizeof *fill);
    for (int u = 0; u < ld->nuf; u++)
        if (ld->uf[u].rin2 > 0.0)
            dp->sg_uf[fill[station_cell(gr, &ld->uf[u])]++] = u;
    return 0;
}

/* Do the wedges of f's shape hold the box, whose farthest point from the
 * station is d2 (squared) away? Only for a box seen under a small angle
 * (its nearest point at least twice its diagonal away): its directions are
 * then the short arc between its corners', the rest of the turn being the
 * largest gap between them, and every point of it is in a wedge of that
 * arc, nearer than d2. */
static int wedges_hold(const struct covx_load *ld, const struct ufp *f, double xmin,
                       double ymin, double xmax, double ymax, double d2)
{
    const struct sectors *t = &ld->sect[f->sect];
    if (d2 >= t->in2max)
        return 0;
    double nx = dmax(dmax(xmin - f->px, f->px - xmax), 0.0);
    double ny = dmax(dmax(ymin - f->py, f->py - ymax), 0.0);
    double w = xmax - xmin, h = ymax - ymin;
    if (nx * nx + ny * ny < 4.0 * (w * w + h * h) ||
        nx * nx + ny * ny < SECTOR_MIN_R * SECTOR_MIN_R)
        return 0;
    double a[4] = {pseudo_angle(xmin - f->px, ymin - f->py),
                   pseudo_angle(xmax - f->px, ymin - f->py),
                   pseudo_angle(xmin - f->px, ymax - f->py),
                   pseudo_angle(xmax - f->px, ymax - f->py)};
    for (int i = 1; i < 4; i++) /* sort the four */
        for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
            double x = a[j];
            a[j] = a[j - 1];
            a[j - 1] = x;
        }
    int gap = 3; /* the largest gap is from a[gap] to the next, cyclically */
    double best = a[0] + 4.0 - a[3];
    for (int i = 0; i < 3; i++)
        if (a[i + 1] - a[i] > best) {
            best = a[i + 1] - a[i];
            gap = i;
        }
    int k0, k1;
    covx_wedge_range(a[(gap + 1) % 4], a[gap], &k0, &k1);
    for (int k = k0;; k = (k + 1) % SECTORS) {
        if (!(d2 < t->in2[k]))
            return 0;
        if (k == k1)
            return 1;
    }
}

/* Does footprint f surely hold the box: its sure disc, or else (when
 * wedges) its wedges? The box's farthest point from the station is a
 * corner. */
static inline int disc_holds(const struct covx_load *ld, const struct ufp *f, double xmin,
                             double ymin, double xmax, double ymax, int wedges)
{
    double dx0 = xmin - f->px, dx1 = xmax - f->px, dy0 = ymin - f->py, dy1 = ymax - f->py;
    double ax = dmax(dx0 * dx0, dx1 * dx1), ay = dmax(dy0 * dy0, dy1 * dy1);
    if (ax + ay < f->rin2)
        return 1;
    return wedges && f->sect >= 0 && wedges_hold(ld, f, xmin, ymin, xmax, ymax, ax + ay);
}

/* Does any footprint listed in cells [c0, c1) of one grid row hold the box?
 * *hint becomes the first that does. */
static int row_holds(const struct covx_deep *dp, const struct covx_load *ld, int *hint, long c0,
                     long c1, const struct slot *e, int wedges)
{
    for (int i = dp->sg_start[c0]; i < dp->sg_start[c1]; i++)
        if (disc_holds(ld, &ld->uf[dp->sg_uf[i]], e->xmin, e->ymin, e->xmax, e->ymax, wedges)) {
            *hint = dp->sg_uf[i];
            return 1;
        }
    return 0;
}

/* Does the envelope e lie in clean inside cells of the fine grid (so the
 * edge crosses no township edge, and lies inside T)? */
static int clean_inside(const struct covx_deep *dp, const struct covx_load *ld,
                        const struct slot *e)
{
    if ((e->xmin < ld->bx0) | (e->xmax > ld->bx1) | (e->ymin < ld->by0) | (e->ymax > ld->by1))
        return 0;
    const struct cellmap *m = &dp->fine;
    struct span fs = map_span(m, e->xmin, e->ymin, e->xmax, e->ymax);
    for (int cy = fs.cy0; cy <= fs.cy1; cy++)
        for (int cx = fs.cx0; cx <= fs.cx1; cx++)
            if ((m->cls[(long)cy * m->nx + cx] & (CELL_TOUCHED | CELL_INSIDE)) != CELL_INSIDE)
                return 0;
    return 1;
}

/* Does another footprint's sure region hold the envelope e? The footprint
 * in *hint (-1: none) is tried first, then stations near the envelope's
 * centre: where edges are covered, the one that held the ring's last
 * edge, or a near one, holds it. *hint becomes the footprint found. */
static int edge_held(const struct covx_deep *dp, const struct covx_load *ld,
                     const struct covx_grid *gr, const struct slot *e, int *hint)
{
    if (*hint >= 0 && disc_holds(ld, &ld->uf[*hint], e->xmin, e->ymin, e->xmax, e->ymax, 1))
        return 1;
    double xc = 0.5 * (e->xmin + e->xmax), yc = 0.5 * (e->ymin + e->ymax);
    int mx = cell_of(xc, gr->m.x0, gr->m.inv, gr->m.nx);
    int my = cell_of(yc, gr->m.y0, gr->m.inv, gr->m.ny);
    long mk = (long)my * gr->m.nx + mx;
    if (row_holds(dp, ld, hint, mk, mk + 1, e, 1))
        return 1;
    /* Then the others, by their discs only (the wedges cost more than they
     * find there): a disc holding the box has its station within rin_max
     * of its centre, but no farther than NEAR_CELLS cells are looked at (a
     * few large discs must not make every edge read hundreds of cells; an
     * edge not found deep is only walked, as before). */
    double r = dmin(dp->rin_max, NEAR_CELLS * gr->m.cell);
    struct span near = span_of(gr, xc - r, yc - r, xc + r, yc + r);
    for (int cy = near.cy0; cy <= near.cy1; cy++) {
        long row = (long)cy * gr->m.nx;
        if (cy == my) { /* the centre's cell is done */
            if (row_holds(dp, ld, hint, row + near.cx0, mk, e, 0) ||
                row_holds(dp, ld, hint, mk + 1, row + near.cx1 + 1, e, 0))
                return 1;
        } else if (row_holds(dp, ld, hint, row + near.cx0, row + near.cx1 + 1, e, 0)) {
            return 1;
        }
    }
    return 0;
}

int covx_edge_covered(const struct covx_deep *dp, const struct covx_load *ld,
                      const struct covx_grid *gr, const struct slot *e, int *hint)
{
    if (!dp->deep)
        return EDGE_WALKED;
    int inside = clean_inside(dp, ld, e);
    if (!edge_held(dp, ld, gr, e, hint))
        return EDGE_WALKED;
    return inside ? EDGE_DEEP : EDGE_COVERED;
}

void covx_prune_deep(struct covx_scratch *s, enum covx_prune when)
{
    s->dp.prune = when;
}
