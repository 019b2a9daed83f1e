/* densify.h — a line's or ring's edges cut into pieces no longer than a
 * step, on coordinate arrays. The map builder densifies its lon/lat
 * polygons before writing them (mapgen/densify.c); the map loader densifies
 * the source's rings before projecting them (map/crs.c). Done by hand
 * because GEOS 3.11's densifier both buffer(0)s its result and
 * double-frees on some MultiPolygons. */
#ifndef TOWNCOV_DENSIFY_H
#define TOWNCOV_DENSIFY_H

/* Where the points inside an edge a -> b are computed from. Both modes cut
 * the edge into the same number of equal pieces, ceil(|b - a| / step) (at
 * least one; |b - a| by hypot), and agree bit for bit on edges that run
 * forward (a before b: x, then y, ascending). */
enum densify_from {
    /* a + f (b - a), f = k / pieces, k = 1 .. pieces - 1, from the edge's
     * start in the ring's own direction (the map loader's). */
    DENSIFY_FROM_START,
    /* The same from the edge's lexicographically smaller end, so that an
     * edge gets bit-identical points whichever way its ring runs: two
     * polygons sharing an edge keep sharing it vertex for vertex (the map
     * builder's: its townships tile their county exactly). */
    DENSIFY_FROM_SMALLER_END,
};

/* The n points (x[i], y[i]) of a line or a closed ring, with points
 * inserted so that no edge is longer than step (the coordinates' units):
 * every input point is kept exactly and in order (a closed ring stays
 * closed), and only points on an edge are added. Writes the result to *ox,
 * *oy, new arrays the caller frees with free() (allocated even when n is
 * 0), and returns its length; or returns -1, *ox and *oy NULL, when step is
 * not a positive number, an edge needs more than INT_MAX pieces, or memory
 * runs out. The inputs are only read. Thread-safe. */
long densify_coords(const double *x, const double *y, long n, double step,
                    enum densify_from from, double **ox, double **oy);

#endif
