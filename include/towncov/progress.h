/* progress.h — a progress bar for the long phases (coverage, the signal
 * rasters' strips, plan's greedy and bound), with the share done and an
 * ETA, drawn on a terminal only. The command line switches it on when
 * stderr is a terminal and the run is not --quiet; the stages report
 * through tc_progress(), which does nothing while it is off (the default:
 * pipes, files, tests, library use). Like the interrupt flag (common.h) the
 * sink is process-wide: there is one terminal. Stages call it from one
 * thread (the serial part of a loop, or thread 0 of a parallel one). */
#ifndef TOWNCOV_PROGRESS_H
#define TOWNCOV_PROGRESS_H

#include <stdio.h>

/* Draw on tty from now on (NULL: never again). */
void tc_progress_enable(FILE *tty);

/* done of total steps of the phase named label ("coverage"); redrawn at
 * most ten times a second. A new label starts a new bar and clock. */
void tc_progress(const char *label, long done, long total);

/* The phase is over (or stopped): the bar's line is cleared. */
void tc_progress_end(void);

#endif
