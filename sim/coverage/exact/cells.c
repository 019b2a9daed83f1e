/* cells.c — a uniform grid of cells over the township, classified: the
 * cells its boundary may touch, and the inside of those it misses (see
 * exact_internal.h, struct cellmap). The bucketing grid is one (bucket.c);
 * the deep-edge test keeps a finer one (deep.c). */
#include "exact_internal.h"

#include <math.h>
#include <string.h>

int covx_cells_clear(struct cellmap *m, int *reason)
{
    size_t ncell = (size_t)m->nx * (size_t)m->ny;
    m->cls = buf_get(&m->bufs[CB_CLS], ncell, sizeof *m->cls);
    if (!m->cls)
        return decline(reason, COVX_NOMEM);
    memset(m->cls, 0, ncell);
    return 0;
}

/* Where each township edge crosses the centre line of a row of cells. */
static int row_crossings(struct cellmap *m, const struct covx_load *ld, int *reason)
{
    m->nxr = 0;
    for (int ri = 0; ri < ld->ntring; ri++) {
        const struct ring *r = &ld->rings[ri];
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            double x0 = ld->vx[g], y0 = ld->vy[g], x1 = ld->vx[h], y1 = ld->vy[h];
            int r0 = cell_of(dmin(y0, y1), m->y0, m->inv, m->ny);
            int r1 = cell_of(dmax(y0, y1), m->y0, m->inv, m->ny);
            for (int row = r0; row <= r1; row++) {
                double yr = m->y0 + (row + 0.5) * m->cell;
                if ((y0 <= yr) == (y1 <= yr))
                    continue;
                m->xr = buf_get(&m->bufs[CB_XR], (size_t)m->nxr + 1, sizeof *m->xr);
                if (!m->xr)
                    return decline(reason, COVX_NOMEM);
                m->xr[m->nxr++] = (struct rowx){row, x0 + (yr - y0) * (x1 - x0) / (y1 - y0)};
            }
        }
    }
    return 0;
}

/* Sorts the row crossings by row, then x, into xrs (rows start at
 * rstart[row]). */
static int sort_row_crossings(struct cellmap *m, int *reason)
{
    m->rstart = buf_get(&m->bufs[CB_RSTART], (size_t)m->ny + 1, sizeof *m->rstart);
    m->xrs = buf_get(&m->bufs[CB_XRS], (size_t)m->nxr, sizeof *m->xrs);
    if (!m->rstart || !m->xrs)
        return decline(reason, COVX_NOMEM);
    key_ends(m->rstart, m->ny, m->nxr ? &m->xr[0].row : NULL, sizeof *m->xr, m->nxr);
    for (long i = m->nxr - 1; i >= 0; i--)
        m->xrs[--m->rstart[m->xr[i].row]] = m->xr[i].x;
    for (int row = 0; row < m->ny; row++) {
        double *x = m->xrs + m->rstart[row];
        long k = m->rstart[row + 1] - m->rstart[row];
        for (long i = 1; i < k; i++) {
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
int covx_cells_inside(struct cellmap *m, const struct covx_load *ld, int *reason)
{
    if (row_crossings(m, ld, reason) != 0 || sort_row_crossings(m, reason) != 0)
        return -1;
    for (int row = 0; row < m->ny; row++) {
        const double *x = m->xrs + m->rstart[row];
        long k = m->rstart[row + 1] - m->rstart[row], i = 0;
        for (int cx = 0; cx < m->nx && i < k; cx++) {
            double xc = m->x0 + (cx + 0.5) * m->cell;
            while (i < k && x[i] < xc)
                i++;
            if (i & 1)
                m->cls[(long)row * m->nx + cx] |= CELL_INSIDE;
        }
    }
    return 0;
}

/* The pieces' ends are computed as bucket.c's make_slot computes them, so
 * the same margin covers their rounding. */
void covx_cells_touch(struct cellmap *m, const struct covx_load *ld)
{
    double most = PIECE_CELLS * m->cell;
    for (int ri = 0; ri < ld->ntring; ri++) {
        const struct ring *r = &ld->rings[ri];
        for (long g = r->off, end = r->off + r->n; g < end; g++) {
            long h = g + 1 == end ? r->off : g + 1;
            double x0 = ld->vx[g], y0 = ld->vy[g], x1 = ld->vx[h], y1 = ld->vy[h];
            double len = dmax(fabs(x1 - x0), fabs(y1 - y0));
            long np = len <= most ? 1 : (long)ceil(len / most);
            double xa = x0, ya = y0;
            for (long k = 0; k < np; k++) {
                double xb = x1, yb = y1;
                if (k + 1 < np) {
                    double tb = (double)(k + 1) / (double)np;
                    xb = x0 + tb * (x1 - x0);
                    yb = y0 + tb * (y1 - y0);
                }
                map_mark(m, map_span(m, dmin(xa, xb) - PIECE_MARGIN, dmin(ya, yb) - PIECE_MARGIN,
                                     dmax(xa, xb) + PIECE_MARGIN, dmax(ya, yb) + PIECE_MARGIN),
                         CELL_TOUCHED);
                xa = xb;
                ya = yb;
            }
        }
    }
}
