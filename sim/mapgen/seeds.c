/* seeds.c — one seed per township: drawn from the samples by weight,
 * relaxed by weighted Lloyd iterations (nearest seeds found on a uniform
 * grid), then settled inside the polygon. */
#include "mapgen_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/rng.h"

#define LLOYD_ITERS 4

static int grid_col(const struct seed_grid *g, double v, double v0, int nmax)
{
    long c = (long)floor((v - v0) / g->cs);
    return c < 0 ? 0 : c >= nmax ? nmax - 1 : (int)c;
}

int seed_grid_build(struct seed_grid *g, const double *x, const double *y, int n)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < n; i++) {
        x0 = fmin(x0, x[i]), x1 = fmax(x1, x[i]);
        y0 = fmin(y0, y[i]), y1 = fmax(y1, y[i]);
    }
    double pad = 1e-12 + 1e-6 * fmax(x1 - x0, y1 - y0);
    g->x0 = x0, g->y0 = y0;
    g->cs = sqrt((x1 - x0 + pad) * (y1 - y0 + pad) / n);
    g->nx = (int)fmin((x1 - x0) / g->cs + 1, 4096);
    g->ny = (int)fmin((y1 - y0) / g->cs + 1, 4096);
    free(g->head);
    free(g->item);
    g->head = calloc((size_t)g->nx * g->ny + 1, sizeof *g->head);
    g->item = malloc(sizeof *g->item * (size_t)n);
    if (!g->head || !g->item)
        return -1;
    for (int i = 0; i < n; i++)
        g->head[grid_col(g, y[i], y0, g->ny) * g->nx + grid_col(g, x[i], x0, g->nx) + 1]++;
    for (int c = 0; c < g->nx * g->ny; c++)
        g->head[c + 1] += g->head[c];
    int *fill = malloc(sizeof *fill * (size_t)g->nx * g->ny);
    if (!fill)
        return -1;
    memcpy(fill, g->head, sizeof *fill * (size_t)g->nx * g->ny);
    for (int i = 0; i < n; i++)
        g->item[fill[grid_col(g, y[i], y0, g->ny) * g->nx + grid_col(g, x[i], x0, g->nx)]++] = i;
    free(fill);
    return 0;
}

void seed_grid_free(struct seed_grid *g)
{
    free(g->head);
    free(g->item);
    memset(g, 0, sizeof *g);
}

static void grid_scan_cell(const struct seed_grid *g, const double *x, const double *y, int cx,
                           int cy, double px, double py, int *best, double *bd)
{
    if (cx < 0 || cy < 0 || cx >= g->nx || cy >= g->ny)
        return;
    int c = cy * g->nx + cx;
    for (int k = g->head[c]; k < g->head[c + 1]; k++) {
        int i = g->item[k];
        double d = (x[i] - px) * (x[i] - px) + (y[i] - py) * (y[i] - py);
        if (d < *bd || (d == *bd && i < *best)) /* ties: lowest index, for determinism */
            *best = i, *bd = d;
    }
}

/* Index of the point nearest (px, py): rings of cells outward until no
 * unvisited cell can hold anything nearer. */
int seed_grid_nearest(const struct seed_grid *g, const double *x, const double *y, double px,
                      double py)
{
    int cx = grid_col(g, px, g->x0, g->nx), cy = grid_col(g, py, g->y0, g->ny);
    int best = -1, rmax = g->nx > g->ny ? g->nx : g->ny;
    double bd = INFINITY;
    for (int r = 0; r <= rmax; r++) {
        for (int i = -r; i <= r; i++) {
            grid_scan_cell(g, x, y, cx + i, cy - r, px, py, &best, &bd);
            if (r > 0)
                grid_scan_cell(g, x, y, cx + i, cy + r, px, py, &best, &bd);
        }
        for (int j = -r + 1; j <= r - 1; j++) {
            grid_scan_cell(g, x, y, cx - r, cy + j, px, py, &best, &bd);
            grid_scan_cell(g, x, y, cx + r, cy + j, px, py, &best, &bd);
        }
        if (best >= 0 && bd <= (r * g->cs) * (r * g->cs))
            break;
    }
    return best;
}

/* First seeds: samples drawn by weight, without repeats. */
static int seeds_init(struct splitter *z, double *sx, double *sy)
{
    size_t ns = z->s.n > 0 ? (size_t)z->s.n : 1u;
    double *cw = malloc(sizeof *cw * ns);
    char *taken = calloc(ns, 1);
    if (!cw || !taken) {
        free(cw);
        free(taken);
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for seeds");
    }
    double total = 0.0;
    for (int i = 0; i < z->s.n; i++)
        cw[i] = total += z->wt[i];
    for (int k = 0; k < z->n; k++) {
        double u = rng_uniform(z->seed, z->stream, CTR_INIT + (uint64_t)k) * total;
        int lo = 0, hi = z->s.n - 1;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (cw[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        while (taken[lo])
            lo = (lo + 1) % z->s.n;
        taken[lo] = 1;
        sx[k] = z->s.x[lo];
        sy[k] = z->s.y[lo];
    }
    free(cw);
    free(taken);
    return 0;
}

/* Weighted Lloyd relaxation on the samples (a discrete centroidal Voronoi
 * tessellation); leaves every sample assigned to its nearest final seed. */
static int seeds_relax(struct splitter *z, double *sx, double *sy)
{
    double *ax = calloc((size_t)z->n, sizeof *ax), *ay = calloc((size_t)z->n, sizeof *ay);
    double *aw = calloc((size_t)z->n, sizeof *aw);
    struct seed_grid g = {0};
    int rc = ax && ay && aw ? 0 : -1;
    for (int it = 0; rc == 0; it++) {
        if ((rc = seed_grid_build(&g, sx, sy, z->n)) != 0)
            break;
        for (int i = 0; i < z->s.n; i++)
            z->assign[i] = seed_grid_nearest(&g, sx, sy, z->s.x[i], z->s.y[i]);
        if (it == LLOYD_ITERS || z->n == 1)
            break;
        memset(ax, 0, sizeof *ax * (size_t)z->n);
        memset(ay, 0, sizeof *ay * (size_t)z->n);
        memset(aw, 0, sizeof *aw * (size_t)z->n);
        for (int i = 0; i < z->s.n; i++) {
            int k = z->assign[i];
            ax[k] += z->wt[i] * z->s.x[i];
            ay[k] += z->wt[i] * z->s.y[i];
            aw[k] += z->wt[i];
        }
        for (int k = 0; k < z->n; k++)
            if (aw[k] > 0)
                sx[k] = ax[k] / aw[k], sy[k] = ay[k] / aw[k];
    }
    seed_grid_free(&g);
    free(ax);
    free(ay);
    free(aw);
    return rc == 0 ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory relaxing seeds");
}

/* Moves seed k inside the polygon, at least `margin` from its boundary, when
 * its centroid is not (a centroid can fall outside a concave county): to the
 * nearest sample of its own cluster that is. */
static int seed_settle(struct splitter *z, int k, double margin, double *sx, double *sy)
{
    if (mg_rings_inside(&z->rings, sx[k], sy[k])
        && mg_rings_distance(&z->rings, sx[k], sy[k]) >= margin)
        return 0;
    struct cand *c = malloc(sizeof *c * (size_t)z->s.n);
    if (!c)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory settling seeds");
    int nc = 0;
    for (int i = 0; i < z->s.n; i++)
        if (z->assign[i] == k)
            c[nc++] = (struct cand){hypot(z->s.x[i] - sx[k], z->s.y[i] - sy[k]), i};
    qsort(c, (size_t)nc, sizeof *c, mg_cmp_cand);
    int pick = -1;
    double best_margin = -1.0;
    for (int j = 0; j < nc; j++) {
        int i = c[j].i;
        if (!mg_rings_inside(&z->rings, z->s.x[i], z->s.y[i]))
            continue;
        double m = mg_rings_distance(&z->rings, z->s.x[i], z->s.y[i]);
        if (m > best_margin)
            best_margin = m, pick = i;
        if (m >= margin)
            break;
    }
    free(c);
    if (pick < 0)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "no inner sample for seed %d", k);
    sx[k] = z->s.x[pick];
    sy[k] = z->s.y[pick];
    return 0;
}

/* The n seeds of z (local frame) into sx, sy: drawn, relaxed, settled at
 * least a quarter sample spacing inside the polygon; z->w->err set on
 * failure. */
int mg_seeds_place(struct splitter *z, double *sx, double *sy)
{
    int rc = seeds_init(z, sx, sy);
    if (rc == 0)
        rc = seeds_relax(z, sx, sy);
    for (int k = 0; rc == 0 && k < z->n; k++)
        rc = seed_settle(z, k, z->h / 4, sx, sy);
    return rc;
}
