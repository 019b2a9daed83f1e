/* libFuzzer harness: the scenario parser on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "towncov/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/towncov-fuzz-scn-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    static struct scenario scn;
    struct tc_error err;
    scenario_load(path, NULL, 0, &scn, &err);
    unlink(path);
    return 0;
}
