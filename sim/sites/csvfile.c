/* csvfile.c — a CSV of real sites, from spreadsheets and other tools:
 * columns found by name, per-site radio settings, a row filter. */
#include "sites_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "towncov/csv.h"
#include "towncov/textenc.h"

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
        if (rs->n_azimuths == SITE_MAX_SECTORS || parse_number(tok, &a) != 0 || a < 0 || a >= 360)
            rc = csv_fail(r, err, "azimuths '%.*s' must be up to %d numbers in [0, 360) "
                          "separated by ';'", shown(text), text, SITE_MAX_SECTORS);
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
