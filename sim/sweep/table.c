/* table.c — the members of a sweep and the keys they vary (see
 * sweep_internal.h): the keys as heap strings, the members' values read
 * from the sweep space (never copied: a member costs the same whatever
 * the --vary text). */
#include "sweep_internal.h"

#include <stdlib.h>
#include <string.h>

#include "towncov/sweep_space.h"

int sweep_table_add_key(struct sweep_table *t, const char *key, int loop)
{
    char *copy = strdup(key);
    if (!copy || tc_resize((void **)&t->keys, (size_t)t->nkeys + 1, sizeof *t->keys) != 0 ||
        tc_resize((void **)&t->loop, (size_t)t->nkeys + 1, sizeof *t->loop) != 0) {
        free(copy);
        return -1;
    }
    t->keys[t->nkeys] = copy;
    t->loop[t->nkeys++] = loop;
    return 0;
}

struct sweep_member *sweep_table_add_member(struct sweep_table *t, struct tc_error *err)
{
    size_t cap = (size_t)t->cap;
    if (tc_reserve((void **)&t->m, &cap, (size_t)t->n + 1, sizeof *t->m) != 0) {
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld members", t->n + 1);
        return NULL;
    }
    t->cap = (long)cap;
    struct sweep_member *m = &t->m[t->n];
    memset(m, 0, sizeof *m);
    t->n++;
    return m;
}

int sweep_member_set_probe(struct sweep_member *m, const char *value)
{
    char *v = strdup(value);
    if (!v)
        return -1;
    free(m->probe);
    m->probe = v;
    return 0;
}

const char *sweep_value(const struct sweep_table *t, long i, int k)
{
    return t->space ? sweep_space_value(t->space, i, k) : t->m[i].probe;
}

const char *sweep_where(const struct sweep_table *t, int k)
{
    return t->space ? sweep_space_where(t->space, k) : "--find-min";
}

void sweep_table_free(struct sweep_table *t)
{
    for (long i = 0; i < t->n; i++) {
        free(t->m[i].probe);
        free(t->m[i].rows);
        free(t->m[i].recheck);
    }
    sweep_space_free(&t->space);
    for (int k = 0; k < t->nkeys; k++)
        free(t->keys[k]);
    free(t->keys);
    free(t->loop);
    free(t->m);
    memset(t, 0, sizeof *t);
}
