/* qgis.c — the one QGIS writer's shared parts (see qgis.h). */
#include "towncov/qgis.h"

#include <errno.h>
#include <string.h>

FILE *qgis_create(const char *path, struct tc_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path, strerror(errno));
    return f;
}

void qgis_root_begin(FILE *f)
{
    fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
          "<qgis version=\"" QGIS_VERSION "\"", f);
}

int qgis_finish(FILE *f, const char *path, struct tc_error *err)
{
    fputs("</qgis>\n", f);
    return tc_fclose_checked(f, path, err);
}

void qgis_xml_escaped(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc(*s, f);
        }
}

void qgis_element(FILE *f, const char *indent, const char *tag, const char *text)
{
    fprintf(f, "%s<%s>", indent, tag);
    qgis_xml_escaped(f, text);
    fprintf(f, "</%s>\n", tag);
}

void qgis_spatialrefsys(FILE *f, const char *in, const struct qgis_crs *crs)
{
    char ind[64];
    snprintf(ind, sizeof ind, "%s  ", in);
    fprintf(f, "%s<spatialrefsys>\n", in);
    qgis_element(f, ind, "wkt", crs->wkt);
    if (crs->proj4) {
        qgis_element(f, ind, "proj4", crs->proj4);
        fprintf(f, "%s<srsid>0</srsid>\n%s<srid>0</srid>\n", ind, ind);
        qgis_element(f, ind, "authid", crs->authid);
        qgis_element(f, ind, "description", crs->name);
        fprintf(f, "%s<geographicflag>%s</geographicflag>\n", ind,
                crs->geographic ? "true" : "false");
    }
    fprintf(f, "%s</spatialrefsys>\n", in);
}
