/* libmsg.h — the libraries' own messages routed through towncov's: GDAL
 * and PROJ print lines of their own on stderr ("ERROR 1: ...",
 * "proj_create: ...") unless told otherwise. After tc_libmsg_install,
 * their errors are kept (per thread) for towncov's one `towncov: error:`
 * line, which names the file, and GDAL's warnings are `towncov: warning:`
 * lines. */
#ifndef TOWNCOV_LIBMSG_H
#define TOWNCOV_LIBMSG_H

/* Installs GDAL's error handler (process-wide; the handler itself keeps
 * nothing shared: GDAL records each thread's last error, which towncov's
 * messages quote) and PROJ's logger on the default context, which every
 * context created afterwards copies. Call once from main, before any
 * thread or PROJ context. */
void tc_libmsg_install(void);

/* The last error PROJ logged on this thread ("" when none): for a message
 * about a coordinate system PROJ refused. */
const char *tc_libmsg_proj_last(void);

#endif
