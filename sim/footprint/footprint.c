/* footprint/footprint.c — every station's footprint polygon (see footprint.h). */
#include "footprint_internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/map.h"
#include "towncov/projection.h"
#include "towncov/sites.h"

/* Stations whose shapes are computed at once: enough for the threads,
 * small enough that the block's buffer stays near 64 MB whatever the
 * radio model's vertex count. */
#define BLOCK_DOUBLES (8L << 20)

void footprints_free(struct tc_footprints **pfp)
{
    struct tc_footprints *fp = *pfp;
    if (!fp)
        return;
    free(fp->cx);
    free(fp->cy);
    free(fp->shape);
    free(fp->shape_off);
    free(fp->sxy);
    free(fp->shape_info);
    free(fp->xmin);
    free(fp->ymin);
    free(fp->xmax);
    free(fp->ymax);
    free(fp);
    *pfp = NULL;
}

static struct tc_footprints *footprints_alloc(long n)
{
    struct tc_footprints *fp = calloc(1, sizeof *fp);
    if (!fp)
        return NULL;
    size_t m = (size_t)(n > 0 ? n : 1);
    fp->n = n;
    fp->cx = malloc(m * sizeof(double));
    fp->cy = malloc(m * sizeof(double));
    fp->shape = malloc(m * sizeof *fp->shape);
    fp->shape_off = calloc(1, sizeof *fp->shape_off);
    fp->xmin = malloc(m * sizeof(double));
    fp->ymin = malloc(m * sizeof(double));
    fp->xmax = malloc(m * sizeof(double));
    fp->ymax = malloc(m * sizeof(double));
    if (!fp->cx || !fp->cy || !fp->shape || !fp->shape_off || !fp->xmin || !fp->ymin ||
        !fp->xmax || !fp->ymax)
        footprints_free(&fp);
    return fp;
}

/* ---- building ---------------------------------------------------------------*/

/* A station outside every township (sites.outside = keep) uses the radio
 * settings of the special kind; the README says so. */
static enum tc_kind station_kind(const struct tc_map *map, const struct tc_sites *sites, long i)
{
    int t = sites->township[i];
    return t >= 0 ? map->t[t].kind : KIND_SPECIAL;
}

/* Scratch for one block of stations: each writes its own slot of maxv
 * vertices in parallel, then the shapes are interned serially, in station
 * order, so shape numbers do not depend on the threads. */
struct block {
    long size, maxv;
    double *xy;
    int *count;
    struct radio_range_info *info;
    uint64_t *hash;
    long *found; /* the shape already in the store, or -1 */
};

static int block_new(struct block *b, long n, long maxv)
{
    b->maxv = maxv;
    b->size = BLOCK_DOUBLES / (2 * maxv);
    if (b->size > n)
        b->size = n > 0 ? n : 1;
    b->xy = malloc(sizeof *b->xy * 2 * (size_t)(maxv * b->size));
    b->count = malloc(sizeof *b->count * (size_t)b->size);
    b->info = malloc(sizeof *b->info * (size_t)b->size);
    b->hash = malloc(sizeof *b->hash * (size_t)b->size);
    b->found = malloc(sizeof *b->found * (size_t)b->size);
    return b->xy && b->count && b->info && b->hash && b->found ? 0 : -1;
}

static void block_free(struct block *b)
{
    free(b->xy);
    free(b->count);
    free(b->info);
    free(b->hash);
    free(b->found);
}

/* The radio model's shape's reach: the range d the local maps are
 * fitted at and rounded for. */
static double shape_reach(const double *xy, int n)
{
    double d = 0;
    for (int k = 0; k < n; k++)
        d = fmax(d, hypot(xy[2 * k], xy[2 * k + 1]));
    return d;
}

/* The per-thread state of local maps and what the bound needs. */
struct local_scale {
    const struct projection_local *l; /* one per thread */
    const struct local_bound *bound;
};

/* On a map wider than a province: the radio model's shape src (ground
 * metres east and north of the station, range and azimuth; reach d) into
 * xy, placed by the CRS's second-order local map at the station (rounded,
 * so that neighbours share a shape; uncorrected where there is none, at a
 * pole). Where the bound proves the rounded second-order terms zero, the
 * geodesic placements fitting them are skipped (local_bound.c): every
 * vertex gets the same bits. src may be xy. */
static void to_local_scale(const struct local_scale *ls, double x, double y, double d,
                           const double *src, double *xy, int n)
{
    struct projection_map m;
    if (!local_map_without_fit(ls->l, ls->bound, x, y, d, src, n, &m)) {
        projection_local_map(ls->l, x, y, d, &m);
        projection_map_round(&m, d);
    }
    for (int k = 0; k < n; k++)
        projection_map_apply(&m, src[2 * k], src[2 * k + 1], &xy[2 * k], &xy[2 * k + 1]);
}

/* The radio model's shape of each kind and its reach, drawn once: stations
 * without settings of their own (placed by a strategy) all have their
 * kind's, so a wide map needs only each station's local map. */
struct kind_shapes {
    double *xy; /* KIND_COUNT slots of maxv vertices */
    int count[KIND_COUNT];
    double reach[KIND_COUNT];
    struct radio_range_info info[KIND_COUNT];
};

static int kind_shapes_new(struct kind_shapes *ks, const struct radio_model *radio, long maxv)
{
    ks->xy = malloc(sizeof *ks->xy * 2 * (size_t)(maxv * KIND_COUNT));
    if (!ks->xy)
        return -1;
    for (int k = 0; k < KIND_COUNT; k++) {
        double *xy = ks->xy + 2 * maxv * k;
        ks->count[k] = radio_footprint(radio, (enum tc_kind)k, NULL, xy, (int)maxv, &ks->info[k]);
        ks->reach[k] = ks->count[k] >= 3 ? shape_reach(xy, ks->count[k]) : 0;
    }
    return 0;
}

/* Station i's shape into slot j of the block: its kind's (ks, when the
 * stations have no settings of their own) or the radio model's; then at
 * its scale when local is set. The shape's vertex count (< 3: none). */
static int station_shape(struct block *b, long j, const struct kind_shapes *ks,
                         const struct radio_model *radio, const struct tc_map *map,
                         const struct tc_sites *sites, long i, const struct local_scale *local)
{
    double *xy = b->xy + 2 * b->maxv * j;
    enum tc_kind kind = station_kind(map, sites, i);
    if (ks) {
        int n = ks->count[kind];
        b->info[j] = ks->info[kind];
        if (n >= 3 && local)
            to_local_scale(local, sites->x[i], sites->y[i], ks->reach[kind],
                           ks->xy + 2 * b->maxv * kind, xy, n);
        else if (n >= 3)
            memcpy(xy, ks->xy + 2 * b->maxv * kind, sizeof *xy * 2 * (size_t)n);
        return n;
    }
    int n = radio_footprint(radio, kind, &sites->radio[i], xy, (int)b->maxv, &b->info[j]);
    if (n >= 3 && local)
        to_local_scale(local, sites->x[i], sites->y[i], shape_reach(xy, n), xy, xy, n);
    return n;
}

/* Shapes of stations first .. first+m-1 into the block; -1 when the radio
 * model returned one without area. ks: the kinds' shapes (stations without
 * settings of their own) or NULL. local: one per thread, or NULL (shapes
 * as the radio model drew them). */
static int block_shapes(struct block *b, const struct kind_shapes *ks,
                        const struct radio_model *radio, const struct tc_map *map,
                        const struct tc_sites *sites, long first, long m, int threads,
                        const struct projection_local *local, const struct local_bound *bound)
{
    int failed = 0;
    #pragma omp parallel for num_threads(threads) schedule(static) reduction(|| : failed)
    for (long j = 0; j < m; j++) {
        struct local_scale ls = {local ? &local[omp_get_thread_num()] : NULL, bound};
        b->count[j] = station_shape(b, j, ks, radio, map, sites, first + j, local ? &ls : NULL);
        failed = failed || b->count[j] < 3;
        if (!failed)
            b->hash[j] = shape_hash(&(struct shape_view){b->xy + 2 * b->maxv * j, b->count[j],
                                                         &b->info[j]});
    }
    return failed ? -1 : 0;
}

/* Stations without settings of their own (placed by a strategy, not read
 * from a file) have their kind's shape: one radio_footprint call a kind,
 * in order of first use so that shape numbers follow the stations. */
static int intern_by_kind(struct tc_footprints *fp, const struct radio_model *radio,
                          const struct tc_map *map, const struct tc_sites *sites,
                          struct shape_table *t, struct tc_error *err)
{
    int maxv = radio_footprint_max_vertices(radio_model_config(radio));
    double *xy = malloc(sizeof *xy * 2 * (size_t)maxv);
    if (!xy)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the footprints");
    long kind_shape[KIND_COUNT] = {-1, -1, -1, -1};
    int rc = 0;
    for (long i = 0; rc == 0 && i < sites->n; i++) {
        enum tc_kind k = station_kind(map, sites, i);
        if (kind_shape[k] < 0) {
            struct radio_range_info info;
            int n = radio_footprint(radio, k, NULL, xy, maxv, &info);
            if (n < 3) {
                rc = tc_fail(err, TC_EXIT_INTERNAL, "the radio model returned a footprint with "
                             "no area");
                break;
            }
            struct shape_view v = {xy, n, &info};
            kind_shape[k] = footprint_shape_intern(fp, t, &v, shape_hash(&v));
            if (kind_shape[k] < 0)
                rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the footprint shapes");
        }
        fp->shape[i] = (int)kind_shape[k];
    }
    free(xy);
    return rc;
}

static int intern_shapes(struct tc_footprints *fp, const struct radio_model *radio,
                         const struct tc_map *map, const struct tc_sites *sites, int threads,
                         const struct projection_local *local, struct tc_error *err)
{
    struct local_bound bound = {0};
    if (local)
        local_bound_init(&bound, &local[0]);
    struct shape_table t = {0};
    if (!sites->radio && !local) {
        int rc = intern_by_kind(fp, radio, map, sites, &t, err);
        footprint_shape_table_free(&t);
        return rc;
    }
    struct block b = {0};
    struct kind_shapes kinds = {0};
    int rc = block_new(&b, sites->n, radio_footprint_max_vertices(radio_model_config(radio)));
    if (rc == 0 && !sites->radio)
        rc = kind_shapes_new(&kinds, radio, b.maxv);
    if (rc != 0)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the footprints");
    for (long first = 0; rc == 0 && first < sites->n; first += b.size) {
        long m = sites->n - first < b.size ? sites->n - first : b.size;
        if (block_shapes(&b, kinds.xy ? &kinds : NULL, radio, map, sites, first, m, threads,
                         local, &bound) != 0) {
            rc = tc_fail(err, TC_EXIT_INTERNAL, "the radio model returned a footprint with no "
                         "area");
            break;
        }
        /* Shapes of earlier blocks found in parallel (the store is only
         * read); then, in station order, the new ones numbered (as one by
         * one would), their vertices copied after, in parallel. */
        #pragma omp parallel for num_threads(threads) schedule(static)
        for (long j = 0; j < m; j++) {
            struct shape_view v = {b.xy + 2 * b.maxv * j, b.count[j], &b.info[j]};
            b.found[j] = footprint_shape_find(fp, &t, &v, b.hash[j]);
        }
        for (long j = 0; rc == 0 && j < m; j++) {
            struct shape_view v = {b.xy + 2 * b.maxv * j, b.count[j], &b.info[j]};
            long s = b.found[j] >= 0 ? b.found[j]
                                     : footprint_shape_add_deferred(fp, &t, &v, b.hash[j]);
            if (s < 0)
                rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the footprint shapes");
            fp->shape[first + j] = (int)s;
        }
        if (rc == 0) /* before the next block overwrites them */
            footprint_shapes_copy_pending(fp, &t, threads);
    }
    block_free(&b);
    free(kinds.xy);
    footprint_shape_table_free(&t);
    return rc;
}

/* Envelopes: rounding to nearest is monotonic, so the smallest of
 * sx + cx over a shape's vertices is (its smallest sx) + cx, exactly. */
static int place_footprints(struct tc_footprints *fp, const struct tc_sites *sites, int threads)
{
    double *env = malloc(sizeof *env * 4 * (size_t)(fp->nshape > 0 ? fp->nshape : 1));
    if (!env)
        return -1;
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (long s = 0; s < fp->nshape; s++) {
        double *e = env + 4 * s;
        e[0] = e[1] = INFINITY;
        e[2] = e[3] = -INFINITY;
        for (long k = fp->shape_off[s]; k < fp->shape_off[s + 1]; k++) {
            double x = fp->sxy[2 * k], y = fp->sxy[2 * k + 1];
            e[0] = x < e[0] ? x : e[0];
            e[1] = y < e[1] ? y : e[1];
            e[2] = x > e[2] ? x : e[2];
            e[3] = y > e[3] ? y : e[3];
        }
    }
    #pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < fp->n; i++) {
        const double *e = env + 4 * fp->shape[i];
        fp->cx[i] = sites->x[i];
        fp->cy[i] = sites->y[i];
        fp->xmin[i] = e[0] + fp->cx[i];
        fp->ymin[i] = e[1] + fp->cy[i];
        fp->xmax[i] = e[2] + fp->cx[i];
        fp->ymax[i] = e[3] + fp->cy[i];
    }
    free(env);
    return 0;
}

/* Where the map's metric CRS is off ground truth by more than
 * PROJECTION_SCALE_TOL, *out gets one Jacobian state per thread (created
 * serially, as PROJ wants); else NULL, and every shape is the radio
 * model's own. */
static int locals_new(const struct tc_map *map, int n, struct projection_local **out,
                      struct tc_error *err)
{
    *out = NULL;
    if (!(map->scale_error > PROJECTION_SCALE_TOL))
        return 0;
    struct projection_local *l = calloc((size_t)n, sizeof *l);
    if (!l)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (int i = 0; i < n; i++)
        if (projection_local_init(&l[i], map->metric_crs) != 0) {
            for (int j = 0; j < i; j++)
                projection_local_free(&l[j]);
            free(l);
            return tc_fail(err, TC_EXIT_INTERNAL, "PROJ cannot give the scale of %s",
                           map->metric_crs);
        }
    *out = l;
    return 0;
}

/* footprints_build, or footprints_by_kind when at_scale is 0. */
static struct tc_footprints *build(const struct radio_model *radio, const struct tc_map *map,
                                   const struct tc_sites *sites, int threads, int at_scale,
                                   struct tc_error *err)
{
    struct tc_footprints *fp = footprints_alloc(sites->n);
    if (!fp) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld footprints", sites->n);
        return NULL;
    }
    int nlocal = threads > 0 ? threads : 1;
    struct projection_local *local = NULL;
    int rc = at_scale ? locals_new(map, nlocal, &local, err) : 0;
    if (rc == 0)
        rc = intern_shapes(fp, radio, map, sites, threads, local, err);
    for (int i = 0; local && i < nlocal; i++)
        projection_local_free(&local[i]);
    free(local);
    if (rc != 0) {
        footprints_free(&fp);
        return NULL;
    }
    if (place_footprints(fp, sites, threads) != 0) {
        footprints_free(&fp);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    return fp;
}

struct tc_footprints *footprints_build(const struct radio_model *radio, const struct tc_map *map,
                                       const struct tc_sites *sites, int threads,
                                       struct tc_error *err)
{
    return build(radio, map, sites, threads, 1, err);
}

struct tc_footprints *footprints_by_kind(const struct radio_model *radio,
                                         const struct tc_map *map, const struct tc_sites *sites,
                                         struct tc_error *err)
{
    if (sites->radio) {
        tc_fail(err, TC_EXIT_INTERNAL, "footprints_by_kind: the stations have radio settings "
                "of their own");
        return NULL;
    }
    return build(radio, map, sites, 1, 0, err);
}

GEOSGeometry *footprint_polygon(GEOSContextHandle_t ctx, const struct tc_footprints *fp, long i)
{
    long n = footprint_size(fp, i);
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, (unsigned)n + 1, 2);
    for (long k = 0; seq && k <= n; k++) {
        double x, y;
        footprint_vertex(fp, i, k % n, &x, &y);
        GEOSCoordSeq_setXY_r(ctx, seq, (unsigned)k, x, y);
    }
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
    return ring ? GEOSGeom_createPolygon_r(ctx, ring, NULL, 0) : NULL;
}

/* ---- joining ---------------------------------------------------------------*/

/* Copies n elements of size bytes from src to dst + at (in elements). */
static void put(void *dst, long at, const void *src, long n, size_t size)
{
    if (n > 0)
        memcpy((char *)dst + (size_t)at * size, src, (size_t)n * size);
}

struct tc_footprints *footprints_concat(const struct tc_footprints *a,
                                        const struct tc_footprints *b)
{
    struct tc_footprints *fp = footprints_alloc(a->n + b->n);
    if (!fp)
        return NULL;
    long nv_a = a->shape_off[a->nshape], nv_b = b->shape_off[b->nshape];
    long ns = a->nshape + b->nshape;
    free(fp->shape_off);
    fp->shape_off = malloc(sizeof *fp->shape_off * (size_t)(ns + 1));
    fp->sxy = malloc(sizeof *fp->sxy * 2 * (size_t)(nv_a + nv_b + 1));
    fp->shape_info = malloc(sizeof *fp->shape_info * (size_t)(ns + 1));
    if (!fp->shape_off || !fp->sxy || !fp->shape_info) {
        footprints_free(&fp);
        return NULL;
    }
    fp->nshape = ns;
    const struct tc_footprints *part[2] = {a, b};
    long at = 0, shape_at = 0, v_at = 0;
    for (int k = 0; k < 2; k++) {
        const struct tc_footprints *p = part[k];
        put(fp->cx, at, p->cx, p->n, sizeof(double));
        put(fp->cy, at, p->cy, p->n, sizeof(double));
        put(fp->xmin, at, p->xmin, p->n, sizeof(double));
        put(fp->ymin, at, p->ymin, p->n, sizeof(double));
        put(fp->xmax, at, p->xmax, p->n, sizeof(double));
        put(fp->ymax, at, p->ymax, p->n, sizeof(double));
        for (long i = 0; i < p->n; i++)
            fp->shape[at + i] = p->shape[i] + (int)shape_at;
        for (long s = 0; s < p->nshape; s++)
            fp->shape_off[shape_at + s] = p->shape_off[s] + v_at;
        put(fp->shape_info, shape_at, p->shape_info, p->nshape, sizeof *p->shape_info);
        long nv = p->shape_off[p->nshape];
        put(fp->sxy, 2 * v_at, p->sxy, 2 * nv, sizeof(double));
        at += p->n;
        shape_at += p->nshape;
        v_at += nv;
    }
    fp->shape_off[ns] = v_at;
    return fp;
}
