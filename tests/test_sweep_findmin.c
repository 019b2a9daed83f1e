/* test_sweep_findmin.c — --find-min's monotonicity check on probes made by
 * hand: nested placements make real probes monotone (test_sweep.c), so a
 * broken measure can only be built here. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "../sim/sweep/sweep_internal.h"
#include "fixture.h"

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

/* --range 0..N: sites.count = 0 places nothing, which a probe would find
 * only after the others ran. Both ends are checked before any probe: exit
 * 2 naming the range, no output folder, no probe. */
Test(sweep_find_min, a_range_with_a_bad_end_is_refused_before_any_probe)
{
    char dir[256], path[512], args[2048], out[8192];
    fx_tmpdir(dir, sizeof dir);
    const struct fx_township t[] = {
        {"1", "west", "c", "town", "POLYGON((-5000 -5000, 0 -5000, 0 5000, -5000 5000, "
                                   "-5000 -5000))", -2500, 0}};
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, 1);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    fx_write_text(path, "[scenario]\nname = fm\n[map]\nfile = map.shp\n[sites]\n"
                        "strategy = uniform\ncount = 4\n[radio]\nvertices = 16\n");
    snprintf(args, sizeof args, "sweep %s --find-min sites.count --range 0..4 "
             "--out %s/o", path, dir);
    cr_assert_eq(fx_run(args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "towncov: error: --range 0..4: sites.count = 0: ") &&
              strstr(out, "sites.count must be at least 1"), "%s", out);
    cr_assert_null(strstr(out, "member 0"), "a probe ran first: %s", out);
    snprintf(path, sizeof path, "%s/o", dir);
    cr_assert_null(fx_read_file(path, NULL));
    struct stat st;
    cr_assert_neq(stat(path, &st), 0, "the output folder was made");
}
