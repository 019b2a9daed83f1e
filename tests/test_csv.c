/* The CSV reader: what spreadsheets write (BOM, CRLF, quotes, GBK), line
 * numbers across quoted line breaks, fields of any length, refusals. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "towncov/csv.h"

static char dir[256], path[300];

static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.csv", dir);
}

static void teardown(void)
{
    remove(path);
    remove(dir);
}

/* Writes len bytes (binary: BOMs, CRs, GBK) as the test file. */
static void write_bytes(const char *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

#define WRITE(lit) write_bytes(lit, sizeof lit - 1)

static struct csv_reader *open_as(const char *encoding, struct tc_error *err)
{
    struct csv_options opt = {encoding, "test.encoding", TC_EXIT_SITES};
    return csv_open(path, &opt, err);
}

static struct csv_reader *open_ok(void)
{
    struct tc_error err = {0};
    struct csv_reader *r = open_as("", &err);
    cr_assert_not_null(r, "%s", err.msg);
    return r;
}

/* The next record, which must exist. */
static void next_ok(struct csv_reader *r)
{
    struct tc_error err = {0};
    cr_assert_eq(csv_next(r, &err), 1, "%s", err.msg);
}

static void at_end(struct csv_reader *r)
{
    struct tc_error err = {0};
    cr_assert_eq(csv_next(r, &err), 0, "%s", err.msg);
}

TestSuite(csv, .init = setup, .fini = teardown);

Test(csv, excel_bom_crlf_and_trailing_empty_line)
{
    WRITE("\xEF\xBB\xBFid,Name\r\na,b\r\nc,d\r\n\r\n");
    struct csv_reader *r = open_ok();
    cr_assert_str_eq(csv_encoding(r), "UTF-8");
    cr_assert_eq(csv_ncols(r), 2);
    cr_assert_str_eq(csv_col_name(r, 0), "id", "the BOM is not part of the first name");
    cr_assert_eq(csv_column(r, "NAME"), 1);
    next_ok(r);
    cr_assert_eq(csv_line(r), 2);
    cr_assert_eq(csv_nfields(r), 2);
    cr_assert_str_eq(csv_field(r, 0), "a");
    cr_assert_str_eq(csv_field(r, 1), "b", "no CR left on the last field");
    next_ok(r);
    cr_assert_eq(csv_line(r), 3);
    cr_assert_str_eq(csv_field(r, 1), "d");
    at_end(r);
    csv_close(&r);
    cr_assert_null(r);
}

Test(csv, quoted_commas_and_doubled_quotes)
{
    WRITE("id,text,n\n1,\"a, \"\"b\"\", c\",7\n2,\"\",  \"x\"  \n");
    struct csv_reader *r = open_ok();
    next_ok(r);
    cr_assert_eq(csv_nfields(r), 3);
    cr_assert_str_eq(csv_field(r, 1), "a, \"b\", c");
    cr_assert_str_eq(csv_field(r, 2), "7");
    next_ok(r);
    cr_assert_str_eq(csv_field(r, 1), "");
    cr_assert_str_eq(csv_field(r, 2), "x", "blanks around a quoted field are trimmed");
    at_end(r);
    csv_close(&r);
}

Test(csv, quoted_newline_keeps_line_numbers)
{
    WRITE("id,note\n1,\"two\nlines\"\n2,\"three\r\nmore\r\nlines\"\r\n3,x\n\n4,y\n");
    struct csv_reader *r = open_ok();
    next_ok(r);
    cr_assert_eq(csv_line(r), 2);
    cr_assert_str_eq(csv_field(r, 1), "two\nlines");
    next_ok(r);
    cr_assert_eq(csv_line(r), 4);
    cr_assert_str_eq(csv_field(r, 1), "three\r\nmore\r\nlines");
    next_ok(r);
    cr_assert_eq(csv_line(r), 7, "the record after two quoted line breaks");
    cr_assert_str_eq(csv_field(r, 0), "3");
    next_ok(r);
    cr_assert_eq(csv_line(r), 9, "after a blank line");
    cr_assert_str_eq(csv_field(r, 1), "y");
    at_end(r);
    csv_close(&r);
}

Test(csv, lone_cr_line_ends)
{
    WRITE("id,x\r1,a\r2,b");
    struct csv_reader *r = open_ok();
    next_ok(r);
    cr_assert_eq(csv_line(r), 2);
    cr_assert_str_eq(csv_field(r, 1), "a");
    next_ok(r);
    cr_assert_eq(csv_line(r), 3);
    cr_assert_str_eq(csv_field(r, 1), "b", "the last line needs no line end");
    at_end(r);
    csv_close(&r);
}

Test(csv, long_field_and_many_columns)
{
    size_t n = 10000, cols = 3000;
    char *text = malloc(2 * n + 8 * cols + 64);
    size_t len = 0;
    for (size_t i = 0; i < cols; i++)
        len += (size_t)sprintf(text + len, "%sc%zu", i ? "," : "", i);
    len += (size_t)sprintf(text + len, "\n");
    for (size_t i = 0; i < n; i++)
        text[len++] = (char)('a' + i % 26);
    len += (size_t)sprintf(text + len, ",\"");
    for (size_t i = 0; i < n; i++)
        text[len++] = i % 100 == 99 ? ',' : 'z';
    len += (size_t)sprintf(text + len, "\"\n");
    write_bytes(text, len);
    struct csv_reader *r = open_ok();
    cr_assert_eq(csv_ncols(r), (int)cols);
    cr_assert_eq(csv_column(r, "c2999"), 2999);
    next_ok(r);
    cr_assert_eq(csv_nfields(r), 2);
    cr_assert_eq(strlen(csv_field(r, 0)), n);
    cr_assert_eq(memcmp(csv_field(r, 0), text + len - 2 * n - 4, n), 0);
    cr_assert_eq(strlen(csv_field(r, 1)), n);
    cr_assert_eq(csv_field(r, 1)[99], ',');
    cr_assert_str_eq(csv_field(r, 2999), "", "columns past a short row are empty");
    at_end(r);
    csv_close(&r);
    free(text);
}

/* 编号,名称 / 1,南昌 / 2,一 in GBK. 一 is D2 BB, which alone is valid
 * UTF-8 (U+04BB): deciding per file reads it as GBK with the rest. */
Test(csv, gbk_file_decoded_per_file)
{
    WRITE("\xB1\xE0\xBA\xC5,\xC3\xFB\xB3\xC6\r\n1,\xC4\xCF\xB2\xFD\r\n2,\xD2\xBB\r\n");
    struct csv_reader *r = open_ok();
    cr_assert_str_eq(csv_encoding(r), "GB18030");
    cr_assert_str_eq(csv_col_name(r, 0), "编号");
    cr_assert_eq(csv_column(r, "名称"), 1);
    cr_assert_str_eq(csv_header_text(r), "编号,名称");
    next_ok(r);
    cr_assert_str_eq(csv_field(r, 1), "南昌");
    next_ok(r);
    cr_assert_str_eq(csv_field(r, 1), "一", "not U+04BB: the file's encoding, not the field's");
    at_end(r);
    csv_close(&r);
}

Test(csv, utf8_file_stays_utf8_and_named_encodings_apply)
{
    WRITE("id,name\n1,南昌\n");
    struct csv_reader *r = open_ok();
    cr_assert_str_eq(csv_encoding(r), "UTF-8");
    next_ok(r);
    cr_assert_str_eq(csv_field(r, 1), "南昌");
    csv_close(&r);
    WRITE("id,name\n1,caf\xE9\n");
    struct tc_error err = {0};
    r = open_as("ISO-8859-1", &err);
    cr_assert_not_null(r, "%s", err.msg);
    next_ok(r);
    cr_assert_str_eq(csv_field(r, 1), "café");
    csv_close(&r);
}

Test(csv, unterminated_quote_names_the_line)
{
    WRITE("id,x\n1,ok\n\n2,\"open\n3,z\n");
    struct csv_reader *r = open_ok();
    next_ok(r);
    struct tc_error err = {0};
    cr_assert_eq(csv_next(r, &err), -1);
    cr_assert_eq(err.exit_code, TC_EXIT_SITES);
    char want[400];
    snprintf(want, sizeof want, "%s:4: unterminated quote", path);
    cr_assert(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
    csv_close(&r);
}

Test(csv, header_names_trimmed_blank_rows_skipped)
{
    WRITE("\n  ID , Lon ,lat\n,,\n a , 1 ,2\n , ,\n");
    struct csv_reader *r = open_ok();
    cr_assert_eq(csv_header_line(r), 2);
    cr_assert_eq(csv_column(r, "id"), 0);
    cr_assert_eq(csv_column(r, "lon"), 1);
    cr_assert_eq(csv_column(r, "lng"), -1);
    next_ok(r);
    cr_assert_eq(csv_line(r), 4, "the ',,' row is blank");
    cr_assert_str_eq(csv_field(r, 0), "a");
    cr_assert_str_eq(csv_field(r, 1), "1");
    at_end(r);
    csv_close(&r);
}

Test(csv, empty_file_has_no_columns)
{
    WRITE("\n\r\n");
    struct csv_reader *r = open_ok();
    cr_assert_eq(csv_ncols(r), 0);
    cr_assert_eq(csv_header_line(r), 0);
    at_end(r);
    csv_close(&r);
}

Test(csv, refusals)
{
    struct tc_error err = {0};
    WRITE("\xFF\xFEi\0d\0");
    cr_assert_null(open_as("", &err));
    cr_assert(strstr(err.msg, "UTF-16"), "%s", err.msg);
    WRITE("id,x\n1,a\0b\n");
    struct csv_reader *r = open_ok();
    cr_assert_eq(csv_next(r, &err), -1);
    cr_assert(strstr(err.msg, ":2: a NUL byte"), "%s", err.msg);
    csv_close(&r);
    WRITE("\xEF\xBB\xBFid\n1\n");
    cr_assert_null(open_as("GB18030", &err));
    cr_assert(strstr(err.msg, "byte-order mark") && strstr(err.msg, "test.encoding"), "%s",
              err.msg);
    WRITE("id,name\n1,\xC3\n");
    r = open_as("UTF-8", &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(csv_next(r, &err), -1);
    cr_assert(strstr(err.msg, ":2: column 'name' is not valid UTF-8 text; set test.encoding"),
              "%s", err.msg);
    csv_close(&r);
    snprintf(path, sizeof path, "%s/none.csv", dir);
    cr_assert_null(open_as("", &err));
    cr_assert(strstr(err.msg, "none.csv: cannot open"), "%s", err.msg);
    snprintf(path, sizeof path, "%s/t.csv", dir);
}
