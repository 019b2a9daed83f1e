/* lazyload.h — libraries loaded on first use (sim/cli/lazyload.c).
 *
 * towncov's binary is linked without the libraries only some commands or
 * outputs need (GDAL: rasters, GeoPackage, OGR sources, DEMs; PROJ:
 * coordinate systems; libpq: PostGIS; cairo: map.png; GLPK: plan). For
 * each, a generated shim (sim/cli/lazygen.sh, in the build folder)
 * defines every function towncov calls with the library's own prototype:
 * the first call loads the library (dlopen, once, under pthread_once),
 * resolves them all (dlsym), runs the library's set-up below, and every
 * call goes through. Callers are unchanged; `towncov --version` maps none
 * of them; `run` and `plan` load those their outputs will use before any
 * work (sim/cli/lazyload.c, cli_preload). The test binary and the fuzz harnesses link the libraries
 * directly. */
#ifndef TOWNCOV_LAZYLOAD_H
#define TOWNCOV_LAZYLOAD_H

/* dlopen(soname); NULL when it fails, the reason noted for tc_lazy_die. */
void *tc_lazy_open(const char *soname, const char *what);

/* dlsym(h, name); NULL (noted) when h is NULL or the library lacks it. */
void *tc_lazy_symbol(void *h, const char *soname, const char *name);

/* Whether this thread noted a failure to load. */
int tc_lazy_failed(void);

/* One `towncov: error:` line naming the library, what needs it and why,
 * and exit status TC_EXIT_INTERNAL: called by a shim after its
 * pthread_once, never inside it. */
void tc_lazy_die(const char *soname, const char *what) __attribute__((noreturn));

/* The library `id` (gdal, proj, pq, cairo, glpk) was just loaded, before
 * its first use returns: GDAL's error handler, drivers and block cache,
 * PROJ's logger (what main did at start before). */
void tc_lazy_loaded(const char *id, const char *soname, void *h);

/* Load the library now (PROJ: its logger before GDAL's first PROJ
 * context; the others: sim/cli's preload). Defined by the generated shims;
 * absent (NULL) where the library is linked directly. */
void tc_lazy_need_proj(void) __attribute__((weak));
void tc_lazy_need_gdal(void) __attribute__((weak));
void tc_lazy_need_cairo(void) __attribute__((weak));
void tc_lazy_need_pq(void) __attribute__((weak));

#endif
