/* keypoints.c — key points read and joined to townships (keypoints.h). */
#include "towncov/keypoints.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/csv.h"
#include "towncov/map.h"
#include "towncov/seat.h"

void key_points_free(struct tc_key_points **pk)
{
    struct tc_key_points *k = *pk;
    if (!k)
        return;
    for (long i = 0; i < k->n; i++) {
        free(k->code[i]);
        free(k->kind[i]);
    }
    free(k->code);
    free(k->kind);
    free(k->lon);
    free(k->lat);
    free(k->x);
    free(k->y);
    free(k->township);
    free(k->first);
    free(k->order);
    free(k->covered);
    free(k);
    *pk = NULL;
}

static int grow(struct tc_key_points *k, long *cap)
{
    if (k->n < *cap)
        return 0;
    long c = *cap ? 2 * *cap : 64;
    if (tc_resize((void **)&k->code, (size_t)c, sizeof *k->code) ||
        tc_resize((void **)&k->kind, (size_t)c, sizeof *k->kind) ||
        tc_resize((void **)&k->lon, (size_t)c, sizeof *k->lon) ||
        tc_resize((void **)&k->lat, (size_t)c, sizeof *k->lat) ||
        tc_resize((void **)&k->township, (size_t)c, sizeof *k->township))
        return -1;
    *cap = c;
    return 0;
}

/* The township of code, by binary search (the map is sorted by code). */
static int township_of(const struct tc_map *map, const char *code)
{
    int lo = 0, hi = map->n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(code, map->t[mid].code);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

static int find(struct csv_reader *r, const char *const *names, const char *what,
                struct tc_error *err)
{
    for (int i = 0; names[i]; i++) {
        int c = csv_column(r, names[i]);
        if (c >= 0)
            return c;
    }
    return tc_fail(err, TC_EXIT_SITES, "%s:%ld: no column '%s' in the header: \"%s\"",
                   csv_path(r), csv_header_line(r), what, csv_header_text(r)) - 1;
}

static int read_rows(struct csv_reader *r, const struct tc_map *map, struct tc_key_points *k,
                     struct tc_error *err)
{
    static const char *const codes[] = {"code", NULL}, *const kinds[] = {"kind", "type", NULL};
    static const char *const lons[] = {"lon", "lng", "longitude", NULL};
    static const char *const lats[] = {"lat", "latitude", NULL};
    int c_code = find(r, codes, "code", err), c_kind = c_code >= 0 ? find(r, kinds, "kind", err)
                                                                     : -2;
    int c_lon = c_kind >= 0 ? find(r, lons, "lon", err) : -2;
    int c_lat = c_lon >= 0 ? find(r, lats, "lat", err) : -2;
    if (c_lat < 0)
        return -1;
    long cap = 0;
    int got;
    while ((got = csv_next(r, err)) == 1) {
        if (grow(k, &cap) != 0)
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
        char *end1, *end2;
        double lon = strtod(csv_field(r, c_lon), &end1), lat = strtod(csv_field(r, c_lat), &end2);
        if (*end1 || *end2 || !isfinite(lon) || !isfinite(lat) || fabs(lat) > 90 ||
            fabs(lon) > 360)
            return csv_fail(r, err, "'%s', '%s' is not a longitude and latitude",
                            csv_field(r, c_lon), csv_field(r, c_lat));
        int t = township_of(map, csv_field(r, c_code));
        if (t < 0)
            return csv_fail(r, err, "key point of township '%s', which the map does not have",
                            csv_field(r, c_code));
        k->code[k->n] = strdup(csv_field(r, c_code));
        k->kind[k->n] = strdup(csv_field(r, c_kind));
        k->lon[k->n] = lon;
        k->lat[k->n] = lat;
        k->township[k->n] = t;
        if (!k->code[k->n] || !k->kind[k->n])
            return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
        k->n++;
    }
    return got;
}

/* Metric coordinates and the township index (first/order). */
static int place(const struct tc_map *map, struct tc_key_points *k, struct tc_error *err)
{
    size_t n = (size_t)k->n + 1;
    k->x = malloc(n * sizeof *k->x);
    k->y = malloc(n * sizeof *k->y);
    k->first = calloc((size_t)map->n + 1, sizeof *k->first);
    k->order = malloc(n * sizeof *k->order);
    k->covered = calloc(n, 1);
    if (!k->x || !k->y || !k->first || !k->order || !k->covered)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    if (k->n == 0)
        return 0; /* none asked (or an empty file): nothing to place */
    memcpy(k->x, k->lon, sizeof *k->x * (size_t)k->n);
    memcpy(k->y, k->lat, sizeof *k->y * (size_t)k->n);
    struct map_proj *p = map_proj_new(map, err);
    int rc = p ? map_proj_trans(p, 0, k->x, k->y, k->n) : -1;
    map_proj_free(&p);
    if (rc != 0)
        return tc_fail(err, TC_EXIT_SITES, "PROJ cannot project the key points");
    /* counting sort by township: stable, so file order within one */
    for (long i = 0; i < k->n; i++)
        k->first[k->township[i] + 1]++;
    for (int t = 0; t < map->n; t++)
        k->first[t + 1] += k->first[t];
    long *next = malloc(sizeof *next * ((size_t)map->n + 1));
    if (!next)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for key points");
    memcpy(next, k->first, sizeof *next * (size_t)map->n);
    for (long i = 0; i < k->n; i++)
        k->order[next[k->township[i]]++] = i;
    free(next);
    return 0;
}

struct tc_key_points *key_points_load(const struct seat_config *cfg, const struct tc_map *map,
                                      const char *base_dir, FILE *warn, struct tc_error *err)
{
    (void)warn;
    struct tc_key_points *k = calloc(1, sizeof *k);
    if (!k) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    int rc = 0;
    if (cfg->key_points[0]) {
        size_t len = strlen(cfg->key_points) + (base_dir ? strlen(base_dir) : 0) + 2;
        char *path = malloc(len);
        if (!path)
            rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        else if (cfg->key_points[0] == '/' || !base_dir || !base_dir[0])
            snprintf(path, len, "%s", cfg->key_points);
        else
            snprintf(path, len, "%s/%s", base_dir, cfg->key_points);
        struct csv_options opt = {NULL, NULL, TC_EXIT_SITES};
        struct csv_reader *r = rc == 0 ? csv_open(path, &opt, err) : NULL;
        rc = r ? read_rows(r, map, k, err) : -1;
        csv_close(&r);
        free(path);
    }
    if (rc == 0)
        rc = place(map, k, err);
    if (rc != 0)
        key_points_free(&k);
    return k;
}
