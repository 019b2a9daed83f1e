/* libFuzzer harness: the sites CSV reader on arbitrary bytes. */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_tmpfile.h"
#include "towncov/sites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/towncov-fuzz-sites-XXXXXX";
    if (fuzz_write_tmpfile(path, data, size) != 0)
        return 0;
    struct tc_error err;
    struct tc_sites *s = sites_read_csv(path, NULL, NULL, &err);
    sites_free(&s);
    unlink(path);
    return 0;
}
