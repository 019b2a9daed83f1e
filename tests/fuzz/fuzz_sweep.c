/* libFuzzer harness: the sweep syntax (iterations, [sweep] repeat and
 * constraint) on arbitrary bytes, then each of the first members'
 * scenarios loaded with its values, as towncov sweep does. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz_tmpfile.h"
#include "towncov/scenario.h"
#include "towncov/sweep_space.h"

/* Members loaded per input: enough to reach every value of small spaces. */
#define MEMBERS_LOADED 8

static void load_members(const char *path, const struct sweep_space *sp)
{
    static struct scenario scn;
    int nkeys = sweep_space_nkeys(sp);
    struct sweep_assignment *as = calloc((size_t)nkeys + 1, sizeof *as);
    struct scenario_value *values = calloc((size_t)nkeys + 1, sizeof *values);
    for (long m = 0; as && values && m < sweep_space_count(sp) && m < MEMBERS_LOADED; m++) {
        sweep_space_assignments(sp, m, as);
        for (int k = 0; k < nkeys; k++)
            values[k] = (struct scenario_value){as[k].key, as[k].value, as[k].where};
        struct tc_error err;
        scenario_load_member(path, values, nkeys, NULL, 0, &scn, &err);
    }
    free(as);
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/towncov-fuzz-sweep-XXXXXX";
    if (fuzz_write_tmpfile(path, data, size) != 0)
        return 0;
    struct tc_error err;
    struct sweep_space *sp = sweep_space_new(path, NULL, 0, 0, &err);
    if (sp)
        load_members(path, sp);
    sweep_space_free(&sp);
    unlink(path);
    return 0;
}
