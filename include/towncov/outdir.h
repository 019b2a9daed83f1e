/* outdir.h — the output folder of every command that writes one (run,
 * mapgen): checked before any work, written as a temporary folder beside
 * it, swapped into place at the end. towncov never deletes what it did not
 * write: a folder is replaced only when it is empty or holds nothing but a
 * previous towncov output, recognised by the marker file OUTDIR_MARKER that
 * lists every entry towncov wrote there. */
#ifndef TOWNCOV_OUTDIR_H
#define TOWNCOV_OUTDIR_H

#include "towncov/common.h"

/* The marker written into every output folder; its first line is
 * OUTDIR_MARKER_HEADER, then the command, then one "file NAME" or
 * "folder NAME" line per entry written (NAME relative to the folder). */
#define OUTDIR_MARKER ".towncov-output"
#define OUTDIR_MARKER_HEADER "towncov output folder; safe to replace"

/* Whether `dir` may become the output folder; call it before any work, so
 * that a refusal costs nothing. Accepted: a path that does not exist yet
 * (its nearest existing parent being a folder), an empty folder, or a
 * towncov output whose every entry its marker lists. Refused (exit 7,
 * naming the folder and the reason): a file, a symbolic link, the root,
 * the current folder or one above it, the home folder or one above it, the
 * folder of any of the ninputs input files (NULL entries are skipped) or
 * one above it, and a folder holding anything towncov did not write.
 * Folders are compared by device and inode, not by name. */
int outdir_check(const char *dir, const char *const *inputs, int ninputs,
                 struct tc_error *err);

/* The files a command reads: every input of every command (the scenario,
 * each path-valued key of it, the command's own input options, each sweep
 * member's), gathered in one list so that one check protects them all.
 * Kept unique; paths as the command opens them. */
struct outdir_inputs {
    char **path;
    size_t n, cap;
    size_t n_unique; /* path[0..n_unique) is sorted and unique */
};

/* Adds `file` as the command opens it: relative to base_dir unless
 * absolute or base_dir is NULL, "" or "."; "" and NULL files are skipped.
 * Returns 0, or -1 when out of memory (err: exit 6). */
int outdir_inputs_add(struct outdir_inputs *in, const char *base_dir, const char *file,
                      struct tc_error *err);

/* Frees the list and empties it. */
void outdir_inputs_free(struct outdir_inputs *in);

/* outdir_check with every input of the list (which it sorts). */
int outdir_check_inputs(const char *dir, struct outdir_inputs *in, struct tc_error *err);

/* Creates the parents of dir and a fresh temporary folder beside it
 * ("DIR.tmp-XXXXXX") holding the marker's first lines, naming `command`
 * ("run", "mapgen"). *tmp receives its path (malloc'd), or NULL on error. */
int outdir_begin(const char *dir, const char *command, char **tmp, struct tc_error *err);

/* Lists what was written in *tmp into its marker, then swaps it into place
 * of dir: the earlier folder is moved aside, checked again (it must still
 * hold only what towncov wrote, else it is put back and the commit
 * refused), and after the new folder stands only the entries its marker
 * lists are removed. On success *tmp is freed and set to NULL; on failure
 * it is left for outdir_abort. */
int outdir_commit(char **tmp, const char *dir, struct tc_error *err);

/* What must succeed with the new folder for it to stay: it runs once the
 * new folder stands at dir and before the earlier one is removed (0, or
 * -1 with err set). */
typedef int (*outdir_last_fn)(void *ctx, struct tc_error *err);

/* outdir_commit, with last (when not NULL) run once the new folder stands
 * in place: when last fails, the new folder is taken back out to *tmp and
 * the earlier one put back, so that dir is as it was (else err says where
 * each is). The PostGIS commit is such a last step (pipeline_output.c). */
int outdir_commit_last(char **tmp, const char *dir, outdir_last_fn last, void *ctx,
                       struct tc_error *err);

/* Removes the temporary folder *tmp and frees it (nothing when NULL), so a
 * failed or interrupted command leaves the earlier folder as it was. */
void outdir_abort(char **tmp);

/* "dir/name", malloc'd; NULL when out of memory. */
char *outdir_join(const char *dir, const char *name);

#endif
