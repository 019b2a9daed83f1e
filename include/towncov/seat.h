/* seat.h — stage 2b: every township's seat area (乡镇镇区), the built-up area
 * around the township government that the official 5G count judges. Read
 * from a polygon layer when the planner has one ([map] seat_areas, joined
 * by code), otherwise modelled as a disc around the seat with a radius per
 * kind, clipped to the township; a radius of 0 makes the whole township
 * its seat area (a subdistrict is urban throughout). */
#ifndef TOWNCOV_SEAT_H
#define TOWNCOV_SEAT_H

#include <geos_c.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/seat_config.h"

struct tc_map;
struct tc_key_points;

/* Vertices of a modelled seat disc (before clipping). */
#define SEAT_DISC_VERTICES 64

struct tc_seat_areas {
    int n;                      /* = the map's townships, same order */
    GEOSGeometry **geom;        /* (Multi)Polygon in the map's metric CRS; owned */
    double *area_m2;
    double (*envelope)[4];      /* xmin, ymin, xmax, ymax (warmed: safe to share) */
    unsigned char *from_layer;  /* 1: read from the layer, 0: modelled */
    unsigned char *whole;       /* 1: the whole township (its coverage is the township's) */
    unsigned char *outside;     /* 1: the layer's seat area lies outside the township (0 km2
                                   once clipped), so it is modelled (from_layer 0) */
    int modelled;               /* townships whose seat area is modelled */
    struct tc_key_points *keys; /* the key points ([map] key_points); owned, never NULL */
    GEOSContextHandle_t ctx;    /* destroys the geometries; owned */
};

/* The default radius of a kind's modelled seat area, metres (0: the whole
 * township), read from its [goal] seat_radius_<kind>_m key's default in
 * seat_keys[], the one place the numbers are written; -1 for a kind out of
 * range. The map builder models seat areas with it. */
double seat_default_radius_m(enum tc_kind kind);

/* Every township's seat area. The layer (if any) is read like the map
 * (located errors, repair) in the map's CRS, each record joined to the
 * township of its code and clipped to it; townships it lacks are modelled,
 * with one note giving the count. A seat area of the layer that lies
 * outside its township (0 km2 once clipped) is modelled too, with one
 * warning giving the count; when none of the layer's seat areas lies in
 * its township, an error (exit 4): a seat area of 0 km2 is never judged. Parallel over townships with `threads`
 * workers; the result does not depend on their number. Returns a set the
 * caller frees with seat_areas_free, or NULL with err set. */
struct tc_seat_areas *seat_areas_build(const struct seat_config *cfg, const struct tc_map *map,
                                       const char *base_dir, int threads, FILE *warn,
                                       struct tc_error *err);

void seat_areas_free(struct tc_seat_areas **s);

#endif
