/* records.c — each live record's attributes (decoded, kept whole) and
 * shape, read serially (shapelib is not thread-safe). */
#include "map_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/common.h"

/* ---- records -------------------------------------------------------------*/
/* Also clamps longitudes within LON_SLACK past -180, 180 or 360 to them,
 * and latitudes within it past a pole to the pole. */
static int check_coordinates(const struct loader *ld, SHPObject *o, int rec,
                             struct tc_error *err)
{
    for (int i = 0; i < o->nVertices; i++) {
        double x = o->padfX[i], y = o->padfY[i];
        if (!isfinite(x) || !isfinite(y))
            return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT ": vertex %d is not a number",
                           ld->shp_path, MAP_REC(ld, rec), i);
        if (ld->geographic) {
            x = o->padfX[i] = map_clamp_longitude(x);
            y = o->padfY[i] = map_clamp_latitude(y);
        }
        if (ld->geographic && (x < -180 || x > 360 || y < -90 || y > 90))
            return tc_fail(err, TC_EXIT_MAP,
                           "%s: " MAP_REC_FMT ": vertex %d (%g, %g) is outside lon/lat range",
                           ld->shp_path, MAP_REC(ld, rec), i, x, y);
    }
    return 0;
}

/* Text attribute `field` of record fid as a new UTF-8 string, or NULL with
 * err saying how to read it. A writer's cut is counted (and noted in the
 * job's warnings by the caller). */
static char *read_text(struct loader *ld, int fid, int field, const char *what, int *cut,
                       struct tc_error *err)
{
    if (ld->ogr) { /* UTF-8 checked on reading */
        char *text = map_ogr_text(ld, fid, field);
        if (!text)
            tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", ld->shp_path);
        return text;
    }
    int was_cut = 0;
    char *text = shpio_read_text(ld->dbf, fid, field, ld->encoding, &was_cut);
    *cut |= was_cut;
    if (text)
        return text;
    if (errno == ENOMEM)
        tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", ld->shp_path);
    else
        tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT ": %s is not valid %s text: set "
                "map.encoding (gbk, cp1252, latin1, big5 or any iconv name), or put a .cpg "
                "naming the encoding beside the file (%s.cpg)", ld->shp_path, MAP_REC(ld, fid),
                what, ld->encoding[0] ? ld->encoding : "UTF-8 or GBK", ld->base);
    return NULL;
}

static int read_kind(struct loader *ld, int fid, struct township *t, int *cut,
                     struct tc_error *err)
{
    if (ld->f_kind < 0) {
        t->kind = tc_kind_from_name(t->name);
        return 0;
    }
    char *kind = read_text(ld, fid, ld->f_kind, "the kind", cut, err);
    if (!kind)
        return -1;
    int k = kind[0] ? tc_kind_parse(kind) : (int)tc_kind_from_name(t->name);
    if (k < 0)
        tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): unknown kind '%s' (expected "
                "subdistrict, town, township or special)", ld->shp_path, MAP_REC(ld, fid), t->code,
                kind);
    free(kind);
    if (k < 0)
        return -1;
    t->kind = (enum tc_kind)k;
    return 0;
}

static int read_seat(struct loader *ld, int fid, struct township *t, struct tc_error *err)
{
    t->seat_lon = t->seat_lat = NAN;
    if (ld->f_lon < 0 || (ld->ogr ? map_ogr_is_null(ld, fid, ld->f_lon)
                                  : DBFIsAttributeNULL(ld->dbf, fid, ld->f_lon)))
        return 0;
    t->seat_given = 1;
    t->seat_lon = ld->ogr ? map_ogr_number(ld, fid, ld->f_lon)
                          : DBFReadDoubleAttribute(ld->dbf, fid, ld->f_lon);
    t->seat_lat = ld->ogr ? map_ogr_number(ld, fid, ld->f_lat)
                          : DBFReadDoubleAttribute(ld->dbf, fid, ld->f_lat);
    if (!isfinite(t->seat_lon) || !isfinite(t->seat_lat) || fabs(t->seat_lat) > 90 ||
        fabs(t->seat_lon) > 360)
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): seat (%g, %g) is not "
                       "a longitude/latitude", ld->shp_path, MAP_REC(ld, fid), t->code,
                       t->seat_lon, t->seat_lat);
    return 0;
}

/* A count of people in attribute `field` of record fid (a whole number
 * >= 0 as written; a fraction is rounded half up), or -1 when field < 0. */
static int read_people(struct loader *ld, int fid, int field, const char *what,
                       const struct township *t, long *out, struct tc_error *err)
{
    *out = -1;
    if (field < 0)
        return 0;
    const char *s = DBFReadStringAttribute(ld->dbf, fid, field);
    char *end = NULL;
    errno = 0;
    double v = s ? strtod(s, &end) : NAN;
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (!s || end == s || *end || errno || !isfinite(v) || v < 0 || v > 1e12)
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): %s '%s' is not a "
                       "count of people (a number >= 0)", ld->shp_path, MAP_REC(ld, fid), t->code,
                       what, s ? s : "");
    *out = (long)floor(v + 0.5);
    return 0;
}

/* Code, name, county, kind and seat of record fid. Texts are kept whole
 * (a DBF field holds up to 254 bytes; decoded, more). *cut is set when a
 * writer cut one of them inside a character. */
static int read_attributes(struct loader *ld, int fid, struct township *t, int *cut,
                           struct tc_error *err)
{
    if (!(t->code = read_text(ld, fid, ld->f_code, "the code", cut, err)) ||
        !(t->name = read_text(ld, fid, ld->f_name, "the name", cut, err)) ||
        !(t->county = read_text(ld, fid, ld->f_county, "the county", cut, err)) ||
        !(t->county_code = read_text(ld, fid, ld->f_county_code, "the county code", cut, err)))
        return -1;
    if (!t->code[0])
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT ": empty township code (field "
                       "'%s')", ld->shp_path, MAP_REC(ld, fid), ld->cfg->code_field);
    if (read_kind(ld, fid, t, cut, err) != 0 ||
        read_people(ld, fid, ld->f_pop, "population", t, &t->population, err) != 0 ||
        read_people(ld, fid, ld->f_urban, "urban population", t, &t->urban_population, err) != 0)
        return -1;
    if (t->urban_population > t->population)
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): urban population "
                       "%ld exceeds the population %ld", ld->shp_path, MAP_REC(ld, fid), t->code,
                       t->urban_population, t->population);
    return read_seat(ld, fid, t, err);
}

/* Serial: reads record fid's shape and checks what needs no geometry and
 * no CRS (the coordinates are checked by map_records_finish). */
static int read_shape(struct loader *ld, int fid, const struct township *t, SHPObject **out,
                      struct tc_error *err)
{
    errno = 0; /* shapelib gives NULL for a corrupt record and for a failed malloc alike */
    SHPObject *o = ld->ogr ? map_ogr_take_shape(ld, fid) : SHPReadObject(ld->shp, fid);
    if (!o && !ld->ogr && errno == ENOMEM)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: " MAP_REC_FMT ": out of memory reading the "
                       "shape", ld->shp_path, MAP_REC(ld, fid));
    if (!o && ld->ogr)
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): null geometry (no "
                       "polygon)", ld->shp_path, MAP_REC(ld, fid), t->code);
    if (!o)
        return tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT ": cannot read the shape (corrupt "
                       "file)", ld->shp_path, MAP_REC(ld, fid));
    int rc = 0;
    if (o->nSHPType != SHPT_NULL && !shpio_is_polygon_type(o->nSHPType))
        rc = tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): shape type %s, but the "
                     "file declares %s", ld->shp_path, MAP_REC(ld, fid), t->code,
                     shpio_type_name(o->nSHPType), shpio_type_name(ld->shp_type));
    else if (o->nSHPType == SHPT_NULL || o->nVertices == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): null shape (no "
                     "polygon)", ld->shp_path, MAP_REC(ld, fid), t->code);
    if (rc != 0) {
        SHPDestroyObject(o);
        return -1;
    }
    *out = o;
    return 0;
}

/* Notes what the reading skipped or mended, once per file. */
static void report_reading(const struct loader *ld, int first_deleted, int first_cut)
{
    if (!ld->warn)
        return;
    if (ld->deleted)
        fprintf(ld->warn, "towncov: note: %s: skipped %d record%s marked deleted in the .dbf "
                "(as GDAL and QGIS do), the first " MAP_REC_FMT "\n", ld->shp_path,
                ld->deleted, ld->deleted == 1 ? "" : "s", MAP_REC(ld, first_deleted));
    if (ld->cut_texts)
        fprintf(ld->warn, "towncov: warning: %s: %d record%s had text cut inside a character "
                "by the program that wrote the file (the first " MAP_REC_FMT "); the "
                "incomplete character was dropped\n", ld->shp_path, ld->cut_texts,
                ld->cut_texts == 1 ? "" : "s", MAP_REC(ld, first_cut));
}

/* Serial: attributes and shapes of every live record (shapelib is not
 * thread-safe), into m->t and jobs; stops at the first failure (its
 * record counted, so that map_free frees its texts). Needs no CRS: it
 * may run beside map_setup_crs; map_records_finish completes it. */
int map_read_records(struct loader *ld, struct record_job *jobs, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    int n = map_source_count(ld), rc = 0;
    ld->first_deleted = ld->first_cut = -1;
    for (int fid = 0; rc == 0 && fid < n; fid++) {
        if (!ld->ogr && DBFIsRecordDeleted(ld->dbf, fid)) {
            if (ld->deleted++ == 0)
                ld->first_deleted = fid;
            continue;
        }
        struct township *t = &m->t[m->n++]; /* counted first: map_free frees its texts */
        t->record = fid;
        int cut = 0;
        rc = read_attributes(ld, fid, t, &cut, err);
        if (rc == 0 && cut && ld->cut_texts++ == 0)
            ld->first_cut = fid;
        if (rc == 0)
            rc = read_shape(ld, fid, t, &jobs[m->n - 1].obj, err);
        if (rc == 0 && tc_interrupted())
            rc = tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted while loading %s", ld->shp_path);
    }
    if (rc == 0 && m->n == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: every record is marked deleted", ld->shp_path);
    return rc;
}

/* With the source CRS known (ld->geographic): each shape's coordinates
 * checked (and clamped) in record order, then the reading's own failure
 * (read_rc, read_err), so that the first failure in record order is the
 * one reported, as a reading that checked as it went would; then the
 * notes on what the reading skipped or mended. */
int map_records_finish(struct loader *ld, struct record_job *jobs, int read_rc,
                       const struct tc_error *read_err, struct tc_error *err)
{
    struct tc_map *m = ld->map;
    for (int i = 0; i < m->n; i++)
        if (jobs[i].obj && check_coordinates(ld, jobs[i].obj, m->t[i].record, err) != 0)
            return -1;
    if (read_rc != 0) {
        *err = *read_err;
        return -1;
    }
    report_reading(ld, ld->first_deleted, ld->first_cut);
    return 0;
}
