/* layers.c — what each exported layer holds (see export_int.h): its
 * fields, each record's values and shape, and the table of layers in the
 * order QGIS draws them. */
#include "export_int.h"

#include "towncov/seat.h"

#include <math.h>
#include <string.h>

#include "towncov/coverage.h"
#include "towncov/footprint.h"
#include "towncov/goal.h"
#include "towncov/map.h"
#include "towncov/output.h"
#include "towncov/run_outcome.h"
#include "towncov/radio.h"
#include "towncov/shpio.h"
#include "towncov/sites.h"

static const char *yes_no(int b)
{
    return b ? "yes" : "no";
}

/* Bytes of a polygon record: header, box and counts, part starts, points. */
static double polygon_bytes(GEOSContextHandle_t c, const GEOSGeometry *g)
{
    if (GEOSisEmpty_r(c, g))
        return 12;
    int n = GEOSGetNumGeometries_r(c, g), rings = 0;
    for (int i = 0; i < n; i++)
        rings += 1 + GEOSGetNumInteriorRings_r(c, GEOSGetGeometryN_r(c, g, i));
    return 8 + 44 + 4.0 * rings + 16.0 * GEOSGetNumCoordinates_r(c, g);
}

static double point_bytes(const struct exporter *ex, long i)
{
    (void)ex;
    (void)i;
    return 8 + 20;
}

static int polygon_write(struct exporter *ex, SHPHandle shp, int t, const GEOSGeometry *g,
                         struct tc_error *err)
{
    return shpio_write_polygon(export_geos(ex, ex->owner[t]), shp, -1, g, err);
}

/* townships ------------------------------------------------------------------*/
static const struct field township_fields[] = {
    {"code", FT_STR, 0, 0},      {"name", FT_STR, 0, 0},      {"county", FT_STR, 0, 0},
    {"kind", FT_STR, 0, 0},      {"area_km2", FT_DBL, 20, 9}, {"cov_km2", FT_DBL, 20, 9},
    {"cov_frac", FT_DBL, 15, 12}, {"seat_cov", FT_STR, 3, 0}, {"sites", FT_INT, 10, 0},
    {"goal_met", FT_STR, 3, 0},  {"seat_lon", FT_DBL, 14, 7}, {"seat_lat", FT_DBL, 14, 7},
    {"fprints", FT_INT, 10, 0},  {"seat_km2", FT_DBL, 20, 9}, {"seatcovkm2", FT_DBL, 20, 9},
    {"seat_frac", FT_DBL, 15, 12},
    /* with people only (township_fields_used) */
    {"population", FT_INT, 10, 0}, {"urban_pop", FT_INT, 10, 0}, {"rural_pop", FT_INT, 10, 0},
    {"pop_cov", FT_DBL, 16, 3},    {"pop_frac", FT_DBL, 15, 12},
};

/* Runs without people write the fields they always did. */
static int township_fields_used(const struct exporter *ex)
{
    return ex->run->map->has_population ? 21 : 16;
}

static long township_count(const struct exporter *ex)
{
    return ex->run->map->n;
}

static void township_row(const struct exporter *ex, long i, struct value *v)
{
    const struct township *t = &ex->run->map->t[i];
    const struct cov_result *r = &ex->run->results[i];
    v[0].s = t->code;
    v[1].s = t->name;
    v[2].s = t->county;
    v[3].s = tc_kind_name(t->kind);
    v[4].d = r->area_m2 / 1e6;
    v[5].d = r->covered_m2 / 1e6;
    v[6].d = r->covered_frac;
    v[7].s = yes_no(r->seat_covered);
    v[8].d = r->sites;
    v[9].s = yes_no(ex->run->verdict->township_met[i]);
    v[10].d = t->seat_lon;
    v[11].d = t->seat_lat;
    v[12].d = r->footprints;
    v[13].d = r->seat_area_m2 / 1e6;
    v[14].d = r->seat_covered_m2 / 1e6;
    v[15].d = r->seat_covered_frac;
    v[16].d = (double)t->population;
    v[17].d = (double)t->urban_population;
    v[18].d = (double)t->rural_population;
    v[19].d = r->population_covered;
    v[20].d = r->population_covered_frac;
}

static double township_bytes(const struct exporter *ex, long i)
{
    return polygon_bytes(export_geos(ex, ex->owner[i]), ex->town[i]);
}

static int township_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return polygon_write(ex, shp, (int)i, ex->town[i], err);
}

/* coverage: only townships with a covered part ----------------------------------*/
static const struct field coverage_fields[] = {
    {"code", FT_STR, 0, 0}, {"cov_km2", FT_DBL, 20, 9}, {"cov_frac", FT_DBL, 15, 12},
};

static long coverage_count(const struct exporter *ex)
{
    return ex->n_cov;
}

static void coverage_row(const struct exporter *ex, long i, struct value *v)
{
    int t = ex->cov_ids[i];
    v[0].s = ex->run->map->t[t].code;
    v[1].d = ex->run->results[t].covered_m2 / 1e6;
    v[2].d = ex->run->results[t].covered_frac;
}

static double coverage_bytes(const struct exporter *ex, long i)
{
    int t = ex->cov_ids[i];
    return polygon_bytes(export_geos(ex, ex->owner[t]), ex->cov[t]);
}

static int coverage_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    int t = ex->cov_ids[i];
    return polygon_write(ex, shp, t, ex->cov[t], err);
}

/* seat areas (乡镇镇区): what the goal judges ---------------------------------*/
static const struct field seat_area_fields[] = {
    {"code", FT_STR, 0, 0},      {"name", FT_STR, 0, 0},        {"kind", FT_STR, 0, 0},
    {"seat_km2", FT_DBL, 20, 9}, {"seatcovkm2", FT_DBL, 20, 9}, {"seat_frac", FT_DBL, 15, 12},
    {"source", FT_STR, 0, 0},    {"goal_met", FT_STR, 3, 0},
};

static long seat_area_count(const struct exporter *ex)
{
    return ex->seat_area ? ex->run->map->n : 0;
}

static void seat_area_row(const struct exporter *ex, long i, struct value *v)
{
    const struct township *t = &ex->run->map->t[i];
    const struct cov_result *r = &ex->run->results[i];
    v[0].s = t->code;
    v[1].s = t->name;
    v[2].s = tc_kind_name(t->kind);
    v[3].d = r->seat_area_m2 / 1e6;
    v[4].d = r->seat_covered_m2 / 1e6;
    v[5].d = r->seat_covered_frac;
    v[6].s = ex->run->seats->from_layer[i] ? "layer" : "modelled";
    v[7].s = yes_no(ex->run->verdict->township_met[i]);
}

static double seat_area_bytes(const struct exporter *ex, long i)
{
    return polygon_bytes(export_geos(ex, ex->owner[i]), ex->seat_area[i]);
}

static int seat_area_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return polygon_write(ex, shp, (int)i, ex->seat_area[i], err);
}

/* seats ---------------------------------------------------------------------*/
static const struct field seat_fields[] = {
    {"code", FT_STR, 0, 0},    {"name", FT_STR, 0, 0},     {"county", FT_STR, 0, 0},
    {"covered", FT_STR, 3, 0}, {"goal_met", FT_STR, 3, 0},
};

static void seat_row(const struct exporter *ex, long i, struct value *v)
{
    const struct township *t = &ex->run->map->t[i];
    v[0].s = t->code;
    v[1].s = t->name;
    v[2].s = t->county;
    v[3].s = yes_no(ex->run->results[i].seat_covered);
    v[4].s = yes_no(ex->run->verdict->township_met[i]);
}

static int seat_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return shpio_write_point(shp, ex->seat_x[i], ex->seat_y[i], err);
}

/* sites ---------------------------------------------------------------------*/
static const struct field site_fields[] = {
    {"id", FT_STR, 0, 0},       {"code", FT_STR, 0, 0},      {"band", FT_STR, 0, 0},
    {"model", FT_STR, 0, 0},    {"height_m", FT_DBL, 10, 2}, {"azimuths", FT_STR, 0, 0},
    {"rmin_m", FT_DBL, 14, 3},  {"rmax_m", FT_DBL, 14, 3},
};

static long site_count(const struct exporter *ex)
{
    return ex->run->sites->n;
}

/* Stations outside every township take the special kind's settings, as the
 * footprint stage does. */
static enum tc_kind site_kind(const struct exporter *ex, long i)
{
    int t = ex->run->sites->township[i];
    return t >= 0 ? ex->run->map->t[t].kind : KIND_SPECIAL;
}

/* Compass azimuths "0;120;240" (degrees from north) of n sectors, of
 * the station's own (az) or else 360 i / n; "omni" when n is 0. */
static void format_azimuths(int n, const double *az, char *buf, size_t size)
{
    snprintf(buf, size, "%s", n ? "" : "omni");
    for (int k = 0; k < n; k++) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "%s%g", k ? ";" : "", az ? az[k] : 360.0 * k / n);
    }
}

/* The disc model has no sectors; the link model has the kind's n. */
static int kind_sectors(const struct radio_config *rc, enum tc_kind k)
{
    return rc->model == RADIO_DISC ? 0 : (int)rc->sectors[k];
}

void export_kind_azimuths(struct exporter *ex)
{
    for (int k = 0; k < KIND_COUNT; k++)
        format_azimuths(kind_sectors(ex->run->radio, (enum tc_kind)k), NULL,
                        ex->kind_azimuths[k], sizeof ex->kind_azimuths[k]);
}

/* Station i's azimuths: its own when its sites file gave them (link
 * model), else its kind's, formatted once (export_kind_azimuths). */
static const char *site_azimuths(const struct exporter *ex, long i, char *buf, size_t size)
{
    const struct radio_config *rc = ex->run->radio;
    const struct radio_site *rs = ex->run->sites->radio ? &ex->run->sites->radio[i] : NULL;
    if (rc->model == RADIO_DISC || !rs || rs->n_azimuths <= 0)
        return ex->kind_azimuths[site_kind(ex, i)];
    format_azimuths(rs->n_azimuths, rs->azimuth_deg, buf, size);
    return buf;
}

static void site_row(const struct exporter *ex, long i, struct value *v)
{
    const struct tc_sites *s = ex->run->sites;
    const struct radio_range_info *info = footprint_info(ex->run->fp, i);
    const struct radio_config *rc = ex->run->radio;
    int t = s->township[i];
    v[0].s = sites_id(s, i, v[0].buf, sizeof v[0].buf);
    v[1].s = t >= 0 ? ex->run->map->t[t].code : "";
    v[2].s = info->band;
    v[3].s = info->pathloss;
    /* The disc model ignores heights: leave the field empty, not a number
     * that played no part. Sites files may set a height (>= 1 m, as the
     * radio model takes it). */
    double h = s->radio && isfinite(s->radio[i].height_m) ? fmax(s->radio[i].height_m, 1.0)
                                                          : rc->height_m[site_kind(ex, i)];
    v[4].d = h;
    v[4].null = rc->model == RADIO_DISC;
    v[5].s = site_azimuths(ex, i, v[5].buf, sizeof v[5].buf);
    v[6].d = info->min_range_m;
    v[7].d = info->max_range_m;
}

static int site_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    return shpio_write_point(shp, ex->site_x[i], ex->site_y[i], err);
}

/* footprints ------------------------------------------------------------------*/
static const struct field footprint_fields[] = {
    {"id", FT_STR, 0, 0}, {"code", FT_STR, 0, 0}, {"rmin_m", FT_DBL, 14, 3},
    {"rmax_m", FT_DBL, 14, 3},
};

static long footprint_count(const struct exporter *ex)
{
    return ex->run->output->footprints ? ex->run->fp->n : 0;
}

static void footprint_row(const struct exporter *ex, long i, struct value *v)
{
    const struct tc_sites *s = ex->run->sites;
    int t = s->township[i];
    v[0].s = sites_id(s, i, v[0].buf, sizeof v[0].buf);
    v[1].s = t >= 0 ? ex->run->map->t[t].code : "";
    v[2].d = footprint_info(ex->run->fp, i)->min_range_m;
    v[3].d = footprint_info(ex->run->fp, i)->max_range_m;
}

static double footprint_bytes(const struct exporter *ex, long i)
{
    long n = footprint_size(ex->run->fp, i);
    return 8 + 44 + 4 + 16.0 * (double)(n + 1); /* one ring, closed */
}

static int footprint_shape(struct exporter *ex, SHPHandle shp, long i, struct tc_error *err)
{
    GEOSContextHandle_t c = export_geos(ex, 0);
    long a = ex->fp_off[i], n = ex->fp_off[i + 1] - a;
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(c, (unsigned)n + 1, 2);
    for (long k = 0; seq && k <= n; k++)
        GEOSCoordSeq_setXY_r(c, seq, (unsigned)k, ex->fp_x[a + k % n], ex->fp_y[a + k % n]);
    GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(c, seq) : NULL;
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(c, ring, NULL, 0) : NULL;
    if (!poly) {
        /* (GEOS 3.11 frees seq and ring itself when a constructor fails) */
        int status = tc_worker_geos_status(&ex->ws->w[0]);
        return tc_fail(err, status, "export: footprint %ld: %s", i,
                       status == TC_EXIT_RESOURCE ? "out of memory" : "GEOS cannot build it");
    }
    int rc = shpio_write_polygon(c, shp, -1, poly, err);
    GEOSGeom_destroy_r(c, poly);
    return rc;
}

/* ---- the table ----------------------------------------------------------------*/
#define NFIELDS(a) ((int)(sizeof a / sizeof a[0]))

const struct layer_spec export_layer_specs[] = {
    {"townships", SHPT_POLYGON, township_fields, NFIELDS(township_fields), township_count,
     township_row, township_bytes, township_shape, export_renderer_townships, 1, 0, 0,
     township_fields_used},
    {"coverage", SHPT_POLYGON, coverage_fields, NFIELDS(coverage_fields), coverage_count,
     coverage_row, coverage_bytes, coverage_shape, export_renderer_coverage, 1, 0, 0, NULL},
    {"seat_areas", SHPT_POLYGON, seat_area_fields, NFIELDS(seat_area_fields), seat_area_count,
     seat_area_row, seat_area_bytes, seat_area_shape, export_renderer_seat_areas, 1, 0, 0,
     NULL},
    {"seats", SHPT_POINT, seat_fields, NFIELDS(seat_fields), township_count, seat_row,
     point_bytes, seat_shape, export_renderer_seats, 1, 0, 0, NULL},
    /* Tens of thousands of stations blacken a province: shown from 1:500,000 */
    {"sites", SHPT_POINT, site_fields, NFIELDS(site_fields), site_count, site_row,
     point_bytes, site_shape, export_renderer_sites, 1, 500000, 0, NULL},
    {"footprints", SHPT_POLYGON, footprint_fields, NFIELDS(footprint_fields), footprint_count,
     footprint_row, footprint_bytes, footprint_shape, export_renderer_footprints, 0, 250000, 1,
     NULL},
};