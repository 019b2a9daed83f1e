/* exact_internal.h — the exact engine's phases, each with its own state,
 * and the helpers they share (load.c, bucket.c, deep.c, pairs.c, walk.c,
 * rings.c, exact.c). Private to sim/coverage/exact/. The helpers are static inline: they run in the
 * engine's inner loops, and a split into files must not cost a call. */
#ifndef TOWNCOV_COVERAGE_EXACT_INTERNAL_H
#define TOWNCOV_COVERAGE_EXACT_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "exact.h"

/* Shewchuk's bound for the floating-point orientation determinant: when
 * |det| exceeds it, its sign is the sign of the exact determinant. */
#define ORIENT_ERRBOUND 3.3306690738754716e-16
#define FP_TOWNSHIP (-1) /* owner of a township ring */

enum side { SIDE_UNSURE = -1, SIDE_OUT = 0, SIDE_IN = 1 };
/* EDGE_DEEP: walked once, now known to lie inside T and inside another
 * footprint (deep.c), so it cannot bound T ∩ U. EDGE_COVERED: inside
 * another footprint too, but it may cross ∂T: it is paired with the
 * township's edges (the walk follows its way in and out of T) and with
 * walked footprint edges (theirs need it), never with other covered or
 * deep edges, and it bounds nothing. */
enum edge_use { EDGE_SKIP = 0, EDGE_WALKED = 1, EDGE_DEEP = 2, EDGE_COVERED = 3 };
/* Grid cell classification bits. */
enum cell_bits {
    CELL_TOUCHED = 1, /* a township piece's envelope covers it */
    CELL_INSIDE = 2,  /* its centre is inside T */
    CELL_WALKED = 4   /* a walked footprint piece's envelope covers it */
};
enum ev_kind { EV_FOOTPRINT = 0, EV_TOWNSHIP = 1 };

/* Why the engine declined a township (covx_scratch.reason), for a debugger; how
 * many it declined is in the results (cov_result.by_geos). */
enum covx_reason {
    COVX_OK,
    COVX_NOMEM,
    COVX_GEOMETRY,  /* not a (Multi)Polygon, or a ring without area */
    COVX_TOUCH,     /* edges touch, overlap or nearly so */
    COVX_POINT,     /* a start vertex or the seat on (or at) a boundary */
    COVX_INCONSISTENT /* the in/out counts went out of range */
};

/* ---- the data the phases pass on ---------------------------------------------*/

/* A growable buffer: memory is kept across townships. */
struct buf {
    void *p;
    size_t cap; /* in bytes */
};

/* min and max without fmin's NaN rules, so they compile to one
 * instruction (coordinates are never NaN). */
static inline double dmin(double a, double b)
{
    return a < b ? a : b;
}

static inline double dmax(double a, double b)
{
    return a > b ? a : b;
}

/* Makes b hold at least n elements of size bytes, keeping its contents. */
static inline void *buf_get(struct buf *b, size_t n, size_t size)
{
    size_t need = (n ? n : 1) * size;
    if (need > b->cap) {
        size_t cap = need + need / 2 + 256;
        void *p = realloc(b->p, cap);
        if (!p)
            return NULL;
        b->p = p;
        b->cap = cap;
    }
    return b->p;
}

/* One ring: vertices vx/vy[off .. off+n-1], not closed; edge g = off + k
 * runs from vertex off + k to the next one. */
struct ring {
    long off, n;
    int owner;    /* FP_TOWNSHIP, or an index into uf */
    int area_known; /* area2 is set (else ring_twice_area computes it) */
    double area2; /* twice its signed area, local coordinates */
};

/* A shape's sure radii by direction (sectors.c): wedge k holds the
 * directions of pseudo-angle [4k / SECTORS, 4(k + 1) / SECTORS). A point
 * in wedge k, farther than SECTOR_MIN_R from the station, is inside when
 * its squared distance is below in2[k], outside when above out2[k]. */
#define SECTORS 64
#define SECTOR_MIN_R 1.0 /* m */
/* The sure discs and wedges keep this far (m) from a shape's boundary
 * (load.c says why it is enough). */
#define SURE_MARGIN 1e-3

struct sectors {
    double in2[SECTORS], out2[SECTORS];
    double in2max; /* the largest in2 */
};

/* A candidate footprint kept once (identical copies add to mult). */
struct ufp {
    long id;
    int mult;
    int ring;
    double xmin, ymin, xmax, ymax;
    double px, py;      /* its station */
    double rin2, rout2; /* its shape's sure discs (shape_facts) */
    double lmax;        /* its shape's longest edge (L-inf) */
    int sect;           /* its shape's sectors in covx_load.sect, or -1 */
};

/* Edges are bucketed in pieces shorter than a cell (PIECE_CELLS of it,
 * in each coordinate), each in the one cell holding its lower-left corner:
 * two pieces whose envelopes meet then lie in the same or in adjacent
 * cells. Piece k of np holds the parameters [k/np, (k+1)/np) of its edge.
 * A slot is a piece as the pair test reads it. */
struct slot {
    double xmin, ymin, xmax, ymax; /* the piece's envelope, with a margin */
    int g, h;                      /* the edge: vertex g to vertex h */
    int owner;                     /* FP_TOWNSHIP or a ufp */
    int k, np;                     /* piece k of np */
    int walked;                    /* the edge's use is EDGE_WALKED */
};

/* Pieces of one ring made one after the other and lying in one cell,
 * with their joint envelope: pairs are looked for run against run first. */
struct run {
    double xmin, ymin, xmax, ymax;
    int start, end; /* slots [start, end) of their piece list */
    int owner;
    int walked;     /* some slot is walked */
    /* The cells of xmax and ymax (cell_of: monotone, so the largest of its
     * pieces'): a run reaching no further than its own column meets no run
     * of the column east of it, and likewise for rows (pairs.c). */
    int cx1, cy1;
};

/* What a township's candidates of one footprint shape have in common,
 * measured once on the shape (vertices relative to the station). */
struct shape_facts {
    int shape; /* -1: a free slot of the table */
    int plain; /* placed copies keep every vertex and a positive area */
    double lmax, linv; /* longest edge (L-inf), sum of 1 / length */
    /* Squared radii about the station: a point nearer than sqrt(rin2) is
     * inside, one farther than sqrt(rout2) outside, as ring_side says. */
    double rin2, rout2;
    int sect; /* the shape's sectors in covx_load.sect, or -1 (no sure discs) */
};

/* The township's pieces, or the footprints': slots in the order they are
 * made (a ring's pieces in a row), so runs are made as the pieces are and
 * are all that is sorted into the cells (a slot is never moved). */
struct pieces {
    struct slot *slot;
    long n;
    struct run *made; /* the runs, in the order made */
    int *made_cell;   /* and their cells */
    int nmade;
    struct run *run;  /* by cell: cell k's runs are run[start[k] .. start[k+1]) */
    int *start;
    int *wend;        /* cell k's walked runs are run[start[k] .. wend[k]) */
};

/* A township edge crossing a grid row's centre line. */
struct rowx {
    int row;
    double x;
};

/* One crossing seen from one of its two edges. */
struct event {
    int g;      /* the edge it lies on */
    int other;  /* the other edge (orders ties) */
    double t;   /* parameter along g */
    double x, y;
    int sign;   /* +1: g enters the other ring's left side */
    int kind;   /* enum ev_kind of the other ring */
};

/* The covered part's rings, chained from the recorded boundary edges
 * (covx_keep_rings). */
struct chain {
    long *head;          /* hash slot of a start point -> first edge + 1, 0: none */
    long *pos;           /* slot -> place of that point on the walk's stack, or -1 */
    size_t tmask;
    long *same;          /* edge -> next edge with the same start point, or -1 */
    long *node;          /* edge -> slot of its start point */
    long *stack;         /* edges of the walk in progress */
    unsigned char *used;
    double *rx, *ry;     /* ring vertices, rings back to back, not closed */
    long *rstart;        /* ring r: vertices rstart[r] .. rstart[r+1]-1 */
    double *rarea;       /* signed area: > 0 shell, < 0 hole */
    long *rshell;        /* hole -> its shell; shell -> itself */
    long cap, nring, nv;
};

/* ---- each phase's state ------------------------------------------------------
 * A phase owns its state (and the buffers behind it, kept across
 * townships); the phases after it read it as data (const). */

/* A shape measured in an earlier township (load.c): a worker meets the
 * same few shapes township after township, and measuring one (its sure
 * discs and wedges) costs far more than a comparison of its vertices. */
#define SHAPE_MEMO 256 /* entries, direct-mapped by shape id */
struct shape_memo {
    int used;           /* 0: empty (the memo is calloc'd: no page is touched until used) */
    int shape;
    int has_sect;       /* sect holds its sectors */
    long n;             /* its n vertices, copied in xy: the memo answers only for a shape */
    struct buf xy;      /* of equal vertices (another footprint set may reuse the id) */
    struct shape_facts f;
    struct sectors sect;
};

/* load.c: the township and its candidates in local coordinates. */
enum load_buf { LB_VX, LB_VY, LB_RINGS, LB_UF, LB_TABLE, LB_REP, LB_SHAPES, LB_COORDS, LB_SECT,
                LB_COUNT };
struct covx_load {
    GEOSContextHandle_t ctx; /* borrowed: the thread's (covx_scratch_new) */
    int reason;              /* enum covx_reason of its last decline */
    double ox, oy;             /* local origin (metric CRS) */
    double bx0, by0, bx1, by1; /* township envelope, local */
    double lmax; /* longest footprint edge (L-inf) */
    double linv; /* sum of 1 / length over footprint edges */
    long lcount; /* footprint edges */
    long nv;
    int nring, ntring, nuf;
    double *vx, *vy;
    struct ring *rings;
    struct ufp *uf;
    struct sectors *sect; /* the township's shapes' sectors */
    int nsect;
    /* its own working */
    int *table; /* open-addressing hash table of candidates */
    int *rep;   /* candidate -> its first identical candidate's ufp */
    struct shape_facts *shapes; /* open-addressing table by shape id */
    size_t shape_mask;
    double *coords;
    struct shape_memo *memo; /* SHAPE_MEMO entries, kept across townships, or NULL */
    struct buf bufs[LB_COUNT];
};

/* cells.c: a uniform grid of square cells over the township's envelope,
 * each classified (enum cell_bits): which the township's boundary touches
 * (marked by whoever cuts its edges into pieces), which lie inside it. */
enum cells_buf { CB_CLS, CB_XR, CB_XRS, CB_RSTART, CB_COUNT };
struct cellmap {
    double x0, y0; /* its origin: the township envelope's lower left */
    double cell, inv;
    int nx, ny;
    unsigned char *cls; /* enum cell_bits per cell */
    /* its own working */
    struct rowx *xr;
    long nxr;
    double *xrs; /* row crossings sorted by row, then x */
    long *rstart;
    struct buf bufs[CB_COUNT];
};

/* bucket.c: the grid over the township, its cells' classes, the edges'
 * uses and the pieces bucketed. A piece list's buffers follow each other
 * in the order of enum pieces_buf (bucket.c). */
enum grid_buf {
    GB_USE, GB_FILL, GB_ALL_WALKED,
    GB_TSLOT, GB_TMADE, GB_TMADE_CELL, GB_TRUN, GB_TSTART, GB_TWEND,
    GB_FSLOT, GB_FMADE, GB_FMADE_CELL, GB_FRUN, GB_FSTART, GB_FWEND,
    GB_COUNT
};
struct covx_grid {
    int reason;
    struct cellmap m;   /* the grid */
    unsigned char *use; /* enum edge_use per edge */
    struct pieces tpc, fpc; /* the township's pieces, the footprints' */
    /* its own working */
    unsigned char *all_walked; /* per ufp: bucket_walked walked every edge */
    int *fill;
    struct buf bufs[GB_COUNT];
};

/* deep.c: the stations by grid cell, for the deep-edge test. */
enum deep_buf { DB_SG_START, DB_SG_UF, DB_FILL, DB_COUNT };
struct covx_deep {
    int reason;
    int prune;  /* enum covx_prune (covx_prune_deep) */
    int deep;   /* this township's edges are looked at */
    double rin_max;        /* the largest sure disc's radius */
    int *sg_start, *sg_uf; /* cell k's stations: sg_uf[sg_start[k] ..] */
    struct cellmap fine;   /* finer cells than the grid's: which are clean inside T */
    struct buf bufs[DB_COUNT];
};

/* pairs.c: the crossings, sorted along each edge. */
enum cross_buf { XB_EV, XB_EVS, XB_EVSTART, XB_COUNT };
struct covx_cross {
    int reason;
    long nev;
    struct event *evs; /* by edge, then along it: edge g's are evs[evstart[g] ..] */
    long *evstart;
    struct event *ev; /* as found */
    struct buf bufs[XB_COUNT];
};

/* walk.c: the point tests' tiles, which footprints reach the township,
 * and the boundary recorded (when rings are kept). */
enum walk_buf { WB_TILE_START, WB_TILE_UF, WB_FILL, WB_REACH, WB_EDGE, WB_COUNT };
struct covx_walk {
    int reason;
    int keep;   /* also record the boundary (covx_keep_rings) */
    int *tile_start, *tile_uf; /* tile b's footprints: tile_uf[tile_start[b] ..] */
    int tile_rows, tile_cols;  /* grid rows and columns per tile */
    int tile_ncol;             /* tiles per row of tiles */
    int *fill;
    unsigned char *reach; /* per ufp: it meets the township (closed sets) */
    long nedge;    /* boundary edges recorded: edge[4k .. 4k+3] = x0 y0 x1 y1 */
    double *edge;
    struct buf bufs[WB_COUNT];
};

/* The scratch: the phases' states, in the order exact.c runs them. */
struct covx_scratch {
    int reason; /* enum covx_reason of the last decline */
    struct covx_load ld;
    struct covx_grid gr;
    struct covx_deep dp;
    struct covx_cross xs;
    struct covx_walk wk;
    struct chain ch; /* rings.c */
    int chained;     /* the last township's rings are in ch */
};

/* Records why a phase declines the township in its state's `reason`. */
static inline int decline(int *reason, enum covx_reason why)
{
    *reason = why;
    return -1;
}

/* ---- exact signs ------------------------------------------------------------*/

/* Sign of the turn a -> b -> c (+1 left, -1 right), exact for the double
 * inputs; 0 when the filter cannot tell (collinear or nearly). *det gets
 * the floating determinant (twice the signed area). */
static inline int orient(double ax, double ay, double bx, double by, double cx, double cy,
                         double *det)
{
    double l = (ax - cx) * (by - cy);
    double r = (ay - cy) * (bx - cx);
    double d = l - r;
    double bound = ORIENT_ERRBOUND * (fabs(l) + fabs(r));
    *det = d;
    return d > bound ? 1 : -d > bound ? -1 : 0;
}

/* ---- directions -------------------------------------------------------------*/

/* A monotone stand-in for the angle of (x, y) != 0, in [0, 4]: one
 * division, no atan2 (the diamond angle). */
static inline double pseudo_angle(double x, double y)
{
    double p = y / (fabs(x) + fabs(y));
    return x >= 0.0 ? (y >= 0.0 ? p : 4.0 + p) : 2.0 - p;
}

/* The wedge of pseudo-angle a (struct sectors). */
static inline int pseudo_sector(double a)
{
    int k = (int)(a * (SECTORS / 4.0));
    return k < 0 ? 0 : k >= SECTORS ? SECTORS - 1 : k;
}

/* sectors.c: fills *t for a shape of n vertices xy (relative to its
 * station) that has sure discs. */
void covx_measure_sectors(const double *xy, long n, struct sectors *t);

/* sectors.c: the wedges from pseudo-angle a0 counter-clockwise to a1
 * (cyclic: k0 .. k1, maybe k1 < k0), with slack for rounding. */
void covx_wedge_range(double a0, double a1, int *k0, int *k1);

/* ---- the grid ---------------------------------------------------------------*/

/* Edge pieces are bucketed with this margin (m): the crossing point
 * computed from one edge is within ~1e-10 m of the other, far below it. */
#define PIECE_MARGIN 1e-6
#define PIECE_CELLS 0.99 /* longest piece, in cells: < 1 with room for rounding */

/* The grid column (row) of v, clamped: monotone in v, which is what makes
 * two overlapping envelopes share a cell. Truncation equals floor here,
 * on values clamped to [0, n - 1]. */
static inline int cell_of(double v, double origin, double inv, int n)
{
    double c = dmin(dmax((v - origin) * inv, 0.0), (double)(n - 1)); /* min/max: no branch */
    return (int)c;
}

/* The cells an envelope covers (clamped to the grid). */
struct span {
    int cx0, cy0, cx1, cy1;
};

static inline struct span map_span(const struct cellmap *m, double xmin, double ymin,
                                   double xmax, double ymax)
{
    return (struct span){
        cell_of(xmin, m->x0, m->inv, m->nx), cell_of(ymin, m->y0, m->inv, m->ny),
        cell_of(xmax, m->x0, m->inv, m->nx), cell_of(ymax, m->y0, m->inv, m->ny)};
}

/* Sets the bits in every cell of span c. */
static inline void map_mark(struct cellmap *m, struct span c, unsigned char bits)
{
    if ((c.cx1 - c.cx0 <= 1) & (c.cy1 - c.cy0 <= 1)) { /* a piece's: its four corners */
        unsigned char *p = m->cls + (long)c.cy0 * m->nx + c.cx0;
        long dx = c.cx1 - c.cx0, dy = (long)(c.cy1 - c.cy0) * m->nx;
        p[0] |= bits;
        p[dx] |= bits;
        p[dy] |= bits;
        p[dy + dx] |= bits;
        return;
    }
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++)
            m->cls[(long)cy * m->nx + cx] |= bits;
}

static inline struct span span_of(const struct covx_grid *gr, double xmin, double ymin,
                                  double xmax, double ymax)
{
    return map_span(&gr->m, xmin, ymin, xmax, ymax);
}

/* Does the piece in slot p hold parameter t of its edge? */
static inline int slot_holds(const struct slot *p, double t)
{
    return (p->k == 0 || t >= (double)p->k / (double)p->np) &&
           (p->k + 1 == p->np || t < (double)(p->k + 1) / (double)p->np);
}

/* Twice the signed area of n vertices vx/vy, summed in ring order. */
static inline double twice_area(const double *vx, const double *vy, long n)
{
    double a2 = 0;
    for (long a = n - 1, b = 0; b < n; a = b++)
        a2 += vx[a] * vy[b] - vx[b] * vy[a];
    return a2;
}

/* Twice ring r's signed area. add_plain_ring leaves it to here: few
 * footprints need it, and those once (the same sum, in the same order). */
static inline double ring_twice_area(const struct covx_load *ld, const struct ring *r)
{
    return r->area_known ? r->area2 : twice_area(ld->vx + r->off, ld->vy + r->off, r->n);
}

/* The crossings found on ring r. */
static inline long ring_events(const struct covx_cross *xs, const struct ring *r)
{
    return xs->nev ? xs->evstart[r->off + r->n] - xs->evstart[r->off] : 0;
}

/* Counting sort by an int key, first half: start[k] (nkeys + 1 entries)
 * becomes the end of key k's items. The key of item i is the int at byte
 * offset i * stride from `key` (a field of an array of structs). Moving
 * the items down to --start[key], last item first, then leaves start[k]
 * at their start, in their order. */
static inline void key_ends(long *start, long nkeys, const int *key, size_t stride, long n)
{
    memset(start, 0, (size_t)(nkeys + 1) * sizeof *start);
    for (long i = 0; i < n; i++)
        start[*(const int *)((const char *)key + (size_t)i * stride)]++;
    for (long k = 1; k <= nkeys; k++)
        start[k] += start[k - 1];
}

/* ---- the phases, in the order exact.c runs them ---------------------------
 * Each fills its own state from those of the phases before it (const), and
 * returns 0, or -1 when it declines the township (its state's reason says
 * why). */

/* load.c: the township's rings in local coordinates about (ld->ox, ld->oy),
 * shells counter-clockwise and holes clockwise, and its envelope. */
int covx_load_township(struct covx_load *ld, const struct township *t);

/* load.c: the candidate footprints ids[0..n-1], identical ones kept once
 * (with a multiplicity), with what their shapes have in common. */
int covx_load_footprints(struct covx_load *ld, const struct tc_footprints *fp, const long *ids,
                         long n);

/* cells.c: makes m's cells (m->nx x m->ny) and clears them. */
int covx_cells_clear(struct cellmap *m, int *reason);

/* cells.c: marks CELL_INSIDE the cells of m whose centre is inside T. */
int covx_cells_inside(struct cellmap *m, const struct covx_load *ld, int *reason);

/* cells.c: marks CELL_TOUCHED the cells of m that T's edges, cut into
 * pieces shorter than a cell, can touch (the envelopes of the pieces, with
 * PIECE_MARGIN). */
void covx_cells_touch(struct cellmap *m, const struct covx_load *ld);

/* bucket.c: sizes the grid over the township, buckets its edges and
 * classifies the cells. */
int covx_bucket_township(struct covx_grid *gr, const struct covx_load *ld);

/* deep.c: lists the footprints by the cell of their station (needs the
 * grid and the cells' classification), when this township's edges are to
 * be looked at. */
int covx_index_stations(struct covx_deep *dp, const struct covx_load *ld,
                        const struct covx_grid *gr);

/* bucket.c: buckets the footprint edges that can matter, marking deep ones. */
int covx_bucket_footprints(struct covx_grid *gr, const struct covx_load *ld,
                           const struct covx_deep *dp);

/* deep.c: the use of a walked footprint edge with envelope e: EDGE_DEEP
 * when it lies inside T and inside another footprint's sure region,
 * EDGE_COVERED when it lies in such a region but may meet ∂T, else
 * EDGE_WALKED. Exact. *hint: the footprint that held the last edge asked
 * about (-1 at first), tried first. */
int covx_edge_covered(const struct covx_deep *dp, const struct covx_load *ld,
                      const struct covx_grid *gr, const struct slot *e, int *hint);

/* pairs.c: the proper crossings between neighbouring pieces, as events
 * sorted along each edge. */
int covx_find_crossings(struct covx_cross *xs, const struct covx_load *ld,
                        const struct covx_grid *gr);

/* walk.c: lists the kept footprints by tile (blocks of cells) for the
 * point tests. */
int covx_tile_footprints(struct covx_walk *wk, const struct covx_load *ld,
                         const struct covx_grid *gr);

/* walk.c: walks every ring, adding twice the area of T ∩ U to *acc (and
 * recording its boundary when wk->keep). */
int covx_walk_rings(struct covx_walk *wk, const struct covx_load *ld, const struct covx_grid *gr,
                    const struct covx_cross *xs, double *acc);

/* walk.c: is (x, y) (local) in, or on, a footprint that reaches the
 * township? An enum side. */
int covx_seat_side(const struct covx_walk *wk, const struct covx_load *ld,
                   const struct covx_grid *gr, double x, double y);

/* rings.c: chains the boundary edges[0 .. nedge - 1] into rings (ch); -1
 * when they do not close or their area is not covered_m2. */
int covx_chain_boundary(struct chain *ch, const double *edge, long nedge,
                        const struct township *t, double covered_m2);

#endif
