/* ogr_source.c — a map (or a layer joined to one) from any vector source
 * but a shapefile: GeoPackage, GeoJSON, FlatGeobuf, PostGIS... read whole
 * through OGR (ogrread.h) into the same records the shapelib path reads, so
 * that validation, repair, projection and every message after this point
 * are the shapefile's. Texts are UTF-8 by those formats' definitions (and
 * GDAL's PostgreSQL client encoding), so map.encoding does not apply. */
#include "map_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int map_ogr_open(struct loader *ld, const char *path, struct tc_error *err)
{
    const char *key = ld->names_optional ? "a '|layername=NAME' suffix on the file name"
                                         : "map.layer";
    if (ogrread_open(path, ld->cfg->layer, key, OGRREAD_POLYGONS, TC_EXIT_MAP, &ld->ogr,
                     err) != 0)
        return -1;
    snprintf(ld->shp_path, sizeof ld->shp_path, "%s", ld->ogr->label);
    if (strlen(ld->ogr->label) >= sizeof ld->shp_path)
        return tc_fail(err, TC_EXIT_MAP, "%s: the source's name is too long", ld->ogr->label);
    ld->shp_type = SHPT_POLYGON;
    return 0;
}

int map_source_count(const struct loader *ld)
{
    return ld->ogr ? (int)ld->ogr->n : DBFGetRecordCount(ld->dbf);
}

/* The extent in the source CRS, as SHPGetInfo gives it. */
void map_source_bounds(const struct loader *ld, double lo[4], double hi[4])
{
    if (!ld->ogr) {
        SHPGetInfo(ld->shp, NULL, NULL, lo, hi);
        return;
    }
    memset(lo, 0, 4 * sizeof *lo);
    memset(hi, 0, 4 * sizeof *hi);
    lo[0] = ld->ogr->xmin;
    lo[1] = ld->ogr->ymin;
    hi[0] = ld->ogr->xmax;
    hi[1] = ld->ogr->ymax;
}

const char *map_rec_word(const struct loader *ld)
{
    return ld->ogr ? "feature" : "record";
}

long long map_rec_fid(const struct loader *ld, int rec)
{
    return ld->ogr && rec >= 0 && rec < ld->ogr->n ? ld->ogr->fid[rec] : (long long)rec;
}

int map_ogr_find_field(struct loader *ld, const char *name, int required, const char *key,
                       int *index, struct tc_error *err)
{
    *index = ogrread_field(ld->ogr, name);
    if (*index < 0 && required) {
        char fields[1024];
        ogrread_list_fields(ld->ogr, fields, sizeof fields);
        return tc_fail(err, TC_EXIT_MAP, "%s: no attribute '%s' (map.%s); the layer has: %s",
                       ld->shp_path, name, key, fields);
    }
    return 0;
}

/* Field `field` of feature rec, trimmed, as a new string ("" for NULL or
 * field -1, as shpio_read_text gives); NULL when out of memory. */
char *map_ogr_text(const struct loader *ld, int rec, int field)
{
    const char *s = field >= 0 ? ld->ogr->text[(size_t)rec * (size_t)ld->ogr->nfields +
                                               (size_t)field] : NULL;
    char *out = strdup(s ? s : "");
    if (out)
        map_trim(out);
    return out;
}

int map_ogr_is_null(const struct loader *ld, int rec, int field)
{
    return !ld->ogr->text[(size_t)rec * (size_t)ld->ogr->nfields + (size_t)field];
}

double map_ogr_number(const struct loader *ld, int rec, int field)
{
    return ld->ogr->num[(size_t)rec * (size_t)ld->ogr->nfields + (size_t)field];
}

/* Feature rec's shape, handed to the caller (SHPDestroyObject); NULL for a
 * null or empty geometry. */
SHPObject *map_ogr_take_shape(struct loader *ld, int rec)
{
    SHPObject *o = ld->ogr->shape[rec];
    ld->ogr->shape[rec] = NULL;
    return o;
}

/* shpio_polygon_to_geos names records the shapefile's way ("record 3 (FID
 * 2): ..."): name the feature instead. */
void map_ogr_fix_message(const struct loader *ld, int rec, char *msg, size_t size)
{
    if (!ld->ogr)
        return;
    char shp[64], ours[96], rest[2048];
    snprintf(shp, sizeof shp, SHPIO_REC_FMT, SHPIO_REC(rec));
    if (strncmp(msg, shp, strlen(shp)) != 0)
        return;
    snprintf(ours, sizeof ours, MAP_REC_FMT, MAP_REC(ld, rec));
    snprintf(rest, sizeof rest, "%s", msg + strlen(shp));
    snprintf(msg, size, "%s%s", ours, rest);
}
