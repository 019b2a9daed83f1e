/* doc.c — `towncov help-doc BLOCK`: the generated parts of the documents,
 * printed from the option tables (cli.h) and the scenario key tables.
 * `make docs` (man/update.py) pastes each block between its markers in
 * man/, README.md and completion/; the tests fail when one is stale.
 *   man CMD      NAME, SYNOPSIS, DESCRIPTION and OPTIONS of towncov-CMD(1)
 *   man-index    towncov(1)'s SYNOPSIS: every command's forms
 *   keys-man     the key reference of towncov-scenario(5)
 *   commands-md  the README's command list
 *   completion   completion/towncov.bash */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/radio.h"
#include "towncov/scenario.h"

/* Text for roff: backslashes escaped, a leading dot or quote guarded,
 * non-ASCII as \[uXXXX] (groff reads the page as Latin-1 otherwise), and
 * '-' as \- when dashes is set (options, keys: copy-pasteable). */
static void roff(FILE *out, const char *s, int dashes)
{
    int bol = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (bol && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        bol = *p == '\n';
        if (*p == '\\') {
            fputs("\\e", out);
        } else if (*p == '-' && dashes) {
            fputs("\\-", out);
        } else if (*p < 0x80) {
            fputc(*p, out);
        } else { /* UTF-8: decode one code point */
            unsigned cp = *p, extra = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
            cp &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : 0x1f;
            for (unsigned k = 0; k < extra && (p[1] & 0xc0) == 0x80; k++)
                cp = cp << 6 | (*++p & 0x3f);
            fprintf(out, "\\[u%04X]", cp);
        }
    }
}

/* One paragraph of help text as roff: its line breaks become spaces. */
static void roff_para(FILE *out, const char *s)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = p[1] == '\n' ? '\n' : ' ';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        fputs(".PP\n", out);
        roff(out, line + strspn(line, " "), 0);
        fputc('\n', out);
    }
}

static void man_synopsis(FILE *out, const struct cli_cmd *c)
{
    for (int i = 0; c->synopsis[i]; i++) {
        fprintf(out, "%s\n\\fBtowncov %s\\fR", i ? ".br" : ".nf", c->name);
        char s[512];
        snprintf(s, sizeof s, "%s%s", c->synopsis[i][0] ? " " : "", c->synopsis[i]);
        roff(out, s, 1);
        fputc('\n', out);
    }
    fputs(".fi\n", out);
}

static void man_index(FILE *out)
{
    for (int i = 0; cli_commands[i]; i++)
        man_synopsis(out, cli_commands[i]);
    fputs(".nf\n\\fBtowncov \\-\\-version\\fR | \\fB\\-V\\fR\n"
          ".br\n\\fBtowncov\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n.fi\n", out);
}

static void man_command(FILE *out, const struct cli_cmd *c)
{
    fprintf(out, ".SH NAME\ntowncov\\-%s \\- ", c->name);
    roff(out, c->summary, 0);
    fputs("\n.SH SYNOPSIS\n", out);
    man_synopsis(out, c);
    fputs(".SH DESCRIPTION\n", out);
    roff_para(out, c->about);
    fputs(".SH OPTIONS\n", out);
    for (const struct cli_opt *o = c->opts; o->name; o++) {
        fputs(".TP\n", out);
        if (o->short_name)
            fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", out);
        roff(out, o->name, 1);
        fputs("\\fR", out);
        if (o->arg) {
            fputs(" \\fI", out);
            roff(out, o->arg, 1);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        char doc[1024];
        snprintf(doc, sizeof doc, "%s", o->doc);
        for (char *p = doc; *p; p++)
            if (*p == '\n')
                *p = ' ';
        roff(out, doc, 0);
        fputs(o->type == CLI_LIST && !strstr(o->doc, "repeatable") ? " Repeatable.\n" : "\n", out);
    }
    fputs(".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nprints the synopsis and the options.\n", out);
    if (c->notes) {
        fputs(".PP\n.nf\n", out);
        roff(out, c->notes, 0);
        fputs("\n.fi\n", out);
    }
}

static void man_keys(FILE *out)
{
    const char *section = "";
    const struct key_desc *d;
    for (size_t i = 0; (d = scenario_key_at(i)); i++) {
        if (strcmp(section, d->section) != 0) {
            section = d->section;
            fprintf(out, ".SS [%s]\n", section);
        }
        fputs(".TP\n\\fB", out);
        roff(out, d->name, 1);
        fprintf(out, "\\fR (%s; default \\fB", scenario_key_type_name(d));
        roff(out, d->def[0] ? d->def : "(empty)", 1);
        fputs("\\fR", out);
        if (d->unit[0]) {
            fputs("; ", out);
            roff(out, d->unit, 0);
        }
        fputs(")\n", out);
        roff(out, d->doc, 0);
        fputc('.', out);
        if (d->type == KEY_ENUM) {
            fputs(" One of:", out);
            for (int k = 0; d->choices[k]; k++) {
                fputs(k ? ", " : " ", out);
                roff(out, d->choices[k], 1);
            }
            fputc('.', out);
        } else if (d->type == KEY_INT || d->type == KEY_DOUBLE) {
            char range[96];
            snprintf(range, sizeof range, " Range %g to %g.", d->min, d->max);
            roff(out, range, 1);
        }
        fputc('\n', out);
    }
}

static void markdown_commands(FILE *out)
{
    fputs("| command | what it answers | manual |\n| --- | --- | --- |\n", out);
    for (int i = 0; cli_commands[i]; i++) {
        const struct cli_cmd *c = cli_commands[i];
        fprintf(out, "| `towncov %s` | %s | [towncov-%s(1)](man/towncov-%s.1) |\n", c->name,
                c->summary, c->name, c->name);
    }
}

/* The words completion offers after an option that takes value named arg. */
static const char *value_kind(const char *arg)
{
    if (strcmp(arg, "DIR") == 0)
        return "dir";
    if (strcmp(arg, "KEY") == 0 || strchr(arg, '='))
        return "key";
    if (strcmp(arg, "MODEL") == 0)
        return "model";
    if (strcmp(arg, "SHP") == 0 || strcmp(arg, "CSV") == 0 || strstr(arg, "FILE"))
        return "file";
    return "none";
}

static void completion(FILE *out)
{
    fputs("# bash completion for towncov. Generated by `towncov help-doc completion`\n"
          "# (make docs) from the option and key tables: do not edit.\n"
          "_towncov()\n{\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    local commands=\"", out);
    for (int i = 0; cli_commands[i]; i++)
        fprintf(out, "%s ", cli_commands[i]->name);
    fputs("--help --version\"\n    local keys=\"", out);
    const struct key_desc *d;
    for (size_t i = 0; (d = scenario_key_at(i)); i++)
        fprintf(out, "%s%s.%s", i ? " " : "", d->section, d->name);
    fputs("\"\n    local models=\"", out);
    for (int i = 0; radio_pathloss_names[i]; i++)
        fprintf(out, "%s%s", i ? " " : "", radio_pathloss_names[i]);
    fputs("\"\n    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n        return\n    fi\n"
          "    local opts=\"\" kind=\"\"\n    case \"${COMP_WORDS[1]}\" in\n", out);
    for (int i = 0; cli_commands[i]; i++) {
        const struct cli_cmd *c = cli_commands[i];
        fprintf(out, "    %s)\n        opts=\"--help", c->name);
        for (const struct cli_opt *o = c->opts; o->name; o++)
            fprintf(out, " --%s", o->name);
        fputs("\"\n        case \"$prev\" in\n", out);
        for (const struct cli_opt *o = c->opts; o->name; o++)
            if (o->arg)
                fprintf(out, "        --%s) kind=%s ;;\n", o->name, value_kind(o->arg));
        fputs("        esac ;;\n", out);
    }
    fputs("    esac\n"
          "    case \"$kind\" in\n"
          "    dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n"
          "    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); "
          "return ;;\n"
          "    model) COMPREPLY=($(compgen -W \"$models\" -- \"$cur\")); return ;;\n"
          "    key) compopt -o nospace 2>/dev/null\n"
          "         COMPREPLY=($(compgen -W \"$keys\" -- \"$cur\"))\n"
          "         [ \"$prev\" = --find-min ] || COMPREPLY=(\"${COMPREPLY[@]/%/=}\")\n"
          "         return ;;\n"
          "    none) return ;;\n"
          "    esac\n"
          "    if [[ \"$cur\" == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        compopt -o filenames 2>/dev/null\n"
          "        COMPREPLY=($(compgen -f -X '!*.ini' -- \"$cur\") $(compgen -d -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -F _towncov towncov\n", out);
}

int cli_help_doc(int argc, char **argv)
{
    const char *block = argc > 1 ? argv[1] : "";
    if (strcmp(block, "man") == 0 && argc > 2 && cli_command(argv[2]))
        man_command(stdout, cli_command(argv[2]));
    else if (strcmp(block, "man-index") == 0)
        man_index(stdout);
    else if (strcmp(block, "keys-man") == 0)
        man_keys(stdout);
    else if (strcmp(block, "commands-md") == 0)
        markdown_commands(stdout);
    else if (strcmp(block, "completion") == 0)
        completion(stdout);
    else
        return cli_usage_error(NULL, "help-doc needs one of: man COMMAND, man-index, keys-man, "
                                     "commands-md, completion");
    return ferror(stdout) ? TC_EXIT_OUTPUT : 0;
}
