/* resolve.c — ties the iterations together once everything is read: names
 * (defined once, anywhere in the file or a --vary), references, lockstep,
 * then the loops in order, and each key's values over the loops it depends
 * on. */
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"

int sw_find_name(const struct sweep_space *sp, const char *name, size_t len)
{
    for (int i = 0; i < sp->niters; i++) {
        const struct sw_iter *it = &sp->iters[i];
        if (!it->is_ref && it->name && strlen(it->name) == len && memcmp(it->name, name, len) == 0)
            return i;
    }
    return -1;
}

int sw_find_key(const struct sweep_space *sp, const char *name, size_t len)
{
    for (int k = 0; k < sp->nkeys; k++)
        if (strlen(sp->keys[k].name) == len && memcmp(sp->keys[k].name, name, len) == 0)
            return k;
    return -1;
}

static const char *iter_where(const struct sweep_space *sp, int i)
{
    return sp->keys[sp->iters[i].key].where;
}

/* Each name defined once; "repetition" is the constraint's own. */
static int check_names(const struct sweep_space *sp, struct tc_error *err)
{
    for (int i = 0; i < sp->niters; i++) {
        const struct sw_iter *it = &sp->iters[i];
        if (it->is_ref || !it->name)
            continue;
        if (strcmp(it->name, "repetition") == 0)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: the name repetition is reserved (the "
                           "constraint's repetition number)", iter_where(sp, i));
        int first = sw_find_name(sp, it->name, strlen(it->name));
        if (first != i)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: the name %s is defined twice (first at "
                           "%s)", iter_where(sp, i), it->name, iter_where(sp, first));
    }
    return 0;
}

/* References and lockstep to the iterations they name. */
static int link_names(struct sweep_space *sp, struct tc_error *err)
{
    for (int i = 0; i < sp->niters; i++) {
        struct sw_iter *it = &sp->iters[i];
        const char *name = it->is_ref ? it->name : it->lockstep;
        if (!name)
            continue;
        it->target = sw_find_name(sp, name, strlen(name));
        if (it->target < 0)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: %s to an unknown name %s",
                           iter_where(sp, i), it->is_ref ? "${...} reference" : "lockstep",
                           name);
    }
    return 0;
}

/* The iteration that opens the loop iteration i moves with (following
 * lockstep chains), or -1 with err for a cycle. */
static int loop_root(const struct sweep_space *sp, int i, struct tc_error *err)
{
    int r = i;
    for (int steps = 0; sp->iters[r].lockstep; steps++) {
        if (steps > sp->niters)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: lockstep in a circle (! %s)",
                           iter_where(sp, i), sp->iters[i].lockstep);
        r = sp->iters[r].target;
    }
    return r;
}

/* Loops in the order their opening iterations appear; the product of
 * their sizes and R kept under SW_MAX_MEMBERS. */
static int number_loops(struct sweep_space *sp, struct tc_error *err)
{
    long total = sp->repeat;
    for (int i = 0; i < sp->niters; i++) {
        struct sw_iter *it = &sp->iters[i];
        if (it->is_ref || it->lockstep)
            continue;
        if (tc_resize((void **)&sp->loops, (size_t)sp->nloops + 1, sizeof *sp->loops) != 0)
            return sw_oom(err);
        sp->loops[sp->nloops] = (struct sw_loop){.n = it->vals.n, .iter = i};
        it->loop = sp->nloops++;
        if (total > SW_MAX_MEMBERS / it->vals.n)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: the sweep would have more than %ld "
                           "members", iter_where(sp, i), SW_MAX_MEMBERS);
        total *= it->vals.n;
    }
    sp->combinations = total;
    long stride = 1;
    for (int l = sp->nloops - 1; l >= 0; l--) {
        sp->loops[l].stride = stride;
        stride *= sp->loops[l].n;
    }
    return 0;
}

/* Lockstep iterations join their root's loop, with as many values. */
static int join_lockstep(struct sweep_space *sp, struct tc_error *err)
{
    for (int i = 0; i < sp->niters; i++) {
        struct sw_iter *it = &sp->iters[i];
        if (!it->lockstep)
            continue;
        int r = loop_root(sp, i, err);
        if (r < 0)
            return -1;
        it->loop = sp->iters[r].loop;
        if (it->vals.n != sp->iters[r].vals.n)
            return tc_fail(err, TC_EXIT_SCENARIO, "%s: %ld values in lockstep with %s at %s, "
                           "which has %ld", iter_where(sp, i), it->vals.n,
                           sp->iters[r].name ? sp->iters[r].name : it->lockstep,
                           iter_where(sp, r), sp->iters[r].vals.n);
    }
    for (int i = 0; i < sp->niters; i++)
        if (sp->iters[i].is_ref)
            sp->iters[i].loop = sp->iters[sp->iters[i].target].loop;
    return 0;
}

/* The iteration whose values part p shows (a reference shows its target's). */
static int shown_iter(const struct sweep_space *sp, const struct sw_part *p)
{
    return sp->iters[p->iter].is_ref ? sp->iters[p->iter].target : p->iter;
}

/* The loops key k's value depends on, ascending. */
static int find_deps(struct sweep_space *sp, struct sw_key *key)
{
    for (int p = 0; p < key->nparts; p++) {
        if (key->parts[p].iter < 0)
            continue;
        int l = sp->iters[key->parts[p].iter].loop, at = 0;
        while (at < key->ndeps && key->deps[at] < l)
            at++;
        if (at < key->ndeps && key->deps[at] == l)
            continue;
        if (tc_resize((void **)&key->deps, (size_t)key->ndeps + 1, sizeof *key->deps) != 0)
            return -1;
        memmove(key->deps + at + 1, key->deps + at, (size_t)(key->ndeps - at) * sizeof(int));
        key->deps[at] = l;
        key->ndeps++;
    }
    key->loop = key->ndeps ? key->deps[0] : 0;
    return 0;
}

/* Key k's value for one choice of its deps' indices (idx[d] for deps[d]). */
static int compose(const struct sweep_space *sp, struct sw_key *key, const long *idx)
{
    size_t start = key->table.len;
    for (int p = 0; p < key->nparts; p++) {
        const struct sw_part *part = &key->parts[p];
        const char *text = key->templ + part->off;
        size_t len = part->len;
        if (part->iter >= 0) {
            const struct sw_iter *it = &sp->iters[shown_iter(sp, part)];
            int d = 0;
            while (key->deps[d] != it->loop)
                d++;
            text = sw_strs_get(&it->vals, idx[d]);
            len = strlen(text);
        }
        if (sw_strs_append(&key->table, text, len) != 0)
            return -1;
    }
    return sw_strs_end(&key->table, start);
}

/* Every value of key k: its deps counted like an odometer, the last fastest. */
static int build_table(const struct sweep_space *sp, struct sw_key *key)
{
    long *idx = calloc((size_t)key->ndeps + 1, sizeof *idx);
    if (!idx)
        return -1;
    int rc = 0, d;
    do {
        if ((rc = compose(sp, key, idx)) != 0)
            break;
        for (d = key->ndeps - 1; d >= 0; d--) {
            if (++idx[d] < sp->loops[key->deps[d]].n)
                break;
            idx[d] = 0;
        }
    } while (d >= 0);
    free(idx);
    return rc;
}

/* Keys sorted by loop, file order kept within one (a stable insertion
 * sort: a handful of keys), and the iterations told their keys' places. */
static int sort_keys(struct sweep_space *sp)
{
    int *place = malloc((size_t)(sp->nkeys ? sp->nkeys : 1) * sizeof *place);
    if (!place)
        return -1;
    for (int k = 0; k < sp->nkeys; k++)
        place[k] = k;
    for (int k = 1; k < sp->nkeys; k++) {
        struct sw_key key = sp->keys[k];
        int moved = place[k], j = k;
        for (; j > 0 && sp->keys[j - 1].loop > key.loop; j--) {
            sp->keys[j] = sp->keys[j - 1];
            place[j] = place[j - 1];
        }
        sp->keys[j] = key;
        place[j] = moved;
    }
    /* place[new] = old; the iterations need old -> new. */
    int *new_of = malloc((size_t)(sp->nkeys ? sp->nkeys : 1) * sizeof *new_of);
    if (!new_of) {
        free(place);
        return -1;
    }
    for (int k = 0; k < sp->nkeys; k++)
        new_of[place[k]] = k;
    for (int i = 0; i < sp->niters; i++)
        sp->iters[i].key = new_of[sp->iters[i].key];
    free(place);
    free(new_of);
    return 0;
}

int sw_resolve(struct sweep_space *sp, struct tc_error *err)
{
    if (check_names(sp, err) != 0 || link_names(sp, err) != 0 || number_loops(sp, err) != 0 ||
        join_lockstep(sp, err) != 0)
        return -1;
    for (int k = 0; k < sp->nkeys; k++)
        if (find_deps(sp, &sp->keys[k]) != 0 || build_table(sp, &sp->keys[k]) != 0)
            return sw_oom(err);
    return sort_keys(sp) == 0 ? 0 : sw_oom(err);
}
