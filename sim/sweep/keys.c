/* sweep/keys.c — the [sweep] scenario keys (see sweep_config.h). */
#include "towncov/sweep_config.h"

#include <stddef.h>

const struct key_desc sweep_keys[] = {
    {"sweep", "repeat", KEY_INT, offsetof(struct sweep_config, repeat), 1, 1e6, NULL, "1", "",
     "towncov sweep: repetitions of every member, with seeds scenario.seed, seed+1, ... "
     "(towncov run needs 1)"},
    {"sweep", "constraint", KEY_STRING, offsetof(struct sweep_config, constraint), 0, 0, NULL,
     "", "", "towncov sweep: keep only the members where this expression over the named "
     "iterations and varied keys is true, e.g. N < M && sites.count >= 40000"},
};
const int sweep_nkeys = (int)(sizeof sweep_keys / sizeof sweep_keys[0]);
