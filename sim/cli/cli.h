/* cli.h — the command line (private to sim/cli/): one option table per
 * command, and the one parser, --help printer and documentation generator
 * that read those tables. `towncov COMMAND --help`, the man pages'
 * SYNOPSIS and OPTIONS, the README's command list and the bash completion
 * all come from the same table (`towncov help-doc`, `make docs`), so that
 * none of them can drift from what the parser accepts. */
#ifndef TOWNCOV_CLI_H
#define TOWNCOV_CLI_H

#include <stddef.h>
#include <stdio.h>

#define CLI_LIST_MAX 256 /* values of one repeatable option (--set, --vary) */

enum cli_type {
    CLI_FLAG, /* no value; int set to 1 */
    CLI_TEXT, /* const char * */
    CLI_LIST, /* repeatable text: struct cli_list */
    CLI_INT,  /* long, whole, min..max */
    CLI_NUM,  /* double, finite, min..max */
    CLI_POS   /* double, finite and > 0 */
};

struct cli_list {
    const char *v[CLI_LIST_MAX];
    int n;
};

struct cli_opt {
    const char *name;  /* long name without the dashes: "threads" */
    char short_name;   /* 'q', or 0 */
    enum cli_type type;
    const char *arg;   /* the value's name in help ("N"); NULL for flags */
    double min, max;   /* CLI_INT and CLI_NUM: inclusive range */
    size_t offset;     /* of the field in the command's argument struct */
    const char *doc;   /* help text; '\n' breaks the line */
};

/* The same --threads everywhere: one range, one text. */
#define CLI_THREADS_MAX 4096
#define CLI_OPT_THREADS(type, field)                                                          \
    {"threads", 0, CLI_INT, "N", 1, CLI_THREADS_MAX, offsetof(type, field),                   \
     "OpenMP threads (default: all cores); results do not\ndepend on it"}

struct cli_cmd {
    const char *name;            /* "run" */
    const char *const *synopsis; /* NULL-terminated forms, after "towncov NAME " */
    const char *summary;         /* one line: towncov --help, the README */
    const char *about;           /* what it does: --help and the man page */
    const struct cli_opt *opts;  /* ends with a {NULL} entry */
    const char *operand;         /* "SCENARIO" (one positional argument), or NULL */
    size_t operand_offset;       /* const char * in the argument struct */
    const char *notes;           /* after the options in --help, or NULL */
    int (*main)(int argc, char **argv); /* argv[0] is the command's name */
};

/* Every command, in the order the documentation lists them; NULL-ended. */
extern const struct cli_cmd *const cli_commands[];
const struct cli_cmd *cli_command(const char *name);

extern const struct cli_cmd cli_run_cmd, cli_link_cmd, cli_plan_cmd, cli_sweep_cmd,
    cli_mapgen_cmd, cli_demgen_cmd, cli_pathloss_cmd, cli_keys_cmd;

/* Parses argv (argv[0] = the command's name) into args, which the caller
 * zeroed and filled with defaults. Returns 0; -1 after printing --help on
 * stdout; or TC_EXIT_USAGE after printing one "towncov: error:" line.
 * Accepts "--name VALUE" and "--name=VALUE"; a mistyped option gets the
 * nearest one as "did you mean". */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args);

/* One "towncov: error: NAME: ..." line with a pointer to --help, on stderr;
 * returns TC_EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "towncov: error: MESSAGE" for a failure after parsing; returns the
 * error's exit status (TC_EXIT_INTERNAL when it has none). */
struct tc_error;
int cli_report(const struct tc_error *err);

/* Loads the libraries the scenario's outputs will use, before any work
 * (lazyload.c; include/towncov/lazyload.h). */
struct scenario;
void cli_preload(const struct scenario *scn);

/* A scenario path as given, or, when it does not exist and is relative,
 * the same path under the installed data folder (share/towncov), so that
 * an installed towncov runs `towncov run scenarios/jiangxi-65k.ini` from
 * anywhere. Returns path itself or buf. */
const char *cli_data_path(const char *path, char *buf, size_t size);

/* --help of one command, and the top-level usage. */
void cli_print_help(FILE *out, const struct cli_cmd *cmd);
void cli_print_usage(FILE *out);

/* `towncov help-doc BLOCK`: prints one generated block of the documents
 * (see cli/doc.c); returns the exit status. */
int cli_help_doc(int argc, char **argv);

/* The commands' entry points (argv[0] is the command's name). */
int cli_run(int argc, char **argv);
int cli_link(int argc, char **argv);
int cli_plan(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_mapgen(int argc, char **argv);
int cli_demgen(int argc, char **argv);
int cli_pathloss(int argc, char **argv);

#endif
