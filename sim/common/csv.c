/* csv.c — the CSV reader (see csv.h). */
#include "towncov/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "towncov/textenc.h"

#define SCAN_CHUNK 65536 /* bytes per read of the encoding scan */
#define HEADER_QUOTE_MAX 300

/* A growing byte buffer. */
struct buf {
    char *p;
    size_t n, cap;
};

struct csv_reader {
    FILE *f;
    char *path;
    char encoding[TEXTENC_NAME_MAX]; /* "" = decided per field */
    char key[128];                   /* the encoding setting, for advice */
    int exit_code;
    unsigned char pending[3];        /* bytes read ahead by the BOM check */
    int npending;
    long lineno;                     /* physical line of the next byte */
    long char_line;                  /* physical line of the byte just read */
    int prev;                        /* the byte just read */
    int after_cr;                    /* the last record ended with CR */
    long line;                       /* the current record's first line */
    struct buf raw;                  /* the current record's bytes */
    size_t *fstart, *fend;           /* its fields in raw */
    size_t *foff;                    /* its decoded fields in text */
    int nf, fcap;
    struct buf text;                 /* decoded fields, NUL-terminated */
    char **field;                    /* pointers into text */
    char **col;                      /* header names */
    int ncols;
    long header_line;
    char *header_text;
};

/* ---- small helpers ------------------------------------------------------- */

static int buf_grow(struct buf *b, size_t more)
{
    if (b->cap - b->n >= more)
        return 0;
    return tc_reserve((void **)&b->p, &b->cap, b->n + more, 1);
}

static int buf_put(struct buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n + 1) != 0)
        return -1;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

static int buf_putc(struct buf *b, char c)
{
    return buf_put(b, &c, 1);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* How many bytes of a quoted text to show: at most max, whole characters. */
static int shown(const char *s, size_t max)
{
    return (int)textenc_utf8_prefix(s, strlen(s), max);
}

const char *csv_path(const struct csv_reader *r) { return r->path; }
const char *csv_encoding(const struct csv_reader *r) { return r->encoding; }
int csv_ncols(const struct csv_reader *r) { return r->ncols; }
const char *csv_col_name(const struct csv_reader *r, int i) { return r->col[i]; }
const char *csv_header_text(const struct csv_reader *r)
{
    return r->header_text ? r->header_text : "";
}
long csv_header_line(const struct csv_reader *r) { return r->header_line; }
int csv_nfields(const struct csv_reader *r) { return r->nf; }
long csv_line(const struct csv_reader *r) { return r->line; }

const char *csv_field(const struct csv_reader *r, int i)
{
    return i >= 0 && i < r->nf ? r->field[i] : "";
}

int csv_column(const struct csv_reader *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcasecmp(r->col[i], name) == 0)
            return i;
    return -1;
}

int csv_fail(const struct csv_reader *r, struct tc_error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tc_fail(err, r->exit_code, "%s:%ld: %s", r->path, r->line, msg);
}

void csv_close(struct csv_reader **pr)
{
    struct csv_reader *r = *pr;
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    for (int i = 0; i < r->ncols; i++)
        free(r->col[i]);
    free(r->col);
    free(r->header_text);
    free(r->path);
    free(r->raw.p);
    free(r->text.p);
    free(r->fstart);
    free(r->fend);
    free(r->foff);
    free(r->field);
    free(r);
    *pr = NULL;
}

/* ---- the encoding -------------------------------------------------------- */

/* Bytes at the end of s[0..len) that start a UTF-8 character the chunk cut
 * short (0 to 3): they are checked with the next chunk. */
static size_t utf8_tail(const unsigned char *s, size_t len)
{
    for (size_t k = 1; k <= 3 && k <= len; k++) {
        unsigned char b = s[len - k];
        if (b < 0x80)
            return 0;
        if (b >= 0xC0) {
            size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            return need > k ? k : 0;
        }
    }
    return 0;
}

/* Whether the rest of the file is valid UTF-8, read chunk by chunk (a
 * character may straddle two chunks). -1 on a read error. */
static int rest_is_utf8(FILE *f)
{
    unsigned char *chunk = malloc(SCAN_CHUNK + 4);
    if (!chunk)
        return -1;
    size_t carry = 0;
    int ok = 1;
    for (;;) {
        size_t n = fread(chunk + carry, 1, SCAN_CHUNK, f);
        if (n == 0) {
            ok = ferror(f) ? -1 : carry == 0; /* a character cut by the end */
            break;
        }
        size_t len = carry + n, keep = utf8_tail(chunk, len);
        if (!textenc_valid_utf8((const char *)chunk, len - keep)) {
            ok = 0;
            break;
        }
        memmove(chunk, chunk + len - keep, keep);
        carry = keep;
    }
    free(chunk);
    return ok;
}

/* Spreadsheets also save "Unicode text" (UTF-16): it reads as garbage with
 * NUL bytes, so it is named instead. */
static int check_bom(struct csv_reader *r, int *bom, struct tc_error *err)
{
    int c;
    while (r->npending < 3 && (c = getc(r->f)) != EOF)
        r->pending[r->npending++] = (unsigned char)c;
    const unsigned char *p = r->pending;
    *bom = r->npending == 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
    if (*bom)
        r->npending = 0;
    if (r->npending >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return tc_fail(err, r->exit_code, "%s: UTF-16 text (a spreadsheet's \"Unicode text\"); "
                       "save it as \"CSV UTF-8\" or plain CSV", r->path);
    return 0;
}

/* A named encoding must write the delimiters as ASCII does, or splitting on
 * the bytes of ',' '"' CR LF would cut its characters. */
static int check_ascii_compatible(const struct csv_reader *r, struct tc_error *err)
{
    static const char probe[] = "\",\r\nAz09-.";
    char *text = textenc_decode(r->encoding, probe, sizeof probe - 1, NULL);
    int ok = text && strcmp(text, probe) == 0;
    free(text);
    return ok ? 0 : tc_fail(err, r->exit_code, "%s: encoding %s does not write commas, quotes "
                            "and line ends as ASCII does; a CSV cannot be read in it", r->path,
                            r->encoding);
}

/* The encoding fields are decoded from: a BOM's UTF-8, the caller's, or a
 * scan of the whole file (then the reading starts over). */
static int choose_encoding(struct csv_reader *r, const char *asked, struct tc_error *err)
{
    int bom;
    if (check_bom(r, &bom, err) != 0)
        return -1;
    if (bom && asked[0] && strcmp(asked, "UTF-8") != 0)
        return tc_fail(err, r->exit_code, "%s: the file starts with a UTF-8 byte-order mark, "
                       "but its encoding is set to %s%s%s", r->path, asked,
                       r->key[0] ? "; set " : "", r->key[0] ? r->key : "");
    if (bom || asked[0]) {
        snprintf(r->encoding, sizeof r->encoding, "%s", bom ? "UTF-8" : asked);
        return strcmp(r->encoding, "UTF-8") == 0 ? 0 : check_ascii_compatible(r, err);
    }
    if (fseek(r->f, 0, SEEK_SET) != 0) {
        r->encoding[0] = '\0'; /* a pipe: guessed field by field */
        return 0;
    }
    r->npending = 0;
    int utf8 = rest_is_utf8(r->f);
    if (utf8 < 0 || fseek(r->f, 0, SEEK_SET) != 0)
        return tc_fail(err, r->exit_code, "%s: cannot read: %s", r->path, strerror(errno));
    snprintf(r->encoding, sizeof r->encoding, "%s", utf8 ? "UTF-8" : "GB18030");
    return 0;
}

/* ---- records -------------------------------------------------------------- */

/* The next byte, counting physical lines (CRLF, LF and a lone CR each end
 * one). */
static int next_byte(struct csv_reader *r)
{
    int c;
    if (r->npending) {
        c = r->pending[0];
        memmove(r->pending, r->pending + 1, (size_t)--r->npending);
    } else {
        c = getc_unlocked(r->f);
    }
    r->char_line = r->lineno;
    if (c == '\r' || (c == '\n' && r->prev != '\r'))
        r->lineno++;
    r->prev = c;
    return c;
}

/* Closes the current field at the end of raw. */
static int end_field(struct csv_reader *r, size_t start)
{
    if (r->nf == r->fcap) {
        int cap = r->fcap ? 2 * r->fcap : 16;
        if (r->fcap > (1 << 28) || tc_resize((void **)&r->fstart, (size_t)cap, sizeof(size_t)) ||
            tc_resize((void **)&r->fend, (size_t)cap, sizeof(size_t)) ||
            tc_resize((void **)&r->foff, (size_t)cap, sizeof(size_t)) ||
            tc_resize((void **)&r->field, (size_t)cap, sizeof(char *)))
            return -1;
        r->fcap = cap;
    }
    size_t a = start, b = r->raw.n;
    while (a < b && is_blank(r->raw.p[a]))
        a++;
    while (b > a && is_blank(r->raw.p[b - 1]))
        b--;
    r->fstart[r->nf] = a;
    r->fend[r->nf++] = b;
    return 0;
}

static int oom(const struct csv_reader *r, struct tc_error *err)
{
    return tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", r->path);
}

/* NUL never occurs in text: the file is something else. */
static int nul_byte(const struct csv_reader *r, struct tc_error *err)
{
    return csv_fail(r, err, "a NUL byte: not a text file (a spreadsheet's own format? save it "
                    "as CSV)");
}

/* Reads one record's raw fields (RFC 4180, leniently: a quote may follow
 * blanks, text after a closing quote is kept). 1, 0 at the end, -1. */
static int read_raw(struct csv_reader *r, struct tc_error *err)
{
    r->raw.n = 0;
    r->nf = 0;
    int c = next_byte(r);
    if (c == '\n' && r->after_cr)
        c = next_byte(r); /* the LF of the CRLF that ended the last record */
    r->after_cr = 0;
    if (c == EOF)
        return ferror(r->f) ? tc_fail(err, r->exit_code, "%s: cannot read: %s", r->path,
                                      strerror(errno)) : 0;
    r->line = r->char_line;
    size_t start = 0;
    int quoted = 0, fresh = 1; /* fresh: nothing but blanks yet in this field */
    for (;; c = next_byte(r)) {
        if (quoted) {
            if (c == EOF)
                return ferror(r->f) ? tc_fail(err, r->exit_code, "%s: cannot read: %s", r->path,
                                              strerror(errno))
                                    : csv_fail(r, err, "unterminated quote: the quoted field "
                                               "opened here runs to the end of the file");
            if (c == '"') {
                int d = next_byte(r);
                if (d != '"') {
                    quoted = 0;
                    c = d; /* handled below as text after the closing quote */
                    goto plain;
                }
            }
            if (c == 0)
                return nul_byte(r, err);
            if (buf_putc(&r->raw, (char)c) != 0)
                return oom(r, err);
            continue;
        }
    plain:
        if (c == 0)
            return nul_byte(r, err);
        if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
            if (end_field(r, start) != 0)
                return oom(r, err);
            if (c != ',') {
                r->after_cr = c == '\r';
                return 1;
            }
            start = r->raw.n;
            fresh = 1;
            continue;
        }
        if (c == '"' && fresh) {
            r->raw.n = start; /* blanks before an opening quote */
            quoted = 1;
            fresh = 0;
            continue;
        }
        fresh = fresh && is_blank((char)c);
        if (buf_putc(&r->raw, (char)c) != 0)
            return oom(r, err);
    }
}

/* Decodes field i into text; ASCII is the same in every encoding read
 * (check_ascii_compatible), so only other bytes go through iconv. */
static int decode_field(struct csv_reader *r, int i, const char *what, struct tc_error *err)
{
    const char *s = r->raw.p + r->fstart[i];
    size_t len = r->fend[i] - r->fstart[i], k = 0;
    while (k < len && (unsigned char)s[k] < 0x80)
        k++;
    r->foff[i] = r->text.n;
    if (k == len)
        return buf_put(&r->text, s, len) || buf_putc(&r->text, '\0') ? oom(r, err) : 0;
    int cut = 0;
    char *d = textenc_decode(r->encoding, s, len, &cut);
    if (!d && errno == ENOMEM)
        return oom(r, err);
    if (!d || cut) {
        free(d);
        return csv_fail(r, err, "%s is not valid %s text%s%s%s", what,
                        r->encoding[0] ? r->encoding : "UTF-8 or GB18030",
                        r->key[0] ? "; set " : "", r->key,
                        r->key[0] ? " (utf-8, gbk, big5, latin1... or any iconv name)" : "");
    }
    int rc = buf_put(&r->text, d, strlen(d) + 1) ? oom(r, err) : 0;
    free(d);
    return rc;
}

/* A record with nothing in it (a blank line, or Excel's ",,,," rows). */
static int record_blank(const struct csv_reader *r)
{
    for (int i = 0; i < r->nf; i++)
        if (r->fend[i] > r->fstart[i])
            return 0;
    return 1;
}

/* Reads the next record that is not blank and decodes its fields. */
static int read_record(struct csv_reader *r, struct tc_error *err)
{
    int rc;
    while ((rc = read_raw(r, err)) == 1 && record_blank(r))
        ;
    if (rc != 1)
        return rc;
    r->text.n = 0;
    for (int i = 0; i < r->nf; i++) {
        char what[200];
        if (i < r->ncols && r->col[i][0])
            snprintf(what, sizeof what, "column '%.*s'", shown(r->col[i], 100), r->col[i]);
        else if (r->ncols)
            snprintf(what, sizeof what, "field %d", i + 1);
        else
            snprintf(what, sizeof what, "the header");
        if (decode_field(r, i, what, err) != 0)
            return -1;
    }
    for (int i = 0; i < r->nf; i++)
        r->field[i] = r->text.p + r->foff[i];
    return 1;
}

int csv_next(struct csv_reader *r, struct tc_error *err)
{
    return read_record(r, err);
}

/* ---- opening: the header ------------------------------------------------- */

/* Keeps the header record's names, and the header text for messages. */
static int keep_header(struct csv_reader *r, struct tc_error *err)
{
    r->header_line = r->line;
    r->col = calloc((size_t)r->nf + 1, sizeof *r->col);
    if (!r->col)
        return oom(r, err);
    struct buf h = {0};
    int rc = 0;
    for (int i = 0; i < r->nf && rc == 0; i++) {
        r->col[i] = strdup(r->field[i]);
        if (!r->col[i])
            rc = -1;
        else
            r->ncols = i + 1;
        if (rc == 0 && h.n <= HEADER_QUOTE_MAX)
            rc = (i ? buf_putc(&h, ',') : 0) || buf_put(&h, r->field[i], strlen(r->field[i]));
    }
    if (rc == 0 && h.n > HEADER_QUOTE_MAX) {
        h.n = textenc_utf8_prefix(h.p, h.n, HEADER_QUOTE_MAX);
        rc = buf_put(&h, "...", 3);
    }
    if (rc == 0)
        rc = buf_putc(&h, '\0');
    if (rc != 0) {
        free(h.p);
        return oom(r, err);
    }
    r->header_text = h.p;
    return 0;
}

struct csv_reader *csv_open(const char *path, const struct csv_options *opt,
                            struct tc_error *err)
{
    struct csv_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory opening %s", path);
        return NULL;
    }
    r->exit_code = opt->exit_code;
    snprintf(r->key, sizeof r->key, "%s", opt->encoding_key ? opt->encoding_key : "");
    r->lineno = 1;
    const char *why;
    r->f = tc_fopen_regular(path, &why);
    if (!r->f) {
        tc_fail(err, r->exit_code, "%s: cannot open: %s", path, why);
        csv_close(&r);
        return NULL;
    }
    int rc = choose_encoding(r, opt->encoding ? opt->encoding : "", err);
    if (rc == 0)
        rc = read_record(r, err);
    if (rc == 1)
        rc = keep_header(r, err);
    if (rc != 0)
        csv_close(&r);
    return r;
}

size_t csv_quote(char *buf, const char *s)
{
    size_t n = 0;
    int quoted = strpbrk(s, ",\"\n\r") != NULL;
    if (quoted)
        buf[n++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            buf[n++] = '"';
        buf[n++] = *s;
    }
    if (quoted)
        buf[n++] = '"';
    buf[n] = '\0';
    return n;
}
