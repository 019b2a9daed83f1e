/* fuzz_tmpfile.h — the fuzz input as a file, for loaders that read paths. */
#ifndef TOWNCOV_FUZZ_TMPFILE_H
#define TOWNCOV_FUZZ_TMPFILE_H

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes data into a new file named from `path` (a mkstemp template,
 * modified in place). Returns 0, or -1 (nothing left behind). */
static inline int fuzz_write_tmpfile(char *path, const uint8_t *data, size_t size)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    int ok = write(fd, data, size) == (ssize_t)size;
    close(fd);
    if (!ok)
        unlink(path);
    return ok ? 0 : -1;
}

#endif
