/* footprint.h — stage 4: each station's footprint polygon, from the radio
 * model's one function radio_footprint(). */
#ifndef TOWNCOV_FOOTPRINT_H
#define TOWNCOV_FOOTPRINT_H

#include <geos_c.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/radio.h"

struct tc_map;
struct tc_sites;

/* All footprints, vertices in the map's metric CRS. Stations with the same
 * radio settings have the same footprint shape, so shapes are stored once
 * (a few per scenario, one per station at worst) and each footprint is a
 * shape placed at its station: memory grows with the stations by a few
 * numbers each, not by their vertices (4 million stations fit in memory).
 * On a map wider than a province (map->scale_error past
 * PROJECTION_SCALE_TOL) shapes are drawn at each station's scale
 * (projection.h), so most stations have a shape of their own, kept in the
 * same store; on a province every shape is the radio model's own.
 *
 * Footprint i is shape s = shape[i], whose vertices, relative to the
 * station, are sxy[2k], sxy[2k+1] for k in shape_off[s] .. shape_off[s+1]-1
 * (counter-clockwise, not closed). Its vertex k is (sxy + cx[i], sxy + cy[i]):
 * read it with footprint_vertex so every reader sees the same doubles. */
struct tc_footprints {
    long n;
    double *cx, *cy;       /* where footprint i stands (its station) */
    int *shape;            /* footprint i's shape */
    long nshape;
    long *shape_off;       /* nshape + 1 offsets into sxy (in vertices) */
    double *sxy;           /* shape vertices, relative to the station */
    struct radio_range_info *shape_info; /* what the radio model said of each shape */
    double *xmin, *ymin, *xmax, *ymax;   /* envelope of each footprint */
};

/* Computes every station's footprint under the radio model (borrowed, only
 * read, during the call), in parallel. Returns NULL with err set on
 * failure; the caller frees with footprints_free. */
struct tc_footprints *footprints_build(const struct radio_model *radio, const struct tc_map *map,
                                       const struct tc_sites *sites, int threads,
                                       struct tc_error *err);

/* The footprints of stations without radio settings of their own (placed
 * by a strategy) as their kinds' shapes, drawn by the radio model once a
 * kind and never at a station's scale: the same footprint_info as
 * footprints_build's, cheaply, for writers that read nothing else (the
 * province-parallel run's rank 0: sites.csv, the summary's radio table).
 * Their vertices are footprints_build's only on a map no wider than a
 * province. NULL with err (also when sites->radio is set). */
struct tc_footprints *footprints_by_kind(const struct radio_model *radio,
                                         const struct tc_map *map, const struct tc_sites *sites,
                                         struct tc_error *err);

void footprints_free(struct tc_footprints **fp);

struct terrain_dem;
struct terrain_config;

/* Reshapes every footprint of *fp over the terrain (sim/footprint/terrain.c):
 * each vertex, a direction, moves in to where the received power first
 * falls below the threshold along the DEM's profile (the delta-Bullington
 * terrain excess of terrain.h added to the link's path loss). Every
 * footprint gets a shape of its own. Link model only. Heights the DEM
 * lacks are reported on log (or fail, [terrain] missing). dropped_share
 * (may be NULL: not measured) gets, over every 16th station, the share of
 * the area along the rays that is lit again beyond a first shadow and
 * that the footprint therefore drops (exhaustive: for reports). Returns 0
 * with *fp replaced, or -1 with err set and *fp as it was. The result
 * does not depend on the number of threads. */
int footprints_over_terrain(struct tc_footprints **fp, const struct radio_model *radio,
                            const struct terrain_dem *dem, const struct terrain_config *cfg,
                            const struct tc_map *map, const struct tc_sites *sites, int threads,
                            FILE *log, double *dropped_share, struct tc_error *err);

/* Prints, per township kind, the distribution over every station's
 * directions of the reach over the terrain (ter) and its ratio to flat
 * ground (flat: the same stations' footprints without terrain). 0, or -1
 * when writing or memory failed. */
int footprints_print_reach(FILE *out, const struct tc_footprints *flat,
                           const struct tc_footprints *ter, const struct tc_map *map,
                           const struct tc_sites *sites);

/* Opens cfg's DEM over the map and the flat footprints' extent into *dem
 * (the caller frees it, terrain_dem_free; NULL on failure) and calls
 * footprints_over_terrain. */
int footprints_terrain_stage(struct tc_footprints **fp, const struct radio_model *radio,
                             const struct terrain_config *cfg, const char *base_dir,
                             const struct tc_map *map, const struct tc_sites *sites, int threads,
                             FILE *log, struct terrain_dem **dem, double *dropped_share,
                             struct tc_error *err);

/* a's footprints followed by b's (footprint i of b becomes a->n + i), shapes
 * copied, so that one engine call can see both (the planner: existing
 * stations and candidates). Returns a new set the caller frees with
 * footprints_free, or NULL when out of memory. */
struct tc_footprints *footprints_concat(const struct tc_footprints *a,
                                        const struct tc_footprints *b);

/* Footprint i as a GEOS Polygon made in context ctx (the caller destroys
 * it); NULL when GEOS fails. */
GEOSGeometry *footprint_polygon(GEOSContextHandle_t ctx, const struct tc_footprints *fp, long i);

/* Vertices of footprint i. */
static inline long footprint_size(const struct tc_footprints *fp, long i)
{
    int s = fp->shape[i];
    return fp->shape_off[s + 1] - fp->shape_off[s];
}

/* Vertex k of footprint i, metric CRS. */
static inline void footprint_vertex(const struct tc_footprints *fp, long i, long k, double *x,
                                    double *y)
{
    const double *v = fp->sxy + 2 * (fp->shape_off[fp->shape[i]] + k);
    *x = v[0] + fp->cx[i];
    *y = v[1] + fp->cy[i];
}

/* The radio model's ranges, band and warnings for footprint i (borrowed). */
/* Whether (x, y) lies inside footprint i (crossing rule over its ring;
 * a point on the ring may go either way). */
static inline int footprint_contains(const struct tc_footprints *fp, long i, double x, double y)
{
    if (x < fp->xmin[i] || x > fp->xmax[i] || y < fp->ymin[i] || y > fp->ymax[i])
        return 0;
    long n = footprint_size(fp, i);
    int in = 0;
    double px, py;
    footprint_vertex(fp, i, n - 1, &px, &py);
    for (long k = 0; k < n; k++) {
        double qx, qy;
        footprint_vertex(fp, i, k, &qx, &qy);
        if ((qy > y) != (py > y) && x < qx + (y - qy) * (px - qx) / (py - qy))
            in = !in;
        px = qx, py = qy;
    }
    return in;
}

static inline const struct radio_range_info *footprint_info(const struct tc_footprints *fp,
                                                            long i)
{
    return &fp->shape_info[fp->shape[i]];
}

#endif
