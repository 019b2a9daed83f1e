/* output.c — the plan's files (see plan.h): added_sites.csv,
 * planned_sites.csv (valid sites files), planned.ini and plan.json. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/outdir.h"
#include "towncov/report.h"
#include "towncov/scenario.h"
#include "towncov/sites.h"

#include "plan_output.h"

static FILE *open_in(const char *dir, const char *name, struct tc_error *err)
{
    char *path = outdir_join(dir, name);
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        tc_fail(err, TC_EXIT_OUTPUT, "%s/%s: cannot write: %s", dir, name, strerror(errno));
    free(path);
    return f;
}

static int close_in(FILE *f, const char *dir, const char *name, struct tc_error *err)
{
    char *path = outdir_join(dir, name);
    int rc = tc_fclose_checked(f, path ? path : name, err);
    free(path);
    return rc;
}

static void opt_number(FILE *f, double v)
{
    if (!isnan(v))
        fprintf(f, "%.17g", v);
}

/* One row; the id quoted as RFC 4180 says when it holds a comma, a quote
 * or a line break ("Nanchang, east"), lon, lat with 17 digits, so that a
 * run reads back the id and the doubles. */
static void site_row(FILE *f, const char *id, double lon, double lat,
                     const struct radio_site *rs)
{
    report_csv_field(f, id); /* a failure shows at fclose */
    fprintf(f, ",%.17g,%.17g,", lon, lat);
    if (rs) {
        opt_number(f, rs->height_m);
        fputc(',', f);
        opt_number(f, rs->power_dbm);
        fputc(',', f);
        for (int k = 0; k < rs->n_azimuths; k++)
            fprintf(f, "%s%.17g", k ? ";" : "", rs->azimuth_deg[k]);
        fputc(',', f);
        opt_number(f, rs->tilt_deg);
    } else {
        fputs(",,,", f);
    }
    fputc('\n', f);
}

static const char header[] = "id,lon,lat,height_m,power_dbm,azimuths,tilt_deg\n";

void plan_added_id(const struct plan_result *r, long k, char *buf, size_t size)
{
    long j = r->added[k];
    if (r->cand->id)
        snprintf(buf, size, "%s", r->cand->id[j]);
    else
        snprintf(buf, size, "plan-%ld", j + 1);
}

static void added_rows(FILE *f, const struct plan_result *r)
{
    char id[TC_STR_MAX];
    for (long k = 0; k < r->n_added; k++) {
        long j = r->added[k];
        plan_added_id(r, k, id, sizeof id);
        site_row(f, id, r->cand->lon[j], r->cand->lat[j],
                 r->cand->radio ? &r->cand->radio[j] : NULL);
    }
}

int plan_write_sites(const char *dir, const struct plan_result *r, struct tc_error *err)
{
    FILE *f = open_in(dir, "added_sites.csv", err);
    if (!f)
        return -1;
    fputs(header, f);
    added_rows(f, r);
    if (close_in(f, dir, "added_sites.csv", err) != 0)
        return -1;
    if (!(f = open_in(dir, "planned_sites.csv", err)))
        return -1;
    fputs(header, f);
    char id[32]; /* a generated id: the station's number */
    const struct tc_sites *s = r->existing;
    for (long i = 0; i < s->n; i++)
        site_row(f, sites_id(s, i, id, sizeof id), s->lon[i], s->lat[i],
                 s->radio ? &s->radio[i] : NULL);
    added_rows(f, r);
    return close_in(f, dir, "planned_sites.csv", err);
}

int plan_write_ini(const char *dir, const struct scenario *planned, struct tc_error *err)
{
    FILE *f = open_in(dir, "planned.ini", err);
    if (!f)
        return -1;
    fputs("; written by towncov plan: the scenario with the planned stations\n", f);
    scenario_write(f, planned);
    return close_in(f, dir, "planned.ini", err);
}

/* The components of the discretised instance: how each was solved. */
static void write_components(FILE *f, const struct plan_result *r)
{
    const struct plan *p = r->plan;
    const struct plan_mip *m = &p->mip;
    fprintf(f, "  \"mip_added\": %ld,\n  \"mip_seconds_limit\": %.3f,\n", p->n_fixed,
            m->seconds);
    fprintf(f, "  \"components_optimal\": %d,\n  \"components\": [",
            r->bound.by_status[COMP_OPTIMAL]);
    for (int q = 0; q < m->n; q++) {
        const struct plan_comp *c = &m->c[q];
        fprintf(f, "%s\n    {\"townships\": [", q ? "," : "");
        for (int s = 0; s < c->n_slots; s++) {
            fprintf(f, "%s", s ? ", " : "");
            report_json_string(f, r->map->t[p->town[c->slot[s]]].code);
        }
        fprintf(f, "], \"candidates\": %d, \"atoms\": %ld, \"status\": \"%s\", "
                   "\"optimal\": %s, \"lp_optimum\": ",
                c->n_cand, c->atoms, plan_comp_status_names[c->status],
                c->status == COMP_OPTIMAL ? "true" : "false");
        if (c->lp_ok)
            fprintf(f, "%.6f", c->lp);
        else
            fprintf(f, "null");
        fprintf(f, ", \"mip_optimum\": ");
        if (c->status == COMP_OPTIMAL)
            fprintf(f, "%ld", c->mip);
        else
            fprintf(f, "null");
        fprintf(f, ", \"lower_bound\": %ld, \"greedy_on_samples\": %ld, \"solves_again\": %d, "
                   "\"added\": %ld, \"added_by_greedy\": %ld}",
                c->bound, c->greedy_size, c->rounds, c->added,
                c->status == COMP_OPTIMAL ? c->repaired : c->added);
    }
    fprintf(f, "\n  ],\n");
}

int plan_write_json(const char *dir, const struct plan_result *r, struct tc_error *err)
{
    FILE *f = open_in(dir, "plan.json", err);
    if (!f)
        return -1;
    const struct plan *p = r->plan;
    fprintf(f, "{\n  \"scenario\": ");
    report_json_string(f, r->scenario_path);
    fprintf(f, ",\n  \"failing_before\": %d,\n  \"failing_after_planned\": %d,\n"
               "  \"unfixable\": %d,\n  \"added\": %ld,\n  \"greedy_added\": %ld,\n"
               "  \"dropped\": %ld,\n  \"trimmed\": %ld,\n  \"candidates\": %ld,\n"
               "  \"candidates_from\": ",
            r->failing_before, r->failing_after, r->unfixable, r->n_added, p ? p->n_greedy : 0,
            p ? p->n_dropped : 0, p ? p->n_trimmed : 0, p ? p->n_cand : 0);
    report_json_string(f, r->candidates_from);
    fprintf(f, ",\n  \"spacing_m\": %.3f,\n  \"evaluations\": %ld,\n", r->spacing_m,
            p ? p->evaluations : 0);
    const struct plan_bound *b = &r->bound;
    if (!p)
        fprintf(f, "  \"lower_bound\": null,\n  \"lp_optimum\": null,\n  \"gap_percent\": null,\n");
    else if (p->n_trimmed) /* the bound is on fixing every township */
        fprintf(f, "  \"lower_bound\": %ld,\n  \"lp_optimum\": %.6f,\n  \"gap_percent\": null,\n",
                b->bound, b->lp);
    else
        fprintf(f, "  \"lower_bound\": %ld,\n  \"lp_optimum\": %.6f,\n  \"gap_percent\": %.2f,\n",
                b->bound, b->lp, r->gap_percent);
    fprintf(f, "  \"bound_grid_m\": %.3f,\n  \"bound_points\": %ld,\n", b->step_m, b->points);
    if (p)
        write_components(f, r);
    fprintf(f, "  \"check\": {\"ran\": %s, \"goal_met\": %s},\n", r->check_ran ? "true" : "false",
            r->check_met ? "true" : "false");
    if (r->has_people) /* only with people: other plans write what they did */
        fprintf(f, "  \"population\": %.0f,\n  \"population_covered_before\": %.3f,\n"
                   "  \"population_covered_after\": %.3f,\n", r->people, r->people_before,
                r->check_ran ? r->people_after : r->people_before);
    fprintf(f, "  \"seconds\": {");
    for (int k = 0; k < PLAN_PHASES; k++)
        fprintf(f, "%s\"%s\": %.3f", k ? ", " : "", plan_phase_names[k], r->seconds[k]);
    fprintf(f, "},\n  \"townships\": [");
    for (int s = 0; p && s < p->nf; s++) {
        const struct township *t = &r->map->t[p->town[s]];
        double area = r->seats_area[s];
        fprintf(f, "%s\n    {", s ? "," : "");
        report_json_township(f, t);
        fprintf(f, ", \"seat_area_km2\": %.6f, \"seat_covered_before\": %.6f, "
                   "\"seat_covered_after\": %.6f, \"status\": \"%s\", \"by\": [",
                area / 1e6, area > 0 ? p->before[s] / area : 0, area > 0 ? p->cover[s] / area : 0,
                p->before[s] >= p->need[s] ? "seat area met (fails another condition)"
                : !p->fixable[s]           ? "unfixable"
                : plan_slot_met(p, s)      ? "fixed"
                                           : "not fixed");
        int first = 1;
        char id[TC_STR_MAX];
        for (long k = 0; k < r->n_added; k++) {
            long fid = p->n_exist + r->added[k];
            for (long q = 0; q < p->cur[s].n; q++)
                if (p->cur[s].id[q] == fid) {
                    plan_added_id(r, k, id, sizeof id);
                    fprintf(f, "%s", first ? "" : ", ");
                    report_json_string(f, id);
                    first = 0;
                }
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ]\n}\n");
    return close_in(f, dir, "plan.json", err);
}
