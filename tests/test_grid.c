/* The envelope grid (sim/common/grid.c) and the footprint index built on it
 * (sim/coverage/index.c), against brute force on seeded random boxes: a
 * query finds every item whose envelope meets the box, each once,
 * ascending; a point's bucket holds every envelope containing it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/grid.h"
#include "towncov/map.h"
#include "fixture.h"

#define NITEM 3000
#define NQUERY 2000

struct boxes {
    long n;
    double b[NITEM][4];
};

static void box_envelope(const void *items, long i, double box[4])
{
    const struct boxes *s = items;
    for (int k = 0; k < 4; k++)
        box[k] = s->b[i][k];
}

static int meets(const double a[4], const double b[4])
{
    return !(a[2] < b[0] || a[0] > b[2] || a[3] < b[1] || a[1] > b[3]);
}

/* A box inside [0, w] x [0, h]: mostly small, some large, some points,
 * some with coordinates on a coarse lattice so that edges touch exactly. */
static void random_box(uint64_t *st, double w, double h, double out[4])
{
    double kind = fx_rnd(st), size = kind < 0.6 ? 0.01 : kind < 0.9 ? 0.1 : 0.5;
    double x0 = w * fx_rnd(st), y0 = h * fx_rnd(st);
    double x1 = fmin(w, x0 + size * w * fx_rnd(st)), y1 = fmin(h, y0 + size * h * fx_rnd(st));
    if (kind > 0.97) { /* a point */
        x1 = x0;
        y1 = y0;
    }
    if (fx_rnd(st) < 0.2) { /* on the lattice */
        x0 = floor(x0 / (w / 50)) * (w / 50);
        y0 = floor(y0 / (h / 50)) * (h / 50);
        x1 = ceil(x1 / (w / 50)) * (w / 50);
        y1 = ceil(y1 / (h / 50)) * (h / 50);
    }
    out[0] = x0;
    out[1] = y0;
    out[2] = x1;
    out[3] = y1;
}

/* Brute force: the items meeting q, ascending. */
static long brute(const struct boxes *s, const double q[4], long *ids)
{
    long n = 0;
    for (long i = 0; i < s->n; i++)
        if (meets(s->b[i], q))
            ids[n++] = i;
    return n;
}

static void check_query(const struct grid *g, const struct boxes *s, const double q[4],
                        long *got, long *want)
{
    long nw = brute(s, q, want);
    long ng = grid_query(g, q, box_envelope, s, got, NITEM);
    cr_assert_eq(ng, nw, "box %g %g %g %g: %ld items, brute force %ld", q[0], q[1], q[2], q[3],
                 ng, nw);
    for (long k = 0; k < ng; k++)
        cr_assert_eq(got[k], want[k], "box %g %g %g %g: item %ld is %ld, brute force %ld", q[0],
                     q[1], q[2], q[3], k, got[k], want[k]);
    cr_assert_geq(grid_load(g, q), ng, "grid_load bounds what grid_query finds");
}

Test(grid, queries_find_every_envelope_meeting_the_box_once_ascending)
{
    static struct boxes s;
    static long got[NITEM], want[NITEM];
    const double w = 60000, h = 25000, extent[4] = {0, 0, w, h};
    uint64_t st = 20261201;
    s.n = NITEM;
    for (long i = 0; i < s.n; i++)
        random_box(&st, w, h, s.b[i]);
    const long cells[] = {1, 37, NITEM, 4 * NITEM};
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
        struct grid g;
        cr_assert_eq(grid_build(&g, extent, cells[c], s.n, box_envelope, &s), 0);
        for (int k = 0; k < NQUERY; k++) {
            double q[4];
            random_box(&st, w, h, q);
            check_query(&g, &s, q, got, want);
        }
        /* An item's own envelope finds it; the whole extent finds all. */
        for (long i = 0; i < s.n; i += 97)
            check_query(&g, &s, s.b[i], got, want);
        check_query(&g, &s, extent, got, want);
        grid_free(&g);
        cr_assert_null(g.start);
    }
}

Test(grid, boxes_reaching_out_of_the_extent_are_clamped_not_lost)
{
    static struct boxes s;
    static long got[NITEM], want[NITEM];
    const double extent[4] = {0, 0, 1000, 1000};
    uint64_t st = 7;
    s.n = 500;
    for (long i = 0; i < s.n; i++)
        random_box(&st, 1000, 1000, s.b[i]);
    struct grid g;
    cr_assert_eq(grid_build(&g, extent, 100, s.n, box_envelope, &s), 0);
    const double q[][4] = {{-500, -500, 10, 10},     {990, 990, 5000, 5000}, {-1e9, -1e9, 1e9, 1e9},
                           {-100, 400, 1100, 600},    {1000, 0, 1000, 1000},  {0, 0, 0, 0}};
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
        check_query(&g, &s, q[k], got, want);
    grid_free(&g);
}

Test(grid, a_short_buffer_gets_the_count_needed)
{
    static struct boxes s;
    long ids[4], want[16];
    const double extent[4] = {0, 0, 100, 100};
    s.n = 10;
    for (long i = 0; i < s.n; i++) {
        double b[4] = {10.0 * (double)i, 0, 10.0 * (double)i + 5, 100};
        for (int k = 0; k < 4; k++)
            s.b[i][k] = b[k];
    }
    struct grid g;
    cr_assert_eq(grid_build(&g, extent, 16, s.n, box_envelope, &s), 0);
    const double q[4] = {0, 40, 100, 60};
    cr_assert_eq(brute(&s, q, want), 10);
    cr_assert_eq(grid_query(&g, q, box_envelope, &s, ids, 4), 10, "the count needed");
    grid_free(&g);
}

Test(grid, a_points_bucket_holds_every_envelope_containing_it)
{
    static struct boxes s;
    const double w = 30000, h = 30000, extent[4] = {0, 0, w, h};
    uint64_t st = 11;
    s.n = NITEM;
    for (long i = 0; i < s.n; i++)
        random_box(&st, w, h, s.b[i]);
    struct grid g;
    cr_assert_eq(grid_build(&g, extent, 4L * NITEM, s.n, box_envelope, &s), 0);
    for (int k = 0; k < NQUERY; k++) {
        double x = w * fx_rnd(&st), y = h * fx_rnd(&st);
        if (k % 10 == 0) { /* on an item's corner */
            long i = (long)(fx_rnd(&st) * (double)s.n);
            x = s.b[i][k % 20 ? 0 : 2];
            y = s.b[i][k % 20 ? 1 : 3];
        }
        long first, last;
        grid_cell(&g, x, y, &first, &last);
        for (long j = first + 1; j < last; j++)
            cr_assert_lt(g.ids[j - 1], g.ids[j], "buckets are ascending");
        const double p[4] = {x, y, x, y};
        for (long i = 0; i < s.n; i++) {
            if (!meets(s.b[i], p))
                continue;
            long j = first;
            while (j < last && g.ids[j] != i)
                j++;
            cr_assert_lt(j, last, "point %g %g: item %ld contains it, not in its bucket", x, y, i);
        }
    }
    long first, last;
    grid_cell(&g, -1, 5, &first, &last);
    cr_assert_eq(last - first, 0, "outside the extent: empty");
    grid_free(&g);
}

/* The footprint index: for each township, every footprint whose envelope
 * meets the township's is a candidate, none twice, ascending. Footprints
 * may reach past the map's extent (the index grows it). */
Test(grid, footprint_index_misses_no_candidate)
{
    enum { NFP = 4000, NT = 300 };
    static double xmin[NFP], ymin[NFP], xmax[NFP], ymax[NFP];
    static long got[NFP], want[NFP];
    uint64_t st = 65000;
    struct tc_footprints fp = {.n = NFP, .xmin = xmin, .ymin = ymin, .xmax = xmax, .ymax = ymax};
    for (long i = 0; i < NFP; i++) {
        double cx = -2000 + 54000 * fx_rnd(&st), cy = -2000 + 44000 * fx_rnd(&st);
        double r = fx_rnd(&st) < 0.9 ? 300 + 1200 * fx_rnd(&st) : 8000 * fx_rnd(&st);
        xmin[i] = cx - r;
        ymin[i] = cy - r;
        xmax[i] = cx + r;
        ymax[i] = cy + r;
    }
    struct tc_map map = {.xmin = 0, .ymin = 0, .xmax = 50000, .ymax = 40000};
    struct cov_index *ix = cov_index_new(&map, &fp);
    cr_assert_not_null(ix);
    for (int t = 0; t < NT; t++) {
        double q[4];
        random_box(&st, 50000, 40000, q);
        long nw = 0;
        for (long i = 0; i < NFP; i++) {
            const double e[4] = {xmin[i], ymin[i], xmax[i], ymax[i]};
            if (meets(e, q))
                want[nw++] = i;
        }
        long ng = cov_index_query(ix, &fp, q[0], q[1], q[2], q[3], got, NFP);
        cr_assert_eq(ng, nw, "township %d: %ld candidates, brute force %ld", t, ng, nw);
        for (long k = 0; k < ng; k++)
            cr_assert_eq(got[k], want[k], "township %d: candidate %ld", t, k);
    }
    cov_index_free(&ix);
    cr_assert_null(ix);
}
