/* shpio_internal.h — what shpio's files share (private to sim/common/). */
#ifndef TOWNCOV_SHPIO_INTERNAL_H
#define TOWNCOV_SHPIO_INTERNAL_H

/* Twice the signed area (counter-clockwise positive); works on open or
 * closed rings because a closing edge of zero length adds nothing. */
static inline double shpio_ring_area2(const double *x, const double *y, int n)
{
    double s = 0.0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        s += (x[j] - x[i]) * (y[j] + y[i]);
    return s;
}

/* shplayer.c: when a write to a layer file failed on this thread, fills
 * err with "PATH: cannot write: REASON" (exit 7) and returns -1; else 0. */
struct tc_error;
int shpio_io_failure(struct tc_error *err);

/* shplayer.c: after SHPWriteObject returned -1: the I/O failure as above,
 * else "out of memory writing WHAT" (exit 6) when shapelib said its
 * allocation failed, else "cannot write WHAT" (exit 7); returns -1. */
int shpio_write_failure(struct tc_error *err, const char *what);

#endif
