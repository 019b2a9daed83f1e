/* index.c — the footprint index: a uniform grid of envelope buckets over
 * the footprints (see coverage.h). Read-only once built. */
#include "towncov/coverage.h"

#include <math.h>
#include <stdlib.h>

#include "towncov/footprint.h"
#include "towncov/grid.h"
#include "towncov/map.h"

#include "coverage_internal.h"

struct cov_index {
    struct grid grid;
};

static void footprint_envelope(const void *items, long i, double box[4])
{
    const struct tc_footprints *fp = items;
    box[0] = fp->xmin[i];
    box[1] = fp->ymin[i];
    box[2] = fp->xmax[i];
    box[3] = fp->ymax[i];
}

/* The extent of the map and every footprint. */
static void index_extent(const struct tc_map *map, const struct tc_footprints *fp,
                         double extent[4])
{
    extent[0] = map->xmin;
    extent[1] = map->ymin;
    extent[2] = map->xmax;
    extent[3] = map->ymax;
    for (long i = 0; i < fp->n; i++) {
        extent[0] = fmin(extent[0], fp->xmin[i]);
        extent[1] = fmin(extent[1], fp->ymin[i]);
        extent[2] = fmax(extent[2], fp->xmax[i]);
        extent[3] = fmax(extent[3], fp->ymax[i]);
    }
}

/* About one footprint per cell, capped so the grid stays small, and no
 * cell smaller than twice the footprints' mean envelope side: where
 * stations are dense, a cell per footprint made each footprint span
 * hundreds of cells, and the index (entries, time and memory) grew with
 * the square of the stations; with cells of one mean side, the large
 * rural footprints of a mixed map (the mean is set by the many small
 * urban ones) were listed in ~15 cells each, and a query read each
 * candidate ~15 times (disc64: 2x the side cut the coverage phase's
 * instructions by 1 %). Which footprints a query returns does not depend
 * on it. */
static long default_cells(const struct tc_footprints *fp, const double extent[4])
{
    if (fp->n < 1)
        return 1;
    double side = 0.0; /* the mean of the envelopes' longer sides */
    for (long i = 0; i < fp->n; i++)
        side += fmax(fp->xmax[i] - fp->xmin[i], fp->ymax[i] - fp->ymin[i]);
    side /= (double)fp->n;
    double cells = (double)fp->n;
    if (side > 0.0)
        cells = fmin(cells, (extent[2] - extent[0]) * (extent[3] - extent[1]) /
                                (4.0 * side * side));
    return cells < 1.0 ? 1 : cells > 4e6 ? 4000000 : (long)cells;
}

struct cov_index *cov_index_new_sized(const struct tc_map *map, const struct tc_footprints *fp,
                                      long cells)
{
    struct cov_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    double extent[4];
    index_extent(map, fp, extent);
    if (grid_build(&ix->grid, extent, cells > 0 ? cells : default_cells(fp, extent), fp->n,
                   footprint_envelope, fp) != 0)
        cov_index_free(&ix);
    return ix;
}

struct cov_index *cov_index_new(const struct tc_map *map, const struct tc_footprints *fp)
{
    return cov_index_new_sized(map, fp, 0);
}

double cov_index_bytes(const struct tc_map *map, const struct tc_footprints *fp)
{
    double extent[4];
    index_extent(map, fp, extent);
    return sizeof(struct cov_index) +
           grid_bytes(extent, default_cells(fp, extent), fp->n, footprint_envelope, fp);
}

void cov_index_free(struct cov_index **pix)
{
    struct cov_index *ix = *pix;
    if (!ix)
        return;
    grid_free(&ix->grid);
    free(ix);
    *pix = NULL;
}

long cov_index_query(const struct cov_index *ix, const struct tc_footprints *fp, double xmin,
                     double ymin, double xmax, double ymax, long *ids, long capacity)
{
    const double box[4] = {xmin, ymin, xmax, ymax};
    return grid_query(&ix->grid, box, footprint_envelope, fp, ids, capacity);
}

long cov_index_load(const struct cov_index *ix, const struct township *t)
{
    const double box[4] = {t->xmin, t->ymin, t->xmax, t->ymax};
    return grid_load(&ix->grid, box);
}

long cov_candidates(struct cov_worker *w, const struct cov_index *ix,
                    const struct tc_footprints *fp, const struct township *t)
{
    long n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, w->ids, w->cap);
    if (n > w->cap) {
        if (cov_worker_reserve(w, n) != 0)
            return -1;
        n = cov_index_query(ix, fp, t->xmin, t->ymin, t->xmax, t->ymax, w->ids, w->cap);
    }
    return n;
}

