/* load.c — map_load: the loader's stages in order, then the map's own
 * invariants (areas, unique codes, county numbers). */
#include "map_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_code(const void *a, const void *b)
{
    const struct township *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : x->record - y->record;
}

static int sort_and_check_codes(struct loader *ld, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    qsort(m->t, (size_t)m->n, sizeof *m->t, by_code);
    for (int i = 1; i < m->n; i++)
        if (strcmp(m->t[i].code, m->t[i - 1].code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " and " MAP_REC_FMT " have "
                           "the same code %s", ld->shp_path, MAP_REC(ld, m->t[i - 1].record),
                           MAP_REC(ld, m->t[i].record), m->t[i].code);
    return 0;
}

/* A township's county, as the key that tells counties apart. */
static const char *county_key(const struct township *t)
{
    return t->county_code[0] ? t->county_code : t->county;
}

static int by_county(const void *a, const void *b, void *map)
{
    const struct township *t = ((const struct tc_map *)map)->t;
    int x = *(const int *)a, y = *(const int *)b;
    int d = strcmp(county_key(&t[x]), county_key(&t[y]));
    return d ? d : x - y;
}

/* Numbers the counties 0..n-1 in key order: two counties sharing a name
 * (新华区 in two cities) stay two when the map has county codes. */
static int number_counties(struct tc_map *m, struct tc_error *err)
{
    int *order = malloc(sizeof *order * (size_t)m->n);
    if (!order)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int i = 0; i < m->n; i++)
        order[i] = i;
    qsort_r(order, (size_t)m->n, sizeof *order, by_county, m);
    m->n_counties = 0;
    for (int i = 0; i < m->n; i++) {
        if (i > 0 && strcmp(county_key(&m->t[order[i]]), county_key(&m->t[order[i - 1]])) != 0)
            m->n_counties++;
        m->t[order[i]].county_id = m->n_counties;
    }
    m->n_counties += m->n > 0;
    free(order);
    return 0;
}

/* An invariant of every loaded map: each township has an area. */
static int check_areas(const struct loader *ld, struct tc_error *err)
{
    const struct tc_map *m = ld->map;
    for (int i = 0; i < m->n; i++)
        if (!(m->t[i].area_m2 > 0))
            return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): the township has "
                           "no area after loading", ld->shp_path, MAP_REC(ld, m->t[i].record),
                           m->t[i].code);
    return 0;
}

/* The source CRS and the metric one (PROJ's database: tens of ms) beside
 * the records' reading (shapelib, serial), when there are two threads and
 * the source is a shapefile; the coordinates are checked once both are
 * done. A failing CRS is reported before any record, as when serial. */
static int crs_and_records(struct loader *ld, struct record_job *jobs, struct tc_error *err)
{
    struct tc_error read_err = {0};
    int crs_rc = 0, read_rc = 0;
    if (ld->threads > 1 && !ld->ogr) {
        #pragma omp parallel sections num_threads(2)
        {
            #pragma omp section
            crs_rc = map_setup_crs(ld, err);
            #pragma omp section
            read_rc = map_read_records(ld, jobs, &read_err);
        }
    } else {
        crs_rc = map_setup_crs(ld, err);
        if (crs_rc == 0)
            read_rc = map_read_records(ld, jobs, &read_err);
    }
    if (crs_rc != 0)
        return -1;
    return map_records_finish(ld, jobs, read_rc, &read_err, err);
}

static int read_townships(struct loader *ld, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int n = map_source_count(ld);
    m->t = calloc((size_t)n, sizeof *m->t);
    struct record_job *jobs = calloc((size_t)n, sizeof *jobs);
    int rc = m->t && jobs ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory for %d "
                                        "townships", ld->shp_path, n);
    if (rc == 0)
        rc = crs_and_records(ld, jobs, err);
    if (rc == 0)
        rc = map_build_townships(ld, jobs, err);
    for (int i = 0; jobs && i < n; i++) {
        SHPDestroyObject(jobs[i].obj);
        free(jobs[i].warning);
        shpio_drops_free(&jobs[i].drops);
    }
    free(jobs);
    if (rc != 0 || check_areas(ld, err) != 0 || sort_and_check_codes(ld, err) != 0 ||
        number_counties(m, err) != 0)
        return -1;
    m->xmin = m->ymin = INFINITY;
    m->xmax = m->ymax = -INFINITY;
    for (int i = 0; i < m->n; i++) {
        struct township *t = &m->t[i];
        m->total_area_m2 += t->area_m2;
        m->xmin = fmin(m->xmin, t->xmin);
        m->ymin = fmin(m->ymin, t->ymin);
        m->xmax = fmax(m->xmax, t->xmax);
        m->ymax = fmax(m->ymax, t->ymax);
    }
    return 0;
}

static void loader_close(struct loader *ld)
{
    free(ld->base);
    ogrread_free(&ld->ogr);
    if (ld->shp)
        SHPClose(ld->shp);
    if (ld->dbf)
        DBFClose(ld->dbf);
    proj_destroy(ld->src_to_metric);
    proj_destroy(ld->geo_to_metric);
    if (ld->pj_ctx)
        proj_context_destroy(ld->pj_ctx);
}

/* The loader's stages in order, with ld set up by the caller. */
static struct tc_map *load(struct loader *ld, const char *base_dir, struct tc_error *err)
{
    ld->map = calloc(1, sizeof *ld->map);
    if (!ld->map) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    ld->map->ctx = GEOS_init_r();
    ld->map->repair = ld->cfg->repair;
    ld->pj_ctx = proj_context_create();
    proj_log_level(ld->pj_ctx, PJ_LOG_NONE);
    int rc = map_open_files(ld, base_dir, err);
    snprintf(ld->map->source_file, sizeof ld->map->source_file, "%s", ld->shp_path);
    if (rc == 0)
        rc = map_find_fields(ld, err);
    if (rc == 0)
        rc = read_townships(ld, err);
    loader_close(ld);
    if (rc != 0) {
        free(ld->geo_wkt);
        free(ld->geo_def);
        map_free(&ld->map);
        return NULL;
    }
    ld->map->geo_wkt = ld->geo_wkt;
    ld->map->geo_to_metric_def = ld->geo_def;
    return ld->map;
}

struct tc_map *map_load(const struct map_config *cfg, const char *base_dir, int threads,
                        FILE *warn, struct tc_error *err)
{
    struct loader ld = {.cfg = cfg, .warn = warn, .threads = threads};
    return load(&ld, base_dir, err);
}

struct tc_map *map_load_layer(const struct map_config *cfg, const char *code_key,
                              const char *base_dir, const struct tc_map *onto, int threads,
                              FILE *warn, struct tc_error *err)
{
    struct loader ld = {.cfg = cfg, .warn = warn, .threads = threads,
                        .given_metric = onto->metric_crs, .names_optional = 1,
                        .code_key = code_key};
    return load(&ld, base_dir, err);
}

void map_free(struct tc_map **map)
{
    struct tc_map *m = *map;
    if (!m)
        return;
    for (int i = 0; i < m->n; i++) {
        GEOSGeom_destroy_r(m->ctx, m->t[i].geom);
        free(m->t[i].code);
        free(m->t[i].name);
        free(m->t[i].county);
        free(m->t[i].county_code);
    }
    free(m->t);
    free(m->source_wkt);
    free(m->geo_wkt);
    free(m->geo_to_metric_def);
    GEOS_finish_r(m->ctx);
    free(m);
    *map = NULL;
}
