/* build.c — the map builder's driver (see mapgen.h), in the order it runs:
 *
 * read      counties (read_counties.c) and the township list
 *           (read_townships.c, link.c), or make a synthetic province
 *           (synthetic.c), on one thread: shapelib handles are not
 *           thread-safe
 * clean     per county, in parallel: strip spikes, make valid, drop slivers
 *           (clean.c)
 * simplify  the county borders, all at once so shared borders stay shared
 *           (simplify.c)
 * resolve   where two counties overlap, the county whose code sorts first
 *           keeps the overlap (resolve.c)
 * split     per county, in parallel, owner computes: densify (densify.c);
 *           place one seed per township by weighted Lloyd relaxation on a
 *           grid of samples (sample.c, seeds.c); Voronoi; node the cells with
 *           the county border and keep the faces inside (cells.c); check
 *           that the townships tile the county (check.c); model each
 *           township's seat area (seat_areas.c)
 * overlap   measure how much neighbouring counties still overlap (reported)
 * write     shapefiles into a temporary folder, renamed into place at the end
 *           (write.c); the log (report.c)
 *
 * Randomness is keyed by (seed, hash of the county code, counter), so a
 * county's townships depend only on the seed and that county's data, never
 * on thread count or county order. */
#include "mapgen_internal.h"

#include "towncov/population.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/outdir.h"
#include "towncov/rng.h"

/* The factory's workers (worker.h), serially, each with a mapgen worker
 * as its scratch; NULL with err set. */
static struct tc_workers *workers_new(int n, struct tc_error *err)
{
    struct tc_workers *ws = tc_workers_new(n, NULL, 0, err);
    for (int i = 0; ws && i < ws->n; i++) {
        struct mg_worker *w = calloc(1, sizeof *w);
        if (!w) {
            tc_workers_free(&ws);
            tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
            break;
        }
        w->tw = &ws->w[i];
        geod_init(&w->geod, 6378137.0, 1.0 / 298.257223563);
        ws->w[i].scratch = w;
        ws->w[i].scratch_free = free;
    }
    return ws;
}

/* The county ready to split: densified, checked, measured. */
static int county_finish(struct mg_worker *w, struct county *c)
{
    GEOSContextHandle_t ctx = w->tw->geos;
    GEOSGeometry *dense = mg_densify(ctx, c->geom, DENSIFY_DEG);
    if (!dense)
        return mg_geos_fail(w, "densify");
    mg_destroy(ctx, &c->geom);
    c->geom = dense;
    if (mg_check_valid(w, c->geom, "the densified county") != 0)
        return -1;
    c->area_km2 = mg_geo_area_km2(w, c->geom);
    GEOSGeom_getExtent_r(ctx, c->geom, &c->xmin, &c->ymin, &c->xmax, &c->ymax);
    return 0;
}

/* Hands the cells to the townships: subdistricts (in code order) take the
 * cells nearest the centre, the other kinds the rest in a seeded random
 * order (towns and townships mix in real counties). */
static int county_assign(struct mg_worker *w, struct province *p, struct county *c,
                         struct split *sp, uint64_t seed)
{
    int n = c->n;
    int *order = malloc(sizeof *order * (size_t)n);
    struct cand *rank = malloc(sizeof *rank * (size_t)n);
    if (!order || !rank) {
        free(order);
        free(rank);
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "out of memory");
    }
    int m = 0;
    for (int j = 0; j < n; j++)
        if (p->t[c->first + j].kind == KIND_SUBDISTRICT)
            order[m++] = j;
    int urban = m;
    for (int j = 0; j < n; j++)
        if (p->t[c->first + j].kind != KIND_SUBDISTRICT)
            order[m++] = j;
    for (int j = n - 1; j > urban; j--) { /* Fisher-Yates over the non-urban tail */
        int r = urban + (int)(rng_u64(seed, c->stream, CTR_SHUFFLE + (uint64_t)j)
                              % (uint64_t)(j - urban + 1));
        int tmp = order[j];
        order[j] = order[r];
        order[r] = tmp;
    }
    for (int k = 0; k < n; k++)
        rank[k] = (struct cand){sp->dist[k], k};
    qsort(rank, (size_t)n, sizeof *rank, mg_cmp_cand); /* by distance, then index */
    for (int r = 0; r < n; r++) {
        struct mg_township *t = &p->t[c->first + order[r]];
        int k = rank[r].i;
        t->geom = sp->cell[k];
        sp->cell[k] = NULL;
        t->seat_lon = sp->lon[k];
        t->seat_lat = sp->lat[k];
    }
    free(order);
    free(rank);
    return 0;
}

static int county_clean_at(struct mg_worker *w, struct province *p, int ci, uint64_t seed)
{
    (void)seed;
    return mg_county_clean(w, p, &p->c[ci]);
}

static int county_build(struct mg_worker *w, struct province *p, int ci, uint64_t seed)
{
    struct county *c = &p->c[ci];
    struct split sp = {0};
    if (county_finish(w, c) != 0
        || mg_split_polygon(w, c->geom, c->n, c->n_urban, seed, c->stream, &sp) != 0)
        return -1;
    int rc = county_assign(w, p, c, &sp, seed);
    mg_split_free(w->tw->geos, &sp);
    if (rc == 0)
        rc = mg_county_check(w, p, c);
    for (int j = 0; rc == 0 && j < c->n; j++) {
        p->t[c->first + j].area_km2 = mg_geo_area_km2(w, p->t[c->first + j].geom);
        rc = mg_seat_area(w, &p->t[c->first + j]);
    }
    return rc;
}

typedef int (*county_fn)(struct mg_worker *w, struct province *p, int ci, uint64_t seed);

/* fn on every county, in parallel; a failure is kept in its thread's slot,
 * and the lowest county's is reported, whatever the thread order. */
static int for_counties(struct tc_workers *ws, struct province *p, county_fn fn, uint64_t seed,
                        struct tc_error *err)
{
#pragma omp parallel for num_threads(ws->n) schedule(dynamic, 1)
    for (int i = 0; i < p->nc; i++) {
        struct mg_worker *w = ws->w[omp_get_thread_num()].scratch;
        const struct county *c = &p->c[i];
        w->tw->geos_msg[0] = '\0';
        w->err.exit_code = TC_EXIT_INTERNAL;
        if (fn(w, p, i, seed) != 0)
            tc_worker_failf(w->tw, i, w->err.exit_code ? w->err.exit_code : TC_EXIT_INTERNAL,
                            "county %s (%s): %s", c->code, c->name, w->err.msg);
    }
    return tc_workers_failure(ws, err);
}

/* Clean every county, simplify the borders (if asked), then split. */
static int build_counties(struct tc_workers *ws, struct province *p,
                          const struct mapgen_options *opt, struct mapgen_report *r,
                          struct tc_error *err)
{
    if (for_counties(ws, p, county_clean_at, opt->seed, err) != 0)
        return -1;
    if (opt->simplify_deg > 0
        && mg_counties_simplify(ws->w[0].scratch, p, opt->simplify_deg, r, err) != 0)
        return -1;
    if (mg_counties_resolve(ws, p, r, err) != 0)
        return -1;
    return for_counties(ws, p, county_build, opt->seed, err);
}

static void province_free(GEOSContextHandle_t ctx, struct province *p)
{
    for (int i = 0; p->c && i < p->nc; i++) {
        struct county *c = &p->c[i];
        free(c->code);
        free(c->name);
        free(c->city);
        if (c->shape)
            SHPDestroyObject(c->shape);
        mg_destroy(ctx, &c->geom);
    }
    for (int i = 0; p->t && i < p->nt; i++) {
        free(p->t[i].code);
        free(p->t[i].name);
        free(p->t[i].county_code);
        mg_destroy(ctx, &p->t[i].geom);
        mg_destroy(ctx, &p->t[i].seat_area);
    }
    free(p->c);
    free(p->ogr_label);
    free(p->t);
    memset(p, 0, sizeof *p);
}

static int options_check(const struct mapgen_options *opt, struct tc_error *err)
{
    if (!opt->out_dir || !*opt->out_dir)
        return tc_fail(err, TC_EXIT_USAGE, "no output folder (--out)");
    if (opt->synthetic > 0 && (opt->counties_shp || opt->townships_csv))
        return tc_fail(err, TC_EXIT_USAGE, "--synthetic excludes --counties and --townships");
    if (!(opt->simplify_deg >= 0 && opt->simplify_deg <= 0.1))
        return tc_fail(err, TC_EXIT_USAGE, "--simplify is 0 to 0.1 degrees");
    if (opt->synthetic > MAPGEN_SYNTHETIC_MAX)
        return tc_fail(err, TC_EXIT_USAGE, "--synthetic is at most %ld", MAPGEN_SYNTHETIC_MAX);
    if (opt->synthetic > 0 && opt->population_csv)
        return tc_fail(err, TC_EXIT_USAGE, "--population needs --counties (real county codes)");
    if (opt->synthetic <= 0 && (!opt->counties_shp || !opt->townships_csv))
        return tc_fail(err, TC_EXIT_USAGE, "give --counties and --townships, or --synthetic");
    return 0;
}

static int build_run(struct tc_workers *ws, const struct mapgen_options *opt,
                     struct province *p, struct mapgen_report *r, struct tc_error *err)
{
    double t0 = tc_now();
    /* Before reading anything: a refused folder costs nothing. */
    const char *inputs[] = {opt->counties_shp, opt->townships_csv, opt->population_csv};
    int rc = outdir_check(opt->out_dir, inputs, 3, err);
    struct pop_table *tab = NULL; /* read first: a bad table costs no build */
    if (rc == 0 && opt->population_csv && !(tab = pop_table_read(opt->population_csv, err)))
        rc = -1;
    if (rc == 0 && opt->synthetic > 0) {
        rc = mg_synthetic_read(ws->w[0].scratch, opt->synthetic, opt->seed, p, err);
    } else if (rc == 0) {
        p->shp_path = opt->counties_shp;
        p->csv_path = opt->townships_csv;
        rc = mg_province_read(p, err);
    }
    double t1 = tc_now();
    if (rc == 0)
        rc = build_counties(ws, p, opt, r, err);
    double t2 = tc_now();
    if (rc == 0)
        rc = mg_counties_overlap(ws, p, err);
    if (rc == 0 && tab)
        rc = mg_population(p, tab, err);
    pop_table_free(&tab);
    double t3 = tc_now();
    if (rc == 0)
        rc = mg_write_map(ws->w[0].scratch, p, opt->out_dir, err);
    double t4 = tc_now();
    if (rc == 0) {
        mg_report_fill(p, r);
        r->t_read = t1 - t0, r->t_build = t2 - t1, r->t_overlap = t3 - t2, r->t_write = t4 - t3;
    }
    return rc;
}

int mapgen_build(const struct mapgen_options *opt, struct mapgen_report *rep,
                 struct tc_error *err)
{
    if (options_check(opt, err) != 0)
        return -1;
    int nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    struct tc_workers *ws = workers_new(nthreads, err);
    if (!ws)
        return -1;
    struct province p = {0};
    struct mapgen_report r = {0};
    int rc = build_run(ws, opt, &p, &r, err);
    if (rc == 0 && opt->verbose)
        mg_report_print(opt, &r, nthreads);
    if (rc == 0 && rep)
        *rep = r;
    province_free(ws->w[0].geos, &p); /* before the contexts go */
    tc_workers_free(&ws);
    return rc;
}
