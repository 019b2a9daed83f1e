/* cli/pathloss.c — `towncov pathloss`: one path loss from the command
 * line (see radio_cmd_pathloss in cli.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/radio.h"
#include "towncov/terrain.h"

static const char pathloss_usage[] =
    "Usage: towncov pathloss --model MODEL --freq-ghz F --distance-m D\n"
    "                        [--h-bs M] [--h-ut M] [--h-building M] [--street-width M]\n"
    "       towncov pathloss --model MODEL --freq-ghz F --profile FILE.csv [--k-factor K] ...\n"
    "\n"
    "Prints the median path loss in dB (four decimals) at ground distance D metres.\n"
    "With --profile (CSV columns distance_m,height_m: ground heights above sea level,\n"
    "the first row at the station, distance 0) the distance is the profile's length\n"
    "and the delta-Bullington terms of ITU-R P.526-15 §4.5 are printed one per line\n"
    "(diffraction_db: the whole loss L_d; terrain_excess_db: what terrain adds to the\n"
    "model; total_db: the two summed); --k-factor: effective earth radius factor\n"
    "(default 4/3); the ground is land (eps_r 22, 0.003 S/m), vertical polarization.\n"
    "\n"
    "MODEL: fspl, rma-los, rma-nlos, uma-los, uma-nlos, umi-los, umi-nlos\n"
    "       (3GPP TR 38.901 Table 7.4.1-1; NLOS = max(LOS, NLOS')),\n"
    "       hata-urban-large, hata-urban-small, hata-suburban, hata-open (Hata 1980),\n"
    "       cost231, cost231-metro (COST-231 Hata, C_m = 0 or 3 dB).\n"
    "Defaults: --h-bs 35 m (rma), 25 m (uma), 10 m (umi), 30 m (hata, cost231),\n"
    "          1.5 m (fspl, so that the distance is D); --h-ut 1.5 m;\n"
    "          --h-building 5 m and --street-width 20 m (rma only).\n"
    "The 38.901 models and fspl use the 3-D distance from the two heights; Hata\n"
    "and COST-231 use D. Outside a model's validity a warning goes to stderr and\n"
    "the value is still printed. Exit status 0, or 2 for a bad command line.\n";

static int pathloss_bad(const char *what, const char *arg)
{
    fprintf(stderr, "towncov pathloss: %s%s%s\n(see towncov pathloss --help)\n", what,
            arg ? ": " : "", arg ? arg : "");
    return TC_EXIT_USAGE;
}

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

static void warn_model(unsigned warn, int model)
{
    char text[1024];
    if (warn)
        fprintf(stderr, "towncov pathloss: warning: %s: %s\n", radio_pathloss_names[model],
                radio_warning_text(warn, (enum radio_pathloss)model, text, sizeof text));
}

/* --profile: the model at the profile's length and the terrain terms. */
static int pathloss_profile(const char *path, enum radio_pathloss model,
                            const struct radio_pl_params *p, double k_factor)
{
    struct tc_error err = {0};
    double *d, *h;
    int n;
    if (terrain_profile_read(path, &d, &h, &n, &err) != 0) {
        fprintf(stderr, "towncov: error: %s\n", err.msg);
        return err.exit_code;
    }
    struct terrain_config tc = {.k_factor = isnan(k_factor) ? 4.0 / 3 : k_factor,
                                .ground_eps_r = 22, .ground_sigma = 0.003};
    struct terrain_params tp = terrain_params_of(&tc, p->f_ghz * 1e9);
    struct terrain_terms t;
    unsigned warn = 0;
    double pl = radio_pathloss(model, p, d[n - 1], NULL, &warn);
    int rc = terrain_delta_bullington(d, h, n, p->h_bs, p->h_ut, &tp, &t);
    free(d);
    free(h);
    if (rc != 0)
        return pathloss_bad("the profile is not usable", path);
    warn_model(warn, model);
    return terrain_print_terms(stdout, pl, &t) == 0 ? 0 : TC_EXIT_OUTPUT;
}

int radio_cmd_pathloss(int argc, char **argv)
{
    static const char *const opts[] = {"--model",  "--freq-ghz",   "--distance-m",
                                       "--h-bs",   "--h-ut",       "--h-building",
                                       "--street-width", "--k-factor", "--profile"};
    double val[8] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    const char *profile = NULL;
    int model = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(pathloss_usage, stdout);
            return 0;
        }
        int o = -1;
        const char *value = NULL;
        for (int k = 0; k < 9 && o < 0; k++) {
            size_t len = strlen(opts[k]);
            if (strncmp(a, opts[k], len) == 0 && (a[len] == '\0' || a[len] == '=')) {
                o = k;
                value = a[len] == '=' ? a + len + 1 : NULL;
            }
        }
        if (o < 0)
            return pathloss_bad("unknown argument", a);
        if (!value) {
            if (i + 1 >= argc)
                return pathloss_bad("missing value after", a);
            value = argv[++i];
        }
        if (o == 0) {
            model = -1;
            for (int m = 0; radio_pathloss_names[m]; m++)
                if (strcmp(value, radio_pathloss_names[m]) == 0)
                    model = m;
            if (model < 0)
                return pathloss_bad("unknown model", value);
            continue;
        }
        if (o == 8) {
            profile = value;
            continue;
        }
        char *end;
        double x = strtod(value, &end);
        if (end == value || *end || !isfinite(x) || x <= 0)
            return pathloss_bad("expected a positive number", a);
        val[o] = x;
    }
    if (model < 0)
        return pathloss_bad("--model is required", NULL);
    if (isnan(val[1]))
        return pathloss_bad("--freq-ghz is required", NULL);
    if (profile && !isnan(val[2]))
        return pathloss_bad("--profile gives the distance: no --distance-m with it", NULL);
    if (!profile && isnan(val[2]))
        return pathloss_bad("--distance-m is required", NULL);
    struct radio_pl_params p = {
        val[1], isnan(val[3]) ? default_h_bs((enum radio_pathloss)model) : val[3],
        isnan(val[4]) ? 1.5 : val[4], isnan(val[5]) ? 5 : val[5], isnan(val[6]) ? 20 : val[6], 8};
    if (profile)
        return pathloss_profile(profile, (enum radio_pathloss)model, &p, val[7]);
    unsigned warn = 0;
    double pl = radio_pathloss((enum radio_pathloss)model, &p, val[2], NULL, &warn);
    if (warn) {
        char text[1024];
        fprintf(stderr, "towncov pathloss: warning: %s: %s\n", radio_pathloss_names[model],
                radio_warning_text(warn, (enum radio_pathloss)model, text, sizeof text));
    }
    printf("%.4f\n", pl);
    return 0;
}
