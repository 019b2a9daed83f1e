/* The sweep's member table at scale: its memory does not grow with the
 * --vary text, `sweep --list` stops on an interrupt (real signals to real
 * processes), [sweep] keys are never iterations, and the member limit. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "towncov/sweep_space.h"

static char dir[256];
static char ini[512];

/* A scenario that loads (its map is never opened by --list). */
static void setup(void)
{
    fx_tmpdir(dir, sizeof dir);
    snprintf(ini, sizeof ini, "%s/s.ini", dir);
    fx_write_text(ini, "[map]\nfile = none.shp\n[sites]\nstrategy = uniform\ncount = 5\n");
}

/* Starts `towncov sweep ini --list` with --vary args (argv style, NULL
 * ended); stdout to out_fd (-1: /dev/null), stderr to a file in dir. */
static pid_t start_list(const char *const *vary, int out_fd)
{
    const char *bin = getenv("TOWNCOV_BIN");
    cr_assert_not_null(bin);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char errp[600];
        snprintf(errp, sizeof errp, "%s/stderr", dir);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int o = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
        dup2(o, 1);
        dup2(e, 2);
        const char *argv[16] = {bin, "sweep", ini, "--list"};
        int n = 4;
        for (int i = 0; vary[i] && n < 14; i++) {
            argv[n++] = "--vary";
            argv[n++] = vary[i];
        }
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Waits up to `seconds` for pid; 1 and *status when it ended. */
static int wait_for(pid_t pid, double seconds, int *status, struct rusage *ru)
{
    double t0 = fx_now();
    while (fx_now() - t0 < seconds) {
        if (wait4(pid, status, WNOHANG, ru) == pid)
            return 1;
        nanosleep(&(struct timespec){0, 20000000}, NULL);
    }
    return 0;
}

static void kill_and_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Peak resident memory (kB) of `sweep --list` over these varies. */
static long list_peak_kb(const char *const *vary)
{
    pid_t pid = start_list(vary, -1);
    int status;
    struct rusage ru;
    int done = wait_for(pid, 280, &status, &ru);
    if (!done)
        kill_and_reap(pid);
    cr_assert(done, "sweep --list did not end in 280 s");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
    return ru.ru_maxrss;
}

/* 10,000 members whose names come from a --vary of 100 values of 34
 * characters: the table kept each member's copy of the values and of the
 * --vary text (3.5 kB a member, 35 MB here; 921 MB for 100,000 members
 * seen). Its peak is that of the same members with short names, give or
 * take 12 MB (the measured difference was 36 MB before the table read the
 * values from the sweep space, under 1 MB after). */
Test(sweep_scale, the_table_does_not_hold_the_vary_text_per_member, .timeout = 600)
{
    setup();
    char *long_names = malloc(8192), *short_names = malloc(8192);
    strcpy(long_names, "scenario.name=");
    strcpy(short_names, "scenario.name=");
    for (int i = 0; i < 100; i++) {
        sprintf(long_names + strlen(long_names), "%sname_of_member_number_%03d_xxxxxxxx",
                i ? "," : "", i);
        sprintf(short_names + strlen(short_names), "%sn%d", i ? "," : "", i);
    }
    const char *lv[] = {"sites.count=1..100", long_names, NULL};
    const char *sv[] = {"sites.count=1..100", short_names, NULL};
    long with_long = list_peak_kb(lv), with_short = list_peak_kb(sv);
    cr_assert_lt(with_long - with_short, 12 * 1024, "peak %ld kB with long values, %ld kB with "
                 "short ones", with_long, with_short);
    free(long_names);
    free(short_names);
}

/* SIGINT while every member's scenario is being checked (a million
 * members: tens of seconds of checks): exit 130 within 20 s (a bound for
 * busy machines; the stop is at the next member). */
Test(sweep_scale, list_stops_on_sigint_while_checking_members, .timeout = 120)
{
    setup();
    const char *vary[] = {"sites.count=1..1000", "scenario.seed=1..1000", NULL};
    pid_t pid = start_list(vary, -1);
    nanosleep(&(struct timespec){1, 500000000}, NULL);
    int status;
    cr_assert(!wait_for(pid, 0.01, &status, NULL), "ended before the signal: %d", status);
    kill(pid, SIGINT);
    int done = wait_for(pid, 20, &status, NULL);
    if (!done)
        kill_and_reap(pid);
    cr_assert(done, "sweep --list went on for 20 s after SIGINT");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
}

/* SIGINT while the list is being printed (stdout a pipe read only after
 * the signal): exit 130, a list cut short, one `towncov: stopped:` line. */
Test(sweep_scale, list_stops_on_sigint_while_printing, .timeout = 300)
{
    setup();
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    const char *vary[] = {"sites.count=1..20000", NULL};
    pid_t pid = start_list(vary, fd[1]);
    close(fd[1]);
    struct pollfd p = {.fd = fd[0], .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 240000), 1, "no list in 240 s");
    kill(pid, SIGINT);
    FILE *f = fdopen(fd[0], "r");
    char line[512];
    long lines = 0;
    while (fgets(line, sizeof line, f))
        lines++;
    fclose(f);
    int status;
    int done = wait_for(pid, 20, &status, NULL);
    if (!done)
        kill_and_reap(pid);
    cr_assert(done, "sweep --list went on for 20 s after SIGINT");
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d, %ld lines", status,
              lines);
    cr_assert_lt(lines, 20000, "the whole list was printed");
    char errp[600];
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    char *err = fx_read_file(errp, NULL);
    cr_assert(err && strstr(err, "towncov: stopped: interrupted"), "%s", err ? err : "");
    free(err);
}

static void expect_refused2(const char *vary, const char *vary2, const char *words)
{
    setup();
    const char *v[] = {vary, vary2};
    struct tc_error err = {0};
    struct sweep_space *sp = sweep_space_new(ini, v, vary2 ? 2 : 1, 0, &err);
    cr_assert_null(sp, "--vary %s accepted", vary);
    cr_assert_eq(err.exit_code, TC_EXIT_SCENARIO, "%s", err.msg);
    cr_assert(strstr(err.msg, words), "'%s' lacks '%s'", err.msg, words);
}

static void expect_refused(const char *vary, const char *words)
{
    expect_refused2(vary, NULL, words);
}

Test(sweep_scale, sweep_keys_are_never_iterations)
{
    expect_refused("sweep.repeat=1..3", "--vary sweep.repeat=1..3: [sweep] keys are never "
                   "iterations");
    expect_refused("sweep.constraint=a,b", "--vary sweep.constraint=a,b: [sweep] keys are never "
                   "iterations");
}

Test(sweep_scale, the_member_limit_is_stated)
{
    expect_refused2("sites.count=1..1000", "radio.height_m=1..1001", "more than 1000000 members");
    /* At the limit: accepted. */
    setup();
    const char *v[] = {"sites.count=1..1000", "radio.height_m=1..1000"};
    struct tc_error err = {0};
    struct sweep_space *sp = sweep_space_new(ini, v, 2, 0, &err);
    cr_assert_not_null(sp, "%s", err.msg);
    cr_assert_eq(sweep_space_count(sp), 1000000);
    sweep_space_free(&sp);
}
