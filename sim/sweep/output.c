/* output.c — a sweep's files (sweep.csv, sweep_townships.csv, sweep.json,
 * sweep.png) and its terminal table. Only members that ran to the end are
 * written (an interrupted sweep keeps those); every figure but the
 * seconds is a function of the members' values, so a sweep on one rank
 * and on many writes the same files apart from the timings. */
#include "sweep_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/goal_config.h"
#include "towncov/outdir.h"
#include "towncov/report.h"

static FILE *open_in(const struct sweep_run *run, const char *name, char **path,
                     struct tc_error *err)
{
    *path = outdir_join(run->tmp, name);
    if (!*path) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    FILE *f = fopen(*path, "w");
    if (!f)
        tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", *path, strerror(errno));
    return f;
}

static int close_in(FILE *f, char *path, struct tc_error *err)
{
    int rc = tc_fclose_checked(f, path, err);
    free(path);
    return rc;
}

/* ---- sweep.csv: one row a member ---------------------------------------*/
/* Returns -1 when out of memory (the file is then not written). */
static int write_member_row(FILE *f, const struct sweep_table *t, long i)
{
    const struct sweep_member *m = &t->m[i];
    int rc = 0;
    fprintf(f, "%ld", i);
    for (int k = 0; k < t->nkeys; k++) {
        fputc(',', f);
        rc |= report_csv_field(f, sweep_value(t, i, k));
    }
    fprintf(f, ",%ld,%ld,%s,%d,", m->repetition, m->seed, m->goal_met ? "yes" : "no",
            m->n_failing);
    /* a partial --find-min probe knows its verdict, not the shares: empty */
    if (!m->partial)
        fprintf(f, "%.10f", m->covered_share);
    fputc(',', f);
    if (m->has_seat_areas && !m->partial)
        fprintf(f, "%.10f", m->seat_share);
    fputc(',', f);
    if (m->has_people && !m->partial)
        fprintf(f, "%.10f", m->people_share);
    if (m->partial)
        fprintf(f, ",,,%.3f\n", m->seconds);
    else
        fprintf(f, ",%d,%016llx,%.3f\n", m->seats_covered, m->checksum, m->seconds);
    return rc;
}

static int write_csv(const struct sweep_run *run, struct tc_error *err)
{
    char *path;
    FILE *f = open_in(run, "sweep.csv", &path, err);
    if (!f)
        return free(path), -1;
    const struct sweep_table *t = &run->table;
    int bad = 0;
    fputs("member", f);
    for (int k = 0; k < t->nkeys; k++) {
        fputc(',', f);
        bad |= report_csv_field(f, t->keys[k]);
    }
    fputs(",repetition,seed,goal_met,townships_failing,covered_frac,seat_covered_frac,"
          "population_covered_frac,seats_covered,checksum,seconds\n", f);
    for (long i = 0; i < t->n; i++)
        if (t->m[i].done)
            bad |= write_member_row(f, t, i);
    int rc = close_in(f, path, err);
    return rc == 0 && bad ? tc_fail(err, TC_EXIT_RESOURCE, "sweep.csv: out of memory") : rc;
}

/* ---- sweep_townships.csv: each member's townships, member by member -----*/
static const char townships_header[] =
    "member,code,covered_frac,seat_covered_frac,goal_met,population_covered_frac\n";

int sweep_rows_open(struct sweep_run *run, struct tc_error *err)
{
    run->rows_out = open_in(run, "sweep_townships.csv", &run->rows_path, err);
    if (!run->rows_out) {
        free(run->rows_path);
        run->rows_path = NULL;
        return -1;
    }
    fputs(townships_header, run->rows_out);
    return 0;
}

void sweep_rows_stream(struct sweep_run *run, struct sweep_member *m)
{
    if (!run->rows_out)
        return;
    fwrite(m->rows, 1, m->rows_len, run->rows_out); /* a failure shows at fclose */
    free(m->rows);
    m->rows = NULL;
    m->rows_len = 0;
}

void sweep_rows_abandon(struct sweep_run *run)
{
    if (run->rows_out)
        fclose(run->rows_out);
    free(run->rows_path);
    run->rows_out = NULL;
    run->rows_path = NULL;
}

/* Streamed: closes the file. Gathered (MPI): writes every member's rows. */
static int write_townships(struct sweep_run *run, struct tc_error *err)
{
    if (run->rows_out) {
        int rc = close_in(run->rows_out, run->rows_path, err);
        run->rows_out = NULL;
        run->rows_path = NULL;
        return rc;
    }
    char *path;
    FILE *f = open_in(run, "sweep_townships.csv", &path, err);
    if (!f)
        return free(path), -1;
    fputs(townships_header, f);
    const struct sweep_table *t = &run->table;
    for (long i = 0; i < t->n; i++)
        if (t->m[i].done)
            fwrite(t->m[i].rows, 1, t->m[i].rows_len, f);
    return close_in(f, path, err);
}

/* ---- sweep.json ----------------------------------------------------------*/
static void write_json_member(FILE *f, const struct sweep_table *t, long i)
{
    const struct sweep_member *m = &t->m[i];
    fprintf(f, "    {\"member\": %ld, \"values\": {", i);
    for (int k = 0; k < t->nkeys; k++) {
        fputs(k ? ", " : "", f);
        report_json_string(f, t->keys[k]);
        fputs(": ", f);
        report_json_string(f, sweep_value(t, i, k));
    }
    fprintf(f, "}, \"repetition\": %ld, \"seed\": %ld, \"goal_met\": %s, "
            "\"townships_failing\": %d, \"townships_judged\": %d, ", m->repetition, m->seed,
            m->goal_met ? "true" : "false", m->n_failing, m->n_judged);
    /* a partial --find-min probe knows its verdict, not the shares: null */
    if (!m->partial)
        fprintf(f, "\"covered_frac\": %.10f, ", m->covered_share);
    else
        fputs("\"covered_frac\": null, ", f);
    if (m->has_seat_areas && !m->partial)
        fprintf(f, "\"seat_covered_frac\": %.10f, ", m->seat_share);
    else
        fputs("\"seat_covered_frac\": null, ", f);
    if (m->has_people && !m->partial)
        fprintf(f, "\"population_covered_frac\": %.10f, ", m->people_share);
    else
        fputs("\"population_covered_frac\": null, ", f);
    if (m->partial)
        fprintf(f, "\"seats_covered\": null, \"checksum\": null, \"seconds\": %.3f}",
                m->seconds);
    else
        fprintf(f, "\"seats_covered\": %d, \"checksum\": \"%016llx\", \"seconds\": %.3f}",
                m->seats_covered, m->checksum, m->seconds);
}

static void write_json_find_min(FILE *f, const struct sweep_run *run)
{
    const struct sweep_find_min *fm = &run->find_min;
    fputs("  \"find_min\": {\"key\": ", f);
    report_json_string(f, fm->key);
    if (fm->found)
        fprintf(f, ", \"value\": %ld", fm->value);
    else
        fputs(", \"value\": null", f);
    fprintf(f, ", \"goal_met\": %s, \"range\": [%ld, %ld], \"monotone\": %s, \"probes\": [",
            fm->found ? "true" : "false", fm->bottom, fm->top, fm->monotone ? "true" : "false");
    long shown = 0;
    for (long i = 0; i < run->table.n; i++)
        if (run->table.m[i].done)
            fprintf(f, "%s%ld", shown++ ? ", " : "", i);
    fputs("]},\n", f);
}

static int write_json(const struct sweep_run *run, struct tc_error *err)
{
    char *path;
    FILE *f = open_in(run, "sweep.json", &path, err);
    if (!f)
        return free(path), -1;
    const struct sweep_table *t = &run->table;
    fputs("{\n  \"scenario\": ", f);
    report_json_string(f, run->name);
    fputs(",\n  \"scenario_file\": ", f);
    report_json_string(f, run->opt->scenario);
    fputs(",\n  \"keys\": [", f);
    for (int k = 0; k < t->nkeys; k++) {
        fputs(k ? ", " : "", f);
        report_json_string(f, t->keys[k]);
    }
    long done = 0;
    for (long i = 0; i < t->n; i++)
        done += t->m[i].done;
    fprintf(f, "],\n  \"repeat\": %ld,\n  \"members_planned\": %ld,\n  \"members_done\": %ld,\n"
            "  \"interrupted\": %s,\n  \"townships\": %d,\n", t->repeat,
            run->has_find_min ? done : t->n, done, run->interrupted ? "true" : "false",
            run->n_townships);
    fprintf(f, "  \"goal\": {\"seat_area_min_fraction\": %.6f, \"min_covered_fraction\": %.6f},\n",
            run->goal->seat_area_min_fraction, run->goal->min_covered_fraction);
    if (run->has_find_min)
        write_json_find_min(f, run);
    fprintf(f, "  \"threads\": %d,\n  \"ranks\": %d,\n  \"seconds\": {\"load\": %.3f, "
            "\"total\": %.3f},\n  \"members\": [\n", run->opt->threads, run->n_ranks,
            run->load_seconds, run->total_seconds);
    long shown = 0;
    for (long i = 0; i < t->n; i++)
        if (t->m[i].done) {
            fputs(shown++ ? ",\n" : "", f);
            write_json_member(f, t, i);
        }
    fputs("\n  ]\n}\n", f);
    return close_in(f, path, err);
}

int sweep_write_outputs(struct sweep_run *run, struct tc_error *err)
{
    for (long i = 0; i < run->table.n && !run->n_townships; i++)
        if (run->table.m[i].done)
            run->n_townships = run->table.m[i].n_townships;
    char *png = outdir_join(run->tmp, "sweep.png");
    int rc = png ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    if (rc == 0)
        rc = write_csv(run, err);
    if (rc == 0)
        rc = write_townships(run, err);
    if (rc == 0)
        rc = write_json(run, err);
    if (rc == 0)
        rc = sweep_draw_plot(run, png, err);
    free(png);
    return rc;
}

/* ---- the terminal ----------------------------------------------------------*/
/* The width of each key's column (its name or its widest value), measured
 * once for the whole table: w[0..nkeys-1], heap; NULL when out of memory
 * (the columns are then not aligned). */
static int *key_widths(const struct sweep_table *t)
{
    int *w = calloc((size_t)t->nkeys + 1, sizeof *w);
    for (int k = 0; w && k < t->nkeys; k++) {
        w[k] = (int)strlen(t->keys[k]);
        for (long i = 0; i < t->n; i++) {
            const char *v = sweep_value(t, i, k);
            if (v && (int)strlen(v) > w[k])
                w[k] = (int)strlen(v);
        }
    }
    return w;
}

static void print_head(const struct sweep_table *t, const int *w, FILE *out)
{
    fprintf(out, "%6s", "member");
    for (int k = 0; k < t->nkeys; k++)
        fprintf(out, "  %-*s", w ? w[k] : 0, t->keys[k]);
    if (t->repeat > 1)
        fprintf(out, "  %10s", "repetition");
}

static void print_values(const struct sweep_table *t, const int *w, long i, FILE *out)
{
    fprintf(out, "%6ld", i);
    for (int k = 0; k < t->nkeys; k++)
        fprintf(out, "  %-*s", w ? w[k] : 0, sweep_value(t, i, k));
    if (t->repeat > 1)
        fprintf(out, "  %10ld", t->m[i].repetition);
}

int sweep_print_list(const struct sweep_table *t, FILE *out, struct tc_error *err)
{
    int *w = key_widths(t);
    print_head(t, w, out);
    fprintf(out, "  %s\n", "seed");
    long i = 0;
    for (; i < t->n && !tc_interrupted(); i++) {
        print_values(t, w, i, out);
        fprintf(out, "  %ld\n", t->m[i].seed);
    }
    free(w);
    if (i < t->n)
        return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted (%ld of %ld members listed)", i,
                       t->n);
    fprintf(out, "%ld member%s\n", t->n, t->n == 1 ? "" : "s");
    return 0;
}

void sweep_print_table(const struct sweep_run *run, FILE *out)
{
    const struct sweep_table *t = &run->table;
    int *w = key_widths(t);
    print_head(t, w, out);
    fprintf(out, "  %4s  %8s  %8s  %10s  %8s  %8s\n", "goal", "failing", "covered", "seat areas",
            "people", "seconds");
    long done = 0;
    for (long i = 0; i < t->n; i++) {
        const struct sweep_member *m = &t->m[i];
        if (!m->done)
            continue;
        done++;
        print_values(t, w, i, out);
        fprintf(out, "  %4s  %8d  ", m->goal_met ? "met" : "no", m->n_failing);
        if (m->partial) /* its verdict only (findmin.c) */
            fprintf(out, "%8s  ", "-");
        else
            fprintf(out, "%7.2f%%  ", 100 * m->covered_share);
        if (m->has_seat_areas && !m->partial)
            fprintf(out, "%9.2f%%", 100 * m->seat_share);
        else
            fprintf(out, "%10s", "-");
        if (m->has_people && !m->partial)
            fprintf(out, "  %7.2f%%", 100 * m->people_share);
        else
            fprintf(out, "  %8s", "-");
        fprintf(out, "  %8.2f\n", m->seconds);
    }
    fprintf(out, "%ld of %ld members%s; map loaded in %.2f s; %.2f s in all; files in %s\n",
            done, run->has_find_min ? done : t->n, run->interrupted ? " (interrupted)" : "",
            run->load_seconds, run->total_seconds, run->dir);
    free(w);
}
