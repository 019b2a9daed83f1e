/* seat.c — seat areas, read or modelled (see seat.h). */
#include "towncov/seat.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/keypoints.h"
#include "towncov/map.h"
#include "towncov/worker.h"

#define RADIUS_KEY(kind, name, def, why)                                                   \
    {"goal", "seat_radius_" name "_m", KEY_DOUBLE,                                         \
     offsetof(struct seat_config, radius_m) + (kind) * sizeof(double), 0, 1e5, NULL, def,  \
     "m", "modelled seat area of a " name ": a disc this wide around the seat, clipped to " \
     "the township (0 = the whole township); " why}

const struct key_desc seat_keys[] = {
    {"map", "seat_areas", KEY_PATH, offsetof(struct seat_config, areas_file), 0, 0, NULL, "",
     "", "seat areas (乡镇镇区): a polygon shapefile or any vector source GDAL/OGR opens "
     "(a GeoPackage's layer as FILE.gpkg|layername=NAME, GeoJSON, PG:... with "
     "|layername=schema.table), relative to the scenario file's folder; empty: every seat area is modelled ([goal] seat_radius_*)"},
    {"map", "seat_area_code_field", KEY_STRING, offsetof(struct seat_config, code_field), 0, 0,
     NULL, "code", "", "attribute of the seat-area layer holding its township's code"},
    {"map", "key_points", KEY_PATH, offsetof(struct seat_config, key_points), 0, 0, NULL, "",
     "", "key points: a CSV (code of their township, kind — government, school, clinic, "
     "market —, lon, lat), or a point layer (fields code, kind) in a shapefile or any vector "
     "source GDAL/OGR opens (docs/formats.md), each reported covered or not; "
     "empty: none"},
    RADIUS_KEY(KIND_SUBDISTRICT, "subdistrict", "0", "a subdistrict is urban throughout"),
    RADIUS_KEY(KIND_TOWN, "town", "850", "a town's built-up area averages ~2.3 km2"),
    RADIUS_KEY(KIND_TOWNSHIP, "township", "450", "a rural township's averages ~0.7 km2"),
    RADIUS_KEY(KIND_SPECIAL, "special", "450", "farms and zones: taken as a township's"),
};
const int seat_nkeys = (int)(sizeof seat_keys / sizeof seat_keys[0]);

double seat_default_radius_m(enum tc_kind kind)
{
    if ((int)kind < 0 || kind >= KIND_COUNT)
        return -1;
    size_t off = offsetof(struct seat_config, radius_m) + (size_t)kind * sizeof(double);
    for (int i = 0; i < seat_nkeys; i++)
        if (seat_keys[i].type == KEY_DOUBLE && seat_keys[i].offset == off)
            return strtod(seat_keys[i].def, NULL);
    return -1;
}

/* A regular polygon of radius r around (x, y), counter-clockwise. */
static GEOSGeometry *disc(GEOSContextHandle_t ctx, double x, double y, double r)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(ctx, SEAT_DISC_VERTICES + 1, 2);
    if (!seq)
        return NULL;
    for (int k = 0; k <= SEAT_DISC_VERTICES; k++) {
        double a = 2 * M_PI * (k % SEAT_DISC_VERTICES) / SEAT_DISC_VERTICES;
        GEOSCoordSeq_setXY_r(ctx, seq, (unsigned)k, x + r * cos(a), y + r * sin(a));
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(ctx, seq);
    return ring ? GEOSGeom_createPolygon_r(ctx, ring, NULL, 0) : NULL;
}

/* The polygonal part of g (an intersection may add lines and points where
 * the disc touches the border); consumes g. */
static GEOSGeometry *polygonal(GEOSContextHandle_t ctx, GEOSGeometry *g)
{
    int type = g ? GEOSGeomTypeId_r(ctx, g) : -1;
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON || !g)
        return g;
    int n = GEOSGetNumGeometries_r(ctx, g), k = 0, failed = n < 0;
    GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(n > 0 ? n : 1));
    for (int i = 0; parts && !failed && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(ctx, g, i);
        if (p && GEOSGeomTypeId_r(ctx, p) == GEOS_POLYGON)
            failed = !(parts[k++] = GEOSGeom_clone_r(ctx, p)); /* out of memory */
    }
    GEOSGeom_destroy_r(ctx, g);
    if (failed) /* never a collection with a hole in it: none at all */
        for (int i = 0; i < k - 1; i++)
            GEOSGeom_destroy_r(ctx, parts[i]);
    /* (a failed create frees its parts: GEOS 3.11) */
    GEOSGeometry *out = parts && !failed ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON,
                                                                      parts, (unsigned)k)
                                         : NULL;
    free(parts);
    return out;
}

/* Township t's seat area: the layer's polygon (or NULL) clipped to it, or
 * the modelled disc clipped to it. */
static GEOSGeometry *seat_area(GEOSContextHandle_t ctx, const struct seat_config *cfg,
                               const struct township *t, const GEOSGeometry *layer_geom)
{
    double r = cfg->radius_m[t->kind];
    if (!layer_geom && r <= 0)
        return GEOSGeom_clone_r(ctx, t->geom);
    GEOSGeometry *d = layer_geom ? NULL : disc(ctx, t->seat_x, t->seat_y, r);
    const GEOSGeometry *shape = layer_geom ? layer_geom : d;
    GEOSGeometry *g = shape ? polygonal(ctx, GEOSIntersection_r(ctx, shape, t->geom)) : NULL;
    if (d)
        GEOSGeom_destroy_r(ctx, d);
    if (!g || layer_geom || !GEOSisEmpty_r(ctx, g))
        return g;
    /* A seat given outside its polygon (a few hundred metres of GCJ-02
     * offset, say) by more than the radius: the disc stands at a point
     * inside the township instead. */
    GEOSGeom_destroy_r(ctx, g);
    GEOSGeometry *p = GEOSPointOnSurface_r(ctx, t->geom);
    double x = 0, y = 0;
    if (!p || !GEOSGeomGetX_r(ctx, p, &x) || !GEOSGeomGetY_r(ctx, p, &y)) {
        if (p)
            GEOSGeom_destroy_r(ctx, p);
        return NULL;
    }
    GEOSGeom_destroy_r(ctx, p);
    d = disc(ctx, x, y, r);
    g = d ? polygonal(ctx, GEOSIntersection_r(ctx, d, t->geom)) : NULL;
    if (d)
        GEOSGeom_destroy_r(ctx, d);
    return g;
}

/* Whether a layer's seat area, clipped to its township, has no area left. */
static int outside_township(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    double a = 0;
    return GEOSisEmpty_r(ctx, g) == 1 || (GEOSArea_r(ctx, g, &a) == 1 && !(a > 0));
}

/* Seat areas of the layer that lie outside their townships were modelled
 * instead: a warning with their count, or an error when no seat area of
 * the layer lies in its township (a layer in another place or CRS). */
static int report_outside(const struct tc_seat_areas *s, const struct tc_map *map,
                          const struct tc_map *layer, FILE *warn, struct tc_error *err)
{
    int outside = 0, inside = 0, first = -1;
    for (int t = 0; t < map->n; t++) {
        inside += s->from_layer[t];
        if (s->outside[t] && outside++ == 0)
            first = t;
    }
    if (inside == 0 && layer->n > 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: none of its %d seat areas lies in its township "
                       "(%d outside them, the others with codes the map does not have): is the "
                       "layer in another place or CRS?", layer->source_file, layer->n, outside);
    if (outside && warn)
        fprintf(warn, "towncov: warning: %s: %d seat area%s outside %s township%s (the first: "
                "code %s): no share of 0 km2 can be judged, so %s modelled ([goal] "
                "seat_radius_*)\n", layer->source_file, outside, outside == 1 ? " lies" : "s lie",
                outside == 1 ? "its" : "their", outside == 1 ? "" : "s", map->t[first].code,
                outside == 1 ? "its is" : "theirs are");
    return 0;
}

static struct tc_seat_areas *areas_alloc(int n)
{
    struct tc_seat_areas *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = n;
    s->ctx = GEOS_init_r();
    s->geom = calloc((size_t)n + 1, sizeof *s->geom);
    s->area_m2 = calloc((size_t)n + 1, sizeof *s->area_m2);
    s->envelope = calloc((size_t)n + 1, sizeof *s->envelope);
    s->from_layer = calloc((size_t)n + 1, 1);
    s->whole = calloc((size_t)n + 1, 1);
    s->outside = calloc((size_t)n + 1, 1);
    if (!s->ctx || !s->geom || !s->area_m2 || !s->envelope || !s->from_layer ||
        !s->whole || !s->outside)
        seat_areas_free(&s);
    return s;
}

/* The layer's polygon for each township (borrowed from `layer`), by code. */
static int join_layer(const struct tc_map *map, const struct tc_map *layer,
                      const GEOSGeometry **of, FILE *warn)
{
    int unknown = 0;
    const char *first = NULL;
    for (int i = 0, j = 0; i < layer->n; i++) { /* both sorted by code */
        while (j < map->n && strcmp(map->t[j].code, layer->t[i].code) < 0)
            j++;
        if (j < map->n && strcmp(map->t[j].code, layer->t[i].code) == 0) {
            of[j] = layer->t[i].geom;
        } else if (unknown++ == 0) {
            first = layer->t[i].code;
        }
    }
    if (unknown && warn)
        fprintf(warn, "towncov: warning: %s: %d seat area%s for codes the map does not have "
                "(the first %s): ignored\n", layer->source_file, unknown, unknown == 1 ? "" : "s",
                first);
    return 0;
}

static struct tc_map *load_layer(const struct seat_config *cfg, const struct tc_map *map,
                                 const char *base_dir, int threads, FILE *warn,
                                 struct tc_error *err)
{
    struct map_config lc;
    memset(&lc, 0, sizeof lc);
    snprintf(lc.file, sizeof lc.file, "%s", cfg->areas_file);
    snprintf(lc.code_field, sizeof lc.code_field, "%s", cfg->code_field);
    snprintf(lc.encoding, sizeof lc.encoding, "auto");
    lc.repair = map->repair; /* map.repair = no refuses a bow-tie here as in the map */
    lc.assume_wgs84 = 1;
    return map_load_layer(&lc, "map.seat_area_code_field", base_dir, map, threads, warn, err);
}

struct tc_seat_areas *seat_areas_build(const struct seat_config *cfg, const struct tc_map *map,
                                       const char *base_dir, int threads, FILE *warn,
                                       struct tc_error *err)
{
    struct tc_map *layer = NULL;
    if (cfg->areas_file[0] && !(layer = load_layer(cfg, map, base_dir, threads, warn, err)))
        return NULL;
    struct tc_seat_areas *s = areas_alloc(map->n);
    const GEOSGeometry **of = calloc((size_t)map->n + 1, sizeof *of);
    struct tc_workers *ws = s && of ? tc_workers_new(threads, NULL, 0, err) : NULL;
    if (!ws) {
        if (!s || !of)
            tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %d seat areas", map->n);
        free(of);
        seat_areas_free(&s);
        map_free(&layer);
        return NULL;
    }
    if (layer)
        join_layer(map, layer, of, warn);
    #pragma omp parallel for num_threads(ws->n) schedule(dynamic, 8)
    for (int t = 0; t < map->n; t++) {
        struct tc_worker *w = &ws->w[omp_get_thread_num()];
        s->geom[t] = seat_area(w->geos, cfg, &map->t[t], of[t]);
        if (of[t] && s->geom[t] && outside_township(w->geos, s->geom[t])) {
            /* No share of a 0 km2 seat area can be judged: the layer's
             * polygon lies outside its township, so it is modelled. */
            GEOSGeom_destroy_r(w->geos, s->geom[t]);
            s->geom[t] = seat_area(w->geos, cfg, &map->t[t], NULL);
            s->outside[t] = 1;
            of[t] = NULL;
        }
        int empty = s->geom[t] ? GEOSisEmpty_r(w->geos, s->geom[t]) : 2;
        /* also warms GEOS's envelope cache */
        if (empty == 2 || GEOSArea_r(w->geos, s->geom[t], &s->area_m2[t]) != 1 ||
            (!empty && !GEOSGeom_getExtent_r(w->geos, s->geom[t], &s->envelope[t][0],
                                             &s->envelope[t][1], &s->envelope[t][2],
                                             &s->envelope[t][3])))
            tc_worker_failf(w, t, tc_worker_geos_status(w), "township %s: %s building its seat "
                            "area%s%s", map->t[t].code,
                            tc_worker_geos_status(w) == TC_EXIT_RESOURCE ? "out of memory"
                                                                         : "GEOS failed",
                            w->geos_msg[0] ? ": " : "", w->geos_msg);
        s->from_layer[t] = of[t] != NULL;
        s->whole[t] = !of[t] && cfg->radius_m[map->t[t].kind] <= 0;
    }
    int rc = tc_workers_failure(ws, err);
    tc_workers_free(&ws);
    int lacking = 0; /* townships the layer has no seat area for */
    for (int t = 0; t < map->n; t++) {
        s->modelled += !s->from_layer[t];
        lacking += !s->from_layer[t] && !s->outside[t];
    }
    if (rc == 0 && layer)
        rc = report_outside(s, map, layer, warn, err);
    if (rc == 0 && layer && lacking && warn)
        fprintf(warn, "towncov: note: %s: %d of %d townships have no seat area in it; theirs "
                "are modelled ([goal] seat_radius_*)\n", layer->source_file, lacking, map->n);
    free(of);
    map_free(&layer);
    if (rc == 0 && !(s->keys = key_points_load(cfg, map, base_dir, warn, err)))
        rc = -1;
    if (rc != 0)
        seat_areas_free(&s);
    return s;
}

void seat_areas_free(struct tc_seat_areas **ps)
{
    struct tc_seat_areas *s = *ps;
    if (!s)
        return;
    for (int i = 0; s->geom && i < s->n; i++)
        if (s->geom[i])
            GEOSGeom_destroy_r(s->ctx, s->geom[i]);
    free(s->geom);
    free(s->area_m2);
    free(s->envelope);
    free(s->from_layer);
    free(s->whole);
    free(s->outside);
    key_points_free(&s->keys);
    if (s->ctx)
        GEOS_finish_r(s->ctx);
    free(s);
    *ps = NULL;
}
