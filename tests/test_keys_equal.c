/* Configs compared by their keys (tc_keys_equal), as the sweep cache
 * compares a member's [map], [seat areas], [sites], [radio] and
 * [coverage] with the ones its map and coverage were built from. */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/common.h"
#include "towncov/coverage_config.h"
#include "towncov/map_config.h"
#include "towncov/radio_config.h"
#include "towncov/seat_config.h"
#include "towncov/sites_config.h"

struct table {
    const char *name;
    const struct key_desc *keys;
    int n;
    size_t size;
};

static const struct table *tables(int *n)
{
    static struct table t[5];
    t[0] = (struct table){"map", map_keys, map_nkeys, sizeof(struct map_config)};
    t[1] = (struct table){"seat", seat_keys, seat_nkeys, sizeof(struct seat_config)};
    t[2] = (struct table){"sites", sites_keys, sites_nkeys, sizeof(struct sites_config)};
    t[3] = (struct table){"radio", radio_keys, radio_nkeys, sizeof(struct radio_config)};
    t[4] = (struct table){"coverage", cov_keys, cov_nkeys, sizeof(struct cov_config)};
    *n = 5;
    return t;
}

static size_t key_align(const struct key_desc *d)
{
    switch (d->type) {
    case KEY_INT:
        return alignof(long);
    case KEY_DOUBLE:
        return alignof(double);
    case KEY_BOOL:
    case KEY_ENUM:
        return alignof(int);
    default:
        return 1;
    }
}

static int by_offset(const void *a, const void *b)
{
    size_t x = (*(const struct key_desc *const *)a)->offset;
    size_t y = (*(const struct key_desc *const *)b)->offset;
    return x < y ? -1 : x > y;
}

/* A field no key describes would be ignored by the comparison: the keys
 * must tile their struct, leaving only the padding that aligns the next
 * field (or the struct's end). */
Test(keys_equal, every_config_byte_is_a_key_or_padding)
{
    int nt;
    const struct table *t = tables(&nt);
    for (int i = 0; i < nt; i++) {
        const struct key_desc **k = malloc(sizeof *k * (size_t)t[i].n);
        cr_assert(k);
        for (int j = 0; j < t[i].n; j++)
            k[j] = &t[i].keys[j];
        qsort(k, (size_t)t[i].n, sizeof *k, by_offset);
        size_t end = 0, max_align = 1;
        for (int j = 0; j < t[i].n; j++) {
            size_t a = key_align(k[j]);
            max_align = a > max_align ? a : max_align;
            size_t aligned = (end + a - 1) / a * a;
            cr_assert_eq(k[j]->offset, aligned, "[%s] %s: %zu bytes before it that no key holds",
                         t[i].name, k[j]->name, k[j]->offset - end);
            end = k[j]->offset + tc_key_size(k[j]);
        }
        cr_assert_eq((end + max_align - 1) / max_align * max_align, t[i].size,
                     "[%s]: bytes after the last key that no key holds", t[i].name);
        free(k);
    }
}

/* Equal keys compare equal whatever lies in padding and past a text's NUL;
 * a change of any one key's value (its first byte) makes them differ. */
Test(keys_equal, keys_decide_not_bytes)
{
    int nt;
    const struct table *t = tables(&nt);
    for (int i = 0; i < nt; i++) {
        unsigned char *a = calloc(1, t[i].size), *b = malloc(t[i].size);
        cr_assert(a && b);
        memset(b, 0x5a, t[i].size);
        for (int j = 0; j < t[i].n; j++) { /* same values, b's rest garbage */
            const struct key_desc *d = &t[i].keys[j];
            if (d->type == KEY_STRING || d->type == KEY_ENCODING) {
                strcpy((char *)a + d->offset, "same");
                strcpy((char *)b + d->offset, "same");
            } else {
                memset(b + d->offset, 0, tc_key_size(d));
            }
        }
        cr_assert(tc_keys_equal(t[i].keys, t[i].n, a, b), "[%s]", t[i].name);
        for (int j = 0; j < t[i].n; j++) {
            unsigned char *v = b + t[i].keys[j].offset;
            unsigned char old = v[0];
            v[0] ^= 1;
            cr_assert_not(tc_keys_equal(t[i].keys, t[i].n, a, b), "[%s] %s", t[i].name,
                          t[i].keys[j].name);
            v[0] = old;
        }
        free(a);
        free(b);
    }
}
