/* picture_text.h — what towncov's pictures share (map.png, sweep.png):
 * the font family that can write Chinese, text at a point, its width, and
 * the ink of text and borders; so that every picture reads alike. Drawn on
 * the calling thread's cairo context. */
#ifndef TOWNCOV_PICTURE_TEXT_H
#define TOWNCOV_PICTURE_TEXT_H

#include <cairo.h>

#include "towncov/common.h"

struct rgb { double r, g, b; };

/* Text, axes and borders: near black, softer than pure black on white. */
static const struct rgb ink = {0.15, 0.15, 0.15};

static inline void set_rgb(cairo_t *cr, struct rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* The first family fontconfig has with a glyph for 中 (WenQuanYi Zen Hei,
 * Noto Sans CJK SC, ...), else "sans-serif" (missing-glyph boxes for
 * Chinese). The string is static. Leaves cr's font face changed. */
const char *picture_font_pick(cairo_t *cr);

/* Text s (UTF-8) with its baseline starting at (x, y) in family `font`,
 * bold or not, `size` pixels; the current source colour. */
void picture_text_show(cairo_t *cr, const char *font, double x, double y, double size,
                       int bold, const char *s);

/* How far picture_text_show would advance for s. */
double picture_text_advance(cairo_t *cr, const char *font, double size, int bold,
                            const char *s);

/* Loads the fonts (fontconfig's configuration and cache, through cairo)
 * now: a run calls it before its work, while memory is still free, since
 * fontconfig, loading them under memory pressure, crashes (a strdup of the
 * NULL its own failed allocation gave). Loaded once a process; 0, or -1
 * with err (exit 6 when out of memory). */
int picture_fonts_prepare(struct tc_error *err);

#endif
