/* The goal stage: the verdict and the order of failing townships, judged on
 * hand-made results (no map file, no run): goal_judge reads the townships'
 * codes and the per-township results only. */
#include <criterion/criterion.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/goal.h"
#include "towncov/map.h"

#define MAXT 8

struct case_map {
    struct township t[MAXT];
    struct tc_map map;
    struct cov_result r[MAXT];
};

/* Township i has code codes[i], covered fraction frac[i] of 1 km2 and its
 * seat covered when seat[i]. */
static void make(struct case_map *c, int n, const char *const *codes, const double *frac,
                 const int *seat)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++) {
        c->t[i].code = (char *)codes[i];
        c->r[i].area_m2 = 1e6;
        c->r[i].covered_m2 = frac[i] * 1e6;
        c->r[i].covered_frac = frac[i];
        c->r[i].seat_covered = seat[i];
    }
    c->map.n = n;
    c->map.t = c->t;
}

static void judge(const struct case_map *c, int seat_covered, double min_frac,
                  struct goal_verdict *v)
{
    struct goal_config cfg = {.seat_covered = seat_covered, .min_covered_fraction = min_frac};
    struct tc_error err = {0};
    cr_assert_eq(goal_judge(&cfg, &c->map, c->r, v, &err), 0, "%s", err.msg);
}

/* Worst first: lowest covered fraction, then seat not covered before
 * covered, then by code; townships meeting the goal are not listed. */
Test(goal, failing_townships_worst_first)
{
    static const char *const codes[] = {"360105", "360101", "360104", "360103", "360102",
                                        "360106", "360107"};
    static const double frac[] = {0.30, 0.30, 0.10, 0.30, 0.95, 0.10, 0.30};
    static const int seat[] = {1, 1, 1, 0, 0, 1, 1};
    struct case_map c;
    make(&c, 7, codes, frac, seat);
    struct goal_verdict v;
    judge(&c, 1, 0.5, &v);
    /* 0.10: 360104, 360106 (both seats covered: by code); 0.30: 360103 (seat
     * not covered) before 360101, 360105, 360107; 0.95 without its seat:
     * 360102 last. */
    static const char *const want[] = {"360104", "360106", "360103", "360101",
                                       "360105", "360107", "360102"};
    cr_assert_eq(v.n_failing, 7);
    cr_assert_not(v.met);
    for (int i = 0; i < v.n_failing; i++)
        cr_assert_str_eq(c.t[v.failing[i]].code, want[i], "failing[%d]", i);
    goal_verdict_free(&v);
}

/* The same results judged under each combination of the two conditions. */
Test(goal, verdict_for_each_combination_of_conditions)
{
    static const char *const codes[] = {"a", "b", "c", "d", "e"};
    /* a: half covered, seat covered   b: just under half, seat covered
     * c: all covered, seat not        d: nothing covered, seat covered
     * e: 60 %, seat not covered */
    static const double frac[] = {0.5, 0.4999999, 1.0, 0.0, 0.6};
    static const int seat[] = {1, 1, 0, 1, 0};
    struct case_map c;
    make(&c, 5, codes, frac, seat);
    struct {
        int seat_covered;
        double min_frac;
        unsigned char met[5];
    } cases[] = {
        {1, 0.5, {1, 0, 0, 0, 0}}, /* both conditions; >= is inclusive */
        {0, 0.5, {1, 0, 1, 0, 1}}, /* area only */
        {1, 0.0, {1, 1, 0, 1, 0}}, /* seat only */
        {0, 0.0, {1, 1, 1, 1, 1}}, /* no condition: every township */
        {0, 1.0, {0, 0, 1, 0, 0}}, /* all of the area */
        {1, 1.0, {0, 0, 0, 0, 0}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct goal_verdict v;
        judge(&c, cases[k].seat_covered, cases[k].min_frac, &v);
        int failing = 0;
        for (int t = 0; t < 5; t++) {
            cr_assert_eq(v.township_met[t], cases[k].met[t], "case %zu (seat %d, >= %g): %s",
                         k, cases[k].seat_covered, cases[k].min_frac, codes[t]);
            failing += !cases[k].met[t];
        }
        cr_assert_eq(v.n_failing, failing, "case %zu", k);
        cr_assert_eq(v.met, failing == 0, "case %zu", k);
        for (int i = 0; i < v.n_failing; i++)
            cr_assert_not(v.township_met[v.failing[i]], "case %zu: listed but met", k);
        goal_verdict_free(&v);
        cr_assert_null(v.failing);
        cr_assert_null(v.township_met);
    }
}

/* Province totals are the sums of the townships', whatever the verdict. */
Test(goal, totals_are_the_townships_sums)
{
    static const char *const codes[] = {"a", "b", "c"};
    static const double frac[] = {0.25, 1.0, 0.0};
    static const int seat[] = {1, 1, 0};
    struct case_map c;
    make(&c, 3, codes, frac, seat);
    c.r[1].area_m2 = 3e6;
    c.r[1].covered_m2 = 3e6;
    struct goal_verdict v;
    judge(&c, 0, 0.2, &v);
    cr_assert_float_eq(v.area_m2, 5e6, 1e-6);
    cr_assert_float_eq(v.covered_m2, 0.25e6 + 3e6, 1e-6);
    cr_assert_eq(v.seats_covered, 2);
    cr_assert_eq(v.n_failing, 1);
    cr_assert_str_eq(c.t[v.failing[0]].code, "c");
    goal_verdict_free(&v);
}

/* Every combination of the goal's keys, on one township that has 96 % of
 * its seat area, 40 % of its area and its seat point covered, and one with
 * 90 %, 80 % and no seat. */
Test(goal, every_combination_of_the_keys)
{
    struct cov_result a = {.area_m2 = 1, .covered_frac = 0.4, .seat_covered = 1,
                           .seat_area_m2 = 1, .seat_covered_frac = 0.96};
    struct cov_result b = {.area_m2 = 1, .covered_frac = 0.8, .seat_covered = 0,
                           .seat_area_m2 = 1, .seat_covered_frac = 0.90};
    for (int mask = 0; mask < 8; mask++) {
        struct goal_config g = {.seat_area_min_fraction = mask & 1 ? 0.95 : 0,
                                .min_covered_fraction = mask & 2 ? 0.5 : 0,
                                .seat_covered = (mask & 4) != 0};
        int want_a = !(mask & 2);            /* a fails only on its area */
        int want_b = !(mask & 1) && !(mask & 4); /* b on its seat area or its seat */
        cr_assert_eq(goal_township_met(&g, &a), want_a, "mask %d, a", mask);
        cr_assert_eq(goal_township_met(&g, &b), want_b, "mask %d, b", mask);
    }
}

Test(goal, the_criterion_in_words)
{
    char w[256];
    struct goal_config g = {.seat_area_min_fraction = 0.95};
    goal_criterion(&g, w, sizeof w);
    cr_assert_str_eq(w, "under 95 % of their seat area covered");
    g.min_covered_fraction = 0.5;
    goal_criterion(&g, w, sizeof w);
    cr_assert_str_eq(w, "without 95 % of their seat area covered and 50 % of their area covered");
    g.seat_covered = 1;
    goal_criterion(&g, w, sizeof w);
    cr_assert_str_eq(w, "without 95 % of their seat area covered, 50 % of their area covered "
                        "and their seat covered");
    g = (struct goal_config){.seat_covered = 1};
    goal_criterion(&g, w, sizeof w);
    cr_assert_str_eq(w, "without their seat covered");
}

/* A seat area of 0 km2 has no share: it is not judged (the seat stage
 * models one outside its township, so this guards the rule itself). */
Test(goal, a_seat_area_of_zero_is_not_judged_as_failing)
{
    struct goal_config cfg = {.seat_area_min_fraction = 0.95};
    struct cov_result r = {.area_m2 = 1e6, .covered_m2 = 1e6, .covered_frac = 1,
                           .seat_covered = 1};
    cr_assert(goal_township_met(&cfg, &r), "0 km2 of seat area judged as failing");
    r.seat_area_m2 = 1e5;
    r.seat_covered_m2 = 0.9e5;
    r.seat_covered_frac = 0.9;
    cr_assert_not(goal_township_met(&cfg, &r));
    r.seat_covered_m2 = 1e5;
    r.seat_covered_frac = 1;
    cr_assert(goal_township_met(&cfg, &r));
}
