/* libFuzzer harness: the scenario parser on arbitrary bytes. */
#include <stdint.h>
#include <unistd.h>

#include "fuzz_tmpfile.h"
#include "towncov/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/towncov-fuzz-scn-XXXXXX";
    if (fuzz_write_tmpfile(path, data, size) != 0)
        return 0;
    static struct scenario scn;
    struct tc_error err;
    scenario_load(path, NULL, 0, &scn, &err);
    unlink(path);
    return 0;
}
