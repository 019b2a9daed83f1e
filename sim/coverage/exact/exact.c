/* exact.c — the exact coverage engine (see exact.h).
 *
 * area(T ∩ U), U the union of the footprints, without polygon overlay:
 * by Green's theorem the area is ½∮(x dy − y dx) along the boundary of
 * T ∩ U, which is made of the pieces of ∂T inside some footprint and the
 * pieces of each footprint's ring inside T and outside every other
 * footprint. So per township:
 *   1. copy the township's rings and the candidate footprints into one
 *      vertex array, in coordinates local to the township (small numbers,
 *      small rounding), every ring oriented with T (or the footprint) on its
 *      left; byte-identical footprints are kept once, with a multiplicity;
 *   2. bucket the township's edges into a uniform grid over its envelope
 *      and classify the cells they miss as inside or outside T; footprint
 *      edges are walked only where they may meet T (not on cells wholly
 *      outside it), and bucketed with their neighbours;
 *   3. find the proper crossings of township/footprint and footprint/
 *      footprint edges between neighbouring cells, with orientation signs
 *      that are exact (Shewchuk's filter): a sign the filter cannot decide
 *      means a vertex on an edge, collinear edges or a near tie, and the
 *      engine declines (-1: the driver asks GEOS);
 *   4. walk each ring (each run of walked footprint edges), toggling
 *      "inside T" and "how many other footprints contain me" at its
 *      crossings, and add the pieces that lie on the boundary of T ∩ U.
 *      The state at the start of a walk comes from exact point-in-polygon
 *      tests at a vertex; nothing is computed at a computed point.
 * Everything runs in a fixed order, so results do not depend on threads. */
#include "exact.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "towncov/footprint.h"
#include "towncov/map.h"

/* Shewchuk's bound for the floating-point orientation determinant: when
 * |det| exceeds it, its sign is the sign of the exact determinant. */
#define ORIENT_ERRBOUND 3.3306690738754716e-16
/* Edge pieces are bucketed with this margin (m): the crossing point
 * computed from one edge is within ~1e-10 m of the other, far below it. */
#define PIECE_MARGIN 1e-6
#define GRID_MAX_SIDE 2048
#define PIECE_CELLS 0.99 /* longest piece, in cells: < 1 with room for rounding */
#define FP_TOWNSHIP (-1) /* owner of a township ring */

enum side { SIDE_UNSURE = -1, SIDE_OUT = 0, SIDE_IN = 1 };
enum edge_use { EDGE_SKIP = 0, EDGE_WALKED = 1 };
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
static void *buf_get(struct buf *b, size_t n, size_t size)
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
    BUF_BAND_START,
    BUF_BAND_UF,
    BUF_COORDS,
    BUF_USE,
    /* a piece list's, in the order of enum pieces_buf */
    BUF_TSLOT,
    BUF_TMADE,
    BUF_TMADE_CELL,
    BUF_TRUN,
    BUF_TSTART,
    BUF_FSLOT,
    BUF_FMADE,
    BUF_FMADE_CELL,
    BUF_FRUN,
    BUF_FSTART,
    BUF_FILL,
    BUF_EV,
    BUF_EVS,
    BUF_EVSTART,
    BUF_CLS,
    BUF_XR,
    BUF_XRS,
    BUF_RSTART,
    BUF_EDGE,
    BUF_COUNT
};

struct covx_scratch {
    GEOSContextHandle_t ctx;
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
    int *band_start, *band_uf; /* band b's footprints: band_uf[band_start[b] ..] */
    int band_rows;             /* grid rows per band */
    struct shape_facts *shapes; /* open-addressing table by shape id */
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

    int keep;      /* also record the boundary and chain it (covx_keep_rings) */
    int chained;   /* the last township's rings are in ch */
    long nedge;    /* boundary edges recorded: edge[4k .. 4k+3] = x0 y0 x1 y1 */
    double *edge;
    struct chain ch;

    struct buf bufs[BUF_COUNT]; /* what the pointers above point into */
};

struct covx_scratch *covx_scratch_new(void)
{
    struct covx_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ctx = GEOS_init_r();
    if (!s->ctx) {
        free(s);
        return NULL;
    }
    return s;
}

void covx_scratch_free(struct covx_scratch **ps)
{
    struct covx_scratch *s = ps ? *ps : NULL;
    if (!s)
        return;
    for (int i = 0; i < BUF_COUNT; i++)
        free(s->bufs[i].p);
    void *ch[] = {s->ch.head,  s->ch.pos, s->ch.same,   s->ch.node,  s->ch.stack, s->ch.used,
                  s->ch.rx,    s->ch.ry,  s->ch.rstart, s->ch.rarea, s->ch.rshell};
    for (size_t i = 0; i < sizeof ch / sizeof ch[0]; i++)
        free(ch[i]);
    GEOS_finish_r(s->ctx);
    free(s);
    *ps = NULL;
}

static int decline(struct covx_scratch *s, enum covx_reason why)
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
 * point in the disc its shape surely holds or out of the one holding it. */
static inline int footprint_side(const struct covx_scratch *s, const struct ufp *f, double x,
                                 double y)
{
    double dx = x - f->px, dy = y - f->py, d2 = dx * dx + dy * dy;
    if (d2 < f->rin2)
        return SIDE_IN;
    if (d2 > f->rout2)
        return SIDE_OUT;
    return ring_side(s, &s->rings[f->ring], x, y);
}

/* ---- the grid ---------------------------------------------------------------*/

/* The grid column (row) of v, clamped: monotone in v, which is what makes
 * two overlapping envelopes share a cell. Truncation equals floor here,
 * on values clamped to [0, n - 1]. */
static inline int cell_of(double v, double origin, double inv, int n)
{
    double c = dmin(dmax((v - origin) * inv, 0.0), (double)(n - 1)); /* min/max: no branch */
    return (int)c;
}

/* The point tests' band of y: grid rows grouped, so monotone in y too. */
static inline int band_of(const struct covx_scratch *s, double y)
{
    return cell_of(y, s->by0, s->inv, s->ny) / s->band_rows;
}

/* Lists the kept footprints by band (in order), each in the bands its
 * envelope's rows meet: a point test reads only its band's footprints. */
#define UF_BANDS 32

static int band_footprints(struct covx_scratch *s)
{
    s->band_rows = (s->ny + UF_BANDS - 1) / UF_BANDS;
    int nband = (s->ny + s->band_rows - 1) / s->band_rows;
    s->band_start = buf_get(&s->bufs[BUF_BAND_START], (size_t)nband + 1, sizeof *s->band_start);
    if (!s->band_start)
        return decline(s, COVX_NOMEM);
    memset(s->band_start, 0, ((size_t)nband + 1) * sizeof *s->band_start);
    for (int u = 0; u < s->nuf; u++) /* band b's count in band_start[b + 1] */
        for (int b = band_of(s, s->uf[u].ymin); b <= band_of(s, s->uf[u].ymax); b++)
            s->band_start[b + 1]++;
    for (int b = 0; b < nband; b++)
        s->band_start[b + 1] += s->band_start[b];
    s->band_uf = buf_get(&s->bufs[BUF_BAND_UF], (size_t)s->band_start[nband], sizeof *s->band_uf);
    s->fill = buf_get(&s->bufs[BUF_FILL], (size_t)nband, sizeof *s->fill);
    if (!s->band_uf || !s->fill)
        return decline(s, COVX_NOMEM);
    memcpy(s->fill, s->band_start, (size_t)nband * sizeof *s->fill);
    for (int u = 0; u < s->nuf; u++)
        for (int b = band_of(s, s->uf[u].ymin); b <= band_of(s, s->uf[u].ymax); b++)
            s->band_uf[s->fill[b]++] = u;
    return 0;
}

/* How many kept footprints other than `skip` contain (x, y); marks them
 * as reaching the township when `mark`. -1 when (x, y) is on a boundary. */
static int cover_count(struct covx_scratch *s, double x, double y, int skip, int mark)
{
    int c = 0, b = band_of(s, y);
    for (int i = s->band_start[b]; i < s->band_start[b + 1]; i++) {
        int u = s->band_uf[i];
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

/* Does the piece in slot p hold parameter t of its edge? */
static inline int slot_holds(const struct slot *p, double t)
{
    return (p->k == 0 || t >= (double)p->k / (double)p->np) &&
           (p->k + 1 == p->np || t < (double)(p->k + 1) / (double)p->np);
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

/* ---- loading ----------------------------------------------------------------*/

/* Makes room for one more ring of n vertices. */
static int reserve_ring(struct covx_scratch *s, long n)
{
    s->rings = buf_get(&s->bufs[BUF_RINGS], (size_t)s->nring + 1, sizeof *s->rings);
    s->vx = buf_get(&s->bufs[BUF_VX], (size_t)(s->nv + n), sizeof *s->vx);
    s->vy = buf_get(&s->bufs[BUF_VY], (size_t)(s->nv + n), sizeof *s->vy);
    return s->rings && s->vx && s->vy ? 0 : decline(s, COVX_NOMEM);
}

/* Twice the signed area of n vertices vx/vy, summed in ring order. */
static double twice_area(const double *vx, const double *vy, long n)
{
    double a2 = 0;
    for (long a = n - 1, b = 0; b < n; a = b++)
        a2 += vx[a] * vy[b] - vx[b] * vy[a];
    return a2;
}

/* Twice ring r's signed area. add_plain_ring leaves it to here: few
 * footprints need it, and those once (the same sum, in the same order). */
static double ring_twice_area(const struct covx_scratch *s, const struct ring *r)
{
    return r->area_known ? r->area2 : twice_area(s->vx + r->off, s->vy + r->off, r->n);
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

static int load_township(struct covx_scratch *s, const struct township *t)
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

/* The sure discs keep this far (m) from the boundary, far above the
 * rounding of placing a shape (~1e-9 m). So far from it, ring_side's
 * filter decides every sign it takes: with c the point and ab an edge
 * straddling c's row, both in the envelope (|a - c|, |b - c| <= 3 rout),
 * the filter is sure when |det| > 3.4e-16 * 18 rout^2, and |det| =
 * (c's horizontal gap to ab) * |dy| >= SURE_MARGIN * dymin. SURE_SLACK
 * asks for 100 times the bound. */
#define SURE_MARGIN 1e-3
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
    struct shape_facts f = {.shape = sh, .rout2 = INFINITY};
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
    s->shapes[h] = measure_shape(fp, sh);
    return &s->shapes[h];
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
                            .rin2 = sf->rin2, .rout2 = sf->rout2, .lmax = sf->lmax};
    s->lmax = dmax(s->lmax, sf->lmax);
    s->linv += sf->linv;
    s->lcount += r->n;
    return 0;
}

static int load_footprints(struct covx_scratch *s, const struct tc_footprints *fp,
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

/* ---- crossings --------------------------------------------------------------*/

/* Cells are CELL_EDGES footprint edges wide (their harmonic mean: small
 * footprints, dense in cities, set the scale), and there are at most
 * CELLS_PER_EDGE cells per edge (a large township with few footprints).
 * Tuned on Jiangxi with discs and with link-model stars. */
#define CELL_EDGES 4.5
#define CELLS_PER_EDGE 4.0

static void grid_size(struct covx_scratch *s)
{
    double w = s->bx1 - s->bx0, h = s->by1 - s->by0;
    long ntv = s->rings[s->ntring - 1].off + s->rings[s->ntring - 1].n; /* township edges */
    double cell = s->linv > 0.0 ? CELL_EDGES * (double)s->lcount / s->linv : 0.0;
    cell = dmax(cell, sqrt(w * h / (CELLS_PER_EDGE * (double)(s->lcount + ntv) + 16.0)));
    cell = dmax(cell, dmax(w, h) / (GRID_MAX_SIDE - 1));
    cell = dmax(cell, 1e3 * PIECE_MARGIN); /* the margin must stay small in cells */
    s->cell = cell;
    s->inv = 1.0 / cell;
    s->nx = (int)(w * s->inv) + 1;
    s->ny = (int)(h * s->inv) + 1;
}

/* Piece k of np of edge g -> h of a ring owned by `owner`. */
static struct slot make_slot(const struct covx_scratch *s, long g, long h, long k, long np,
                             int owner, int walked)
{
    double x0 = s->vx[g], y0 = s->vy[g], x1 = s->vx[h], y1 = s->vy[h];
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

/* Edge g -> h as one piece: make_slot(s, g, h, 0, 1, ...), but small
 * enough to inline where every edge is looked at. */
static inline struct slot edge_slot(const struct covx_scratch *s, long g, long h, int owner,
                                    int walked)
{
    double x0 = s->vx[g], y0 = s->vy[g], x1 = s->vx[h], y1 = s->vy[h];
    return (struct slot){.xmin = dmin(x0, x1) - PIECE_MARGIN, .ymin = dmin(y0, y1) - PIECE_MARGIN,
                         .xmax = dmax(x0, x1) + PIECE_MARGIN, .ymax = dmax(y0, y1) + PIECE_MARGIN,
                         .g = (int)g, .h = (int)h, .owner = owner, .k = 0, .np = 1,
                         .walked = walked};
}

static inline long edge_pieces(const struct covx_scratch *s, long g, long h)
{
    double len = dmax(fabs(s->vx[h] - s->vx[g]), fabs(s->vy[h] - s->vy[g]));
    double most = PIECE_CELLS * s->cell;
    return len <= most ? 1 : (long)ceil(len / most);
}

/* Are all of footprint f's edges one piece each? Its shape's longest edge
 * is within ~1e-9 m of the placed one's, far inside PIECE_CELLS' room. */
static inline int one_piece_edges(const struct covx_scratch *s, const struct ufp *f)
{
    return f->lmax <= PIECE_CELLS * s->cell;
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

/* A piece's span: at most 2 x 2 cells, a piece being shorter than one. */
static inline int span_small(struct span c)
{
    return (c.cx1 - c.cx0 <= 1) & (c.cy1 - c.cy0 <= 1);
}

/* Does any cell of span c have one of the bits? */
static inline int span_any(const struct covx_scratch *s, struct span c, unsigned char bits)
{
    if (span_small(c)) { /* its four corners, the same cell twice if need be */
        const unsigned char *p = s->cls + (long)c.cy0 * s->nx + c.cx0;
        long dx = c.cx1 - c.cx0, dy = (long)(c.cy1 - c.cy0) * s->nx;
        return ((p[0] | p[dx] | p[dy] | p[dy + dx]) & bits) != 0;
    }
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++)
            if (s->cls[(long)cy * s->nx + cx] & bits)
                return 1;
    return 0;
}

static inline void span_mark(struct covx_scratch *s, struct span c, unsigned char bits)
{
    if (span_small(c)) {
        unsigned char *p = s->cls + (long)c.cy0 * s->nx + c.cx0;
        long dx = c.cx1 - c.cx0, dy = (long)(c.cy1 - c.cy0) * s->nx;
        p[0] |= bits;
        p[dx] |= bits;
        p[dy] |= bits;
        p[dy + dx] |= bits;
        return;
    }
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++)
            s->cls[(long)cy * s->nx + cx] |= bits;
}

/* The buffers of a piece list, as they follow each other in enum buf_id. */
enum pieces_buf { PB_SLOT, PB_MADE, PB_MADE_CELL, PB_RUN, PB_START };

static struct buf *pieces_bufs(struct covx_scratch *s, const struct pieces *l)
{
    return &s->bufs[l == &s->tpc ? BUF_TSLOT : BUF_FSLOT];
}

static void pieces_clear(struct pieces *l)
{
    l->n = 0;
    l->nmade = 0;
}

/* Makes room in list l for n more pieces (and as many runs). */
static int reserve_pieces(struct covx_scratch *s, struct pieces *l, long n)
{
    struct buf *b = pieces_bufs(s, l);
    size_t runs = (size_t)l->nmade + (size_t)n;
    l->slot = buf_get(&b[PB_SLOT], (size_t)(l->n + n), sizeof *l->slot);
    l->made = buf_get(&b[PB_MADE], runs, sizeof *l->made);
    l->made_cell = buf_get(&b[PB_MADE_CELL], runs, sizeof *l->made_cell);
    return l->slot && l->made && l->made_cell ? 0 : decline(s, COVX_NOMEM);
}

/* List l's next slot, where a piece is made in place (room reserved):
 * push_piece keeps it, else the next piece overwrites it. */
static inline struct slot *next_slot(struct pieces *l)
{
    return &l->slot[l->n];
}

/* Starts a run in cell c, counted in cnt, with the piece in next_slot. */
static struct run *start_run(struct pieces *l, int c, int *cnt)
{
    const struct slot *p = next_slot(l);
    struct run *r = &l->made[l->nmade];
    l->made_cell[l->nmade++] = c;
    cnt[c]++;
    *r = (struct run){p->xmin, p->ymin, p->xmax, p->ymax, (int)l->n, (int)l->n, p->owner, 0};
    return r;
}

/* Keeps the piece made in next_slot(l). It lies in the cell holding its
 * lower-left corner (that of its span sp): it joins the last run when
 * that is its ring's in the same cell, else starts a run. */
static inline void push_piece(struct covx_scratch *s, struct pieces *l, struct span sp, int *cnt)
{
    const struct slot *p = next_slot(l);
    int c = sp.cy0 * s->nx + sp.cx0;
    struct run *r = &l->made[l->nmade - 1];
    if (l->nmade == 0 || l->made_cell[l->nmade - 1] != c || r->owner != p->owner)
        r = start_run(l, c, cnt);
    r->xmin = dmin(r->xmin, p->xmin);
    r->ymin = dmin(r->ymin, p->ymin);
    r->xmax = dmax(r->xmax, p->xmax);
    r->ymax = dmax(r->ymax, p->ymax);
    r->walked |= p->walked;
    r->end = (int)++l->n;
}

static inline struct span slot_span(const struct covx_scratch *s, const struct slot *p)
{
    return span_of(s, p->xmin, p->ymin, p->xmax, p->ymax);
}

/* Sorts list l's runs into their cells; cnt holds the runs per cell. */
static int sort_runs(struct covx_scratch *s, struct pieces *l, int *cnt, size_t ncell)
{
    struct buf *b = pieces_bufs(s, l);
    l->start = buf_get(&b[PB_START], ncell + 1, sizeof *l->start);
    l->run = buf_get(&b[PB_RUN], (size_t)l->nmade, sizeof *l->run);
    if (!l->start || !l->run)
        return decline(s, COVX_NOMEM);
    l->start[0] = 0;
    for (size_t k = 0; k < ncell; k++) { /* cnt[k] becomes cell k's fill position */
        l->start[k + 1] = l->start[k] + cnt[k];
        cnt[k] = l->start[k];
    }
    for (int i = 0; i < l->nmade; i++)
        l->run[cnt[l->made_cell[i]]++] = l->made[i];
    return 0;
}

/* Buckets the township's edges, and marks the cells their pieces touch. */
static int bucket_township(struct covx_scratch *s, size_t ncell)
{
    int *cnt = s->fill;
    memset(cnt, 0, ncell * sizeof *cnt);
    pieces_clear(&s->tpc);
    for (int ri = 0; ri < s->ntring; ri++) {
        const struct ring *r = &s->rings[ri];
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            long np = edge_pieces(s, g, h);
            s->use[g] = EDGE_WALKED;
            if (reserve_pieces(s, &s->tpc, np) != 0)
                return -1;
            for (long k = 0; k < np; k++) {
                struct slot *p = next_slot(&s->tpc);
                *p = make_slot(s, g, h, k, np, FP_TOWNSHIP, 1);
                struct span sp = slot_span(s, p);
                span_mark(s, sp, CELL_TOUCHED);
                push_piece(s, &s->tpc, sp, cnt);
            }
        }
    }
    return sort_runs(s, &s->tpc, cnt, ncell);
}

/* Where each township edge crosses the centre line of a grid row. */
static int row_crossings(struct covx_scratch *s)
{
    s->nxr = 0;
    for (int ri = 0; ri < s->ntring; ri++) {
        const struct ring *r = &s->rings[ri];
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            double x0 = s->vx[g], y0 = s->vy[g], x1 = s->vx[h], y1 = s->vy[h];
            int r0 = cell_of(dmin(y0, y1), s->by0, s->inv, s->ny);
            int r1 = cell_of(dmax(y0, y1), s->by0, s->inv, s->ny);
            for (int row = r0; row <= r1; row++) {
                double yr = s->by0 + (row + 0.5) * s->cell;
                if ((y0 <= yr) == (y1 <= yr))
                    continue;
                s->xr = buf_get(&s->bufs[BUF_XR], (size_t)s->nxr + 1, sizeof *s->xr);
                if (!s->xr)
                    return decline(s, COVX_NOMEM);
                s->xr[s->nxr++] = (struct rowx){row, x0 + (yr - y0) * (x1 - x0) / (y1 - y0)};
            }
        }
    }
    return 0;
}

/* Counting sort by an int key, first half: start[k] (nkeys + 1 entries)
 * becomes the end of key k's items. The key of item i is the int at byte
 * offset i * stride from `key` (a field of an array of structs). Moving
 * the items down to --start[key], last item first, then leaves start[k]
 * at their start, in their order. */
static void key_ends(long *start, long nkeys, const int *key, size_t stride, long n)
{
    memset(start, 0, (size_t)(nkeys + 1) * sizeof *start);
    for (long i = 0; i < n; i++)
        start[*(const int *)((const char *)key + (size_t)i * stride)]++;
    for (long k = 1; k <= nkeys; k++)
        start[k] += start[k - 1];
}

/* Sorts the row crossings by row, then x, into xrs (rows start at
 * rstart[row]). */
static int sort_row_crossings(struct covx_scratch *s)
{
    s->rstart = buf_get(&s->bufs[BUF_RSTART], (size_t)s->ny + 1, sizeof *s->rstart);
    s->xrs = buf_get(&s->bufs[BUF_XRS], (size_t)s->nxr, sizeof *s->xrs);
    if (!s->rstart || !s->xrs)
        return decline(s, COVX_NOMEM);
    key_ends(s->rstart, s->ny, s->nxr ? &s->xr[0].row : NULL, sizeof *s->xr, s->nxr);
    for (long i = s->nxr - 1; i >= 0; i--)
        s->xrs[--s->rstart[s->xr[i].row]] = s->xr[i].x;
    for (int row = 0; row < s->ny; row++) {
        double *x = s->xrs + s->rstart[row];
        long m = s->rstart[row + 1] - s->rstart[row];
        for (long i = 1; i < m; i++) {
            double key = x[i];
            long j = i - 1;
            for (; j >= 0 && x[j] > key; j--)
                x[j + 1] = x[j];
            x[j + 1] = key;
        }
    }
    return 0;
}

/* Marks CELL_INSIDE the cells whose centre is inside T, by crossing
 * parity along each row's centre line. It matters only for cells no
 * township piece touches: ∂T misses them, so they lie on one side of it
 * as a whole, and the computed crossings (off by ~1e-12 m) cannot reach
 * their centre, half a cell away. */
static int classify_cells(struct covx_scratch *s)
{
    if (row_crossings(s) != 0 || sort_row_crossings(s) != 0)
        return -1;
    for (int row = 0; row < s->ny; row++) {
        const double *x = s->xrs + s->rstart[row];
        long m = s->rstart[row + 1] - s->rstart[row], i = 0;
        for (int cx = 0; cx < s->nx && i < m; cx++) {
            double xc = s->bx0 + (cx + 0.5) * s->cell;
            while (i < m && x[i] < xc)
                i++;
            if (i & 1)
                s->cls[(long)row * s->nx + cx] |= CELL_INSIDE;
        }
    }
    return 0;
}

/* A footprint edge is walked when it can hold a point of T: its envelope
 * (sp its span) meets B and covers a cell that is not clean outside T. */
static int walked_edge(const struct covx_scratch *s, double xl, double yl, double xh, double yh,
                       struct span sp)
{
    if ((xh < s->bx0) | (xl > s->bx1) | (yh < s->by0) | (yl > s->by1))
        return 0;
    return span_any(s, sp, CELL_TOUCHED | CELL_INSIDE);
}

/* The bits any cell of span c has (*any), and those every one has. */
static void span_bits(const struct covx_scratch *s, struct span c, unsigned char *any,
                      unsigned char *all)
{
    unsigned char o = 0, a = 0xff;
    for (int cy = c.cy0; cy <= c.cy1; cy++)
        for (int cx = c.cx0; cx <= c.cx1; cx++) {
            unsigned char b = s->cls[(long)cy * s->nx + cx];
            o |= b;
            a &= b;
        }
    *any = o;
    *all = a;
}

/* What a footprint's envelope says of all its edges at once: EDGE_SKIP
 * when it covers clean outside cells only, EDGE_WALKED when it lies in B
 * on clean inside cells only, else -1 (decide edge by edge). */
static int footprint_use(const struct covx_scratch *s, const struct ufp *f)
{
    unsigned char any, all;
    span_bits(s, span_of(s, f->xmin, f->ymin, f->xmax, f->ymax), &any, &all);
    if (!(any & (CELL_TOUCHED | CELL_INSIDE)))
        return EDGE_SKIP;
    if ((all & CELL_INSIDE) && !(any & CELL_TOUCHED) && f->xmin >= s->bx0 && f->xmax <= s->bx1 &&
        f->ymin >= s->by0 && f->ymax <= s->by1)
        return EDGE_WALKED;
    return -1;
}

/* Edge g -> h of footprint `owner`, cut in np pieces (room: pieces still
 * to come on its ring, one per edge). A walked edge's pieces all go in and
 * mark their cells CELL_WALKED; a neighbour's go in only where a walked
 * piece lies. */
static int push_edge_pieces(struct covx_scratch *s, long g, long h, long np, long room, int owner,
                            int walked, int *cnt)
{
    if (reserve_pieces(s, &s->fpc, np + room) != 0)
        return -1;
    for (long k = 0; k < np; k++) {
        struct slot *p = next_slot(&s->fpc);
        *p = make_slot(s, g, h, k, np, owner, walked);
        struct span ps = slot_span(s, p);
        if (walked)
            span_mark(s, ps, CELL_WALKED);
        if (walked || span_any(s, ps, CELL_WALKED))
            push_piece(s, &s->fpc, ps, cnt);
    }
    return 0;
}

/* Pass 1: every piece of every walked footprint edge, marking the cells
 * they cover CELL_WALKED. */
static int bucket_walked(struct covx_scratch *s, int *cnt)
{
    for (int ri = s->ntring; ri < s->nring; ri++) {
        const struct ring *r = &s->rings[ri];
        int bulk = footprint_use(s, &s->uf[r->owner]);
        s->uf[r->owner].all_walked = bulk == EDGE_WALKED;
        if (bulk == EDGE_SKIP) {
            memset(s->use + r->off, EDGE_SKIP, (size_t)r->n);
            continue;
        }
        if (reserve_pieces(s, &s->fpc, r->n) != 0) /* one piece per edge, usually */
            return -1;
        int one = one_piece_edges(s, &s->uf[r->owner]);
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            /* The whole edge's envelope: the piece itself when np == 1. */
            struct slot *e = next_slot(&s->fpc);
            *e = edge_slot(s, g, h, r->owner, 1);
            struct span sp = slot_span(s, e);
            int walked =
                bulk == EDGE_WALKED || walked_edge(s, e->xmin, e->ymin, e->xmax, e->ymax, sp);
            s->use[g] = walked ? EDGE_WALKED : EDGE_SKIP;
            if (!walked)
                continue;
            long np = one ? 1 : edge_pieces(s, g, h);
            if (np == 1) {
                span_mark(s, sp, CELL_WALKED);
                push_piece(s, &s->fpc, sp, cnt);
                continue;
            }
            if (push_edge_pieces(s, g, h, np, end - g, r->owner, 1, cnt) != 0)
                return -1;
        }
    }
    return 0;
}

/* Pass 2: pieces of the other footprint edges that share a cell with a
 * walked piece: only they can cross one (far ones are rejected on B
 * grown by the longest footprint edge first). */
static int bucket_neighbours(struct covx_scratch *s, int *cnt)
{
    double m = s->lmax + s->cell;
    for (int ri = s->ntring; ri < s->nring; ri++) {
        const struct ring *r = &s->rings[ri];
        const struct ufp *f = &s->uf[r->owner];
        if (f->all_walked) /* no edge left to add */
            continue;
        unsigned char any, all;
        span_bits(s, span_of(s, f->xmin - PIECE_MARGIN, f->ymin - PIECE_MARGIN,
                             f->xmax + PIECE_MARGIN, f->ymax + PIECE_MARGIN), &any, &all);
        if (!(any & CELL_WALKED))
            continue;
        if (reserve_pieces(s, &s->fpc, r->n) != 0) /* one piece per edge, usually */
            return -1;
        int one = one_piece_edges(s, f);
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            if (s->use[g] == EDGE_WALKED)
                continue;
            long h = g + 1 == end ? r->off : g + 1;
            struct slot *e = next_slot(&s->fpc);
            *e = edge_slot(s, g, h, r->owner, 0);
            if ((e->xmax < s->bx0 - m) | (e->xmin > s->bx1 + m) | (e->ymax < s->by0 - m) |
                (e->ymin > s->by1 + m))
                continue;
            struct span sp = slot_span(s, e);
            if (!span_any(s, sp, CELL_WALKED))
                continue;
            long np = one ? 1 : edge_pieces(s, g, h);
            if (np == 1) {
                push_piece(s, &s->fpc, sp, cnt);
                continue;
            }
            if (push_edge_pieces(s, g, h, np, end - g, r->owner, 0, cnt) != 0)
                return -1;
        }
    }
    return 0;
}

static int bucket_footprints(struct covx_scratch *s, size_t ncell)
{
    int *cnt = s->fill;
    memset(cnt, 0, ncell * sizeof *cnt);
    pieces_clear(&s->fpc);
    if (bucket_walked(s, cnt) != 0 || bucket_neighbours(s, cnt) != 0)
        return -1;
    return sort_runs(s, &s->fpc, cnt, ncell);
}

/* Buckets the edges into the grid: township edges, then the cells'
 * classification, then the footprint edges that can matter. */
static int bucket_edges(struct covx_scratch *s)
{
    size_t ncell = (size_t)s->nx * (size_t)s->ny;
    s->fill = buf_get(&s->bufs[BUF_FILL], ncell, sizeof *s->fill);
    s->cls = buf_get(&s->bufs[BUF_CLS], ncell, sizeof *s->cls);
    s->use = buf_get(&s->bufs[BUF_USE], (size_t)s->nv, sizeof *s->use);
    if (!s->fill || !s->cls || !s->use)
        return decline(s, COVX_NOMEM);
    memset(s->cls, 0, ncell);
    return bucket_township(s, ncell) != 0 || classify_cells(s) != 0 ||
                   bucket_footprints(s, ncell) != 0
               ? -1
               : 0;
}

static int add_event(struct covx_scratch *s, const struct slot *on, const struct slot *other,
                     double t, double x, double y, int sign)
{
    s->ev = buf_get(&s->bufs[BUF_EV], (size_t)s->nev + 1, sizeof *s->ev);
    if (!s->ev)
        return decline(s, COVX_NOMEM);
    s->ev[s->nev++] = (struct event){
        .g = on->g, .other = other->g, .t = t, .x = x, .y = y, .sign = sign,
        .kind = other->owner == FP_TOWNSHIP ? EV_TOWNSHIP : EV_FOOTPRINT};
    return 0;
}

/* Tests the edges of slots a and b (whose envelopes meet) for a proper
 * crossing and records it on both. A crossing of two long edges is kept by the one pair of pieces
 * holding its parameters, so it is recorded exactly once. -1: declined. */
static int test_pair(struct covx_scratch *s, const struct slot *a, const struct slot *b)
{
    if (a->g > b->g) { /* the point is computed from the lower edge: a fixed choice */
        const struct slot *t = a;
        a = b;
        b = t;
    }
    double ax0 = s->vx[a->g], ay0 = s->vy[a->g], ax1 = s->vx[a->h], ay1 = s->vy[a->h];
    double bx0 = s->vx[b->g], by0 = s->vy[b->g], bx1 = s->vx[b->h], by1 = s->vy[b->h];
    double o1, o2, o3, o4;
    int s1 = orient(ax0, ay0, ax1, ay1, bx0, by0, &o1);
    int s2 = orient(ax0, ay0, ax1, ay1, bx1, by1, &o2);
    if (s1 && s1 == s2)
        return 0; /* b on one side of a's line */
    int s3 = orient(bx0, by0, bx1, by1, ax0, ay0, &o3);
    int s4 = orient(bx0, by0, bx1, by1, ax1, ay1, &o4);
    if (s3 && s3 == s4)
        return 0;
    if (!s1 || !s2 || !s3 || !s4)
        return decline(s, COVX_TOUCH); /* touching, overlapping or too near to tell */
    double t = o3 / (o3 - o4), u = o1 / (o1 - o2);
    if (!slot_holds(a, t) || !slot_holds(b, u))
        return 0; /* another pair of pieces of these edges keeps it */
    double x = ax0 + t * (ax1 - ax0), y = ay0 + t * (ay1 - ay0);
    /* a enters b's left side when a starts on b's right (s3 < 0). */
    if (add_event(s, a, b, t, x, y, s3 < 0 ? 1 : -1) != 0 ||
        add_event(s, b, a, u, x, y, s1 < 0 ? 1 : -1) != 0)
        return -1;
    return 0;
}

/* Bitwise, not short-circuit: one well-predicted branch instead of four
 * data-dependent ones in the pair loops. */
static inline int boxes_meet(const struct slot *a, const struct slot *b)
{
    return (a->xmin <= b->xmax) & (b->xmin <= a->xmax) & (a->ymin <= b->ymax) &
           (b->ymin <= a->ymax);
}

static inline int runs_meet(const struct run *a, const struct run *b)
{
    return (a->xmin <= b->xmax) & (b->xmin <= a->xmax) & (a->ymin <= b->ymax) &
           (b->ymin <= a->ymax);
}

/* Can runs a and b hold a crossing we need? Not within one footprint, nor
 * between two pieces neither of which is walked. */
static inline int runs_pair(const struct run *a, const struct run *b)
{
    return (a->owner != b->owner) & (a->walked | b->walked) & runs_meet(a, b);
}

/* Tests the slots of run a (in list la) against those of run b (in lb). */
static int run_pairs(struct covx_scratch *s, const struct slot *la, const struct run *a,
                     const struct slot *lb, const struct run *b)
{
    for (int i = a->start; i < a->end; i++)
        for (int j = b->start; j < b->end; j++)
            if (((la[i].walked | lb[j].walked) & boxes_meet(&la[i], &lb[j])) &&
                test_pair(s, &la[i], &lb[j]) != 0)
                return -1;
    return 0;
}

/* Tests run a (of list la) against list lb's runs [j0, j1). */
static inline int run_against(struct covx_scratch *s, const struct pieces *la, const struct run *a,
                              const struct pieces *lb, int j0, int j1)
{
    for (int j = j0; j < j1; j++)
        if (runs_pair(a, &lb->run[j]) && run_pairs(s, la->slot, a, lb->slot, &lb->run[j]) != 0)
            return -1;
    return 0;
}

/* Every pair of pieces in cell (cx, cy), and between it and the four
 * neighbours ahead of it (east, and the three above): each pair of
 * neighbouring pieces is tested once. Runs are sorted by cell, so the
 * cell with its east neighbour, and the three above, are two ranges of
 * runs in each list: cells [k, east] and [up0, up1]. */
static int cell_crossings(struct covx_scratch *s, int cx, int cy)
{
    const struct pieces *t = &s->tpc, *f = &s->fpc;
    long k = (long)cy * s->nx + cx;
    if (f->start[k] == f->start[k + 1] && t->start[k] == t->start[k + 1])
        return 0;
    long east = cx + 1 < s->nx ? k + 1 : k;
    long up0 = 0, up1 = -1; /* none */
    if (cy + 1 < s->ny) {
        up0 = k + s->nx - (cx > 0);
        up1 = k + s->nx + (cx + 1 < s->nx);
    }
    int fe = f->start[east + 1], fu0 = f->start[up0], fu1 = f->start[up1 + 1];
    int te0 = t->start[k + 1], te1 = t->start[east + 1];
    int tu0 = t->start[up0], tu1 = t->start[up1 + 1];
    for (int i = t->start[k]; i < t->start[k + 1]; i++)
        if (run_against(s, t, &t->run[i], f, f->start[k], fe) != 0 ||
            run_against(s, t, &t->run[i], f, fu0, fu1) != 0)
            return -1;
    for (int i = f->start[k]; i < f->start[k + 1]; i++)
        if (run_against(s, f, &f->run[i], f, i + 1, fe) != 0 ||
            run_against(s, f, &f->run[i], f, fu0, fu1) != 0 ||
            run_against(s, f, &f->run[i], t, te0, te1) != 0 ||
            run_against(s, f, &f->run[i], t, tu0, tu1) != 0)
            return -1;
    return 0;
}

/* Sorts the events by edge, then along each edge by parameter (ties by
 * the other edge, for a fixed order). */
static int sort_events(struct covx_scratch *s)
{
    s->evstart = buf_get(&s->bufs[BUF_EVSTART], (size_t)s->nv + 1, sizeof *s->evstart);
    s->evs = buf_get(&s->bufs[BUF_EVS], (size_t)s->nev, sizeof *s->evs);
    if (!s->evstart || !s->evs)
        return decline(s, COVX_NOMEM);
    key_ends(s->evstart, s->nv, &s->ev[0].g, sizeof *s->ev, s->nev); /* nev > 0 */
    for (long e = s->nev - 1; e >= 0; e--) {
        long g = s->ev[e].g;
        s->evs[--s->evstart[g]] = s->ev[e];
    }
    for (int ri = 0; ri < s->nring; ri++) {
        struct ring *r = &s->rings[ri];
        r->nev = s->evstart[r->off + r->n] - s->evstart[r->off];
    }
    /* Most edges have none: step from one edge's events to the next's. */
    for (long first = 0, m; first < s->nev; first += m) {
        struct event *e = s->evs + first;
        m = s->evstart[e->g + 1] - first;
        for (long i = 1; i < m; i++) {
            struct event key = e[i];
            long j = i - 1;
            while (j >= 0 && (e[j].t > key.t || (e[j].t == key.t && e[j].other > key.other))) {
                e[j + 1] = e[j];
                j--;
            }
            e[j + 1] = key;
        }
    }
    return 0;
}

static int find_crossings(struct covx_scratch *s)
{
    grid_size(s);
    if (bucket_edges(s) != 0)
        return -1;
    s->nev = 0;
    for (int cy = 0; cy < s->ny; cy++)
        for (int cx = 0; cx < s->nx; cx++)
            if (cell_crossings(s, cx, cy) != 0)
                return -1;
    return s->nev ? sort_events(s) : 0;
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
    long k0;    /* start vertex */
    int in_t;   /* inside the township */
    int base;   /* other footprints covering the start vertex; -1 unknown */
    int delta;  /* footprints entered minus left since */
    double x, y;
};

/* Moves the walk to (x, y), adding the piece when it bounds T ∩ U. */
static int walk_to(struct covx_scratch *s, struct walk *w, double x, double y, double *acc)
{
    if (w->in_t) {
        if (w->base < 0) {
            w->base = cover_count(s, s->vx[w->r->off + w->k0], s->vy[w->r->off + w->k0],
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
    w->x = x;
    w->y = y;
    return 0;
}

/* Does the walk need its vertices: is it inside T with its count unknown
 * or at most 0 (adding pieces, or about to decline)? Otherwise only its
 * crossings can change what it does, and walk_to at one moves it there. */
static inline int walk_needs_vertices(const struct walk *w)
{
    return w->in_t && (w->base < 0 || w->base + w->delta <= 0);
}

/* Where a walk that needs no vertices, at vertex k of ring r, has
 * something to do next: the first edge from k on (cyclically) with a
 * crossing, unless the walk ends before it, back at k0 (cyclic) or at an
 * edge that is not walked. Nothing between changes its state. */
static long next_busy_edge(const struct covx_scratch *s, const struct ring *r, long k, long k0,
                           int cyclic)
{
    long first = s->evstart[r->off + k]; /* the ring's next crossing, if on an edge >= k */
    long kt = first < s->evstart[r->off + r->n] ? s->evs[first].g - r->off
                                                 : s->evs[s->evstart[r->off]].g - r->off;
    long gap = kt >= k ? kt - k : kt - k + r->n; /* edges to step over */
    if (cyclic) {
        long to_k0 = k0 >= k ? k0 - k : k0 - k + r->n;
        return to_k0 < gap ? k0 : kt;
    }
    const unsigned char *use = s->use + r->off;
    long ahead = gap < r->n - k ? gap : r->n - k;
    const unsigned char *stop = memchr(use + k, EDGE_SKIP, (size_t)ahead);
    if (stop)
        return stop - use;
    if (gap > ahead && (stop = memchr(use, EDGE_SKIP, (size_t)(gap - ahead))) != NULL)
        return stop - use;
    return kt;
}

/* Walks footprint ring r from vertex k0, all the way round (cyclic) or
 * along the run of walked edges that starts there. */
static int walk_run(struct covx_scratch *s, const struct ring *r, long k0, int cyclic,
                    double *acc)
{
    const double *vx = s->vx + r->off, *vy = s->vy + r->off;
    struct ufp *f = &s->uf[r->owner];
    struct walk w = {.r = r, .k0 = k0, .base = -1, .x = vx[k0], .y = vy[k0]};
    w.in_t = township_side(s, vx[k0], vy[k0]);
    if (w.in_t == SIDE_UNSURE)
        return decline(s, COVX_POINT);
    int in0 = w.in_t;
    f->reach |= w.in_t;
    long k = k0;
    do {
        long g = r->off + k, k1 = k + 1 == r->n ? 0 : k + 1;
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
    } while (cyclic ? k != k0 : s->use[r->off + k] == EDGE_WALKED);
    /* Back at the start, or at the start of an edge that is not walked,
     * which lies outside T. */
    if (cyclic ? w.in_t != in0 || w.delta != 0 : w.in_t != 0)
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
    if (r->nev == 0)
        return lone_footprint(s, r, acc);
    const unsigned char *use = s->use + r->off;
    long k = 0;
    while (k < r->n && use[k] == EDGE_WALKED)
        k++;
    if (k == r->n)
        return walk_run(s, r, 0, 1, acc);
    for (k = 0; k < r->n; k++)
        if (use[k] == EDGE_WALKED && use[k ? k - 1 : r->n - 1] != EDGE_WALKED &&
            walk_run(s, r, k, 0, acc) != 0)
            return -1;
    return 0;
}

/* Is the seat in (or on) a footprint that reaches the township? */
static int seat_side(struct covx_scratch *s, double x, double y)
{
    int unsure = 0, b = band_of(s, y);
    for (int i = s->band_start[b]; i < s->band_start[b + 1]; i++) {
        const struct ufp *f = &s->uf[s->band_uf[i]];
        if (!f->reach || x < f->xmin || x > f->xmax || y < f->ymin || y > f->ymax)
            continue;
        int side = footprint_side(s, f, x, y);
        if (side == SIDE_IN)
            return SIDE_IN;
        unsure |= side == SIDE_UNSURE;
    }
    return unsure ? SIDE_UNSURE : SIDE_OUT;
}

/* ---- the engine -------------------------------------------------------------*/

static int township_exact(struct covx_scratch *s, const struct township *t,
                          const struct tc_footprints *fp, const long *ids, long n,
                          struct cov_result *r)
{
    s->nv = 0;
    s->nring = s->ntring = s->nuf = 0;
    s->nev = 0;
    s->nedge = 0;
    s->lmax = s->linv = 0.0;
    s->lcount = 0;
    /* An integral origin: translating by it is exact for most coordinates. */
    s->ox = round(0.5 * (t->xmin + t->xmax));
    s->oy = round(0.5 * (t->ymin + t->ymax));
    if (load_township(s, t) != 0)
        return -1;
    if (s->ntring == 0)
        return 0; /* empty township: nothing meets it */
    if (load_footprints(s, fp, ids, n) != 0 || find_crossings(s) != 0 ||
        band_footprints(s) != 0)
        return -1;
    double acc = 0.0;
    for (int ri = 0; ri < s->nring; ri++) {
        const struct ring *ring = &s->rings[ri];
        int rc = ring->owner == FP_TOWNSHIP ? walk_township_ring(s, ring, &acc)
                                            : walk_footprint_ring(s, ring, &acc);
        if (rc != 0)
            return -1;
    }
    int seat = seat_side(s, t->seat_x - s->ox, t->seat_y - s->oy);
    if (seat == SIDE_UNSURE)
        return decline(s, COVX_POINT);
    double area = 0.5 * acc;
    if (area < -1e-6 * (1.0 + t->area_m2))
        return decline(s, COVX_INCONSISTENT);
    r->covered_m2 = dmax(area, 0.0);
    r->seat_covered = seat == SIDE_IN;
    for (int u = 0; u < s->nuf; u++)
        r->footprints += s->uf[u].reach ? s->uf[u].mult : 0;
    return 0;
}

/* ---- the covered part as rings ------------------------------------------------
 * With keep set, the walks record the boundary of T ∩ U as directed edges,
 * the covered side on their left; a crossing's point is computed once for
 * both its edges, so edges that follow each other on a ring share
 * bit-identical end points. Chaining them by end points gives the rings in
 * linear time, where a GEOS union of the footprints costs many times more.
 * Anything unusual (a chain that does not close, a ring without area, a
 * hole in no shell) gives no rings and the caller asks GEOS: never wrong,
 * only sometimes not taken. */

/* Room for ne edges: as many vertices, at most as many rings. */
static int chain_reserve(struct chain *c, long ne)
{
    if (ne + 1 > c->cap) {
        long cap = ne + ne / 2 + 64;
        if (tc_resize((void **)&c->same, (size_t)cap, sizeof *c->same) ||
            tc_resize((void **)&c->node, (size_t)cap, sizeof *c->node) ||
            tc_resize((void **)&c->stack, (size_t)cap, sizeof *c->stack) ||
            tc_resize((void **)&c->used, (size_t)cap, sizeof *c->used) ||
            tc_resize((void **)&c->rx, (size_t)cap, sizeof *c->rx) ||
            tc_resize((void **)&c->ry, (size_t)cap, sizeof *c->ry) ||
            tc_resize((void **)&c->rstart, (size_t)cap + 1, sizeof *c->rstart) ||
            tc_resize((void **)&c->rarea, (size_t)cap, sizeof *c->rarea) ||
            tc_resize((void **)&c->rshell, (size_t)cap, sizeof *c->rshell))
            return -1;
        c->cap = cap;
    }
    size_t size = 64;
    while (size < 2 * (size_t)ne)
        size *= 2;
    if (size > c->tmask + 1) {
        if (tc_resize((void **)&c->head, size, sizeof *c->head) ||
            tc_resize((void **)&c->pos, size, sizeof *c->pos))
            return -1;
        c->tmask = size - 1;
    }
    memset(c->head, 0, (c->tmask + 1) * sizeof *c->head);
    memset(c->pos, 0xff, (c->tmask + 1) * sizeof *c->pos); /* all -1 */
    return 0;
}

static size_t point_hash(double x, double y)
{
    uint64_t a, b;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
    return (size_t)(h ^ (h >> 29));
}

/* Hash slot of point (x, y): where edges starting there are listed. */
static size_t chain_slot(const struct chain *c, const double *e, double x, double y)
{
    size_t i = point_hash(x, y) & c->tmask;
    while (c->head[i] && (e[4 * (c->head[i] - 1)] != x || e[4 * (c->head[i] - 1) + 1] != y))
        i = (i + 1) & c->tmask;
    return i;
}

/* Lists the edges by start point. Where the region touches itself two
 * (or more) edges start at one point: the walk below copes. */
static void chain_index(struct chain *c, const double *e, long ne)
{
    for (long k = ne - 1; k >= 0; k--) { /* lists come out in edge order */
        size_t i = chain_slot(c, e, e[4 * k], e[4 * k + 1]);
        c->same[k] = c->head[i] ? c->head[i] - 1 : -1;
        c->head[i] = k + 1;
        c->node[k] = (long)i;
        c->used[k] = 0;
    }
}

/* Twice the signed area of ring r, about its first vertex (small
 * numbers, little rounding). */
static double ring_area2(const struct chain *c, long r)
{
    const double *x = c->rx + c->rstart[r], *y = c->ry + c->rstart[r];
    long n = c->rstart[r + 1] - c->rstart[r];
    double s = 0;
    for (long i = 0, j = n - 1; i < n; j = i++)
        s += (x[j] - x[0]) * (y[i] - y[0]) - (x[i] - x[0]) * (y[j] - y[0]);
    return s;
}

/* Pops stack[from ..] off as one ring. -1 when it has no area. */
static int chain_emit(struct chain *c, const double *e, long from, long *top)
{
    c->rstart[c->nring] = c->nv;
    for (long i = from; i < *top; i++) {
        long k = c->stack[i];
        c->pos[c->node[k]] = -1;
        c->rx[c->nv] = e[4 * k];
        c->ry[c->nv++] = e[4 * k + 1];
    }
    *top = from;
    c->rstart[c->nring + 1] = c->nv;
    double a = 0.5 * ring_area2(c, c->nring);
    if (c->rstart[c->nring + 1] - c->rstart[c->nring] < 3 || a == 0)
        return -1;
    c->rarea[c->nring++] = a;
    return 0;
}

static long unused_from(const struct chain *c, long slot)
{
    long k = c->head[slot] - 1;
    while (k >= 0 && c->used[k])
        k = c->same[k];
    return k;
}

/* Walks from edge k0 until stuck; every time the walk comes back to a
 * point already on its stack, the loop since is one simple ring. So a
 * region touching itself at a point gives separate rings there, as valid
 * polygons want. -1: an edge leads nowhere or a chain does not close. */
static int chain_walk_from(struct chain *c, const double *e, long k0)
{
    long top = 0;
    for (long k = k0;;) {
        long s = c->node[k];
        if (c->pos[s] >= 0 && chain_emit(c, e, c->pos[s], &top) != 0)
            return -1;
        c->pos[s] = top;
        c->stack[top++] = k;
        c->used[k] = 1;
        size_t end = chain_slot(c, e, e[4 * k + 2], e[4 * k + 3]);
        if (!c->head[end])
            return -1;
        long next = unused_from(c, (long)end);
        if (next >= 0) {
            k = next;
            continue;
        }
        if (c->pos[end] < 0 || chain_emit(c, e, c->pos[end], &top) != 0)
            return -1;
        return top == 0 ? 0 : -1;
    }
}

/* The rings of the boundary; returns the covered area (sum of signed
 * ring areas), or NAN when the edges do not close into rings. */
static double chain_rings(struct chain *c, const double *e, long ne)
{
    c->nring = c->nv = 0;
    c->rstart[0] = 0; /* no rings: no vertices */
    chain_index(c, e, ne);
    double total = 0;
    for (long k = 0; k < ne; k++)
        if (!c->used[k] && chain_walk_from(c, e, k) != 0)
            return NAN;
    for (long r = 0; r < c->nring; r++)
        total += c->rarea[r];
    return total;
}

/* Is (x, y) inside ring r (crossing number)? */
static int ring_has(const struct chain *c, long r, double x, double y)
{
    const double *rx = c->rx + c->rstart[r], *ry = c->ry + c->rstart[r];
    long n = c->rstart[r + 1] - c->rstart[r];
    int in = 0;
    for (long i = 0, j = n - 1; i < n; j = i++)
        if ((ry[i] > y) != (ry[j] > y) &&
            x < rx[i] + (y - ry[i]) * (rx[j] - rx[i]) / (ry[j] - ry[i]))
            in = !in;
    return in;
}

/* Each hole goes to the smallest shell around it, probed at the middle of
 * its first edge (a hole's vertex may touch its shell; an edge's middle
 * cannot). -1 when a hole has no shell. */
static int chain_holes(struct chain *c)
{
    for (long h = 0; h < c->nring; h++) {
        c->rshell[h] = h;
        if (c->rarea[h] > 0)
            continue;
        long a = c->rstart[h];
        double hx = 0.5 * (c->rx[a] + c->rx[a + 1]), hy = 0.5 * (c->ry[a] + c->ry[a + 1]);
        long best = -1;
        for (long r = 0; r < c->nring; r++)
            if (c->rarea[r] > 0 && (best < 0 || c->rarea[r] < c->rarea[best]) &&
                ring_has(c, r, hx, hy))
                best = r;
        if (best < 0)
            return -1;
        c->rshell[h] = best;
    }
    return 0;
}

/* Chains the recorded edges into rings; their area must be the engine's
 * sum, or the chaining went wrong. */
static int chain_boundary(struct covx_scratch *s, const struct township *t, double covered_m2)
{
    if (chain_reserve(&s->ch, s->nedge) != 0)
        return -1;
    double area = chain_rings(&s->ch, s->edge, s->nedge);
    if (!(fabs(area - covered_m2) <= 1e-9 * t->area_m2 + 1e-6))
        return -1;
    return chain_holes(&s->ch);
}

void covx_keep_rings(struct covx_scratch *s, int keep)
{
    s->keep = keep;
}

int covx_rings(const struct covx_scratch *s, struct covx_rings *out)
{
    *out = (struct covx_rings){.nring = s->ch.nring, .start = s->ch.rstart,
                               .shell = s->ch.rshell, .x = s->ch.rx, .y = s->ch.ry};
    return s->chained ? 0 : -1;
}

/* ---- the engine's entry point ------------------------------------------------*/

int covx_township(struct covx_scratch *s, const struct township *t,
                  const struct tc_footprints *fp, const long *ids, long n, struct cov_result *r)
{
    r->covered_m2 = 0.0;
    r->seat_covered = 0;
    r->footprints = 0;
    s->reason = COVX_OK;
    s->nedge = 0;
    s->chained = 0;
    if (n > 0 && township_exact(s, t, fp, ids, n, r) != 0)
        return -1;
    /* n == 0: no footprint reaches it, and no ring bounds its covered part */
    s->chained = s->keep && chain_boundary(s, t, r->covered_m2) == 0;
    return 0;
}
