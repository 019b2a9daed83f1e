/* main.c — dispatches `towncov COMMAND ...` to the command's entry point
 * (sim/cli/); every command's options live in its own option table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "towncov/buildinfo.h"
#include "towncov/common.h"

static int unknown_command(const char *cmd)
{
    const char *names[16];
    int n = 0;
    for (; cli_commands[n] && n < 16; n++)
        names[n] = cli_commands[n]->name;
    const char *near = tc_closest(cmd, names, n);
    if (near)
        return cli_usage_error(NULL, "unknown command '%s' (did you mean %s?)", cmd, near);
    return cli_usage_error(NULL, "unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(NULL, "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
        strcmp(cmd, "version") == 0) {
        tc_build_print(stdout);
        return 0;
    }
    if (strcmp(cmd, "help-doc") == 0) /* the generated documents: make docs */
        return cli_help_doc(argc - 1, argv + 1);
    const struct cli_cmd *c = cli_command(cmd);
    if (!c)
        return unknown_command(cmd);
    return c->main(argc - 1, argv + 1);
}
