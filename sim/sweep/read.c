/* read.c — what a sweep is made of: the scenario file's values holding
 * ${...} and its [sweep] section (read by towncov's one INI reader,
 * inifile.h, as `towncov run` reads it), and the --vary options. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"
#include "towncov/inifile.h"

/* [sweep] repeat = R */
static int read_repeat(struct sweep_space *sp, const char *value, const char *where,
                       struct tc_error *err)
{
    char *end;
    errno = 0;
    long r = strtol(value, &end, 10);
    if (end == value || *end || errno || r < 1 || r > SW_MAX_MEMBERS)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sweep.repeat = %s: expected an integer from "
                       "1 to %ld", where, value, SW_MAX_MEMBERS);
    sp->repeat = r;
    return (sp->repeat_where = strdup(where)) ? 0 : sw_oom(err);
}

/* A key of [sweep]: never an iteration itself. */
static int read_sweep_key(struct sweep_space *sp, const char *name, const char *value,
                          const char *where, struct tc_error *err)
{
    const char *first = NULL;
    if (strcmp(name, "repeat") == 0 && !(first = sp->repeat_where))
        return read_repeat(sp, value, where, err);
    if (strcmp(name, "constraint") == 0 && !(first = sp->constraint_where)) {
        sp->constraint = strdup(value);
        sp->constraint_where = strdup(where);
        return sp->constraint && sp->constraint_where ? 0 : sw_oom(err);
    }
    if (first)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: sweep.%s is set twice (first at %s)", where,
                       name, first);
    return tc_fail(err, TC_EXIT_SCENARIO, "%s: unknown key '%s' in section [sweep] (expected "
                   "repeat or constraint)", where, name);
}

static int on_key(void *user, const char *section, const char *name, const char *value,
                  int line, struct tc_error *err)
{
    struct sweep_space *sp = user;
    char *where = sw_aprintf("%s:%d", sp->path, line);
    char *key = sw_aprintf("%s.%s", section, name);
    int rc = 0;
    if (!where || !key)
        rc = sw_oom(err);
    else if (strcmp(section, "sweep") == 0)
        rc = read_sweep_key(sp, name, value, where, err);
    else if (strstr(value, "${"))
        rc = sw_add_key(sp, key, value, where, 0, err);
    free(where);
    free(key);
    return rc;
}

int sw_read_scenario(struct sweep_space *sp, struct tc_error *err)
{
    return inifile_read(sp->path, "scenario", TC_EXIT_SCENARIO, on_key, sp, err);
}

/* ---- --vary KEY=SPEC ------------------------------------------------------ */

/* The short forms as a ${...}: A..B/STEP, A..B, a,b,c; a SPEC holding ${ is
 * taken as it is. Heap string. */
static char *vary_template(const char *spec)
{
    if (strstr(spec, "${"))
        return strdup(spec);
    const char *dots = strstr(spec, "..");
    const char *slash = dots ? strrchr(dots, '/') : NULL;
    if (dots && !strchr(spec, ',') && slash)
        return sw_aprintf("${%.*s step %s}", (int)(slash - spec), spec, slash + 1);
    return sw_aprintf("${%s}", spec);
}

/* A --vary opens one loop of its own: one ${...}, neither reference nor
 * lockstep. */
static int check_vary_loop(const struct sweep_space *sp, int first_iter, const char *where,
                           struct tc_error *err)
{
    if (sp->niters != first_iter + 1)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: expected one ${...}, found %d", where,
                       sp->niters - first_iter);
    const struct sw_iter *it = &sp->iters[first_iter];
    if (it->is_ref || it->lockstep)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: a --vary opens a loop of its own (references "
                       "and lockstep belong in the scenario file)", where);
    return 0;
}

/* section.key before the '=' of arg: length of the key, or 0. */
static size_t vary_key_length(const char *arg)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strchr(arg, '.');
    if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq)
        return 0;
    for (const char *c = arg; c < eq; c++)
        if (isspace((unsigned char)*c))
            return 0;
    return (size_t)(eq - arg);
}

int sw_add_vary(struct sweep_space *sp, const char *arg, struct tc_error *err)
{
    size_t kl = vary_key_length(arg);
    if (kl == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "--vary %s: expected section.key=SPEC", arg);
    if (!arg[kl + 1])
        return tc_fail(err, TC_EXIT_SCENARIO, "--vary %s: no values after '='", arg);
    if (strncmp(arg, "sweep.", 6) == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "--vary %s: [sweep] keys are never iterations "
                       "(the repetitions: --repeat R; the constraint: [sweep] constraint in the "
                       "scenario file)", arg);
    char *where = sw_aprintf("--vary %s", arg);
    char *key = strndup(arg, kl);
    char *templ = vary_template(arg + kl + 1);
    int first = sp->niters, rc;
    if (!where || !key || !templ)
        rc = sw_oom(err);
    else
        rc = sw_add_key(sp, key, templ, where, 1, err);
    if (rc == 0)
        rc = check_vary_loop(sp, first, where, err);
    free(where);
    free(key);
    free(templ);
    return rc;
}
