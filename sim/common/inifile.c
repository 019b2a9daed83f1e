/* inifile.c — the one INI reader (see inifile.h): libinih's parser fed by
 * a line reader that counts lines, bounds their length and refuses a key
 * written after a section's name on its line (libinih ignores that text). */
#include "towncov/inifile.h"

#include <ini.h>
#include <string.h>

/* State of one ini_parse_stream call. */
struct ini_state {
    FILE *f;
    const char *path;
    int exit_code;
    int line;        /* of the line libinih last read */
    enum { LINE_OK, LINE_LONG, LINE_SECTION_TAIL } bad; /* that line refused */
    int stopped;     /* the handler refused: err holds its message */
    inifile_handler handler;
    void *user;
    struct tc_error *err;
};

/* Whether the text after a section's "]" holds more than blanks and a
 * comment ("[goal] ; text" is a comment, "[goal] key = 1" is not). */
static int section_has_tail(const char *line)
{
    line += strspn(line, " \t");
    if (*line != '[')
        return 0;
    const char *close = strchr(line, ']');
    if (!close)
        return 0; /* libinih reports the syntax error */
    const char *tail = close + 1 + strspn(close + 1, " \t\r\n");
    return *tail && *tail != ';' && *tail != '#';
}

/* fgets for libinih, counting lines and refusing those it would cut or
 * misread; NULL (end of input) once a line or the handler failed. */
static char *read_line(char *str, int num, void *stream)
{
    struct ini_state *st = stream;
    if (st->bad || st->stopped || !fgets(str, num, st->f))
        return NULL;
    st->line++;
    size_t len = strlen(str);
    int newline = len > 0 && str[len - 1] == '\n';
    int filled = !newline && len + 1 == (size_t)num;
    if (len - (size_t)newline > INIFILE_LINE_LIMIT || (filled && !feof(st->f)))
        st->bad = LINE_LONG;
    else if (section_has_tail(str))
        st->bad = LINE_SECTION_TAIL;
    return st->bad ? NULL : str;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    if (st->stopped)
        return 0;
    st->stopped = st->handler(st->user, section, name, value, st->line, st->err) != 0;
    return !st->stopped;
}

int inifile_read(const char *path, const char *what, int exit_code, inifile_handler handler,
                 void *user, struct tc_error *err)
{
    const char *why;
    struct ini_state st = {.path = path, .exit_code = exit_code, .handler = handler,
                           .user = user, .err = err};
    if (!(st.f = tc_fopen_regular(path, &why)))
        return tc_fail(err, exit_code, "%s: cannot open %s: %s", path, what, why);
    int line = ini_parse_stream(read_line, &st, on_key, &st);
    int read_error = ferror(st.f);
    fclose(st.f);
    if (st.stopped)
        return -1;
    if (st.bad == LINE_LONG)
        return tc_fail(err, exit_code, "%s:%d: line longer than %d characters (shorten the "
                       "value)", path, st.line, INIFILE_LINE_LIMIT);
    if (st.bad == LINE_SECTION_TAIL)
        return tc_fail(err, exit_code, "%s:%d: text after the section's name (write each key = "
                       "value on a line of its own)", path, st.line);
    if (read_error)
        return tc_fail(err, exit_code, "%s:%d: cannot read %s", path, st.line + 1, what);
    if (line == -2)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory while reading the %s", path,
                       what);
    if (line != 0)
        return tc_fail(err, exit_code, "%s:%d: syntax error (expected [section] or key = "
                       "value)", path, line);
    return 0;
}
