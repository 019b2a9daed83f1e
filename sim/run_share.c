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
#include "towncov/seat.h"
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
    free((*split)->drawn);
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

/* A grid over the map widened by reach, of cells at least reach wide,
 * marking the envelopes of a rank's townships widened by reach: a point
 * within reach of one of them lies in a marked cell (the test keeps more
 * than needed, never less). */
struct reach_grid {
    double x0, y0, w, h, size;
    long nx, ny;
    unsigned char *cell;
};

static int grid_mark(struct reach_grid *g, const struct tc_map *map, const int *owner, int rank,
                     double reach)
{
    g->x0 = map->xmin - reach;
    g->y0 = map->ymin - reach;
    g->size = reach;
    g->w = map->xmax - map->xmin + 2 * reach;
    g->h = map->ymax - map->ymin + 2 * reach;
    while ((g->w / g->size + 1) * (g->h / g->size + 1) > (double)(1 << 24))
        g->size *= 2;
    g->nx = (long)(g->w / g->size) + 1;
    g->ny = (long)(g->h / g->size) + 1;
    g->cell = calloc((size_t)(g->nx * g->ny), 1);
    if (!g->cell)
        return -1;
    for (int t = 0; t < map->n; t++) {
        if (owner[t] != rank)
            continue;
        const struct township *tw = &map->t[t];
        long i0 = cell_of(tw->xmin - reach, g->x0, g->size, g->nx);
        long i1 = cell_of(tw->xmax + reach, g->x0, g->size, g->nx);
        long j0 = cell_of(tw->ymin - reach, g->y0, g->size, g->ny);
        long j1 = cell_of(tw->ymax + reach, g->y0, g->size, g->ny);
        for (long j = j0; j <= j1; j++)
            memset(g->cell + j * g->nx + i0, 1, (size_t)(i1 - i0 + 1));
    }
    return 0;
}

/* Whether a marked cell meets the box x0..x1, y0..y1. */
static int grid_meets(const struct reach_grid *g, double x0, double y0, double x1, double y1)
{
    if (!(x1 >= g->x0 && x0 <= g->x0 + g->w && y1 >= g->y0 && y0 <= g->y0 + g->h))
        return 0;
    long i0 = cell_of(x0, g->x0, g->size, g->nx), i1 = cell_of(x1, g->x0, g->size, g->nx);
    long j0 = cell_of(y0, g->y0, g->size, g->ny), j1 = cell_of(y1, g->y0, g->size, g->ny);
    for (long j = j0; j <= j1; j++)
        if (memchr(g->cell + j * g->nx + i0, 1, (size_t)(i1 - i0 + 1)))
            return 1;
    return 0;
}

long pipeline_stations_reaching(const struct tc_map *map, const struct tc_sites *sites,
                                const int *owner, int rank, double reach, unsigned char *keep)
{
    struct reach_grid g;
    if (grid_mark(&g, map, owner, rank, reach) != 0)
        return -1;
    long kept = 0;
    for (long i = 0; i < sites->n; i++) {
        int t = sites->township[i];
        keep[i] = (t >= 0 && owner[t] == rank) ||
                  grid_meets(&g, sites->x[i], sites->y[i], sites->x[i], sites->y[i]);
        kept += keep[i];
    }
    free(g.cell);
    return kept;
}

int pipeline_townships_reaching(const struct tc_map *map, const struct tc_seat_areas *seats,
                                const int *owner, int rank, double reach, unsigned char *draw)
{
    struct reach_grid g;
    if (grid_mark(&g, map, owner, rank, reach) != 0)
        return -1;
    int n = 0;
    for (int t = 0; t < map->n; t++) {
        const struct township *tw = &map->t[t];
        /* where its stations may stand: its envelope, its seat (a station
         * placed there after MAX_TRIES; a seat from the attributes may lie
         * outside), its seat area (demand's built-up zone) */
        double x0 = fmin(tw->xmin, tw->seat_x), y0 = fmin(tw->ymin, tw->seat_y);
        double x1 = fmax(tw->xmax, tw->seat_x), y1 = fmax(tw->ymax, tw->seat_y);
        if (seats && seats->geom[t]) {
            x0 = fmin(x0, seats->envelope[t][0]);
            y0 = fmin(y0, seats->envelope[t][1]);
            x1 = fmax(x1, seats->envelope[t][2]);
            y1 = fmax(y1, seats->envelope[t][3]);
        }
        draw[t] = owner[t] == rank || grid_meets(&g, x0, y0, x1, y1);
        n += draw[t];
    }
    free(g.cell);
    return n;
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
