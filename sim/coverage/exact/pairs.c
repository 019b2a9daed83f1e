/* pairs.c — the exact engine's third phase (see exact.h): the proper
 * crossings of township/footprint and footprint/footprint edges between
 * neighbouring cells, with exact orientation signs (Shewchuk's filter); a
 * sign the filter cannot decide declines the township. */
#include "exact_internal.h"

/* ---- crossings --------------------------------------------------------------*/

static int add_event(struct covx_cross *xs, const struct slot *on, const struct slot *other,
                     double t, double x, double y, int sign)
{
    xs->ev = buf_get(&xs->bufs[XB_EV], (size_t)xs->nev + 1, sizeof *xs->ev);
    if (!xs->ev)
        return decline(&xs->reason, COVX_NOMEM);
    xs->ev[xs->nev++] = (struct event){
        .g = on->g, .other = other->g, .t = t, .x = x, .y = y, .sign = sign,
        .kind = other->owner == FP_TOWNSHIP ? EV_TOWNSHIP : EV_FOOTPRINT};
    return 0;
}

/* Tests the edges of slots a and b (whose envelopes meet) for a proper
 * crossing and records it on both. A crossing of two long edges is kept by the one pair of pieces
 * holding its parameters, so it is recorded exactly once. -1: declined. */
static int test_pair(struct covx_cross *xs, const struct covx_load *ld, const struct slot *a,
                     const struct slot *b)
{
    if (a->g > b->g) { /* the point is computed from the lower edge: a fixed choice */
        const struct slot *t = a;
        a = b;
        b = t;
    }
    double ax0 = ld->vx[a->g], ay0 = ld->vy[a->g], ax1 = ld->vx[a->h], ay1 = ld->vy[a->h];
    double bx0 = ld->vx[b->g], by0 = ld->vy[b->g], bx1 = ld->vx[b->h], by1 = ld->vy[b->h];
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
        return decline(&xs->reason, COVX_TOUCH); /* touching, overlapping or too near to tell */
    double t = o3 / (o3 - o4), u = o1 / (o1 - o2);
    if (!slot_holds(a, t) || !slot_holds(b, u))
        return 0; /* another pair of pieces of these edges keeps it */
    double x = ax0 + t * (ax1 - ax0), y = ay0 + t * (ay1 - ay0);
    /* a enters b's left side when a starts on b's right (s3 < 0). */
    if (add_event(xs, a, b, t, x, y, s3 < 0 ? 1 : -1) != 0 ||
        add_event(xs, b, a, u, x, y, s1 < 0 ? 1 : -1) != 0)
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

/* Does slot p's envelope meet run r's (the union of its slots')? */
static inline int slot_meets_run(const struct slot *p, const struct run *r)
{
    return (p->xmin <= r->xmax) & (r->xmin <= p->xmax) & (p->ymin <= r->ymax) &
           (r->ymin <= p->ymax);
}

/* Tests the slots of run a (in list la) against those of run b (in lb).
 * A slot of a that misses b's envelope meets none of b's slots: it is
 * passed over whole (the same pairs are tested, in the same order). */
static int run_pairs(struct covx_cross *xs, const struct covx_load *ld, const struct slot *la,
                     const struct run *a, const struct slot *lb, const struct run *b)
{
    for (int i = a->start; i < a->end; i++) {
        const struct slot *p = &la[i];
        if (!slot_meets_run(p, b))
            continue;
        for (int j = b->start; j < b->end; j++)
            if (((p->walked | lb[j].walked) & boxes_meet(p, &lb[j])) &&
                test_pair(xs, ld, p, &lb[j]) != 0)
                return -1;
    }
    return 0;
}

/* Tests run a (of list la) against list lb's runs [j0, j1). */
static inline int run_against(struct covx_cross *xs, const struct covx_load *ld,
                              const struct pieces *la, const struct run *a, const struct pieces *lb,
                              int j0, int j1)
{
    for (int j = j0; j < j1; j++)
        if (runs_pair(a, &lb->run[j]) && run_pairs(xs, ld, la->slot, a, lb->slot, &lb->run[j]) != 0)
            return -1;
    return 0;
}

/* Tests footprint run a, not walked, against the walked footprint runs
 * of cells [c0, c1]: only they can make a pair with it. */
static int unwalked_against(struct covx_cross *xs, const struct covx_load *ld,
                            const struct covx_grid *gr, const struct run *a, long c0, long c1)
{
    const struct pieces *f = &gr->fpc;
    for (long c = c0; c <= c1; c++)
        if (run_against(xs, ld, f, a, f, f->start[c], f->wend[c]) != 0)
            return -1;
    return 0;
}

/* The cells ahead of cell k = (cx, cy) that run a, in it, can meet: the
 * east one [k, e1] and the three above [u0, u1], less those it does not
 * reach. A run of the east column has its xmin's cell there, cx + 1: it
 * can meet a only when a's xmax's cell (a->cx1) is cx + 1 too, cell_of
 * being monotone; so for the row above and a->cy1. An empty range is
 * [0, -1]. */
struct ahead {
    long e1, u0, u1;
};

static inline struct ahead ahead_of(const struct covx_grid *gr, const struct run *a, int cx,
                                    int cy, long k)
{
    int east = a->cx1 > cx; /* then cx + 1 < nx: cx1 is clamped to the grid */
    struct ahead h = {k + east, 0, -1};
    if (a->cy1 > cy) {
        h.u0 = k + gr->m.nx - (cx > 0);
        h.u1 = k + gr->m.nx + east;
    }
    return h;
}

/* Every pair of pieces in cell (cx, cy), and between it and the four
 * neighbours ahead of it (east, and the three above): each pair of
 * neighbouring pieces is tested once. Runs are sorted by cell, so the
 * cell with its east neighbour, and the three above, are two ranges of
 * runs in each list: cells [k, e1] and [u0, u1], cut to what each run
 * reaches (ahead_of). A footprint run that is not walked is tested only
 * against walked ones, which come first in each cell: it meets those of
 * its own cell as they test theirs. */
static int cell_crossings(struct covx_cross *xs, const struct covx_load *ld,
                          const struct covx_grid *gr, int cx, int cy)
{
    const struct pieces *t = &gr->tpc, *f = &gr->fpc;
    long k = (long)cy * gr->m.nx + cx;
    if (f->start[k] == f->start[k + 1] && t->start[k] == t->start[k + 1])
        return 0;
    for (int i = t->start[k]; i < t->start[k + 1]; i++) {
        struct ahead h = ahead_of(gr, &t->run[i], cx, cy, k);
        if (run_against(xs, ld, t, &t->run[i], f, f->start[k], f->start[h.e1 + 1]) != 0 ||
            run_against(xs, ld, t, &t->run[i], f, f->start[h.u0], f->start[h.u1 + 1]) != 0)
            return -1;
    }
    for (int i = f->start[k]; i < f->start[k + 1]; i++) {
        const struct run *a = &f->run[i];
        struct ahead h = ahead_of(gr, a, cx, cy, k);
        int fe = f->start[h.e1 + 1], fu0 = f->start[h.u0], fu1 = f->start[h.u1 + 1];
        if (i < f->wend[k] ? run_against(xs, ld, f, a, f, i + 1, fe) != 0 ||
                                 run_against(xs, ld, f, a, f, fu0, fu1) != 0
                           : (h.e1 != k && unwalked_against(xs, ld, gr, a, h.e1, h.e1) != 0) ||
                                 unwalked_against(xs, ld, gr, a, h.u0, h.u1) != 0)
            return -1;
        if (run_against(xs, ld, f, a, t, t->start[k + 1], t->start[h.e1 + 1]) != 0 ||
            run_against(xs, ld, f, a, t, t->start[h.u0], t->start[h.u1 + 1]) != 0)
            return -1;
    }
    return 0;
}

/* Sorts the events by edge, then along each edge by parameter (ties by
 * the other edge, for a fixed order). */
static int sort_events(struct covx_cross *xs, const struct covx_load *ld)
{
    xs->evstart = buf_get(&xs->bufs[XB_EVSTART], (size_t)ld->nv + 1, sizeof *xs->evstart);
    xs->evs = buf_get(&xs->bufs[XB_EVS], (size_t)xs->nev, sizeof *xs->evs);
    if (!xs->evstart || !xs->evs)
        return decline(&xs->reason, COVX_NOMEM);
    key_ends(xs->evstart, ld->nv, &xs->ev[0].g, sizeof *xs->ev, xs->nev); /* nev > 0 */
    for (long e = xs->nev - 1; e >= 0; e--) {
        long g = xs->ev[e].g;
        xs->evs[--xs->evstart[g]] = xs->ev[e];
    }
    /* Most edges have none: step from one edge's events to the next's. */
    for (long first = 0, m; first < xs->nev; first += m) {
        struct event *e = xs->evs + first;
        m = xs->evstart[e->g + 1] - first;
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

int covx_find_crossings(struct covx_cross *xs, const struct covx_load *ld,
                        const struct covx_grid *gr)
{
    xs->nev = 0;
    for (int cy = 0; cy < gr->m.ny; cy++)
        for (int cx = 0; cx < gr->m.nx; cx++)
            if (cell_crossings(xs, ld, gr, cx, cy) != 0)
                return -1;
    return xs->nev ? sort_events(xs, ld) : 0;
}
