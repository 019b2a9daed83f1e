/* test_sweep_findmin.c — --find-min's monotonicity check on probes made by
 * hand: nested placements make real probes monotone (test_sweep.c), so a
 * broken measure can only be built here; and the partial probes (only the
 * townships failing at a smaller count judged again) against whole ones,
 * through the binary. */
#include <criterion/criterion.h>
#include <math.h>
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

/* A partial probe's shares are unknown (NAN): its failing count alone is
 * checked, and a rise in it is still named. */
Test(sweep_find_min, partial_probes_are_checked_on_their_failing_count)
{
    FILE *log = tmpfile();
    struct sweep_run run;
    struct sweep_options opt;
    const long value[] = {800, 100, 450, 275};
    const int failing[] = {0, 40, 0, 3};
    probes(&run, &opt, log, value, failing, 4, 0);
    for (int i = 2; i < 4; i++) {
        run.table.m[i].partial = 1;
        run.table.m[i].covered_share = run.table.m[i].seat_share = NAN;
    }
    sweep_find_min_check(&run);
    cr_assert(run.find_min.monotone);
    cr_assert_eq(run.find_min.n_warnings, 0);
    run.table.m[2].n_failing = 4; /* 450 fails more than 275 */
    run.table.m[2].goal_met = 0;
    sweep_find_min_check(&run);
    cr_assert_not(run.find_min.monotone);
    char *text = log_text(log);
    cr_assert(strstr(text, "sites.count=275 gives 3 failing; sites.count=450 gives 4 failing\n"),
              "%s", text);
    free(text);
    sweep_table_free(&run.table);
    fclose(log);
}

/* ---- partial probes against whole ones, through the binary ----------------*/

/* 36 square townships of 3 to 11 km on a 16 km grid, towns and townships:
 * the weighted placement fills the small ones first and the large ones
 * late, so the search's failing sets shrink probe by probe. */
static void write_squares_map(const char *dir)
{
    static char wkt[36][160], code[36][12];
    struct fx_township t[36];
    for (int i = 0; i < 36; i++) {
        double cx = -40000.0 + 16000.0 * (i % 6), cy = -40000.0 + 16000.0 * (i / 6);
        double h = (3000.0 + 1000.0 * ((i * 7919) % 9)) / 2;
        snprintf(wkt[i], sizeof wkt[i], "POLYGON((%.0f %.0f, %.0f %.0f, %.0f %.0f, %.0f %.0f, "
                 "%.0f %.0f))", cx - h, cy - h, cx + h, cy - h, cx + h, cy + h, cx - h, cy + h,
                 cx - h, cy - h);
        snprintf(code[i], sizeof code[i], "%d", 100 + i);
        t[i] = (struct fx_township){code[i], code[i], i < 18 ? "c1" : "c2",
                                    i % 3 ? "township" : "town", wkt[i], cx, cy};
    }
    char path[512];
    snprintf(path, sizeof path, "%s/map", dir);
    fx_write_map(path, t, 36);
}

/* Field k (0-based) of a CSV line without quotes, into buf. */
static const char *field_of(const char *line, int k, char *buf, size_t size)
{
    for (int i = 0; i < k && line; i++)
        line = strchr(line, ',') ? strchr(line, ',') + 1 : NULL;
    size_t n = 0;
    while (line && line[n] && line[n] != ',' && line[n] != '\n' && n + 1 < size) {
        buf[n] = line[n];
        n++;
    }
    buf[n] = '\0';
    return buf;
}

/* The line of text starting with prefix, or NULL. */
static const char *line_with(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, n) == 0)
            return l;
    return NULL;
}

/* The same minimum, the same probes with the same verdicts and failing
 * counts, and each township a partial probe judged with exactly the
 * covered fractions the whole probe gave it. */
Test(sweep_find_min, partial_probes_find_what_whole_probes_find, .timeout = 300)
{
    char dir[256], args[2048], out1[1 << 14], out2[1 << 14];
    fx_tmpdir(dir, sizeof dir);
    write_squares_map(dir);
    fx_write_text(fx_path(dir, "s.ini"),
                  "[scenario]\nname = squares\nseed = 5\n[map]\nfile = map.shp\n[sites]\n"
                  "strategy = weighted\ncount = 40\n[radio]\nvertices = 16\n[goal]\n"
                  "seat_area_min_fraction = 0.95\n[raster]\nresolution_m = 0\n");
    snprintf(args, sizeof args, "sweep %s/s.ini --find-min sites.count --threads 2 --out %s/p",
             dir, dir);
    cr_assert_eq(fx_run(args, out1, sizeof out1), 0, "%s", out1);
    snprintf(args, sizeof args, "sweep %s/s.ini --find-min sites.count --full-probes "
             "--threads 2 --out %s/w", dir, dir);
    cr_assert_eq(fx_run(args, out2, sizeof out2), 0, "%s", out2);
    const char *found = strstr(out1, "goal met from ");
    cr_assert_not_null(found, "%s", out1);
    char line[64];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(found, "\n"), found);
    cr_assert(strstr(out2, line), "partial: %s\nwhole: %s", out1, out2);

    char *p = fx_read_file(fx_path(dir, "p/sweep.csv"), NULL);
    char *w = fx_read_file(fx_path(dir, "w/sweep.csv"), NULL);
    char *pt = fx_read_file(fx_path(dir, "p/sweep_townships.csv"), NULL);
    char *wt = fx_read_file(fx_path(dir, "w/sweep_townships.csv"), NULL);
    cr_assert(p && w && pt && wt);
    /* every probe's value and failing count, from the whole search */
    long value[64];
    int failing[64], n = 0;
    for (const char *l = strchr(w, '\n') + 1; *l && n < 64; l = strchr(l, '\n') + 1, n++) {
        char f[64];
        value[n] = atol(field_of(l, 1, f, sizeof f));
        failing[n] = atoi(field_of(l, 5, f, sizeof f));
    }
    int partial = 0, probes = 0, judged_rows = 0;
    const char *lp = strchr(p, '\n') + 1, *lw = strchr(w, '\n') + 1;
    for (; *lp && *lw; lp = strchr(lp, '\n') + 1, lw = strchr(lw, '\n') + 1, probes++) {
        char a[64], b[64];
        for (int k = 0; k < 2; k++) /* member, sites.count */
            cr_assert_str_eq(field_of(lp, k, a, sizeof a), field_of(lw, k, b, sizeof b));
        for (int k = 4; k < 6; k++) /* goal_met, townships_failing */
            cr_assert_str_eq(field_of(lp, k, a, sizeof a), field_of(lw, k, b, sizeof b),
                             "probe %d: %s vs %s", probes, lp, lw);
        cr_assert_str_not_empty(field_of(lw, 6, b, sizeof b), "a whole probe has its share");
        if (field_of(lp, 6, a, sizeof a)[0] != '\0')
            continue;
        partial++;
        /* every township it judged: the whole probe's row, to the digit */
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%s,", field_of(lp, 0, a, sizeof a));
        int rows = 0;
        for (const char *r = line_with(pt, prefix); r; r = line_with(strchr(r, '\n') + 1, prefix)) {
            size_t len = (size_t)(strchr(r, '\n') - r + 1);
            char row[256];
            cr_assert_lt(len, sizeof row);
            memcpy(row, r, len);
            row[len] = '\0';
            cr_assert_not_null(strstr(wt, row), "partial row %s not in the whole probe's", row);
            rows++;
        }
        /* what failed at the largest failing count probed before it and below it,
         * no more (no township
         * of this map meets its seat area within 1e-9 of 95 %) */
        long v = atol(field_of(lp, 1, a, sizeof a)), below = -1;
        for (int i = 0; i < probes && i < n; i++) /* the probes before it */
            if (failing[i] > 0 && value[i] < v && (below < 0 || value[i] > value[below]))
                below = i;
        cr_assert_geq(below, 0);
        cr_assert_eq(rows, failing[below], "probe %d (%ld) judged %d townships, %d failed at %ld",
                     probes, v, rows, failing[below], value[below]);
        judged_rows += rows;
    }
    cr_assert(!*lp && !*lw, "as many probes");
    cr_assert_geq(partial, 3, "partial probes: %d of %d\n%s", partial, probes, p);
    cr_assert_gt(judged_rows, 0, "a partial probe judged something");
    char *json = fx_read_file(fx_path(dir, "p/sweep.json"), NULL);
    cr_assert(strstr(json, "\"monotone\": true") && strstr(json, "\"covered_frac\": null"),
              "%s", json);
    free(json);
    free(p);
    free(w);
    free(pt);
    free(wt);
}
