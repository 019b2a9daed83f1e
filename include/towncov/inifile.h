/* inifile.h — the one INI reader of towncov (scenario files, `towncov
 * sweep`'s scenario): libinih, read through a line reader of our own so that
 * every message names its line and nothing is cut or dropped silently. */
#ifndef TOWNCOV_INIFILE_H
#define TOWNCOV_INIFILE_H

#include "towncov/common.h"

/* Longest line read (characters, newline not counted). Debian's libinih
 * reads lines into a 200-byte buffer (INI_MAX_LINE) and cuts longer ones
 * without a word: a longer line is an error naming its line instead. */
#define INIFILE_LINE_LIMIT 198

/* Called for each `key = value` of the file, in order; line is the file's
 * line (1-based). Strings live only during the call (libinih's contract).
 * Returns 0 to go on; non-zero stops the reading, err filled by the
 * handler. */
typedef int (*inifile_handler)(void *user, const char *section, const char *name,
                               const char *value, int line, struct tc_error *err);

/* Reads the INI file at path (`what` names it in messages: "scenario").
 * Refused, with exit_code and "PATH[:LINE]: ..." in err: a path that is
 * not a regular file (a FIFO, a device such as /dev/zero, a folder: checked
 * on the opened descriptor, opened without blocking), a line longer than
 * INIFILE_LINE_LIMIT, a key written on a section's line (`[goal] a = 1`,
 * which libinih would drop), a syntax error. Out of memory: exit 6.
 * Returns 0, or -1 with err set (by the handler when it stopped). */
int inifile_read(const char *path, const char *what, int exit_code, inifile_handler handler,
                 void *user, struct tc_error *err);

#endif
