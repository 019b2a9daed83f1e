/* shapes.c — the plan for QGIS (see plan.h): added_sites.shp (the added
 * stations, in the map's own CRS like the run's layers) with its .qml
 * (large magenta stars), towncov.gpkg holding it when [output] format
 * includes gpkg (made from the shapefile, as the run's), and plan.qgs,
 * which opens the check run's townships (check/townships.shp or
 * check/towncov.gpkg), the townships that failed before the plan outlined
 * in magenta by a rule on their codes, and added_sites. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/export.h"
#include "towncov/map.h"
#include "towncov/map_crs.h"
#include "towncov/outdir.h"
#include "towncov/output.h"
#include "towncov/qgis.h"
#include "towncov/scenario.h"
#include "towncov/shpio.h"
#include "towncov/shplayer.h"
#include "towncov/sites.h"

#include "plan_output.h"

/* The added stations' x, y (metric) in the map's CRS, in place. */
static int to_map_crs(const struct tc_map *map, double *x, double *y, size_t n,
                      struct tc_error *err)
{
    if (n == 0)
        return 0;
    struct map_transform *t = map_transform_to_source(map);
    int ok = t && map_transform_points(t, x, y, n) == 0;
    map_transform_free(&t);
    return ok ? 0 : tc_fail(err, TC_EXIT_INTERNAL, "plan: an added station does not "
                                                   "transform to the map's coordinate system");
}

/* The codes of the failing townships added station k serves in the plan
 * (it is among the stations covering their seat areas), ';'-joined, whole,
 * as a new string; NULL when out of memory. */
static char *fixes_of(const struct plan_result *r, long k)
{
    const struct plan *p = r->plan;
    long fid = p->n_exist + r->added[k];
    size_t len = 0, cap = 64;
    char *buf = malloc(cap);
    if (buf)
        buf[0] = '\0';
    for (int s = 0; buf && s < p->nf; s++)
        for (long q = 0; q < p->cur[s].n; q++)
            if (p->cur[s].id[q] == fid) {
                const char *code = r->map->t[p->town[s]].code;
                size_t add = strlen(code) + (len > 0);
                if (tc_reserve((void **)&buf, &cap, len + add + 1, 1) != 0) {
                    free(buf);
                    return NULL;
                }
                snprintf(buf + len, cap - len, "%s%s", len ? ";" : "", code);
                len += add;
                break;
            }
    return buf;
}

char **plan_fixes_new(const struct plan_result *r)
{
    char **fixes = calloc((size_t)r->n_added + 1, sizeof *fixes);
    for (long k = 0; fixes && k < r->n_added; k++)
        if (!(fixes[k] = fixes_of(r, k))) {
            plan_fixes_free(&fixes, k);
            return NULL;
        }
    return fixes;
}

void plan_fixes_free(char ***fixes, long n)
{
    for (long k = 0; *fixes && k < n; k++)
        free((*fixes)[k]);
    free(*fixes);
    *fixes = NULL;
}

static int write_shp(const char *dir, const struct plan_result *r, struct tc_error *err)
{
    size_t n = (size_t)r->n_added;
    double *x = malloc(sizeof *x * (n + 1)), *y = malloc(sizeof *y * (n + 1));
    struct shp_layer ly = {0};
    long cut = 0;
    int rc = x && y ? 0 : tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    for (size_t k = 0; rc == 0 && k < n; k++) {
        x[k] = r->cand->x[r->added[k]];
        y[k] = r->cand->y[r->added[k]];
    }
    if (rc == 0)
        rc = to_map_crs(r->map, x, y, n, err);
    if (rc == 0)
        rc = shp_layer_create(&ly, dir, "added_sites", SHPT_POINT, err);
    /* id and code as wide as the longest (a fixed width refused longer
     * ones: the plan failed on a map with codes over 32 bytes) */
    int id_w = 1, code_w = 1;
    char id[TC_STR_MAX];
    for (size_t k = 0; rc == 0 && k < n; k++) {
        int t = r->cand->township[r->added[k]];
        plan_added_id(r, (long)k, id, sizeof id);
        int iw = (int)shp_layer_text_len(id);
        int cw = t >= 0 ? (int)shp_layer_text_len(r->map->t[t].code) : 1;
        id_w = iw > id_w ? iw : id_w;
        code_w = cw > code_w ? cw : code_w;
    }
    if (rc == 0)
        rc = shp_layer_field(&ly, "id", FTString, id_w, 0, err) ||
                     shp_layer_field(&ly, "code", FTString, code_w, 0, err) ||
                     shp_layer_field(&ly, "kind", FTString, 16, 0, err) ||
                     shp_layer_field(&ly, "fixes", FTString, SHPLAYER_TEXT_MAX, 0, err)
                 ? -1 : 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        SHPObject *o = SHPCreateSimpleObject(SHPT_POINT, 1, &x[k], &y[k], NULL);
        int rec = o ? SHPWriteObject(ly.shp, -1, o) : -1;
        SHPDestroyObject(o);
        if (rec < 0) {
            rc = tc_fail(err, TC_EXIT_OUTPUT, "%s.shp: cannot write", ly.base);
            break;
        }
        int t = r->cand->township[r->added[k]];
        plan_added_id(r, (long)k, id, sizeof id);
        const char *fixes = r->fixes[k];
        cut += shp_layer_text_len(fixes) < strlen(fixes);
        rc = shp_layer_text(&ly, rec, 0, id, err) ||
                     shp_layer_text(&ly, rec, 1, t >= 0 ? r->map->t[t].code : "", err) ||
                     shp_layer_text(&ly, rec, 2,
                                    tc_kind_name(t >= 0 ? r->map->t[t].kind : KIND_SPECIAL),
                                    err) ||
                     shp_layer_text(&ly, rec, 3, fixes, err)
                 ? -1 : 0;
    }
    rc = shp_layer_close(&ly, rc, r->map->source_wkt ? r->map->source_wkt : shpio_wgs84_wkt,
                         err);
    free(x);
    free(y);
    if (rc == 0 && cut) /* once: the dBase limit; the other formats keep them whole */
        fprintf(stderr, "towncov: warning: added_sites.dbf: %ld 'fixes' value%s longer than "
                "the dBase limit of %d bytes cut at a character boundary (plan.json, "
                "towncov.gpkg and PostGIS keep them whole)\n", cut, cut == 1 ? "" : "s",
                SHPLAYER_TEXT_MAX);
    return rc;
}

/* A single symbol: a large magenta star with a white outline. */
static void star_renderer(FILE *f)
{
    fputs("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\">\n    <symbols>\n"
          "      <symbol type=\"marker\" name=\"0\" alpha=\"1\" clip_to_extent=\"1\" "
          "force_rhr=\"0\">\n"
          "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
          "          <Option type=\"Map\">\n"
          "            <Option name=\"name\" value=\"star\" type=\"QString\"/>\n"
          "            <Option name=\"color\" value=\"230,0,230,255\" type=\"QString\"/>\n"
          "            <Option name=\"size\" value=\"4\" type=\"QString\"/>\n"
          "            <Option name=\"size_unit\" value=\"MM\" type=\"QString\"/>\n"
          "            <Option name=\"outline_color\" value=\"255,255,255,255\" "
          "type=\"QString\"/>\n"
          "            <Option name=\"outline_style\" value=\"solid\" type=\"QString\"/>\n"
          "            <Option name=\"outline_width\" value=\"0.3\" type=\"QString\"/>\n"
          "            <Option name=\"outline_width_unit\" value=\"MM\" type=\"QString\"/>\n"
          "          </Option>\n        </layer>\n      </symbol>\n    </symbols>\n"
          "  </renderer-v2>\n", f);
}

static void fill_symbol(FILE *f, int name, const char *color, const char *outline,
                        const char *width)
{
    fprintf(f, "      <symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
               "force_rhr=\"0\">\n"
               "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
               "          <Option type=\"Map\">\n"
               "            <Option name=\"color\" value=\"%s\" type=\"QString\"/>\n"
               "            <Option name=\"style\" value=\"solid\" type=\"QString\"/>\n"
               "            <Option name=\"outline_color\" value=\"%s\" type=\"QString\"/>\n"
               "            <Option name=\"outline_style\" value=\"solid\" type=\"QString\"/>\n"
               "            <Option name=\"outline_width\" value=\"%s\" type=\"QString\"/>\n"
               "            <Option name=\"outline_width_unit\" value=\"MM\" "
               "type=\"QString\"/>\n"
               "          </Option>\n        </layer>\n      </symbol>\n",
            name, color, outline, width);
}

/* The map's CRS as its WKT (QGIS reads a <spatialrefsys> by its <wkt>). */
static void srs(FILE *f, const char *in, const char *tag, const struct plan_result *r)
{
    char ind[64];
    snprintf(ind, sizeof ind, "%s  ", in);
    struct qgis_crs crs = {.wkt = r->map->source_wkt ? r->map->source_wkt : shpio_wgs84_wkt};
    fprintf(f, "%s<%s>\n", in, tag);
    qgis_spatialrefsys(f, ind, &crs);
    fprintf(f, "%s</%s>\n", in, tag);
}

/* Townships: those that failed before the plan (their codes listed in the
 * rule) filled pink with a magenta outline, the others pale grey. */
static void failed_before_renderer(FILE *f, const struct plan_result *r)
{
    fputs("  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\">\n    <rules key=\"root\">\n"
          "      <rule key=\"failed\" symbol=\"0\" label=\"failed before the plan\" "
          "filter=\"", f);
    fputs(r->plan && r->plan->nf > 0 ? "&quot;code&quot; IN (" : "FALSE", f);
    for (int s = 0; r->plan && s < r->plan->nf; s++) {
        fputs(s ? ", '" : "'", f);
        for (const char *c = r->map->t[r->plan->town[s]].code; *c; c++) {
            char one[2] = {*c, 0};
            qgis_xml_escaped(f, *c == '\'' ? "''" : one);
        }
        fputc('\'', f);
    }
    fputs(r->plan && r->plan->nf > 0 ? ")" : "", f);
    fputs("\"/>\n      <rule key=\"other\" symbol=\"1\" label=\"met the goal before\" "
          "filter=\"ELSE\"/>\n    </rules>\n    <symbols>\n", f);
    fill_symbol(f, 0, "250,190,240,200", "200,0,200,255", "0.6");
    fill_symbol(f, 1, "235,235,235,120", "150,150,150,255", "0.1");
    fputs("    </symbols>\n  </renderer-v2>\n", f);
}

static FILE *open_w(const char *dir, const char *name, char **path, struct tc_error *err)
{
    *path = outdir_join(dir, name);
    FILE *f = *path ? fopen(*path, "w") : NULL;
    if (!f)
        tc_fail(err, TC_EXIT_OUTPUT, "%s/%s: cannot write: %s", dir, name, strerror(errno));
    return f;
}

static int write_qml(const char *dir, struct tc_error *err)
{
    char *path;
    FILE *f = open_w(dir, "added_sites.qml", &path, err);
    int rc = -1;
    if (f) {
        qgis_root_begin(f);
        fputs(" styleCategories=\"Symbology|Rendering\">\n", f);
        star_renderer(f);
        fputs("  <layerGeometryType>0</layerGeometryType>\n", f);
        rc = qgis_finish(f, path, err);
    }
    free(path);
    return rc;
}

#define LAYER_ID QGIS_LAYER_ID /* towncov.qgs's ids: QGIS keeps them */

static void layer(FILE *f, const char *name, const char *src, int point,
                  const struct plan_result *r)
{
    fprintf(f, "    <maplayer type=\"vector\" geometry=\"%s\" wkbType=\"%s\" "
               "styleCategories=\"AllStyleCategories\">\n"
               "      <id>" LAYER_ID "</id>\n      <datasource>%s</datasource>\n"
               "      <layername>%s</layername>\n"
               "      <provider encoding=\"UTF-8\">ogr</provider>\n",
            point ? "Point" : "Polygon", point ? "Point" : "MultiPolygon", name, src, name);
    srs(f, "      ", "srs", r);
}

/* The layers' sources: the GeoPackages when the format includes them
 * (the check run's under check/), else the shapefiles. */
static int write_qgs(const char *dir, const struct plan_result *r, int gpkg,
                     struct tc_error *err)
{
    const char *added = gpkg ? "./towncov.gpkg|layername=added_sites" : "./added_sites.shp",
               *towns = gpkg ? "./check/towncov.gpkg|layername=townships"
                             : "./check/townships.shp";
    char *path;
    FILE *f = open_w(dir, "plan.qgs", &path, err);
    if (!f) {
        free(path);
        return -1;
    }
    qgis_root_begin(f);
    fputs(" projectname=\"towncov plan\">\n  <homePath path=\"\"/>\n"
          "  <title>towncov plan</title>\n", f);
    srs(f, "  ", "projectCrs", r);
    fputs("  <layer-tree-group>\n    <customproperties/>\n", f);
    fprintf(f, "    <layer-tree-layer id=\"" LAYER_ID "\" name=\"added_sites\" "
               "source=\"%s\" providerKey=\"ogr\" checked=\"Qt::Checked\" "
               "expanded=\"1\">\n      <customproperties/>\n    </layer-tree-layer>\n"
               "    <layer-tree-layer id=\"" LAYER_ID "\" name=\"townships\" "
               "source=\"%s\" providerKey=\"ogr\" checked=\"Qt::Checked\" "
               "expanded=\"1\">\n      <customproperties/>\n    </layer-tree-layer>\n"
               "  </layer-tree-group>\n  <projectlayers>\n", "added_sites", added, "townships",
            towns);
    layer(f, "townships", towns, 0, r);
    failed_before_renderer(f, r);
    fputs("    </maplayer>\n", f);
    layer(f, "added_sites", added, 1, r);
    star_renderer(f);
    fprintf(f, "    </maplayer>\n  </projectlayers>\n  <layerorder>\n"
               "    <layer id=\"" LAYER_ID "\"/>\n    <layer id=\"" LAYER_ID "\"/>\n"
               "  </layerorder>\n", "added_sites", "townships");
    fputs("  <properties>\n    <Paths>\n"
          "      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n    <SpatialRefSys>\n"
          "      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
          "    </SpatialRefSys>\n  </properties>\n", f);
    int rc = qgis_finish(f, path, err);
    free(path);
    return rc;
}

int plan_write_layer(const char *dir, const struct plan_result *r, struct tc_error *err)
{
    return write_shp(dir, r, err) != 0 || write_qml(dir, err) != 0 ? -1 : 0;
}

int plan_write_project(const char *dir, const struct plan_result *r,
                       const struct scenario *scn, struct tc_error *err)
{
    static const char *const layer_names[] = {"added_sites"};
    int format = scn->output.format, gpkg = format != OUTPUT_SHAPEFILE;
    /* The plan's towncov_run: the scenario planned, and the planned
     * network as the check run judged it (check/summary.json's verdict and
     * checksum; its stations: the existing and the added). */
    struct export_run_row run = {
        .scenario = scn->info.name, .scenario_file = scn->path, .seed = scn->info.seed,
        .verdict = r->check_met ? "met" : "not met", .checksum = r->check_checksum,
        .townships = r->map->n, .sites = (long)r->existing->n + r->n_added};
    struct export_whole_texts whole = {"added_sites", "fixes", r->n_added, r->fixes};
    if (gpkg && export_gpkg_from_shapefiles(dir, layer_names, 1, &whole, &run, err) != 0)
        return -1;
    if (write_qgs(dir, r, gpkg, err) != 0)
        return -1;
    /* format = gpkg: the shapefile and .qml the GeoPackage was made from go */
    return format == OUTPUT_GPKG ? export_remove_shapefile(dir, "added_sites", err) : 0;
}
