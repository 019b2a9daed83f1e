/* outdir.c — the output folder: checked before any work, written beside,
 * swapped in at the end, and never a deletion of what towncov did not
 * write (see outdir.h). */
#include "outdir_internal.h"

#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "towncov/textenc.h"

#define REFUSE_HINT "not replacing it (choose another --out or empty it)"
/* The longest file name: NAME_MAX of Linux's file systems (ext4, xfs, tmpfs). */
#define NAME_LIMIT 255

/* ---- paths ------------------------------------------------------------------ */

char *outdir_join(const char *dir, const char *name)
{
    char *s = NULL;
    return asprintf(&s, "%s/%s", dir, name) < 0 ? NULL : s;
}

int outdir_oom(struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_OUTPUT, "out of memory");
}

/* dir without trailing slashes ("out/x/" would put the temporary folder
 * inside out/x, not beside it). */
static char *tidy(const char *dir)
{
    char *s = strdup(dir);
    size_t n = s ? strlen(s) : 0;
    while (n > 1 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

/* The last component of a tidy path. */
static const char *last_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether the folder `st` is `path` itself or one of the folders above it,
 * compared by device and inode along path's real (symlink-free) chain. */
static int is_at_or_above(const struct stat *st, const char *path)
{
    char *r = realpath(path, NULL);
    int hit = 0;
    for (char *end; r && !hit;) {
        struct stat s;
        hit = stat(r, &s) == 0 && same_file(st, &s);
        if (strcmp(r, "/") == 0)
            break;
        end = strrchr(r, '/');
        end[end == r ? 1 : 0] = '\0'; /* "/a" -> "/", "/a/b" -> "/a" */
    }
    free(r);
    return hit;
}

/* Whether the folder `st` holds `input` somewhere below it: the input's
 * folder as written, and the folder of the file it resolves to. */
static int holds_input(const struct stat *st, const char *input)
{
    char *copy = strdup(input);
    int hit = copy && is_at_or_above(st, dirname(copy));
    free(copy);
    char *real = hit ? NULL : realpath(input, NULL);
    if (real)
        hit = is_at_or_above(st, dirname(real));
    free(real);
    return hit;
}

/* ---- checks ------------------------------------------------------------------ */

struct check_ctx {
    const struct listing *l;
    const char *shown; /* the folder as the user named it */
};

static int check_entry(void *ctx, const char *root, const char *rel, const struct stat *st,
                       struct tc_error *err)
{
    (void)root;
    const struct check_ctx *c = ctx;
    if (outdir_is_marker(rel) || outdir_listed(c->l, rel, st))
        return 0;
    return tc_fail(err, TC_EXIT_OUTPUT, "%s holds %s, which towncov did not write: " REFUSE_HINT,
                   c->shown, rel);
}

/* dir may be replaced when empty, or when it has a towncov marker listing
 * every entry it holds; messages name it as `shown`. */
static int check_contents(const char *dir, const char *shown, struct tc_error *err)
{
    char **names;
    size_t n;
    if (outdir_list_names(dir, &names, &n, err) != 0)
        return -1;
    if (n == 0) {
        outdir_names_free(&names, n);
        return 0;
    }
    /* The entry a refusal of an unmarked folder names. */
    char *first_copy = strdup(outdir_is_marker(names[0]) && n > 1 ? names[1] : names[0]);
    outdir_names_free(&names, n);
    if (!first_copy)
        return outdir_oom(err);
    struct listing l;
    char *marker = outdir_join(dir, OUTDIR_MARKER);
    struct stat st;
    int has_marker = marker && lstat(marker, &st) == 0 && S_ISREG(st.st_mode);
    free(marker);
    int rc = has_marker ? outdir_listing_read(dir, &l, err) : 1;
    if (rc == 1 && has_marker)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s holds a %s that towncov did not write (it does "
                     "not begin '%s'): " REFUSE_HINT, shown, OUTDIR_MARKER, OUTDIR_MARKER_HEADER);
    else if (rc == 1)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s holds %s and no %s marker, so towncov did not "
                     "write it: " REFUSE_HINT, shown, first_copy, OUTDIR_MARKER);
    free(first_copy);
    if (rc != 0)
        return -1;
    struct check_ctx c = {&l, shown};
    rc = outdir_walk(dir, "", 0, check_entry, &c, err);
    outdir_listing_free(&l);
    return rc;
}

/* What an existing path must be: a real folder, not a link to one (that
 * would swap the link and delete in the folder it points to) nor a file. */
static int check_kind(const char *dir, const struct stat *lst, struct tc_error *err)
{
    if (S_ISLNK(lst->st_mode))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is a symbolic link: not replacing it (give the "
                       "folder it points to, or another --out)", dir);
    if (S_ISREG(lst->st_mode))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is a file: not replacing it with a folder "
                       "(choose another --out)", dir);
    if (!S_ISDIR(lst->st_mode))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is not a folder: not replacing it (choose "
                       "another --out)", dir);
    return 0;
}

/* Folders never replaced whatever they hold: those whose removal takes the
 * current folder, the home folder or an input file with it. */
static int check_protected(const char *dir, const struct stat *st, const char *const *inputs,
                           int ninputs, struct tc_error *err)
{
    struct stat root;
    if (stat("/", &root) == 0 && same_file(st, &root))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is the root folder: not replacing it (choose "
                       "another --out)", dir);
    if (is_at_or_above(st, "."))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is the current folder or one above it: not "
                       "replacing it (choose another --out)", dir);
    const char *home = getenv("HOME");
    if (home && home[0] && is_at_or_above(st, home))
        return tc_fail(err, TC_EXIT_OUTPUT, "%s is the home folder or one above it: not "
                       "replacing it (choose another --out)", dir);
    for (int i = 0; i < ninputs; i++)
        if (inputs[i] && holds_input(st, inputs[i]))
            return tc_fail(err, TC_EXIT_OUTPUT, "%s holds the input %s: not replacing it "
                           "(choose another --out)", dir, inputs[i]);
    const char *last = last_part(dir);
    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s ends in '%s': name the folder itself", dir,
                       last);
    return 0;
}

/* A folder that does not exist yet will be made: its nearest existing
 * parent must be a folder, else the run would fail only at the end. */
static int check_creatable(const char *dir, struct tc_error *err)
{
    const char *last = last_part(dir);
    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s ends in '%s': name the folder itself", dir,
                       last);
    char *p = strdup(dir);
    if (!p)
        return outdir_oom(err);
    int rc = 0;
    for (;;) {
        char *slash = strrchr(p, '/');
        if (!slash) {
            strcpy(p, ".");
        } else {
            slash[slash == p ? 1 : 0] = '\0';
        }
        struct stat st;
        if (stat(p, &st) == 0) {
            if (!S_ISDIR(st.st_mode))
                rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot make %s: %s is not a folder", dir, p);
            break;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot make %s: %s: %s", dir, p, strerror(errno));
            break;
        }
        if (strcmp(p, ".") == 0 || strcmp(p, "/") == 0)
            break;
    }
    free(p);
    return rc;
}

/* An existing dir: what it is, whether it is one never replaced, then
 * what it holds. */
static int check_existing(const char *dir, const struct stat *lst, const char *const *inputs,
                          int ninputs, struct tc_error *err)
{
    struct stat st;
    if (check_kind(dir, lst, err) != 0)
        return -1;
    if (stat(dir, &st) != 0)
        return tc_fail(err, TC_EXIT_OUTPUT, "cannot use %s: %s", dir, strerror(errno));
    if (check_protected(dir, &st, inputs, ninputs, err) != 0)
        return -1;
    return check_contents(dir, dir, err);
}

/* A name the file system cannot hold would fail only when the results are
 * moved in, after the work: refused first. */
static int check_name(const char *dir, struct tc_error *err)
{
    size_t n = strlen(last_part(dir));
    if (n > NAME_LIMIT)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: a name of %zu bytes; a folder's name has at "
                       "most %d (choose a shorter --out)", dir, n, NAME_LIMIT);
    if (strlen(dir) + 16 >= PATH_MAX)
        return tc_fail(err, TC_EXIT_OUTPUT, "%.80s...: a path of %zu bytes; at most %d (choose "
                       "a shorter --out)", dir, strlen(dir), PATH_MAX - 16);
    return 0;
}

int outdir_check(const char *dir, const char *const *inputs, int ninputs,
                 struct tc_error *err)
{
    if (!dir || !dir[0])
        return tc_fail(err, TC_EXIT_OUTPUT, "no output folder given");
    char *d = tidy(dir);
    if (!d)
        return outdir_oom(err);
    struct stat lst;
    int rc;
    if (check_name(d, err) != 0)
        rc = -1;
    else if (lstat(d, &lst) == 0)
        rc = check_existing(d, &lst, inputs, ninputs, err);
    else if (errno == ENOENT || errno == ENOTDIR)
        rc = check_creatable(d, err);
    else
        rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot use %s: %s", d, strerror(errno));
    free(d);
    return rc;
}

/* ---- the inputs ------------------------------------------------------------ */

/* Sorts the list and drops repeats: a sweep adds each member's inputs,
 * which are mostly the same few files. */
static void inputs_compact(struct outdir_inputs *in)
{
    if (in->n > 1)
        qsort(in->path, in->n, sizeof *in->path, outdir_cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (k > 0 && strcmp(in->path[k - 1], in->path[i]) == 0)
            free(in->path[i]);
        else
            in->path[k++] = in->path[i];
    }
    in->n = in->n_unique = k;
}

int outdir_inputs_add(struct outdir_inputs *in, const char *base_dir, const char *file,
                      struct tc_error *err)
{
    if (!file || !file[0])
        return 0;
    int joined = file[0] != '/' && base_dir && base_dir[0] && strcmp(base_dir, ".") != 0;
    char *s = joined ? outdir_join(base_dir, file) : strdup(file);
    if (!s || tc_reserve((void **)&in->path, &in->cap, in->n + 1, sizeof *in->path) != 0) {
        free(s);
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
    }
    in->path[in->n++] = s;
    if (in->n >= 2 * in->n_unique + 64) /* amortised: linear in what is added */
        inputs_compact(in);
    return 0;
}

void outdir_inputs_free(struct outdir_inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free(in->path[i]);
    free(in->path);
    memset(in, 0, sizeof *in);
}

int outdir_check_inputs(const char *dir, struct outdir_inputs *in, struct tc_error *err)
{
    inputs_compact(in);
    if (in->n > INT_MAX)
        return tc_fail(err, TC_EXIT_RESOURCE, "too many input files");
    return outdir_check(dir, (const char *const *)in->path, (int)in->n, err);
}

/* ---- the transaction --------------------------------------------------------- */

static int make_parents(const char *dir, struct tc_error *err)
{
    char *buf = strdup(dir);
    if (!buf)
        return outdir_oom(err);
    int rc = 0;
    for (char *p = buf + 1; rc == 0 && *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot create folder: %s", buf,
                         strerror(errno));
        *p = '/';
    }
    free(buf);
    return rc;
}

/* A fresh folder "<dir><suffix>XXXXXX" beside dir, with the permissions a
 * mkdir would give (mkdtemp makes it private). */
static char *make_beside(const char *dir, const char *suffix, struct tc_error *err)
{
    /* A name near the file system's limit is cut (on a character) so that
     * the staging name fits: "DIR.tmp-XXXXXX" must stay a valid name. */
    const char *last = last_part(dir);
    size_t keep = strlen(last), room = NAME_LIMIT - strlen(suffix) - 6;
    if (keep > room)
        keep = textenc_utf8_prefix(last, keep, room);
    char *path = NULL;
    if (asprintf(&path, "%.*s%.*s%sXXXXXX", (int)(last - dir), dir, (int)keep, last,
                 suffix) < 0) {
        outdir_oom(err);
        return NULL;
    }
    if (!mkdtemp(path)) {
        tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot create folder: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    mode_t mask = umask(0); /* reading the umask means setting it: put it back */
    umask(mask);
    chmod(path, 0777 & ~mask);
    return path;
}

static int write_header(const char *tmp, const char *command, struct tc_error *err)
{
    char *path = outdir_join(tmp, OUTDIR_MARKER);
    FILE *f = path ? fopen(path, "w") : NULL;
    int rc;
    if (!f) {
        rc = tc_fail(err, TC_EXIT_OUTPUT, "%s: cannot create: %s", path ? path : tmp,
                     strerror(errno));
    } else {
        fprintf(f, "%s\nwritten by: towncov %s\n"
                   "towncov replaces this folder only while it holds nothing but this marker\n"
                   "and the entries listed below; anything else makes it refuse.\n",
                OUTDIR_MARKER_HEADER, command);
        rc = tc_fclose_checked(f, path, err);
    }
    free(path);
    return rc;
}

int outdir_begin(const char *dir, const char *command, char **tmp, struct tc_error *err)
{
    *tmp = NULL;
    char *d = tidy(dir);
    if (!d)
        return outdir_oom(err);
    char *t = make_parents(d, err) == 0 ? make_beside(d, ".tmp-", err) : NULL;
    free(d);
    if (!t)
        return -1;
    if (write_header(t, command, err) != 0) {
        outdir_abort(&t);
        return -1;
    }
    *tmp = t;
    return 0;
}

/* Moves the existing dir aside to a fresh name and checks it there, where
 * nothing else writes any more; puts it back when it is not towncov's.
 * Returns 1 (nothing moved) when dir went away meanwhile: another
 * command's commit set it aside first. */
static int set_aside(const char *dir, const struct stat *lst, char **old, struct tc_error *err)
{
    struct stat st;
    if (check_kind(dir, lst, err) != 0)
        return -1;
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 1 : tc_fail(err, TC_EXIT_OUTPUT, "cannot use %s: %s", dir,
                                             strerror(errno));
    if (check_protected(dir, &st, NULL, 0, err) != 0)
        return -1;
    *old = make_beside(dir, ".old-", err);
    if (!*old)
        return -1;
    if (rename(dir, *old) != 0) {
        int e = errno;
        rmdir(*old);
        free(*old);
        *old = NULL;
        return e == ENOENT ? 1 : tc_fail(err, TC_EXIT_OUTPUT, "cannot move %s aside: %s", dir,
                                         strerror(e));
    }
    if (check_contents(*old, dir, err) == 0)
        return 0;
    if (rename(*old, dir) != 0 && err) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (and it could not be put back: it is %s)",
                 *old);
    }
    free(*old);
    *old = NULL;
    return -1;
}

/* Commits racing into one folder (two runs at once) each set aside what
 * stands there and try again, this many times at most. */
#define COMMIT_TRIES 64

/* After a failed commit: the newest folder set aside goes back when dir
 * is free (else it is said where it is); older ones, outputs another
 * commit replaced meanwhile, go as a commit's would. */
static void put_back(char **olds, int n, const char *dir, struct tc_error *err)
{
    for (int i = 0; i < n - 1; i++)
        outdir_remove_listed(olds[i]);
    if (n > 0 && rename(olds[n - 1], dir) != 0 && err) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (the earlier folder is now %s)",
                 olds[n - 1]);
    }
}

/* The new folder stands at d, the earlier ones aside in olds: last's
 * failure takes the new folder back out to tmp (outdir_abort removes it)
 * and the earlier one back in, so that both stay as they were. */
static int commit_last(const char *tmp, const char *d, outdir_last_fn last, void *ctx,
                       char **olds, int n_olds, struct tc_error *err)
{
    if (!last || last(ctx, err) == 0)
        return 0;
    if (rename(d, tmp) != 0) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (and the new results could not be "
                 "taken back out of %s: %s)", d, strerror(errno));
    }
    put_back(olds, n_olds, d, err); /* says where the earlier one is when d is taken */
    return -1;
}

int outdir_commit(char **tmp, const char *dir, struct tc_error *err)
{
    return outdir_commit_last(tmp, dir, NULL, NULL, err);
}

int outdir_commit_last(char **tmp, const char *dir, outdir_last_fn last, void *ctx,
                       struct tc_error *err)
{
    char *d = tidy(dir), *olds[COMMIT_TRIES];
    if (!d)
        return outdir_oom(err);
    int n_olds = 0, rc = outdir_write_listing(*tmp, err), moved = 0;
    /* Whatever stands at d is set aside, then tmp takes its place; when
     * another command's commit lands in between (d gone before it could be
     * set aside, or back before tmp could move), round again. */
    for (int attempt = 0; rc == 0 && !moved && attempt < COMMIT_TRIES; attempt++) {
        struct stat lst;
        char *old = NULL;
        int aside = lstat(d, &lst) == 0 ? set_aside(d, &lst, &old, err) : 1;
        if (aside < 0) {
            rc = -1;
            break;
        }
        if (old)
            olds[n_olds++] = old;
        if (rename(*tmp, d) == 0) {
            moved = 1;
        } else if ((errno != ENOTEMPTY && errno != EEXIST) || attempt + 1 == COMMIT_TRIES) {
            rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot move the results into %s: %s", d,
                         strerror(errno));
        } else {
            /* Another command's commit landed in between: back off a little,
             * longer each round and apart by process, so that two commits
             * racing in step fall out of step. */
            struct timespec pause = {0, (long)(attempt + 1) * 100000L * (1 + getpid() % 7)};
            nanosleep(&pause, NULL);
        }
    }
    if (rc == 0 && !moved)
        rc = tc_fail(err, TC_EXIT_OUTPUT, "cannot move the results into %s: other commands "
                     "keep writing it", d);
    int put = 0;
    if (rc == 0 && commit_last(*tmp, d, last, ctx, olds, n_olds, err) != 0)
        rc = put = -1; /* the earlier folder is back */
    if (rc == 0) {
        for (int i = 0; i < n_olds; i++)
            outdir_remove_listed(olds[i]);
        free(*tmp);
        *tmp = NULL;
    } else if (!put) {
        put_back(olds, n_olds, d, err);
    }
    for (int i = 0; i < n_olds; i++)
        free(olds[i]);
    free(d);
    return rc;
}

static int remove_any(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void outdir_abort(char **tmp)
{
    if (!*tmp)
        return;
    /* A folder of towncov's own making (mkdtemp), written only by it. */
    nftw(*tmp, remove_any, 16, FTW_DEPTH | FTW_PHYS);
    free(*tmp);
    *tmp = NULL;
}
