/* expr.c — [sweep] constraint: a small C-like expression over a member's
 * named iterations, varied keys and repetition number, parsed once into a
 * tree of nodes and evaluated for each member. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"

enum op {
    OP_NUM, OP_STR, OP_VAR, OP_NOT, OP_NEG,
    OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
};

struct sw_node {
    enum op op;
    int a, b;    /* operands (node indices) */
    double num;  /* OP_NUM */
    char *str;   /* OP_STR */
    int var;     /* OP_VAR */
    int col;     /* 1-based column in the constraint, for messages */
};

struct sw_expr {
    struct sw_node *nodes;
    int n;
    size_t cap;
    int root;
    char *where; /* "FILE:LINE" of the constraint */
};

/* ---- parsing ------------------------------------------------------------- */

struct parser {
    const char *text;
    size_t pos;
    const struct sweep_space *sp;
    struct sw_expr *e;
    struct tc_error *err;
};

static int parse_or(struct parser *p);

static void skip_blanks(struct parser *p)
{
    while (isspace((unsigned char)p->text[p->pos]))
        p->pos++;
}

/* Consumes the operator op if it comes next (and is not the start of a
 * longer one: "<" is not "<=", "!" is not "!="). */
static int accept(struct parser *p, const char *op)
{
    skip_blanks(p);
    size_t n = strlen(op);
    if (strncmp(p->text + p->pos, op, n) != 0)
        return 0;
    if (n == 1 && strchr("<>!", op[0]) && p->text[p->pos + 1] == '=')
        return 0;
    p->pos += n;
    return 1;
}

static int fail_here(struct parser *p, const char *what)
{
    skip_blanks(p);
    const char *at = p->text + p->pos;
    if (!*at)
        return tc_fail(p->err, TC_EXIT_SCENARIO, "%s: constraint: %s at the end", p->e->where,
                       what);
    size_t len = 1;
    while (at[len] && !isspace((unsigned char)at[len]) && len < 20)
        len++;
    return tc_fail(p->err, TC_EXIT_SCENARIO, "%s: constraint: %s at column %zu ('%.*s')",
                   p->e->where, what, p->pos + 1, (int)len, at);
}

static int new_node(struct parser *p, enum op op, int a, int b, size_t col)
{
    struct sw_expr *e = p->e;
    if (tc_reserve((void **)&e->nodes, &e->cap, (size_t)e->n + 1, sizeof *e->nodes) != 0)
        return sw_oom(p->err);
    e->nodes[e->n] = (struct sw_node){.op = op, .a = a, .b = b, .var = -1, .col = (int)col + 1};
    return e->n++;
}

/* The variable a name stands for, or -1 with err. */
static int resolve_name(struct parser *p, size_t start, size_t len)
{
    const char *name = p->text + start;
    if (len == 10 && memcmp(name, "repetition", 10) == 0)
        return SW_VAR_REPETITION;
    int v = memchr(name, '.', len) ? sw_find_key(p->sp, name, len) : sw_find_name(p->sp, name, len);
    if (v >= 0)
        return memchr(name, '.', len) ? p->sp->niters + v : v;
    tc_fail(p->err, TC_EXIT_SCENARIO, "%s: constraint: unknown name %.*s at column %zu (expected "
            "a named iteration, a varied section.key or repetition)", p->e->where, (int)len,
            name, start + 1);
    return -1;
}

static size_t name_length(const char *s)
{
    size_t n = 0;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

/* N, $N, ${N}, section.key */
static int parse_variable(struct parser *p)
{
    size_t col = p->pos;
    int braced = strncmp(p->text + p->pos, "${", 2) == 0;
    if (braced || p->text[p->pos] == '$')
        p->pos += braced ? 2 : 1;
    size_t start = p->pos, len = name_length(p->text + start);
    if (len == 0)
        return fail_here(p, "expected a name");
    if (!braced && p->text[col] != '$' && p->text[start + len] == '.') {
        size_t more = name_length(p->text + start + len + 1);
        if (more == 0)
            return fail_here(p, "expected section.key");
        len += 1 + more;
    }
    p->pos = start + len;
    if (braced && !accept(p, "}"))
        return fail_here(p, "expected '}'");
    int var = resolve_name(p, start, len);
    if (var == -1)
        return -1;
    int n = new_node(p, OP_VAR, -1, -1, col);
    if (n >= 0)
        p->e->nodes[n].var = var;
    return n;
}

static int parse_string(struct parser *p)
{
    size_t col = p->pos;
    const char *close = strchr(p->text + col + 1, '"');
    if (!close)
        return fail_here(p, "a quote is not closed");
    int n = new_node(p, OP_STR, -1, -1, col);
    if (n < 0)
        return -1;
    size_t len = (size_t)(close - p->text) - col - 1;
    if (!(p->e->nodes[n].str = strndup(p->text + col + 1, len)))
        return sw_oom(p->err);
    p->pos = (size_t)(close - p->text) + 1;
    return n;
}

static int parse_primary(struct parser *p)
{
    skip_blanks(p);
    const char *at = p->text + p->pos;
    if (accept(p, "(")) {
        int n = parse_or(p);
        if (n >= 0 && !accept(p, ")"))
            return fail_here(p, "expected ')'");
        return n;
    }
    if (isdigit((unsigned char)at[0]) || (at[0] == '.' && isdigit((unsigned char)at[1]))) {
        char *end;
        double v = strtod(at, &end);
        int n = new_node(p, OP_NUM, -1, -1, p->pos);
        if (n >= 0)
            p->e->nodes[n].num = v;
        p->pos += (size_t)(end - at);
        return n;
    }
    if (at[0] == '"')
        return parse_string(p);
    if (at[0] == '$' || name_length(at) > 0)
        return parse_variable(p);
    return fail_here(p, at[0] ? "unexpected token" : "expected a value");
}

static int parse_unary(struct parser *p)
{
    skip_blanks(p);
    size_t col = p->pos;
    enum op op;
    if (accept(p, "!"))
        op = OP_NOT;
    else if (accept(p, "-"))
        op = OP_NEG;
    else
        return parse_primary(p);
    int a = parse_unary(p);
    return a < 0 ? -1 : new_node(p, op, a, -1, col);
}

/* One precedence level: operands of `next` joined by any of ops (NULL
 * ended), each making the node codes[k]; left to right, as C. */
static int parse_level(struct parser *p, int (*next)(struct parser *), const char *const *ops,
                       const enum op *codes)
{
    int a = next(p);
    for (int k = 0; a >= 0 && ops[k];) {
        skip_blanks(p);
        size_t col = p->pos;
        if (!accept(p, ops[k])) {
            k++;
            continue;
        }
        int b = next(p);
        a = b < 0 ? -1 : new_node(p, codes[k], a, b, col);
        k = 0;
    }
    return a;
}

static int parse_mul(struct parser *p)
{
    static const char *const ops[] = {"*", "/", "%", NULL};
    static const enum op codes[] = {OP_MUL, OP_DIV, OP_MOD};
    return parse_level(p, parse_unary, ops, codes);
}

static int parse_add(struct parser *p)
{
    static const char *const ops[] = {"+", "-", NULL};
    static const enum op codes[] = {OP_ADD, OP_SUB};
    return parse_level(p, parse_mul, ops, codes);
}

static int parse_rel(struct parser *p)
{
    static const char *const ops[] = {"<=", ">=", "<", ">", NULL};
    static const enum op codes[] = {OP_LE, OP_GE, OP_LT, OP_GT};
    return parse_level(p, parse_add, ops, codes);
}

static int parse_eq(struct parser *p)
{
    static const char *const ops[] = {"==", "!=", NULL};
    static const enum op codes[] = {OP_EQ, OP_NE};
    return parse_level(p, parse_rel, ops, codes);
}

static int parse_and(struct parser *p)
{
    static const char *const ops[] = {"&&", NULL};
    static const enum op codes[] = {OP_AND};
    return parse_level(p, parse_eq, ops, codes);
}

static int parse_or(struct parser *p)
{
    static const char *const ops[] = {"||", NULL};
    static const enum op codes[] = {OP_OR};
    return parse_level(p, parse_and, ops, codes);
}

struct sw_expr *sw_expr_parse(const struct sweep_space *sp, const char *text, const char *where,
                              struct tc_error *err)
{
    struct sw_expr *e = calloc(1, sizeof *e);
    if (!e || !(e->where = strdup(where))) {
        free(e);
        sw_oom(err);
        return NULL;
    }
    struct parser p = {.text = text, .sp = sp, .e = e, .err = err};
    e->root = parse_or(&p);
    skip_blanks(&p);
    if (e->root >= 0 && text[p.pos])
        e->root = fail_here(&p, "unexpected token");
    if (e->root < 0)
        sw_expr_free(&e);
    return e;
}

void sw_expr_free(struct sw_expr **e)
{
    if (!*e)
        return;
    for (int i = 0; i < (*e)->n; i++)
        free((*e)->nodes[i].str);
    free((*e)->nodes);
    free((*e)->where);
    free(*e);
    *e = NULL;
}

/* ---- evaluation ---------------------------------------------------------- */

struct val {
    const char *str; /* NULL for a number */
    double num;
};

struct eval {
    const struct sw_expr *e;
    const struct sweep_space *sp;
    long f; /* full member index: combination * R + repetition */
    struct tc_error *err;
};

/* A value that parses as a whole number is a number. */
static struct val from_text(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end != text && !*end && !isspace((unsigned char)text[0]) && isfinite(v))
        return (struct val){NULL, v};
    return (struct val){text, 0};
}

static struct val variable(const struct eval *ev, int var)
{
    const struct sweep_space *sp = ev->sp;
    long c = ev->f / sp->repeat;
    if (var == SW_VAR_REPETITION)
        return (struct val){NULL, (double)(ev->f % sp->repeat)};
    if (var >= sp->niters)
        return from_text(sw_key_value(sp, var - sp->niters, c));
    const struct sw_iter *it = &sp->iters[var];
    return from_text(sw_strs_get(&it->vals, sw_loop_index(sp, c, it->loop)));
}

static int eval_node(const struct eval *ev, int n, struct val *out);

static int type_error(const struct eval *ev, const struct sw_node *nd, struct val a, struct val b)
{
    const struct val *s = a.str ? &a : &b, *x = a.str ? &b : &a;
    if (x->str || nd->b < 0)
        return tc_fail(ev->err, TC_EXIT_SCENARIO, "%s: constraint: the string \"%s\" where a "
                       "number is needed (column %d)", ev->e->where, s->str, nd->col);
    return tc_fail(ev->err, TC_EXIT_SCENARIO, "%s: constraint: compares the string \"%s\" with "
                   "the number %.15g (column %d)", ev->e->where, s->str, x->num, nd->col);
}

static int compare(enum op op, int c)
{
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int arithmetic(const struct eval *ev, const struct sw_node *nd, double a, double b,
                      double *out)
{
    if ((nd->op == OP_DIV || nd->op == OP_MOD) && b == 0)
        return tc_fail(ev->err, TC_EXIT_SCENARIO, "%s: constraint: division by zero (column %d)",
                       ev->e->where, nd->col);
    switch (nd->op) {
    case OP_ADD: *out = a + b; break;
    case OP_SUB: *out = a - b; break;
    case OP_MUL: *out = a * b; break;
    case OP_DIV: *out = a / b; break;
    default: *out = fmod(a, b); break;
    }
    return 0;
}

/* || and &&, evaluating the right side only when it decides (as C). */
static int eval_logic(const struct eval *ev, const struct sw_node *nd, struct val *out)
{
    struct val a, b;
    if (eval_node(ev, nd->a, &a) != 0)
        return -1;
    if (a.str)
        return type_error(ev, nd, a, (struct val){a.str, 0});
    if ((nd->op == OP_OR) == (a.num != 0)) {
        *out = (struct val){NULL, nd->op == OP_OR};
        return 0;
    }
    if (eval_node(ev, nd->b, &b) != 0)
        return -1;
    if (b.str)
        return type_error(ev, nd, b, (struct val){b.str, 0});
    *out = (struct val){NULL, b.num != 0};
    return 0;
}

static int eval_binary(const struct eval *ev, const struct sw_node *nd, struct val *out)
{
    struct val a, b;
    if (eval_node(ev, nd->a, &a) != 0 || eval_node(ev, nd->b, &b) != 0)
        return -1;
    int comparison = nd->op >= OP_EQ && nd->op <= OP_GE;
    if (comparison && a.str && b.str) {
        *out = (struct val){NULL, compare(nd->op, strcmp(a.str, b.str))};
        return 0;
    }
    if (a.str || b.str)
        return type_error(ev, nd, a, b);
    out->str = NULL;
    if (comparison) {
        out->num = compare(nd->op, (a.num > b.num) - (a.num < b.num));
        return 0;
    }
    return arithmetic(ev, nd, a.num, b.num, &out->num);
}

static int eval_node(const struct eval *ev, int n, struct val *out)
{
    const struct sw_node *nd = &ev->e->nodes[n];
    switch (nd->op) {
    case OP_NUM: *out = (struct val){NULL, nd->num}; return 0;
    case OP_STR: *out = (struct val){nd->str, 0}; return 0;
    case OP_VAR: *out = variable(ev, nd->var); return 0;
    case OP_NOT:
    case OP_NEG:
        if (eval_node(ev, nd->a, out) != 0)
            return -1;
        if (out->str)
            return type_error(ev, nd, *out, *out);
        out->num = nd->op == OP_NOT ? out->num == 0 : -out->num;
        return 0;
    case OP_OR:
    case OP_AND: return eval_logic(ev, nd, out);
    default: return eval_binary(ev, nd, out);
    }
}

int sw_expr_eval(const struct sw_expr *e, const struct sweep_space *sp, long f,
                 struct tc_error *err)
{
    struct eval ev = {e, sp, f, err};
    struct val v;
    if (eval_node(&ev, e->root, &v) != 0)
        return -1;
    if (v.str)
        return tc_fail(err, TC_EXIT_SCENARIO, "%s: constraint: gives the string \"%s\", not a "
                       "truth value", e->where, v.str);
    return v.num != 0;
}
