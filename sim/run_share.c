/* run_share.c — the province-parallel run's share of the work (issue 26;
 * sim/run_mpi.c runs it): which rank computes the coverage of each
 * township, and which stations' footprints a rank needs for its own.
 * Plain C, the same on every rank from the same data (nothing travels to
 * agree on it), and seen by the tests without MPI. */
#include "pipeline_internal.h"
#include "towncov/balance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/radio.h"
#include "towncov/sites.h"

/* Rank 0 writes every output after the coverage, alone, while the other
 * ranks wait: the share counts that work as already on rank 0, as this
 * fraction of the split work (the footprints and the coverage, whose cost
 * the units stand for). Measured on the national run (scenarios/china.ini,
 * 2 ranks x 1 thread, docs/national.md): with no head start rank 0 took
 * 77.6 CPU-s against rank 1's 64.2 s, the split stages about 116 s of the
 * two ranks' 142 s (less the load and placement both do, about 6 s each,
 * and rank 0's 13.4 s more), so 13.4 / 116. It is the writing of the
 * default outputs (townships.csv, sites.csv, summary.json, map.png); the
 * layers and the rasters, when asked for, cost rank 0 more. Only the share
 * depends on it, never the outputs. */
#define WRITER_HEAD_START 0.115

/* The units over the ranks, longest first, rank 0 starting with its
 * writing (WRITER_HEAD_START of all the units' cost). */
static int share_units(const double *cost, int n_units, int n_ranks, int *unit_rank)
{
    double *start = calloc((size_t)n_ranks, sizeof *start), total = 0;
    if (!start)
        return -1;
    for (int u = 0; u < n_units; u++)
        total += cost[u];
    start[0] = WRITER_HEAD_START * total;
    int rc = balance_ranks_from(cost, n_units, n_ranks, start, unit_rank);
    free(start);
    return rc;
}

/* A township's province (11..82), or -1 when its county has no 6-digit
 * code. */
static int province_of(const struct township *t)
{
    const char *c = t->county_code;
    if (!c || strlen(c) != 6 || c[0] < '1' || c[0] > '9' || c[1] < '0' || c[1] > '9')
        return -1;
    return (c[0] - '0') * 10 + (c[1] - '0');
}

/* The unit (province, else county) of every township into unit[], and the
 * number of units. */
static int units_of(const struct tc_map *map, int n_ranks, int *unit)
{
    int provinces = 1, seen[100] = {0}, count = 0;
    for (int t = 0; t < map->n && provinces; t++) {
        int p = province_of(&map->t[t]);
        provinces = p >= 0;
        if (p >= 0 && !seen[p]++)
            count++;
    }
    if (provinces && count >= n_ranks) {
        int id[100], k = 0;
        for (int p = 0; p < 100; p++)
            id[p] = seen[p] ? k++ : -1;
        for (int t = 0; t < map->n; t++)
            unit[t] = id[province_of(&map->t[t])];
        return count;
    }
    for (int t = 0; t < map->n; t++)
        unit[t] = map->t[t].county_id;
    return map->n_counties;
}

int pipeline_ranks_share(const struct tc_map *map, const struct tc_sites *sites, int n_ranks,
                         int *owner)
{
    int *unit = malloc(sizeof *unit * ((size_t)map->n + 1));
    int n_units = unit ? units_of(map, n_ranks, unit) : 0;
    double *cost = unit ? calloc((size_t)n_units + 1, sizeof *cost) : NULL;
    int *unit_rank = cost ? malloc(sizeof *unit_rank * ((size_t)n_units + 1)) : NULL;
    int rc = unit_rank ? 0 : -1;
    if (rc == 0) {
        for (int t = 0; t < map->n; t++)
            cost[unit[t]] += 1;
        for (long i = 0; i < sites->n; i++)
            if (sites->township[i] >= 0)
                cost[unit[sites->township[i]]] += 1;
        rc = share_units(cost, n_units, n_ranks, unit_rank);
    }
    for (int t = 0; rc == 0 && t < map->n; t++)
        owner[t] = unit_rank[unit[t]];
    free(unit);
    free(cost);
    free(unit_rank);
    return rc;
}

void pipeline_split_free(struct rank_split **split)
{
    if (!*split)
        return;
    free((*split)->owner);
    sites_free(&(*split)->sites);
    free(*split);
    *split = NULL;
}

/* An upper bound on how far any footprint reaches from its station, in
 * metres of the metric CRS: the farthest vertex of any kind's shape as the
 * radio model draws it, widened by the CRS's scale error (footprints_build
 * draws shapes at their station's scale on a map wider than a province) and
 * by a quarter more, so that rounding never decides. Stations without
 * settings of their own only. */
double pipeline_reach_bound(const struct radio_model *radio, const struct tc_map *map)
{
    int maxv = radio_footprint_max_vertices(radio_model_config(radio));
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv), reach = 0;
    if (!xy)
        return -1;
    for (int k = 0; k < KIND_COUNT; k++) {
        struct radio_range_info info;
        int n = radio_footprint(radio, (enum tc_kind)k, NULL, xy, maxv, &info);
        for (int v = 0; v < n; v++)
            reach = fmax(reach, hypot(xy[2 * v], xy[2 * v + 1]));
    }
    free(xy);
    return 1.25 * reach * (1 + map->scale_error) + 1;
}

/* A cell index along one axis, clamped into the grid. */
static long cell_of(double v, double v0, double size, long n)
{
    double c = floor((v - v0) / size);
    return c < 0 ? 0 : c >= n ? n - 1 : (long)c;
}

/* keep[i] = 1 for the stations whose footprint may reach one of the
 * rank's townships: those standing in one, and those within `reach` of
 * one's envelope (a grid of cells at least `reach` wide marks the
 * envelopes widened by reach; a station in a marked cell is kept: more
 * than needed, never less). Returns how many, or -1 out of memory. */
long pipeline_stations_reaching(const struct tc_map *map, const struct tc_sites *sites,
                              const int *owner, int rank, double reach, unsigned char *keep)
{
    double x0 = map->xmin - reach, y0 = map->ymin - reach, size = reach;
    double w = map->xmax - map->xmin + 2 * reach, h = map->ymax - map->ymin + 2 * reach;
    while ((w / size + 1) * (h / size + 1) > (double)(1 << 24))
        size *= 2;
    long nx = (long)(w / size) + 1, ny = (long)(h / size) + 1;
    unsigned char *cell = calloc((size_t)(nx * ny), 1);
    if (!cell)
        return -1;
    for (int t = 0; t < map->n; t++) {
        if (owner[t] != rank)
            continue;
        const struct township *tw = &map->t[t];
        long i0 = cell_of(tw->xmin - reach, x0, size, nx), i1 = cell_of(tw->xmax + reach, x0, size, nx);
        long j0 = cell_of(tw->ymin - reach, y0, size, ny), j1 = cell_of(tw->ymax + reach, y0, size, ny);
        for (long j = j0; j <= j1; j++)
            memset(cell + j * nx + i0, 1, (size_t)(i1 - i0 + 1));
    }
    long kept = 0;
    for (long i = 0; i < sites->n; i++) {
        int t = sites->township[i];
        int inside = sites->x[i] >= x0 && sites->x[i] <= x0 + w && sites->y[i] >= y0 &&
                     sites->y[i] <= y0 + h;
        keep[i] = (t >= 0 && owner[t] == rank) ||
                  (inside && cell[cell_of(sites->y[i], y0, size, ny) * nx +
                                  cell_of(sites->x[i], x0, size, nx)]);
        kept += keep[i];
    }
    free(cell);
    return kept;
}

/* The stations with keep[i] set, in their order (what the footprints and
 * the coverage engine read of them: points, townships, zones). NULL when
 * out of memory. */
struct tc_sites *pipeline_sites_kept(const struct tc_sites *s, const unsigned char *keep, long n)
{
    struct tc_sites *u = calloc(1, sizeof *u);
    size_t m = (size_t)(n > 0 ? n : 1);
    if (!u)
        return NULL;
    u->n = n;
    u->x = malloc(sizeof *u->x * m);
    u->y = malloc(sizeof *u->y * m);
    u->lon = malloc(sizeof *u->lon * m);
    u->lat = malloc(sizeof *u->lat * m);
    u->township = malloc(sizeof *u->township * m);
    u->zone = s->zone ? malloc(m) : NULL;
    if (!u->x || !u->y || !u->lon || !u->lat || !u->township || (s->zone && !u->zone)) {
        sites_free(&u);
        return NULL;
    }
    for (long i = 0, k = 0; i < s->n; i++) {
        if (!keep[i])
            continue;
        u->x[k] = s->x[i];
        u->y[k] = s->y[i];
        u->lon[k] = s->lon[i];
        u->lat[k] = s->lat[i];
        u->township[k] = s->township[i];
        if (u->zone)
            u->zone[k] = s->zone[i];
        k++;
    }
    return u;
}
