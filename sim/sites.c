/* sites.c — station placement (see sites.h). */
#include "towncov/sites.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/rng.h"

static const char *const strategy_names[] = {"uniform", "weighted", "seats", "file", NULL};
static const char *const outside_names[] = {"error", "drop", "keep", NULL};

#define WEIGHT_KEY(kind, field, def, what)                                                  \
    {"sites", "weight_" field, KEY_DOUBLE,                                                  \
     offsetof(struct sites_config, weight) + (kind) * sizeof(double), 0, 1e6, NULL, def, "", \
     "weighted/seats: relative station density (per km2) in " what}

const struct key_desc sites_keys[] = {
    {"sites", "strategy", KEY_ENUM, offsetof(struct sites_config, strategy), 0, 0,
     strategy_names, "weighted", "",
     "uniform: area-proportional; weighted: area x kind weight; seats: one at every seat "
     "first, the rest weighted; file: read sites.file"},
    {"sites", "count", KEY_INT, offsetof(struct sites_config, count), 0, 1e15, NULL, "65000",
     "stations", "how many stations to place (ignored by strategy = file)"},
    {"sites", "file", KEY_STRING, offsetof(struct sites_config, file), 0, 0, NULL, "", "",
     "CSV of real sites (strategy = file), relative to the scenario file's folder: "
     "id,lon,lat[,height_m,power_dbm,azimuths,tilt_deg]"},
    WEIGHT_KEY(KIND_SUBDISTRICT, "subdistrict", "8", "subdistricts (urban)"),
    WEIGHT_KEY(KIND_TOWN, "town", "2", "towns"),
    WEIGHT_KEY(KIND_TOWNSHIP, "township", "1", "townships (rural)"),
    WEIGHT_KEY(KIND_SPECIAL, "special", "1", "special zones (farms, development zones)"),
    {"sites", "outside", KEY_ENUM, offsetof(struct sites_config, outside), 0, 0, outside_names,
     "error", "",
     "a file site outside every township: error, drop it (warning), or keep it (it covers "
     "across the border)"},
};
const int sites_nkeys = (int)(sizeof sites_keys / sizeof sites_keys[0]);

/* Rejection sampling gives up after this many tries per site and takes the
 * seat instead (only absurdly thin townships get there). */
#define MAX_TRIES 10000

double sites_bytes_estimate(long count)
{
    return (double)count * (6 * sizeof(double) + sizeof(int));
}

static struct tc_sites *sites_alloc(long n)
{
    struct tc_sites *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    size_t m = (size_t)(n > 0 ? n : 1);
    s->x = malloc(m * sizeof *s->x);
    s->y = malloc(m * sizeof *s->y);
    s->lon = malloc(m * sizeof *s->lon);
    s->lat = malloc(m * sizeof *s->lat);
    s->township = malloc(m * sizeof *s->township);
    if (!s->x || !s->y || !s->lon || !s->lat || !s->township)
        sites_free(&s);
    return s;
}

void sites_free(struct tc_sites **ps)
{
    struct tc_sites *s = *ps;
    if (!s)
        return;
    if (s->id)
        for (long i = 0; i < s->n; i++)
            free(s->id[i]);
    free(s->id);
    free(s->radio);
    free(s->x);
    free(s->y);
    free(s->lon);
    free(s->lat);
    free(s->township);
    free(s);
    *ps = NULL;
}

const char *sites_id(const struct tc_sites *sites, long i, char *buf, size_t size)
{
    if (sites->id)
        return sites->id[i];
    snprintf(buf, size, "%ld", i + 1);
    return buf;
}

/* ---- how many stations each township gets ------------------------------
 * Largest-remainder apportionment of `count` by weight: deterministic, sums
 * exactly to count, ties broken by township order. */
struct remainder { double frac; int t; };

static int by_remainder(const void *a, const void *b)
{
    const struct remainder *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac < y->frac ? 1 : -1;
    return x->t - y->t;
}

static int apportion(const struct tc_map *map, const double *weight, long count, long *quota)
{
    double total = 0;
    for (int t = 0; t < map->n; t++)
        total += weight[t];
    struct remainder *r = malloc(sizeof *r * (size_t)map->n);
    if (!r || total <= 0) {
        free(r);
        return -1;
    }
    long given = 0;
    for (int t = 0; t < map->n; t++) {
        double exact = (double)count * weight[t] / total;
        quota[t] = (long)floor(exact);
        given += quota[t];
        r[t].frac = exact - floor(exact);
        r[t].t = t;
    }
    qsort(r, (size_t)map->n, sizeof *r, by_remainder);
    for (long k = 0; given < count; k = (k + 1) % map->n, given++)
        quota[r[k].t]++;
    free(r);
    return 0;
}

/* ---- drawing points inside a township ----------------------------------*/
static void draw_point(GEOSContextHandle_t ctx, const GEOSPreparedGeometry *prep,
                       const struct township *t, unsigned long long seed, long site,
                       double *x, double *y)
{
    double w = t->xmax - t->xmin, h = t->ymax - t->ymin;
    for (uint64_t k = 0; k < MAX_TRIES; k++) {
        double px = t->xmin + w * rng_uniform(seed, (uint64_t)site, 2 * k);
        double py = t->ymin + h * rng_uniform(seed, (uint64_t)site, 2 * k + 1);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, px, py);
        int inside = GEOSPreparedContainsProperly_r(ctx, prep, pt) == 1;
        GEOSGeom_destroy_r(ctx, pt);
        if (inside) {
            *x = px;
            *y = py;
            return;
        }
    }
    *x = t->seat_x;
    *y = t->seat_y;
}

static int fill_lonlat(struct tc_sites *s, const struct tc_map *map, struct tc_error *err)
{
    struct map_proj *p = map_proj_new(map, err);
    if (!p)
        return -1;
    memcpy(s->lon, s->x, sizeof *s->x * (size_t)s->n);
    memcpy(s->lat, s->y, sizeof *s->y * (size_t)s->n);
    int rc = map_proj_trans(p, 1, s->lon, s->lat, s->n);
    map_proj_free(&p);
    return rc ? tc_fail(err, TC_EXIT_INTERNAL, "PROJ failed on site coordinates") : 0;
}

static struct tc_sites *place_generated(const struct sites_config *cfg, const struct tc_map *map,
                                        unsigned long long seed, int threads, struct tc_error *err)
{
    int n = map->n;
    long seats = cfg->strategy == SITES_SEATS ? n : 0;
    if (cfg->count < seats) {
        tc_fail(err, TC_EXIT_SCENARIO, "sites.strategy = seats needs sites.count >= %d "
                "(one station per township seat), not %ld", n, cfg->count);
        return NULL;
    }
    double *weight = malloc(sizeof *weight * (size_t)n);
    long *quota = calloc((size_t)n, sizeof *quota), *first = malloc(sizeof *first * (size_t)n);
    struct tc_sites *s = weight && quota && first ? sites_alloc(cfg->count) : NULL;
    if (!s) {
        free(weight); free(quota); free(first);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", cfg->count);
        return NULL;
    }
    for (int t = 0; t < n; t++)
        weight[t] = map->t[t].area_m2 * (cfg->strategy == SITES_UNIFORM ? 1.0
                                                                         : cfg->weight[map->t[t].kind]);
    if (apportion(map, weight, cfg->count - seats, quota) != 0) {
        free(weight); free(quota); free(first);
        sites_free(&s);
        tc_fail(err, TC_EXIT_SCENARIO, "sites.weight_* give every township zero weight");
        return NULL;
    }
    /* Seat stations are 0..n-1 (township order), then each township's
     * drawn stations, township after township. */
    long next = seats;
    for (int t = 0; t < n; t++) {
        first[t] = next;
        next += quota[t];
    }
    #pragma omp parallel num_threads(threads)
    {
        GEOSContextHandle_t ctx = NULL;
        #pragma omp critical(towncov_geos_init)
        ctx = GEOS_init_r(); /* contexts are created one at a time */
        #pragma omp for schedule(dynamic, 4)
        for (int t = 0; t < n; t++) {
            const struct township *tw = &map->t[t];
            if (seats) {
                s->x[t] = tw->seat_x;
                s->y[t] = tw->seat_y;
                s->township[t] = t;
            }
            if (!quota[t] || tc_interrupted())
                continue;
            const GEOSPreparedGeometry *prep = GEOSPrepare_r(ctx, tw->geom);
            for (long i = first[t]; i < first[t] + quota[t]; i++) {
                draw_point(ctx, prep, tw, seed, i, &s->x[i], &s->y[i]);
                s->township[i] = t;
            }
            GEOSPreparedGeom_destroy_r(ctx, prep);
        }
        GEOS_finish_r(ctx);
    }
    free(weight);
    free(quota);
    free(first);
    if (tc_interrupted()) {
        sites_free(&s);
        tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while placing sites");
        return NULL;
    }
    if (fill_lonlat(s, map, err) != 0)
        sites_free(&s);
    return s;
}

/* ---- a CSV of real sites -------------------------------------------------*/
struct csv_row { char *field[8]; int n; };

/* Splits line in place on commas (no quoting: ids and numbers only). */
static void split_csv(char *line, struct csv_row *row)
{
    row->n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line;
    while (row->n < 8) {
        row->field[row->n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
}

static int parse_number(const char *text, double *v)
{
    char *end;
    errno = 0;
    while (*text == ' ') text++;
    *v = strtod(text, &end);
    while (*end == ' ') end++;
    return end != text && !*end && !errno && isfinite(*v) ? 0 : -1;
}

static int optional_number(const char *path, long line, const struct csv_row *row, int col,
                           const char *what, double *v, struct tc_error *err)
{
    *v = NAN;
    if (col >= row->n || !row->field[col][0])
        return 0;
    if (parse_number(row->field[col], v) != 0)
        return tc_fail(err, TC_EXIT_SITES, "%s:%ld: %s '%s' is not a number", path, line, what,
                       row->field[col]);
    return 0;
}

static int parse_azimuths(const char *path, long line, const char *text, struct radio_site *rs,
                          struct tc_error *err)
{
    rs->n_azimuths = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, ";/ "); tok; tok = strtok(NULL, ";/ ")) {
        double a;
        if (rs->n_azimuths == RADIO_MAX_SECTORS || parse_number(tok, &a) != 0 || a < 0 || a >= 360)
            return tc_fail(err, TC_EXIT_SITES,
                           "%s:%ld: azimuths '%s' must be up to %d numbers in [0, 360) "
                           "separated by ';'", path, line, text, RADIO_MAX_SECTORS);
        rs->azimuth_deg[rs->n_azimuths++] = a;
    }
    return 0;
}

static int parse_site_row(const char *path, long line, struct csv_row *row, struct tc_sites *s,
                          long i, struct tc_error *err)
{
    if (row->n < 3)
        return tc_fail(err, TC_EXIT_SITES, "%s:%ld: expected id,lon,lat[,height_m,power_dbm,"
                       "azimuths,tilt_deg], found %d field(s)", path, line, row->n);
    if (!row->field[0][0])
        return tc_fail(err, TC_EXIT_SITES, "%s:%ld: empty site id", path, line);
    double lon, lat;
    if (parse_number(row->field[1], &lon) || parse_number(row->field[2], &lat) ||
        fabs(lon) > 180 || fabs(lat) > 90)
        return tc_fail(err, TC_EXIT_SITES, "%s:%ld: lon,lat '%s,%s' are not a longitude and "
                       "latitude in degrees", path, line, row->field[1], row->field[2]);
    s->id[i] = strdup(row->field[0]);
    s->lon[i] = lon;
    s->lat[i] = lat;
    struct radio_site *rs = &s->radio[i];
    if (optional_number(path, line, row, 3, "height_m", &rs->height_m, err) ||
        optional_number(path, line, row, 4, "power_dbm", &rs->power_dbm, err) ||
        optional_number(path, line, row, 6, "tilt_deg", &rs->tilt_deg, err))
        return -1;
    if (row->n > 5 && row->field[5][0] && parse_azimuths(path, line, row->field[5], rs, err))
        return -1;
    if (!s->id[i])
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    return 0;
}

static long count_lines(FILE *f)
{
    long n = 0;
    int c, last = '\n';
    while ((c = getc(f)) != EOF) {
        if (c == '\n')
            n++;
        last = c;
    }
    if (last != '\n')
        n++;
    rewind(f);
    return n;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static int check_unique_ids(const char *path, const struct tc_sites *s, struct tc_error *err)
{
    char ***order = malloc(sizeof *order * (size_t)s->n);
    if (!order)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (long i = 0; i < s->n; i++)
        order[i] = &s->id[i];
    qsort(order, (size_t)s->n, sizeof *order, by_id);
    int rc = 0;
    for (long i = 1; i < s->n && rc == 0; i++)
        if (strcmp(*order[i], *order[i - 1]) == 0)
            rc = tc_fail(err, TC_EXIT_SITES, "%s: site id '%s' appears twice (lines %ld and %ld)",
                         path, *order[i], (long)(order[i - 1] - s->id) + 2,
                         (long)(order[i] - s->id) + 2);
    free(order);
    return rc;
}

struct tc_sites *sites_read_csv(const char *path, struct tc_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        tc_fail(err, TC_EXIT_SITES, "%s: cannot open sites file: %s", path, strerror(errno));
        return NULL;
    }
    long lines = count_lines(f);
    char buf[4096];
    if (lines < 2 || !fgets(buf, sizeof buf, f)) {
        fclose(f);
        tc_fail(err, TC_EXIT_SITES, "%s: no sites (expected a header line id,lon,lat,... and "
                "one line per site)", path);
        return NULL;
    }
    if (strncmp(buf, "id,lon,lat", 10) != 0) {
        fclose(f);
        tc_fail(err, TC_EXIT_SITES, "%s:1: the header must start with id,lon,lat", path);
        return NULL;
    }
    struct tc_sites *s = sites_alloc(lines - 1);
    if (s) {
        s->id = calloc((size_t)s->n, sizeof *s->id);
        s->radio = calloc((size_t)s->n, sizeof *s->radio);
    }
    if (!s || !s->id || !s->radio) {
        fclose(f);
        sites_free(&s);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", lines - 1);
        return NULL;
    }
    long n = 0, line = 1;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f)) {
            tc_fail(err, TC_EXIT_SITES, "%s:%ld: line longer than %zu characters", path, line,
                    sizeof buf - 2);
            goto fail;
        }
        if (strspn(buf, " \t\r\n") == strlen(buf))
            continue; /* blank line */
        struct csv_row row;
        split_csv(buf, &row);
        if (parse_site_row(path, line, &row, s, n, err) != 0)
            goto fail;
        n++;
    }
    fclose(f);
    s->n = n;
    if (n == 0) {
        tc_fail(err, TC_EXIT_SITES, "%s: no sites after the header", path);
        sites_free(&s);
        return NULL;
    }
    if (check_unique_ids(path, s, err) != 0)
        sites_free(&s);
    return s;
fail:
    fclose(f);
    s->n = n + 1; /* free what was read, including the failing row's id */
    sites_free(&s);
    return NULL;
}

/* Projects file sites and finds the township each stands in. */
static int locate_file_sites(const struct sites_config *cfg, const char *path,
                             const struct tc_map *map, struct tc_sites *s, FILE *warn,
                             struct tc_error *err)
{
    struct map_proj *p = map_proj_new(map, err);
    if (!p)
        return -1;
    memcpy(s->x, s->lon, sizeof *s->x * (size_t)s->n);
    memcpy(s->y, s->lat, sizeof *s->y * (size_t)s->n);
    int rc = map_proj_trans(p, 0, s->x, s->y, s->n);
    map_proj_free(&p);
    if (rc)
        return tc_fail(err, TC_EXIT_SITES, "%s: PROJ cannot project the sites", path);
    GEOSContextHandle_t ctx = GEOS_init_r();
    struct map_locator *loc = map_locator_new(map, ctx);
    long kept = 0, i = 0;
    for (; i < s->n; i++) {
        int t = map_locate(loc, s->x[i], s->y[i]);
        if (t < 0 && cfg->outside == SITES_OUTSIDE_ERROR) {
            rc = tc_fail(err, TC_EXIT_SITES, "%s: site '%s' (%.6f, %.6f) is outside every "
                         "township (sites.outside = drop or keep allows it)",
                         path, s->id[i], s->lon[i], s->lat[i]);
            break;
        }
        if (t < 0 && cfg->outside == SITES_OUTSIDE_DROP) {
            if (warn)
                fprintf(warn, "towncov: warning: %s: site '%s' is outside every township; "
                              "dropped\n", path, s->id[i]);
            free(s->id[i]);
            continue;
        }
        s->x[kept] = s->x[i];
        s->y[kept] = s->y[i];
        s->lon[kept] = s->lon[i];
        s->lat[kept] = s->lat[i];
        s->id[kept] = s->id[i];
        s->radio[kept] = s->radio[i];
        s->township[kept++] = t;
    }
    for (long j = i; j < s->n; j++) /* not moved down: still owned here */
        free(s->id[j]);
    s->n = kept;
    map_locator_free(&loc);
    GEOS_finish_r(ctx);
    return rc;
}

struct tc_sites *sites_place(const struct sites_config *cfg, const struct tc_map *map,
                             unsigned long long seed, const char *base_dir, int threads,
                             FILE *warn, struct tc_error *err)
{
    if (cfg->strategy != SITES_FILE)
        return place_generated(cfg, map, seed, threads, err);
    char path[2 * TC_STR_MAX];
    if (cfg->file[0] == '/' || !base_dir || !base_dir[0])
        snprintf(path, sizeof path, "%s", cfg->file);
    else
        snprintf(path, sizeof path, "%s/%s", base_dir, cfg->file);
    struct tc_sites *s = sites_read_csv(path, err);
    if (s && locate_file_sites(cfg, path, map, s, warn, err) != 0)
        sites_free(&s);
    return s;
}
