/* grid.c — uniform grid of envelope buckets (see grid.h). */
#include "towncov/grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells [*a, *b] spanned by [lo, hi] along one axis, clamped to the grid. */
static void span(double lo, double hi, double origin, double size, int n, int *a, int *b)
{
    double fa = floor((lo - origin) / size), fb = floor((hi - origin) / size);
    *a = fa < 0 ? 0 : fa > n - 1 ? n - 1 : (int)fa;
    *b = fb < 0 ? 0 : fb > n - 1 ? n - 1 : (int)fb;
}

static void cells_of(const struct grid *g, const double box[4], int c[4])
{
    span(box[0], box[2], g->x0, g->cw, g->nx, &c[0], &c[2]);
    span(box[1], box[3], g->y0, g->ch, g->ny, &c[1], &c[3]);
}

/* The cells of a grid of about `cells` cells over extent (no buckets). */
static void layout(struct grid *g, const double extent[4], long cells)
{
    memset(g, 0, sizeof *g);
    double w = extent[2] - extent[0], h = extent[3] - extent[1];
    double aspect = w / (h > 1.0 ? h : 1.0);
    double want = cells < 1 ? 1.0 : (double)cells;
    g->nx = (int)fmax(1.0, ceil(sqrt(want * aspect)));
    g->ny = (int)fmax(1.0, ceil(want / g->nx));
    g->x0 = extent[0];
    g->y0 = extent[1];
    /* A hair wider so the extent's far edge falls in the last cell. */
    g->cw = w / g->nx + 1e-6;
    g->ch = h / g->ny + 1e-6;
}

double grid_bytes(const double extent[4], long cells, long n, grid_envelope_fn envelope,
                  const void *items)
{
    struct grid g;
    layout(&g, extent, cells);
    double entries = 0;
    for (long i = 0; i < n; i++) {
        double box[4];
        int c[4];
        envelope(items, i, box);
        cells_of(&g, box, c);
        entries += (double)(c[2] - c[0] + 1) * (double)(c[3] - c[1] + 1);
    }
    /* ids, start and the build's fill counts */
    return sizeof(long) * (entries + 1 + 2.0 * g.nx * (double)g.ny + 1);
}

int grid_build(struct grid *g, const double extent[4], long cells, long n,
               grid_envelope_fn envelope, const void *items)
{
    layout(g, extent, cells);
    long ncell = (long)g->nx * g->ny;
    g->start = calloc((size_t)ncell + 1, sizeof *g->start);
    long *fill = calloc((size_t)ncell, sizeof *fill);
    if (!g->start || !fill) {
        free(fill);
        return -1;
    }
    /* Counting sort in two passes keeps every bucket ascending. */
    for (int pass = 0; pass < 2; pass++) {
        for (long i = 0; i < n; i++) {
            double box[4];
            int c[4];
            envelope(items, i, box);
            cells_of(g, box, c);
            for (int y = c[1]; y <= c[3]; y++)
                for (int x = c[0]; x <= c[2]; x++) {
                    long k = (long)y * g->nx + x;
                    if (pass)
                        g->ids[g->start[k] + fill[k]++] = i;
                    else
                        g->start[k + 1]++;
                }
        }
        if (!pass) {
            for (long k = 0; k < ncell; k++)
                g->start[k + 1] += g->start[k];
            g->ids = malloc(sizeof *g->ids * (size_t)(g->start[ncell] + 1));
            if (!g->ids) {
                free(fill);
                return -1;
            }
        }
    }
    free(fill);
    return 0;
}

void grid_free(struct grid *g)
{
    free(g->start);
    free(g->ids);
    memset(g, 0, sizeof *g);
}

void grid_cell(const struct grid *g, double x, double y, long *first, long *last)
{
    *first = *last = 0;
    double fx = floor((x - g->x0) / g->cw), fy = floor((y - g->y0) / g->ch);
    if (!g->start || fx < 0 || fy < 0 || fx >= g->nx || fy >= g->ny)
        return;
    long k = (long)fy * g->nx + (long)fx;
    *first = g->start[k];
    *last = g->start[k + 1];
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

long grid_load(const struct grid *g, const double box[4])
{
    int q[4];
    cells_of(g, box, q);
    long n = 0;
    for (int y = q[1]; y <= q[3]; y++)
        n += g->start[(long)y * g->nx + q[2] + 1] - g->start[(long)y * g->nx + q[0]];
    return n;
}

long grid_query(const struct grid *g, const double box[4], grid_envelope_fn envelope,
                const void *items, long *ids, long capacity)
{
    int q[4];
    cells_of(g, box, q);
    long n = 0;
    for (int y = q[1]; y <= q[3]; y++)
        for (int x = q[0]; x <= q[2]; x++) {
            long k = (long)y * g->nx + x;
            for (long j = g->start[k]; j < g->start[k + 1]; j++) {
                long i = g->ids[j];
                double e[4];
                int c[4];
                envelope(items, i, e);
                if (e[2] < box[0] || e[0] > box[2] || e[3] < box[1] || e[1] > box[3])
                    continue;
                /* An item spanning several cells is listed in each: report
                 * it from the first cell of the query it occupies. */
                cells_of(g, e, c);
                if ((c[0] > q[0] ? c[0] : q[0]) != x || (c[1] > q[1] ? c[1] : q[1]) != y)
                    continue;
                if (n < capacity)
                    ids[n] = i;
                n++;
            }
        }
    if (n > 1 && n <= capacity)
        qsort(ids, (size_t)n, sizeof *ids, cmp_long);
    return n;
}
