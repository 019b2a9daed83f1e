/* picture_proc.c — map.png drawn in a child process (see picture.h).
 *
 * Why a process: cairo 1.16's scan converter (cairo-tor-scan-converter.c)
 * takes its edge memory from a pool that longjmps to a jump buffer when an
 * allocation fails, but the buffer is set only once the edges are all in:
 * an allocation that fails while a path's edges are added (cairo_stroke or
 * cairo_fill under memory pressure) jumps through an uninitialised buffer
 * and the process dies (glibc: "longjmp causes uninitialized stack frame",
 * SIGABRT; or SIGSEGV). Nothing towncov can check prevents it, so the
 * drawing runs where its death takes nothing else with it: the run then
 * fails with exit 6 naming map.png, and its output folder stays as it was. */
#include "towncov/picture.h"
#include "towncov/lazyload.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child sends back through the pipe, in one write (smaller than
 * PIPE_BUF, so whole or not at all). */
struct picture_report {
    int ok;
    struct tc_error err;
};

struct picture_job {
    pid_t pid;
    int fd;           /* read end: the child's struct tc_error when it failed */
    char path[TC_PATH_MAX];
    const char *name; /* map.png, for messages (path is in the temporary twin) */
};

int picture_start(const char *path, const struct run_outcome *run, struct picture_job **job,
                  struct tc_error *err)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct picture_job *j = calloc(1, sizeof *j);
    int fds[2];
    if (!j)
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: out of memory", name);
    if (pipe(fds) != 0) {
        free(j);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: cannot start drawing it: %s", name,
                       strerror(errno));
    }
    snprintf(j->path, sizeof j->path, "%s", path);
    j->name = strrchr(j->path, '/') ? strrchr(j->path, '/') + 1 : j->path;
    if (tc_lazy_need_cairo) /* loaded here, not by dlopen in a child of threads */
        tc_lazy_need_cairo();
    fflush(NULL); /* the child must not write the parent's buffered text again */
    j->pid = fork();
    if (j->pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        free(j);
        return tc_fail(err, TC_EXIT_RESOURCE, "%s: cannot start the process that draws it: %s",
                       name, strerror(e));
    }
    if (j->pid == 0) { /* the child: draw, report, leave without exit handlers */
        close(fds[0]);
        struct picture_report r = {0};
        r.ok = picture_draw(path, run, &r.err) == 0;
        if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
            _exit(2);
        _exit(!r.ok);
    }
    close(fds[1]);
    j->fd = fds[0];
    *job = j;
    return 0;
}

int picture_finish(struct picture_job **job, struct tc_error *err)
{
    struct picture_job *j = *job;
    if (!j)
        return 0;
    int status = 0, rc = 0;
    /* An interrupt abandons the run: the drawing with it. */
    if (tc_interrupted())
        kill(j->pid, SIGKILL);
    for (;;) {
        pid_t r = waitpid(j->pid, &status, 0);
        if (r == j->pid)
            break;
        if (r < 0 && errno == EINTR) {
            if (tc_interrupted())
                kill(j->pid, SIGKILL);
            continue;
        }
        status = -1;
        break;
    }
    /* The child's report, when whole, is the verdict: it is written after
     * map.png is complete and closed, and what happens at the child's exit
     * cannot change the picture (a checker such as valgrind ends a forked
     * child with its own status, counting the parent's memory the fork
     * copied, whose owners were other threads, as lost). Without a report,
     * the way the child ended says what happened. */
    struct picture_report r;
    if (status != -1 && read(j->fd, &r, sizeof r) == (ssize_t)sizeof r) {
        if (!r.ok) {
            *err = r.err;
            rc = -1;
        }
    } else if (status == -1) {
        rc = tc_fail(err, TC_EXIT_INTERNAL, "%s: lost the process that draws it", j->name);
    } else if (WIFSIGNALED(status)) {
        rc = tc_interrupted()
                 ? tc_fail(err, TC_EXIT_INTERRUPTED, "interrupted")
                 : tc_fail(err, TC_EXIT_RESOURCE,
                           "%s: cairo died drawing it (%s); it does when memory runs out "
                           "(raise the memory limit, or set output.picture = no)",
                           j->name, strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        rc = tc_fail(err, TC_EXIT_INTERNAL, "%s: the process that draws it failed (status %d)",
                     j->name, WEXITSTATUS(status));
    }
    if (rc != 0)
        remove(j->path); /* no partial picture */
    close(j->fd);
    free(j);
    *job = NULL;
    return rc;
}

void picture_cancel(struct picture_job **job)
{
    struct picture_job *j = *job;
    if (!j)
        return;
    kill(j->pid, SIGKILL);
    while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
        continue;
    remove(j->path);
    close(j->fd);
    free(j);
    *job = NULL;
}
