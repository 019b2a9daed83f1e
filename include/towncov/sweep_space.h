/* sweep_space.h — the members of a sweep: every combination of a scenario's
 * iterations (OMNeT++ style ${...}) and the --vary options, repeated, filtered
 * by the constraint. The syntax is README "Sweep syntax".
 *
 * A sweep_space is built once by sweep_space_new and is read-only afterwards:
 * every accessor may be called from many threads at once. */
#ifndef TOWNCOV_SWEEP_SPACE_H
#define TOWNCOV_SWEEP_SPACE_H

#include "towncov/common.h"

struct sweep_space;

/* One key's value in one member: key "section.key", the value with every
 * ${...} replaced, where = "FILE:LINE" of the scenario line or "--vary ARG". */
struct sweep_assignment {
    const char *key;
    const char *value;
    const char *where;
};

/* Reads the scenario file's iterations (and its [sweep] repeat and constraint),
 * adds the --vary loops (vary[i] is the text after --vary, e.g.
 * "sites.count=40000..70000/5000"), repeat > 0 overrides [sweep] repeat.
 * NULL with err (exit code 3, TC_EXIT_SCENARIO; "FILE:LINE: ..." or
 * "--vary ARG: ...") on any error; exit code 8 (TC_EXIT_INTERNAL) when out of
 * memory. A scenario without iterations gives one member (R with a repeat).
 * The caller frees the result with sweep_space_free; the vary strings are
 * copied. */
struct sweep_space *sweep_space_new(const char *scenario_path, const char *const *vary,
                                    int n_vary, long repeat, struct tc_error *err);
/* Frees *sp (NULL allowed) and sets it to NULL. */
void sweep_space_free(struct sweep_space **sp);

/* Members, after the constraint. */
long sweep_space_count(const struct sweep_space *sp);
/* Varied keys (every key whose value holds a ${...}, and each --vary key),
 * sorted by their loop, file order within a loop. */
int sweep_space_nkeys(const struct sweep_space *sp);
/* "section.key" of key k; owned by sp. */
const char *sweep_space_key(const struct sweep_space *sp, int k);
/* Loop index of key k (lockstep keys share one; 0 = outermost). A key whose
 * value holds several ${...} of different loops gives the outermost of them. */
int sweep_space_loop(const struct sweep_space *sp, int k);
/* Member m's value of key k; owned by sp. */
const char *sweep_space_value(const struct sweep_space *sp, long m, int k);
/* Where key k's values come from: "FILE:LINE" or "--vary ARG"; owned by sp. */
const char *sweep_space_where(const struct sweep_space *sp, int k);
/* R, >= 1. */
long sweep_space_repeat(const struct sweep_space *sp);
/* Repetition of member m: 0..R-1. */
long sweep_space_repetition(const struct sweep_space *sp, long m);
/* Fills out[0..nkeys-1] with member m's assignments (pointers owned by sp). */
void sweep_space_assignments(const struct sweep_space *sp, long m, struct sweep_assignment *out);

/* Loops of the sweep (the repetition not counted) and the number of values
 * of loop l. */
int sweep_space_nloops(const struct sweep_space *sp);
long sweep_space_loop_size(const struct sweep_space *sp, int l);

#endif
