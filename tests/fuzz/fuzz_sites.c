/* libFuzzer harness: the sites CSV reader on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "towncov/sites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/towncov-fuzz-sites-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    struct tc_error err;
    struct tc_sites *s = sites_read_csv(path, &err);
    sites_free(&s);
    unlink(path);
    return 0;
}
