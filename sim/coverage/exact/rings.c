/* rings.c — the covered part as rings (see exact.h): the boundary the walk
 * recorded, chained by end points. */
#include "exact_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "towncov/common.h"
#include "towncov/map.h"

/* With keep set, the walks record the boundary of T ∩ U as directed edges,
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
int covx_chain_boundary(struct chain *ch, const double *edge, long nedge,
                        const struct township *t, double covered_m2)
{
    if (chain_reserve(ch, nedge) != 0)
        return -1;
    double area = chain_rings(ch, edge, nedge);
    if (!(fabs(area - covered_m2) <= 1e-9 * t->area_m2 + 1e-6))
        return -1;
    return chain_holes(ch);
}

void covx_keep_rings(struct covx_scratch *s, int keep)
{
    s->wk.keep = keep;
}

int covx_rings(const struct covx_scratch *s, struct covx_rings *out)
{
    *out = (struct covx_rings){.nring = s->ch.nring, .start = s->ch.rstart,
                               .shell = s->ch.rshell, .x = s->ch.rx, .y = s->ch.ry};
    return s->chained ? 0 : -1;
}
