/* read_townships.c — the township list (code,name,county_code[,kind]),
 * read with the project's CSV reader (csv.h). */
#include "mapgen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "towncov/csv.h"

enum { COL_CODE, COL_NAME, COL_COUNTY, COL_KIND, NCOLS };
static const char *const col_names[NCOLS] = {"code", "name", "county_code", "kind"};

/* The header's columns, by name in any order (kind may be absent). */
static int csv_columns(struct csv_reader *r, int *col, struct tc_error *err)
{
    for (int k = 0; k < NCOLS; k++) {
        col[k] = csv_column(r, col_names[k]);
        if (col[k] < 0 && k != COL_KIND)
            return csv_fail(r, err, "no '%s' column in the header \"%s\" (the header must "
                            "name code,name,county_code[,kind])", col_names[k],
                            csv_header_text(r));
    }
    return 0;
}

static int csv_township(const struct province *p, struct csv_reader *r, const int *col,
                        struct mg_township *t, struct tc_error *err)
{
    int nf = csv_nfields(r);
    for (int k = 0; k < NCOLS; k++)
        if (col[k] >= nf && k != COL_KIND)
            return csv_fail(r, err, "%d field%s, no '%s'", nf, nf == 1 ? "" : "s", col_names[k]);
    const char *code = csv_field(r, col[COL_CODE]), *name = csv_field(r, col[COL_NAME]);
    const char *county = csv_field(r, col[COL_COUNTY]), *kind_text = csv_field(r, col[COL_KIND]);
    if (!*code || !*name || !*county)
        return csv_fail(r, err, "empty code, name or county_code");
    int kind = *kind_text ? tc_kind_parse(kind_text) : (int)tc_kind_from_name(name);
    if (kind < 0)
        return csv_fail(r, err, "kind '%s' is not subdistrict, town, township or special",
                        kind_text);
    t->code = mg_dup_str(code);
    t->name = mg_dup_str(name);
    t->county_code = mg_dup_str(county);
    t->kind = (enum tc_kind)kind;
    t->line = (int)csv_line(r);
    if (!t->code || !t->name || !t->county_code)
        return tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->csv_path);
    return 0;
}

/* Appends a zeroed township. */
static struct mg_township *push_township(struct province *p, int *cap)
{
    size_t c = (size_t)*cap;
    if (tc_reserve((void **)&p->t, &c, (size_t)p->nt + 1, sizeof *p->t) != 0)
        return NULL;
    *cap = (int)c;
    struct mg_township *t = &p->t[p->nt++];
    memset(t, 0, sizeof *t);
    return t;
}

/* Reads the CSV into p->t (in file order). Its text is decoded to UTF-8
 * (auto: UTF-8 when the whole file is, else GBK), as the map's .cpg says. */
int mg_townships_read(struct province *p, struct tc_error *err)
{
    struct csv_options opt = {"", NULL, TC_EXIT_MAP};
    struct csv_reader *r = csv_open(p->csv_path, &opt, err);
    if (!r)
        return -1;
    int col[NCOLS], cap = 0;
    int rc = csv_ncols(r) ? csv_columns(r, col, err)
                          : tc_fail(err, TC_EXIT_MAP, "%s: no townships (the file is empty)",
                                    p->csv_path);
    while (rc == 0 && (rc = csv_next(r, err)) == 1) {
        struct mg_township *t = push_township(p, &cap);
        rc = t ? csv_township(p, r, col, t, err)
               : tc_fail(err, TC_EXIT_RESOURCE, "out of memory reading %s", p->csv_path);
    }
    if (rc == 0 && p->nt == 0)
        rc = tc_fail(err, TC_EXIT_MAP, "%s: no townships", p->csv_path);
    csv_close(&r);
    return rc;
}
