/* link.c — the real province: counties and townships read, each township
 * linked to its county, codes checked unique, counts checked against the
 * shapefile's, each county's townships one range. */
#include "mapgen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "towncov/shpio.h"

#define MAX_TOWNSHIPS_PER_COUNTY 100000

static int cmp_county(const void *a, const void *b)
{
    return strcmp(((const struct county *)a)->code, ((const struct county *)b)->code);
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const struct mg_township *)a)->code, ((const struct mg_township *)b)->code);
}

/* County, then code: each county's townships form one range. */
static int cmp_township(const void *a, const void *b)
{
    const struct mg_township *s = a, *t = b;
    if (s->county != t->county)
        return s->county < t->county ? -1 : 1;
    return strcmp(s->code, t->code);
}

/* bsearch's comparison: a code against a county. */
static int code_vs_county(const void *code, const void *c)
{
    return strcmp(code, ((const struct county *)c)->code);
}

/* The county of code (p->c is sorted by code), or -1. */
static int find_county(const struct province *p, const char *code)
{
    const struct county *c = bsearch(code, p->c, (size_t)p->nc, sizeof *p->c, code_vs_county);
    return c ? (int)(c - p->c) : -1;
}

static int check_unique_counties(const struct province *p, struct tc_error *err)
{
    for (int i = 1; i < p->nc; i++)
        if (strcmp(p->c[i - 1].code, p->c[i].code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " MG_REC_FMT ": county code %s repeats "
                           MG_REC_FMT, MG_SRC(p), MG_REC(p, &p->c[i]), p->c[i].code,
                           MG_REC(p, &p->c[i - 1]));
    return 0;
}

/* p->t sorted by code: neighbours with one code are repeats. */
static int check_unique_townships(const struct province *p, struct tc_error *err)
{
    for (int i = 1; i < p->nt; i++) {
        const struct mg_township *a = &p->t[i - 1], *b = &p->t[i];
        if (strcmp(a->code, b->code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s:%d: township code %s repeats line %d",
                           p->csv_path, a->line > b->line ? a->line : b->line, a->code,
                           a->line < b->line ? a->line : b->line);
    }
    return 0;
}

/* The first line (in file order) whose county is not in the shapefile. */
static int check_county_codes(struct province *p, struct tc_error *err)
{
    int bad = -1;
    for (int i = 0; i < p->nt; i++) {
        p->t[i].county = find_county(p, p->t[i].county_code);
        if (p->t[i].county < 0 && (bad < 0 || p->t[i].line < p->t[bad].line))
            bad = i;
    }
    if (bad >= 0)
        return tc_fail(err, TC_EXIT_MAP, "%s:%d: county_code %s has no county in %s",
                       p->csv_path, p->t[bad].line, p->t[bad].county_code, p->shp_path);
    return 0;
}

/* Township ranges per county, counts checked against the shapefile's. */
static int link_ranges(struct province *p, struct tc_error *err)
{
    for (int i = 0; i < p->nc; i++)
        p->c[i].first = -1;
    for (int i = 0; i < p->nt; i++) {
        struct county *c = &p->c[p->t[i].county];
        if (c->first < 0)
            c->first = i;
        c->n++;
        c->n_urban += p->t[i].kind == KIND_SUBDISTRICT;
    }
    for (int i = 0; i < p->nc; i++) {
        struct county *c = &p->c[i];
        if (c->n == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " MG_REC_FMT ": county %s (%s) has no "
                           "townships in %s", MG_SRC(p), MG_REC(p, c), c->code, c->name,
                           p->csv_path);
        if (c->declared >= 0 && c->declared != c->n)
            return tc_fail(err, TC_EXIT_MAP, "%s: " MG_REC_FMT ": county %s (%s) says it "
                           "has %d townships but %s lists %d", MG_SRC(p), MG_REC(p, c),
                           c->code, c->name, c->declared, p->csv_path, c->n);
        if (c->n > MAX_TOWNSHIPS_PER_COUNTY)
            return tc_fail(err, TC_EXIT_RESOURCE, "county %s has %d townships (at most %d)",
                           c->code, c->n, MAX_TOWNSHIPS_PER_COUNTY);
    }
    return 0;
}

static int link_townships(struct province *p, struct tc_error *err)
{
    qsort(p->c, (size_t)p->nc, sizeof *p->c, cmp_county);
    qsort(p->t, (size_t)p->nt, sizeof *p->t, cmp_code);
    if (check_unique_counties(p, err) != 0 || check_unique_townships(p, err) != 0
        || check_county_codes(p, err) != 0)
        return -1;
    qsort(p->t, (size_t)p->nt, sizeof *p->t, cmp_township);
    return link_ranges(p, err);
}

int mg_province_read(struct province *p, struct tc_error *err)
{
    if (mg_counties_read(p, err) != 0 || mg_townships_read(p, err) != 0)
        return -1;
    return link_townships(p, err);
}
