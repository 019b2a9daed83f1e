/* sweep_internal.h — the sweep stage's pieces: the table of members (what
 * each one varies and what it gave), running them, finding a threshold,
 * spreading them over MPI ranks and writing the files. */
#ifndef TOWNCOV_SWEEP_INTERNAL_H
#define TOWNCOV_SWEEP_INTERNAL_H

#include <stdio.h>

#include "towncov/outdir.h"
#include "towncov/sweep.h"

struct pipeline_cache;
struct goal_config;

/* One member: its values of the varied keys and what its run gave. */
struct sweep_member {
    char *probe;              /* --find-min: the value probed (owned); other sweeps'
                                 values are the space's (sweep_value) */
    long repetition;          /* 0..repeat-1 */
    long seed;                /* scenario.seed + repetition, set when it runs */
    double cost;              /* estimated work (stations), for the MPI ranks */
    int done;                 /* ran to the end */
    int goal_met, n_failing, n_townships, seats_covered;
    int has_seat_areas;       /* the map has seat areas (seat_share means something) */
    double covered_share;     /* covered area / area over the whole map */
    double seat_share;        /* the same over the seat areas */
    int has_people;           /* the map has people (people_share means something) */
    double people_share;      /* people covered / people over the whole map */
    double seconds;           /* wall time of its run */
    unsigned long long checksum; /* towncov run's checksum of the same results */
    int partial;              /* --find-min: judged only the townships failing at a smaller
                                 probe (n_judged of them; the others are met): goal_met and
                                 n_failing are exact, the shares NAN and the checksum unknown */
    int n_judged;
    unsigned char *recheck;   /* --find-min: the townships a larger probe must judge again
                                 (failing here, or met within GOAL_MARGIN); owned */
    char *rows;               /* its lines of sweep_townships.csv */
    size_t rows_len;
};

/* The members of a sweep, in order, and the keys they vary. */
struct sweep_table {
    int nkeys;
    char **keys;              /* "section.key" */
    int *loop;                /* the loop each key moves with (0: outermost) */
    long repeat;
    long n, cap;
    struct sweep_member *m;
    struct sweep_space *space; /* the members' values (owned; NULL for --find-min):
                                  read from it, never copied, so that the table holds
                                  a fixed size a member whatever the values' text */
};

/* What --find-min found. */
struct sweep_find_min {
    const char *key;
    long lo, hi;              /* the interval being bisected, then the range's top */
    long bottom, top;         /* the range searched */
    int seats;                /* strategy = seats: never fewer stations than townships */
    int found;                /* the goal is met at value */
    long value;               /* the smallest value meeting it */
    int monotone;             /* the probed members agree with a monotone measure */
    int partial_probes;       /* probes above a failing one judge only its failing townships */
    long n_warnings;
};

/* A sweep in progress: what its members share. */
struct scenario;
struct sweep_run {
    const struct sweep_options *opt;
    struct sweep_table table;
    struct pipeline_cache *cache;
    char *tmp;                /* the output folder being written */
    FILE *rows_out;           /* sweep_townships.csv while members stream into it (one
                                 rank: each member's rows written when it ends) */
    char *rows_path;
    char *dir;                /* where it goes */
    struct outdir_inputs inputs; /* every member's input files: never replaced */
    char *name;               /* the study's name: the scenario's (or its file's) */
    struct goal_config *goal; /* member 0's goal: the plot's thresholds */
    int n_townships;
    int rank, n_ranks;        /* MPI; 0 and 1 without */
    int interrupted;
    double load_seconds, total_seconds;
    struct sweep_find_min find_min;
    int has_find_min;
    const unsigned char *judge_only; /* --find-min: the townships the next probe judges
                                        (borrowed; NULL: every one) */
};

/* table.c */
int sweep_table_add_key(struct sweep_table *t, const char *key, int loop);
struct sweep_member *sweep_table_add_member(struct sweep_table *t, struct tc_error *err);
/* --find-min: member m probes value (copied). 0, or -1 out of memory. */
int sweep_member_set_probe(struct sweep_member *m, const char *value);
/* Member i's value of key k, and where it came from ("FILE:LINE",
 * "--vary ARG", "--find-min"); owned by the table. */
const char *sweep_value(const struct sweep_table *t, long i, int k);
const char *sweep_where(const struct sweep_table *t, int k);
void sweep_table_free(struct sweep_table *t);

/* member.c: loads member i's scenario (its values over the file's, then
 * --set) into *scn; 0 or -1 with err naming where a bad value came from. */
struct scenario;
int sweep_member_scenario(const struct sweep_run *run, long i, struct scenario *scn,
                          struct tc_error *err);
/* Runs member i (its usual outputs under members/NNN with --keep-members)
 * and keeps what it gave. 0, or -1 with err (exit 130: interrupted). */
int sweep_member_run(struct sweep_run *run, long i, struct tc_error *err);
void sweep_member_progress(const struct sweep_run *run, long i, FILE *log);

/* findmin.c: checks the key and the range on the scenario without
 * iterations (loaded into *scn), keeping its goal and name. */
int sweep_find_min_prepare(struct sweep_run *run, struct scenario *scn, struct tc_error *err);
/* Bisects: the smallest value of the key in the range at which the goal
 * is met, each probe a member of the table. 0, or -1 with err. */
int sweep_find_min(struct sweep_run *run, struct tc_error *err);
/* Whether the probes done, in increasing value, never get worse: fewer or
 * as many townships failing, as much or more covered, the goal once met
 * staying met (find_min.monotone). Warns on the log for each pair of
 * neighbours that breaks it (the first 5; find_min.n_warnings counts). */
void sweep_find_min_check(struct sweep_run *run);

/* output.c */
/* Opens sweep_townships.csv in the folder being written, so that each
 * member's rows go there as it ends (memory stays one member's): for one
 * rank, whose members end in order. 0, or -1 with err. */
int sweep_rows_open(struct sweep_run *run, struct tc_error *err);
/* Writes member m's rows into the open sweep_townships.csv and frees them
 * (nothing without one: the MPI ranks gather them). */
void sweep_rows_stream(struct sweep_run *run, struct sweep_member *m);
/* Closes it unwritten (an aborted sweep). */
void sweep_rows_abandon(struct sweep_run *run);
int sweep_write_outputs(struct sweep_run *run, struct tc_error *err);
void sweep_print_table(const struct sweep_run *run, FILE *out);
int sweep_print_list(const struct sweep_table *t, FILE *out, struct tc_error *err);

/* plotdata.c: what sweep.png shows of run (its done members: one series
 * for each combination of the keys outside the first's loop, repetitions
 * averaged); output.c hands it to sweep_plot.h. The data borrows the
 * table's key names (valid while run is); free it with
 * sweep_plot_data_free. NULL with err when out of memory. */
struct sweep_plot_data;
struct sweep_plot_data *sweep_plot_data_new(const struct sweep_run *run, struct tc_error *err);
/* The plot, owned by data (valid until it is freed). */
const struct sweep_plot *sweep_plot_data_plot(const struct sweep_plot_data *data);
void sweep_plot_data_free(struct sweep_plot_data **data);
int sweep_draw_plot(const struct sweep_run *run, const char *path, struct tc_error *err);

/* mpi.c: the ranks of an MPI build (mpirun -np R); without MPI (the
 * default build) one rank runs every member. */
void sweep_ranks_of(struct sweep_run *run);       /* run->rank, run->n_ranks */
/* Assigns the members to ranks (largest estimated cost first, each to the
 * least loaded rank: static, so every rank computes the same answer);
 * owner[i] gets member i's rank. */
void sweep_ranks_assign(const struct sweep_run *run, int *owner);
/* Every rank's members reach rank 0 (their outcomes and rows; status is
 * this rank's exit status so far, 0 when its members all ran). Returns
 * the first non-zero status of any rank (rank 0's first), or 0. */
int sweep_ranks_gather(struct sweep_run *run, const int *owner, int status);
/* A text rank 0 has reaches every rank (the temporary folder's path);
 * *text is replaced on the others. 0, or -1 out of memory. */
int sweep_ranks_share_text(const struct sweep_run *run, char **text);
/* Rank 0's status reaches every rank. */
int sweep_ranks_share_status(const struct sweep_run *run, int status);

#endif
