/* write.c — the four layers (townships, seats, seat areas, counties)
 * written with shapelib into a fresh folder beside the output folder, then
 * swapped in (outdir.h), on one thread. */
#include "mapgen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "towncov/outdir.h"
#include "towncov/shpio.h"
#include "towncov/shplayer.h"

/* Fixed-width DBF text fields: as wide as the longest value (UTF-8 bytes),
 * up to the dBase limit, so that nothing is cut mid-character. */
static int text_width(int w)
{
    return w < 1 ? 1 : w > SHPLAYER_TEXT_MAX ? SHPLAYER_TEXT_MAX : w;
}

static int max_len(const struct province *p, int which)
{
    size_t m = 0;
    for (int i = 0; i < p->nt; i++) {
        const struct mg_township *t = &p->t[i];
        const struct county *c = &p->c[t->county];
        const char *s = which == 0 ? t->code : which == 1 ? t->name : which == 2 ? c->name
                      : which == 3 ? c->code : c->city;
        if (strlen(s) > m)
            m = strlen(s);
    }
    return (int)m;
}

static int township_fields(struct shp_layer *ly, const struct province *p, struct tc_error *err)
{
    static const char *const names[5] = {"code", "name", "county", "cnty_code", "city"};
    for (int f = 0; f < 5; f++)
        if (shp_layer_field(ly, names[f], FTString, text_width(max_len(p, f)), 0, err) != 0)
            return -1;
    if (shp_layer_field(ly, "kind", FTString, 11, 0, err) != 0
        || shp_layer_field(ly, "seat_lon", FTDouble, 18, 12, err) != 0
        || shp_layer_field(ly, "seat_lat", FTDouble, 18, 12, err) != 0
        || shp_layer_field(ly, "area_km2", FTDouble, 16, 6, err) != 0)
        return -1;
    if (p->has_population /* --population only: other maps stay as they were */
        && (shp_layer_field(ly, "population", FTInteger, 10, 0, err) != 0
            || shp_layer_field(ly, "urban_pop", FTInteger, 10, 0, err) != 0
            || shp_layer_field(ly, "rural_pop", FTInteger, 10, 0, err) != 0))
        return -1;
    return 0;
}

static int township_write(struct mg_worker *w, struct shp_layer *ly, const struct province *p,
                          const struct mg_township *t, int rec, struct tc_error *err)
{
    const struct county *c = &p->c[t->county];
    if (shpio_write_polygon(w->tw->geos, ly->shp, -1, t->geom, err) != 0)
        return -1;
    if (shp_layer_text(ly, rec, 0, t->code, err) || shp_layer_text(ly, rec, 1, t->name, err)
        || shp_layer_text(ly, rec, 2, c->name, err) || shp_layer_text(ly, rec, 3, c->code, err)
        || shp_layer_text(ly, rec, 4, c->city, err) || shp_layer_text(ly, rec, 5, tc_kind_name(t->kind), err)
        || shp_layer_double(ly, rec, 6, t->seat_lon, err) || shp_layer_double(ly, rec, 7, t->seat_lat, err)
        || shp_layer_double(ly, rec, 8, t->area_km2, err))
        return -1;
    if (p->has_population
        && (shp_layer_integer(ly, rec, 9, (int)t->population, err)
            || shp_layer_integer(ly, rec, 10, (int)t->urban, err)
            || shp_layer_integer(ly, rec, 11, (int)t->rural, err)))
        return -1;
    return 0;
}

static int write_townships(struct mg_worker *w, const struct province *p,
                           const struct mg_township *const *order, const char *dir,
                           struct tc_error *err)
{
    struct shp_layer ly;
    int rc = shp_layer_create(&ly, dir, "townships", SHPT_POLYGON, err);
    if (rc == 0)
        rc = township_fields(&ly, p, err);
    for (int i = 0; rc == 0 && i < p->nt; i++)
        rc = township_write(w, &ly, p, order[i], i, err);
    return shp_layer_close(&ly, rc, shpio_wgs84_wkt, err);
}

static int write_seats(const struct province *p, const struct mg_township *const *order,
                       const char *dir, struct tc_error *err)
{
    struct shp_layer ly;
    int rc = shp_layer_create(&ly, dir, "seats", SHPT_POINT, err);
    if (rc == 0)
        rc = shp_layer_field(&ly, "code", FTString, text_width(max_len(p, 0)), 0, err)
            || shp_layer_field(&ly, "name", FTString, text_width(max_len(p, 1)), 0, err)
            || shp_layer_field(&ly, "kind", FTString, 11, 0, err);
    for (int i = 0; rc == 0 && i < p->nt; i++) {
        const struct mg_township *t = order[i];
        rc = shpio_write_point(ly.shp, t->seat_lon, t->seat_lat, err)
            || shp_layer_text(&ly, i, 0, t->code, err) || shp_layer_text(&ly, i, 1, t->name, err)
            || shp_layer_text(&ly, i, 2, tc_kind_name(t->kind), err);
    }
    return shp_layer_close(&ly, rc ? -1 : 0, shpio_wgs84_wkt, err);
}

/* The modelled seat areas (seat_areas.c), in the form a run reads back as
 * [map] seat_areas (joined by code). */
static int write_seat_areas(struct mg_worker *w, const struct province *p,
                            const struct mg_township *const *order, const char *dir,
                            struct tc_error *err)
{
    struct shp_layer ly;
    int rc = shp_layer_create(&ly, dir, "seat_areas", SHPT_POLYGON, err);
    if (rc == 0)
        rc = shp_layer_field(&ly, "code", FTString, text_width(max_len(p, 0)), 0, err)
            || shp_layer_field(&ly, "name", FTString, text_width(max_len(p, 1)), 0, err)
            || shp_layer_field(&ly, "kind", FTString, 11, 0, err)
            || shp_layer_field(&ly, "area_km2", FTDouble, 16, 6, err)
            || shp_layer_field(&ly, "source", FTString, 8, 0, err);
    for (int i = 0; rc == 0 && i < p->nt; i++) {
        const struct mg_township *t = order[i];
        rc = shpio_write_polygon(w->tw->geos, ly.shp, -1, t->seat_area, err)
            || shp_layer_text(&ly, i, 0, t->code, err) || shp_layer_text(&ly, i, 1, t->name, err)
            || shp_layer_text(&ly, i, 2, tc_kind_name(t->kind), err)
            || shp_layer_double(&ly, i, 3, t->seat_area_km2, err)
            || shp_layer_text(&ly, i, 4, "modelled", err);
    }
    return shp_layer_close(&ly, rc ? -1 : 0, shpio_wgs84_wkt, err);
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

static int write_counties(struct mg_worker *w, const struct province *p, const char *dir,
                          struct tc_error *err)
{
    struct shp_layer ly;
    int rc = shp_layer_create(&ly, dir, "counties", SHPT_POLYGON, err);
    if (rc == 0)
        rc = shp_layer_field(&ly, "code", FTString, county_width(p, 0), 0, err)
            || shp_layer_field(&ly, "name", FTString, county_width(p, 1), 0, err)
            || shp_layer_field(&ly, "city", FTString, county_width(p, 2), 0, err)
            || shp_layer_field(&ly, "townships", FTInteger, 9, 0, err)
            || shp_layer_field(&ly, "area_km2", FTDouble, 16, 6, err);
    for (int i = 0; rc == 0 && i < p->nc; i++) {
        const struct county *c = &p->c[i];
        rc = shpio_write_polygon(w->tw->geos, ly.shp, -1, c->geom, err)
            || shp_layer_text(&ly, i, 0, c->code, err) || shp_layer_text(&ly, i, 1, c->name, err)
            || shp_layer_text(&ly, i, 2, c->city, err) || shp_layer_double(&ly, i, 3, c->n, err)
            || shp_layer_double(&ly, i, 4, c->area_km2, err);
    }
    return shp_layer_close(&ly, rc ? -1 : 0, shpio_wgs84_wkt, err);
}

static int cmp_township_ptr(const void *a, const void *b)
{
    const struct mg_township *s = *(const struct mg_township *const *)a;
    const struct mg_township *t = *(const struct mg_township *const *)b;
    return strcmp(s->code, t->code);
}

/* Writes the four layers into a fresh folder beside dir, then swaps it in. */
int mg_write_map(struct mg_worker *w, const struct province *p, const char *dir,
                 struct tc_error *err)
{
    char *tmp;
    if (outdir_begin(dir, "mapgen", &tmp, err) != 0)
        return -1;
    const struct mg_township **order = malloc(sizeof *order * (size_t)p->nt);
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
        rc = write_seat_areas(w, p, order, tmp, err);
    if (rc == 0)
        rc = write_counties(w, p, tmp, err);
    free(order);
    if (rc == 0)
        rc = outdir_commit(&tmp, dir, err);
    outdir_abort(&tmp); /* nothing left after a commit */
    return rc;
}
