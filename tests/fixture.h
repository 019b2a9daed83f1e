/* fixture.h — hand-made maps, scenarios and runs of the towncov binary for
 * the tests. Maps are written in an equatorial Lambert azimuthal equal-area
 * CRS centred on (0, 0): towncov builds exactly that CRS for a map whose
 * extent is symmetric about the origin, so fixture coordinates are the
 * metres towncov computes in, and answers can be worked by hand. */
#ifndef TOWNCOV_TEST_FIXTURE_H
#define TOWNCOV_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct fx_township {
    const char *code, *name, *county, *kind;
    const char *wkt;       /* polygon in fixture metres */
    double seat_x, seat_y; /* fixture metres */
};

/* The fixture CRS as PROJ string. */
extern const char fx_laea[];

/* A fresh empty folder under /tmp; path written to buf. */
void fx_tmpdir(char *buf, size_t size);

/* Writes base.shp/.shx/.dbf/.prj/.cpg. prj_wkt NULL: the fixture CRS.
 * Seats are written as lon/lat fields seat_lon/seat_lat. */
void fx_write_map(const char *base, const struct fx_township *t, int n);

void fx_write_text(const char *path, const char *text);

/* Whole file, NUL-terminated; NULL when missing. Caller frees. */
char *fx_read_file(const char *path, size_t *len);

/* 1 when the files a and b hold the same bytes, 0 when not (both must
 * exist). */
int fx_same_file(const char *a, const char *b);

/* Runs "$TOWNCOV_BIN args" (through sh), stdout+stderr into out; returns
 * the exit status. */
int fx_run(const char *args, char *out, size_t size);

/* fx_run with shell text before the binary: "timeout 30" (a hang ends
 * with status 124), "ulimit -v 400000; exec" (a memory limit). */
int fx_run_prefixed(const char *prefix, const char *args, char *out, size_t size);

/* Metres of the fixture CRS -> lon/lat degrees. */
void fx_to_lonlat(double x, double y, double *lon, double *lat);

/* Monotonic clock, seconds. */
double fx_now(void);

/* Uniform in [0, 1) from a SplitMix64 state: seeded random cases. */
double fx_rnd(uint64_t *state);

/* Area of a regular n-gon inscribed in a circle of radius r. */
double fx_ngon_area(double r, int n);

#endif
