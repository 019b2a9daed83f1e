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

/* A square in fixture metres as WKT: FX_SQUARE(x0, y0, x1, y1). */
#define FX_SQUARE(x0, y0, x1, y1)                                                          \
    "POLYGON((" #x0 " " #y0 ", " #x1 " " #y0 ", " #x1 " " #y1 ", " #x0 " " #y1 ", " #x0 " " #y0 \
    "))"

/* The 40 km grid of four 20 km squares about the origin: codes 11 (sw), 12
 * (se), 21 (nw), 22 (ne), seats at their centres, one township of each
 * kind (subdistrict, township, town, special) and real CJK names in three
 * counties (the formats and QGIS tests look for them). */
extern const struct fx_township fx_grid4[4];

/* A 10 km square cut in two at x = 0: code 1 "west" (a town), code 2
 * "east" (a township), one county, seats at (-2500, 0) and (2500, 0). */
extern const struct fx_township fx_halves[2];

/* Towns 4 km square in a row along y = 0, seats at their centres: 1 "west"
 * (x -10 to -6 km), 2 "east" (6 to 10 km), 3 "middle" (-2 to 2 km) and 4
 * "far" (20 to 24 km), each in its own county (the plan tests: two
 * failing townships far apart, one covered, one out of reach). */
extern const struct fx_township fx_row[4];

/* The fixture CRS as PROJ string. */
extern const char fx_laea[];

/* A fresh empty folder under /tmp; path written to buf. */
void fx_tmpdir(char *buf, size_t size);

/* Writes base.shp/.shx/.dbf/.prj/.cpg. prj_wkt NULL: the fixture CRS.
 * Seats are written as lon/lat fields seat_lon/seat_lat. */
void fx_write_map(const char *base, const struct fx_township *t, int n);

void fx_write_text(const char *path, const char *text);

/* "dir/" then the printf-formatted rest, in one of 8 rotating buffers (a
 * test holds several paths at once). */
const char *fx_path(const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A sites CSV (id,lon,lat) of the n points xy (x0, y0, x1, ...; fixture
 * metres) with ids prefix1, prefix2, ... */
void fx_write_sites(const char *path, const char *prefix, const double *xy, int n);

/* Whole file, NUL-terminated; NULL when missing. Caller frees. */
char *fx_read_file(const char *path, size_t *len);

/* 1 when the files a and b hold the same bytes, 0 when not (both must
 * exist). */
int fx_same_file(const char *a, const char *b);

/* Runs a shell command line, its stdout into out (the line adds 2>&1 for
 * stderr); returns the exit status (128 + signal when killed). */
int fx_sh(const char *cmd, char *out, size_t size);

/* Runs "$TOWNCOV_BIN args" (through sh), stdout+stderr into out; returns
 * the exit status. */
int fx_run(const char *args, char *out, size_t size);

/* fx_run with printf-formatted arguments. */
int fx_runf(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
