/* csv.c — townships.csv and sites.csv (see report.h). Rows are formatted
 * into growable text buffers (tc_format_fixed, not printf: millions of
 * stations) and written in order. */
#include "towncov/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/csv.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/keypoints.h"
#include "towncov/map.h"
#include "towncov/run_outcome.h"
#include "towncov/seat.h"
#include "towncov/sites.h"

/* A growable text buffer: CSV rows are formatted into it (one per thread
 * for the stations) and written out in order. */
struct text {
    char *p;
    size_t n, cap;
    int failed; /* out of memory: the file is not written */
};

/* Room for `more` bytes at the end; NULL (and failed set) when out of
 * memory. */
static char *text_room(struct text *t, size_t more)
{
    if (t->failed || tc_reserve((void **)&t->p, &t->cap, t->n + more + 1, 1) != 0) {
        t->failed = 1;
        return NULL;
    }
    return t->p + t->n;
}

static void text_str(struct text *t, const char *s)
{
    size_t len = strlen(s);
    char *p = text_room(t, len);
    if (p) {
        memcpy(p, s, len);
        t->n += len;
    }
}

static void text_char(struct text *t, char c)
{
    char *p = text_room(t, 1);
    if (p)
        p[0] = c, t->n++;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void text_csv(struct text *t, const char *s)
{
    char *p = text_room(t, CSV_QUOTED_MAX(strlen(s)));
    if (p)
        t->n += csv_quote(p, s);
}

int report_csv_field(FILE *out, const char *s)
{
    struct text t = {0};
    text_csv(&t, s);
    int rc = t.failed ? -1 : 0;
    if (rc == 0)
        fwrite(t.p, 1, t.n, out);
    free(t.p);
    return rc;
}

static void text_fixed(struct text *t, double v, int decimals)
{
    char *p = text_room(t, TC_FIXED_MAX);
    if (p)
        t->n += (size_t)tc_format_fixed(p, v, decimals);
}

static void text_int(struct text *t, long v)
{
    char *p = text_room(t, 24);
    if (p)
        t->n += (size_t)snprintf(p, 24, "%ld", v);
}

/* Writes t to f and empties it; -1 when t ran out of memory or f failed. */
static int text_flush(struct text *t, FILE *f)
{
    if (t->failed || (t->n > 0 && fwrite(t->p, 1, t->n, f) != t->n))
        return -1;
    t->n = 0;
    return 0;
}

static int write_text_file(const char *path, struct text *t, struct tc_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    if (t->failed) {
        fclose(f);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", path);
    }
    text_flush(t, f);
    return tc_fclose_checked(f, path, err);
}

static void township_row(struct text *t, const struct run_outcome *run, int i)
{
    const struct township *tw = &run->map->t[i];
    const struct cov_result *r = &run->results[i];
    text_csv(t, tw->code);
    text_char(t, ',');
    text_csv(t, tw->name);
    text_char(t, ',');
    text_csv(t, tw->county);
    text_char(t, ',');
    text_str(t, tc_kind_name(tw->kind));
    text_char(t, ',');
    text_fixed(t, r->area_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->covered_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->covered_frac, 12);
    text_str(t, r->seat_covered ? ",yes," : ",no,");
    text_int(t, r->sites);
    text_str(t, run->verdict->township_met[i] ? ",yes," : ",no,");
    text_fixed(t, tw->seat_lon, 7);
    text_char(t, ',');
    text_fixed(t, tw->seat_lat, 7);
    text_char(t, ',');
    text_int(t, r->footprints);
    text_char(t, ',');
    text_fixed(t, r->seat_area_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->seat_covered_m2 / 1e6, 9);
    text_char(t, ',');
    text_fixed(t, r->seat_covered_frac, 12);
    text_char(t, ',');
    text_int(t, r->key_points);
    text_char(t, ',');
    text_int(t, r->key_points_covered);
    if (run->map->has_population) {
        const long v[3] = {tw->population, tw->urban_population, tw->rural_population};
        for (int k = 0; k < 3; k++) {
            text_char(t, ',');
            text_int(t, v[k]);
        }
        text_char(t, ',');
        text_fixed(t, r->population_covered, 3);
        text_char(t, ',');
        text_fixed(t, r->population_covered_frac, 12);
    }
    text_char(t, '\n');
}

int report_write_csv(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    struct text t = {0};
    text_str(&t, "code,name,county,kind,area_km2,covered_km2,covered_frac,seat_covered,sites,"
                 "goal_met,seat_lon,seat_lat,footprints,seat_area_km2,seat_covered_km2,"
                 "seat_covered_frac,key_points,key_points_covered");
    /* only with people, so that runs without them write what they always did */
    if (run->map->has_population)
        text_str(&t, ",population,urban_population,rural_population,population_covered,"
                     "population_covered_frac");
    text_char(&t, '\n');
    for (int i = 0; i < run->map->n; i++)
        township_row(&t, run, i);
    int rc = write_text_file(path, &t, err);
    free(t.p);
    return rc;
}

/* The rows' radio columns (",band,model,min_range_m,max_range_m") as
 * lately formatted by this thread: on a wide map every station has a
 * shape (and a radio_range_info) of its own, but a kind's stations share
 * the values, so their bytes are reused, not formatted again. */
#define RADIO_TAILS 4

struct radio_tail {
    const char *band, *pathloss;
    double min_m, max_m;
    char text[2 * TC_FIXED_MAX + 2 * 32 + 8];
    size_t n; /* 0: empty */
};

struct radio_tails {
    struct radio_tail t[RADIO_TAILS];
    int next; /* the one a new value replaces */
};

static int same_radio(const struct radio_tail *r, const struct radio_range_info *info)
{
    return r->n > 0 && r->band == info->band && r->pathloss == info->pathloss &&
           memcmp(&r->min_m, &info->min_range_m, sizeof r->min_m) == 0 &&
           memcmp(&r->max_m, &info->max_range_m, sizeof r->max_m) == 0;
}

static void text_radio(struct text *t, struct radio_tails *rt,
                       const struct radio_range_info *info)
{
    for (int k = 0; k < RADIO_TAILS; k++)
        if (same_radio(&rt->t[k], info)) {
            char *p = text_room(t, rt->t[k].n);
            if (p) {
                memcpy(p, rt->t[k].text, rt->t[k].n);
                t->n += rt->t[k].n;
            }
            return;
        }
    size_t at = t->n;
    text_char(t, ',');
    text_str(t, info->band);
    text_char(t, ',');
    text_str(t, info->pathloss);
    text_char(t, ',');
    text_fixed(t, info->min_range_m, 3);
    text_char(t, ',');
    text_fixed(t, info->max_range_m, 3);
    struct radio_tail *r = &rt->t[rt->next];
    if (t->failed || t->n - at > sizeof r->text)
        return; /* not kept: formatted again next time */
    rt->next = (rt->next + 1) % RADIO_TAILS;
    memcpy(r->text, t->p + at, t->n - at);
    r->n = t->n - at;
    r->band = info->band, r->pathloss = info->pathloss;
    r->min_m = info->min_range_m, r->max_m = info->max_range_m;
}

static void site_row(struct text *t, struct radio_tails *radio, const struct run_outcome *run,
                     long i)
{
    const struct tc_sites *s = run->sites;
    int tw = s->township[i];
    const struct radio_range_info *info = footprint_info(run->fp, i);
    if (s->id) {
        text_csv(t, s->id[i]);
    } else { /* i + 1 in digits (as "%ld"; exact in a double) */
        char *p = text_room(t, TC_FIXED_MAX);
        if (p)
            t->n += (size_t)tc_format_fixed(p, (double)(i + 1), 0);
    }
    const double v[4] = {s->lon[i], s->lat[i], s->x[i], s->y[i]};
    for (int k = 0; k < 4; k++) {
        text_char(t, ',');
        text_fixed(t, v[k], k < 2 ? 9 : 4);
    }
    text_char(t, ',');
    text_csv(t, tw >= 0 ? run->map->t[tw].code : "");
    text_char(t, ',');
    text_str(t, tw >= 0 ? tc_kind_name(run->map->t[tw].kind) : "");
    text_radio(t, radio, info);
    if (s->zone) {
        text_char(t, ',');
        text_str(t, sites_zone_name(s->zone[i]));
    }
    text_char(t, '\n');
}

/* Stations are formatted in blocks, each thread a contiguous share into
 * its own buffer, written in station order: millions of rows in seconds,
 * the same bytes for any number of threads. */
#define SITE_BLOCK 262144L

static int write_site_blocks(FILE *f, const struct run_outcome *run, struct text *bufs,
                             int threads)
{
    long n = run->sites->n;
    int failed = 0;
    for (long first = 0; first < n && !failed; first += SITE_BLOCK) {
        long m = n - first < SITE_BLOCK ? n - first : SITE_BLOCK;
        #pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int k = 0; k < threads; k++) {
            struct radio_tails radio = {0};
            for (long i = first + m * k / threads; i < first + m * (k + 1) / threads; i++)
                site_row(&bufs[k], &radio, run, i);
        }
        for (int k = 0; k < threads && !failed; k++)
            failed = text_flush(&bufs[k], f) != 0;
    }
    return failed ? -1 : 0;
}

int report_write_sites_csv(const char *path, const struct run_outcome *run, struct tc_error *err)
{
    int threads = run->threads > 0 ? run->threads : 1;
    struct text *bufs = calloc((size_t)threads, sizeof *bufs);
    FILE *f = bufs ? fopen(path, "w") : NULL;
    if (!f) {
        free(bufs);
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    }
    fputs(run->sites->zone ? "id,lon,lat,x_m,y_m,township,kind,band,model,min_range_m,"
                             "max_range_m,zone\n"
                           : "id,lon,lat,x_m,y_m,township,kind,band,model,min_range_m,"
                             "max_range_m\n", f);
    int failed = write_site_blocks(f, run, bufs, threads);
    int out_of_memory = 0;
    for (int k = 0; k < threads; k++) {
        out_of_memory |= bufs[k].failed;
        free(bufs[k].p);
    }
    free(bufs);
    if (failed && out_of_memory) {
        fclose(f);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", path);
    }
    return tc_fclose_checked(f, path, err);
}

int report_write_key_points_csv(const char *path, const struct run_outcome *run,
                                struct tc_error *err)
{
    const struct tc_key_points *k = run->seats->keys;
    struct text t = {0};
    text_str(&t, "code,kind,lon,lat,township,covered\n");
    for (long i = 0; i < k->n; i++) {
        text_csv(&t, k->code[i]);
        text_char(&t, ',');
        text_csv(&t, k->kind[i]);
        text_char(&t, ',');
        text_fixed(&t, k->lon[i], 7);
        text_char(&t, ',');
        text_fixed(&t, k->lat[i], 7);
        text_char(&t, ',');
        text_csv(&t, run->map->t[k->township[i]].name);
        text_str(&t, k->covered[i] ? ",yes\n" : ",no\n");
    }
    int rc = write_text_file(path, &t, err);
    free(t.p);
    return rc;
}
