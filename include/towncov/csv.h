/* csv.h — the one CSV reader for the tables towncov reads (sites files,
 * mapgen's township list). It takes what spreadsheets and other tools
 * write: a UTF-8 byte-order mark, CRLF, LF or lone-CR line ends, RFC 4180
 * quotes (commas, doubled quotes and line breaks inside them), lines and
 * fields of any length and number, blank lines anywhere. Every field comes
 * back decoded to UTF-8 (textenc.h) and trimmed of surrounding blanks.
 *
 * Encoding: a byte-order mark means UTF-8; otherwise, when the caller names
 * none, the whole file is scanned once first: valid UTF-8 as a whole is
 * read as UTF-8, anything else as GB18030 (a superset of GBK, what Excel
 * writes on Chinese Windows). Deciding per file, not per field, keeps a
 * GBK file from having a few fields that happen to be valid UTF-8 read
 * differently from the rest. A file that cannot be read twice (a pipe) is
 * decided per field instead.
 *
 * Errors are "path:line: ..." with the physical line on which the record
 * starts, and the exit code the caller chose (TC_EXIT_SITES, TC_EXIT_MAP). */
#ifndef TOWNCOV_CSV_H
#define TOWNCOV_CSV_H

#include "towncov/common.h"

struct csv_reader;

struct csv_options {
    const char *encoding;     /* iconv name (textenc_from_setting); "" or NULL:
                                 detect per file as above */
    const char *encoding_key; /* the setting that names another encoding, for
                                 messages ("sites.encoding"); NULL: none */
    int exit_code;            /* for every error the reader reports */
};

/* Opens path and reads its header: the first record that is not blank.
 * An empty (or blank) file opens with no columns and no records. NULL with
 * err set when the file cannot be opened or its header cannot be read.
 * Free with csv_close. */
struct csv_reader *csv_open(const char *path, const struct csv_options *opt,
                            struct tc_error *err);

void csv_close(struct csv_reader **r);

/* The header: its column count, column i's name (trimmed, UTF-8), and the
 * index of the first column named `name` (ASCII case-insensitive), or -1. */
int csv_ncols(const struct csv_reader *r);
const char *csv_col_name(const struct csv_reader *r, int i);
int csv_column(const struct csv_reader *r, const char *name);

/* The header as found (names joined by commas, at most about 300 bytes,
 * cut with "..."), for messages that quote it. */
const char *csv_header_text(const struct csv_reader *r);

/* The physical line of the header (0: the file is empty). */
long csv_header_line(const struct csv_reader *r);

/* Reads the next record, skipping blank ones (nothing but blanks and
 * commas). Returns 1 for a record, 0 at the end, -1 with err set. */
int csv_next(struct csv_reader *r, struct tc_error *err);

/* The current record: field count, field i ("" past the end: a short row
 * leaves the last columns empty), and the physical line it starts on.
 * Fields stay valid until the next csv_next or csv_close. */
int csv_nfields(const struct csv_reader *r);
const char *csv_field(const struct csv_reader *r, int i);
long csv_line(const struct csv_reader *r);

const char *csv_path(const struct csv_reader *r);

/* The encoding fields are decoded from: "UTF-8", "GB18030", the caller's,
 * or "" when decided per field. */
const char *csv_encoding(const struct csv_reader *r);

/* tc_fail with "path:line: " (the current record's line) in front and the
 * reader's exit code; returns -1. */
int csv_fail(const struct csv_reader *r, struct tc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes s into buf as one CSV field, quoted as RFC 4180 says when it
 * holds a comma, a quote or a line break (quotes doubled), so that this
 * reader gives s back; buf has room for CSV_QUOTED_MAX(strlen(s)) bytes.
 * Returns the length written (NUL-terminated). Every CSV towncov writes
 * quotes its text fields with it. */
#define CSV_QUOTED_MAX(len) (2 * (len) + 3)
size_t csv_quote(char *buf, const char *s);

#endif
