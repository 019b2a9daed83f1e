/* The shared densifier (common/densify.c), used by the map builder and the
 * map loader: pieces never longer than the step, every input point kept
 * exactly and in order, closed rings closed, each edge cut into
 * ceil(length / step) equal pieces, and, from the smaller end, the same
 * points whichever way a ring runs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/densify.h"

#include "fixture.h"

/* Bitwise equality: -0.0 and 0.0 differ, as they would in a file. */
static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A random ring of n points (closed), on a 1/1024 grid half the time, with
 * repeated points and shared x or y now and then. */
static void random_ring(uint64_t *st, double *x, double *y, int n, double scale)
{
    int grid = fx_rnd(st) < 0.5;
    for (int i = 0; i + 1 < n; i++) {
        double u = fx_rnd(st);
        x[i] = i && u < 0.1 ? x[i - 1] : 115.0 + scale * fx_rnd(st);
        y[i] = i && u > 0.9 ? y[i - 1] : 28.0 + scale * fx_rnd(st);
        if (grid)
            x[i] = round(x[i] * 1024) / 1024, y[i] = round(y[i] * 1024) / 1024;
    }
    x[n - 1] = x[0];
    y[n - 1] = y[0];
}

/* Every property densify_coords promises, for one ring and mode. */
static void check_ring(const double *x, const double *y, int n, double step,
                       enum densify_from from)
{
    double *ox, *oy;
    long m = densify_coords(x, y, n, step, from, &ox, &oy);
    cr_assert_geq(m, n);
    cr_assert(same(ox[0], x[0]) && same(oy[0], y[0]), "first point kept");
    cr_assert(same(ox[m - 1], x[n - 1]) && same(oy[m - 1], y[n - 1]), "last point kept");
    cr_assert(same(ox[0], ox[m - 1]) && same(oy[0], oy[m - 1]), "the ring stays closed");
    long j = 0;
    for (int i = 0; i < n; i++) {
        cr_assert(same(ox[j], x[i]) && same(oy[j], y[i]), "point %d kept exactly, in order", i);
        if (i + 1 == n)
            break;
        double len = hypot(x[i + 1] - x[i], y[i + 1] - y[i]);
        long pieces = len > step ? (long)ceil(len / step) : 1;
        cr_assert_leq(j + pieces, m - 1);
        cr_assert(same(ox[j + pieces], x[i + 1]) && same(oy[j + pieces], y[i + 1]),
                  "edge %d: %ld pieces", i, pieces);
        for (long k = 1; k <= pieces; k++) {
            double piece = hypot(ox[j + k] - ox[j + k - 1], oy[j + k] - oy[j + k - 1]);
            /* up to the rounding of the points' coordinates (~116: ulp 1.4e-14) */
            cr_assert_leq(piece, step + 1e-13, "edge %d piece %ld: %.17g > %.17g", i, k, piece,
                          step);
            cr_assert_float_eq(piece, len / pieces, 1e-12 * (1 + len), "equal pieces");
            /* on the edge: no point off the line between its ends */
            double cross = (x[i + 1] - x[i]) * (oy[j + k] - y[i])
                         - (y[i + 1] - y[i]) * (ox[j + k] - x[i]);
            cr_assert_float_eq(cross, 0.0, 1e-12 * (1 + len * len));
        }
        j += pieces;
    }
    cr_assert_eq(j, m - 1, "nothing but the edges' points");
    free(ox);
    free(oy);
}

Test(densify, pieces_short_points_kept_rings_closed)
{
    uint64_t st = 7;
    double x[40], y[40];
    const double steps[] = {0.005, 0.001, 0.05, 0.3};
    for (int t = 0; t < 4000; t++) {
        int n = 4 + (int)(fx_rnd(&st) * 36);
        random_ring(&st, x, y, n, t % 2 ? 0.05 : 1.0);
        double step = steps[t % 4];
        check_ring(x, y, n, step, DENSIFY_FROM_START);
        check_ring(x, y, n, step, DENSIFY_FROM_SMALLER_END);
    }
}

/* The map builder's reason for the mode: a ring and its reverse get the
 * same points, bit for bit, so two townships sharing an edge share its
 * vertices; from the start, the two modes agree on edges that run forward. */
Test(densify, from_the_smaller_end_a_reversed_ring_gets_the_same_points)
{
    uint64_t st = 11;
    double x[40], y[40], rx[40], ry[40];
    for (int t = 0; t < 4000; t++) {
        int n = 4 + (int)(fx_rnd(&st) * 36);
        random_ring(&st, x, y, n, 0.2);
        for (int i = 0; i < n; i++)
            rx[i] = x[n - 1 - i], ry[i] = y[n - 1 - i];
        double *ax, *ay, *bx, *by;
        long m = densify_coords(x, y, n, 0.004, DENSIFY_FROM_SMALLER_END, &ax, &ay);
        long mr = densify_coords(rx, ry, n, 0.004, DENSIFY_FROM_SMALLER_END, &bx, &by);
        cr_assert_eq(m, mr);
        for (long i = 0; i < m; i++)
            cr_assert(same(ax[i], bx[m - 1 - i]) && same(ay[i], by[m - 1 - i]),
                      "ring %d point %ld differs reversed", t, i);
        free(bx);
        free(by);
        long mf = densify_coords(x, y, n, 0.004, DENSIFY_FROM_START, &bx, &by);
        cr_assert_eq(mf, m);
        long j = 0;
        for (int i = 0; i + 1 < n; i++) {
            double len = hypot(x[i + 1] - x[i], y[i + 1] - y[i]);
            long pieces = len > 0.004 ? (long)ceil(len / 0.004) : 1;
            int forward = x[i] < x[i + 1] || (x[i] == x[i + 1] && y[i] <= y[i + 1]);
            for (long k = 0; forward && k <= pieces; k++)
                cr_assert(same(ax[j + k], bx[j + k]) && same(ay[j + k], by[j + k]));
            j += pieces;
        }
        free(ax);
        free(ay);
        free(bx);
        free(by);
    }
}

Test(densify, the_formula_from_the_start)
{
    /* 0.1 -> 1.1 in 0.3 steps: 4 pieces, at 0.25, 0.5, 0.75 exactly as
     * a + f (b - a); k = 0 is a itself. */
    const double x[] = {0.1, 1.1, 1.1, 0.1}, y[] = {0.0, 0.0, 0.001, 0.0};
    double *ox, *oy;
    long m = densify_coords(x, y, 4, 0.3, DENSIFY_FROM_START, &ox, &oy);
    cr_assert_eq(m, 10, "4 + 1 + 4 pieces, and the last point");
    for (int k = 1; k < 4; k++) {
        double f = (double)k / 4;
        cr_assert(same(ox[k], 0.1 + f * (1.1 - 0.1)) && same(oy[k], 0.0));
        /* the way back, from the start (1.1, 0.001) */
        cr_assert(same(ox[5 + k], 1.1 + f * (0.1 - 1.1)));
        cr_assert(same(oy[5 + k], 0.001 + f * (0.0 - 0.001)));
    }
    free(ox);
    free(oy);
}

Test(densify, short_repeated_and_degenerate_input)
{
    double *ox, *oy;
    const double x[] = {1, 1, 1.001, 1}, y[] = {2, 2, 2, 2};
    cr_assert_eq(densify_coords(x, y, 4, 0.01, DENSIFY_FROM_SMALLER_END, &ox, &oy), 4,
                 "no edge longer than the step: unchanged");
    for (int i = 0; i < 4; i++)
        cr_assert(same(ox[i], x[i]) && same(oy[i], y[i]));
    free(ox);
    free(oy);
    cr_assert_eq(densify_coords(x, y, 1, 0.01, DENSIFY_FROM_START, &ox, &oy), 1);
    free(ox);
    free(oy);
    cr_assert_eq(densify_coords(x, y, 0, 0.01, DENSIFY_FROM_START, &ox, &oy), 0);
    cr_assert(ox && oy, "arrays even for no points");
    free(ox);
    free(oy);
    cr_assert_eq(densify_coords(x, y, 4, 0.0, DENSIFY_FROM_START, &ox, &oy), -1);
    cr_assert(!ox && !oy);
    cr_assert_eq(densify_coords(x, y, 4, NAN, DENSIFY_FROM_START, &ox, &oy), -1);
    const double far[] = {0, 1e300}, zero[] = {0, 0};
    cr_assert_eq(densify_coords(far, zero, 2, 1e-300, DENSIFY_FROM_START, &ox, &oy), -1,
                 "more than INT_MAX pieces");
    cr_assert(!ox && !oy);
}
