/* common.c — error reports, township kinds, the clock (see common.h). */
#define _POSIX_C_SOURCE 200809L
#include "towncov/common.h"

#include <signal.h>
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

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
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
    return interrupted != 0;
}

void tc_interrupt_reset(void)
{
    interrupted = 0;
}
