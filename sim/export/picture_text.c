/* picture_text.c — the fonts and text of towncov's pictures (see
 * picture_text.h). */
#include "towncov/picture_text.h"

#include <stddef.h>

/* The toy text API takes one family; fontconfig substitutes silently when
 * it is missing. A family is taken only if it has a glyph for 中. */
const char *picture_font_pick(cairo_t *cr)
{
    static const char *const families[] = {"WenQuanYi Zen Hei", "Noto Sans CJK SC",
                                           "Noto Sans SC", "Source Han Sans SC",
                                           "Droid Sans Fallback", "AR PL UMing CN"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        cairo_select_font_face(cr, families[i], CAIRO_FONT_SLANT_NORMAL,
                               CAIRO_FONT_WEIGHT_NORMAL);
        cairo_glyph_t *g = NULL;
        int n = 0;
        cairo_status_t st = cairo_scaled_font_text_to_glyphs(
            cairo_get_scaled_font(cr), 0, 0, "\xe4\xb8\xad", -1, &g, &n, NULL, NULL, NULL);
        int found = st == CAIRO_STATUS_SUCCESS && n == 1 && g[0].index != 0;
        cairo_glyph_free(g);
        if (found)
            return families[i];
    }
    return "sans-serif";
}

static void select_font(cairo_t *cr, const char *font, double size, int bold)
{
    cairo_select_font_face(cr, font, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

void picture_text_show(cairo_t *cr, const char *font, double x, double y, double size,
                       int bold, const char *s)
{
    select_font(cr, font, size, bold);
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

double picture_text_advance(cairo_t *cr, const char *font, double size, int bold,
                            const char *s)
{
    cairo_text_extents_t e;
    select_font(cr, font, size, bold);
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

int picture_fonts_prepare(struct tc_error *err)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(s);
    const char *font = picture_font_pick(cr);
    cairo_text_extents_t e;
    select_font(cr, font, 12, 0);
    cairo_text_extents(cr, "0", &e);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS)
        return tc_fail(err, st == CAIRO_STATUS_NO_MEMORY ? TC_EXIT_RESOURCE : TC_EXIT_INTERNAL,
                       "cannot load the picture's fonts: %s", cairo_status_to_string(st));
    return 0;
}
