/* qml.c — QGIS 3 styles (see export_int.h): each layer's <renderer-v2>,
 * written into its .qml and, by qgs.c, into the project. */
#include "export_int.h"

#include <string.h>

#include "towncov/qgis.h"

struct kv { const char *k, *v; };

/* QGIS 3.22+ reads symbol layer properties from <Option>, older 3.x
 * releases from <prop>: both are written, as QGIS 3.22 itself does. */
static void symbol_props(FILE *f, const struct kv *p, int n)
{
    fputs("          <Option type=\"Map\">\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "            <Option type=\"QString\" name=\"%s\" value=\"", p[i].k);
        qgis_xml_escaped(f, p[i].v);
        fputs("\"/>\n", f);
    }
    fputs("          </Option>\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "          <prop k=\"%s\" v=\"", p[i].k);
        qgis_xml_escaped(f, p[i].v);
        fputs("\"/>\n", f);
    }
}

/* Data-defined properties of a symbol layer: key = expression pairs. */
static void data_defined(FILE *f, const struct kv *dd, int n)
{
    fputs("          <data_defined_properties>\n            <Option type=\"Map\">\n"
          "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n", f);
    fputs(n ? "              <Option type=\"Map\" name=\"properties\">\n"
            : "              <Option name=\"properties\"/>\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "                <Option type=\"Map\" name=\"%s\">\n"
                   "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
                   "                  <Option type=\"QString\" name=\"expression\" value=\"",
                dd[i].k);
        qgis_xml_escaped(f, dd[i].v);
        fputs("\"/>\n                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
              "                </Option>\n", f);
    }
    if (n)
        fputs("              </Option>\n", f);
    fputs("              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
          "            </Option>\n          </data_defined_properties>\n", f);
}

static void symbol_layer(FILE *f, const char *cls, int pass, const struct kv *p, int n,
                         const struct kv *dd, int ndd)
{
    fprintf(f, "        <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"%d\">\n", cls, pass);
    symbol_props(f, p, n);
    data_defined(f, dd, ndd);
    fputs("        </layer>\n", f);
}

static void symbol_begin(FILE *f, const char *type, int name)
{
    fprintf(f, "      <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" "
               "force_rhr=\"0\">\n", type, name);
}

/* A fill with an outline; style "no" draws the outline only. */
static void simple_fill(FILE *f, int pass, const char *color, const char *style,
                        const char *outline, const char *width, const struct kv *dd, int ndd)
{
    const struct kv p[] = {
        {"color", color},          {"style", style},          {"outline_color", outline},
        {"outline_style", width[0] == '0' && !width[1] ? "no" : "solid"},
        {"outline_width", width},  {"outline_width_unit", "MM"}, {"joinstyle", "bevel"},
        {"offset", "0,0"},         {"offset_unit", "MM"},
    };
    symbol_layer(f, "SimpleFill", pass, p, (int)(sizeof p / sizeof p[0]), dd, ndd);
}

static void simple_marker(FILE *f, const char *shape, const char *color, const char *size,
                          const char *outline)
{
    const struct kv p[] = {
        {"name", shape},          {"color", color},           {"size", size},
        {"size_unit", "MM"},      {"outline_color", outline}, {"outline_style", "solid"},
        {"outline_width", "0.2"}, {"outline_width_unit", "MM"}, {"angle", "0"},
        {"offset", "0,0"},        {"offset_unit", "MM"},      {"joinstyle", "bevel"},
        {"scale_method", "diameter"}, {"vertical_anchor_point", "1"},
        {"horizontal_anchor_point", "1"},
    };
    symbol_layer(f, "SimpleMarker", 0, p, (int)(sizeof p / sizeof p[0]), NULL, 0);
}

/* Covered fraction classes, red (little) to green (all). */
static const char *const frac_colors[5] = {"215,25,28,255", "253,174,97,255",
                                           "255,255,191,255", "166,217,106,255",
                                           "26,150,65,255"};

/* Graduated by the fraction in attr (red little, green all); failing ones
 * get a dark red outline drawn in a second pass (symbol levels), so that
 * neighbours' grey edges never cover it. */
static void graduated_by_fraction(FILE *f, const char *attr)
{
    static const struct kv fail_outline[] = {
        {"outlineColor", "CASE WHEN \"goal_met\" = 'no' THEN '160,0,0,255' ELSE '0,0,0,0' END"},
        {"outlineWidth", "CASE WHEN \"goal_met\" = 'no' THEN 0.6 ELSE 0 END"},
    };
    fprintf(f, "  <renderer-v2 type=\"graduatedSymbol\" attr=\"%s\" "
               "graduatedMethod=\"GraduatedColor\" "
               "symbollevels=\"1\" enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n"
               "    <ranges>\n", attr);
    for (int i = 0; i < 5; i++)
        fprintf(f, "      <range lower=\"%.1f\" upper=\"%.1f\" symbol=\"%d\" render=\"true\" "
                   "label=\"%d - %d %% covered\"/>\n", 0.2 * i, 0.2 * (i + 1), i, 20 * i,
                20 * (i + 1));
    fputs("    </ranges>\n    <symbols>\n", f);
    for (int i = 0; i < 5; i++) {
        symbol_begin(f, "fill", i);
        simple_fill(f, 0, frac_colors[i], "solid", "110,110,110,255", "0.1", NULL, 0);
        simple_fill(f, 1, "0,0,0,0", "no", "160,0,0,255", "0.6", fail_outline, 2);
        fputs("      </symbol>\n", f);
    }
    fputs("    </symbols>\n    <mode name=\"equal\"/>\n  </renderer-v2>\n", f);
}

/* Townships: by their covered share of area. */
void export_renderer_townships(FILE *f)
{
    graduated_by_fraction(f, "cov_frac");
}

/* Seat areas: by their covered share, what the goal judges. */
void export_renderer_seat_areas(FILE *f)
{
    graduated_by_fraction(f, "seat_frac");
}

static void renderer_single(FILE *f, const char *type)
{
    fputs("  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
          "forceraster=\"0\" referencescale=\"-1\">\n    <symbols>\n", f);
    symbol_begin(f, type, 0);
}

static void renderer_single_end(FILE *f)
{
    fputs("      </symbol>\n    </symbols>\n  </renderer-v2>\n", f);
}

void export_renderer_coverage(FILE *f)
{
    renderer_single(f, "fill");
    simple_fill(f, 0, "33,102,172,90", "solid", "33,102,172,160", "0.1", NULL, 0);
    renderer_single_end(f);
}

void export_renderer_sites(FILE *f)
{
    renderer_single(f, "marker");
    simple_marker(f, "circle", "40,40,40,220", "0.8", "255,255,255,0");
    renderer_single_end(f);
}

void export_renderer_footprints(FILE *f)
{
    renderer_single(f, "fill");
    simple_fill(f, 0, "0,0,0,0", "no", "60,60,60,90", "0.1", NULL, 0);
    renderer_single_end(f);
}

/* Seats: categorised by covered (yes green, no red). */
void export_renderer_seats(FILE *f)
{
    fputs("  <renderer-v2 type=\"categorizedSymbol\" attr=\"covered\" symbollevels=\"0\" "
          "enableorderby=\"0\" forceraster=\"0\" referencescale=\"-1\">\n    <categories>\n"
          "      <category value=\"yes\" symbol=\"0\" label=\"seat covered\" render=\"true\"/>\n"
          "      <category value=\"no\" symbol=\"1\" label=\"seat not covered\" render=\"true\"/>\n"
          "    </categories>\n    <symbols>\n", f);
    symbol_begin(f, "marker", 0);
    simple_marker(f, "square", "26,150,65,255", "1.5", "255,255,255,255");
    fputs("      </symbol>\n", f);
    symbol_begin(f, "marker", 1);
    simple_marker(f, "square", "215,25,28,255", "1.5", "255,255,255,255");
    fputs("      </symbol>\n    </symbols>\n  </renderer-v2>\n", f);
}

void export_scale_attributes(FILE *f, const struct layer_spec *spec)
{
    fprintf(f, " hasScaleBasedVisibilityFlag=\"%d\" minScale=\"%.0f\" maxScale=\"0\"",
            spec->min_scale > 0, spec->min_scale > 0 ? spec->min_scale : 1e8);
}

int export_write_qml(const struct exporter *ex, const struct layer_spec *spec,
                     struct tc_error *err)
{
    char path[TC_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.qml", ex->dir, spec->name);
    FILE *f = qgis_create(path, err);
    if (!f)
        return -1;
    qgis_root_begin(f);
    fputs(" styleCategories=\"Symbology|Rendering\"", f);
    export_scale_attributes(f, spec);
    fputs(">\n", f);
    spec->renderer(f);
    fprintf(f, "  <blendMode>0</blendMode>\n  <featureBlendMode>0</featureBlendMode>\n"
               "  <layerGeometryType>%d</layerGeometryType>\n",
            spec->shp_type == SHPT_POINT ? 0 : 2);
    return qgis_finish(f, path, err);
}
