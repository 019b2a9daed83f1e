/* sectors.c — a footprint shape's sure radii by direction (see
 * exact_internal.h, struct sectors): the point tests' shortcut.
 *
 * A shape's sure discs (shape_facts) are loose for the link model's
 * three-lobed stars (the inner one has about half the outer one's
 * radius), so most points near a footprint fell to ring_side's walk over
 * every vertex. Cut the plane about the station into SECTORS wedges of
 * pseudo-angle; per wedge, the nearest and farthest boundary point of the
 * edges whose directions meet it. A point whose direction lies in wedge k
 * and nearer than the nearest is inside (the segment from the station,
 * itself inside, meets no boundary), one farther than the farthest outside
 * (so does the ray beyond it).
 *
 * The radii are taken over wedges k - 1 .. k + 1 and kept SURE_MARGIN
 * inside: a boundary point within SURE_MARGIN of a point at least
 * SECTOR_MIN_R from the station lies within one wedge of its direction, so
 * the point is then at least SURE_MARGIN from the boundary, where
 * ring_side's filter decides every sign (load.c): both tests give the same
 * answer, never a different one. */
#include "exact_internal.h"

#include <math.h>

/* Directions are taken with SECTOR_SLACK to spare in pseudo-angle (whose
 * rounding is ~1e-16), so an edge is listed in every wedge its direction
 * could be computed in. */
#define SECTOR_SLACK 1e-9

void covx_wedge_range(double a0, double a1, int *k0, int *k1)
{
    *k0 = pseudo_sector(a0 - SECTOR_SLACK < 0.0 ? a0 - SECTOR_SLACK + 4.0 : a0 - SECTOR_SLACK);
    *k1 = pseudo_sector(a1 + SECTOR_SLACK >= 4.0 ? a1 + SECTOR_SLACK - 4.0 : a1 + SECTOR_SLACK);
}

/* Distance from the station (0, 0) to segment a b. */
static double origin_distance(double xa, double ya, double xb, double yb)
{
    double dx = xb - xa, dy = yb - ya, l2 = dx * dx + dy * dy;
    double t = l2 > 0.0 ? dmin(dmax(-(xa * dx + ya * dy) / l2, 0.0), 1.0) : 0.0;
    return hypot(xa + t * dx, ya + t * dy);
}

/* Lists edge a b (about the station, which it keeps clear of: it subtends
 * less than half a turn) in the wedges its directions meet. */
static void add_edge(double *near, double *far, double xa, double ya, double xb, double yb)
{
    double pa = pseudo_angle(xa, ya), pb = pseudo_angle(xb, yb);
    int k0, k1;
    if (xa * yb - xb * ya >= 0.0) /* counter-clockwise from a to b */
        covx_wedge_range(pa, pb, &k0, &k1);
    else
        covx_wedge_range(pb, pa, &k0, &k1);
    double dn = origin_distance(xa, ya, xb, yb);
    double df = dmax(hypot(xa, ya), hypot(xb, yb)); /* a segment's farthest point is an end */
    for (int k = k0;; k = (k + 1) % SECTORS) {
        near[k] = dmin(near[k], dn);
        far[k] = dmax(far[k], df);
        if (k == k1)
            break;
    }
}

/* Fills *t for the shape of n vertices xy (relative to its station), one
 * with sure discs (the station inside, clear of its boundary). */
void covx_measure_sectors(const double *xy, long n, struct sectors *t)
{
    double near[SECTORS], far[SECTORS];
    for (int k = 0; k < SECTORS; k++) {
        near[k] = INFINITY;
        far[k] = 0.0;
    }
    for (long a = n - 1, b = 0; b < n; a = b++)
        add_edge(near, far, xy[2 * a], xy[2 * a + 1], xy[2 * b], xy[2 * b + 1]);
    t->in2max = 0.0;
    for (int k = 0; k < SECTORS; k++) {
        int p = (k + SECTORS - 1) % SECTORS, q = (k + 1) % SECTORS;
        double rn = dmin(near[p], dmin(near[k], near[q])) - SURE_MARGIN;
        double rf = dmax(far[p], dmax(far[k], far[q])) + SURE_MARGIN;
        int known = rn < INFINITY && far[k] > 0.0; /* every wedge has edges: a closed ring */
        t->in2[k] = known && rn > SECTOR_MIN_R ? rn * rn : 0.0;
        t->out2[k] = known ? rf * rf : INFINITY;
        t->in2max = dmax(t->in2max, t->in2[k]);
    }
}
