/* bucket.c — the exact engine's second phase (see exact.h): a uniform grid
 * over the township's envelope; its edges bucketed in pieces shorter than
 * a cell, the cells they miss classified as inside or outside it, and the
 * footprint edges that may meet it (walked) bucketed with their
 * neighbours. */
#include "exact_internal.h"

#include <math.h>
#include <string.h>

/* ---- the grid and its pieces ------------------------------------------------*/

#define GRID_MAX_SIDE 2048

/* Cells are CELL_EDGES footprint edges wide (their harmonic mean: small
 * footprints, dense in cities, set the scale), and there are at most
 * CELLS_PER_EDGE cells per edge (a large township with few footprints).
 * Tuned on Jiangxi with discs and with link-model stars. */
#define CELL_EDGES 4.5
#define CELLS_PER_EDGE 4.0

static void grid_size(struct covx_grid *gr, const struct covx_load *ld)
{
    double w = ld->bx1 - ld->bx0, h = ld->by1 - ld->by0;
    long ntv = ld->rings[ld->ntring - 1].off + ld->rings[ld->ntring - 1].n; /* township edges */
    double cell = ld->linv > 0.0 ? CELL_EDGES * (double)ld->lcount / ld->linv : 0.0;
    cell = dmax(cell, sqrt(w * h / (CELLS_PER_EDGE * (double)(ld->lcount + ntv) + 16.0)));
    cell = dmax(cell, dmax(w, h) / (GRID_MAX_SIDE - 1));
    cell = dmax(cell, 1e3 * PIECE_MARGIN); /* the margin must stay small in cells */
    gr->m.x0 = ld->bx0;
    gr->m.y0 = ld->by0;
    gr->m.cell = cell;
    gr->m.inv = 1.0 / cell;
    gr->m.nx = (int)(w * gr->m.inv) + 1;
    gr->m.ny = (int)(h * gr->m.inv) + 1;
}

/* Piece k of np of edge g -> h of a ring owned by `owner`. */
static struct slot make_slot(const struct covx_load *ld, long g, long h, long k, long np,
                             int owner, int walked)
{
    double x0 = ld->vx[g], y0 = ld->vy[g], x1 = ld->vx[h], y1 = ld->vy[h];
    double xa = x0, ya = y0, xb = x1, yb = y1;
    if (np > 1) { /* the ends of piece k */
        double ta = (double)k / (double)np, tb = (double)(k + 1) / (double)np;
        if (k > 0) {
            xa = x0 + ta * (x1 - x0);
            ya = y0 + ta * (y1 - y0);
        }
        if (k + 1 < np) {
            xb = x0 + tb * (x1 - x0);
            yb = y0 + tb * (y1 - y0);
        }
    }
    return (struct slot){.xmin = dmin(xa, xb) - PIECE_MARGIN, .ymin = dmin(ya, yb) - PIECE_MARGIN,
                         .xmax = dmax(xa, xb) + PIECE_MARGIN, .ymax = dmax(ya, yb) + PIECE_MARGIN,
                         .g = (int)g, .h = (int)h, .owner = owner, .k = (int)k, .np = (int)np,
                         .walked = walked};
}

/* Edge g -> h as one piece: make_slot(ld, g, h, 0, 1, ...), but small
 * enough to inline where every edge is looked at. */
static inline struct slot edge_slot(const struct covx_load *ld, long g, long h, int owner,
                                    int walked)
{
    double x0 = ld->vx[g], y0 = ld->vy[g], x1 = ld->vx[h], y1 = ld->vy[h];
    return (struct slot){.xmin = dmin(x0, x1) - PIECE_MARGIN, .ymin = dmin(y0, y1) - PIECE_MARGIN,
                         .xmax = dmax(x0, x1) + PIECE_MARGIN, .ymax = dmax(y0, y1) + PIECE_MARGIN,
                         .g = (int)g, .h = (int)h, .owner = owner, .k = 0, .np = 1,
                         .walked = walked};
}

/* Does edge g -> h's envelope, with PIECE_MARGIN, miss the township's
 * envelope grown by m? The same comparisons as on its slot (edge_slot),
 * made before the slot is. */
static inline int misses_box(const struct covx_load *ld, long g, long h, double m)
{
    double x0 = ld->vx[g], y0 = ld->vy[g], x1 = ld->vx[h], y1 = ld->vy[h];
    return dmax(x0, x1) + PIECE_MARGIN < ld->bx0 - m || dmin(x0, x1) - PIECE_MARGIN > ld->bx1 + m ||
           dmax(y0, y1) + PIECE_MARGIN < ld->by0 - m || dmin(y0, y1) - PIECE_MARGIN > ld->by1 + m;
}

/* Can no edge of footprint f miss B grown by m (misses_box)? Its vertices
 * lie in its envelope, and rounding is monotone: each comparison
 * misses_box makes is then false for every edge, as it is on f's
 * envelope. Asked once per ring, it spares the test on each edge. */
static inline int ring_within_box(const struct covx_load *ld, const struct ufp *f, double m)
{
    return (f->xmin + PIECE_MARGIN >= ld->bx0 - m) & (f->xmax - PIECE_MARGIN <= ld->bx1 + m) &
           (f->ymin + PIECE_MARGIN >= ld->by0 - m) & (f->ymax - PIECE_MARGIN <= ld->by1 + m);
}

static inline long edge_pieces(const struct covx_grid *gr, const struct covx_load *ld, long g,
                               long h)
{
    double len = dmax(fabs(ld->vx[h] - ld->vx[g]), fabs(ld->vy[h] - ld->vy[g]));
    double most = PIECE_CELLS * gr->m.cell;
    return len <= most ? 1 : (long)ceil(len / most);
}

/* Are all of footprint f's edges one piece each? Its shape's longest edge
 * is within ~1e-9 m of the placed one's, far inside PIECE_CELLS' room. */
static inline int one_piece_edges(const struct covx_grid *gr, const struct ufp *f)
{
    return f->lmax <= PIECE_CELLS * gr->m.cell;
}

/* A piece's span: at most 2 x 2 cells, a piece being shorter than one. */
static inline int span_small(struct span c)
{
    return (c.cx1 - c.cx0 <= 1) & (c.cy1 - c.cy0 <= 1);
}

/* Does any cell of span c have one of the bits? */
static inline int span_any(const struct covx_grid *gr, struct span c, unsigned char bits)
{
    if (span_small(c)) { /* its four corners, the same cell twice if need be */
        const unsigned char *p = gr->m.cls + (long)c.cy0 * gr->m.nx + c.cx0;
        long dx = c.cx1 - c.cx0, dy = (long)(c.cy1 - c.cy0) * gr->m.nx;
        return ((p[0] | p[dx] | p[dy] | p[dy + dx]) & bits) != 0;
    }
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++)
            if (gr->m.cls[(long)cy * gr->m.nx + cx] & bits)
                return 1;
    return 0;
}

static inline void span_mark(struct covx_grid *gr, struct span c, unsigned char bits)
{
    map_mark(&gr->m, c, bits);
}

/* The buffers of a piece list, as they follow each other in enum grid_buf. */
enum pieces_buf { PB_SLOT, PB_MADE, PB_MADE_CELL, PB_RUN, PB_START, PB_WEND };

static struct buf *pieces_bufs(struct covx_grid *gr, const struct pieces *l)
{
    return &gr->bufs[l == &gr->tpc ? GB_TSLOT : GB_FSLOT];
}

static void pieces_clear(struct pieces *l)
{
    l->n = 0;
    l->nmade = 0;
}

/* Makes room in list l for n more pieces (and as many runs). */
static int reserve_pieces(struct covx_grid *gr, struct pieces *l, long n)
{
    struct buf *b = pieces_bufs(gr, l);
    size_t runs = (size_t)l->nmade + (size_t)n;
    l->slot = buf_get(&b[PB_SLOT], (size_t)(l->n + n), sizeof *l->slot);
    l->made = buf_get(&b[PB_MADE], runs, sizeof *l->made);
    l->made_cell = buf_get(&b[PB_MADE_CELL], runs, sizeof *l->made_cell);
    return l->slot && l->made && l->made_cell ? 0 : decline(&gr->reason, COVX_NOMEM);
}

/* List l's next slot, where a piece is made in place (room reserved):
 * push_piece keeps it, else the next piece overwrites it. */
static inline struct slot *next_slot(struct pieces *l)
{
    return &l->slot[l->n];
}

/* Starts a run in cell c, counted in cnt, with the piece in next_slot
 * (its span sp). */
static struct run *start_run(struct pieces *l, int c, struct span sp, int *cnt)
{
    const struct slot *p = next_slot(l);
    struct run *r = &l->made[l->nmade];
    l->made_cell[l->nmade++] = c;
    cnt[c]++;
    *r = (struct run){p->xmin, p->ymin, p->xmax, p->ymax, (int)l->n, (int)l->n, p->owner, 0,
                      sp.cx1, sp.cy1};
    return r;
}

/* Keeps the piece made in next_slot(l). It lies in the cell holding its
 * lower-left corner (that of its span sp): it joins the last run when
 * that is its ring's in the same cell, else starts a run. Inlined: it
 * runs once per piece, and gcc's own choice (a call) cost ~8 %. */
static inline __attribute__((always_inline)) void push_piece(struct covx_grid *gr,
                                                             struct pieces *l, struct span sp,
                                                             int *cnt)
{
    const struct slot *p = next_slot(l);
    int c = sp.cy0 * gr->m.nx + sp.cx0;
    struct run *r = &l->made[l->nmade - 1];
    if (l->nmade == 0 || l->made_cell[l->nmade - 1] != c || r->owner != p->owner)
        r = start_run(l, c, sp, cnt);
    r->xmin = dmin(r->xmin, p->xmin);
    r->ymin = dmin(r->ymin, p->ymin);
    r->xmax = dmax(r->xmax, p->xmax);
    r->ymax = dmax(r->ymax, p->ymax);
    r->cx1 = r->cx1 > sp.cx1 ? r->cx1 : sp.cx1;
    r->cy1 = r->cy1 > sp.cy1 ? r->cy1 : sp.cy1;
    r->walked |= p->walked;
    r->end = (int)++l->n;
}

static inline struct span slot_span(const struct covx_grid *gr, const struct slot *p)
{
    return span_of(gr, p->xmin, p->ymin, p->xmax, p->ymax);
}

/* Sorts list l's runs into their cells, walked runs first in each (the
 * pair test skips pairs of unwalked ones without looking at them); cnt
 * holds the runs per cell. One pass: a cell's walked runs fill it from
 * its start, in the order made, and the others from its end, in reverse
 * (every pair is tested in a cell whatever its order, and the crossings
 * are sorted along each edge afterwards); wend ends at the first of
 * those. */
static int sort_runs(struct covx_grid *gr, struct pieces *l, int *cnt, size_t ncell)
{
    struct buf *b = pieces_bufs(gr, l);
    l->start = buf_get(&b[PB_START], ncell + 1, sizeof *l->start);
    l->wend = buf_get(&b[PB_WEND], ncell, sizeof *l->wend);
    l->run = buf_get(&b[PB_RUN], (size_t)l->nmade, sizeof *l->run);
    if (!l->start || !l->wend || !l->run)
        return decline(&gr->reason, COVX_NOMEM);
    l->start[0] = 0;
    for (size_t k = 0; k < ncell; k++) { /* cnt[k] becomes cell k's fill position */
        l->start[k + 1] = l->start[k] + cnt[k];
        cnt[k] = l->start[k];
        l->wend[k] = l->start[k + 1];
    }
    for (int i = 0; i < l->nmade; i++) {
        int c = l->made_cell[i];
        l->run[l->made[i].walked ? cnt[c]++ : --l->wend[c]] = l->made[i];
    }
    return 0;
}

/* Buckets the township's edges, and marks the cells their pieces touch. */
static int bucket_township(struct covx_grid *gr, const struct covx_load *ld, size_t ncell)
{
    int *cnt = gr->fill;
    memset(cnt, 0, ncell * sizeof *cnt);
    pieces_clear(&gr->tpc);
    for (int ri = 0; ri < ld->ntring; ri++) {
        const struct ring *r = &ld->rings[ri];
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            long np = edge_pieces(gr, ld, g, h);
            gr->use[g] = EDGE_WALKED;
            if (reserve_pieces(gr, &gr->tpc, np) != 0)
                return -1;
            for (long k = 0; k < np; k++) {
                struct slot *p = next_slot(&gr->tpc);
                *p = make_slot(ld, g, h, k, np, FP_TOWNSHIP, 1);
                struct span sp = slot_span(gr, p);
                span_mark(gr, sp, CELL_TOUCHED);
                push_piece(gr, &gr->tpc, sp, cnt);
            }
        }
    }
    return sort_runs(gr, &gr->tpc, cnt, ncell);
}

/* A footprint edge is walked when it can hold a point of T: its envelope
 * (sp its span) meets B (misses_box has said so) and covers a cell that is
 * not clean outside T. */
static inline int walked_edge(const struct covx_grid *gr, struct span sp)
{
    return span_any(gr, sp, CELL_TOUCHED | CELL_INSIDE);
}

/* The bits any cell of span c has (*any), and those every one has. */
static void span_bits(const struct covx_grid *gr, struct span c, unsigned char *any,
                      unsigned char *all)
{
    unsigned char o = 0, a = 0xff;
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++) {
            unsigned char b = gr->m.cls[(long)cy * gr->m.nx + cx];
            o |= b;
            a &= b;
        }
    *any = o;
    *all = a;
}

/* What a footprint's envelope says of all its edges at once: EDGE_SKIP
 * when it covers clean outside cells only, EDGE_WALKED when it lies in B
 * on clean inside cells only, else -1 (decide edge by edge). */
static int footprint_use(const struct covx_grid *gr, const struct covx_load *ld,
                         const struct ufp *f)
{
    unsigned char any, all;
    span_bits(gr, span_of(gr, f->xmin, f->ymin, f->xmax, f->ymax), &any, &all);
    if (!(any & (CELL_TOUCHED | CELL_INSIDE)))
        return EDGE_SKIP;
    if ((all & CELL_INSIDE) && !(any & CELL_TOUCHED) && f->xmin >= ld->bx0 && f->xmax <= ld->bx1 &&
        f->ymin >= ld->by0 && f->ymax <= ld->by1)
        return EDGE_WALKED;
    return -1;
}

/* Edge g -> h of footprint `owner`, cut in np pieces (room: pieces still
 * to come on its ring, one per edge), its use `use`. A walked edge's
 * pieces all go in and mark their cells CELL_WALKED; a covered edge's all
 * go in (the township's pieces must meet them), marking nothing; a
 * neighbour's (EDGE_SKIP or EDGE_DEEP) go in only where a walked piece
 * lies. */
static int push_edge_pieces(struct covx_grid *gr, const struct covx_load *ld, long g, long h,
                            long np, long room, int owner, int use, int *cnt)
{
    if (reserve_pieces(gr, &gr->fpc, np + room) != 0)
        return -1;
    int walked = use == EDGE_WALKED;
    for (long k = 0; k < np; k++) {
        struct slot *p = next_slot(&gr->fpc);
        *p = make_slot(ld, g, h, k, np, owner, walked);
        struct span ps = slot_span(gr, p);
        if (walked)
            span_mark(gr, ps, CELL_WALKED);
        if (walked || use == EDGE_COVERED || span_any(gr, ps, CELL_WALKED))
            push_piece(gr, &gr->fpc, ps, cnt);
    }
    return 0;
}

/* The grid's numbers in locals: the loop below stores slots (doubles),
 * which the compiler must assume may change the grid's own fields. */
struct grid_view {
    double x0, y0, inv;
    int nx, ny;
    unsigned char *cls;
};

/* The run being made by bucket_all_walked, kept in locals. */
struct open_run {
    double xmin, ymin, xmax, ymax;
    int cell, cx1, cy1;
    int start;
};

/* Closes run o, whose last slot is end - 1: push_piece's run, field for
 * field (min and max are exact, in any order). */
static inline void close_run(struct pieces *l, const struct open_run *o, int end, int owner,
                             int *cnt)
{
    l->made[l->nmade] = (struct run){o->xmin, o->ymin, o->xmax, o->ymax, o->start, end, owner,
                                     1, o->cx1, o->cy1};
    l->made_cell[l->nmade++] = o->cell;
    cnt[o->cell]++;
}

/* Footprint ring r, in B on clean inside cells (footprint_use's
 * EDGE_WALKED), its edges one piece each and none asked about depth:
 * every edge walked. The slots, runs, marks and uses bucket_walked's loop
 * makes for it, in one pass with the run and the grid in locals (room for
 * r->n pieces and runs is reserved). Its first piece starts a run: the
 * last one made is another footprint's. */
static void bucket_all_walked(struct covx_grid *gr, const struct covx_load *ld,
                              const struct ring *r, int *cnt)
{
    const struct grid_view m = {gr->m.x0, gr->m.y0, gr->m.inv, gr->m.nx, gr->m.ny, gr->m.cls};
    struct pieces *l = &gr->fpc;
    const double *vx = ld->vx, *vy = ld->vy;
    int owner = r->owner, n = (int)l->n;
    struct slot *slot = l->slot;
    struct open_run o = {.cell = -1};
    memset(gr->use + r->off, EDGE_WALKED, (size_t)r->n);
    double xa = vx[r->off], ya = vy[r->off];
    for (long g = r->off, end = r->off + r->n; g < end; g++) {
        long h = g + 1 == end ? r->off : g + 1;
        double xb = vx[h], yb = vy[h];
        struct slot *p = &slot[n];
        *p = (struct slot){.xmin = dmin(xa, xb) - PIECE_MARGIN, .ymin = dmin(ya, yb) - PIECE_MARGIN,
                           .xmax = dmax(xa, xb) + PIECE_MARGIN, .ymax = dmax(ya, yb) + PIECE_MARGIN,
                           .g = (int)g, .h = (int)h, .owner = owner, .k = 0, .np = 1,
                           .walked = 1};
        struct span sp = {cell_of(p->xmin, m.x0, m.inv, m.nx), cell_of(p->ymin, m.y0, m.inv, m.ny),
                          cell_of(p->xmax, m.x0, m.inv, m.nx), cell_of(p->ymax, m.y0, m.inv, m.ny)};
        int c = sp.cy0 * m.nx + sp.cx0;
        if (span_small(sp)) {
            unsigned char *q = m.cls + c;
            long dx = sp.cx1 - sp.cx0, dy = (long)(sp.cy1 - sp.cy0) * m.nx;
            q[0] |= CELL_WALKED;
            q[dx] |= CELL_WALKED;
            q[dy] |= CELL_WALKED;
            q[dy + dx] |= CELL_WALKED;
        } else {
            span_mark(gr, sp, CELL_WALKED);
        }
        if (c != o.cell) {
            if (o.cell >= 0)
                close_run(l, &o, n, owner, cnt);
            o = (struct open_run){p->xmin, p->ymin, p->xmax, p->ymax, c, sp.cx1, sp.cy1, n};
        } else {
            o.xmin = dmin(o.xmin, p->xmin);
            o.ymin = dmin(o.ymin, p->ymin);
            o.xmax = dmax(o.xmax, p->xmax);
            o.ymax = dmax(o.ymax, p->ymax);
            o.cx1 = o.cx1 > sp.cx1 ? o.cx1 : sp.cx1;
            o.cy1 = o.cy1 > sp.cy1 ? o.cy1 : sp.cy1;
        }
        n++;
        xa = xb;
        ya = yb;
    }
    close_run(l, &o, n, owner, cnt);
    l->n = n;
}

/* Pass 1: every piece of every walked footprint edge, marking the cells
 * they cover CELL_WALKED, and of every covered one. */
static int bucket_walked(struct covx_grid *gr, const struct covx_load *ld,
                         const struct covx_deep *dp, int *cnt)
{
    for (int ri = ld->ntring; ri < ld->nring; ri++) {
        const struct ring *r = &ld->rings[ri];
        int bulk = footprint_use(gr, ld, &ld->uf[r->owner]);
        int deep = 0, hint = -1; /* edges marked EDGE_DEEP; what held the last */
        gr->all_walked[r->owner] = 0;
        if (bulk == EDGE_SKIP) {
            memset(gr->use + r->off, EDGE_SKIP, (size_t)r->n);
            continue;
        }
        if (reserve_pieces(gr, &gr->fpc, r->n) != 0) /* one piece per edge, usually */
            return -1;
        int one = one_piece_edges(gr, &ld->uf[r->owner]);
        if (bulk == EDGE_WALKED && one && !dp->deep) {
            bucket_all_walked(gr, ld, r, cnt);
            gr->all_walked[r->owner] = 1;
            continue;
        }
        int within = bulk == EDGE_WALKED || ring_within_box(ld, &ld->uf[r->owner], 0.0);
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            if (!within && misses_box(ld, g, h, 0.0)) {
                gr->use[g] = EDGE_SKIP; /* its envelope misses B: not walked (no slot made) */
                continue;
            }
            /* The whole edge's envelope: the piece itself when np == 1. */
            struct slot *e = next_slot(&gr->fpc);
            *e = edge_slot(ld, g, h, r->owner, 1);
            struct span sp = slot_span(gr, e);
            int walked = bulk == EDGE_WALKED || walked_edge(gr, sp);
            int use = !walked     ? EDGE_SKIP
                      : dp->deep ? covx_edge_covered(dp, ld, gr, e, &hint)
                                 : EDGE_WALKED;
            gr->use[g] = (unsigned char)use;
            if (use == EDGE_DEEP) { /* bucketed as a neighbour, if at all */
                deep++;
                continue;
            }
            if (use == EDGE_SKIP)
                continue;
            long np = one ? 1 : edge_pieces(gr, ld, g, h);
            if (np == 1) {
                e->walked = use == EDGE_WALKED;
                if (e->walked)
                    span_mark(gr, sp, CELL_WALKED);
                push_piece(gr, &gr->fpc, sp, cnt);
                continue;
            }
            if (push_edge_pieces(gr, ld, g, h, np, end - g, r->owner, use, cnt) != 0)
                return -1;
        }
        gr->all_walked[r->owner] = bulk == EDGE_WALKED && deep == 0;
    }
    return 0;
}

/* Pass 2: pieces of the other footprint edges that share a cell with a
 * walked piece: only they can cross one (far ones are rejected on B
 * grown by the longest footprint edge first). */
static int bucket_neighbours(struct covx_grid *gr, const struct covx_load *ld, int *cnt)
{
    double m = ld->lmax + gr->m.cell;
    for (int ri = ld->ntring; ri < ld->nring; ri++) {
        const struct ring *r = &ld->rings[ri];
        const struct ufp *f = &ld->uf[r->owner];
        if (gr->all_walked[r->owner]) /* no edge left to add */
            continue;
        unsigned char any, all;
        span_bits(gr, span_of(gr, f->xmin - PIECE_MARGIN, f->ymin - PIECE_MARGIN,
                             f->xmax + PIECE_MARGIN, f->ymax + PIECE_MARGIN), &any, &all);
        if (!(any & CELL_WALKED))
            continue;
        if (reserve_pieces(gr, &gr->fpc, r->n) != 0) /* one piece per edge, usually */
            return -1;
        int one = one_piece_edges(gr, f);
        int within = ring_within_box(ld, f, m);
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            if (gr->use[g] == EDGE_WALKED || gr->use[g] == EDGE_COVERED) /* in already */
                continue;
            long h = g + 1 == end ? r->off : g + 1;
            if (!within && misses_box(ld, g, h, m))
                continue;
            struct slot *e = next_slot(&gr->fpc);
            *e = edge_slot(ld, g, h, r->owner, 0);
            struct span sp = slot_span(gr, e);
            if (!span_any(gr, sp, CELL_WALKED))
                continue;
            long np = one ? 1 : edge_pieces(gr, ld, g, h);
            if (np == 1) {
                push_piece(gr, &gr->fpc, sp, cnt);
                continue;
            }
            if (push_edge_pieces(gr, ld, g, h, np, end - g, r->owner, EDGE_SKIP, cnt) != 0)
                return -1;
        }
    }
    return 0;
}

/* Buckets the footprint edges that can matter: walked ones (those not
 * deep), then their neighbours. */
int covx_bucket_footprints(struct covx_grid *gr, const struct covx_load *ld,
                           const struct covx_deep *dp)
{
    size_t ncell = (size_t)gr->m.nx * (size_t)gr->m.ny;
    gr->all_walked = buf_get(&gr->bufs[GB_ALL_WALKED], (size_t)ld->nuf, sizeof *gr->all_walked);
    if (!gr->all_walked)
        return decline(&gr->reason, COVX_NOMEM);
    int *cnt = gr->fill;
    memset(cnt, 0, ncell * sizeof *cnt);
    pieces_clear(&gr->fpc);
    if (bucket_walked(gr, ld, dp, cnt) != 0 || bucket_neighbours(gr, ld, cnt) != 0)
        return -1;
    return sort_runs(gr, &gr->fpc, cnt, ncell);
}

/* Sizes the grid, buckets the township's edges and classifies the cells. */
int covx_bucket_township(struct covx_grid *gr, const struct covx_load *ld)
{
    grid_size(gr, ld);
    size_t ncell = (size_t)gr->m.nx * (size_t)gr->m.ny;
    gr->fill = buf_get(&gr->bufs[GB_FILL], ncell, sizeof *gr->fill);
    gr->use = buf_get(&gr->bufs[GB_USE], (size_t)ld->nv, sizeof *gr->use);
    if (!gr->fill || !gr->use)
        return decline(&gr->reason, COVX_NOMEM);
    if (covx_cells_clear(&gr->m, &gr->reason) != 0 || bucket_township(gr, ld, ncell) != 0)
        return -1;
    return covx_cells_inside(&gr->m, ld, &gr->reason);
}
