/* plotdata.c — what sweep.png shows of a sweep (sweep_plot.h draws it):
 * the goal measures against the first varied key, one line for each
 * combination of the keys that move in other loops, repetitions averaged. */
#include "sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "towncov/goal_config.h"
#include "towncov/sweep_plot.h"

/* A point being gathered: sums over the repetitions of one x. */
struct point {
    double x, failing, covered, seat, people;
    int count;
};

/* One series being gathered: its label and points, then (finish_series)
 * the columns sweep_plot.h draws, in x order. */
struct series_acc {
    char *label;
    struct point *p;
    size_t n, cap;
    double *x, *failing, *covered, *seat, *people;
    int has_seat, has_people;
};

struct plot_acc {
    struct series_acc *s;
    int n, cap;
    char **ticks; /* categorical x */
    int n_ticks, cap_ticks;
    int numeric;
};

static int is_number(const char *text)
{
    char *end;
    strtod(text, &end);
    return end != text && *end == '\0';
}

/* The label of member i: key=value of every key outside the x key's loop. */
static char *series_label(const struct sweep_table *t, long i)
{
    size_t len = 1;
    for (int k = 1; k < t->nkeys; k++)
        if (t->loop[k] != t->loop[0])
            len += strlen(t->keys[k]) + strlen(sweep_value(t, i, k)) + 3;
    char *label = malloc(len);
    if (!label)
        return NULL;
    label[0] = '\0';
    for (int k = 1; k < t->nkeys; k++)
        if (t->loop[k] != t->loop[0]) {
            if (label[0])
                strcat(label, ", ");
            strcat(label, t->keys[k]);
            strcat(label, "=");
            strcat(label, sweep_value(t, i, k));
        }
    return label;
}

static int tick_of(struct plot_acc *a, const char *value)
{
    for (int k = 0; k < a->n_ticks; k++)
        if (strcmp(a->ticks[k], value) == 0)
            return k;
    size_t cap = (size_t)a->cap_ticks;
    if (tc_reserve((void **)&a->ticks, &cap, (size_t)a->n_ticks + 1, sizeof *a->ticks) != 0)
        return -1;
    a->cap_ticks = (int)cap;
    if (!(a->ticks[a->n_ticks] = strdup(value)))
        return -1;
    return a->n_ticks++;
}

static struct series_acc *series_of(struct plot_acc *a, char *label)
{
    for (int k = 0; k < a->n; k++)
        if (strcmp(a->s[k].label, label) == 0) {
            free(label);
            return &a->s[k];
        }
    size_t cap = (size_t)a->cap;
    if (tc_reserve((void **)&a->s, &cap, (size_t)a->n + 1, sizeof *a->s) != 0) {
        free(label);
        return NULL;
    }
    a->cap = (int)cap;
    struct series_acc *s = &a->s[a->n++];
    memset(s, 0, sizeof *s);
    s->label = label;
    return s;
}

static int add_point(struct series_acc *s, double x, const struct sweep_member *m)
{
    size_t k = 0;
    while (k < s->n && s->p[k].x != x)
        k++;
    if (k == s->n) {
        if (tc_reserve((void **)&s->p, &s->cap, k + 1, sizeof *s->p) != 0)
            return -1;
        s->p[s->n++] = (struct point){x, 0, 0, 0, 0, 0};
    }
    struct point *p = &s->p[k];
    p->failing += m->n_failing;
    p->covered += m->covered_share;
    p->seat += m->seat_share;
    p->people += m->people_share;
    p->count++;
    s->has_seat |= m->has_seat_areas;
    s->has_people |= m->has_people;
    return 0;
}

static int gather(const struct sweep_run *run, struct plot_acc *a)
{
    const struct sweep_table *t = &run->table;
    a->numeric = t->nkeys > 0;
    for (long i = 0; i < t->n; i++)
        if (t->m[i].done && t->nkeys > 0 && !is_number(sweep_value(t, i, 0)))
            a->numeric = 0;
    for (long i = 0; i < t->n; i++) {
        const struct sweep_member *m = &t->m[i];
        if (!m->done)
            continue;
        double x = (double)i;
        if (a->numeric)
            x = strtod(sweep_value(t, i, 0), NULL);
        else if (t->nkeys > 0 && (x = tick_of(a, sweep_value(t, i, 0))) < 0)
            return -1;
        char *label = t->nkeys > 0 ? series_label(t, i) : strdup("");
        struct series_acc *s = label ? series_of(a, label) : NULL;
        if (!s || add_point(s, x, m) != 0)
            return -1;
    }
    return 0;
}

static int by_x(const void *a, const void *b)
{
    double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;
    return (x > y) - (x < y);
}

/* The points in x order (x values are distinct), their means as columns. */
static int finish_series(struct series_acc *s)
{
    qsort(s->p, s->n, sizeof *s->p, by_x);
    size_t n = s->n + 1;
    s->x = malloc(n * sizeof *s->x);
    s->failing = malloc(n * sizeof *s->failing);
    s->covered = malloc(n * sizeof *s->covered);
    s->seat = malloc(n * sizeof *s->seat);
    s->people = malloc(n * sizeof *s->people);
    if (!s->x || !s->failing || !s->covered || !s->seat || !s->people)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const struct point *p = &s->p[i];
        s->x[i] = p->x;
        s->failing[i] = p->failing / p->count;
        s->covered[i] = p->covered / p->count;
        s->seat[i] = p->seat / p->count;
        s->people[i] = p->people / p->count;
    }
    return 0;
}

static void acc_free(struct plot_acc *a)
{
    for (int k = 0; k < a->n; k++) {
        struct series_acc *s = &a->s[k];
        free(s->label);
        free(s->p);
        free(s->x);
        free(s->failing);
        free(s->covered);
        free(s->seat);
        free(s->people);
    }
    for (int k = 0; k < a->n_ticks; k++)
        free(a->ticks[k]);
    free(a->ticks);
    free(a->s);
}

/* A goal threshold is drawn only when no member varies it. */
static double threshold(const struct sweep_table *t, const char *key, double value)
{
    for (int k = 0; k < t->nkeys; k++)
        if (strcmp(t->keys[k], key) == 0)
            return 0;
    return value;
}

/* What sweep.png shows: the plot and what it borrows from. */
struct sweep_plot_data {
    struct sweep_plot plot;
    struct plot_acc acc;
    struct sweep_plot_series *series;
    char title[TC_STR_MAX + 64];
};

void sweep_plot_data_free(struct sweep_plot_data **data)
{
    if (!*data)
        return;
    free((*data)->series);
    acc_free(&(*data)->acc);
    free(*data);
    *data = NULL;
}

const struct sweep_plot *sweep_plot_data_plot(const struct sweep_plot_data *data)
{
    return &data->plot;
}

struct sweep_plot_data *sweep_plot_data_new(const struct sweep_run *run, struct tc_error *err)
{
    struct sweep_plot_data *d = calloc(1, sizeof *d);
    if (!d || gather(run, &d->acc) != 0 ||
        !(d->series = calloc((size_t)d->acc.n + 1, sizeof *d->series))) {
        sweep_plot_data_free(&d);
        tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
        return NULL;
    }
    struct plot_acc *a = &d->acc;
    for (int k = 0; k < a->n; k++) {
        struct series_acc *sa = &a->s[k];
        if (finish_series(sa) != 0) {
            sweep_plot_data_free(&d);
            tc_fail(err, TC_EXIT_RESOURCE, "out of memory");
            return NULL;
        }
        /* A series draws the people's line only when its members had people. */
        d->series[k] = (struct sweep_plot_series){sa->label, (int)sa->n, sa->x, sa->failing,
                                                  sa->covered, sa->has_seat ? sa->seat : NULL,
                                                  sa->has_people ? sa->people : NULL};
    }
    long done = 0;
    for (long i = 0; i < run->table.n; i++)
        done += run->table.m[i].done;
    snprintf(d->title, sizeof d->title, "%.*s: %ld member%s%s", TC_STR_MAX, run->name, done,
             done == 1 ? "" : "s", run->interrupted ? " (interrupted)" : "");
    d->plot = (struct sweep_plot){
        .title = d->title,
        .x_key = run->table.nkeys > 0 ? run->table.keys[0] : "member",
        .x_numeric = run->table.nkeys == 0 || a->numeric,
        .n_ticks = a->n_ticks,
        .ticks = (const char *const *)a->ticks,
        .n_townships = run->n_townships,
        .goal_seat_fraction = threshold(&run->table, "goal.seat_area_min_fraction",
                                        run->goal->seat_area_min_fraction),
        .goal_covered_fraction = threshold(&run->table, "goal.min_covered_fraction",
                                           run->goal->min_covered_fraction),
        .find_min_x = run->has_find_min && run->find_min.found ? (double)run->find_min.value
                                                               : NAN,
        .n_series = a->n,
        .series = d->series,
    };
    return d;
}

int sweep_draw_plot(const struct sweep_run *run, const char *path, struct tc_error *err)
{
    struct sweep_plot_data *d = sweep_plot_data_new(run, err);
    if (!d)
        return -1;
    int rc = sweep_plot_draw(path, &d->plot, err);
    sweep_plot_data_free(&d);
    return rc;
}
