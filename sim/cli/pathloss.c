/* cli/pathloss.c — `towncov pathloss`: one path loss from the command
 * line (see radio_cmd_pathloss in cli.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "towncov/common.h"
#include "towncov/radio.h"

static const char pathloss_usage[] =
    "Usage: towncov pathloss --model MODEL --freq-ghz F --distance-m D\n"
    "                        [--h-bs M] [--h-ut M] [--h-building M] [--street-width M]\n"
    "\n"
    "Prints the median path loss in dB (four decimals) at ground distance D metres.\n"
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

int radio_cmd_pathloss(int argc, char **argv)
{
    static const char *const opts[] = {"--model",  "--freq-ghz",   "--distance-m",
                                       "--h-bs",   "--h-ut",       "--h-building",
                                       "--street-width"};
    double val[7] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    int model = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(pathloss_usage, stdout);
            return 0;
        }
        int o = -1;
        const char *value = NULL;
        for (int k = 0; k < 7 && o < 0; k++) {
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
    if (isnan(val[2]))
        return pathloss_bad("--distance-m is required", NULL);
    struct radio_pl_params p = {
        val[1], isnan(val[3]) ? default_h_bs((enum radio_pathloss)model) : val[3],
        isnan(val[4]) ? 1.5 : val[4], isnan(val[5]) ? 5 : val[5], isnan(val[6]) ? 20 : val[6], 8};
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
