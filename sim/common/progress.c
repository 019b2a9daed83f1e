/* progress.c — the terminal progress bar (see progress.h). */
#include "towncov/progress.h"

#include <string.h>

#include "towncov/common.h"

#define BAR_WIDTH 30
#define REDRAW_S 0.1

static struct {
    FILE *out;           /* NULL: off */
    const char *label;   /* the phase being drawn, NULL: none */
    double t0, last;     /* its start, its last redraw */
} bar;

void tc_progress_enable(FILE *tty)
{
    bar.out = tty;
    bar.label = NULL;
}

/* "1:05" or "2:03:05": remaining seconds, rounded up. */
static void format_eta(char *buf, size_t size, double s)
{
    long t = (long)(s + 0.999);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

void tc_progress(const char *label, long done, long total)
{
    if (!bar.out || total <= 0)
        return;
    double now = tc_now();
    if (!bar.label || strcmp(bar.label, label) != 0) {
        bar.label = label;
        bar.t0 = now;
        bar.last = 0;
    } else if (now - bar.last < REDRAW_S && done < total) {
        return;
    }
    bar.last = now;
    double share = done < 0 ? 0 : done > total ? 1 : (double)done / (double)total;
    int fill = (int)(share * BAR_WIDTH);
    char cells[BAR_WIDTH + 1];
    memset(cells, '#', (size_t)fill);
    memset(cells + fill, '-', (size_t)(BAR_WIDTH - fill));
    cells[BAR_WIDTH] = '\0';
    char eta[32] = "--:--";
    if (share > 0.01 && now > bar.t0)
        format_eta(eta, sizeof eta, (now - bar.t0) * (1 - share) / share);
    fprintf(bar.out, "\rtowncov: %s [%s] %3.0f%% ETA %s\033[K", label, cells, 100 * share, eta);
    fflush(bar.out);
}

void tc_progress_end(void)
{
    if (bar.out && bar.label) {
        fputs("\r\033[K", bar.out);
        fflush(bar.out);
    }
    bar.label = NULL;
}
