/* space_internal.h — the private layout of a sweep space, shared by its
 * files: reading the scenario (read.c), the ${...} syntax (iter_parse.c),
 * names and loops (resolve.c), the constraint (expr.c) and the members
 * (space.c). */
#ifndef TOWNCOV_SWEEP_SPACE_INTERNAL_H
#define TOWNCOV_SWEEP_SPACE_INTERNAL_H

#include <stddef.h>

#include "towncov/common.h"
#include "towncov/sweep_space.h"

/* The most values one range may give, and members one sweep may have before
 * its constraint (each is evaluated; each member is a whole run, and every
 * member's scenario is loaded once before the first runs, about 40 us each:
 * a million is 40 s of checks and, at about 120 bytes a member in the
 * sweep's table, 120 MB; a million runs of even a second each are 12
 * days). */
#define SW_MAX_RANGE 1000000L
#define SW_MAX_MEMBERS 1000000L

/* A list of strings in one growing buffer (a range of a million values is a
 * million strings: one allocation, not a million). */
struct sw_strs {
    char *buf;
    size_t len, cap;
    size_t *off;
    long n;
    size_t ncap;
};
int sw_strs_add(struct sw_strs *s, const char *text, size_t len);
/* A string built in pieces: bytes appended, then ended as the string that
 * began at byte `start` (s->len before the first piece). */
int sw_strs_append(struct sw_strs *s, const char *text, size_t len);
int sw_strs_end(struct sw_strs *s, size_t start);
static inline const char *sw_strs_get(const struct sw_strs *s, long i)
{
    return s->buf + s->off[i];
}
void sw_strs_free(struct sw_strs *s);

/* One ${...} as written in a value or a --vary. */
struct sw_iter {
    char *name;      /* N of ${N=...}, or of a reference ${N}; NULL if unnamed */
    char *lockstep;  /* M of ${... ! M}; NULL if none */
    int is_ref;      /* ${N}: no values of its own */
    struct sw_strs vals;
    int key;         /* the key whose value holds it */
    int target;      /* resolved: the iteration a reference or lockstep follows */
    int loop;        /* resolved: its loop */
};

/* A piece of a key's value: literal text, or the value of an iteration. */
struct sw_part {
    size_t off, len; /* literal: into the key's templ */
    int iter;        /* -1 for literal text */
};

struct sw_key {
    char *name;   /* "section.key" */
    char *where;  /* "FILE:LINE" or "--vary ARG" */
    char *templ;  /* the value as written */
    int from_vary;
    struct sw_part *parts;
    int nparts;
    int *deps;    /* loops the value depends on, ascending */
    int ndeps;
    int loop;     /* deps[0] */
    struct sw_strs table; /* its values over its deps, the first outermost */
};

struct sw_loop {
    long n;      /* values */
    int iter;    /* the iteration that opens it */
    long stride; /* combinations of the loops inside it */
};

struct sw_expr;

struct sweep_space {
    char *path;
    struct sw_key *keys;
    int nkeys;
    size_t keys_cap;
    struct sw_iter *iters;
    int niters;
    size_t iters_cap;
    struct sw_loop *loops;
    int nloops;
    long repeat;
    char *repeat_where;      /* "FILE:LINE" of [sweep] repeat, NULL if none */
    char *constraint;        /* its text, NULL if none */
    char *constraint_where;  /* "FILE:LINE" */
    struct sw_expr *expr;
    long combinations;       /* loops' product times R */
    long *members;           /* combination of each member; NULL: all of them */
    long count;
};

/* Heap printf. NULL when out of memory. */
char *sw_aprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sw_oom(struct tc_error *err);

/* iter_parse.c: appends key `name` (value `value`, written at `where`) with
 * its ${...} as iterations; `from_vary` marks a --vary key. */
int sw_add_key(struct sweep_space *sp, const char *name, const char *value, const char *where,
               int from_vary, struct tc_error *err);
/* Whether text[0..len) is a name: [A-Za-z_][A-Za-z0-9_]*. */
int sw_is_name(const char *text, size_t len);
/* iter_parse.c: the values of a range FROM..TO [step STEP] appended to out. */
int sw_expand_range(const char *from, const char *to, const char *step, const char *where,
                    struct sw_strs *out, struct tc_error *err);

/* read.c: the scenario file's keys and [sweep] section into sp. */
int sw_read_scenario(struct sweep_space *sp, struct tc_error *err);
/* read.c: one --vary ARG into sp. */
int sw_add_vary(struct sweep_space *sp, const char *arg, struct tc_error *err);

/* resolve.c: names, references, lockstep, loops, the keys' tables. */
int sw_resolve(struct sweep_space *sp, struct tc_error *err);
/* resolve.c: the iteration named name (len bytes), or -1. */
int sw_find_name(const struct sweep_space *sp, const char *name, size_t len);
/* resolve.c: the key named name (len bytes), or -1. */
int sw_find_key(const struct sweep_space *sp, const char *name, size_t len);

/* Index of loop l's value in combination c (repetition removed). */
static inline long sw_loop_index(const struct sweep_space *sp, long c, int l)
{
    return c / sp->loops[l].stride % sp->loops[l].n;
}
/* Key k's value in combination c (repetition removed). */
const char *sw_key_value(const struct sweep_space *sp, int k, long c);

/* expr.c: the constraint. Variables are numbered: 0..niters-1 the named
 * iterations, niters..niters+nkeys-1 the varied keys, SW_VAR_REPETITION. */
#define SW_VAR_REPETITION (-2)
struct sw_expr *sw_expr_parse(const struct sweep_space *sp, const char *text, const char *where,
                              struct tc_error *err);
/* Evaluates it for full member index f (combination * R + repetition):
 * 1 true, 0 false, -1 error (in err). */
int sw_expr_eval(const struct sw_expr *e, const struct sweep_space *sp, long f,
                 struct tc_error *err);
void sw_expr_free(struct sw_expr **e);

#endif
