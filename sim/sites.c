/* sites.c — station placement (see sites.h). */
#include "towncov/sites.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "towncov/csv.h"
#include "towncov/map.h"
#include "towncov/rng.h"
#include "towncov/textenc.h"

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
     "CSV of real sites (strategy = file), relative to the scenario file's folder: columns "
     "id, lon, lat and optional height_m, power_dbm, azimuths, tilt_deg, found by name"},
    {"sites", "encoding", KEY_ENCODING, offsetof(struct sites_config, encoding), 0, 0, NULL,
     "auto", "",
     "text encoding of sites.file: auto (UTF-8 with a byte-order mark or when the whole file "
     "is valid UTF-8, else GBK), utf-8, gbk, or any iconv name (big5, latin1...)"},
    {"sites", "id_field", KEY_STRING, offsetof(struct sites_config, id_field), 0, 0, NULL, "id",
     "", "column of sites.file holding the station id (any text, kept whole; e.g. cell)"},
    {"sites", "lon_field", KEY_STRING, offsetof(struct sites_config, lon_field), 0, 0, NULL, "",
     "", "column holding the longitude (degrees); empty: lon, lng or longitude"},
    {"sites", "lat_field", KEY_STRING, offsetof(struct sites_config, lat_field), 0, 0, NULL, "",
     "", "column holding the latitude (degrees); empty: lat or latitude"},
    {"sites", "filter", KEY_STRING, offsetof(struct sites_config, filter), 0, 0, NULL, "", "",
     "COLUMN=VALUE: read only the rows of sites.file whose COLUMN equals VALUE "
     "(case-insensitive), e.g. radio=NR; empty: every row"},
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

/* Names a coordinate column goes by when sites.lon_field/lat_field are
 * empty. Not "x"/"y": tools write projected metres under those names. */
static const char *const lon_names[] = {"lon", "lng", "longitude", NULL};
static const char *const lat_names[] = {"lat", "latitude", NULL};

/* The optional per-station columns, by name. */
enum { OPT_HEIGHT, OPT_POWER, OPT_AZIMUTHS, OPT_TILT, NOPT };
static const char *const opt_names[NOPT] = {"height_m", "power_dbm", "azimuths", "tilt_deg"};

/* Where each column the sites file is read through stands (-1: absent). */
struct site_cols {
    int id, lon, lat, opt[NOPT];
    int filter;                         /* -1: no sites.filter */
    char filter_col[TC_STR_MAX], filter_value[TC_STR_MAX];
};

/* Bytes of s shown in a message: long fields are cut, on a character. */
static int shown(const char *s)
{
    return (int)textenc_utf8_prefix(s, strlen(s), 80);
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

static int optional_number(struct csv_reader *r, int col, double *v, struct tc_error *err)
{
    *v = NAN;
    const char *text = csv_field(r, col);
    if (col < 0 || !text[0])
        return 0;
    if (parse_number(text, v) != 0)
        return csv_fail(r, err, "%s '%.*s' is not a number", csv_col_name(r, col), shown(text),
                        text);
    return 0;
}

/* "0;120;240" (or '/' or blanks between) into rs->azimuth_deg. */
static int parse_azimuths(struct csv_reader *r, int col, struct radio_site *rs,
                          struct tc_error *err)
{
    rs->n_azimuths = 0;
    const char *text = csv_field(r, col);
    if (col < 0 || !text[0])
        return 0;
    char *copy = strdup(text), *save = NULL;
    if (!copy)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    int rc = 0;
    for (char *tok = strtok_r(copy, ";/ ", &save); tok && rc == 0;
         tok = strtok_r(NULL, ";/ ", &save)) {
        double a;
        if (rs->n_azimuths == RADIO_MAX_SECTORS || parse_number(tok, &a) != 0 || a < 0 || a >= 360)
            rc = csv_fail(r, err, "azimuths '%.*s' must be up to %d numbers in [0, 360) "
                          "separated by ';'", shown(text), text, RADIO_MAX_SECTORS);
        else
            rs->azimuth_deg[rs->n_azimuths++] = a;
    }
    free(copy);
    return rc;
}

/* Site i from the current row. The id is copied last, so that a refused
 * row leaves nothing to free. */
static int parse_site_row(struct csv_reader *r, const struct site_cols *c, struct tc_sites *s,
                          long i, struct tc_error *err)
{
    const int need[3] = {c->id, c->lon, c->lat};
    for (int k = 0; k < 3; k++)
        if (need[k] >= csv_nfields(r))
            return csv_fail(r, err, "%d field%s, no '%s' (column %d of the header)",
                            csv_nfields(r), csv_nfields(r) == 1 ? "" : "s",
                            csv_col_name(r, need[k]), need[k] + 1);
    const char *id = csv_field(r, c->id), *lon_text = csv_field(r, c->lon),
               *lat_text = csv_field(r, c->lat);
    if (!id[0])
        return csv_fail(r, err, "empty site id (column '%s')", csv_col_name(r, c->id));
    double lon, lat;
    if (parse_number(lon_text, &lon) || parse_number(lat_text, &lat) || fabs(lon) > 180 ||
        fabs(lat) > 90)
        return csv_fail(r, err, "lon,lat '%.*s,%.*s' are not a longitude and latitude in "
                        "degrees", shown(lon_text), lon_text, shown(lat_text), lat_text);
    s->lon[i] = lon;
    s->lat[i] = lat;
    struct radio_site *rs = &s->radio[i];
    memset(rs, 0, sizeof *rs);
    if (optional_number(r, c->opt[OPT_HEIGHT], &rs->height_m, err) ||
        optional_number(r, c->opt[OPT_POWER], &rs->power_dbm, err) ||
        optional_number(r, c->opt[OPT_TILT], &rs->tilt_deg, err) ||
        parse_azimuths(r, c->opt[OPT_AZIMUTHS], rs, err))
        return -1;
    if (!(s->id[i] = strdup(id)))
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    return 0;
}

/* The header, quoted for a refusal, with a hint when it is one column
 * holding separators (a file saved with ';' or tabs). */
static int refuse_header(struct csv_reader *r, struct tc_error *err, const char *what,
                         const char *key)
{
    const char *h = csv_header_text(r);
    int one = csv_ncols(r) == 1 && strpbrk(h, ";\t");
    return csv_fail(r, err, "%s in the header: \"%s\"; set %s%s", what, h, key,
                    one ? " (the header is one column: is the file separated by ';' or tabs? "
                          "save it as CSV with commas)" : "");
}

/* A required column: the one sites.<key> names, else the first of names
 * present (two present would be a guess between them: refused). */
static int find_column(struct csv_reader *r, const char *set, const char *const *names,
                       const char *key, int *col, struct tc_error *err)
{
    char what[TC_STR_MAX + 160];
    if (set[0]) {
        *col = csv_column(r, set);
        snprintf(what, sizeof what, "no column '%s'", set);
        return *col >= 0 ? 0 : refuse_header(r, err, what, key);
    }
    *col = -1;
    int found = -1;
    for (int k = 0; names[k]; k++) {
        int c = csv_column(r, names[k]);
        if (c >= 0 && *col >= 0) {
            snprintf(what, sizeof what, "both '%s' and '%s' columns", names[found], names[k]);
            return refuse_header(r, err, what, key);
        }
        if (c >= 0) {
            *col = c;
            found = k;
        }
    }
    if (*col >= 0)
        return 0;
    int len = snprintf(what, sizeof what, "no column '%s'", names[0]);
    for (int k = 1; names[k]; k++)
        len += snprintf(what + len, sizeof what - (size_t)len, "%s%s", k == 1 ? " (or " : ", ",
                        names[k]);
    if (names[1])
        snprintf(what + len, sizeof what - (size_t)len, ")");
    return refuse_header(r, err, what, key);
}

/* sites.filter = COLUMN=VALUE: its column and value, trimmed. */
static int parse_filter(const char *filter, struct site_cols *c, struct tc_error *err)
{
    c->filter = -1;
    c->filter_col[0] = c->filter_value[0] = '\0';
    if (!filter || !filter[0])
        return 0;
    const char *eq = strchr(filter, '=');
    const char *a = filter, *b = eq ? eq : filter;
    while (a < b && (*a == ' ' || *a == '\t')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    if (!eq || a == b)
        return tc_fail(err, TC_EXIT_SCENARIO, "sites.filter = %s: expected COLUMN=VALUE "
                       "(e.g. radio=NR)", filter);
    snprintf(c->filter_col, sizeof c->filter_col, "%.*s", (int)(b - a), a);
    const char *v = eq + 1, *e = v + strlen(v);
    while (*v == ' ' || *v == '\t') v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
    snprintf(c->filter_value, sizeof c->filter_value, "%.*s", (int)(e - v), v);
    return 0;
}

/* Finds every column the file is read through. */
static int find_columns(struct csv_reader *r, const struct sites_config *cfg,
                        struct site_cols *c, struct tc_error *err)
{
    if (parse_filter(cfg ? cfg->filter : NULL, c, err) != 0)
        return -1;
    const char *id_field = cfg && cfg->id_field[0] ? cfg->id_field : "id";
    const char *const id_names[] = {id_field, NULL};
    if (find_column(r, id_field, id_names, "sites.id_field", &c->id, err) ||
        find_column(r, cfg ? cfg->lon_field : "", lon_names, "sites.lon_field", &c->lon, err) ||
        find_column(r, cfg ? cfg->lat_field : "", lat_names, "sites.lat_field", &c->lat, err))
        return -1;
    for (int k = 0; k < NOPT; k++)
        c->opt[k] = csv_column(r, opt_names[k]);
    if (c->filter_col[0] && (c->filter = csv_column(r, c->filter_col)) < 0) {
        char what[TC_STR_MAX + 64];
        snprintf(what, sizeof what, "no column '%s' (from sites.filter)", c->filter_col);
        return refuse_header(r, err, what, "sites.filter");
    }
    return 0;
}

static int column_used(const struct site_cols *c, int i)
{
    if (i == c->id || i == c->lon || i == c->lat || i == c->filter)
        return 1;
    for (int k = 0; k < NOPT; k++)
        if (i == c->opt[k])
            return 1;
    return 0;
}

/* One note naming the columns the file has and towncov does not read
 * (a typo in an optional column's name shows here). */
static void note_unused_columns(struct csv_reader *r, const struct site_cols *c, FILE *warn)
{
    int n = 0, shown_names = 0;
    for (int i = 0; i < csv_ncols(r); i++)
        n += !column_used(c, i);
    if (!warn || n == 0)
        return;
    fprintf(warn, "towncov: note: %s: %d column%s not used:", csv_path(r), n, n == 1 ? "" : "s");
    for (int i = 0; i < csv_ncols(r); i++) {
        if (column_used(c, i))
            continue;
        if (shown_names++ == 20) {
            fprintf(warn, " ... (%d more)", n - 20);
            break;
        }
        const char *name = csv_col_name(r, i);
        if (name[0])
            fprintf(warn, "%s %.*s", shown_names > 1 ? "," : "", shown(name), name);
        else
            fprintf(warn, "%s (column %d, no name)", shown_names > 1 ? "," : "", i + 1);
    }
    fprintf(warn, "\n");
}

/* Room for cap sites in every array (the file's row count is not known
 * before it is read: arrays double). */
static int sites_reserve(struct tc_sites *s, long **lines, long *cap, long need)
{
    if (need <= *cap)
        return 0;
    long n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    size_t m = (size_t)n;
    if (tc_resize((void **)&s->x, m, sizeof *s->x) || tc_resize((void **)&s->y, m, sizeof *s->y) ||
        tc_resize((void **)&s->lon, m, sizeof *s->lon) ||
        tc_resize((void **)&s->lat, m, sizeof *s->lat) ||
        tc_resize((void **)&s->township, m, sizeof *s->township) ||
        tc_resize((void **)&s->id, m, sizeof *s->id) ||
        tc_resize((void **)&s->radio, m, sizeof *s->radio) ||
        tc_resize((void **)lines, m, sizeof **lines))
        return -1;
    *cap = n;
    return 0;
}

/* Orders pointers to ids by the id. */
static int by_id(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

static int check_unique_ids(const char *path, const struct tc_sites *s, const long *lines,
                            struct tc_error *err)
{
    char ***order = malloc(sizeof *order * (size_t)s->n);
    if (!order)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (long i = 0; i < s->n; i++)
        order[i] = &s->id[i];
    qsort(order, (size_t)s->n, sizeof *order, by_id);
    int rc = 0;
    for (long i = 1; i < s->n && rc == 0; i++)
        if (strcmp(*order[i], *order[i - 1]) == 0) {
            long a = lines[order[i - 1] - s->id], b = lines[order[i] - s->id];
            rc = tc_fail(err, TC_EXIT_SITES, "%s: site id '%.*s' appears twice (lines %ld and "
                         "%ld)", path, shown(*order[i]), *order[i], a < b ? a : b, a < b ? b : a);
        }
    free(order);
    return rc;
}

/* Reads every row (the filter's rows only) into s; lines[i] is site i's
 * line. Returns 0 or -1; s->n is what was read either way. */
static int read_rows(struct csv_reader *r, const struct site_cols *c, struct tc_sites *s,
                     long **lines, long *skipped, struct tc_error *err)
{
    long cap = 0;
    int rc;
    s->n = 0;
    *skipped = 0;
    while ((rc = csv_next(r, err)) == 1) {
        if (c->filter >= 0 && strcasecmp(csv_field(r, c->filter), c->filter_value) != 0) {
            (*skipped)++;
            continue;
        }
        if (sites_reserve(s, lines, &cap, s->n + 1) != 0)
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld sites", s->n + 1);
        if (parse_site_row(r, c, s, s->n, err) != 0)
            return -1;
        (*lines)[s->n++] = csv_line(r);
    }
    return rc;
}

struct tc_sites *sites_read_csv(const char *path, const struct sites_config *cfg, FILE *warn,
                                struct tc_error *err)
{
    char enc[TEXTENC_NAME_MAX];
    const char *setting = cfg && cfg->encoding[0] ? cfg->encoding : "auto";
    if (textenc_from_setting(setting, enc, sizeof enc) != 0) {
        tc_fail(err, TC_EXIT_SCENARIO, "sites.encoding = %s: iconv knows no such encoding",
                setting);
        return NULL;
    }
    struct csv_options opt = {enc, "sites.encoding", TC_EXIT_SITES};
    struct csv_reader *r = csv_open(path, &opt, err);
    if (!r)
        return NULL;
    struct site_cols c;
    struct tc_sites *s = NULL;
    long *lines = NULL, skipped = 0;
    if (csv_ncols(r) == 0) {
        tc_fail(err, TC_EXIT_SITES, "%s: no sites: the file is empty (expected a header line "
                "naming id, lon, lat and one line per site)", path);
        goto fail;
    }
    if (find_columns(r, cfg, &c, err) != 0)
        goto fail;
    note_unused_columns(r, &c, warn);
    if (!(s = calloc(1, sizeof *s))) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        goto fail;
    }
    if (read_rows(r, &c, s, &lines, &skipped, err) != 0)
        goto fail;
    if (c.filter >= 0 && warn)
        fprintf(warn, "towncov: note: %s: sites.filter %s=%s kept %ld row%s, skipped %ld\n", path,
                c.filter_col, c.filter_value, s->n, s->n == 1 ? "" : "s", skipped);
    if (s->n == 0) {
        if (c.filter >= 0)
            tc_fail(err, TC_EXIT_SITES, "%s: no rows with %s=%s (of %ld after the header)", path,
                    c.filter_col, c.filter_value, skipped);
        else
            tc_fail(err, TC_EXIT_SITES, "%s: no sites after the header", path);
        goto fail;
    }
    if (check_unique_ids(path, s, lines, err) != 0)
        goto fail;
    csv_close(&r);
    free(lines);
    return s;
fail:
    csv_close(&r);
    free(lines);
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
    struct tc_sites *s = sites_read_csv(path, cfg, warn, err);
    if (s && locate_file_sites(cfg, path, map, s, warn, err) != 0)
        sites_free(&s);
    return s;
}
