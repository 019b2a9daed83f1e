/* outdir_marker.c — the output folder's marker (see outdir.h): reading
 * folders in a fixed order, what a marker lists, writing the listing, and
 * removing only what it lists. */
#include "outdir_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER_MAX (64L << 20) /* a marker this large is not one towncov wrote */

/* ---- reading folders -------------------------------------------------------- */

int outdir_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void outdir_names_free(char ***names, size_t n)
{
    for (size_t i = 0; *names && i < n; i++)
        free((*names)[i]);
    free(*names);
    *names = NULL;
}

/* The entries of path but . and .., sorted (so that walks, markers and
 * messages do not depend on the file system's order). */
int outdir_list_names(const char *path, char ***names, size_t *n, struct tc_error *err)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(path);
    if (!d)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot read %s: %s", path, strerror(errno));
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *s = strdup(e->d_name);
        if (!s || tc_resize((void **)names, *n + 1, sizeof **names) != 0) {
            free(s);
            rc = outdir_oom(err);
        } else {
            (*names)[(*n)++] = s;
        }
    }
    closedir(d);
    if (rc != 0)
        outdir_names_free(names, *n);
    else if (*n > 1)
        qsort(*names, *n, sizeof **names, outdir_cmp_str);
    return rc;
}

int outdir_walk(const char *root, const char *rel, int post, outdir_visit_fn visit, void *ctx,
                struct tc_error *err)
{
    char *here = rel[0] ? outdir_join(root, rel) : strdup(root);
    if (!here)
        return outdir_oom(err);
    char **names;
    size_t n;
    int rc = outdir_list_names(here, &names, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *child = rel[0] ? outdir_join(rel, names[i]) : strdup(names[i]);
        char *full = child ? outdir_join(root, child) : NULL;
        struct stat st;
        if (!full)
            rc = outdir_oom(err);
        else if (lstat(full, &st) != 0)
            rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot read %s: %s", full, strerror(errno));
        if (rc == 0 && !post)
            rc = visit(ctx, root, child, &st, err);
        if (rc == 0 && S_ISDIR(st.st_mode))
            rc = outdir_walk(root, child, post, visit, ctx, err);
        if (rc == 0 && post)
            rc = visit(ctx, root, child, &st, err);
        free(full);
        free(child);
    }
    outdir_names_free(&names, n);
    free(here);
    return rc;
}

/* ---- the marker --------------------------------------------------------------- */


void outdir_listing_free(struct listing *l)
{
    free(l->text);
    free(l->e);
    memset(l, 0, sizeof *l);
}

/* Names a marker may list: relative, no empty, "." or ".." parts, so that
 * an edited marker cannot point outside its folder. */
static int plain_name(const char *name)
{
    if (!name[0] || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        size_t k = strcspn(p, "/");
        if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += k + (p[k] == '/');
        if (p[-1] == '/' && !*p)
            return 0;
    }
    return 1;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && n <= MARKER_MAX && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1))) {
        size_t got = fread(text, 1, (size_t)n, f);
        text[got] = '\0';
    }
    fclose(f);
    return text;
}

/* Reads dir's marker. Returns 0 with l filled, 1 when the file does not
 * begin with OUTDIR_MARKER_HEADER (not a towncov marker), -1 on error. */
int outdir_listing_read(const char *dir, struct listing *l, struct tc_error *err)
{
    memset(l, 0, sizeof *l);
    char *path = outdir_join(dir, OUTDIR_MARKER);
    l->text = path ? read_small_file(path) : NULL;
    int rc = l->text ? 0 : tc_fail(err, TC_EXIT_OUTPUT, "cannot read %s: %s",
                                    path ? path : OUTDIR_MARKER, strerror(errno));
    free(path);
    size_t hn = strlen(OUTDIR_MARKER_HEADER);
    if (rc == 0 && (strncmp(l->text, OUTDIR_MARKER_HEADER, hn) != 0 || l->text[hn] != '\n'))
        rc = 1;
    for (char *line = l->text, *next; rc == 0 && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        int folder = strncmp(line, "folder ", 7) == 0;
        const char *name = folder ? line + 7 : strncmp(line, "file ", 5) == 0 ? line + 5 : NULL;
        if (!name || !plain_name(name))
            continue; /* the header and the explanation */
        if (tc_resize((void **)&l->e, l->n + 1, sizeof *l->e) != 0)
            rc = outdir_oom(err);
        else
            l->e[l->n++] = (struct entry){name, folder};
    }
    if (rc == 0 && l->n > 1)
        qsort(l->e, l->n, sizeof *l->e, cmp_entry);
    if (rc != 0)
        outdir_listing_free(l);
    return rc;
}

/* Whether the listing names rel as what st is (a file as a file, a folder
 * as a folder: anything else, or a link, is not towncov's). */
int outdir_listed(const struct listing *l, const char *rel, const struct stat *st)
{
    struct entry key = {rel, 0};
    const struct entry *e = l->n ? bsearch(&key, l->e, l->n, sizeof *l->e, cmp_entry) : NULL;
    return e && (e->folder ? S_ISDIR(st->st_mode) : S_ISREG(st->st_mode));
}

int outdir_is_marker(const char *rel)
{
    return strcmp(rel, OUTDIR_MARKER) == 0;
}


static int list_entry(void *ctx, const char *root, const char *rel, const struct stat *st,
                      struct tc_error *err)
{
    (void)root;
    if (outdir_is_marker(rel))
        return 0;
    if (strchr(rel, '\n') || !plain_name(rel))
        return tc_fail(err, TC_EXIT_INTERNAL, "output name %s cannot be listed", rel);
    if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
        return tc_fail(err, TC_EXIT_INTERNAL, "output %s is neither a file nor a folder", rel);
    fprintf(ctx, "%s %s\n", S_ISDIR(st->st_mode) ? "folder" : "file", rel);
    return 0;
}

/* Appends every entry of tmp but the marker to the marker. */
int outdir_write_listing(const char *tmp, struct tc_error *err)
{
    char *path = outdir_join(tmp, OUTDIR_MARKER);
    FILE *f = path ? fopen(path, "a") : NULL;
    int rc;
    if (!f) {
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot write: %s", path ? path : tmp,
                     strerror(errno));
    } else {
        rc = outdir_walk(tmp, "", 0, list_entry, f, err);
        int close_rc = tc_fclose_checked(f, path, err);
        rc = rc != 0 ? rc : close_rc;
    }
    free(path);
    return rc;
}

static int remove_entry(void *ctx, const char *root, const char *rel, const struct stat *st,
                        struct tc_error *err)
{
    (void)err;
    if (outdir_is_marker(rel) || !outdir_listed(ctx, rel, st))
        return 0;
    char *full = outdir_join(root, rel);
    if (full)
        (void)(S_ISDIR(st->st_mode) ? rmdir(full) : unlink(full));
    free(full);
    return 0;
}

/* Removes from old, the earlier folder set aside, what its marker lists,
 * then the marker and old itself. Only what is there and listed goes (the
 * walk reads the folder, not the marker's names); anything else keeps old
 * standing, under its .old- name. */
void outdir_remove_listed(const char *old)
{
    struct listing l;
    if (outdir_listing_read(old, &l, NULL) == 0) {
        outdir_walk(old, "", 1, remove_entry, &l, NULL);
        outdir_listing_free(&l);
        char *marker = outdir_join(old, OUTDIR_MARKER);
        if (marker)
            unlink(marker);
        free(marker);
    }
    rmdir(old);
}

