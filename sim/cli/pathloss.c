/* cli/pathloss.c — `towncov pathloss`: one path loss from the command
 * line, through the radio stage's models (radio.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/radio.h"
#include "towncov/terrain.h"

struct pathloss_args {
    const char *model, *profile;
    double freq_ghz, distance_m, h_bs, h_ut, h_building, street_width, k_factor;
};

static const struct cli_opt pathloss_opts[] = {
    {"model", 0, CLI_TEXT, "MODEL", 0, 0, offsetof(struct pathloss_args, model),
     "the path-loss model (required; see below)"},
    {"freq-ghz", 0, CLI_POS, "F", 0, 0, offsetof(struct pathloss_args, freq_ghz),
     "carrier frequency in GHz (required)"},
    {"distance-m", 0, CLI_POS, "D", 0, 0, offsetof(struct pathloss_args, distance_m),
     "ground distance in metres (required)"},
    {"h-bs", 0, CLI_POS, "M", 0, 0, offsetof(struct pathloss_args, h_bs),
     "base-station antenna height in metres"},
    {"h-ut", 0, CLI_POS, "M", 0, 0, offsetof(struct pathloss_args, h_ut),
     "user-terminal height in metres (default 1.5)"},
    {"h-building", 0, CLI_POS, "M", 0, 0, offsetof(struct pathloss_args, h_building),
     "average building height (rma only; default 5)"},
    {"street-width", 0, CLI_POS, "M", 0, 0, offsetof(struct pathloss_args, street_width),
     "average street width (rma only; default 20)"},
    {"profile", 0, CLI_TEXT, "FILE.csv", 0, 0, offsetof(struct pathloss_args, profile),
     "a terrain profile (distance_m,height_m; first row at\nthe station): the delta-Bullington "
     "terms of ITU-R\nP.526-15 section 4.5 too (instead of --distance-m)"},
    {"k-factor", 0, CLI_POS, "K", 0, 0, offsetof(struct pathloss_args, k_factor),
     "effective earth radius factor for --profile (default 4/3)"},
    {NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const char *const pathloss_synopsis[] = {
    "--model MODEL --freq-ghz F --distance-m D\n[--h-bs M] [--h-ut M] [--h-building M] "
    "[--street-width M]",
    "--model MODEL --freq-ghz F --profile FILE.csv [--k-factor K] [options]", NULL};

const struct cli_cmd cli_pathloss_cmd = {
    .name = "pathloss",
    .synopsis = pathloss_synopsis,
    .summary = "print one model's median path loss at one distance",
    .about = "Prints the median path loss in dB (four decimals) at ground distance D metres.\n"
             "With --profile (CSV columns distance_m,height_m: ground heights above sea level,\n"
             "the first row at the station, distance 0) the distance is the profile's length\n"
             "and the delta-Bullington terms of ITU-R P.526-15 section 4.5 are printed one per\n"
             "line (diffraction_db: the whole loss L_d; terrain_excess_db: what terrain adds\n"
             "to the model; total_db: the two summed); the ground is land (eps_r 22,\n"
             "0.003 S/m), vertical polarization.",
    .opts = pathloss_opts,
    .notes = "MODEL: fspl, rma-los, rma-nlos, uma-los, uma-nlos, umi-los, umi-nlos\n"
             "       (3GPP TR 38.901 Table 7.4.1-1; NLOS = max(LOS, NLOS')),\n"
             "       hata-urban-large, hata-urban-small, hata-suburban, hata-open (Hata 1980),\n"
             "       cost231, cost231-metro (COST-231 Hata, C_m = 0 or 3 dB).\n"
             "Defaults: --h-bs 35 m (rma), 25 m (uma), 10 m (umi), 30 m (hata, cost231),\n"
             "          1.5 m (fspl, so that the distance is D); --h-ut 1.5 m;\n"
             "          --h-building 5 m and --street-width 20 m (rma only).\n"
             "The 38.901 models and fspl use the 3-D distance from the two heights; Hata\n"
             "and COST-231 use D. Outside a model's validity a warning goes to stderr and\n"
             "the value is still printed. Exit status 0, or 2 for a bad command line.",
    .main = cli_pathloss,
};

static double default_h_bs(enum radio_pathloss m)
{
    switch (m) {
    case RADIO_PL_FSPL:
        return 1.5;
    case RADIO_PL_RMA_LOS:
    case RADIO_PL_RMA_NLOS:
        return 35;
    case RADIO_PL_UMA_LOS:
    case RADIO_PL_UMA_NLOS:
        return 25;
    case RADIO_PL_UMI_LOS:
    case RADIO_PL_UMI_NLOS:
        return 10;
    default:
        return 30;
    }
}

static int model_index(const char *name)
{
    int n = 0;
    for (; radio_pathloss_names[n]; n++)
        if (strcmp(name, radio_pathloss_names[n]) == 0)
            return n;
    const char *near = tc_closest(name, radio_pathloss_names, n);
    if (near)
        return cli_usage_error(&cli_pathloss_cmd, "unknown model '%s' (did you mean %s?)", name,
                               near), -1;
    return cli_usage_error(&cli_pathloss_cmd, "unknown model '%s'", name), -1;
}

static void warn_model(unsigned warn, enum radio_pathloss m)
{
    char text[1024];
    if (warn)
        fprintf(stderr, "towncov pathloss: warning: %s: %s\n", radio_pathloss_names[m],
                radio_warning_text(warn, m, text, sizeof text));
}

/* --profile: the model at the profile's length and the terrain terms. */
static int pathloss_profile(const char *path, enum radio_pathloss model,
                            const struct radio_pl_params *p, double k_factor)
{
    struct tc_error err = {0};
    double *d, *h;
    int n;
    if (terrain_profile_read(path, &d, &h, &n, &err) != 0)
        return cli_report(&err);
    struct terrain_config tc = {.k_factor = k_factor > 0 ? k_factor : 4.0 / 3,
                                .ground_eps_r = 22, .ground_sigma = 0.003};
    struct terrain_params tp = terrain_params_of(&tc, p->f_ghz * 1e9);
    struct terrain_terms t;
    unsigned warn = 0;
    double pl = radio_pathloss(model, p, d[n - 1], NULL, &warn);
    int rc = terrain_delta_bullington(d, h, n, p->h_bs, p->h_ut, &tp, &t);
    free(d);
    free(h);
    if (rc != 0)
        return cli_usage_error(&cli_pathloss_cmd, "%s: the profile is not usable", path);
    warn_model(warn, model);
    return terrain_print_terms(stdout, pl, &t) == 0 ? 0 : TC_EXIT_OUTPUT;
}

int cli_pathloss(int argc, char **argv)
{
    struct pathloss_args a = {0};
    int rc = cli_parse(&cli_pathloss_cmd, argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!a.model)
        return cli_usage_error(&cli_pathloss_cmd, "--model is required");
    int model = model_index(a.model);
    if (model < 0)
        return TC_EXIT_USAGE;
    if (a.freq_ghz == 0)
        return cli_usage_error(&cli_pathloss_cmd, "--freq-ghz is required");
    if (a.profile && a.distance_m != 0)
        return cli_usage_error(&cli_pathloss_cmd,
                               "--profile gives the distance: no --distance-m with it");
    if (!a.profile && a.distance_m == 0)
        return cli_usage_error(&cli_pathloss_cmd, "--distance-m is required");
    enum radio_pathloss m = (enum radio_pathloss)model;
    struct radio_pl_params p = {a.freq_ghz, a.h_bs > 0 ? a.h_bs : default_h_bs(m),
                                a.h_ut > 0 ? a.h_ut : 1.5, a.h_building > 0 ? a.h_building : 5,
                                a.street_width > 0 ? a.street_width : 20, 8};
    if (a.profile)
        return pathloss_profile(a.profile, m, &p, a.k_factor);
    unsigned warn = 0;
    double pl = radio_pathloss(m, &p, a.distance_m, NULL, &warn);
    warn_model(warn, m);
    printf("%.4f\n", pl);
    return 0;
}
