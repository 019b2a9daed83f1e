/* footprint.c — every station's footprint polygon (see footprint.h). */
#include "towncov/footprint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/sites.h"

void footprints_free(struct tc_footprints **pfp)
{
    struct tc_footprints *fp = *pfp;
    if (!fp)
        return;
    free(fp->offset);
    free(fp->xy);
    free(fp->xmin);
    free(fp->ymin);
    free(fp->xmax);
    free(fp->ymax);
    free(fp->info);
    free(fp);
    *pfp = NULL;
}

static struct tc_footprints *footprints_alloc(long n, long max_vertices)
{
    struct tc_footprints *fp = calloc(1, sizeof *fp);
    if (!fp)
        return NULL;
    size_t m = (size_t)(n > 0 ? n : 1);
    fp->n = n;
    fp->offset = malloc((m + 1) * sizeof *fp->offset);
    fp->xy = malloc(m * (size_t)max_vertices * 2 * sizeof *fp->xy);
    fp->xmin = malloc(m * sizeof(double));
    fp->ymin = malloc(m * sizeof(double));
    fp->xmax = malloc(m * sizeof(double));
    fp->ymax = malloc(m * sizeof(double));
    fp->info = malloc(m * sizeof *fp->info);
    if (!fp->offset || !fp->xy || !fp->xmin || !fp->ymin || !fp->xmax || !fp->ymax || !fp->info)
        footprints_free(&fp);
    return fp;
}

/* Moves footprint i's vertices to the station and records its envelope. */
static void place_footprint(struct tc_footprints *fp, long i, double sx, double sy, int n)
{
    double *xy = fp->xy + 2 * fp->offset[i];
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int k = 0; k < n; k++) {
        double x = xy[2 * k] += sx, y = xy[2 * k + 1] += sy;
        x0 = x < x0 ? x : x0;
        x1 = x > x1 ? x : x1;
        y0 = y < y0 ? y : y0;
        y1 = y > y1 ? y : y1;
    }
    fp->xmin[i] = x0;
    fp->ymin[i] = y0;
    fp->xmax[i] = x1;
    fp->ymax[i] = y1;
}

/* A station outside every township (sites.outside = keep) uses the radio
 * settings of the special kind; the README says so. */
static enum tc_kind station_kind(const struct tc_map *map, const struct tc_sites *sites, long i)
{
    int t = sites->township[i];
    return t >= 0 ? map->t[t].kind : KIND_SPECIAL;
}

struct tc_footprints *footprints_build(const struct radio_config *radio, const struct tc_map *map,
                                       const struct tc_sites *sites, int threads,
                                       struct tc_error *err)
{
    long maxv = radio_footprint_max_vertices(radio);
    struct tc_footprints *fp = footprints_alloc(sites->n, maxv);
    if (!fp) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld footprints of up to %ld vertices",
                sites->n, maxv);
        return NULL;
    }
    /* Slots of maxv vertices first, so each station writes only its own
     * slot; then the slots are packed serially in station order. */
    int failed = 0;
    int *count = malloc(sizeof *count * (size_t)(sites->n > 0 ? sites->n : 1));
    if (!count) {
        footprints_free(&fp);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    #pragma omp parallel for num_threads(threads) schedule(static) reduction(|| : failed)
    for (long i = 0; i < sites->n; i++) {
        const struct radio_site *rs = sites->radio ? &sites->radio[i] : NULL;
        count[i] = radio_footprint(radio, station_kind(map, sites, i), rs, fp->xy + 2 * maxv * i,
                                   (int)maxv, &fp->info[i]);
        failed = failed || count[i] < 3;
    }
    if (failed) {
        free(count);
        footprints_free(&fp);
        tc_fail(err, TC_EXIT_INTERNAL, "the radio model returned a footprint with no area");
        return NULL;
    }
    fp->offset[0] = 0;
    int packed = 1; /* every footprint filled its slot: nothing to move */
    for (long i = 0; i < sites->n; i++) {
        fp->offset[i + 1] = fp->offset[i] + count[i];
        if (fp->offset[i] != maxv * i) {
            packed = 0;
            memmove(fp->xy + 2 * fp->offset[i], fp->xy + 2 * maxv * i,
                    sizeof *fp->xy * 2 * (size_t)count[i]);
        }
    }
    free(count);
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < sites->n; i++)
        place_footprint(fp, i, sites->x[i], sites->y[i],
                        (int)(fp->offset[i + 1] - fp->offset[i]));
    if (!packed) {
        double *shrunk = realloc(fp->xy, sizeof *fp->xy * 2 * (size_t)(fp->offset[fp->n] + 1));
        if (shrunk)
            fp->xy = shrunk;
    }
    return fp;
}

int footprint_contains(const struct tc_footprints *fp, long i, double x, double y)
{
    if (x < fp->xmin[i] || x > fp->xmax[i] || y < fp->ymin[i] || y > fp->ymax[i])
        return 0;
    const double *xy = fp->xy + 2 * fp->offset[i];
    long n = fp->offset[i + 1] - fp->offset[i];
    /* Crossing number; a point on an edge counts as inside. */
    int inside = 0;
    for (long a = 0, b = n - 1; a < n; b = a++) {
        double xa = xy[2 * a], ya = xy[2 * a + 1], xb = xy[2 * b], yb = xy[2 * b + 1];
        double cross = (xb - xa) * (y - ya) - (yb - ya) * (x - xa);
        if (cross == 0 && fmin(xa, xb) <= x && x <= fmax(xa, xb) && fmin(ya, yb) <= y &&
            y <= fmax(ya, yb))
            return 1;
        if ((ya > y) != (yb > y) && x < xa + (y - ya) * (xb - xa) / (yb - ya))
            inside = !inside;
    }
    return inside;
}
