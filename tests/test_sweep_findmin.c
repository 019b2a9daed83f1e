/* test_sweep_findmin.c — --find-min's monotonicity check on probes made by
 * hand: nested placements make real probes monotone (test_sweep.c), so a
 * broken measure can only be built here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim/sweep/sweep_internal.h"

/* A table of probes of sites.count with these values and failing counts
 * (covered shares rising with the value, but for probe 2's with `dip`). */
static void probes(struct sweep_run *run, struct sweep_options *opt, FILE *log,
                   const long *value, const int *failing, int n, int dip)
{
    memset(run, 0, sizeof *run);
    memset(opt, 0, sizeof *opt);
    opt->log = log;
    run->opt = opt;
    run->find_min.key = "sites.count";
    cr_assert_eq(sweep_table_add_key(&run->table, "sites.count", 0), 0);
    struct tc_error err;
    for (int i = 0; i < n; i++) {
        struct sweep_member *m = sweep_table_add_member(&run->table, &err);
        cr_assert_not_null(m);
        char text[32];
        snprintf(text, sizeof text, "%ld", value[i]);
        cr_assert_eq(sweep_member_set_probe(m, text), 0);
        m->done = 1;
        m->n_failing = failing[i];
        m->goal_met = failing[i] == 0;
        m->covered_share = dip && i == 2 ? 0.1 : 0.5 + value[i] * 1e-6;
        m->seat_share = m->covered_share;
    }
}

static char *log_text(FILE *log)
{
    fflush(log);
    long n = ftell(log);
    rewind(log);
    char *text = calloc(1, (size_t)n + 1);
    cr_assert_eq(fread(text, 1, (size_t)n, log), (size_t)n);
    return text;
}

Test(sweep_find_min, monotone_probes_in_any_order_give_no_warning)
{
    FILE *log = tmpfile();
    struct sweep_run run;
    struct sweep_options opt;
    /* probe order as bisection runs them: top, bottom, then between */
    const long value[] = {800, 100, 450, 275, 362};
    const int failing[] = {0, 40, 0, 3, 1};
    probes(&run, &opt, log, value, failing, 5, 0);
    sweep_find_min_check(&run);
    cr_assert(run.find_min.monotone);
    cr_assert_eq(run.find_min.n_warnings, 0);
    char *text = log_text(log);
    cr_assert_str_empty(text);
    free(text);
    sweep_table_free(&run.table);
    fclose(log);
}

Test(sweep_find_min, a_rise_in_failing_or_a_dip_in_coverage_is_named)
{
    FILE *log = tmpfile();
    struct sweep_run run;
    struct sweep_options opt;
    const long value[] = {800, 100, 450, 275};
    const int failing[] = {0, 40, 5, 3}; /* 450 fails more than 275 */
    probes(&run, &opt, log, value, failing, 4, 0);
    sweep_find_min_check(&run);
    cr_assert_not(run.find_min.monotone);
    cr_assert_eq(run.find_min.n_warnings, 1);
    char *text = log_text(log);
    cr_assert(strstr(text, "not monotone: sites.count=275 gives 3 failing") &&
              strstr(text, "sites.count=450 gives 5 failing"), "%s", text);
    free(text);
    sweep_table_free(&run.table);
    fclose(log);

    log = tmpfile();
    const int fine[] = {0, 40, 0, 3};
    probes(&run, &opt, log, value, fine, 4, 1); /* 450 covers less than 275 */
    sweep_find_min_check(&run);
    cr_assert_not(run.find_min.monotone);
    text = log_text(log);
    cr_assert(strstr(text, "sites.count=275 gives 3 failing, 50.0275% covered; "
                           "sites.count=450 gives 0 failing, 10.0000% covered"), "%s", text);
    free(text);
    sweep_table_free(&run.table);
    fclose(log);
}
