/* table.c — the members of a sweep and the keys they vary (see
 * sweep_internal.h): growable arrays of heap strings. */
#include "sweep_internal.h"

#include <stdlib.h>
#include <string.h>

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
    m->values = calloc((size_t)t->nkeys + 1, sizeof *m->values);
    m->wheres = calloc((size_t)t->nkeys + 1, sizeof *m->wheres);
    if (!m->values || !m->wheres) {
        free(m->values);
        free(m->wheres);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory for %ld members", t->n + 1);
        return NULL;
    }
    t->n++;
    return m;
}

int sweep_member_set(struct sweep_member *m, int k, const char *value, const char *where)
{
    char *v = strdup(value), *w = strdup(where);
    if (!v || !w) {
        free(v);
        free(w);
        return -1;
    }
    free(m->values[k]);
    free(m->wheres[k]);
    m->values[k] = v;
    m->wheres[k] = w;
    return 0;
}

void sweep_table_free(struct sweep_table *t)
{
    for (long i = 0; i < t->n; i++) {
        for (int k = 0; k < t->nkeys; k++) {
            free(t->m[i].values[k]);
            free(t->m[i].wheres[k]);
        }
        free(t->m[i].values);
        free(t->m[i].wheres);
        free(t->m[i].rows);
    }
    for (int k = 0; k < t->nkeys; k++)
        free(t->keys[k]);
    free(t->keys);
    free(t->loop);
    free(t->m);
    memset(t, 0, sizeof *t);
}
