/* repair.c — parts with no area dropped, invalid polygons made valid
 * (map.repair), and the warnings that say where, in the input's CRS. */
#include "map_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Keeps only the polygonal parts of what MakeValid returned (it may return
 * a collection mixing polygons, multipolygons and lines). Consumes g. */
static int count_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON)
        return 1;
    if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
        return 0;
    int n = 0;
    for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
        n += count_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i));
    return n;
}

static void collect_polygons(GEOSContextHandle_t ctx, const GEOSGeometry *g, GEOSGeometry **out,
                             int *k)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON) {
        out[(*k)++] = GEOSGeom_clone_r(ctx, g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++)
            collect_polygons(ctx, GEOSGetGeometryN_r(ctx, g, i), out, k);
    }
}

static GEOSGeometry *polygonal_part(GEOSContextHandle_t ctx, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(ctx, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return g;
    int n = count_polygons(ctx, g), k = 0;
    GEOSGeometry **parts = malloc(sizeof *parts * (size_t)(n > 0 ? n : 1));
    if (parts)
        collect_polygons(ctx, g, parts, &k);
    GEOSGeom_destroy_r(ctx, g);
    GEOSGeometry *out =
        parts ? GEOSGeom_createCollection_r(ctx, GEOS_MULTIPOLYGON, parts, (unsigned)k) : NULL;
    free(parts);
    return out;
}

/* Appends a printf-style line to the job's warnings (grown as needed: the
 * codes in them are input text of any length). */
static void job_warn(struct record_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void job_warn(struct record_job *job, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int add = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    size_t used = job->warning ? strlen(job->warning) : 0;
    if (add < 0 || tc_resize((void **)&job->warning, used + (size_t)add + 1, 1) != 0)
        return; /* a warning lost to memory exhaustion; the load goes on */
    va_start(ap, fmt);
    vsnprintf(job->warning + used, (size_t)add + 1, fmt, ap);
    va_end(ap);
}

/* Why g is invalid and where, the place given in the input's CRS (to_input
 * maps g's coordinates back to it; NULL when they already are), as users
 * see it in QGIS: "Self-intersection at (115.123456, 28.654321)". Returns a
 * new string, NULL when GEOS says nothing. */
static char *invalid_reason(const struct loader *ld, GEOSContextHandle_t ctx,
                            const GEOSGeometry *g, PJ *to_input)
{
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    if (GEOSisValidDetail_r(ctx, g, 0, &reason, &where) != 0 || !reason)
        return NULL;
    double x = NAN, y = NAN;
    if (where) {
        GEOSGeomGetX_r(ctx, where, &x);
        GEOSGeomGetY_r(ctx, where, &y);
        GEOSGeom_destroy_r(ctx, where);
    }
    if (to_input && isfinite(x)) {
        PJ_COORD c = proj_trans(to_input, PJ_INV, proj_coord(x, y, 0, 0));
        x = c.xy.x;
        y = c.xy.y;
    }
    size_t len = strlen(reason) + 96;
    char *text = malloc(len);
    if (text && isfinite(x))
        snprintf(text, len, ld->geographic ? "%s at (%.6f, %.6f)" : "%s at (%.2f, %.2f)",
                 reason, x, y);
    else if (text)
        snprintf(text, len, "%s", reason);
    GEOSFree_r(ctx, reason);
    return text;
}

/* Returns g if valid, else (map.repair = yes) its polygonal MakeValid with
 * a warning naming the record, the place and the relative area change,
 * else NULL with the job's error set. Consumes g. */
/* GEOS threw (its 2 or NULL): under a memory limit, std::bad_alloc; not
 * the map's fault, so not exit 4. Consumes g. */
static GEOSGeometry *geos_failed(const struct loader *ld, const struct tc_worker *w,
                                 GEOSGeometry *g, const struct township *t, const char *doing,
                                 struct record_job *job)
{
    int status = tc_worker_geos_status(w);
    tc_fail(&job->err, status, "%s: " MAP_REC_FMT " (code %s): %s %s the polygon%s%s",
            ld->shp_path, MAP_REC(ld, t->record), t->code,
            status == TC_EXIT_RESOURCE ? "out of memory" : "GEOS failed", doing,
            status == TC_EXIT_RESOURCE ? "" : ": ", status == TC_EXIT_RESOURCE ? "" : w->geos_msg);
    if (g)
        GEOSGeom_destroy_r(w->geos, g);
    return NULL;
}

GEOSGeometry *map_make_valid(const struct loader *ld, struct tc_worker *w, GEOSGeometry *g,
                                PJ *to_input, const struct township *t, struct record_job *job)
{
    GEOSContextHandle_t ctx = w->geos;
    w->geos_msg[0] = '\0';
    int valid = GEOSisValid_r(ctx, g);
    if (valid == 1)
        return g;
    if (valid != 0)
        return geos_failed(ld, w, g, t, "checking", job);
    char *reason = invalid_reason(ld, ctx, g, to_input);
    const char *why = reason ? reason : "?";
    if (!ld->cfg->repair) {
        tc_fail(&job->err, TC_EXIT_MAP,
                "%s: " MAP_REC_FMT " (code %s): invalid polygon: %s (map.repair = no)",
                ld->shp_path, MAP_REC(ld, t->record), t->code, why);
        free(reason);
        GEOSGeom_destroy_r(ctx, g);
        return NULL;
    }
    double before = 0, after = 0;
    GEOSArea_r(ctx, g, &before);
    GEOSGeometry *fixed = GEOSMakeValid_r(ctx, g);
    GEOSGeom_destroy_r(ctx, g);
    if (fixed)
        fixed = polygonal_part(ctx, fixed);
    if (!fixed) {
        free(reason);
        return geos_failed(ld, w, NULL, t, "repairing", job);
    }
    if (GEOSisEmpty_r(ctx, fixed) || GEOSArea_r(ctx, fixed, &after) != 1 ||
        after <= 0) {
        tc_fail(&job->err, TC_EXIT_MAP, "%s: " MAP_REC_FMT " (code %s): invalid polygon (%s) "
                "with no area left after repair", ld->shp_path, MAP_REC(ld, t->record), t->code,
                why);
        free(reason);
        if (fixed)
            GEOSGeom_destroy_r(ctx, fixed);
        return NULL;
    }
    job->repaired++;
    job_warn(job, "towncov: warning: %s: " MAP_REC_FMT " (code %s): invalid polygon (%s) "
             "made valid; area changed by %.4f %%\n", ld->shp_path, MAP_REC(ld, t->record),
             t->code, why, 100.0 * fabs(after - before) / (before > 0 ? before : after));
    free(reason);
    return fixed;
}

/* The record's polygon in the source CRS; parts with no area dropped under
 * map.repair = yes (listed in job->drops), refused under no. */
GEOSGeometry *map_record_polygon(const struct loader *ld, GEOSContextHandle_t ctx,
                                    const struct township *t, struct record_job *job)
{
    GEOSGeometry *g = shpio_polygon_to_geos(ctx, job->obj, ld->cfg->repair ? &job->drops : NULL,
                                            &job->err);
    if (g)
        return g;
    char inner[sizeof job->err.msg];
    snprintf(inner, sizeof inner, "%s", job->err.msg);
    map_ogr_fix_message(ld, t->record, inner, sizeof inner);
    if (job->err.exit_code == TC_EXIT_RESOURCE) { /* the map is not at fault */
        tc_fail(&job->err, TC_EXIT_RESOURCE, "%s: %s", ld->shp_path, inner);
        return NULL;
    }
    tc_fail(&job->err, TC_EXIT_MAP, "%s: %s (code %s)%s", ld->shp_path, inner, t->code,
            ld->cfg->repair ? "" : " (map.repair = no; yes drops parts with no area)");
    return NULL;
}

/* How many detailed lines a repeated warning gets before it only counts. */
#define WARN_FIRST 5

/* Parts with no area that were dropped: one summary line, then the first
 * few (a coastal province has dozens of collapsed islets). */
void map_report_drops(struct loader *ld, const struct record_job *jobs)
{
    struct tc_map *m = ld->map;
    int parts = 0, records = 0;
    for (int i = 0; i < m->n; i++) {
        parts += jobs[i].drops.n;
        records += jobs[i].drops.n > 0;
    }
    m->parts_dropped = parts;
    if (parts == 0 || !ld->warn)
        return;
    fprintf(ld->warn, "towncov: warning: %s: dropped %d part%s with no area from %d record%s "
            "(islets or holes collapsed to a point or a line)%s\n", ld->shp_path, parts,
            parts == 1 ? "" : "s", records, records == 1 ? "" : "s",
            parts > WARN_FIRST ? "; the first ones:" : ":");
    int shown = 0;
    for (int i = 0; i < m->n && shown < WARN_FIRST; i++)
        for (int k = 0; k < jobs[i].drops.n && shown < WARN_FIRST; k++, shown++) {
            const struct shpio_drop *d = &jobs[i].drops.part[k];
            fprintf(ld->warn, "  " MAP_REC_FMT " (code %s): part %d, %s of %d vertices with %d "
                    "distinct point%s\n", MAP_REC(ld, m->t[i].record), m->t[i].code, d->part,
                    d->hole ? "a hole" : "an islet", d->vertices, d->distinct,
                    d->distinct == 1 ? "" : "s");
        }
}
