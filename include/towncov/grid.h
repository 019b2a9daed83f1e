/* grid.h — a uniform grid of envelope buckets: which items (townships,
 * footprints) have an envelope meeting a cell. Built once, read-only after,
 * so any number of threads may query it. Bucket lists are ascending, so
 * queries give the same answer whatever the thread. */
#ifndef TOWNCOV_GRID_H
#define TOWNCOV_GRID_H

/* Envelope of item i: box = {xmin, ymin, xmax, ymax}. */
typedef void (*grid_envelope_fn)(const void *items, long i, double box[4]);

struct grid {
    double x0, y0, cw, ch; /* origin and cell size */
    int nx, ny;
    long *start;           /* nx*ny + 1 offsets into ids */
    long *ids;
};

/* Buckets n items over `extent` ({xmin, ymin, xmax, ymax}, covering every
 * envelope) in about `cells` cells of the extent's shape. Returns 0, or -1
 * when out of memory (then grid_free is still safe). */
int grid_build(struct grid *g, const double extent[4], long cells, long n,
               grid_envelope_fn envelope, const void *items);

/* The bytes grid_build(extent, cells, n, ...) would allocate, counted
 * without building it (for memory estimates). */
double grid_bytes(const double extent[4], long cells, long n, grid_envelope_fn envelope,
                  const void *items);

void grid_free(struct grid *g);

/* The bucket holding point (x, y): ids[*first .. *last - 1]; empty when the
 * point is outside the extent. */
void grid_cell(const struct grid *g, double x, double y, long *first, long *last);

/* Bucket entries over the cells `box` meets: an item spanning several
 * cells counts in each. A cheap upper bound of what grid_query finds. */
long grid_load(const struct grid *g, const double box[4]);

/* Items whose envelope meets `box`, each once, ascending, into ids; returns
 * the count, or the count needed when it exceeds capacity. */
long grid_query(const struct grid *g, const double box[4], grid_envelope_fn envelope,
                const void *items, long *ids, long capacity);

#endif
