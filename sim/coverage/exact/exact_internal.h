/* exact_internal.h — the exact engine's scratch and the helpers its phases
 * share (load.c, bucket.c, pairs.c, walk.c, rings.c, exact.c). Private to
 * sim/coverage/exact/. The helpers are static inline: they run in the
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
 * footprint (deep.c), so it cannot bound T ∩ U. */
enum edge_use { EDGE_SKIP = 0, EDGE_WALKED = 1, EDGE_DEEP = 2 };
/* Grid cell classification bits. */
enum cell_bits {
    CELL_TOUCHED = 1, /* a township piece's envelope covers it */
    CELL_INSIDE = 2,  /* its centre is inside T */
    CELL_WALKED = 4   /* a walked footprint piece's envelope covers it */
};
enum ev_kind { EV_FOOTPRINT = 0, EV_TOWNSHIP = 1 };

/* Why the engine declined a township (s->reason), for a debugger; how
 * many it declined is in the results (cov_result.by_geos). */
enum covx_reason {
    COVX_OK,
    COVX_NOMEM,
    COVX_GEOMETRY,  /* not a (Multi)Polygon, or a ring without area */
    COVX_TOUCH,     /* edges touch, overlap or nearly so */
    COVX_POINT,     /* a start vertex or the seat on (or at) a boundary */
    COVX_INCONSISTENT /* the in/out counts went out of range */
};

/* ---- the scratch ------------------------------------------------------------*/

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
    long nev;     /* crossings found on it */
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
    int reach; /* meets the township (closed sets) */
    double xmin, ymin, xmax, ymax;
    double px, py;      /* its station */
    double rin2, rout2; /* its shape's sure discs (shape_facts) */
    double lmax;        /* its shape's longest edge (L-inf) */
    int sect;           /* its shape's sectors in s->sect, or -1 */
    int all_walked;     /* bucket_walked walked every edge */
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
    int sect; /* the shape's sectors in s->sect, or -1 (no sure discs) */
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

/* The scratch's growable buffers. */
enum buf_id {
    BUF_VX,
    BUF_VY,
    BUF_RINGS,
    BUF_UF,
    BUF_TABLE,
    BUF_REP,
    BUF_SHAPES,
    BUF_TILE_START,
    BUF_TILE_UF,
    BUF_COORDS,
    BUF_USE,
    /* a piece list's, in the order of enum pieces_buf */
    BUF_TSLOT,
    BUF_TMADE,
    BUF_TMADE_CELL,
    BUF_TRUN,
    BUF_TSTART,
    BUF_TWEND,
    BUF_FSLOT,
    BUF_FMADE,
    BUF_FMADE_CELL,
    BUF_FRUN,
    BUF_FSTART,
    BUF_FWEND,
    BUF_FILL,
    BUF_EV,
    BUF_EVS,
    BUF_EVSTART,
    BUF_CLS,
    BUF_XR,
    BUF_XRS,
    BUF_RSTART,
    BUF_EDGE,
    BUF_SG_START,
    BUF_SECT,
    BUF_SG_UF,
    BUF_COUNT
};

struct covx_scratch {
    GEOSContextHandle_t ctx; /* borrowed: the thread's (covx_scratch_new) */
    int reason; /* enum covx_reason of the last decline */

    double ox, oy;             /* local origin (metric CRS) */
    double bx0, by0, bx1, by1; /* township envelope, local */
    double cell, inv;
    int nx, ny;
    double lmax; /* longest footprint edge (L-inf) */
    double linv; /* sum of 1 / length over footprint edges */
    long lcount;

    long nv;
    int nring, ntring, nuf;
    double *vx, *vy;
    struct ring *rings;
    struct ufp *uf;
    int *table; /* open-addressing hash table of candidates */
    int *rep;   /* candidate -> its first identical candidate's ufp */
    int *tile_start, *tile_uf; /* tile b's footprints: tile_uf[tile_start[b] ..] */
    int tile_rows, tile_cols;  /* grid rows and columns per tile (walk.c) */
    int tile_ncol;             /* tiles per row of tiles */
    struct shape_facts *shapes; /* open-addressing table by shape id */
    struct sectors *sect;       /* the township's shapes' sectors */
    int nsect;
    size_t shape_mask;
    double *coords;
    unsigned char *use; /* enum edge_use per edge */
    unsigned char *cls; /* enum cell_bits per cell */
    struct rowx *xr;
    long nxr;
    double *xrs;     /* row crossings sorted by row, then x */
    long *rstart;
    struct pieces tpc, fpc; /* the township's pieces, the footprints' */
    int *fill;
    struct event *ev, *evs;
    long nev;
    long *evstart;

    int *sg_start, *sg_uf; /* cell k's stations: sg_uf[sg_start[k] ..] (deep.c) */
    double rin_max;        /* the largest sure disc's radius */
    int prune;             /* enum covx_prune (covx_prune_deep) */
    int deep;              /* this township's edges are looked at (deep.c) */

    int keep;      /* also record the boundary and chain it (covx_keep_rings) */
    int chained;   /* the last township's rings are in ch */
    long nedge;    /* boundary edges recorded: edge[4k .. 4k+3] = x0 y0 x1 y1 */
    double *edge;
    struct chain ch;

    struct buf bufs[BUF_COUNT]; /* what the pointers above point into */
};

static inline int decline(struct covx_scratch *s, enum covx_reason why)
{
    s->reason = why;
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

static inline struct span span_of(const struct covx_scratch *s, double xmin, double ymin,
                                  double xmax, double ymax)
{
    return (struct span){
        cell_of(xmin, s->bx0, s->inv, s->nx), cell_of(ymin, s->by0, s->inv, s->ny),
        cell_of(xmax, s->bx0, s->inv, s->nx), cell_of(ymax, s->by0, s->inv, s->ny)};
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
static inline double ring_twice_area(const struct covx_scratch *s, const struct ring *r)
{
    return r->area_known ? r->area2 : twice_area(s->vx + r->off, s->vy + r->off, r->n);
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
 * Each returns 0, or -1 when it declines the township (s->reason says why). */

/* load.c: the township's rings in local coordinates about (s->ox, s->oy),
 * shells counter-clockwise and holes clockwise, and its envelope. */
int covx_load_township(struct covx_scratch *s, const struct township *t);

/* load.c: the candidate footprints ids[0..n-1], identical ones kept once
 * (with a multiplicity), with what their shapes have in common. */
int covx_load_footprints(struct covx_scratch *s, const struct tc_footprints *fp,
                         const long *ids, long n);

/* bucket.c: sizes the grid over the township, buckets its edges,
 * classifies the cells, then buckets the footprint edges that can matter. */
int covx_bucket_edges(struct covx_scratch *s);

/* deep.c: lists the footprints by the cell of their station (needs the
 * grid and the cells' classification). */
int covx_index_stations(struct covx_scratch *s);

/* deep.c: is the footprint edge with envelope e and span sp inside T and
 * inside another footprint (EDGE_DEEP)? Exact. *hint: the footprint that
 * held the last edge asked about (-1 at first), tried first. */
int covx_edge_deep(const struct covx_scratch *s, const struct slot *e, struct span sp, int *hint);

/* pairs.c: the proper crossings between neighbouring pieces, as events
 * sorted along each edge. */
int covx_find_crossings(struct covx_scratch *s);

/* walk.c: lists the kept footprints by tile (blocks of cells) for the
 * point tests. */
int covx_tile_footprints(struct covx_scratch *s);

/* walk.c: walks every ring, adding twice the area of T ∩ U to *acc (and
 * recording its boundary when s->keep). */
int covx_walk_rings(struct covx_scratch *s, double *acc);

/* walk.c: is (x, y) (local) in, or on, a footprint that reaches the
 * township? An enum side. */
int covx_seat_side(struct covx_scratch *s, double x, double y);

/* rings.c: chains the recorded boundary into rings (s->ch); -1 when they
 * do not close or their area is not covered_m2. */
int covx_chain_boundary(struct covx_scratch *s, const struct township *t, double covered_m2);

#endif
