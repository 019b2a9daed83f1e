/* test_sweep_plotdata.c — what sweep.png shows of a sweep (plotdata.c):
 * the people covered against the station count, as a series beside the
 * area and seat areas, from members made by hand; absent without people. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/sweep/sweep_internal.h"
#include "fixture.h"
#include "towncov/goal_config.h"
#include "towncov/sweep_plot.h"

struct made {
    struct sweep_run run;
    struct sweep_options opt;
    struct goal_config goal;
};

/* Probes of sites.count with these values (in this order), people covered
 * `people[i]` (NaN: the map has no people). */
static void make(struct made *w, const long *value, const double *people, int n)
{
    memset(w, 0, sizeof *w);
    w->run.opt = &w->opt;
    w->run.goal = &w->goal;
    w->run.name = "hand-made";
    w->run.n_townships = 40;
    cr_assert_eq(sweep_table_add_key(&w->run.table, "sites.count", 0), 0);
    struct tc_error err;
    for (int i = 0; i < n; i++) {
        struct sweep_member *m = sweep_table_add_member(&w->run.table, &err);
        cr_assert_not_null(m);
        char text[32];
        snprintf(text, sizeof text, "%ld", value[i]);
        cr_assert_eq(sweep_member_set_probe(m, text), 0);
        m->done = 1;
        m->n_failing = 10 - i;
        m->covered_share = 0.5 + 0.01 * (double)i;
        m->has_seat_areas = 1;
        m->seat_share = 0.8 + 0.01 * (double)i;
        m->has_people = !isnan(people[i]);
        m->people_share = m->has_people ? people[i] : 0.0;
    }
}

/* One series over sites.count whose people_covered column follows the
 * values in x order, whatever order the probes ran in (bisection's). */
Test(sweep_plotdata, people_covered_against_the_station_count)
{
    struct made w;
    const long value[] = {4000, 1000, 2500};
    const double people[] = {0.95, 0.61, 0.88};
    make(&w, value, people, 3);
    struct tc_error err = {0};
    struct sweep_plot_data *d = sweep_plot_data_new(&w.run, &err);
    cr_assert_not_null(d, "%s", err.msg);
    const struct sweep_plot *p = sweep_plot_data_plot(d);
    cr_assert_eq(p->n_series, 1);
    cr_assert_str_eq(p->x_key, "sites.count");
    const struct sweep_plot_series *s = &p->series[0];
    cr_assert_eq(s->n, 3);
    cr_assert_not_null(s->people_covered, "a map with people draws the people's line");
    const double x[] = {1000, 2500, 4000}, want[] = {0.61, 0.88, 0.95};
    for (int k = 0; k < 3; k++) {
        cr_assert_eq(s->x[k], x[k]);
        cr_assert_eq(s->people_covered[k], want[k], "point %d: %g", k, s->people_covered[k]);
    }
    cr_assert_eq(s->seat_covered[0], 0.81); /* the 1000 probe was member 1 */
    sweep_plot_data_free(&d);
    cr_assert_null(d);
    sweep_table_free(&w.run.table);
}

/* Without people the series has no people's line (NULL), so sweep.png
 * looks as it did before people existed. */
Test(sweep_plotdata, no_people_no_line)
{
    struct made w;
    const long value[] = {1000, 2000};
    const double people[] = {NAN, NAN};
    make(&w, value, people, 2);
    struct tc_error err = {0};
    struct sweep_plot_data *d = sweep_plot_data_new(&w.run, &err);
    cr_assert_not_null(d, "%s", err.msg);
    cr_assert_null(sweep_plot_data_plot(d)->series[0].people_covered);
    cr_assert_not_null(sweep_plot_data_plot(d)->series[0].seat_covered);
    sweep_plot_data_free(&d);
    sweep_table_free(&w.run.table);
}

/* Repetitions of one value are averaged, the people's share with the rest. */
Test(sweep_plotdata, repetitions_averaged)
{
    struct made w;
    const long value[] = {3000, 3000, 5000};
    const double people[] = {0.70, 0.80, 0.90};
    make(&w, value, people, 3);
    struct tc_error err = {0};
    struct sweep_plot_data *d = sweep_plot_data_new(&w.run, &err);
    cr_assert_not_null(d, "%s", err.msg);
    const struct sweep_plot_series *s = &sweep_plot_data_plot(d)->series[0];
    cr_assert_eq(s->n, 2);
    cr_assert_float_eq(s->people_covered[0], 0.75, 1e-15);
    cr_assert_float_eq(s->people_covered[1], 0.90, 1e-15);
    sweep_plot_data_free(&d);
    sweep_table_free(&w.run.table);
}
