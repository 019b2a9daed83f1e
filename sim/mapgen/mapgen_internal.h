/* mapgen_internal.h — what the map builder's files share (private to
 * sim/mapgen/): the province being built (its counties and townships), the
 * per-thread worker, the splitter's working state, and the functions one
 * file gives another. See mapgen.h for the tool's public interface. */
#ifndef TOWNCOV_MAPGEN_INTERNAL_H
#define TOWNCOV_MAPGEN_INTERNAL_H

#include <geodesic.h>
#include <geos_c.h>
#include <shapefil.h>
#include <stdint.h>
#include <stdlib.h>

#include "towncov/common.h"
#include "towncov/mapgen.h"
#include "towncov/textenc.h"
#include "towncov/worker.h"

/* Longest edge written, degrees. Consumers project vertex by vertex; a long
 * straight lon/lat edge then bends the area by 0.1-0.2 %. */
#define DENSIFY_DEG 0.005
#define KM_PER_DEG 111.32

/* counter offsets inside a county's stream */
#define CTR_INIT 0ULL
#define CTR_SHUFFLE (1ULL << 32)

/* ---- data ---------------------------------------------------------------- */

struct county {
    char *code, *name, *city;
    int record;            /* shapefile record or OGR feature (0-based), -1 synthetic */
    long long fid;         /* its FID: the record's for a shapefile, the source's else */
    int declared;          /* its "townships" attribute, -1 when absent */
    SHPObject *shape;      /* as read; freed once converted */
    GEOSGeometry *geom;    /* lon/lat: cleaned, then simplified and densified */
    int first, n, n_urban; /* townships [first, first + n) of the province */
    uint64_t stream;
    double area_km2, xmin, ymin, xmax, ymax;
    int was_invalid, vertices_stripped, parts_dropped, holes_filled, lines_dropped;
    int collapsed_parts;   /* parts with no area dropped as read (islets, holes) */
    double sliver_km2, hole_km2, overlap_km2;
    double tiling_err, overlap, gap;
};

struct mg_township {
    char *code, *name;
    char *county_code;     /* as read; the link is `county` */
    int county;            /* index into province.c */
    int line;              /* CSV line, 0 synthetic */
    enum tc_kind kind;
    GEOSGeometry *geom;    /* lon/lat */
    double seat_lon, seat_lat, area_km2;
    GEOSGeometry *seat_area; /* lon/lat: the modelled seat area (seat_areas.c) */
    double seat_area_km2;
    long population, urban, rural; /* --population (population.c); -1: none */
};

struct province {
    struct county *c;
    int nc;
    struct mg_township *t; /* sorted by county, then code */
    int nt;
    const char *shp_path, *csv_path;
    int ogr;               /* the counties came through OGR (not a shapefile) */
    char *ogr_label;       /* then "source, layer 'name'" (ogrread.h), owned */
    char encoding[TEXTENC_NAME_MAX]; /* of the county .dbf; "" = guess */
    int has_population;    /* townships carry --population's people */
};

/* A county as messages name it, after its source (MG_SRC): "record N (FID
 * N-1)" in a shapefile, "feature N (FID F)" in any other source (the FID
 * ogrinfo, QGIS and SQL show, as ogrread.h's). printf(MG_REC_FMT,
 * MG_REC(p, c)). */
#define MG_SRC(p) ((p)->ogr_label ? (p)->ogr_label : (p)->shp_path)
#define MG_REC_FMT "%s %d (FID %lld)"
#define MG_REC(p, c) (p)->ogr ? "feature" : "record", (c)->record + 1, (c)->fid

struct pop_table;
/* population.c: spreads the county table over the built townships as a run
 * does (population.h: urban people over built-up land, a subdistrict whole
 * or its seat area, rural over the rest; geodesic areas here), into each
 * township's population, urban, rural. 0, or -1 with err (exit 4). */
int mg_population(struct province *p, const struct pop_table *tab, struct tc_error *err);

/* What one thread of the builder works with: its worker from the project's
 * factory (worker.h: its own GEOS context, whose error handler writes
 * tw->geos_msg, and the failure slot that keeps the lowest failing county)
 * and the builder's own per-thread state. Each lives in its worker's
 * scratch, made serially after tc_workers_new (build.c) and freed by
 * tc_workers_free. */
struct mg_worker {
    struct tc_worker *tw;      /* the worker whose scratch this is */
    struct geod_geodesic geod; /* WGS 84, for geodesic areas (geodesic.h) */
    struct tc_error err;       /* the failure of the county at hand, until it
                                  is recorded in tw's slot (tc_worker_failf) */
};

/* A growable list of points. */
struct pts {
    double *x, *y;
    int n, cap;
};

static inline int mg_pts_push(struct pts *p, double x, double y)
{
    if (p->n == p->cap) {
        size_t cap = (size_t)p->cap;
        if (tc_reserve_xy(&p->x, &p->y, &cap, (size_t)p->n + 1) != 0)
            return -1;
        p->cap = (int)cap;
    }
    p->x[p->n] = x;
    p->y[p->n++] = y;
    return 0;
}

/* A growable list of owned geometries. */
struct glist {
    GEOSGeometry **g;
    int n, cap;
};

struct cand {
    double d;
    int i;
};

/* ---- the splitter (sample.c, seeds.c, cells.c) ----------------------------- */

/* Local frame: x = (lon - lon0) cos(lat0), y = lat - lat0, so that lengths
 * are nearly isotropic over a county and Voronoi cells are not stretched. */
struct frame {
    double lon0, lat0, c;
};

static inline void mg_frame_to_lonlat(const struct frame *f, double x, double y, double *lon,
                                      double *lat)
{
    *lon = f->lon0 + x / f->c;
    *lat = f->lat0 + y;
}

/* All rings of a polygon in the local frame, for point-in-polygon and
 * scanline sampling (even-odd rule: holes and parts need no bookkeeping). */
struct rings {
    struct pts v;
    int *start; /* ring k is [start[k], start[k + 1]), closed */
    int nr, cap;
};

/* A uniform grid over points, for nearest-point queries in O(1) expected. */
struct seed_grid {
    double x0, y0, cs;
    int nx, ny;
    int *head, *item; /* points of cell c: item[head[c] .. head[c + 1]) */
};

/* Everything one split works on, in the local frame. */
struct splitter {
    struct mg_worker *w;
    const GEOSGeometry *poly; /* lon/lat */
    struct frame f;
    struct rings rings;
    double box[4];            /* xmin ymin xmax ymax of the rings */
    struct pts s;             /* samples */
    double *wt;               /* sample weights */
    int *assign;              /* sample -> seed */
    double h;                 /* sample spacing */
    int n, n_urban;
    double cx, cy;            /* the county's centre */
    uint64_t seed, stream;
};

/* What a split returns: seed k's seat, its cell clipped to the polygon, and
 * its distance to the centre (urban townships take the nearest seeds). */
struct split {
    double *lon, *lat, *dist;
    GEOSGeometry **cell;
    int n;
};

/* geom.c: strings, GEOS clean-up and errors, lists, rings, areas */
char *mg_dup_str(const char *s);
uint64_t mg_hash_str(const char *s);
int mg_geos_fail(struct mg_worker *w, const char *what);
void mg_destroy(GEOSContextHandle_t ctx, GEOSGeometry **g);
void mg_pts_free(struct pts *p);
int mg_glist_push(struct glist *l, GEOSGeometry *g);
void mg_glist_free(GEOSContextHandle_t ctx, struct glist *l);
int mg_ring_coords(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double **x, double **y);
double mg_shoelace(const double *x, const double *y, int n);
double mg_ring_geo_m2(struct mg_worker *w, const GEOSGeometry *ring);
double mg_geo_area_km2(struct mg_worker *w, const GEOSGeometry *g);
int mg_collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g, struct glist *l,
                        int *others);
GEOSGeometry *mg_polygons_make(GEOSContextHandle_t ctx, struct glist *l);
GEOSGeometry *mg_polygonal(GEOSContextHandle_t ctx, const GEOSGeometry *g, int *others);
int mg_cmp_cand(const void *a, const void *b);

/* densify.c: densified copies, identical along shared edges */
GEOSGeometry *mg_densify(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step);

/* read_counties.c, read_townships.c, link.c: the real province */
int mg_counties_read(struct province *p, struct tc_error *err);
int mg_townships_read(struct province *p, struct tc_error *err);
int mg_province_read(struct province *p, struct tc_error *err);

/* synthetic.c: the synthetic province */
int mg_synthetic_read(struct mg_worker *w, long total, uint64_t seed, struct province *p,
                      struct tc_error *err);

/* sample.c: the polygon in its local frame, its samples and weights */
void mg_rings_free(struct rings *r);
int mg_rings_inside(const struct rings *r, double px, double py);
double mg_rings_distance(const struct rings *r, double px, double py);
int mg_splitter_setup(struct splitter *z);

/* seeds.c: the seeds, and the grid that finds the one nearest a point */
int seed_grid_build(struct seed_grid *g, const double *x, const double *y, int n);
void seed_grid_free(struct seed_grid *g);
int seed_grid_nearest(const struct seed_grid *g, const double *x, const double *y, double px,
                      double py);
int mg_seeds_place(struct splitter *z, double *sx, double *sy);

/* cells.c: the split into cells */
void mg_split_free(GEOSContextHandle_t ctx, struct split *sp);
int mg_split_polygon(struct mg_worker *w, const GEOSGeometry *poly, int n, int n_urban,
                     uint64_t seed, uint64_t stream, struct split *sp);

/* clean.c: a county cleaned */
int mg_county_clean(struct mg_worker *w, const struct province *p, struct county *c);

/* check.c: validity, tiling, county overlaps */
int mg_check_valid(struct mg_worker *w, const GEOSGeometry *g, const char *what);
int mg_county_check(struct mg_worker *w, const struct province *p, struct county *c);
int mg_counties_overlap(struct tc_workers *ws, struct province *p, struct tc_error *err);

/* resolve.c: each overlap between two counties left to the county whose code
 * sorts first (r counts what was cut) */
int mg_counties_resolve(struct tc_workers *ws, struct province *p, struct mapgen_report *r,
                        struct tc_error *err);

/* simplify.c: county borders simplified, shared borders alike */
int mg_counties_simplify(struct mg_worker *w, struct province *p, double tol,
                         struct mapgen_report *r, struct tc_error *err);

/* seat_areas.c: a township's modelled seat area */
int mg_seat_area(struct mg_worker *w, struct mg_township *t);

/* write.c: the layers */
int mg_write_map(struct mg_worker *w, const struct province *p, const char *dir,
                 struct tc_error *err);

/* report.c: the build's measures and log */
void mg_report_fill(const struct province *p, struct mapgen_report *r);
void mg_report_print(const struct mapgen_options *opt, const struct mapgen_report *r,
                     int nthreads);

#endif
