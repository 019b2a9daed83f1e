/* qgs.c — the QGIS project towncov.qgs (see export_int.h): every layer,
 * styled, in the map's CRS as PROJ describes it. */
#include "export_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/run_outcome.h"
#include "towncov/map.h"
#include "towncov/map_crs.h"
#include "towncov/qgis.h"
#include "towncov/raster.h"
#include "towncov/sites.h"

/* The map stage's description of a CRS, as the QGIS writer takes it. */
static void spatialrefsys(FILE *f, const char *in, const struct map_crs_desc *d)
{
    struct qgis_crs crs = {d->wkt, d->proj4, d->authid, d->name, d->geographic};
    qgis_spatialrefsys(f, in, &crs);
}

static void extent_xml(FILE *f, const char *in, const struct exporter *ex)
{
    fprintf(f, "%s<extent>\n%s  <xmin>%.9f</xmin>\n%s  <ymin>%.9f</ymin>\n"
               "%s  <xmax>%.9f</xmax>\n%s  <ymax>%.9f</ymax>\n%s</extent>\n",
            in, in, ex->xmin, in, ex->ymin, in, ex->xmax, in, ex->ymax, in);
}

#define LAYER_ID QGIS_LAYER_ID

/* The signal rasters of the run, beneath the vector layers, RSRP on top
 * and the only one shown at first. */
static const enum raster_layer raster_order[RASTER_LAYER_COUNT] = {
    RASTER_RSRP, RASTER_SINR, RASTER_SERVERS, RASTER_BEST_SERVER};

static int raster_in_run(const struct exporter *ex, enum raster_layer l)
{
    const struct raster_outcome *ro = ex->run->raster;
    return ro && (ro->layers & (1u << l));
}

static void raster_tree(FILE *f, const struct exporter *ex)
{
    for (int i = 0; i < RASTER_LAYER_COUNT; i++) {
        enum raster_layer l = raster_order[i];
        if (raster_in_run(ex, l))
            fprintf(f, "    <layer-tree-layer id=\"" LAYER_ID "\" name=\"%s\" source=\"./%s\" "
                       "providerKey=\"gdal\" checked=\"Qt::%s\" expanded=\"0\">\n"
                       "      <customproperties/>\n    </layer-tree-layer>\n",
                    raster_layer_names[l], raster_layer_names[l], raster_file_name(l),
                    l == RASTER_RSRP ? "Checked" : "Unchecked");
    }
}

static void raster_layers(FILE *f, const struct exporter *ex)
{
    const struct raster_outcome *ro = ex->run->raster;
    if (!ro || !ro->layers)
        return;
    struct map_crs_desc crs;
    map_crs_describe(ex->run->map->metric_crs, &crs);
    const struct raster_grid *g = &ro->grid;
    for (int i = 0; i < RASTER_LAYER_COUNT; i++) {
        enum raster_layer l = raster_order[i];
        if (!raster_in_run(ex, l))
            continue;
        fprintf(f, "    <maplayer type=\"raster\" styleCategories=\"AllStyleCategories\" "
                   "hasScaleBasedVisibilityFlag=\"0\">\n"
                   "      <extent>\n        <xmin>%.3f</xmin>\n        <ymin>%.3f</ymin>\n"
                   "        <xmax>%.3f</xmax>\n        <ymax>%.3f</ymax>\n      </extent>\n"
                   "      <id>" LAYER_ID "</id>\n      <datasource>./%s</datasource>\n"
                   "      <layername>%s</layername>\n      <srs>\n",
                g->x0, g->y1 - g->height * g->res, g->x0 + g->width * g->res, g->y1,
                raster_layer_names[l], raster_file_name(l), raster_layer_names[l]);
        spatialrefsys(f, "        ", &crs);
        fputs("      </srs>\n      <provider>gdal</provider>\n", f);
        raster_style_pipe(f, l, ex->run->sites->n);
        fputs("      <blendMode>0</blendMode>\n    </maplayer>\n", f);
    }
    map_crs_desc_free(&crs);
}

/* The layer tree lists layers top first: the reverse of the drawing order. */
static void project_tree(FILE *f, const struct exporter *ex, const struct plan *p, int n)
{
    fputs("  <layer-tree-group>\n    <customproperties/>\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "    <layer-tree-layer id=\"" LAYER_ID "\" name=\"%s\" source=\"./%s%s%s\" "
                   "providerKey=\"ogr\" checked=\"Qt::%s\" expanded=\"%d\">\n"
                   "      <customproperties/>\n    </layer-tree-layer>\n",
                p[i].spec->name, p[i].spec->name, ex->gpkg ? "towncov.gpkg|layername=" : "",
                p[i].spec->name, ex->gpkg ? "" : ".shp",
                p[i].spec->visible ? "Checked" : "Unchecked", i == 0);
    raster_tree(f, ex);
    fputs("    <custom-order enabled=\"0\">\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "      <item>" LAYER_ID "</item>\n", p[i].spec->name);
    for (int i = 0; i < RASTER_LAYER_COUNT; i++)
        if (raster_in_run(ex, raster_order[i]))
            fprintf(f, "      <item>" LAYER_ID "</item>\n", raster_layer_names[raster_order[i]]);
    fputs("    </custom-order>\n  </layer-tree-group>\n", f);
}

static void project_layer(FILE *f, const struct exporter *ex, const struct plan *p,
                          const struct map_crs_desc *crs)
{
    int point = p->spec->shp_type == SHPT_POINT;
    fprintf(f, "    <maplayer type=\"vector\" geometry=\"%s\" wkbType=\"%s\" "
               "styleCategories=\"AllStyleCategories\"",
            point ? "Point" : "Polygon", point ? "Point" : "MultiPolygon");
    export_scale_attributes(f, p->spec);
    fputs(">\n", f);
    extent_xml(f, "      ", ex);
    fprintf(f, "      <id>" LAYER_ID "</id>\n      <datasource>./%s%s%s</datasource>\n"
               "      <layername>%s</layername>\n      <srs>\n",
            p->spec->name, ex->gpkg ? "towncov.gpkg|layername=" : "", p->spec->name,
            ex->gpkg ? "" : ".shp", p->spec->name);
    spatialrefsys(f, "        ", crs);
    fputs("      </srs>\n      <provider encoding=\"UTF-8\">ogr</provider>\n", f);
    p->spec->renderer(f);
    fputs("      <blendMode>0</blendMode>\n      <featureBlendMode>0</featureBlendMode>\n"
          "      <layerOpacity>1</layerOpacity>\n    </maplayer>\n", f);
}

static void project_canvas(FILE *f, const struct exporter *ex, const struct map_crs_desc *crs)
{
    fprintf(f, "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n"
               "    <units>%s</units>\n", crs->geographic ? "degrees" : "meters");
    extent_xml(f, "    ", ex);
    fputs("    <rotation>0</rotation>\n    <destinationsrs>\n", f);
    spatialrefsys(f, "      ", crs);
    fputs("    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n  </mapcanvas>\n", f);
}

static void project_body(FILE *f, const struct exporter *ex, const struct plan *p, int n,
                         const struct map_crs_desc *crs)
{
    qgis_root_begin(f);
    fputs(" projectname=\"", f);
    qgis_xml_escaped(f, ex->run->info.name);
    fputs("\">\n  <homePath path=\"\"/>\n", f);
    qgis_element(f, "  ", "title", ex->run->info.name);
    fputs("  <projectCrs>\n", f);
    spatialrefsys(f, "    ", crs);
    fputs("  </projectCrs>\n", f);
    project_tree(f, ex, p, n);
    project_canvas(f, ex, crs);
    fputs("  <projectlayers>\n", f);
    for (int i = 0; i < n; i++)
        project_layer(f, ex, &p[i], crs);
    raster_layers(f, ex);
    fputs("  </projectlayers>\n  <layerorder>\n", f);
    for (int i = n - 1; i >= 0; i--)
        fprintf(f, "    <layer id=\"" LAYER_ID "\"/>\n", p[i].spec->name);
    for (int i = 0; i < RASTER_LAYER_COUNT; i++)
        if (raster_in_run(ex, raster_order[i]))
            fprintf(f, "    <layer id=\"" LAYER_ID "\"/>\n", raster_layer_names[raster_order[i]]);
    /* QGIS reads <projectCrs> only when ProjectionsEnabled says so. */
    fputs("  </layerorder>\n  <properties>\n    <Paths>\n"
          "      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
          "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n",
          f);
    if (crs->authid[0])
        fprintf(f, "      <ProjectCrs type=\"QString\">%s</ProjectCrs>\n", crs->authid);
    fputs("    </SpatialRefSys>\n  </properties>\n", f);
}

int export_write_project(const struct exporter *ex, const struct plan *p, int n,
                         struct tc_error *err)
{
    char path[TC_PATH_MAX];
    snprintf(path, sizeof path, "%s/towncov.qgs", ex->dir);
    FILE *f = qgis_create(path, err);
    if (!f)
        return -1;
    struct map_crs_desc crs;
    map_crs_describe(ex->prj_wkt, &crs);
    project_body(f, ex, p, n, &crs);
    map_crs_desc_free(&crs);
    return qgis_finish(f, path, err);
}
