/* libmsg.h — the libraries' own messages routed through towncov's: GDAL
 * and PROJ print lines of their own on stderr ("ERROR 1: ...",
 * "proj_create: ...") unless told otherwise. Once installed,
 * their errors are kept (per thread) for towncov's one `towncov: error:`
 * line, which names the file, and GDAL's warnings are `towncov: warning:`
 * lines. */
#ifndef TOWNCOV_LIBMSG_H
#define TOWNCOV_LIBMSG_H

/* Installs GDAL's error handler (process-wide; the handler itself keeps
 * nothing shared: GDAL records each thread's last error, which towncov's
 * messages quote) through `set_handler`, CPLSetErrorHandler's address.
 * Called once, when GDAL is loaded (lazyload.h), before its first use. */
void tc_libmsg_install_gdal(void *set_handler);

/* Installs PROJ's logger on the default context, which every context
 * created afterwards copies, through `log_func`, proj_log_func's address.
 * Called once, when PROJ is loaded (lazyload.h), before any context. */
void tc_libmsg_install_proj(void *log_func);

/* The last error PROJ logged on this thread ("" when none): for a message
 * about a coordinate system PROJ refused. */
const char *tc_libmsg_proj_last(void);

#endif
