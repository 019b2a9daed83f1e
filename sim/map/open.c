/* open.c — the map's files (exactly the one named), their text encoding
 * and the attribute fields the scenario names. */
#include "map_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- paths ---------------------------------------------------------------*/
static void join_path(char *out, size_t size, const char *base_dir, const char *file)
{
    if (file[0] == '/' || !base_dir || !base_dir[0] || strcmp(base_dir, ".") == 0)
        snprintf(out, size, "%s", file);
    else
        snprintf(out, size, "%s/%s", base_dir, file);
}

void map_trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] && isspace((unsigned char)s[k]))
        k++;
    memmove(s, s + k, n - k + 1);
}

/* A corrupt .dbf header can claim billions of records: refuse it before
 * allocating anything for them, from the file's real size. */
static int dbf_claims_too_much(DBFHandle dbf, const char *base, struct tc_error *err)
{
    char path[TC_PATH_MAX + 8];
    snprintf(path, sizeof path, "%s.dbf", base);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* opened under another case of the extension: shapelib checked it */
    double claimed = (double)dbf->nHeaderLength +
                     (double)DBFGetRecordCount(dbf) * (double)dbf->nRecordLength;
    if (claimed > (double)st.st_size + 1)
        return tc_fail(err, TC_EXIT_MAP,
                       "%s: truncated or corrupt: its header claims %d records (%.0f bytes) "
                       "but the file has %lld bytes",
                       path, DBFGetRecordCount(dbf), claimed, (long long)st.st_size);
    return 0;
}

/* The .dbf's encoding: map.encoding, else the .cpg or language driver. */
static int choose_encoding(struct loader *ld, struct tc_error *err)
{
    const char *setting = ld->cfg->encoding;
    if (setting[0] && strcasecmp(setting, "auto") != 0) {
        if (textenc_from_setting(setting, ld->encoding, sizeof ld->encoding) != 0)
            return tc_fail(err, TC_EXIT_MAP, "map.encoding = %s: iconv knows no such encoding",
                           setting);
        return 0;
    }
    const char *cp = DBFGetCodePage(ld->dbf);
    if (textenc_from_codepage(cp, ld->encoding, sizeof ld->encoding) != 0)
        return tc_fail(err, TC_EXIT_MAP, "%s.cpg: unknown text encoding '%s'; set map.encoding "
                       "(utf-8, gbk, cp1252, or any iconv name) or correct the .cpg",
                       ld->base, ld->encoding);
    return 0;
}

int map_open_files(struct loader *ld, const char *base_dir, struct tc_error *err)
{
    join_path(ld->shp_path, sizeof ld->shp_path, base_dir, ld->cfg->file);
    if (ogrread_wants(ld->shp_path) || ogrread_wants(ld->cfg->file)) {
        char path[TC_PATH_MAX];
        snprintf(path, sizeof path, "%s", ogrread_wants(ld->shp_path) ? ld->shp_path
                                                                       : ld->cfg->file);
        return map_ogr_open(ld, path, err); /* texts are UTF-8: no encoding to choose */
    }
    if (shpio_open(ld->shp_path, &ld->shp, &ld->dbf, &ld->base, err) != 0)
        return -1;
    int n;
    SHPGetInfo(ld->shp, &n, &ld->shp_type, NULL, NULL);
    if (!shpio_is_polygon_type(ld->shp_type))
        return tc_fail(err, TC_EXIT_MAP, "%s: shape type is %s, not Polygon", ld->shp_path,
                       shpio_type_name(ld->shp_type));
    if (n <= 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: the map has no records", ld->shp_path);
    if (dbf_claims_too_much(ld->dbf, ld->base, err))
        return -1;
    if (DBFGetRecordCount(ld->dbf) != n)
        return tc_fail(err, TC_EXIT_MAP, "%s: %d shapes but %d attribute records in the .dbf",
                       ld->shp_path, n, DBFGetRecordCount(ld->dbf));
    return choose_encoding(ld, err);
}

static void list_fields(DBFHandle dbf, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < DBFGetFieldCount(dbf); i++) {
        char name[16];
        DBFGetFieldInfo(dbf, i, name, NULL, NULL);
        strncat(buf, i ? ", " : "", size - strlen(buf) - 1);
        strncat(buf, name, size - strlen(buf) - 1);
    }
}

static int find_field(struct loader *ld, const char *name, int required, const char *key,
                      int *index, struct tc_error *err)
{
    if (ld->ogr)
        return map_ogr_find_field(ld, name, required, key, index, err);
    *index = name[0] ? DBFGetFieldIndex(ld->dbf, name) : -1;
    if (*index < 0 && required) {
        char fields[1024];
        list_fields(ld->dbf, fields, sizeof fields);
        return tc_fail(err, TC_EXIT_MAP,
                       "%s: no attribute '%s' (%s); the .dbf has: %s", ld->shp_path, name,
                       key, fields);
    }
    return 0;
}

int map_find_fields(struct loader *ld, struct tc_error *err)
{
    const struct map_config *c = ld->cfg;
    if (find_field(ld, c->code_field, 1, ld->code_key ? ld->code_key : "map.code_field",
                   &ld->f_code, err) ||
        find_field(ld, c->name_field, !ld->names_optional, "map.name_field", &ld->f_name, err) ||
        find_field(ld, c->county_field, c->county_field[0] != 0, "map.county_field",
                   &ld->f_county, err))
        return -1;
    if (find_field(ld, c->population_field, c->population_field[0] != 0, "map.population_field",
                   &ld->f_pop, err) ||
        find_field(ld, c->urban_population_field, c->urban_population_field[0] != 0,
                   "map.urban_population_field", &ld->f_urban, err))
        return -1;
    if (ld->f_urban >= 0 && ld->f_pop < 0)
        return tc_fail(err, TC_EXIT_MAP, "%s: map.urban_population_field needs "
                       "map.population_field", ld->shp_path);
    int f_pop = -1, f_urban = -1; /* mapgen's own names: a hint when a census join fails */
    find_field(ld, "population", 0, "", &f_pop, err);
    find_field(ld, "urban_pop", 0, "", &f_urban, err);
    ld->map->carries_people = f_pop >= 0 && f_urban >= 0;
    find_field(ld, c->kind_field, 0, "map.kind_field", &ld->f_kind, err);
    find_field(ld, c->county_code_field, 0, "map.county_code_field", &ld->f_county_code, err);
    find_field(ld, c->seat_lon_field, 0, "map.seat_lon_field", &ld->f_lon, err);
    find_field(ld, c->seat_lat_field, 0, "map.seat_lat_field", &ld->f_lat, err);
    if ((ld->f_lon < 0) != (ld->f_lat < 0))
        return tc_fail(err, TC_EXIT_MAP, "%s: has only one of the seat fields '%s' and '%s'",
                       ld->shp_path, c->seat_lon_field, c->seat_lat_field);
    if (ld->f_kind < 0 && ld->warn && c->kind_field[0])
        fprintf(ld->warn, "towncov: warning: %s: no attribute '%s'; township kinds are guessed "
                          "from the names\n", ld->shp_path, c->kind_field);
    if (ld->f_lon < 0 && ld->warn && c->seat_lon_field[0]) /* "": a layer, no seats */
        fprintf(ld->warn, "towncov: note: %s: no seat attributes; each township's seat is a "
                          "point inside its polygon\n", ld->shp_path);
    return 0;
}
