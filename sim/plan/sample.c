/* sample.c — the planner's discretised instance (see docs/plan-optimality.md):
 * each fixable failing township's seat area sampled on a square grid of
 * step h, the points already covered by an existing station left out, and
 * the rest grouped into "atoms": points that the same set of candidates
 * covers. An atom weighs its number of points. Rings are filled row by row
 * (even-odd crossings), so a footprint costs its rows times its vertices,
 * not the grid's points times its vertices. */
#include <geos_c.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/footprint.h"
#include "towncov/map.h"
#include "towncov/seat.h"
#include "towncov/worker.h"

#include "plan_internal.h"

/* The grid over one seat area's envelope: point (i, r) is
 * (x0 + i h, y0 + r h), cell centres of the global grid of step h. */
struct grid {
    double x0, y0, h;
    long nx, ny;
};

/* Closed rings as (x, y) pairs: ring k is xy[2 off[k]] .. xy[2 off[k+1] - 1],
 * its first vertex repeated last. */
struct rings {
    double *xy;
    long *off;
    long n, nv, cap_v, cap_r;
};

static int rings_add(struct rings *rs, GEOSContextHandle_t ctx, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &size))
        return -1;
    if (rs->nv + size > rs->cap_v) {
        long cap = 2 * (rs->nv + size) + 64;
        if (tc_resize((void **)&rs->xy, (size_t)cap * 2, sizeof *rs->xy))
            return -1;
        rs->cap_v = cap;
    }
    if (rs->n + 2 > rs->cap_r) {
        long cap = 2 * rs->cap_r + 8;
        if (tc_resize((void **)&rs->off, (size_t)cap, sizeof *rs->off))
            return -1;
        rs->cap_r = cap;
    }
    for (unsigned int k = 0; k < size; k++)
        if (!GEOSCoordSeq_getXY_r(ctx, seq, k, &rs->xy[2 * (rs->nv + k)],
                                  &rs->xy[2 * (rs->nv + k) + 1]))
            return -1;
    rs->off[rs->n] = rs->nv;
    rs->nv += size;
    rs->off[++rs->n] = rs->nv;
    return 0;
}

/* Every ring of a (Multi)Polygon, holes included (even-odd fills them
 * right). GEOS is read serially: the seat areas share one context. */
static int seat_rings(GEOSContextHandle_t ctx, const GEOSGeometry *g, struct rings *rs)
{
    int parts = GEOSGetNumGeometries_r(ctx, g);
    if (parts < 0)
        return -1;
    for (int k = 0; k < parts; k++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(ctx, g, k);
        int holes = poly ? GEOSGetNumInteriorRings_r(ctx, poly) : -1;
        const GEOSGeometry *shell = poly ? GEOSGetExteriorRing_r(ctx, poly) : NULL;
        if (holes < 0 || !shell || rings_add(rs, ctx, shell) != 0)
            return -1;
        for (int q = 0; q < holes; q++) {
            const GEOSGeometry *hole = GEOSGetInteriorRingN_r(ctx, poly, q);
            if (!hole || rings_add(rs, ctx, hole) != 0)
                return -1;
        }
    }
    return 0;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Row r's crossings of the edge (px, py)-(qx, qy), as footprint_contains
 * counts them. */
static void cross(double px, double py, double qx, double qy, double y, double *xs, long *n)
{
    if ((qy > y) != (py > y))
        xs[(*n)++] = qx + (y - qy) * (px - qx) / (py - qy);
}

/* Marks the grid points inside the even-odd union of the crossings in
 * xs[0..n-1] on row r: mark[r nx + i] |= bit, or, with word >= 0, the
 * candidate bit `word` of that point's signature. */
static void fill_row(const struct grid *g, long r, double *xs, long n, unsigned char *mark,
                     unsigned char bit, uint64_t *sig, long words, long cand)
{
    qsort(xs, (size_t)n, sizeof *xs, by_double);
    for (long k = 0; k + 1 < n; k += 2) {
        long i0 = (long)ceil((xs[k] - g->x0) / g->h), i1 = (long)ceil((xs[k + 1] - g->x0) / g->h);
        i0 = i0 < 0 ? 0 : i0;
        i1 = i1 > g->nx ? g->nx : i1;
        for (long i = i0; i < i1; i++) {
            if (sig)
                sig[(r * g->nx + i) * words + cand / 64] |= (uint64_t)1 << (cand % 64);
            else
                mark[r * g->nx + i] |= bit;
        }
    }
}

static void row_range(const struct grid *g, double ymin, double ymax, long *r0, long *r1)
{
    *r0 = (long)ceil((ymin - g->y0) / g->h);
    *r1 = (long)floor((ymax - g->y0) / g->h) + 1;
    *r0 = *r0 < 0 ? 0 : *r0;
    *r1 = *r1 > g->ny ? g->ny : *r1;
}

/* The seat area's rings into mark (bit 1). xs holds rs->nv doubles. */
static void fill_rings(const struct grid *g, const struct rings *rs, double *xs,
                       unsigned char *mark)
{
    for (long r = 0; r < g->ny; r++) {
        double y = g->y0 + (double)r * g->h;
        long n = 0;
        for (long k = 0; k < rs->n; k++)
            for (long v = rs->off[k] + 1; v < rs->off[k + 1]; v++)
                cross(rs->xy[2 * v - 2], rs->xy[2 * v - 1], rs->xy[2 * v], rs->xy[2 * v + 1], y,
                      xs, &n);
        fill_row(g, r, xs, n, mark, 1, NULL, 0, 0);
    }
}

/* Footprint i into mark (bit) or into the signatures (candidate bit cand). */
static void fill_footprint(const struct grid *g, const struct tc_footprints *fp, long i,
                           double *xs, unsigned char *mark, unsigned char bit, uint64_t *sig,
                           long words, long cand)
{
    long r0, r1, nv = footprint_size(fp, i);
    row_range(g, fp->ymin[i], fp->ymax[i], &r0, &r1);
    for (long r = r0; r < r1; r++) {
        double y = g->y0 + (double)r * g->h, px, py;
        long n = 0;
        footprint_vertex(fp, i, nv - 1, &px, &py);
        for (long k = 0; k < nv; k++) {
            double qx, qy;
            footprint_vertex(fp, i, k, &qx, &qy);
            cross(px, py, qx, qy, y, xs, &n);
            px = qx, py = qy;
        }
        fill_row(g, r, xs, n, mark, bit, sig, words, cand);
    }
}

/* Signatures compared word by word (qsort_r context: the word count). */
static int by_sig(const void *a, const void *b, void *ctx)
{
    const uint64_t *x = *(const uint64_t *const *)a, *y = *(const uint64_t *const *)b;
    long words = *(const long *)ctx;
    for (long k = 0; k < words; k++)
        if (x[k] != y[k])
            return x[k] < y[k] ? -1 : 1;
    return 0;
}

/* Groups the open points' signatures into atoms. */
static int atoms_of(const struct plan *p, int f, uint64_t **open, long n, long words,
                    struct plan_atoms *a)
{
    qsort_r(open, (size_t)n, sizeof *open, by_sig, &words);
    long distinct = 0, bits = 0;
    for (long k = 0; k < n; k++)
        if (k == 0 || by_sig(&open[k - 1], &open[k], &words) != 0) {
            distinct++;
            for (long w = 0; w < words; w++)
                bits += __builtin_popcountll(open[k][w]);
        }
    a->w = malloc(sizeof *a->w * ((size_t)distinct + 1));
    a->off = malloc(sizeof *a->off * ((size_t)distinct + 1));
    a->cand = malloc(sizeof *a->cand * ((size_t)bits + 1));
    if (!a->w || !a->off || !a->cand)
        return -1;
    a->off[0] = 0;
    for (long k = 0; k < n; k++) {
        if (k > 0 && by_sig(&open[k - 1], &open[k], &words) == 0) {
            a->w[a->n - 1] += 1;
            continue;
        }
        long m = a->off[a->n];
        for (long q = 0; q < p->near[f].n; q++)
            if (open[k][q / 64] >> (q % 64) & 1)
                a->cand[m++] = p->near[f].id[q] - p->n_exist;
        a->w[a->n] = 1;
        a->off[++a->n] = m;
    }
    return 0;
}

/* Slot f's atoms on the grid of step h (or finer: PLAN_SEAT_POINTS points
 * at least on its seat area) around its seat area's rings. */
static int sample_slot(const struct plan *p, int f, const struct rings *rs, double h,
                       struct plan_atoms *a)
{
    const double *e = p->seats->envelope[p->town[f]];
    double small = sqrt(p->seats->area_m2[p->town[f]] / PLAN_SEAT_POINTS);
    h = small < h ? small : h;
    struct grid g = {.h = h, .x0 = (floor(e[0] / h) + 0.5) * h, .y0 = (floor(e[1] / h) + 0.5) * h};
    g.nx = (long)floor((e[2] - g.x0) / h) + 1;
    g.ny = (long)floor((e[3] - g.y0) / h) + 1;
    long cells = g.nx * g.ny, words = (p->near[f].n + 63) / 64, maxv = rs->nv;
    for (long k = 0; k < p->cur[f].n; k++)
        maxv = footprint_size(p->all, p->cur[f].id[k]) > maxv ? footprint_size(p->all, p->cur[f].id[k]) : maxv;
    for (long k = 0; k < p->near[f].n; k++)
        maxv = footprint_size(p->all, p->near[f].id[k]) > maxv ? footprint_size(p->all, p->near[f].id[k]) : maxv;
    unsigned char *mark = calloc((size_t)cells + 1, 1);
    uint64_t *sig = calloc((size_t)(cells * (words ? words : 1)) + 1, sizeof *sig);
    uint64_t **open = malloc(sizeof *open * ((size_t)cells + 1));
    double *xs = malloc(sizeof *xs * ((size_t)maxv + 1));
    int rc = mark && sig && open && xs ? 0 : -1;
    if (rc == 0) {
        fill_rings(&g, rs, xs, mark); /* bit 1: inside the seat area */
        for (long k = 0; k < p->cur[f].n; k++) /* bit 2: an existing station covers it */
            if (p->cur[f].id[k] < p->n_exist)
                fill_footprint(&g, p->all, p->cur[f].id[k], xs, mark, 2, NULL, 0, 0);
        for (long k = 0; k < p->near[f].n; k++)
            fill_footprint(&g, p->all, p->near[f].id[k], xs, NULL, 0, sig, words, k);
        long n = 0;
        for (long c = 0; c < cells; c++) {
            if (mark[c] != 1)
                continue;
            a->points++;
            int any = 0;
            for (long w = 0; w < words && !any; w++)
                any = sig[c * words + w] != 0;
            if (any)
                open[n++] = sig + c * words;
        }
        rc = atoms_of(p, f, open, n, words, a);
        double open_m2 = p->seats->area_m2[p->town[f]] - p->before[f];
        a->req = open_m2 > 0 ? (double)a->points * (p->need[f] - p->before[f]) / open_m2 : 0;
    }
    free(mark);
    free(sig);
    free(open);
    free(xs);
    return rc;
}

int plan_sample(struct plan *p, double h, struct tc_error *err)
{
    p->atoms = calloc((size_t)p->nf + 1, sizeof *p->atoms);
    struct rings *rs = calloc((size_t)p->nf + 1, sizeof *rs);
    int rc = p->atoms && rs ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the plan");
    for (int f = 0; f < p->nf && rc == 0; f++)
        if (p->fixable[f] && seat_rings(p->seats->ctx, p->seats->geom[p->town[f]], &rs[f]) != 0)
            rc = tc_fail(err, TC_EXIT_INTERNAL, "GEOS failed on the seat area of %s",
                         p->map->t[p->town[f]].code);
    if (rc == 0) {
        #pragma omp parallel num_threads(p->ws->n)
        {
            struct tc_worker *w = &p->ws->w[omp_get_thread_num()];
            #pragma omp for schedule(dynamic, 1)
            for (int f = 0; f < p->nf; f++)
                if (p->fixable[f] && sample_slot(p, f, &rs[f], h, &p->atoms[f]) != 0)
                    tc_worker_failf(w, f, TC_EXIT_RESOURCE, "out of memory for the plan");
        }
        rc = tc_workers_failure(p->ws, err);
    }
    for (int f = 0; rs && f < p->nf; f++) {
        free(rs[f].xy);
        free(rs[f].off);
    }
    free(rs);
    return rc;
}
