/* densify.c — edges cut into pieces no longer than a step (see densify.h). */
#include "towncov/densify.h"

#include "towncov/common.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* Room for `more` points after the first m of *ox, *oy; -1 when memory ran
 * out (the arrays are still the caller's to free). */
static int reserve(double **ox, double **oy, long m, long more, long *cap)
{
    size_t c = (size_t)*cap;
    if (tc_reserve_xy(ox, oy, &c, (size_t)(m + more)) != 0)
        return -1;
    *cap = (long)c;
    return 0;
}

long densify_coords(const double *x, const double *y, long n, double step,
                    enum densify_from from, double **ox, double **oy)
{
    *ox = *oy = NULL;
    if (!(step > 0) || n < 0)
        return -1;
    long cap = n + n / 2 + 16, m = 0;
    *ox = malloc(sizeof **ox * (size_t)cap);
    *oy = malloc(sizeof **oy * (size_t)cap);
    int ok = *ox && *oy;
    for (long i = 0; ok && i < n; i++) {
        int pieces = 1;
        if (i + 1 < n) {
            double len = hypot(x[i + 1] - x[i], y[i + 1] - y[i]);
            if (len > step) {
                double q = ceil(len / step);
                if (!(q <= INT_MAX)) {
                    ok = 0;
                    break;
                }
                pieces = (int)q;
            }
        }
        if (!(ok = reserve(ox, oy, m, pieces, &cap) == 0))
            break;
        (*ox)[m] = x[i];
        (*oy)[m++] = y[i];
        if (pieces == 1)
            continue;
        double ax = x[i], ay = y[i], bx = x[i + 1], by = y[i + 1];
        int forward = ax < bx || (ax == bx && ay <= by);
        if (from == DENSIFY_FROM_START || forward) {
            for (int k = 1; k < pieces; k++) {
                double f = (double)k / pieces;
                (*ox)[m] = ax + f * (bx - ax);
                (*oy)[m++] = ay + f * (by - ay);
            }
        } else { /* from b, the smaller end: b + f (a - b), f = (pieces - k) / pieces */
            for (int k = 1; k < pieces; k++) {
                double f = (double)(pieces - k) / pieces;
                (*ox)[m] = bx + f * (ax - bx);
                (*oy)[m++] = by + f * (ay - by);
            }
        }
    }
    if (!ok) {
        free(*ox);
        free(*oy);
        *ox = *oy = NULL;
        return -1;
    }
    return m;
}
