/* raster/style.c — QGIS styles of the signal rasters (see raster.h):
 * pseudocolour ramps for RSRP, SINR and the server count, a palette for
 * the serving station. */
#include "raster_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/qgis.h"

#define cls raster_class

/* RSRP classes (dBm): each colour up to its value (also map.png's). */
static const struct cls rsrp_cls[] = {
    {-120, "#7b3294", "< -120 dBm"}, {-110, "#d7191c", "-120 .. -110 dBm"},
    {-100, "#fdae61", "-110 .. -100 dBm"}, {-90, "#ffffbf", "-100 .. -90 dBm"},
    {-80, "#a6d96a", "-90 .. -80 dBm"}, {1e9, "#1a9641", ">= -80 dBm"},
};
static const struct cls sinr_cls[] = {
    {-5, "#d7191c", "< -5 dB"}, {0, "#fdae61", "-5 .. 0 dB"}, {5, "#ffffbf", "0 .. 5 dB"},
    {10, "#a6d96a", "5 .. 10 dB"}, {20, "#1a9641", "10 .. 20 dB"}, {1e9, "#006837", ">= 20 dB"},
};
static const struct cls servers_cls[] = {
    {0, "#d7191c", "0 (not covered)"}, {1, "#ffffbf", "1"}, {2, "#a6d96a", "2"},
    {3, "#66bd63", "3"}, {254, "#1a9641", "4 or more"},
};

static void ramp(FILE *f, const struct cls *c, int n, double lo, double hi)
{
    fprintf(f, "      <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"0.75\" "
               "alphaBand=\"-1\" nodataColor=\"\" classificationMin=\"%g\" "
               "classificationMax=\"%g\">\n"
               "        <rasterTransparency/>\n"
               "        <minMaxOrigin><limits>None</limits><extent>WholeRaster</extent>"
               "<statAccuracy>Estimated</statAccuracy><cumulativeCutLower>0.02"
               "</cumulativeCutLower><cumulativeCutUpper>0.98</cumulativeCutUpper>"
               "<stdDevFactor>2</stdDevFactor></minMaxOrigin>\n"
               "        <rastershader>\n"
               "          <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"2\" "
               "clip=\"0\" minimumValue=\"%g\" maximumValue=\"%g\" labelPrecision=\"0\">\n",
            lo, hi, lo, hi);
    for (int i = 0; i < n; i++) {
        fprintf(f, "            <item alpha=\"255\" value=\"");
        if (c[i].v >= 1e9)
            fputs("inf", f);
        else
            fprintf(f, "%g", c[i].v);
        fputs("\" label=\"", f);
        for (const char *p = c[i].label; *p; p++)
            if (*p == '<')
                fputs("&lt;", f);
            else if (*p == '>')
                fputs("&gt;", f);
            else
                fputc(*p, f);
        fprintf(f, "\" color=\"%s\"/>\n", c[i].color);
    }
    fputs("          </colorrampshader>\n        </rastershader>\n      </rasterrenderer>\n", f);
}

/* A colour of its own for each station id (a hash: neighbours differ). */
static void id_color(long id, char *buf, size_t size)
{
    unsigned long long h = (unsigned long long)id * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    snprintf(buf, size, "#%02x%02x%02x", (unsigned)(h & 0xff) | 0x30,
             (unsigned)((h >> 8) & 0xff) | 0x30, (unsigned)((h >> 16) & 0xff) | 0x30);
}

/* Paletted up to this many stations; beyond, a cyclic discrete ramp. */
#define PALETTE_MAX 4096
#define CYCLE 64

static void best_server(FILE *f, long n_sites)
{
    char col[16];
    if (n_sites <= PALETTE_MAX) {
        fputs("      <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"0.6\" "
              "alphaBand=\"-1\" nodataColor=\"\">\n        <rasterTransparency/>\n"
              "        <colorPalette>\n"
              "          <paletteEntry value=\"-1\" color=\"#808080\" alpha=\"255\" "
              "label=\"none\"/>\n", f);
        for (long i = 1; i <= n_sites; i++) {
            id_color(i, col, sizeof col);
            fprintf(f, "          <paletteEntry value=\"%ld\" color=\"%s\" alpha=\"255\" "
                       "label=\"%ld\"/>\n", i, col, i);
        }
        fputs("        </colorPalette>\n      </rasterrenderer>\n", f);
        return;
    }
    /* Too many for a palette: classes of n / CYCLE ids, colours cycling. */
    fprintf(f, "      <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" "
               "opacity=\"0.6\" alphaBand=\"-1\" nodataColor=\"\" classificationMin=\"-1\" "
               "classificationMax=\"%ld\">\n        <rasterTransparency/>\n"
               "        <rastershader>\n          <colorrampshader colorRampType=\"DISCRETE\" "
               "classificationMode=\"2\" clip=\"0\" minimumValue=\"-1\" maximumValue=\"%ld\">\n"
               "            <item alpha=\"255\" value=\"0\" label=\"none\" color=\"#808080\"/>\n",
            n_sites, n_sites);
    long step = (n_sites + 4 * CYCLE - 1) / (4 * CYCLE);
    for (long v = step, k = 0; v - step < n_sites; v += step, k++) {
        id_color(k % CYCLE + 1, col, sizeof col);
        fprintf(f, "            <item alpha=\"255\" value=\"%ld\" label=\"%ld .. %ld\" "
                   "color=\"%s\"/>\n", v, v - step + 1, v, col);
    }
    fputs("          </colorrampshader>\n        </rastershader>\n      </rasterrenderer>\n", f);
}

int raster_style_classes(enum raster_layer l, const struct raster_class **out)
{
    switch (l) {
    case RASTER_RSRP: *out = rsrp_cls; return 6;
    case RASTER_SINR: *out = sinr_cls; return 6;
    case RASTER_SERVERS: *out = servers_cls; return 5;
    default: *out = NULL; return 0;
    }
}

unsigned raster_best_server_rgb(long id, long n_sites)
{
    char col[16];
    if (id < 1)
        return 0x808080;
    if (n_sites > PALETTE_MAX) {
        long step = (n_sites + 4 * CYCLE - 1) / (4 * CYCLE);
        id = (id - 1) / step % CYCLE + 1;
    }
    id_color(id, col, sizeof col);
    return (unsigned)strtoul(col + 1, NULL, 16);
}

void raster_style_pipe(FILE *f, enum raster_layer l, long n_sites)
{
    fputs("    <pipe>\n", f);
    switch (l) {
    case RASTER_RSRP: ramp(f, rsrp_cls, 6, -130, -60); break;
    case RASTER_BEST_SERVER: best_server(f, n_sites); break;
    case RASTER_SINR: ramp(f, sinr_cls, 6, -10, 30); break;
    default: ramp(f, servers_cls, 5, 0, 4); break;
    }
    fputs("      <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
          "      <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\" "
          "colorizeStrength=\"100\" colorizeRed=\"255\" colorizeGreen=\"128\" "
          "colorizeBlue=\"128\"/>\n"
          "      <rasterresampler maxOversampling=\"2\"/>\n"
          "      <resamplingStage>resamplingFilter</resamplingStage>\n    </pipe>\n", f);
}

int raster_write_style(const char *path, enum raster_layer l, long n_sites, struct tc_error *err)
{
    FILE *f = qgis_create(path, err);
    if (!f)
        return -1;
    qgis_root_begin(f);
    fputs(" styleCategories=\"AllStyleCategories\">\n", f);
    raster_style_pipe(f, l, n_sites);
    fputs("  <blendMode>0</blendMode>\n", f);
    return qgis_finish(f, path, err);
}
