/* help.c — `towncov --help` and `towncov COMMAND --help`, printed from the
 * commands' option tables (cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct cli_cmd *const cli_commands[] = {
    &cli_run_cmd,  &cli_plan_cmd,     &cli_sweep_cmd, &cli_mapgen_cmd, &cli_demgen_cmd,
    &cli_link_cmd, &cli_pathloss_cmd, &cli_keys_cmd,  NULL};

const struct cli_cmd *cli_command(const char *name)
{
    for (int i = 0; cli_commands[i]; i++)
        if (strcmp(cli_commands[i]->name, name) == 0)
            return cli_commands[i];
    return NULL;
}

/* Prints text, each line after a newline indented by indent spaces. */
static void put_indented(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", indent, "");
    }
}

/* "--threads N", "-q, --quiet" */
static int option_label(const struct cli_opt *o, char *buf, size_t size)
{
    return snprintf(buf, size, "%s%s--%s%s%s", o->short_name ? "-" : "",
                    o->short_name ? (char[]){o->short_name, ',', ' ', 0} : "", o->name,
                    o->arg ? " " : "", o->arg ? o->arg : "");
}

#define HELP_COLUMN 26

static void print_option(FILE *out, const char *label, const char *doc)
{
    int n = fprintf(out, "  %s", label);
    if (n >= HELP_COLUMN) {
        fputc('\n', out);
        n = 0;
    }
    fprintf(out, "%*s", HELP_COLUMN - n, "");
    put_indented(out, doc, HELP_COLUMN);
    fputc('\n', out);
}

void cli_print_help(FILE *out, const struct cli_cmd *cmd)
{
    char label[128];
    for (int i = 0; cmd->synopsis[i]; i++) {
        int n = fprintf(out, "%s towncov %s%s", i ? "      " : "Usage:", cmd->name,
                        cmd->synopsis[i][0] ? " " : "");
        put_indented(out, cmd->synopsis[i], n);
        fputc('\n', out);
    }
    fprintf(out, "\n%s\n\nOptions:\n", cmd->about);
    for (const struct cli_opt *o = cmd->opts; o->name; o++) {
        option_label(o, label, sizeof label);
        print_option(out, label, o->doc);
    }
    print_option(out, "-h, --help", "this text");
    if (cmd->notes)
        fprintf(out, "\n%s\n", cmd->notes);
    fprintf(out, "\nSee man towncov-%s for more.\n", cmd->name);
}

void cli_print_usage(FILE *out)
{
    fputs("towncov — 5G base-station coverage of township-level units\n\nUsage:\n", out);
    for (int i = 0; cli_commands[i]; i++) {
        const struct cli_cmd *c = cli_commands[i];
        for (int k = 0; c->synopsis[k]; k++) {
            int n = fprintf(out, "  towncov %s%s", c->name, c->synopsis[k][0] ? " " : "");
            put_indented(out, c->synopsis[k], n);
            fputc('\n', out);
        }
    }
    fputs("  towncov --version       version, git revision, compiler, flags, libraries\n"
          "  towncov COMMAND --help  help on one command\n\nCommands:\n", out);
    for (int i = 0; cli_commands[i]; i++)
        fprintf(out, "  %-10s%s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fputs("\nExit status: 0 run completed (goal met or not: see the summary), 1 run completed\n"
          "and the goal is not met (only with run --fail-on-goal), 2 bad command line,\n"
          "3 bad scenario, 4 bad map, 5 bad sites file, 6 over a limit, 7 cannot write\n"
          "outputs, 8 internal error, 130 interrupted. See man towncov.\n", out);
}
