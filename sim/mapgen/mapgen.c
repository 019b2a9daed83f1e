/* mapgen.c — the map builder (see mapgen.h).
 *
 * read      counties (shapelib) and the township list, or make a synthetic
 *           province (one thread: shapelib handles are not thread-safe)
 * clean     per county, in parallel: strip spikes, make valid, drop slivers
 * simplify  the county borders, all at once so shared borders stay shared
 * split     per county, in parallel, owner computes: densify; place one seed
 *           per township by weighted Lloyd relaxation on a grid of samples;
 *           Voronoi; node the cells with the county border and keep the
 *           faces inside; check that the townships tile the county
 * overlap   measure how much neighbouring counties overlap (reported only)
 * write     shapefiles into a temporary folder, renamed into place at the end
 *
 * Randomness is keyed by (seed, hash of the county code, counter), so a
 * county's townships depend only on the seed and that county's data, never
 * on thread count or county order. */
#define _POSIX_C_SOURCE 200809L
#include "towncov/mapgen.h"

#include <errno.h>
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <omp.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "towncov/csv.h"
#include "towncov/outdir.h"
#include "towncov/rng.h"
#include "towncov/shpio.h"
#include "towncov/textenc.h"

/* Longest edge written, degrees. Consumers project vertex by vertex; a long
 * straight lon/lat edge then bends the area by 0.1-0.2 %. */
#define DENSIFY_DEG 0.005
/* Polygon parts and holes smaller than this are slivers of the 1/1024°
 * source grid (pinched-off spikes MakeValid cuts loose), not real land. */
#define SLIVER_KM2 0.1
#define KM_PER_DEG 111.32
/* Default border simplification: the source's own resolution (1/1024 deg
 * grid, about 100 m), so nothing real is lost; it shrinks the map threefold. */
#define SIMPLIFY_DEG 0.001
#define SAMPLES_PER_SEED 100
#define LLOYD_ITERS 4
/* Subdistrict area relative to a rural township's: urban cells are small. */
#define URBAN_SIZE 0.15
#define TILING_TOL 1e-6   /* relative: township areas vs the county's */
#define OVERLAP_TOL 1e-9  /* relative: area covered twice inside a county */
#define MAX_TOWNSHIPS_PER_COUNTY 100000

#define SYNTH_LON 105.0
#define SYNTH_LAT 30.0
#define SYNTH_TOWNSHIP_KM2 95.0 /* Jiangxi's mean */
#define SYNTH_PER_COUNTY 18.0   /* Jiangxi: 1,767 townships in 100 counties */
#define SYNTH_MAX 1000000L

/* rng streams of the synthetic province (county streams are code hashes) */
enum { STREAM_BLOB = 1, STREAM_PROVINCE, STREAM_KINDS, STREAM_NAMES };
/* counter offsets inside a county's stream */
#define CTR_INIT 0ULL
#define CTR_SHUFFLE (1ULL << 32)

static const char usage[] =
    "Usage: towncov mapgen --counties SHP --townships CSV --out DIR [options]\n"
    "       towncov mapgen --synthetic N --out DIR [options]\n"
    "\n"
    "Builds a township map: splits every county polygon into as many townships\n"
    "as the township list gives it (seeded Voronoi cells, relaxed by a few Lloyd\n"
    "iterations, subdistricts small and near the county's centre, clipped to the\n"
    "county so that its townships tile it exactly). Each township keeps its real\n"
    "code, name, county and kind; its cell's seed is its seat. The inner\n"
    "boundaries are synthetic: no open source has real township boundaries.\n"
    "\n"
    "Input:\n"
    "  --counties SHP     county polygons, lon/lat WGS 84, UTF-8 attributes: code,\n"
    "                     name, optional city and townships (checked against CSV)\n"
    "  --townships CSV    columns code,name,county_code[,kind] (by name, any order;\n"
    "                     UTF-8 or GBK, as spreadsheets save it); kind is subdistrict,\n"
    "                     town, township or special (from the name when absent)\n"
    "  --synthetic N      instead: a synthetic province of N townships near\n"
    "                     105E 30N (~95 km2 each, ~18 per county), for benchmarks\n"
    "\n"
    "Options:\n"
    "  --out DIR          output folder, replaced when the build passes; refused\n"
    "                     when it holds anything towncov did not write\n"
    "  --seed N           random seed (default 1); same inputs and seed give\n"
    "                     byte-identical files\n"
    "  --simplify DEG     simplify the county borders to DEG degrees, borders two\n"
    "                     counties share alike (default 0.001, the resolution of\n"
    "                     the Jiangxi source; 0 keeps every vertex; synthetic: 0)\n"
    "  --threads N        OpenMP threads (default: all cores)\n"
    "  --quiet            no build log\n"
    "\n"
    "Output in DIR: townships.shp (code, name, county, cnty_code, city, kind,\n"
    "seat_lon, seat_lat, area_km2), seats.shp (code, name, kind) and counties.shp\n"
    "(the cleaned counties: code, name, city, townships, area_km2), each with\n"
    ".shx .dbf .prj (WGS 84) .cpg (UTF-8).\n"
    "\n"
    "Cleaning and checks: collinear and spike vertices are removed, invalid county\n"
    "polygons made valid (GEOS MakeValid, structure method), parts and holes under\n"
    "0.1 km2 dropped, borders simplified (--simplify), edges densified to 0.005\n"
    "deg. The build fails unless every township is valid, each county's townships\n"
    "tile it (areas within 1e-6) and every seat is inside its township.\n"
    "Exit status: 0 ok, 2 bad arguments, 4 bad input, 7 cannot write, 8 a check\n"
    "failed.\n";

/* ---- data ---------------------------------------------------------------- */

struct county {
    char *code, *name, *city;
    int record;            /* shapefile record (0-based), -1 synthetic */
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
    int status;            /* 0, or the failure's exit code */
    char *errmsg;          /* failure message (allocated) */
};

struct township {
    char *code, *name;
    char *county_code;     /* as read; the link is `county` */
    int county;            /* index into province.c */
    int line;              /* CSV line, 0 synthetic */
    enum tc_kind kind;
    GEOSGeometry *geom;    /* lon/lat */
    double seat_lon, seat_lat, area_km2;
};

struct province {
    struct county *c;
    int nc;
    struct township *t;    /* sorted by county, then code */
    int nt;
    const char *shp_path, *csv_path;
    char encoding[TEXTENC_NAME_MAX]; /* of the county .dbf; "" = guess */
};

/* Per-thread state, created serially before the parallel region. */
struct worker {
    GEOSContextHandle_t ctx;
    struct geod_geodesic geod;
    char geos_msg[512];
    struct tc_error err;
};

/* ---- small helpers --------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* FNV-1a: a county's random stream from its code, so its townships do not
 * change when other counties are added or reordered. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static void geos_message(const char *message, void *userdata)
{
    struct worker *w = userdata;
    snprintf(w->geos_msg, sizeof w->geos_msg, "%s", message);
}

static int worker_init(struct worker *w)
{
    memset(w, 0, sizeof *w);
    w->ctx = GEOS_init_r();
    if (!w->ctx)
        return -1;
    GEOSContext_setErrorMessageHandler_r(w->ctx, geos_message, w);
    geod_init(&w->geod, 6378137.0, 1.0 / 298.257223563);
    return 0;
}

static void worker_finish(struct worker *w)
{
    if (w->ctx)
        GEOS_finish_r(w->ctx);
    w->ctx = NULL;
}

/* Fails with the last GEOS message, for library calls that returned NULL. */
static int geos_fail(struct worker *w, const char *what)
{
    return tc_fail(&w->err, TC_EXIT_INTERNAL, "GEOS %s failed: %s", what,
                   w->geos_msg[0] ? w->geos_msg : "no message");
}

static void destroy(GEOSContextHandle_t ctx, GEOSGeometry **g)
{
    if (*g)
        GEOSGeom_destroy_r(ctx, *g);
    *g = NULL;
}

/* A growable list of points. */
struct pts {
    double *x, *y;
    int n, cap;
};

static int pts_push(struct pts *p, double x, double y)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 256;
        double *nx = realloc(p->x, sizeof *nx * (size_t)cap);
        if (nx)
            p->x = nx;
        double *ny = realloc(p->y, sizeof *ny * (size_t)cap);
        if (ny)
            p->y = ny;
        if (!nx || !ny)
            return -1;
        p->cap = cap;
    }
    p->x[p->n] = x;
    p->y[p->n++] = y;
    return 0;
}

static void pts_free(struct pts *p)
{
    free(p->x);
    free(p->y);
    memset(p, 0, sizeof *p);
}

/* A growable list of owned geometries. */
struct glist {
    GEOSGeometry **g;
    int n, cap;
};

static int glist_push(struct glist *l, GEOSGeometry *g)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 16;
        GEOSGeometry **ng = realloc(l->g, sizeof *ng * (size_t)cap);
        if (!ng)
            return -1;
        l->g = ng;
        l->cap = cap;
    }
    l->g[l->n++] = g;
    return 0;
}

static void glist_free(GEOSContextHandle_t ctx, struct glist *l)
{
    for (int i = 0; i < l->n; i++)
        destroy(ctx, &l->g[i]);
    free(l->g);
    memset(l, 0, sizeof *l);
}

/* Coordinates of a ring (closed) as new arrays; returns the count or -1. */
static int ring_coords(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double **x, double **y)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, ring);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(ctx, seq, &n))
        return -1;
    *x = malloc(sizeof **x * (n ? n : 1));
    *y = malloc(sizeof **y * (n ? n : 1));
    if (!*x || !*y || (n && !GEOSCoordSeq_copyToArrays_r(ctx, seq, *x, *y, NULL, NULL))) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        return -1;
    }
    return (int)n;
}

static double shoelace(const double *x, const double *y, int n)
{
    double s = 0.0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        s += (x[j] - x[i]) * (y[j] + y[i]);
    return s / 2.0;
}

/* Geodesic area of a ring, m², absolute. */
static double ring_geo_m2(struct worker *w, const GEOSGeometry *ring)
{
    double *x, *y;
    int n = ring_coords(w->ctx, ring, &x, &y);
    if (n < 4) {
        if (n >= 0) {
            free(x);
            free(y);
        }
        return 0.0;
    }
    double area = 0.0, perim = 0.0;
    geod_polygonarea(&w->geod, y, x, n - 1, &area, &perim); /* lats, lons */
    free(x);
    free(y);
    return fabs(area);
}

/* Geodesic area of a lon/lat Polygon or MultiPolygon, km². */
static double geo_area_km2(struct worker *w, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(w->ctx, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        double s = 0.0;
        for (int i = 0; i < GEOSGetNumGeometries_r(w->ctx, g); i++)
            s += geo_area_km2(w, GEOSGetGeometryN_r(w->ctx, g, i));
        return s;
    }
    if (type != GEOS_POLYGON || GEOSisEmpty_r(w->ctx, g))
        return 0.0;
    double m2 = ring_geo_m2(w, GEOSGetExteriorRing_r(w->ctx, g));
    for (int i = 0; i < GEOSGetNumInteriorRings_r(w->ctx, g); i++)
        m2 -= ring_geo_m2(w, GEOSGetInteriorRingN_r(w->ctx, g, i));
    return m2 / 1e6;
}

/* Appends clones of the polygons in g to l; counts the other pieces (the
 * lines and points MakeValid leaves where spikes collapse). */
static int collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g, struct glist *l,
                            int *others)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
            if (collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), l, others) != 0)
                return -1;
        return 0;
    }
    if (type != GEOS_POLYGON) {
        if (others)
            *others += type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOINT
                ? GEOSGetNumGeometries_r(ctx, g) : 1;
        return 0;
    }
    if (GEOSisEmpty_r(ctx, g))
        return 0;
    GEOSGeometry *c = GEOSGeom_clone_r(ctx, g);
    if (!c || glist_push(l, c) != 0) {
        destroy(ctx, &c);
        return -1;
    }
    return 0;
}

/* Polygon, MultiPolygon or empty polygon from l; takes l's geometries. */
static GEOSGeometry *polygons_make(GEOSContextHandle_t ctx, struct glist *l)
{
    GEOSGeometry *g;
    if (l->n == 0)
        g = GEOSGeom_createEmptyPolygon_r(ctx);
    else if (l->n == 1)
        g = l->g[0];
    else
        g = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, l->g, (unsigned)l->n);
    if (g)
        l->n = 0; /* owned by g now */
    glist_free(ctx, l);
    return g;
}

/* The polygonal part of g as a Polygon or MultiPolygon. */
static GEOSGeometry *polygonal(GEOSContextHandle_t ctx, const GEOSGeometry *g, int *others)
{
    struct glist l = {0};
    if (collect_polygons(ctx, g, &l, others) != 0) {
        glist_free(ctx, &l);
        return NULL;
    }
    return polygons_make(ctx, &l);
}

/* ---- densify --------------------------------------------------------------- */

/* Inserts points every `step` or less along each edge. Unlike GEOSDensify,
 * the points of an edge are computed from its lexicographically smaller end,
 * so the two townships sharing an edge get bit-identical vertices whichever
 * way their rings run: the tiling stays exact. */
static int densify_edge(struct pts *out, double ax, double ay, double bx, double by, double step)
{
    int forward = ax < bx || (ax == bx && ay <= by);
    double px = forward ? ax : bx, py = forward ? ay : by;
    double qx = forward ? bx : ax, qy = forward ? by : ay;
    double len = hypot(qx - px, qy - py);
    int k = (int)ceil(len / step);
    for (int i = 1; i < k; i++) {
        int j = forward ? i : k - i;
        double f = (double)j / k;
        if (pts_push(out, px + (qx - px) * f, py + (qy - py) * f) != 0)
            return -1;
    }
    return 0;
}

static GEOSGeometry *densify_ring(GEOSContextHandle_t ctx, const GEOSGeometry *ring, double step)
{
    double *x, *y;
    int n = ring_coords(ctx, ring, &x, &y);
    if (n < 0)
        return NULL;
    struct pts out = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = pts_push(&out, x[i], y[i]);
        if (rc == 0 && i + 1 < n)
            rc = densify_edge(&out, x[i], y[i], x[i + 1], y[i + 1], step);
    }
    free(x);
    free(y);
    GEOSGeometry *r = NULL;
    if (rc == 0) {
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromArrays_r(ctx, out.x, out.y, NULL, NULL, (unsigned)out.n);
        r = seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
    }
    pts_free(&out);
    return r;
}

static GEOSGeometry *densify_polygon(GEOSContextHandle_t ctx, const GEOSGeometry *p, double step)
{
    int nh = GEOSGetNumInteriorRings_r(ctx, p);
    GEOSGeometry *shell = densify_ring(ctx, GEOSGetExteriorRing_r(ctx, p), step);
    GEOSGeometry **holes = calloc((size_t)nh + 1, sizeof *holes);
    int ok = shell && holes;
    for (int i = 0; ok && i < nh; i++)
        ok = (holes[i] = densify_ring(ctx, GEOSGetInteriorRingN_r(ctx, p, i), step)) != NULL;
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nh) : NULL;
    if (!g) {
        for (int i = 0; holes && i < nh; i++)
            destroy(ctx, &holes[i]);
        destroy(ctx, &shell);
    }
    free(holes);
    return g;
}

/* Densified copy of a Polygon or MultiPolygon. */
static GEOSGeometry *densify(GEOSContextHandle_t ctx, const GEOSGeometry *g, double step)
{
    if (GEOSGeomTypeId_r(ctx, g) == GEOS_POLYGON)
        return GEOSisEmpty_r(ctx, g) ? GEOSGeom_clone_r(ctx, g) : densify_polygon(ctx, g, step);
    struct glist l = {0};
    int n = GEOSGetNumGeometries_r(ctx, g);
    for (int i = 0; i < n; i++) {
        GEOSGeometry *d = densify_polygon(ctx, GEOSGetGeometryN_r(ctx, g, i), step);
        if (!d || glist_push(&l, d) != 0) {
            destroy(ctx, &d);
            glist_free(ctx, &l);
            return NULL;
        }
    }
    GEOSGeometry *m = GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, l.g, (unsigned)l.n);
    if (m)
        l.n = 0;
    glist_free(ctx, &l);
    return m;
}

/* ---- reading the township list ------------------------------------------ */

enum { COL_CODE, COL_NAME, COL_COUNTY, COL_KIND, NCOLS };
static const char *const col_names[NCOLS] = {"code", "name", "county_code", "kind"};

/* The header's columns, by name in any order (kind may be absent). */
static int csv_columns(struct csv_reader *r, int *col, struct tc_error *err)
{
    for (int k = 0; k < NCOLS; k++) {
        col[k] = csv_column(r, col_names[k]);
        if (col[k] < 0 && k != COL_KIND)
            return csv_fail(r, err, "no '%s' column in the header \"%s\" (the header must "
                            "name code,name,county_code[,kind])", col_names[k],
                            csv_header_text(r));
    }
    return 0;
}

static int csv_township(const struct province *p, struct csv_reader *r, const int *col,
                        struct township *t, struct tc_error *err)
{
    int nf = csv_nfields(r);
    for (int k = 0; k < NCOLS; k++)
        if (col[k] >= nf && k != COL_KIND)
            return csv_fail(r, err, "%d field%s, no '%s'", nf, nf == 1 ? "" : "s", col_names[k]);
    const char *code = csv_field(r, col[COL_CODE]), *name = csv_field(r, col[COL_NAME]);
    const char *county = csv_field(r, col[COL_COUNTY]), *kind_text = csv_field(r, col[COL_KIND]);
    if (!*code || !*name || !*county)
        return csv_fail(r, err, "empty code, name or county_code");
    int kind = *kind_text ? tc_kind_parse(kind_text) : (int)tc_kind_from_name(name);
    if (kind < 0)
        return csv_fail(r, err, "kind '%s' is not subdistrict, town, township or special",
                        kind_text);
    t->code = dup_str(code);
    t->name = dup_str(name);
    t->county_code = dup_str(county);
    t->kind = (enum tc_kind)kind;
    t->line = (int)csv_line(r);
    if (!t->code || !t->name || !t->county_code)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->csv_path);
    return 0;
}

/* Appends a zeroed township. */
static struct township *push_township(struct province *p, int *cap)
{
    if (p->nt == *cap) {
        int ncap = *cap ? 2 * *cap : 1024;
        struct township *nt = realloc(p->t, sizeof *nt * (size_t)ncap);
        if (!nt)
            return NULL;
        p->t = nt;
        *cap = ncap;
    }
    struct township *t = &p->t[p->nt++];
    memset(t, 0, sizeof *t);
    return t;
}

/* Reads the CSV into p->t (in file order). Its text is decoded to UTF-8
 * (auto: UTF-8 when the whole file is, else GBK), as the map's .cpg says. */
static int csv_read(struct province *p, struct tc_error *err)
{
    struct csv_options opt = {"", NULL, TC_EXIT_MAP};
    struct csv_reader *r = csv_open(p->csv_path, &opt, err);
    if (!r)
        return -1;
    int col[NCOLS], cap = 0;
    int rc = csv_ncols(r) ? csv_columns(r, col, err)
                          : tc_fail(err, TC_EXIT_MAP, "%s: no townships (the file is empty)",
                                    p->csv_path);
    while (rc == 0 && (rc = csv_next(r, err)) == 1) {
        struct township *t = push_township(p, &cap);
        rc = t ? csv_township(p, r, col, t, err)
               : tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->csv_path);
    }
    if (rc == 0 && p->nt == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: no townships", p->csv_path);
    csv_close(&r);
    return rc;
}

/* ---- reading the county shapefile ----------------------------------------- */

/* A text attribute, decoded and trimmed, as a new string ("" when absent);
 * NULL with err set when it cannot be decoded or memory ran out. */
static char *dbf_text(const struct province *p, DBFHandle dbf, int rec, int field,
                      const char *what, struct tc_error *err)
{
    int cut = 0;
    char *text = shpio_read_text(dbf, rec, field, p->encoding, &cut);
    if (!text && errno == ENOMEM)
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->shp_path);
    else if (!text)
        tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": the %s is not valid %s text; put a "
                ".cpg naming the encoding beside the file", p->shp_path, SHPIO_REC(rec), what,
                p->encoding[0] ? p->encoding : "UTF-8 or GBK");
    else if (cut)
        fprintf(stderr, "towncov: warning: %s: " SHPIO_REC_FMT ": the %s was cut inside a "
                "character by the program that wrote the file; the incomplete character was "
                "dropped\n", p->shp_path, SHPIO_REC(rec), what);
    return text;
}

static int dbf_check(struct province *p, DBFHandle dbf, int *fcode, int *fname, int *fcity,
                     int *fcount, struct tc_error *err)
{
    const char *cp = DBFGetCodePage(dbf);
    if (textenc_from_codepage(cp, p->encoding, sizeof p->encoding) != 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: unknown text encoding '%s' (from the .cpg); "
                       "correct the .cpg", p->shp_path, p->encoding);
    *fcode = DBFGetFieldIndex(dbf, "code");
    *fname = DBFGetFieldIndex(dbf, "name");
    *fcity = DBFGetFieldIndex(dbf, "city");
    *fcount = DBFGetFieldIndex(dbf, "townships");
    if (*fcode < 0 || *fname < 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: the .dbf has no '%s' field", p->shp_path,
                       *fcode < 0 ? "code" : "name");
    return 0;
}

static int county_read(const struct province *p, SHPHandle shp, DBFHandle dbf, int rec,
                       const int *fields, struct county *c, struct tc_error *err)
{
    c->record = rec;
    if (!(c->code = dbf_text(p, dbf, rec, fields[0], "code", err)) ||
        !(c->name = dbf_text(p, dbf, rec, fields[1], "name", err)) ||
        !(c->city = dbf_text(p, dbf, rec, fields[2], "city", err)))
        return -1;
    c->declared = fields[3] >= 0 && !DBFIsAttributeNULL(dbf, rec, fields[3])
        ? DBFReadIntegerAttribute(dbf, rec, fields[3]) : -1;
    if (!*c->code)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": empty county code", p->shp_path,
                       SHPIO_REC(rec));
    c->shape = SHPReadObject(shp, rec);
    if (!c->shape)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): cannot read the "
                       "shape (corrupt file)", p->shp_path, SHPIO_REC(rec), c->code);
    if (c->shape->nSHPType != SHPT_NULL && !shpio_is_polygon_type(c->shape->nSHPType))
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): shape type %s, but "
                       "the file declares Polygon", p->shp_path, SHPIO_REC(rec), c->code,
                       shpio_type_name(c->shape->nSHPType));
    if (c->shape->nSHPType == SHPT_NULL || c->shape->nVertices == 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT " (county %s): null shape",
                       p->shp_path, SHPIO_REC(rec), c->code);
    c->stream = hash_str(c->code);
    return 0;
}

static int counties_read(struct province *p, struct tc_error *err)
{
    SHPHandle shp = NULL;
    DBFHandle dbf = NULL;
    int rc = shpio_open(p->shp_path, &shp, &dbf, NULL, err), n = 0, type = 0;
    int f[4] = {-1, -1, -1, -1}, deleted = 0;
    if (rc == 0) {
        SHPGetInfo(shp, &n, &type, NULL, NULL);
        if (!shpio_is_polygon_type(type))
            rc = tc_fail(err, TC_EXIT_MAP, "%s: shape type %s, not Polygon", p->shp_path,
                         shpio_type_name(type));
        else if (n == 0)
            rc = tc_fail(err, TC_EXIT_MAP, "%s: no records", p->shp_path);
        else if (DBFGetRecordCount(dbf) != n)
            rc = tc_fail(err, TC_EXIT_MAP, "%s: %d shapes but %d .dbf records", p->shp_path, n,
                         DBFGetRecordCount(dbf));
    }
    if (rc == 0)
        rc = dbf_check(p, dbf, &f[0], &f[1], &f[2], &f[3], err);
    if (rc == 0 && !(p->c = calloc((size_t)n, sizeof *p->c)))
        rc = tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->shp_path);
    for (int i = 0; rc == 0 && i < n; i++) {
        if (DBFIsRecordDeleted(dbf, i)) { /* GDAL and QGIS skip them too */
            deleted++;
            continue;
        }
        p->nc++;
        rc = county_read(p, shp, dbf, i, f, &p->c[p->nc - 1], err);
    }
    if (rc == 0 && deleted)
        fprintf(stderr, "towncov: note: %s: skipped %d record%s marked deleted in the .dbf\n",
                p->shp_path, deleted, deleted == 1 ? "" : "s");
    if (rc == 0 && p->nc == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: every record is marked deleted", p->shp_path);
    if (dbf)
        DBFClose(dbf);
    if (shp)
        SHPClose(shp);
    return rc;
}


/* ---- linking townships to counties -------------------------------------- */

static int cmp_county(const void *a, const void *b)
{
    return strcmp(((const struct county *)a)->code, ((const struct county *)b)->code);
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const struct township *)a)->code, ((const struct township *)b)->code);
}

/* County, then code: each county's townships form one range. */
static int cmp_township(const void *a, const void *b)
{
    const struct township *s = a, *t = b;
    if (s->county != t->county)
        return s->county < t->county ? -1 : 1;
    return strcmp(s->code, t->code);
}

static int find_county(const struct province *p, const char *code)
{
    int lo = 0, hi = p->nc - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2, c = strcmp(code, p->c[mid].code);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

static int check_unique_counties(const struct province *p, struct tc_error *err)
{
    for (int i = 1; i < p->nc; i++)
        if (strcmp(p->c[i - 1].code, p->c[i].code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": county code %s repeats "
                           SHPIO_REC_FMT, p->shp_path, SHPIO_REC(p->c[i].record), p->c[i].code,
                           SHPIO_REC(p->c[i - 1].record));
    return 0;
}

/* p->t sorted by code: neighbours with one code are repeats. */
static int check_unique_townships(const struct province *p, struct tc_error *err)
{
    for (int i = 1; i < p->nt; i++) {
        const struct township *a = &p->t[i - 1], *b = &p->t[i];
        if (strcmp(a->code, b->code) == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s:%d: township code %s repeats line %d",
                           p->csv_path, a->line > b->line ? a->line : b->line, a->code,
                           a->line < b->line ? a->line : b->line);
    }
    return 0;
}

/* The first line (in file order) whose county is not in the shapefile. */
static int check_county_codes(struct province *p, struct tc_error *err)
{
    int bad = -1;
    for (int i = 0; i < p->nt; i++) {
        p->t[i].county = find_county(p, p->t[i].county_code);
        if (p->t[i].county < 0 && (bad < 0 || p->t[i].line < p->t[bad].line))
            bad = i;
    }
    if (bad >= 0)
        return tc_fail(err, TC_EXIT_MAP, "%s:%d: county_code %s has no county in %s",
                       p->csv_path, p->t[bad].line, p->t[bad].county_code, p->shp_path);
    return 0;
}

/* Township ranges per county, counts checked against the shapefile's. */
static int link_ranges(struct province *p, struct tc_error *err)
{
    for (int i = 0; i < p->nc; i++)
        p->c[i].first = -1;
    for (int i = 0; i < p->nt; i++) {
        struct county *c = &p->c[p->t[i].county];
        if (c->first < 0)
            c->first = i;
        c->n++;
        c->n_urban += p->t[i].kind == KIND_SUBDISTRICT;
    }
    for (int i = 0; i < p->nc; i++) {
        struct county *c = &p->c[i];
        if (c->n == 0)
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": county %s (%s) has no "
                           "townships in %s", p->shp_path, SHPIO_REC(c->record), c->code, c->name, p->csv_path);
        if (c->declared >= 0 && c->declared != c->n)
            return tc_fail(err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": county %s (%s) says it "
                           "has %d townships but %s lists %d", p->shp_path, SHPIO_REC(c->record), c->code,
                           c->name, c->declared, p->csv_path, c->n);
        if (c->n > MAX_TOWNSHIPS_PER_COUNTY)
            return tc_fail(err, TC_EXIT_RESOURCE, "county %s has %d townships (at most %d)",
                           c->code, c->n, MAX_TOWNSHIPS_PER_COUNTY);
    }
    return 0;
}

static int link_townships(struct province *p, struct tc_error *err)
{
    qsort(p->c, (size_t)p->nc, sizeof *p->c, cmp_county);
    qsort(p->t, (size_t)p->nt, sizeof *p->t, cmp_code);
    if (check_unique_counties(p, err) != 0 || check_unique_townships(p, err) != 0
        || check_county_codes(p, err) != 0)
        return -1;
    qsort(p->t, (size_t)p->nt, sizeof *p->t, cmp_township);
    return link_ranges(p, err);
}

static int read_real(struct province *p, struct tc_error *err)
{
    if (counties_read(p, err) != 0 || csv_read(p, err) != 0)
        return -1;
    return link_townships(p, err);
}

/* ---- the synthetic province ----------------------------------------------- */

static const char *const syllables[32] = {
    "an", "bai", "chang", "da", "dong", "feng", "gao", "he", "hong", "hua", "jin",
    "kang", "le", "lin", "long", "mei", "nan", "ning", "ping", "qing", "rui", "shan",
    "shi", "tai", "tian", "wan", "xi", "xin", "yang", "yong", "yun", "zhang"};

/* "Anping Town": two syllables from counter `ctr` plus a suffix. */
static char *synth_name(uint64_t seed, uint64_t ctr, const char *suffix)
{
    uint64_t r = rng_u64(seed, STREAM_NAMES, ctr);
    char buf[64];
    snprintf(buf, sizeof buf, "%s%s %s", syllables[r & 31], syllables[(r >> 5) & 31], suffix);
    buf[0] = (char)(buf[0] - 'a' + 'A');
    return dup_str(buf);
}

/* An irregular blob of area_km2 around SYNTH_LON/LAT: a radius wobbling
 * with a few random harmonics, drawn in the sinusoidal (equal-area)
 * projection so that the area comes out right. */
static GEOSGeometry *synth_blob(struct worker *w, uint64_t seed, double area_km2)
{
    enum { NB = 720 };
    static const double amp[4] = {0.10, 0.07, 0.04, 0.02};
    static const int harm[4] = {2, 3, 5, 7};
    double x[NB + 1], y[NB + 1], phase[4];
    for (int k = 0; k < 4; k++)
        phase[k] = 2.0 * M_PI * rng_uniform(seed, STREAM_BLOB, (uint64_t)k);
    for (int i = 0; i < NB; i++) {
        double t = 2.0 * M_PI * i / NB, r = 1.0;
        for (int k = 0; k < 4; k++)
            r += amp[k] * sin(harm[k] * t + phase[k]);
        x[i] = r * cos(t);
        y[i] = r * sin(t);
    }
    double s = sqrt(area_km2 / fabs(shoelace(x, y, NB)));
    for (int i = 0; i < NB; i++) {
        double lat = SYNTH_LAT + s * y[i] / KM_PER_DEG;
        x[i] = SYNTH_LON + s * x[i] / (KM_PER_DEG * cos(lat * M_PI / 180.0));
        y[i] = lat;
    }
    x[NB] = x[0];
    y[NB] = y[0];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(w->ctx, x, y, NULL, NULL, NB + 1);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(w->ctx, seq) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(w->ctx, ring, NULL, 0) : NULL;
    GEOSGeometry *dense = poly ? densify(w->ctx, poly, DENSIFY_DEG) : NULL;
    destroy(w->ctx, &poly);
    return dense;
}

/* ---- splitting a polygon into n cells --------------------------------------- */

/* Local frame: x = (lon - lon0) cos(lat0), y = lat - lat0, so that lengths
 * are nearly isotropic over a county and Voronoi cells are not stretched. */
struct frame {
    double lon0, lat0, c;
};

static void frame_to_lonlat(const struct frame *f, double x, double y, double *lon, double *lat)
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

static int rings_add(GEOSContextHandle_t ctx, struct rings *r, const GEOSGeometry *ring,
                     const struct frame *f)
{
    double *x, *y;
    int n = ring_coords(ctx, ring, &x, &y);
    if (n < 0)
        return -1;
    if (r->nr + 2 > r->cap) {
        int cap = r->cap ? 2 * r->cap : 8;
        int *s = realloc(r->start, sizeof *s * (size_t)cap);
        if (!s) {
            free(x);
            free(y);
            return -1;
        }
        r->start = s;
        r->cap = cap;
    }
    int rc = 0;
    r->start[r->nr] = r->v.n;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = pts_push(&r->v, (x[i] - f->lon0) * f->c, y[i] - f->lat0);
    r->start[++r->nr] = r->v.n;
    free(x);
    free(y);
    return rc;
}

static int rings_from(GEOSContextHandle_t ctx, const GEOSGeometry *g, const struct frame *f,
                      struct rings *r)
{
    int np = GEOSGetNumGeometries_r(ctx, g);
    for (int i = 0; i < np; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (GEOSisEmpty_r(ctx, p))
            continue;
        if (rings_add(ctx, r, GEOSGetExteriorRing_r(ctx, p), f) != 0)
            return -1;
        for (int k = 0; k < GEOSGetNumInteriorRings_r(ctx, p); k++)
            if (rings_add(ctx, r, GEOSGetInteriorRingN_r(ctx, p, k), f) != 0)
                return -1;
    }
    return 0;
}

static void rings_free(struct rings *r)
{
    pts_free(&r->v);
    free(r->start);
    memset(r, 0, sizeof *r);
}

static int rings_inside(const struct rings *r, double px, double py)
{
    int inside = 0;
    const double *x = r->v.x, *y = r->v.y;
    for (int k = 0; k < r->nr; k++)
        for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
            int j = i - 1;
            if ((y[i] > py) != (y[j] > py)
                && px < x[i] + (py - y[i]) * (x[j] - x[i]) / (y[j] - y[i]))
                inside = !inside;
        }
    return inside;
}

static double rings_distance(const struct rings *r, double px, double py)
{
    double best = INFINITY;
    const double *x = r->v.x, *y = r->v.y;
    for (int k = 0; k < r->nr; k++)
        for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
            double dx = x[i] - x[i - 1], dy = y[i] - y[i - 1];
            double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - x[i - 1]) * dx + (py - y[i - 1]) * dy) / len2 : 0.0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double ex = x[i - 1] + t * dx - px, ey = y[i - 1] + t * dy - py;
            best = fmin(best, ex * ex + ey * ey);
        }
    return sqrt(best);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Grid points at spacing h inside the rings, row by row (scanline fill:
 * O(rows x edges), far cheaper than a point-in-polygon test per point). */
static int sample_grid(const struct rings *r, double h, const double *box, struct pts *s)
{
    double *xs = malloc(sizeof *xs * (size_t)(r->v.n + 1));
    if (!xs)
        return -1;
    int rows = (int)ceil((box[3] - box[1]) / h), rc = 0;
    for (int row = 0; rc == 0 && row < rows; row++) {
        double y = box[1] + (row + 0.5) * h;
        int nx = 0;
        for (int k = 0; k < r->nr; k++)
            for (int i = r->start[k] + 1; i < r->start[k + 1]; i++) {
                double ya = r->v.y[i - 1], yb = r->v.y[i], xa = r->v.x[i - 1], xb = r->v.x[i];
                if ((ya > y) != (yb > y))
                    xs[nx++] = xa + (y - ya) * (xb - xa) / (yb - ya);
            }
        qsort(xs, (size_t)nx, sizeof *xs, cmp_double);
        for (int k = 0; rc == 0 && k + 1 < nx; k += 2) {
            long j0 = (long)ceil((xs[k] - box[0]) / h - 0.5);
            long j1 = (long)floor((xs[k + 1] - box[0]) / h - 0.5);
            for (long j = j0; rc == 0 && j <= j1; j++) {
                double x = box[0] + (j + 0.5) * h;
                if (x > xs[k] && x < xs[k + 1])
                    rc = pts_push(s, x, y);
            }
        }
    }
    free(xs);
    return rc;
}

/* A uniform grid over points, for nearest-point queries in O(1) expected. */
struct grid {
    double x0, y0, cs;
    int nx, ny;
    int *head, *item; /* points of cell c: item[head[c] .. head[c + 1]) */
};

static int grid_col(const struct grid *g, double v, double v0, int nmax)
{
    long c = (long)floor((v - v0) / g->cs);
    return c < 0 ? 0 : c >= nmax ? nmax - 1 : (int)c;
}

static int grid_build(struct grid *g, const double *x, const double *y, int n)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < n; i++) {
        x0 = fmin(x0, x[i]), x1 = fmax(x1, x[i]);
        y0 = fmin(y0, y[i]), y1 = fmax(y1, y[i]);
    }
    double pad = 1e-12 + 1e-6 * fmax(x1 - x0, y1 - y0);
    g->x0 = x0, g->y0 = y0;
    g->cs = sqrt((x1 - x0 + pad) * (y1 - y0 + pad) / n);
    g->nx = (int)fmin((x1 - x0) / g->cs + 1, 4096);
    g->ny = (int)fmin((y1 - y0) / g->cs + 1, 4096);
    free(g->head);
    free(g->item);
    g->head = calloc((size_t)g->nx * g->ny + 1, sizeof *g->head);
    g->item = malloc(sizeof *g->item * (size_t)n);
    if (!g->head || !g->item)
        return -1;
    for (int i = 0; i < n; i++)
        g->head[grid_col(g, y[i], y0, g->ny) * g->nx + grid_col(g, x[i], x0, g->nx) + 1]++;
    for (int c = 0; c < g->nx * g->ny; c++)
        g->head[c + 1] += g->head[c];
    int *fill = malloc(sizeof *fill * (size_t)g->nx * g->ny);
    if (!fill)
        return -1;
    memcpy(fill, g->head, sizeof *fill * (size_t)g->nx * g->ny);
    for (int i = 0; i < n; i++)
        g->item[fill[grid_col(g, y[i], y0, g->ny) * g->nx + grid_col(g, x[i], x0, g->nx)]++] = i;
    free(fill);
    return 0;
}

static void grid_free(struct grid *g)
{
    free(g->head);
    free(g->item);
    memset(g, 0, sizeof *g);
}

static void grid_scan_cell(const struct grid *g, const double *x, const double *y, int cx,
                           int cy, double px, double py, int *best, double *bd)
{
    if (cx < 0 || cy < 0 || cx >= g->nx || cy >= g->ny)
        return;
    int c = cy * g->nx + cx;
    for (int k = g->head[c]; k < g->head[c + 1]; k++) {
        int i = g->item[k];
        double d = (x[i] - px) * (x[i] - px) + (y[i] - py) * (y[i] - py);
        if (d < *bd || (d == *bd && i < *best)) /* ties: lowest index, for determinism */
            *best = i, *bd = d;
    }
}

/* Index of the point nearest (px, py): rings of cells outward until no
 * unvisited cell can hold anything nearer. */
static int grid_nearest(const struct grid *g, const double *x, const double *y, double px,
                        double py)
{
    int cx = grid_col(g, px, g->x0, g->nx), cy = grid_col(g, py, g->y0, g->ny);
    int best = -1, rmax = g->nx > g->ny ? g->nx : g->ny;
    double bd = INFINITY;
    for (int r = 0; r <= rmax; r++) {
        for (int i = -r; i <= r; i++) {
            grid_scan_cell(g, x, y, cx + i, cy - r, px, py, &best, &bd);
            if (r > 0)
                grid_scan_cell(g, x, y, cx + i, cy + r, px, py, &best, &bd);
        }
        for (int j = -r + 1; j <= r - 1; j++) {
            grid_scan_cell(g, x, y, cx - r, cy + j, px, py, &best, &bd);
            grid_scan_cell(g, x, y, cx + r, cy + j, px, py, &best, &bd);
        }
        if (best >= 0 && bd <= (r * g->cs) * (r * g->cs))
            break;
    }
    return best;
}

/* Everything one split works on, in the local frame. */
struct splitter {
    struct worker *w;
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

static void split_free(GEOSContextHandle_t ctx, struct split *sp)
{
    for (int k = 0; sp->cell && k < sp->n; k++)
        destroy(ctx, &sp->cell[k]);
    free(sp->cell);
    free(sp->lon);
    free(sp->lat);
    free(sp->dist);
    memset(sp, 0, sizeof *sp);
}

static int splitter_frame(struct splitter *z)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getExtent_r(z->w->ctx, z->poly, &x0, &y0, &x1, &y1))
        return geos_fail(z->w, "extent");
    z->f.lon0 = (x0 + x1) / 2;
    z->f.lat0 = (y0 + y1) / 2;
    z->f.c = cos(z->f.lat0 * M_PI / 180.0);
    if (rings_from(z->w->ctx, z->poly, &z->f, &z->rings) != 0)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for rings");
    z->box[0] = z->box[1] = INFINITY;
    z->box[2] = z->box[3] = -INFINITY;
    for (int i = 0; i < z->rings.v.n; i++) {
        z->box[0] = fmin(z->box[0], z->rings.v.x[i]);
        z->box[1] = fmin(z->box[1], z->rings.v.y[i]);
        z->box[2] = fmax(z->box[2], z->rings.v.x[i]);
        z->box[3] = fmax(z->box[3], z->rings.v.y[i]);
    }
    return 0;
}

/* About SAMPLES_PER_SEED samples per seed; finer for thin or tiny shapes. */
static int splitter_sample(struct splitter *z)
{
    double area = 0.0;
    if (!GEOSArea_r(z->w->ctx, z->poly, &area))
        return geos_fail(z->w, "area");
    z->h = sqrt(area * z->f.c / ((double)SAMPLES_PER_SEED * z->n));
    for (int attempt = 0; attempt < 12; attempt++) {
        z->s.n = 0;
        if (sample_grid(&z->rings, z->h, z->box, &z->s) != 0)
            return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for samples");
        if (z->s.n >= 8 * z->n)
            break;
        z->h /= 2;
    }
    if (z->s.n < z->n)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "polygon too small for %d townships", z->n);
    z->wt = malloc(sizeof *z->wt * (size_t)z->s.n);
    z->assign = malloc(sizeof *z->assign * (size_t)z->s.n);
    if (!z->wt || !z->assign)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for samples");
    return 0;
}

/* The centre urban townships cluster around: the centre of the largest
 * inscribed circle, well inside the county whatever its shape. */
static int splitter_centre(struct splitter *z)
{
    z->cx = (z->box[0] + z->box[2]) / 2;
    z->cy = (z->box[1] + z->box[3]) / 2;
    if (z->n_urban == 0)
        return 0;
    double area = 0.0;
    GEOSArea_r(z->w->ctx, z->poly, &area);
    GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(z->w->ctx, z->poly, sqrt(area) / 200.0);
    if (!mic)
        return geos_fail(z->w, "MaximumInscribedCircle");
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(z->w->ctx, mic);
    double lon = 0, lat = 0;
    int ok = seq && GEOSCoordSeq_getXY_r(z->w->ctx, seq, 0, &lon, &lat);
    GEOSGeom_destroy_r(z->w->ctx, mic);
    if (!ok)
        return geos_fail(z->w, "MaximumInscribedCircle");
    z->cx = (lon - z->f.lon0) * z->f.c;
    z->cy = lat - z->f.lat0;
    return 0;
}

/* Sample weights: a density peak over the urban core makes Lloyd's cells
 * small there (cell area ~ density^-1/2), so subdistricts come out about
 * URBAN_SIZE times a rural township's size. */
static void splitter_weights(struct splitter *z)
{
    for (int i = 0; i < z->s.n; i++)
        z->wt[i] = 1.0;
    if (z->n_urban == 0)
        return;
    double area = z->s.n * z->h * z->h;
    double rural = area / (z->n_urban * URBAN_SIZE + z->n - z->n_urban);
    double core = sqrt(z->n_urban * URBAN_SIZE * rural / M_PI);
    double peak = 1.0 / (URBAN_SIZE * URBAN_SIZE);
    for (int i = 0; i < z->s.n; i++) {
        double d = hypot(z->s.x[i] - z->cx, z->s.y[i] - z->cy);
        z->wt[i] = 1.0 + (peak - 1.0) / (1.0 + exp((d - core) / (0.25 * core)));
    }
}

/* First seeds: samples drawn by weight, without repeats. */
static int seeds_init(struct splitter *z, double *sx, double *sy)
{
    size_t ns = z->s.n > 0 ? (size_t)z->s.n : 1u;
    double *cw = malloc(sizeof *cw * ns);
    char *taken = calloc(ns, 1);
    if (!cw || !taken) {
        free(cw);
        free(taken);
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory for seeds");
    }
    double total = 0.0;
    for (int i = 0; i < z->s.n; i++)
        cw[i] = total += z->wt[i];
    for (int k = 0; k < z->n; k++) {
        double u = rng_uniform(z->seed, z->stream, CTR_INIT + (uint64_t)k) * total;
        int lo = 0, hi = z->s.n - 1;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (cw[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        while (taken[lo])
            lo = (lo + 1) % z->s.n;
        taken[lo] = 1;
        sx[k] = z->s.x[lo];
        sy[k] = z->s.y[lo];
    }
    free(cw);
    free(taken);
    return 0;
}

/* Weighted Lloyd relaxation on the samples (a discrete centroidal Voronoi
 * tessellation); leaves every sample assigned to its nearest final seed. */
static int seeds_relax(struct splitter *z, double *sx, double *sy)
{
    double *ax = calloc((size_t)z->n, sizeof *ax), *ay = calloc((size_t)z->n, sizeof *ay);
    double *aw = calloc((size_t)z->n, sizeof *aw);
    struct grid g = {0};
    int rc = ax && ay && aw ? 0 : -1;
    for (int it = 0; rc == 0; it++) {
        if ((rc = grid_build(&g, sx, sy, z->n)) != 0)
            break;
        for (int i = 0; i < z->s.n; i++)
            z->assign[i] = grid_nearest(&g, sx, sy, z->s.x[i], z->s.y[i]);
        if (it == LLOYD_ITERS || z->n == 1)
            break;
        memset(ax, 0, sizeof *ax * (size_t)z->n);
        memset(ay, 0, sizeof *ay * (size_t)z->n);
        memset(aw, 0, sizeof *aw * (size_t)z->n);
        for (int i = 0; i < z->s.n; i++) {
            int k = z->assign[i];
            ax[k] += z->wt[i] * z->s.x[i];
            ay[k] += z->wt[i] * z->s.y[i];
            aw[k] += z->wt[i];
        }
        for (int k = 0; k < z->n; k++)
            if (aw[k] > 0)
                sx[k] = ax[k] / aw[k], sy[k] = ay[k] / aw[k];
    }
    grid_free(&g);
    free(ax);
    free(ay);
    free(aw);
    return rc == 0 ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory relaxing seeds");
}

struct cand {
    double d;
    int i;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Moves seed k inside the polygon, at least `margin` from its boundary, when
 * its centroid is not (a centroid can fall outside a concave county): to the
 * nearest sample of its own cluster that is. */
static int seed_settle(struct splitter *z, int k, double margin, double *sx, double *sy)
{
    if (rings_inside(&z->rings, sx[k], sy[k]) && rings_distance(&z->rings, sx[k], sy[k]) >= margin)
        return 0;
    struct cand *c = malloc(sizeof *c * (size_t)z->s.n);
    if (!c)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory settling seeds");
    int nc = 0;
    for (int i = 0; i < z->s.n; i++)
        if (z->assign[i] == k)
            c[nc++] = (struct cand){hypot(z->s.x[i] - sx[k], z->s.y[i] - sy[k]), i};
    qsort(c, (size_t)nc, sizeof *c, cmp_cand);
    int pick = -1;
    double best_margin = -1.0;
    for (int j = 0; j < nc; j++) {
        int i = c[j].i;
        if (!rings_inside(&z->rings, z->s.x[i], z->s.y[i]))
            continue;
        double m = rings_distance(&z->rings, z->s.x[i], z->s.y[i]);
        if (m > best_margin)
            best_margin = m, pick = i;
        if (m >= margin)
            break;
    }
    free(c);
    if (pick < 0)
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "no inner sample for seed %d", k);
    sx[k] = z->s.x[pick];
    sy[k] = z->s.y[pick];
    return 0;
}

/* The ring of a Voronoi cell (local frame) as a lon/lat line. Densified
 * later, per township: noding is far cheaper on the few long edges. */
static GEOSGeometry *cell_outline(struct splitter *z, const GEOSGeometry *cell)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    double *x, *y;
    int n = ring_coords(ctx, GEOSGetExteriorRing_r(ctx, cell), &x, &y);
    if (n < 4) {
        if (n >= 0)
            free(x), free(y);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        frame_to_lonlat(&z->f, x[i], y[i], &x[i], &y[i]);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(ctx, x, y, NULL, NULL, (unsigned)n);
    free(x);
    free(y);
    return seq ? GEOSGeom_createLineString_r(ctx, seq) : NULL;
}

static GEOSGeometry *seeds_multipoint(GEOSContextHandle_t ctx, const double *sx,
                                      const double *sy, int n)
{
    GEOSGeometry **pt = calloc((size_t)n, sizeof *pt);
    if (!pt)
        return NULL;
    int ok = 1;
    for (int k = 0; ok && k < n; k++)
        ok = (pt[k] = GEOSGeom_createPointFromXY_r(ctx, sx[k], sy[k])) != NULL;
    GEOSGeometry *mp = ok ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOINT, pt, (unsigned)n) : NULL;
    if (!mp)
        for (int k = 0; k < n; k++)
            destroy(ctx, &pt[k]);
    free(pt);
    return mp;
}

/* The Voronoi diagram of the seeds, cut to box, as lon/lat outlines
 * (appended to l). */
static int voronoi_outlines(struct splitter *z, const double *sx, const double *sy,
                            const double *box, struct glist *l)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    GEOSGeometry *mp = seeds_multipoint(ctx, sx, sy, z->n);
    GEOSGeometry *env = GEOSGeom_createRectangle_r(ctx, box[0], box[1], box[2], box[3]);
    GEOSGeometry *vd = mp && env ? GEOSVoronoiDiagram_r(ctx, mp, env, 0.0, 0) : NULL;
    destroy(ctx, &mp);
    destroy(ctx, &env);
    if (!vd)
        return geos_fail(z->w, "VoronoiDiagram");
    int rc = 0, nv = GEOSGetNumGeometries_r(ctx, vd);
    if (nv != z->n)
        rc = tc_fail(&z->w->err, TC_EXIT_INTERNAL, "%d Voronoi cells for %d seeds", nv, z->n);
    for (int i = 0; rc == 0 && i < nv; i++) {
        GEOSGeometry *cut = GEOSClipByRect_r(ctx, GEOSGetGeometryN_r(ctx, vd, i), box[0], box[1],
                                             box[2], box[3]);
        GEOSGeometry *line = cut && !GEOSisEmpty_r(ctx, cut) ? cell_outline(z, cut) : NULL;
        destroy(ctx, &cut);
        if (!line || glist_push(l, line) != 0) {
            destroy(ctx, &line);
            rc = geos_fail(z->w, "Voronoi cell");
        }
    }
    destroy(ctx, &vd);
    return rc;
}

/* The faces of the polygon's boundary and the cell outlines, noded together
 * once: every intersection point is computed once, so neighbouring cells
 * share their vertices exactly and the faces tile the polygon. */
static GEOSGeometry *faces_of(struct splitter *z, struct glist *lines)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    GEOSGeometry *bound = GEOSBoundary_r(ctx, z->poly);
    if (!bound || glist_push(lines, bound) != 0) {
        destroy(ctx, &bound);
        return NULL;
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, lines->g,
                                                    (unsigned)lines->n);
    if (!all)
        return NULL;
    lines->n = 0; /* owned by all */
    GEOSGeometry *noded = GEOSUnaryUnion_r(ctx, all);
    destroy(ctx, &all);
    if (!noded)
        return NULL;
    const GEOSGeometry *in[1] = {noded};
    GEOSGeometry *faces = GEOSPolygonize_r(ctx, in, 1);
    destroy(ctx, &noded);
    return faces;
}

/* Face f goes to the seed whose cell holds it (the seed nearest a point
 * inside it), unless it lies outside the polygon (a hole, or beyond). */
static int face_assign(struct splitter *z, const GEOSGeometry *f, const struct grid *g,
                       const double *sx, const double *sy, struct glist *per_seed)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    GEOSGeometry *pt = GEOSPointOnSurface_r(ctx, f);
    double lon = 0, lat = 0;
    int ok = pt && GEOSGeomGetX_r(ctx, pt, &lon) && GEOSGeomGetY_r(ctx, pt, &lat);
    destroy(ctx, &pt);
    if (!ok)
        return geos_fail(z->w, "PointOnSurface");
    double x = (lon - z->f.lon0) * z->f.c, y = lat - z->f.lat0;
    if (!rings_inside(&z->rings, x, y))
        return 0;
    int k = grid_nearest(g, sx, sy, x, y);
    GEOSGeometry *c = GEOSGeom_clone_r(ctx, f);
    if (!c || glist_push(&per_seed[k], c) != 0) {
        destroy(ctx, &c);
        return tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    }
    return 0;
}

static int faces_assign(struct splitter *z, const GEOSGeometry *faces, const double *sx,
                        const double *sy, struct split *sp)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    struct glist *per_seed = calloc((size_t)z->n, sizeof *per_seed);
    struct grid g = {0};
    int rc = per_seed && grid_build(&g, sx, sy, z->n) == 0
        ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    int nf = rc == 0 ? GEOSGetNumGeometries_r(ctx, faces) : 0;
    for (int i = 0; rc == 0 && i < nf; i++)
        rc = face_assign(z, GEOSGetGeometryN_r(ctx, faces, i), &g, sx, sy, per_seed);
    for (int k = 0; per_seed && k < z->n; k++) {
        if (rc == 0 && per_seed[k].n == 0)
            rc = tc_fail(&z->w->err, TC_EXIT_INTERNAL, "seed %d got no face", k);
        GEOSGeometry *cell = rc == 0 ? polygons_make(ctx, &per_seed[k]) : NULL;
        /* The two townships along an edge densify it identically (see
         * densify_edge), so the tiling stays exact. */
        if (rc == 0 && !(sp->cell[k] = cell ? densify(ctx, cell, DENSIFY_DEG) : NULL))
            rc = geos_fail(z->w, "polygon");
        destroy(ctx, &cell);
        glist_free(ctx, &per_seed[k]);
    }
    grid_free(&g);
    free(per_seed);
    return rc;
}

/* Clips the seeds' Voronoi cells to the polygon, in lon/lat so that the
 * cells tile the polygon as given. */
static int split_cells(struct splitter *z, const double *sx, const double *sy, struct split *sp)
{
    GEOSContextHandle_t ctx = z->w->ctx;
    if (z->n == 1)
        return (sp->cell[0] = GEOSGeom_clone_r(ctx, z->poly)) ? 0 : geos_fail(z->w, "clone");
    double pad = 0.05 * fmax(z->box[2] - z->box[0], z->box[3] - z->box[1]) + 1e-9;
    double box[4] = {z->box[0] - pad, z->box[1] - pad, z->box[2] + pad, z->box[3] + pad};
    struct glist lines = {0};
    int rc = voronoi_outlines(z, sx, sy, box, &lines);
    GEOSGeometry *faces = rc == 0 ? faces_of(z, &lines) : NULL;
    glist_free(ctx, &lines);
    if (rc == 0 && !faces)
        rc = geos_fail(z->w, "noding or polygonizing the cells");
    if (rc == 0)
        rc = faces_assign(z, faces, sx, sy, sp);
    destroy(ctx, &faces);
    return rc;
}

static int split_alloc(struct split *sp, int n)
{
    sp->n = n;
    sp->lon = malloc(sizeof *sp->lon * (size_t)n);
    sp->lat = malloc(sizeof *sp->lat * (size_t)n);
    sp->dist = malloc(sizeof *sp->dist * (size_t)n);
    sp->cell = calloc((size_t)n, sizeof *sp->cell);
    return sp->lon && sp->lat && sp->dist && sp->cell ? 0 : -1;
}

static int splitter_run(struct splitter *z, struct split *sp)
{
    double *sx = malloc(sizeof *sx * (size_t)z->n), *sy = malloc(sizeof *sy * (size_t)z->n);
    int rc = sx && sy && split_alloc(sp, z->n) == 0
        ? 0 : tc_fail(&z->w->err, TC_EXIT_INTERNAL, "out of memory");
    if (rc == 0)
        rc = splitter_frame(z);
    if (rc == 0)
        rc = splitter_sample(z);
    if (rc == 0)
        rc = splitter_centre(z);
    if (rc == 0) {
        splitter_weights(z);
        rc = seeds_init(z, sx, sy);
    }
    if (rc == 0)
        rc = seeds_relax(z, sx, sy);
    for (int k = 0; rc == 0 && k < z->n; k++)
        rc = seed_settle(z, k, z->h / 4, sx, sy);
    if (rc == 0)
        rc = split_cells(z, sx, sy, sp);
    for (int k = 0; rc == 0 && k < z->n; k++) {
        frame_to_lonlat(&z->f, sx[k], sy[k], &sp->lon[k], &sp->lat[k]);
        sp->dist[k] = hypot(sx[k] - z->cx, sy[k] - z->cy);
    }
    free(sx);
    free(sy);
    return rc;
}

/* Splits poly (lon/lat, valid) into n cells that tile it; the n_urban
 * cells nearest its centre come out small. sp is filled (caller frees with
 * split_free) or, on failure, w->err is set. */
static int split_polygon(struct worker *w, const GEOSGeometry *poly, int n, int n_urban,
                         uint64_t seed, uint64_t stream, struct split *sp)
{
    struct splitter z = {.w = w, .poly = poly, .n = n, .n_urban = n_urban, .seed = seed,
                         .stream = stream};
    int rc = splitter_run(&z, sp);
    rings_free(&z.rings);
    pts_free(&z.s);
    free(z.wt);
    free(z.assign);
    if (rc != 0)
        split_free(w->ctx, sp);
    return rc;
}

/* ---- the synthetic province, continued ------------------------------------ */

/* Township counts proportional to county area (largest remainder), at
 * least one each, summing to total. */
static int synth_counts(const double *area, int m, long total, int *count)
{
    double sum = 0.0;
    for (int i = 0; i < m; i++)
        sum += area[i];
    struct cand *rem = malloc(sizeof *rem * (size_t)m);
    if (!rem)
        return -1;
    long given = 0;
    for (int i = 0; i < m; i++) {
        double q = total * area[i] / sum;
        count[i] = (int)floor(q);
        rem[i] = (struct cand){-(q - count[i]), i}; /* largest remainder first */
        if (count[i] < 1)
            count[i] = 1;
        given += count[i];
    }
    qsort(rem, (size_t)m, sizeof *rem, cmp_cand);
    for (int j = 0; given < total; j = (j + 1) % m, given++)
        count[rem[j].i]++;
    for (int j = m - 1; given > total; j = (j + m - 1) % m)
        if (count[rem[j].i] > 1)
            count[rem[j].i]--, given--;
    free(rem);
    return 0;
}

static enum tc_kind synth_kind(uint64_t seed, uint64_t i)
{
    double u = rng_uniform(seed, STREAM_KINDS, i);
    return u < 0.08 ? KIND_SUBDISTRICT : u < 0.53 ? KIND_TOWN : u < 0.95 ? KIND_TOWNSHIP
                                                                         : KIND_SPECIAL;
}

static int synth_townships(struct province *p, const int *count, uint64_t seed)
{
    static const char *const suffix[KIND_COUNT] = {"Subdistrict", "Town", "Township", "Farm"};
    for (int i = 0; i < p->nc; i++) {
        struct county *c = &p->c[i];
        c->first = p->nt;
        c->n = count[i];
        for (int j = 0; j < count[i]; j++) {
            struct township *t = &p->t[p->nt];
            char code[32];
            snprintf(code, sizeof code, "%s%03d", c->code, j + 1);
            t->kind = synth_kind(seed, (uint64_t)p->nt);
            t->code = dup_str(code);
            t->county_code = dup_str(c->code);
            t->name = synth_name(seed, (1ULL << 40) + (uint64_t)p->nt, suffix[t->kind]);
            t->county = i;
            c->n_urban += t->kind == KIND_SUBDISTRICT;
            p->nt++;
            if (!t->code || !t->county_code || !t->name)
                return -1;
        }
    }
    return 0;
}

static int synth_county(struct province *p, int i, GEOSGeometry *cell, uint64_t seed)
{
    struct county *c = &p->c[i];
    char code[16];
    snprintf(code, sizeof code, "9%05d", i + 1);
    c->code = dup_str(code);
    c->name = synth_name(seed, (uint64_t)i, "County");
    c->city = synth_name(seed, (1ULL << 32) + (uint64_t)(i / 10), "City");
    c->record = -1;
    c->declared = -1;
    c->geom = cell;
    c->stream = hash_str(code);
    return c->code && c->name && c->city ? 0 : -1;
}

/* A province of `total` townships: an irregular blob split into counties
 * of ~SYNTH_PER_COUNTY townships by the same splitter the counties use. */
static int read_synthetic(struct worker *w, long total, uint64_t seed, struct province *p,
                          struct tc_error *err)
{
    int m = (int)fmax(1.0, floor(total / SYNTH_PER_COUNTY + 0.5));
    p->shp_path = p->csv_path = "(synthetic)";
    GEOSGeometry *blob = synth_blob(w, seed, total * SYNTH_TOWNSHIP_KM2);
    struct split sp = {0};
    int rc = blob ? split_polygon(w, blob, m, 0, seed, STREAM_PROVINCE, &sp) : geos_fail(w, "blob");
    destroy(w->ctx, &blob);
    if (rc != 0)
        return tc_fail(err, TC_EXIT_INTERNAL, "synthetic province: %s", w->err.msg);
    double *area = malloc(sizeof *area * (size_t)m);
    int *count = malloc(sizeof *count * (size_t)m);
    p->c = calloc((size_t)m, sizeof *p->c);
    p->t = calloc((size_t)total, sizeof *p->t);
    rc = area && count && p->c && p->t ? 0 : -1;
    for (int i = 0; rc == 0 && i < m; i++) {
        area[i] = geo_area_km2(w, sp.cell[i]);
        p->nc++;
        rc = synth_county(p, i, sp.cell[i], seed);
        sp.cell[i] = NULL;
    }
    if (rc == 0)
        rc = synth_counts(area, m, total, count);
    if (rc == 0)
        rc = synth_townships(p, count, seed);
    free(area);
    free(count);
    split_free(w->ctx, &sp);
    return rc == 0 ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory for the synthetic "
                                 "province");
}

/* ---- per county: clean, split, check ----------------------------------- */

/* A copy of polygon p without the holes under SLIVER_KM2 (km2_per_unit
 * converts its planar area). */
static GEOSGeometry *fill_small_holes(struct worker *w, struct county *c, const GEOSGeometry *p,
                                      double km2_per_unit)
{
    GEOSContextHandle_t ctx = w->ctx;
    int nh = GEOSGetNumInteriorRings_r(ctx, p), nk = 0;
    GEOSGeometry **keep = calloc((size_t)nh + 1, sizeof *keep);
    GEOSGeometry *shell = GEOSGeom_clone_r(ctx, GEOSGetExteriorRing_r(ctx, p));
    int ok = keep && shell;
    for (int i = 0; ok && i < nh; i++) {
        const GEOSGeometry *hole = GEOSGetInteriorRingN_r(ctx, p, i);
        double *x, *y;
        int n = ring_coords(ctx, hole, &x, &y);
        if (!(ok = n >= 0))
            break;
        double km2 = fabs(shoelace(x, y, n)) * km2_per_unit;
        free(x);
        free(y);
        if (km2 < SLIVER_KM2) {
            c->holes_filled++;
            c->hole_km2 += ring_geo_m2(w, hole) / 1e6;
        } else {
            ok = (keep[nk++] = GEOSGeom_clone_r(ctx, hole)) != NULL;
        }
    }
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, keep, (unsigned)nk) : NULL;
    if (!g) {
        for (int i = 0; keep && i < nk; i++)
            destroy(ctx, &keep[i]);
        destroy(ctx, &shell);
    }
    free(keep);
    return g;
}

/* The polygonal part of a valid geometry, without slivers: parts under
 * SLIVER_KM2 (but never the largest) and holes under it. */
static GEOSGeometry *drop_slivers(struct worker *w, struct county *c, const GEOSGeometry *g)
{
    GEOSContextHandle_t ctx = w->ctx;
    struct glist parts = {0}, kept = {0};
    double y0 = 0, y1 = 0, x0, x1, best = -1.0;
    int largest = -1, ok = collect_polygons(ctx, g, &parts, &c->lines_dropped) == 0;
    if (ok && parts.n > 0)
        ok = GEOSGeom_getExtent_r(ctx, g, &x0, &y0, &x1, &y1);
    double km2_per_unit = KM_PER_DEG * KM_PER_DEG * cos((y0 + y1) / 2 * M_PI / 180.0);
    double *area = ok ? calloc((size_t)parts.n + 1, sizeof *area) : NULL;
    for (int i = 0; area && i < parts.n; i++) {
        GEOSArea_r(ctx, parts.g[i], &area[i]);
        if (area[i] > best)
            best = area[i], largest = i;
    }
    ok = area && (largest >= 0 || parts.n == 0); /* none: an empty result */
    for (int i = 0; ok && i < parts.n; i++) {
        if (i != largest && area[i] * km2_per_unit < SLIVER_KM2) {
            c->parts_dropped++;
            c->sliver_km2 += geo_area_km2(w, parts.g[i]);
            continue;
        }
        GEOSGeometry *f = fill_small_holes(w, c, parts.g[i], km2_per_unit);
        ok = f && glist_push(&kept, f) == 0;
        if (!ok)
            destroy(ctx, &f);
    }
    free(area);
    glist_free(ctx, &parts);
    if (!ok) {
        glist_free(ctx, &kept);
        return NULL;
    }
    return polygons_make(ctx, &kept);
}

/* Exact cross product of (b - a) and (c - a) is zero. On the source's
 * 1/1024-degree grid every product is exact, so only truly collinear
 * vertices are ever removed. */
static int collinear(const double *x, const double *y, int a, int b, int c)
{
    return (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]) == 0.0;
}

/* Removes repeated, collinear and spike (A-B-A) vertices of a closed ring in
 * place; returns the distinct vertices left (the ring is then closed again).
 * Neither changes the area the ring bounds; spikes are zero-width lines that
 * MakeValid would cut off anyway, at a far higher cost per vertex. */
static int ring_strip(double *x, double *y, int n)
{
    int m = 0;
    for (int i = 0; i + 1 < n; i++) { /* the closing vertex is re-added below */
        if (m > 0 && x[i] == x[m - 1] && y[i] == y[m - 1])
            continue;
        x[m] = x[i], y[m] = y[i], m++;
        while (m >= 3 && collinear(x, y, m - 3, m - 2, m - 1))
            x[m - 2] = x[m - 1], y[m - 2] = y[m - 1], m--;
    }
    int h = 0; /* first vertex kept: the wrap-around may remove leading ones */
    while (m - h >= 3) {
        if (x[m - 1] == x[h] && y[m - 1] == y[h])
            m--;
        else if (collinear(x, y, m - 2, m - 1, h))
            m--;
        else if (collinear(x, y, m - 1, h, h + 1))
            h++;
        else
            break;
    }
    memmove(x, x + h, sizeof *x * (size_t)(m - h));
    memmove(y, y + h, sizeof *y * (size_t)(m - h));
    m -= h;
    if (m < 3)
        return m;
    x[m] = x[0], y[m] = y[0];
    return m;
}

/* A stripped copy of ring r, or NULL with *gone set when nothing is left. */
static GEOSGeometry *strip_ring(GEOSContextHandle_t ctx, const GEOSGeometry *r, int *removed,
                                int *gone)
{
    double *x, *y;
    int n = ring_coords(ctx, r, &x, &y);
    *gone = 0;
    if (n < 0)
        return NULL;
    int m = ring_strip(x, y, n);
    *removed += n - 1 - (m < 3 ? 0 : m);
    GEOSGeometry *ring = NULL;
    if (m < 3) {
        *gone = 1;
    } else {
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromArrays_r(ctx, x, y, NULL, NULL,
                                                               (unsigned)m + 1);
        ring = seq ? GEOSGeom_createLinearRing_r(ctx, seq) : NULL;
    }
    free(x);
    free(y);
    return ring;
}

static int strip_polygon(GEOSContextHandle_t ctx, const GEOSGeometry *p, struct glist *out,
                         int *removed)
{
    int gone, nh = GEOSGetNumInteriorRings_r(ctx, p), nk = 0;
    GEOSGeometry *shell = strip_ring(ctx, GEOSGetExteriorRing_r(ctx, p), removed, &gone);
    if (!shell)
        return gone ? 0 : -1;
    GEOSGeometry **holes = calloc((size_t)nh + 1, sizeof *holes);
    int ok = holes != NULL;
    for (int i = 0; ok && i < nh; i++) {
        GEOSGeometry *h = strip_ring(ctx, GEOSGetInteriorRingN_r(ctx, p, i), removed, &gone);
        ok = h || gone;
        if (h)
            holes[nk++] = h;
    }
    GEOSGeometry *g = ok ? GEOSGeom_createPolygon_r(ctx, shell, holes, (unsigned)nk) : NULL;
    if (!g) {
        for (int i = 0; holes && i < nk; i++)
            destroy(ctx, &holes[i]);
        destroy(ctx, &shell);
    }
    free(holes);
    return g && glist_push(out, g) == 0 ? 0 : -1;
}

/* g (Polygon or MultiPolygon, maybe invalid) without repeated, collinear and
 * spike vertices. */
static GEOSGeometry *strip_vertices(GEOSContextHandle_t ctx, const GEOSGeometry *g, int *removed)
{
    struct glist l = {0};
    int n = GEOSGetNumGeometries_r(ctx, g), rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (!GEOSisEmpty_r(ctx, p))
            rc = strip_polygon(ctx, p, &l, removed);
    }
    if (rc != 0) {
        glist_free(ctx, &l);
        return NULL;
    }
    return polygons_make(ctx, &l);
}

static int check_valid(struct worker *w, const GEOSGeometry *g, const char *what)
{
    char v = GEOSisValid_r(w->ctx, g);
    if (v == 2)
        return geos_fail(w, "isValid");
    if (!v) {
        char *reason = GEOSisValidReason_r(w->ctx, g);
        tc_fail(&w->err, TC_EXIT_INTERNAL, "%s is not valid (%s)", what,
                reason ? reason : "no reason given");
        GEOSFree_r(w->ctx, reason);
        return -1;
    }
    return 0;
}

/* GEOS's "structure" MakeValid: each ring's area by its winding (buffer by
 * zero, both orientations). The default "linework" method nodes the rings
 * and alternates faces: where collapsed spikes of the source close off a
 * triangle it keeps that triangle, which then overlaps the neighbouring
 * county (about 2 km2 over Jiangxi), and it is ten times slower. */
static GEOSGeometry *make_valid(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    GEOSMakeValidParams *par = GEOSMakeValidParams_create_r(ctx);
    if (!par)
        return NULL;
    GEOSMakeValidParams_setMethod_r(ctx, par, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(ctx, par, 0);
    GEOSGeometry *v = GEOSMakeValidWithParams_r(ctx, g, par);
    GEOSMakeValidParams_destroy_r(ctx, par);
    return v;
}

/* The county as a valid, sliver-free, densified (Multi)Polygon. */
/* The county's shape as read (the record converted, its SHPObject freed),
 * or the synthetic county's; NULL with w->err set. */
static GEOSGeometry *county_source(struct worker *w, const struct province *p, struct county *c)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry *g = c->geom;
    c->geom = NULL;
    if (!g) {
        /* The builder always repairs: parts a coarse grid collapsed to a
         * point or a line (coastal islets) are dropped and counted. */
        struct shpio_drops drops = {0};
        g = shpio_polygon_to_geos(ctx, c->shape, &drops, &w->err);
        c->collapsed_parts = drops.n;
        shpio_drops_free(&drops);
        SHPDestroyObject(c->shape);
        c->shape = NULL;
        if (!g) {
            char inner[sizeof w->err.msg];
            snprintf(inner, sizeof inner, "%s", w->err.msg);
            tc_fail(&w->err, TC_EXIT_MAP, "%s: %s", p->shp_path, inner);
            return NULL;
        }
    }
    double x0, y0, x1, y1;
    if (GEOSGeom_getExtent_r(ctx, g, &x0, &y0, &x1, &y1)
        && (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90)) {
        destroy(ctx, &g);
        tc_fail(&w->err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": coordinates up to %.1f %.1f are "
                "not longitude/latitude degrees (the builder reads WGS 84 lon/lat)", p->shp_path,
                SHPIO_REC(c->record), fabs(x0) > fabs(x1) ? x0 : x1, fabs(y0) > fabs(y1) ? y0 : y1);
    }
    return g;
}

static int county_clean(struct worker *w, const struct province *p, struct county *c)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry *g = county_source(w, p, c);
    if (!g)
        return -1;
    GEOSGeometry *stripped = strip_vertices(ctx, g, &c->vertices_stripped);
    destroy(ctx, &g);
    if (!stripped)
        return geos_fail(w, "polygon copy");
    g = stripped;
    char valid = GEOSisValid_r(ctx, g);
    if (!valid) {
        GEOSGeometry *fixed = make_valid(ctx, g);
        destroy(ctx, &g);
        g = fixed;
        c->was_invalid = 1;
    }
    GEOSGeometry *clean = g && valid != 2 ? drop_slivers(w, c, g) : NULL;
    destroy(ctx, &g);
    if (!clean)
        return geos_fail(w, "MakeValid");
    if (GEOSisEmpty_r(ctx, clean)) {
        destroy(ctx, &clean);
        return tc_fail(&w->err, TC_EXIT_MAP, "%s: " SHPIO_REC_FMT ": the county has no area",
                       p->shp_path, SHPIO_REC(c->record));
    }
    c->geom = clean;
    if (check_valid(w, c->geom, "the cleaned county") != 0)
        return -1;
    GEOSGeom_getExtent_r(ctx, c->geom, &c->xmin, &c->ymin, &c->xmax, &c->ymax);
    return 0;
}

/* The county ready to split: densified, checked, measured. */
static int county_finish(struct worker *w, struct county *c)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry *dense = densify(ctx, c->geom, DENSIFY_DEG);
    if (!dense)
        return geos_fail(w, "densify");
    destroy(ctx, &c->geom);
    c->geom = dense;
    if (check_valid(w, c->geom, "the densified county") != 0)
        return -1;
    c->area_km2 = geo_area_km2(w, c->geom);
    GEOSGeom_getExtent_r(ctx, c->geom, &c->xmin, &c->ymin, &c->xmax, &c->ymax);
    return 0;
}

/* Hands the cells to the townships: subdistricts (in code order) take the
 * cells nearest the centre, the other kinds the rest in a seeded random
 * order (towns and townships mix in real counties). */
static int county_assign(struct worker *w, struct province *p, struct county *c,
                         struct split *sp, uint64_t seed)
{
    int n = c->n;
    int *order = malloc(sizeof *order * (size_t)n);
    struct cand *rank = malloc(sizeof *rank * (size_t)n);
    if (!order || !rank) {
        free(order);
        free(rank);
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "out of memory");
    }
    int m = 0;
    for (int j = 0; j < n; j++)
        if (p->t[c->first + j].kind == KIND_SUBDISTRICT)
            order[m++] = j;
    int urban = m;
    for (int j = 0; j < n; j++)
        if (p->t[c->first + j].kind != KIND_SUBDISTRICT)
            order[m++] = j;
    for (int j = n - 1; j > urban; j--) { /* Fisher-Yates over the non-urban tail */
        int r = urban + (int)(rng_u64(seed, c->stream, CTR_SHUFFLE + (uint64_t)j)
                              % (uint64_t)(j - urban + 1));
        int tmp = order[j];
        order[j] = order[r];
        order[r] = tmp;
    }
    for (int k = 0; k < n; k++)
        rank[k] = (struct cand){sp->dist[k], k};
    qsort(rank, (size_t)n, sizeof *rank, cmp_cand); /* by distance, then index */
    for (int r = 0; r < n; r++) {
        struct township *t = &p->t[c->first + order[r]];
        int k = rank[r].i;
        t->geom = sp->cell[k];
        sp->cell[k] = NULL;
        t->seat_lon = sp->lon[k];
        t->seat_lat = sp->lat[k];
    }
    free(order);
    free(rank);
    return 0;
}

static int township_check(struct worker *w, const struct county *c, const struct township *t)
{
    char what[160];
    snprintf(what, sizeof what, "township %s (%s)", t->code, t->name);
    if (!t->geom || GEOSisEmpty_r(w->ctx, t->geom))
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "%s is empty", what);
    if (check_valid(w, t->geom, what) != 0)
        return -1;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(w->ctx, t->seat_lon, t->seat_lat);
    char in = pt ? GEOSContains_r(w->ctx, t->geom, pt) : 2;
    destroy(w->ctx, &pt);
    if (in != 1)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "%s: seat %.7f %.7f is not inside it "
                       "(county %s)", what, t->seat_lon, t->seat_lat, c->code);
    return 0;
}

/* The union of the county's townships, and the sum of their areas. */
static GEOSGeometry *townships_union(struct worker *w, const struct province *p,
                                     const struct county *c, double *sum)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry **g = calloc((size_t)c->n, sizeof *g);
    int ok = g != NULL;
    *sum = 0.0;
    for (int j = 0; ok && j < c->n; j++) {
        double a = 0.0;
        GEOSArea_r(ctx, p->t[c->first + j].geom, &a);
        *sum += a;
        ok = (g[j] = GEOSGeom_clone_r(ctx, p->t[c->first + j].geom)) != NULL;
    }
    GEOSGeometry *coll = ok ? GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, g,
                                                          (unsigned)c->n) : NULL;
    if (!coll)
        for (int j = 0; g && j < c->n; j++)
            destroy(ctx, &g[j]);
    free(g);
    /* The cells share their edges vertex for vertex, so the coverage union
     * (which only drops shared edges) usually applies; it throws when the
     * inputs overlap or are not noded alike, and the general union is the
     * fallback. */
    GEOSGeometry *u = coll ? GEOSCoverageUnion_r(ctx, coll) : NULL;
    if (coll && !u)
        u = GEOSUnaryUnion_r(ctx, coll);
    destroy(ctx, &coll);
    return u;
}

/* Every township valid with its seat inside; together they tile the
 * county: their areas sum to the county's, nothing is covered twice (sum =
 * area of the union) and nothing is left out (union = county; townships
 * cannot stick out, being intersections with the county). Planar lon/lat
 * areas: the same measure on both sides, so the comparison is exact up to
 * rounding. */
static int county_check(struct worker *w, const struct province *p, struct county *c)
{
    for (int j = 0; j < c->n; j++)
        if (township_check(w, c, &p->t[c->first + j]) != 0)
            return -1;
    double sum = 0.0, area = 0.0, uarea = 0.0;
    GEOSGeometry *u = townships_union(w, p, c, &sum);
    int ok = u && GEOSArea_r(w->ctx, c->geom, &area) && GEOSArea_r(w->ctx, u, &uarea);
    destroy(w->ctx, &u);
    if (!ok)
        return geos_fail(w, "union of the townships");
    c->tiling_err = fabs(sum - area) / area;
    c->overlap = (sum - uarea) / area;
    c->gap = fabs(area - uarea) / area;
    if (c->tiling_err > TILING_TOL || c->gap > TILING_TOL || c->overlap > OVERLAP_TOL)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "the townships do not tile the county: "
                       "area error %.3g, overlap %.3g, uncovered or outside %.3g (relative)",
                       c->tiling_err, c->overlap, c->gap);
    return 0;
}

static int county_clean_at(struct worker *w, struct province *p, int ci, uint64_t seed)
{
    (void)seed;
    return county_clean(w, p, &p->c[ci]);
}

static int county_build(struct worker *w, struct province *p, int ci, uint64_t seed)
{
    struct county *c = &p->c[ci];
    struct split sp = {0};
    if (county_finish(w, c) != 0
        || split_polygon(w, c->geom, c->n, c->n_urban, seed, c->stream, &sp) != 0)
        return -1;
    int rc = county_assign(w, p, c, &sp, seed);
    split_free(w->ctx, &sp);
    if (rc == 0)
        rc = county_check(w, p, c);
    for (int j = 0; rc == 0 && j < c->n; j++)
        p->t[c->first + j].area_km2 = geo_area_km2(w, p->t[c->first + j].geom);
    return rc;
}

typedef int (*county_fn)(struct worker *w, struct province *p, int ci, uint64_t seed);

/* fn on every county, in parallel; a failure is kept with its county, and
 * the lowest county's is reported, whatever the thread order. */
static int for_counties(struct worker *ws, int nthreads, struct province *p, county_fn fn,
                        uint64_t seed, struct tc_error *err)
{
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 1)
    for (int i = 0; i < p->nc; i++) {
        struct worker *w = &ws[omp_get_thread_num()];
        struct county *c = &p->c[i];
        w->geos_msg[0] = '\0';
        w->err.exit_code = TC_EXIT_INTERNAL;
        if (fn(w, p, i, seed) != 0) {
            c->status = w->err.exit_code ? w->err.exit_code : TC_EXIT_INTERNAL;
            c->errmsg = dup_str(w->err.msg);
        }
    }
    for (int i = 0; i < p->nc; i++)
        if (p->c[i].status)
            return tc_fail(err, p->c[i].status, "county %s (%s): %s", p->c[i].code,
                           p->c[i].name, p->c[i].errmsg ? p->c[i].errmsg : "out of memory");
    return 0;
}

/* ---- simplifying county borders, shared borders alike -------------------- */

/* The province's border arcs: every county boundary, noded together (a
 * border two counties share appears once) and merged into arcs between
 * the points where three or more borders meet. */
static GEOSGeometry *border_arcs(struct worker *w, const struct province *p)
{
    GEOSContextHandle_t ctx = w->ctx;
    struct glist l = {0};
    for (int i = 0; i < p->nc; i++) {
        GEOSGeometry *b = GEOSBoundary_r(ctx, p->c[i].geom);
        if (!b || glist_push(&l, b) != 0) {
            destroy(ctx, &b);
            glist_free(ctx, &l);
            return NULL;
        }
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, l.g,
                                                    (unsigned)l.n);
    if (all)
        l.n = 0;
    glist_free(ctx, &l);
    GEOSGeometry *noded = all ? GEOSUnaryUnion_r(ctx, all) : NULL;
    destroy(ctx, &all);
    GEOSGeometry *arcs = noded ? GEOSLineMerge_r(ctx, noded) : NULL;
    destroy(ctx, &noded);
    return arcs;
}

#define MAX_OWNERS 8

/* The counties whose boundary holds arc a, probed at the middle of its
 * first segment (exactly on the boundary, up to rounding). */
static int arc_owners(struct worker *w, const struct province *p,
                      const GEOSPreparedGeometry *const *bound, const GEOSGeometry *a, int *own)
{
    GEOSContextHandle_t ctx = w->ctx;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(ctx, a);
    double x0, y0, x1, y1;
    if (!seq || !GEOSCoordSeq_getXY_r(ctx, seq, 0, &x0, &y0)
        || !GEOSCoordSeq_getXY_r(ctx, seq, 1, &x1, &y1))
        return -1;
    double x = (x0 + x1) / 2, y = (y0 + y1) / 2, eps = 1e-9;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, x, y);
    int n = 0;
    for (int i = 0; pt && i < p->nc && n < MAX_OWNERS; i++) {
        const struct county *c = &p->c[i];
        double d = 1.0;
        if (x < c->xmin - eps || x > c->xmax + eps || y < c->ymin - eps || y > c->ymax + eps)
            continue;
        if (GEOSPreparedDistance_r(ctx, bound[i], pt, &d) && d <= eps)
            own[n++] = i;
    }
    destroy(ctx, &pt);
    return n;
}

static int count_vertices(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    int n = GEOSGetNumCoordinates_r(ctx, g);
    return n > 0 ? n : 0;
}

/* Guards against a lost part or a wrongly owned arc: the area moves little
 * (simplifying at the source's resolution moves a county's by under 0.5 %)
 * and every part of the original still has a point in or near the new one
 * (parts touching at a point may merge). */
static int simplified_check(struct worker *w, const GEOSGeometry *old, const GEOSGeometry *new,
                            double tol)
{
    GEOSContextHandle_t ctx = w->ctx;
    double a0 = 0, a1 = 0;
    GEOSArea_r(ctx, old, &a0);
    GEOSArea_r(ctx, new, &a1);
    if (fabs(a1 - a0) > 0.05 * a0)
        return tc_fail(&w->err, TC_EXIT_INTERNAL, "simplifying its border changed its area "
                       "from %.6g to %.6g square degrees; try a smaller --simplify", a0, a1);
    for (int k = 0; k < GEOSGetNumGeometries_r(ctx, old); k++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(ctx, GEOSGetGeometryN_r(ctx, old, k));
        double d = INFINITY;
        int ok = pt && GEOSDistance_r(ctx, new, pt, &d);
        destroy(ctx, &pt);
        if (!ok || d > 2 * tol)
            return tc_fail(&w->err, TC_EXIT_INTERNAL, "simplifying its border lost part %d; "
                           "try a smaller --simplify", k);
    }
    return 0;
}

/* County i rebuilt from its simplified arcs (even-odd nesting). */
static int county_rebuild(struct worker *w, struct county *c, int i, const GEOSGeometry *simp,
                          const int *nown, const int (*own)[MAX_OWNERS], double tol)
{
    GEOSContextHandle_t ctx = w->ctx;
    struct glist l = {0};
    int rc = 0;
    for (int a = 0; rc == 0 && a < GEOSGetNumGeometries_r(ctx, simp); a++)
        for (int k = 0; k < nown[a]; k++)
            if (own[a][k] == i) {
                GEOSGeometry *arc = GEOSGeom_clone_r(ctx, GEOSGetGeometryN_r(ctx, simp, a));
                rc = arc && glist_push(&l, arc) == 0 ? 0 : -1;
                if (rc != 0)
                    destroy(ctx, &arc);
                break;
            }
    GEOSGeometry *coll = rc == 0 ? GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION,
                                                               l.g, (unsigned)l.n) : NULL;
    if (coll)
        l.n = 0;
    glist_free(ctx, &l);
    GEOSGeometry *area = coll ? GEOSBuildArea_r(ctx, coll) : NULL;
    destroy(ctx, &coll);
    GEOSGeometry *poly = area ? polygonal(ctx, area, NULL) : NULL;
    destroy(ctx, &area);
    if (!poly)
        return geos_fail(w, "rebuilding the simplified county");
    if (simplified_check(w, c->geom, poly, tol) != 0
        || check_valid(w, poly, "the simplified county") != 0) {
        destroy(ctx, &poly);
        return -1;
    }
    destroy(ctx, &c->geom);
    c->geom = poly;
    return 0;
}

/* Owners of every arc; an arc nobody owns means the noding went wrong. */
static int arcs_owned(struct worker *w, const struct province *p, const GEOSGeometry *arcs,
                      int *nown, int (*own)[MAX_OWNERS])
{
    GEOSContextHandle_t ctx = w->ctx;
    int rc = 0;
    GEOSGeometry **bound = calloc((size_t)p->nc, sizeof *bound);
    const GEOSPreparedGeometry **prep = calloc((size_t)p->nc, sizeof *prep);
    for (int i = 0; bound && prep && i < p->nc && rc == 0; i++) {
        bound[i] = GEOSBoundary_r(ctx, p->c[i].geom);
        prep[i] = bound[i] ? GEOSPrepare_r(ctx, bound[i]) : NULL;
        rc = prep[i] ? 0 : -1;
    }
    if (!bound || !prep || rc != 0)
        rc = geos_fail(w, "boundary");
    int na = GEOSGetNumGeometries_r(ctx, arcs);
    for (int a = 0; rc == 0 && a < na; a++) {
        nown[a] = arc_owners(w, p, prep, GEOSGetGeometryN_r(ctx, arcs, a), own[a]);
        if (nown[a] <= 0)
            rc = tc_fail(&w->err, TC_EXIT_INTERNAL, "border arc %d belongs to no county", a);
    }
    for (int i = 0; prep && bound && i < p->nc; i++) {
        if (prep[i])
            GEOSPreparedGeom_destroy_r(ctx, prep[i]);
        destroy(ctx, &bound[i]);
    }
    free(prep);
    free(bound);
    return rc;
}

/* Simplifies the county borders with tolerance tol (degrees) so that two
 * counties sharing a border still share it vertex for vertex: the arcs are
 * simplified once, together, by GEOS's topology-preserving simplifier
 * (no arc crosses another), and each county is rebuilt from its arcs. */
static int counties_simplify(struct worker *w, struct province *p, double tol,
                             struct mapgen_report *r, struct tc_error *err)
{
    GEOSContextHandle_t ctx = w->ctx;
    GEOSGeometry *arcs = border_arcs(w, p);
    GEOSGeometry *simp = arcs ? GEOSTopologyPreserveSimplify_r(ctx, arcs, tol) : NULL;
    int na = arcs ? GEOSGetNumGeometries_r(ctx, arcs) : 0;
    int *nown = calloc((size_t)na + 1, sizeof *nown);
    int (*own)[MAX_OWNERS] = calloc((size_t)na + 1, sizeof *own);
    int rc = simp && nown && own && GEOSGetNumGeometries_r(ctx, simp) == na
        ? 0 : geos_fail(w, "simplifying the borders");
    if (rc == 0)
        rc = arcs_owned(w, p, arcs, nown, own);
    if (rc == 0) {
        r->border_arcs = na;
        r->border_vertices = count_vertices(ctx, arcs);
        r->border_vertices_kept = count_vertices(ctx, simp);
    }
    if (rc != 0)
        tc_fail(err, TC_EXIT_INTERNAL, "simplifying the county borders: %s", w->err.msg);
    for (int i = 0; rc == 0 && i < p->nc; i++)
        if (county_rebuild(w, &p->c[i], i, simp, nown, own, tol) != 0)
            rc = tc_fail(err, TC_EXIT_INTERNAL, "county %s (%s): %s", p->c[i].code,
                         p->c[i].name, w->err.msg);
    free(nown);
    free(own);
    destroy(ctx, &simp);
    destroy(ctx, &arcs);
    return rc;
}

/* Clean every county, simplify the borders (if asked), then split. */
static int build_counties(struct worker *ws, int nthreads, struct province *p,
                          const struct mapgen_options *opt, struct mapgen_report *r,
                          struct tc_error *err)
{
    if (for_counties(ws, nthreads, p, county_clean_at, opt->seed, err) != 0)
        return -1;
    if (opt->simplify_deg > 0 && counties_simplify(&ws[0], p, opt->simplify_deg, r, err) != 0)
        return -1;
    return for_counties(ws, nthreads, p, county_build, opt->seed, err);
}

/* ---- county overlaps (measured and reported, counties kept as given) ------ */

static int boxes_meet(const struct county *a, const struct county *b)
{
    return a->xmin <= b->xmax && b->xmin <= a->xmax && a->ymin <= b->ymax && b->ymin <= a->ymax;
}

static int county_overlaps(struct worker *w, struct province *p, int i)
{
    struct county *a = &p->c[i];
    for (int j = i + 1; j < p->nc; j++) {
        if (!boxes_meet(a, &p->c[j]))
            continue;
        GEOSGeometry *x = GEOSIntersection_r(w->ctx, a->geom, p->c[j].geom);
        if (!x)
            return geos_fail(w, "intersection of counties");
        GEOSGeometry *poly = polygonal(w->ctx, x, NULL);
        destroy(w->ctx, &x);
        if (!poly)
            return geos_fail(w, "intersection of counties");
        a->overlap_km2 += geo_area_km2(w, poly);
        destroy(w->ctx, &poly);
    }
    return 0;
}

static int counties_overlap(struct worker *ws, int nthreads, struct province *p,
                            struct tc_error *err)
{
    /* Shared geometries are read by many threads below: compute their lazy
     * envelopes here, on one thread. */
    for (int i = 0; i < p->nc; i++) {
        double x;
        GEOSGeom_getXMin_r(ws[0].ctx, p->c[i].geom, &x);
    }
    int failed = -1;
#pragma omp parallel for num_threads(nthreads) schedule(dynamic, 4)
    for (int i = 0; i < p->nc; i++) {
        struct worker *w = &ws[omp_get_thread_num()];
        if (county_overlaps(w, p, i) != 0) {
            p->c[i].status = TC_EXIT_INTERNAL;
            p->c[i].errmsg = dup_str(w->err.msg);
        }
    }
    for (int i = 0; i < p->nc && failed < 0; i++)
        if (p->c[i].status)
            failed = i;
    if (failed >= 0)
        return tc_fail(err, TC_EXIT_INTERNAL, "county %s: %s", p->c[failed].code,
                       p->c[failed].errmsg ? p->c[failed].errmsg : "out of memory");
    return 0;
}

/* ---- writing ----------------------------------------------------------------- */

/* Fixed-width DBF text fields: as wide as the longest value (UTF-8 bytes),
 * so that nothing is cut mid-character. */
static int text_width(int w)
{
    return w < 1 ? 1 : w;
}

struct layer {
    SHPHandle shp;
    DBFHandle dbf;
    char *base; /* "dir/name", without extension */
};

static int layer_open(struct layer *ly, const char *dir, const char *name, int type,
                      struct tc_error *err)
{
    ly->base = outdir_join(dir, name);
    if (!ly->base)
        return tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    ly->shp = SHPCreate(ly->base, type);
    ly->dbf = ly->shp ? DBFCreateEx(ly->base, "UTF-8") : NULL;
    if (!ly->shp || !ly->dbf)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot create %s.shp/.dbf: %s", ly->base,
                       strerror(errno));
    return 0;
}

static int layer_close(struct layer *ly, int rc, struct tc_error *err)
{
    if (ly->dbf)
        DBFClose(ly->dbf);
    if (ly->shp)
        SHPClose(ly->shp);
    ly->dbf = NULL;
    ly->shp = NULL;
    if (rc == 0 && ly->base)
        rc = shpio_write_sidecars(ly->base, shpio_wgs84_wkt, err);
    free(ly->base);
    ly->base = NULL;
    return rc;
}

static int add_field(struct layer *ly, const char *name, DBFFieldType type, int width, int dec,
                     struct tc_error *err)
{
    if (width > 254 || DBFAddField(ly->dbf, name, type, width, dec) < 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot add field %s (width %d) to %s.dbf", name,
                       width, ly->base);
    return 0;
}

static int put_str(struct layer *ly, int rec, int field, const char *v, struct tc_error *err)
{
    if (!DBFWriteStringAttribute(ly->dbf, rec, field, v))
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot write %s.dbf record %d field %d", ly->base,
                       rec, field);
    return 0;
}

static int put_num(struct layer *ly, int rec, int field, double v, struct tc_error *err)
{
    if (!DBFWriteDoubleAttribute(ly->dbf, rec, field, v))
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot write %s.dbf record %d field %d", ly->base,
                       rec, field);
    return 0;
}

static int max_len(const struct province *p, int which)
{
    size_t m = 0;
    for (int i = 0; i < p->nt; i++) {
        const struct township *t = &p->t[i];
        const struct county *c = &p->c[t->county];
        const char *s = which == 0 ? t->code : which == 1 ? t->name : which == 2 ? c->name
                      : which == 3 ? c->code : c->city;
        if (strlen(s) > m)
            m = strlen(s);
    }
    return (int)m;
}

static int township_fields(struct layer *ly, const struct province *p, struct tc_error *err)
{
    static const char *const names[5] = {"code", "name", "county", "cnty_code", "city"};
    for (int f = 0; f < 5; f++)
        if (add_field(ly, names[f], FTString, text_width(max_len(p, f)), 0, err) != 0)
            return -1;
    if (add_field(ly, "kind", FTString, 11, 0, err) != 0
        || add_field(ly, "seat_lon", FTDouble, 18, 12, err) != 0
        || add_field(ly, "seat_lat", FTDouble, 18, 12, err) != 0
        || add_field(ly, "area_km2", FTDouble, 16, 6, err) != 0)
        return -1;
    return 0;
}

static int township_write(struct worker *w, struct layer *ly, const struct province *p,
                          const struct township *t, int rec, struct tc_error *err)
{
    const struct county *c = &p->c[t->county];
    if (shpio_write_polygon(w->ctx, ly->shp, -1, t->geom, err) != 0)
        return -1;
    if (put_str(ly, rec, 0, t->code, err) || put_str(ly, rec, 1, t->name, err)
        || put_str(ly, rec, 2, c->name, err) || put_str(ly, rec, 3, c->code, err)
        || put_str(ly, rec, 4, c->city, err) || put_str(ly, rec, 5, tc_kind_name(t->kind), err)
        || put_num(ly, rec, 6, t->seat_lon, err) || put_num(ly, rec, 7, t->seat_lat, err)
        || put_num(ly, rec, 8, t->area_km2, err))
        return -1;
    return 0;
}

static int write_townships(struct worker *w, const struct province *p,
                           const struct township *const *order, const char *dir,
                           struct tc_error *err)
{
    struct layer ly = {0};
    int rc = layer_open(&ly, dir, "townships", SHPT_POLYGON, err);
    if (rc == 0)
        rc = township_fields(&ly, p, err);
    for (int i = 0; rc == 0 && i < p->nt; i++)
        rc = township_write(w, &ly, p, order[i], i, err);
    return layer_close(&ly, rc, err);
}

static int write_seats(const struct province *p, const struct township *const *order,
                       const char *dir, struct tc_error *err)
{
    struct layer ly = {0};
    int rc = layer_open(&ly, dir, "seats", SHPT_POINT, err);
    if (rc == 0)
        rc = add_field(&ly, "code", FTString, text_width(max_len(p, 0)), 0, err)
            || add_field(&ly, "name", FTString, text_width(max_len(p, 1)), 0, err)
            || add_field(&ly, "kind", FTString, 11, 0, err);
    for (int i = 0; rc == 0 && i < p->nt; i++) {
        const struct township *t = order[i];
        rc = shpio_write_point(ly.shp, t->seat_lon, t->seat_lat, err)
            || put_str(&ly, i, 0, t->code, err) || put_str(&ly, i, 1, t->name, err)
            || put_str(&ly, i, 2, tc_kind_name(t->kind), err);
    }
    return layer_close(&ly, rc ? -1 : 0, err);
}

static int county_width(const struct province *p, int which)
{
    size_t m = 0;
    for (int i = 0; i < p->nc; i++) {
        const char *s = which == 0 ? p->c[i].code : which == 1 ? p->c[i].name : p->c[i].city;
        if (strlen(s) > m)
            m = strlen(s);
    }
    return text_width((int)m);
}

static int write_counties(struct worker *w, const struct province *p, const char *dir,
                          struct tc_error *err)
{
    struct layer ly = {0};
    int rc = layer_open(&ly, dir, "counties", SHPT_POLYGON, err);
    if (rc == 0)
        rc = add_field(&ly, "code", FTString, county_width(p, 0), 0, err)
            || add_field(&ly, "name", FTString, county_width(p, 1), 0, err)
            || add_field(&ly, "city", FTString, county_width(p, 2), 0, err)
            || add_field(&ly, "townships", FTInteger, 9, 0, err)
            || add_field(&ly, "area_km2", FTDouble, 16, 6, err);
    for (int i = 0; rc == 0 && i < p->nc; i++) {
        const struct county *c = &p->c[i];
        rc = shpio_write_polygon(w->ctx, ly.shp, -1, c->geom, err)
            || put_str(&ly, i, 0, c->code, err) || put_str(&ly, i, 1, c->name, err)
            || put_str(&ly, i, 2, c->city, err) || put_num(&ly, i, 3, c->n, err)
            || put_num(&ly, i, 4, c->area_km2, err);
    }
    return layer_close(&ly, rc ? -1 : 0, err);
}

static int cmp_township_ptr(const void *a, const void *b)
{
    const struct township *s = *(const struct township *const *)a;
    const struct township *t = *(const struct township *const *)b;
    return strcmp(s->code, t->code);
}

/* Writes the three layers into a fresh folder beside dir, then swaps it in. */
static int write_map(struct worker *w, const struct province *p, const char *dir,
                     struct tc_error *err)
{
    char *tmp;
    if (outdir_begin(dir, "mapgen", &tmp, err) != 0)
        return -1;
    const struct township **order = malloc(sizeof *order * (size_t)p->nt);
    int rc = order ? 0 : tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
    for (int i = 0; rc == 0 && i < p->nt; i++)
        order[i] = &p->t[i];
    if (rc == 0) {
        qsort(order, (size_t)p->nt, sizeof *order, cmp_township_ptr);
        rc = write_townships(w, p, order, tmp, err);
    }
    if (rc == 0)
        rc = write_seats(p, order, tmp, err);
    if (rc == 0)
        rc = write_counties(w, p, tmp, err);
    free(order);
    if (rc == 0)
        rc = outdir_commit(&tmp, dir, err);
    outdir_abort(&tmp); /* nothing left after a commit */
    return rc;
}

/* ---- the build ---------------------------------------------------------------- */

static void province_free(GEOSContextHandle_t ctx, struct province *p)
{
    for (int i = 0; p->c && i < p->nc; i++) {
        struct county *c = &p->c[i];
        free(c->code);
        free(c->name);
        free(c->city);
        free(c->errmsg);
        if (c->shape)
            SHPDestroyObject(c->shape);
        destroy(ctx, &c->geom);
    }
    for (int i = 0; p->t && i < p->nt; i++) {
        free(p->t[i].code);
        free(p->t[i].name);
        free(p->t[i].county_code);
        destroy(ctx, &p->t[i].geom);
    }
    free(p->c);
    free(p->t);
    memset(p, 0, sizeof *p);
}

static void report_fill(const struct province *p, struct mapgen_report *r)
{
    r->counties = p->nc;
    r->townships = p->nt;
    for (int i = 0; i < p->nc; i++) {
        const struct county *c = &p->c[i];
        r->invalid_counties += c->was_invalid;
        r->vertices_stripped += c->vertices_stripped;
        r->parts_dropped += c->parts_dropped;
        r->collapsed_parts += c->collapsed_parts;
        r->holes_filled += c->holes_filled;
        r->lines_dropped += c->lines_dropped;
        r->sliver_km2 += c->sliver_km2;
        r->hole_km2 += c->hole_km2;
        r->county_overlap_km2 += c->overlap_km2;
        r->area_km2 += c->area_km2;
        r->max_tiling_error = fmax(r->max_tiling_error, c->tiling_err);
        r->max_overlap = fmax(r->max_overlap, c->overlap);
        r->max_gap = fmax(r->max_gap, c->gap);
    }
}

static void report_print(const struct mapgen_options *opt, const struct mapgen_report *r,
                         int nthreads)
{
    const char *src = opt->synthetic > 0 ? "synthetic province" : opt->counties_shp;
    printf("mapgen: %s: %d counties, %d townships, %.1f km2 (%.2f s)\n", src, r->counties,
           r->townships, r->area_km2, r->t_read);
    printf("mapgen: cleaning: dropped %d parts with no area (islets or holes collapsed to a "
           "point or a line); removed %d repeated, collinear or spike vertices (no area); "
           "%d counties made valid; dropped %d sliver parts (%.3f km2) and %d non-polygonal "
           "pieces; filled %d small holes (%.3f km2)\n", r->collapsed_parts,
           r->vertices_stripped, r->invalid_counties, r->parts_dropped, r->sliver_km2, r->lines_dropped,
           r->holes_filled, r->hole_km2);
    if (r->border_arcs > 0)
        printf("mapgen: simplified the county borders to %g deg, shared borders alike: %d arcs, "
               "%d -> %d vertices\n", opt->simplify_deg, r->border_arcs, r->border_vertices,
               r->border_vertices_kept);
    printf("mapgen: split and checked with %d thread%s (%.2f s): every township valid, every "
           "seat inside; tiling: max area error %.2e, max overlap %.2e, max gap %.2e "
           "(relative to the county)\n", nthreads, nthreads == 1 ? "" : "s", r->t_build,
           r->max_tiling_error, r->max_overlap, r->max_gap);
    printf("mapgen: counties overlap by %.3f km2 in total (kept as given) (%.2f s)\n",
           r->county_overlap_km2, r->t_overlap);
    printf("mapgen: wrote %s (townships, seats, counties; seed %llu) (%.2f s)\n", opt->out_dir,
           (unsigned long long)opt->seed, r->t_write);
}

static int options_check(const struct mapgen_options *opt, struct tc_error *err)
{
    if (!opt->out_dir || !*opt->out_dir)
        return tc_fail(err, TC_EXIT_USAGE, "no output folder (--out)");
    if (opt->synthetic > 0 && (opt->counties_shp || opt->townships_csv))
        return tc_fail(err, TC_EXIT_USAGE, "--synthetic excludes --counties and --townships");
    if (!(opt->simplify_deg >= 0 && opt->simplify_deg <= 0.1))
        return tc_fail(err, TC_EXIT_USAGE, "--simplify is 0 to 0.1 degrees");
    if (opt->synthetic > SYNTH_MAX)
        return tc_fail(err, TC_EXIT_USAGE, "--synthetic is at most %ld", SYNTH_MAX);
    if (opt->synthetic <= 0 && (!opt->counties_shp || !opt->townships_csv))
        return tc_fail(err, TC_EXIT_USAGE, "give --counties and --townships, or --synthetic");
    return 0;
}

static int build_run(struct worker *ws, int nthreads, const struct mapgen_options *opt,
                     struct province *p, struct mapgen_report *r, struct tc_error *err)
{
    double t0 = tc_now();
    /* Before reading anything: a refused folder costs nothing. */
    const char *inputs[] = {opt->counties_shp, opt->townships_csv};
    int rc = outdir_check(opt->out_dir, inputs, 2, err);
    if (rc == 0 && opt->synthetic > 0) {
        rc = read_synthetic(&ws[0], opt->synthetic, opt->seed, p, err);
    } else if (rc == 0) {
        p->shp_path = opt->counties_shp;
        p->csv_path = opt->townships_csv;
        rc = read_real(p, err);
    }
    double t1 = tc_now();
    if (rc == 0)
        rc = build_counties(ws, nthreads, p, opt, r, err);
    double t2 = tc_now();
    if (rc == 0)
        rc = counties_overlap(ws, nthreads, p, err);
    double t3 = tc_now();
    if (rc == 0)
        rc = write_map(&ws[0], p, opt->out_dir, err);
    double t4 = tc_now();
    if (rc == 0) {
        report_fill(p, r);
        r->t_read = t1 - t0, r->t_build = t2 - t1, r->t_overlap = t3 - t2, r->t_write = t4 - t3;
    }
    return rc;
}

int mapgen_build(const struct mapgen_options *opt, struct mapgen_report *rep,
                 struct tc_error *err)
{
    if (options_check(opt, err) != 0)
        return -1;
    int nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    struct worker *ws = calloc((size_t)nthreads, sizeof *ws);
    if (!ws)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    int rc = 0;
    for (int i = 0; i < nthreads; i++) /* contexts are created serially */
        if (worker_init(&ws[i]) != 0)
            rc = tc_fail(err, TC_EXIT_INTERNAL, "cannot start GEOS");
    struct province p = {0};
    struct mapgen_report r = {0};
    if (rc == 0)
        rc = build_run(ws, nthreads, opt, &p, &r, err);
    if (rc == 0 && opt->verbose)
        report_print(opt, &r, nthreads);
    if (rc == 0 && rep)
        *rep = r;
    province_free(ws[0].ctx, &p);
    for (int i = 0; i < nthreads; i++)
        worker_finish(&ws[i]);
    free(ws);
    return rc;
}

/* ---- the command line ------------------------------------------------------ */

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "towncov mapgen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'towncov mapgen --help'.\n");
    return TC_EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *v = x;
    return 0;
}

static int parse_deg(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= 0 && x <= 0.1))
        return -1;
    *v = x;
    return 0;
}

/* --name VALUE or --name=VALUE; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0' || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_args(int argc, char **argv, struct mapgen_options *o, int *help)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        uint64_t x;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            *help = 1;
        else if (strcmp(a, "--quiet") == 0)
            o->verbose = 0;
        else if ((v = opt_value(argc, argv, &i, "--counties")))
            o->counties_shp = v;
        else if ((v = opt_value(argc, argv, &i, "--townships")))
            o->townships_csv = v;
        else if ((v = opt_value(argc, argv, &i, "--out")))
            o->out_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--seed")))
            if (parse_u64(v, &o->seed) != 0)
                return usage_error("--seed wants a whole number, not '%s'", v);
            else
                continue;
        else if ((v = opt_value(argc, argv, &i, "--synthetic")))
            if (parse_u64(v, &x) != 0 || x < 1 || x > (uint64_t)SYNTH_MAX)
                return usage_error("--synthetic wants a number of townships (1 to 1000000), "
                                   "not '%s'", v);
            else
                o->synthetic = (long)x;
        else if ((v = opt_value(argc, argv, &i, "--simplify")))
            if (parse_deg(v, &o->simplify_deg) != 0)
                return usage_error("--simplify wants degrees from 0 to 0.1, not '%s'", v);
            else
                continue;
        else if ((v = opt_value(argc, argv, &i, "--threads")))
            if (parse_u64(v, &x) != 0 || x < 1 || x > 1024)
                return usage_error("--threads wants 1 to 1024, not '%s'", v);
            else
                o->threads = (int)x;
        else
            return usage_error(strncmp(a, "--", 2) == 0 && !strchr(a, '=')
                                   && (i + 1 >= argc) ? "unknown option or missing value: %s"
                                                      : "unexpected argument: %s", a);
    }
    return 0;
}

int mapgen_main(int argc, char **argv)
{
    struct mapgen_options o = {.seed = 1, .verbose = 1, .simplify_deg = -1};
    int help = 0, rc = parse_args(argc, argv, &o, &help);
    if (rc != 0)
        return rc;
    if (o.simplify_deg < 0) /* synthetic borders are straight already */
        o.simplify_deg = o.synthetic > 0 ? 0.0 : SIMPLIFY_DEG;
    if (help) {
        fputs(usage, stdout);
        return TC_EXIT_OK;
    }
    struct tc_error err = {0};
    if (options_check(&o, &err) != 0)
        return usage_error("%s", err.msg);
    if (mapgen_build(&o, NULL, &err) != 0) {
        fprintf(stderr, "towncov: error: %s\n", err.msg);
        return err.exit_code ? err.exit_code : TC_EXIT_INTERNAL;
    }
    return TC_EXIT_OK;
}
