/* common.c — error reports, township kinds, the clock (see common.h). */
#define _POSIX_C_SOURCE 200809L
#include "towncov/common.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int tc_fail(struct tc_error *err, int exit_code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->exit_code = exit_code;
    }
    return -1;
}

static const char *const kind_names[KIND_COUNT] = {"subdistrict", "town", "township", "special"};

const char *tc_kind_name(enum tc_kind kind)
{
    return (unsigned)kind < KIND_COUNT ? kind_names[kind] : "?";
}

int tc_kind_parse(const char *text)
{
    for (int k = 0; k < KIND_COUNT; k++)
        if (strcmp(text, kind_names[k]) == 0)
            return k;
    /* Chinese shapefiles often carry the administrative word itself. */
    if (strcmp(text, "街道") == 0 || strcmp(text, "办事处") == 0)
        return KIND_SUBDISTRICT;
    if (strcmp(text, "镇") == 0)
        return KIND_TOWN;
    if (strcmp(text, "乡") == 0 || strcmp(text, "民族乡") == 0)
        return KIND_TOWNSHIP;
    return -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

enum tc_kind tc_kind_from_name(const char *utf8_name)
{
    if (ends_with(utf8_name, "街道") || ends_with(utf8_name, "办事处"))
        return KIND_SUBDISTRICT;
    if (ends_with(utf8_name, "镇"))
        return KIND_TOWN;
    if (ends_with(utf8_name, "乡"))
        return KIND_TOWNSHIP;
    return KIND_SPECIAL;
}

double tc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Written by the signal handler, read by every worker thread: a lock-free
 * atomic is both async-signal-safe and race-free across threads (a
 * volatile sig_atomic_t is only the former). */
static atomic_int interrupted;

static void on_signal(int sig)
{
    atomic_store_explicit(&interrupted, sig, memory_order_relaxed);
}

void tc_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int tc_interrupted(void)
{
    return atomic_load_explicit(&interrupted, memory_order_relaxed) != 0;
}

void tc_interrupt_reset(void)
{
    atomic_store_explicit(&interrupted, 0, memory_order_relaxed);
}

int tc_resize(void **p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return -1;
    size_t bytes = n * size;
    void *q = realloc(*p, bytes > 0 ? bytes : 1); /* never realloc(p, 0): that may free p */
    if (!q)
        return -1;
    *p = q;
    return 0;
}

/* The capacity to grow to: doubled, at least `first`, at least `need`. */
static size_t grown(size_t cap, size_t need, size_t first)
{
    size_t c = cap ? cap : first;
    while (c < need)
        c = c > SIZE_MAX / 2 ? need : 2 * c;
    return c;
}

int tc_reserve(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = grown(*cap, need, 16);
    if (tc_resize(p, c, size) != 0)
        return -1;
    *cap = c;
    return 0;
}

int tc_reserve_xy(double **x, double **y, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = grown(*cap, need, 256);
    /* Both grown before the capacity says so: a failure leaves each array
     * valid (perhaps larger) and the capacity as it was. */
    if (tc_resize((void **)x, c, sizeof **x) != 0 || tc_resize((void **)y, c, sizeof **y) != 0)
        return -1;
    *cap = c;
    return 0;
}

int tc_fclose_checked(FILE *f, const char *path, struct tc_error *err)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return tc_fail(err, TC_EXIT_OUTPUT, "%s: write failed: %s", path, strerror(errno));
    return 0;
}

static const double pow10_tab[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Digits of q, most significant first, at least `width` of them. */
static int put_digits(char *p, uint64_t q, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + q % 10);
        q /= 10;
    } while (q || n < width);
    for (int i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

/* v * 10^d rounded to an integer as printf rounds the exact value, i.e.
 * the scaled product's error (<= half an ulp) cannot move it across a
 * half: only values within that error of a tie go to snprintf, which
 * settles ties by the exact binary value. */
int tc_format_fixed(char *buf, double v, int decimals)
{
    int d = decimals < 0 ? 0 : decimals > 15 ? 15 : decimals;
    double scaled = fabs(v) * pow10_tab[d];
    double whole = floor(scaled), frac = scaled - whole;
    if (!(scaled < 9e15) || fabs(frac - 0.5) <= 4.5e-16 * scaled + 1e-300)
        return snprintf(buf, TC_FIXED_MAX, "%.*f", d, v);
    uint64_t q = (uint64_t)whole + (frac > 0.5);
    uint64_t unit = (uint64_t)pow10_tab[d];
    int n = 0;
    if (signbit(v))
        buf[n++] = '-'; /* printf keeps the sign of values that round to zero */
    n += put_digits(buf + n, q / unit, 1);
    if (d > 0) {
        buf[n++] = '.';
        n += put_digits(buf + n, q % unit, d);
    }
    buf[n] = '\0';
    return n;
}

size_t tc_key_size(const struct key_desc *d)
{
    switch (d->type) {
    case KEY_INT:
        return sizeof(long);
    case KEY_DOUBLE:
        return sizeof(double);
    case KEY_BOOL:
    case KEY_ENUM:
        return sizeof(int);
    case KEY_STRING:
    case KEY_ENCODING:
        break;
    }
    return TC_STR_MAX;
}

int tc_keys_equal(const struct key_desc *keys, int n, const void *a, const void *b)
{
    for (int k = 0; k < n; k++) {
        const char *va = (const char *)a + keys[k].offset, *vb = (const char *)b + keys[k].offset;
        int text = keys[k].type == KEY_STRING || keys[k].type == KEY_ENCODING;
        if (text ? strcmp(va, vb) != 0 : memcmp(va, vb, tc_key_size(&keys[k])) != 0)
            return 0;
    }
    return 1;
}
