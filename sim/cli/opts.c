/* opts.c — the one argv parser: reads a command's option table (cli.h),
 * fills its argument struct and reports the first bad argument as one
 * "towncov: error:" line. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "towncov/buildinfo.h"
#include "towncov/common.h"

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "towncov: error: %s: %s (see towncov %s --help)\n", cmd->name, msg,
                cmd->name);
    else
        fprintf(stderr, "towncov: error: %s (see towncov --help)\n", msg);
    return TC_EXIT_USAGE;
}

int cli_report(const struct tc_error *err)
{
    fprintf(stderr, "towncov: error: %s\n", err->msg);
    return err->exit_code ? err->exit_code : TC_EXIT_INTERNAL;
}

/* The option whose long name is the n bytes at name, or whose short name
 * is c (when n == 0). */
static const struct cli_opt *find_opt(const struct cli_cmd *cmd, const char *name, size_t n,
                                      char c)
{
    for (const struct cli_opt *o = cmd->opts; o->name; o++)
        if (n ? strlen(o->name) == n && strncmp(o->name, name, n) == 0
              : o->short_name && o->short_name == c)
            return o;
    return NULL;
}

static int unknown_option(const struct cli_cmd *cmd, const char *arg)
{
    const char *names[64];
    char dashed[64][40];
    int n = 0;
    for (const struct cli_opt *o = cmd->opts; o->name && n < 64; o++, n++) {
        snprintf(dashed[n], sizeof dashed[n], "--%s", o->name);
        names[n] = dashed[n];
    }
    snprintf(dashed[n], sizeof dashed[n], "--help");
    names[n] = dashed[n];
    n++;
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)strcspn(arg, "="), arg);
    const char *near = tc_closest(word, names, n);
    if (near)
        return cli_usage_error(cmd, "unknown option '%s' (did you mean %s?)", word, near);
    return cli_usage_error(cmd, "unknown option '%s'", word);
}

static int bad_value(const struct cli_cmd *cmd, const struct cli_opt *o, const char *v)
{
    switch (o->type) {
    case CLI_INT:
        return cli_usage_error(cmd, "--%s needs a whole number from %.15g to %.15g, not '%s'",
                               o->name, o->min, o->max, v);
    case CLI_NUM:
        return cli_usage_error(cmd, "--%s needs a number from %g to %g, not '%s'", o->name,
                               o->min, o->max, v);
    case CLI_POS:
        return cli_usage_error(cmd, "--%s needs a positive number, not '%s'", o->name, v);
    default:
        return cli_usage_error(cmd, "--%s: too many values (at most %d)", o->name,
                               CLI_LIST_MAX);
    }
}

/* Stores value v of option o into args; 0, or the exit status. */
static int store(const struct cli_cmd *cmd, const struct cli_opt *o, const char *v, void *args)
{
    char *field = (char *)args + o->offset;
    char *end;
    double x;
    switch (o->type) {
    case CLI_FLAG:
        *(int *)field = 1;
        return 0;
    case CLI_TEXT:
        *(const char **)field = v;
        return 0;
    case CLI_LIST: {
        struct cli_list *l = (struct cli_list *)field;
        if (l->n == CLI_LIST_MAX)
            return bad_value(cmd, o, v);
        l->v[l->n++] = v;
        return 0;
    }
    case CLI_INT:
        x = strtod(v, &end);
        if (end == v || *end || !(x >= o->min && x <= o->max) || x != floor(x))
            return bad_value(cmd, o, v);
        *(long *)field = (long)x;
        return 0;
    case CLI_NUM:
    case CLI_POS:
        x = strtod(v, &end);
        if (end == v || *end || !isfinite(x) ||
            (o->type == CLI_NUM ? !(x >= o->min && x <= o->max) : !(x > 0)))
            return bad_value(cmd, o, v);
        *(double *)field = x;
        return 0;
    }
    return 0;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *args)
{
    const char **operand = cmd->operand ? (const char **)((char *)args + cmd->operand_offset)
                                        : NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_print_help(stdout, cmd);
            return -1;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (!operand)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            if (*operand)
                return cli_usage_error(cmd, "more than one %s given: '%s'", cmd->operand, a);
            *operand = a;
            continue;
        }
        const char *name = a + (a[1] == '-' ? 2 : 1);
        size_t n = a[1] == '-' ? strcspn(name, "=") : 0;
        const struct cli_opt *o = find_opt(cmd, name, n, a[1] == '-' || a[2] ? 0 : a[1]);
        if (!o || (a[1] != '-' && a[2]))
            return unknown_option(cmd, a);
        const char *v = NULL;
        if (o->type != CLI_FLAG) {
            if (n && name[n] == '=')
                v = name + n + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else
                return cli_usage_error(cmd, "--%s needs a value (%s)", o->name, o->arg);
        } else if (n && name[n] == '=') {
            return cli_usage_error(cmd, "--%s takes no value", o->name);
        }
        int rc = store(cmd, o, v, args);
        if (rc)
            return rc;
    }
    if (operand && !*operand)
        return cli_usage_error(cmd, "no %s given", cmd->operand);
    return 0;
}

const char *cli_data_path(const char *path, char *buf, size_t size)
{
    if (path[0] == '/' || access(path, F_OK) == 0)
        return path;
    const char *dir = getenv("TOWNCOV_DATADIR");
    if (!dir || !dir[0])
        dir = tc_build_info()->datadir;
    int n = snprintf(buf, size, "%s/%s", dir, path);
    if (n < 0 || (size_t)n >= size || access(buf, F_OK) != 0)
        return path;
    return buf;
}
