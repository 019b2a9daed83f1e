/* The planner's exact part on hand-made discretised instances (mip.c,
 * dgreedy.c): a covering instance on which the greedy takes three stations
 * where two suffice, solved to the optimum by GLPK; the same instance
 * stopped by its time limit, which falls back to the greedy and says so;
 * components found and numbered whatever the thread count. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/plan/plan_internal.h"
#include "towncov/coverage.h"
#include "towncov/worker.h"

/* Slot f's atoms: atom a weighs 1 and is covered by the candidates in
 * by[a][0..1] (two each, -1 for none). */
static void set_atoms(struct plan *p, int f, long (*by)[2], long n, double req)
{
    struct plan_atoms *a = &p->atoms[f];
    a->n = n;
    a->w = malloc(sizeof *a->w * (size_t)n);
    a->off = malloc(sizeof *a->off * (size_t)(n + 1));
    a->cand = malloc(sizeof *a->cand * (size_t)(2 * n));
    a->off[0] = 0;
    for (long q = 0; q < n; q++) {
        a->w[q] = 1;
        long m = a->off[q];
        for (int k = 0; k < 2; k++)
            if (by[q][k] >= 0)
                a->cand[m++] = by[q][k];
        a->off[q + 1] = m;
    }
    a->points = n;
    a->req = req;
}

static void plan_init(struct plan *p, int nf, long n_cand, int threads)
{
    struct tc_error err;
    memset(p, 0, sizeof *p);
    p->nf = nf;
    p->n_cand = n_cand;
    p->fixable = calloc((size_t)nf, 1);
    memset(p->fixable, 1, (size_t)nf);
    p->atoms = calloc((size_t)nf, sizeof *p->atoms);
    p->ws = cov_workers_new(threads, 0, &err);
    cr_assert_not_null(p->ws);
}

static void plan_done(struct plan *p)
{
    plan_mip_free(p);
    free(p->fixable);
    tc_workers_free(&p->ws);
}

/* Greedy's classic trap (Vazirani, Approximation Algorithms, ex. 2.13 in
 * spirit): 14 points in two rows of 7; O1 (candidate 0) covers the top
 * row, O2 (1) the bottom one; G1 (2) covers 4 + 4 of them, G2 (3) 2 + 2,
 * G3 (4) 1 + 1. Every point is needed. The greedy takes G1 (8 points
 * against 7), then G2 (4 against 3), then G3 (2 against 1): three
 * stations, where O1 and O2 are the optimum (two; one cannot cover 14). */
static void trap(struct plan *p, int threads)
{
    long by[14][2];
    for (int row = 0; row < 2; row++)
        for (int k = 0; k < 7; k++)
            by[7 * row + k][0] = row, by[7 * row + k][1] = k < 4 ? 2 : k < 6 ? 3 : 4;
    plan_init(p, 1, 5, threads);
    set_atoms(p, 0, by, 14, 14);
}

Test(plan_mip, greedy_takes_three_the_mip_finds_the_two)
{
    struct plan p;
    struct tc_error err;
    trap(&p, 1);
    cr_assert_eq(plan_mip_solve(&p, 10, 0, &err), 0, "%s", err.msg);
    cr_assert_eq(p.mip.n, 1);
    const struct plan_comp *c = &p.mip.c[0];
    cr_assert_eq(c->greedy_size, 3, "the greedy took %ld", c->greedy_size);
    cr_assert_eq(c->status, COMP_OPTIMAL, "%s", c->note);
    cr_assert_eq(c->mip, 2);
    cr_assert_eq(c->bound, 2);
    cr_assert_eq(c->n_chosen, 2);
    cr_assert(c->chosen[0] == 0 && c->chosen[1] == 1, "chose %ld, %ld", c->chosen[0],
              c->chosen[1]);
    plan_done(&p);
}

Test(plan_mip, time_limit_falls_back_to_the_greedy_and_says_not_optimal)
{
    struct plan p;
    struct tc_error err;
    trap(&p, 1);
    cr_assert_eq(plan_mip_solve(&p, 1e-9, 0, &err), 0, "%s", err.msg);
    const struct plan_comp *c = &p.mip.c[0];
    cr_assert_eq(c->status, COMP_TIME_LIMIT, "status %d", c->status);
    cr_assert_eq(c->n_chosen, 3, "the greedy's three stations, not the MIP's");
    cr_assert(c->lp_ok && c->bound == 2, "the bound is the LP's ceiling: %ld", c->bound);
    plan_done(&p);
}

/* Six slots of two points each, both needed; slot f's own candidate f
 * covers both, and: 7 covers those of slots 0 and 1; 8 those of slot 3
 * and the first of 4; 9 the second of 4 and those of 5. Slot 2 stands
 * alone. */
static void chains(struct plan *p, int threads)
{
    plan_init(p, 6, 10, threads);
    long shared[6] = {7, 7, -1, 8, 8, 9}, shared2[6] = {7, 7, -1, 8, 9, 9};
    for (int f = 0; f < 6; f++) {
        long by[2][2] = {{f, shared[f]}, {f, shared2[f]}};
        set_atoms(p, f, by, 2, 2);
    }
}

Test(plan_mip, components_numbered_by_their_first_township_for_any_thread_count)
{
    for (int threads = 1; threads <= 2; threads++) {
        struct plan p;
        struct tc_error err;
        chains(&p, threads);
        cr_assert_eq(plan_mip_solve(&p, 10, 0, &err), 0, "%s", err.msg);
        cr_assert_eq(p.mip.n, 3, "threads %d: %d components", threads, p.mip.n);
        int first[3] = {0, 2, 3}, size[3] = {2, 1, 3};
        for (int q = 0; q < 3; q++) {
            cr_assert_eq(p.mip.c[q].slot[0], first[q]);
            cr_assert_eq(p.mip.c[q].n_slots, size[q]);
            cr_assert_eq(p.mip.c[q].status, COMP_OPTIMAL);
        }
        /* 0-1: candidate 7 alone; 2: its own; 3-4-5: 8 and 9 */
        cr_assert_eq(p.mip.c[0].mip, 1);
        cr_assert_eq(p.mip.c[1].mip, 1);
        cr_assert_eq(p.mip.c[2].mip, 2);
        cr_assert(p.mip.c[2].chosen[0] == 8 && p.mip.c[2].chosen[1] == 9);
        plan_done(&p);
    }
}
