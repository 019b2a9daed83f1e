/* space.c — a sweep space: built from the scenario and the --vary options,
 * its members filtered by the constraint, and read by index (README "Sweep
 * syntax"). Read-only once built. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"

/* ---- small helpers shared by the sweep files ------------------------------ */

char *sw_aprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

int sw_oom(struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_INTERNAL, "out of memory while building the sweep");
}

int sw_strs_append(struct sw_strs *s, const char *text, size_t len)
{
    if (tc_reserve((void **)&s->buf, &s->cap, s->len + len + 1, 1) != 0)
        return -1;
    memcpy(s->buf + s->len, text, len);
    s->len += len;
    return 0;
}

int sw_strs_end(struct sw_strs *s, size_t start)
{
    if (tc_reserve((void **)&s->buf, &s->cap, s->len + 1, 1) != 0 ||
        tc_reserve((void **)&s->off, &s->ncap, (size_t)s->n + 1, sizeof *s->off) != 0)
        return -1;
    s->buf[s->len++] = '\0';
    s->off[s->n++] = start;
    return 0;
}

int sw_strs_add(struct sw_strs *s, const char *text, size_t len)
{
    size_t start = s->len;
    return sw_strs_append(s, text, len) == 0 ? sw_strs_end(s, start) : -1;
}

void sw_strs_free(struct sw_strs *s)
{
    free(s->buf);
    free(s->off);
    *s = (struct sw_strs){0};
}

/* ---- building ------------------------------------------------------------- */

const char *sw_key_value(const struct sweep_space *sp, int k, long c)
{
    const struct sw_key *key = &sp->keys[k];
    long at = 0;
    for (int d = 0; d < key->ndeps; d++)
        at = at * sp->loops[key->deps[d]].n + sw_loop_index(sp, c, key->deps[d]);
    return sw_strs_get(&key->table, at);
}

/* The members the constraint keeps, in order. */
static int apply_constraint(struct sweep_space *sp, struct tc_error *err)
{
    if (!(sp->expr = sw_expr_parse(sp, sp->constraint, sp->constraint_where, err)))
        return -1;
    if (!(sp->members = malloc((size_t)sp->combinations * sizeof *sp->members)))
        return sw_oom(err);
    sp->count = 0;
    for (long f = 0; f < sp->combinations; f++) {
        if (tc_interrupted())
            return tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted");
        int keep = sw_expr_eval(sp->expr, sp, f, err);
        if (keep < 0)
            return -1;
        if (keep)
            sp->members[sp->count++] = f;
    }
    if (sp->count == 0)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: the constraint leaves no member (of %ld)",
                       sp->constraint_where, sp->combinations);
    /* Give back what the dropped members held (failing to is harmless). */
    (void)tc_resize((void **)&sp->members, (size_t)sp->count, sizeof *sp->members);
    return 0;
}

static int build(struct sweep_space *sp, const char *const *vary, int n_vary, long repeat,
                 struct tc_error *err)
{
    if (sw_read_scenario(sp, err) != 0)
        return -1;
    for (int i = 0; i < n_vary; i++)
        if (sw_add_vary(sp, vary[i], err) != 0)
            return -1;
    if (repeat > 0)
        sp->repeat = repeat;
    if (sp->repeat > SW_MAX_MEMBERS)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: a repeat of %ld is more than %ld members",
                       sp->path, sp->repeat, SW_MAX_MEMBERS);
    if (sw_resolve(sp, err) != 0)
        return -1;
    sp->count = sp->combinations;
    return sp->constraint ? apply_constraint(sp, err) : 0;
}

struct sweep_space *sweep_space_new(const char *scenario_path, const char *const *vary,
                                    int n_vary, long repeat, struct tc_error *err)
{
    struct sweep_space *sp = calloc(1, sizeof *sp);
    if (!sp || !(sp->path = strdup(scenario_path))) {
        free(sp);
        sw_oom(err);
        return NULL;
    }
    sp->repeat = 1;
    if (build(sp, vary, n_vary, repeat, err) != 0)
        sweep_space_free(&sp);
    return sp;
}

void sweep_space_free(struct sweep_space **sp)
{
    struct sweep_space *s = *sp;
    if (!s)
        return;
    for (int k = 0; k < s->nkeys; k++) {
        free(s->keys[k].name);
        free(s->keys[k].where);
        free(s->keys[k].templ);
        free(s->keys[k].parts);
        free(s->keys[k].deps);
        sw_strs_free(&s->keys[k].table);
    }
    for (int i = 0; i < s->niters; i++) {
        free(s->iters[i].name);
        free(s->iters[i].lockstep);
        sw_strs_free(&s->iters[i].vals);
    }
    sw_expr_free(&s->expr);
    free(s->keys);
    free(s->iters);
    free(s->loops);
    free(s->members);
    free(s->path);
    free(s->repeat_where);
    free(s->constraint);
    free(s->constraint_where);
    free(s);
    *sp = NULL;
}

/* ---- reading -------------------------------------------------------------- */

/* Member m's index among all combinations times repetitions. */
static long full_index(const struct sweep_space *sp, long m)
{
    return sp->members ? sp->members[m] : m;
}

long sweep_space_count(const struct sweep_space *sp)
{
    return sp->count;
}

int sweep_space_nkeys(const struct sweep_space *sp)
{
    return sp->nkeys;
}

const char *sweep_space_key(const struct sweep_space *sp, int k)
{
    return sp->keys[k].name;
}

int sweep_space_loop(const struct sweep_space *sp, int k)
{
    return sp->keys[k].loop;
}

const char *sweep_space_value(const struct sweep_space *sp, long m, int k)
{
    return sw_key_value(sp, k, full_index(sp, m) / sp->repeat);
}

const char *sweep_space_where(const struct sweep_space *sp, int k)
{
    return sp->keys[k].where;
}

long sweep_space_repeat(const struct sweep_space *sp)
{
    return sp->repeat;
}

long sweep_space_repetition(const struct sweep_space *sp, long m)
{
    return full_index(sp, m) % sp->repeat;
}

void sweep_space_assignments(const struct sweep_space *sp, long m, struct sweep_assignment *out)
{
    for (int k = 0; k < sp->nkeys; k++)
        out[k] = (struct sweep_assignment){sp->keys[k].name, sweep_space_value(sp, m, k),
                                           sp->keys[k].where};
}

int sweep_space_nloops(const struct sweep_space *sp)
{
    return sp->nloops;
}

long sweep_space_loop_size(const struct sweep_space *sp, int l)
{
    return sp->loops[l].n;
}
