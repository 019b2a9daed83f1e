/* layerfile.c — a sites file that is a point layer (GeoPackage, GeoJSON,
 * FlatGeobuf, a PostGIS table: anything GDAL/OGR opens; docs/formats.md):
 * the columns as in the CSV, the position from the geometry (taken to
 * WGS 84 lon/lat by PROJ). The layer is handed to the one CSV reader as a
 * private CSV (lon, lat, then its fields), so that every check and message
 * is the CSV's; messages then name the layer's feature instead of the line. */
#include "sites_internal.h"

#include <errno.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "towncov/map_crs.h"
#include "towncov/ogrread.h"

static void put_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The layer as CSV into f; -1 with err when PROJ cannot read its CRS. */
static int write_csv(const struct ogr_table *t, const struct sites_config *cfg, FILE *f,
                     struct tc_error *err)
{
    const char *lon = cfg && cfg->lon_field[0] ? cfg->lon_field : "lon";
    const char *lat = cfg && cfg->lat_field[0] ? cfg->lat_field : "lat";
    struct map_transform *to_lonlat = t->wkt ? map_transform_to_lonlat(t->wkt) : NULL;
    int rc = t->wkt && !to_lonlat
        ? tc_fail(err, TC_EXIT_SITES, "%s: not a coordinate system PROJ can read", t->label) : 0;
    put_text(f, lon);
    fputc(',', f);
    put_text(f, lat);
    for (int k = 0; k < t->nfields; k++) /* the geometry's place wins over same-named fields */
        if (strcasecmp(t->field[k], lon) != 0 && strcasecmp(t->field[k], lat) != 0) {
            fputc(',', f);
            put_text(f, t->field[k]);
        }
    fputc('\n', f);
    for (long i = 0; rc == 0 && i < t->n; i++) {
        if (!t->shape[i]) {
            rc = tc_fail(err, TC_EXIT_SITES, "%s: " OGRREAD_FEAT_FMT ": no point", t->label,
                         i + 1, t->fid[i]);
            break;
        }
        PJ_COORD c = proj_coord(t->shape[i]->padfX[0], t->shape[i]->padfY[0], 0, 0);
        if (to_lonlat)
            c = proj_trans(map_transform_pj(to_lonlat), PJ_FWD, c);
        fprintf(f, "%.17g,%.17g", c.xy.x, c.xy.y);
        for (int k = 0; k < t->nfields; k++)
            if (strcasecmp(t->field[k], lon) != 0 && strcasecmp(t->field[k], lat) != 0) {
                fputc(',', f);
                put_text(f, t->text[i * t->nfields + k]);
            }
        fputc('\n', f);
    }
    map_transform_free(&to_lonlat);
    return rc;
}

/* "TMP:LINE: why" from the CSV reader -> "LABEL: feature N (FID F): why";
 * "TMP: why" -> "LABEL: why". Line 1 is the header, line k + 1 feature k. */
static void relabel(const struct ogr_table *t, const char *tmp, struct tc_error *err)
{
    size_t n = strlen(tmp);
    if (strncmp(err->msg, tmp, n) != 0)
        return;
    char rest[sizeof err->msg];
    const char *p = err->msg + n;
    char *end = NULL;
    long line = *p == ':' ? strtol(p + 1, &end, 10) : 0;
    if (end && *end == ':' && line >= 2 && line - 2 < t->n) {
        snprintf(rest, sizeof rest, "%s", end);
        snprintf(err->msg, sizeof err->msg, "%.900s: " OGRREAD_FEAT_FMT "%.1000s", t->label,
                 line - 1, t->fid[line - 2], rest);
    } else {
        snprintf(rest, sizeof rest, "%s", p);
        snprintf(err->msg, sizeof err->msg, "%.900s%.1000s", t->label, rest);
    }
}

struct tc_sites *sites_read_layer(const char *path, const struct sites_config *cfg, FILE *warn,
                                  struct tc_error *err)
{
    struct ogr_table *t = NULL;
    if (ogrread_open(path, NULL, "a '|layername=NAME' suffix on sites.file", OGRREAD_POINTS,
                     TC_EXIT_SITES, &t, err) != 0)
        return NULL;
    char tmp[] = "/tmp/towncov-sites-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    struct tc_sites *s = NULL;
    int rc = f ? write_csv(t, cfg, f, err)
               : tc_fail(err, TC_EXIT_SITES, "%s: cannot stage it: %s", t->label,
                         strerror(errno));
    if (f && fclose(f) != 0 && rc == 0)
        rc = tc_fail(err, TC_EXIT_SITES, "%s: cannot stage it: %s", t->label, strerror(errno));
    struct sites_config utf8 = cfg ? *cfg : (struct sites_config){0};
    snprintf(utf8.encoding, sizeof utf8.encoding, "utf-8"); /* OGR's texts */
    (void)warn; /* the CSV reader's notes would name the private file */
    if (rc == 0 && !(s = sites_read_csv(tmp, &utf8, NULL, err)))
        relabel(t, tmp, err);
    if (fd >= 0)
        unlink(tmp);
    ogrread_free(&t);
    return s;
}
