/* outdir_internal.h — what outdir.c (checks, the swap) and outdir_marker.c
 * (the marker: reading folders, listing what towncov wrote, removing only
 * that) share. Private to sim/common. */
#ifndef TOWNCOV_OUTDIR_INTERNAL_H
#define TOWNCOV_OUTDIR_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>

#include "towncov/outdir.h"

/* An output error "out of memory"; returns -1. */
int outdir_oom(struct tc_error *err);

/* strcmp for qsort over an array of strings. */
int outdir_cmp_str(const void *a, const void *b);

/* The entries of path but . and .., sorted, malloc'd (outdir_names_free). */
int outdir_list_names(const char *path, char ***names, size_t *n, struct tc_error *err);
void outdir_names_free(char ***names, size_t n);

/* Visits every entry below root in sorted order, `rel` relative to root;
 * folders are entered (symbolic links never followed), before their
 * contents are visited or, with post, after. A visitor's nonzero return
 * stops the walk and is returned. */
typedef int (*outdir_visit_fn)(void *ctx, const char *root, const char *rel,
                               const struct stat *st, struct tc_error *err);
int outdir_walk(const char *root, const char *rel, int post, outdir_visit_fn visit, void *ctx,
                struct tc_error *err);

struct entry {
    const char *name; /* relative to the folder, into listing.text */
    int folder;
};

/* What a marker says towncov wrote, sorted by name. */
struct listing {
    char *text;
    struct entry *e;
    size_t n;
};

void outdir_listing_free(struct listing *l);
/* Reads dir's marker. Returns 0 with l filled, 1 when the file does not
 * begin with OUTDIR_MARKER_HEADER (not a towncov marker), -1 on error. */
int outdir_listing_read(const char *dir, struct listing *l, struct tc_error *err);
/* Whether the listing names rel as what st is (a file as a file, a folder
 * as a folder: anything else, or a link, is not towncov's). */
int outdir_listed(const struct listing *l, const char *rel, const struct stat *st);
int outdir_is_marker(const char *rel);

/* Appends every entry of tmp but the marker to the marker. */
int outdir_write_listing(const char *tmp, struct tc_error *err);
/* Removes from old what its marker lists, then the marker and old itself;
 * anything else keeps old standing. */
void outdir_remove_listed(const char *old);

#endif
