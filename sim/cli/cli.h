/* cli.h — the commands' entry points (private to sim/cli/): main.c
 * dispatches argv to them; each parses its own command line in its file
 * here and calls its stage's public functions. Each takes argv with
 * argv[0] the command's name and returns the exit status for main(). */
#ifndef TOWNCOV_CLI_H
#define TOWNCOV_CLI_H

/* `towncov mapgen ...` (mapgen.c): parses the command line, builds, prints
 * the log or the error. */
int mapgen_main(int argc, char **argv);

/* `towncov plan ...` (plan.c): parses the command line, loads the scenario
 * and plans: 0, 2 on a bad command line, or the error's. */
int plan_main(int argc, char **argv);

/* `towncov sweep ARGS...` (sweep.c): parses and runs (sweep_main_run). */
int sweep_main(int argc, char **argv);

/* `towncov pathloss ...` (pathloss.c): prints one path loss in dB with
 * four decimals: 0, or 2 on a bad command line (message on stderr).
 * Out-of-validity inputs warn on stderr. */
int radio_cmd_pathloss(int argc, char **argv);

#endif
