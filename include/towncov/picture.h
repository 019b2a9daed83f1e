/* picture.h — map.png: the run at a glance, drawn by towncov with cairo so
 * that no GIS is needed to see it. Townships coloured by covered fraction
 * (failing ones red), county borders, a legend, a scale bar, a north arrow
 * and the verdict as the title. */
#ifndef TOWNCOV_PICTURE_H
#define TOWNCOV_PICTURE_H

#include "towncov/common.h"

struct run_outcome;

#define PICTURE_WIDTH 1600 /* pixels; the height follows the map's shape */

/* Draws the picture of `run` (borrowed for the call) into the PNG file
 * `path`, on the calling thread. Chinese text needs a CJK font (the
 * first of WenQuanYi Zen Hei, Noto Sans CJK SC, ... that fontconfig has);
 * without one it still draws, with missing-glyph boxes. Returns 0, or -1
 * with err set (TC_EXIT_OUTPUT when the file cannot be written,
 * TC_EXIT_RESOURCE when out of memory, TC_EXIT_INTERNAL when cairo or
 * GEOS fail otherwise); the message names path. */
int picture_draw(const char *path, const struct run_outcome *run, struct tc_error *err);

/* picture_draw in a child process (fork), started now and running beside
 * the caller: a library that dies drawing under memory pressure (cairo's
 * scan converter does: picture_proc.c) then takes only the child with it.
 * picture_finish waits for it and returns 0, or -1 with the child's err,
 * or exit 6 naming path when the child died of a signal (path removed).
 * The caller must not change what run points to in between. */
struct picture_job;
int picture_start(const char *path, const struct run_outcome *run, struct picture_job **job,
                  struct tc_error *err);
int picture_finish(struct picture_job **job, struct tc_error *err);

/* Stops a picture no longer wanted (the run failed elsewhere): the child
 * killed and reaped, its file removed, *job NULL. Nothing when *job is. */
void picture_cancel(struct picture_job **job);

#endif
