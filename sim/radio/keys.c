/* radio/keys.c — the [radio] scenario keys, the band presets and the
 * cross-key check of a configuration (see radio.h). */
#include "radio_internal.h"

#include <math.h>
#include <stddef.h>

static const char *const model_names[] = {"disc", "link", NULL};
const char *const radio_band_names[] = {"n78", "n41", "n28", "custom", NULL};
const char *const radio_pathloss_names[] = {
    "fspl",     "rma-los",          "rma-nlos",         "uma-los",       "uma-nlos",
    "umi-los",  "umi-nlos",         "hata-urban-large", "hata-urban-small", "hata-suburban",
    "hata-open", "cost231",         "cost231-metro",    NULL};
const char *const radio_o2i_names[] = {"none", "low", "high", NULL};

/* ---- scenario keys ------------------------------------------------------ */

#define KOFF(field, k) \
    (offsetof(struct radio_config, field) + (size_t)(k) * sizeof(((struct radio_config *)0)->field[0]))
#define GOFF(field) offsetof(struct radio_config, field)

/* One key per township kind: name_<kind>suffix, one default each. */
#define PER_KIND(pre, post, type, field, lo, hi, choices, d0, d1, d2, d3, unit, doc)              \
    {"radio", pre "_subdistrict" post, type, KOFF(field, KIND_SUBDISTRICT), lo, hi, choices, d0, \
     unit, doc ", subdistrict stations"},                                                        \
    {"radio", pre "_town" post, type, KOFF(field, KIND_TOWN), lo, hi, choices, d1, unit,         \
     doc ", town stations"},                                                                     \
    {"radio", pre "_township" post, type, KOFF(field, KIND_TOWNSHIP), lo, hi, choices, d2, unit, \
     doc ", township stations"},                                                                 \
    {"radio", pre "_special" post, type, KOFF(field, KIND_SPECIAL), lo, hi, choices, d3, unit,   \
     doc ", special-zone stations"}

const struct key_desc radio_keys[] = {
    {"radio", "model", KEY_ENUM, GOFF(model), 0, 0, model_names,
     "disc", "", "footprint model: disc (fixed radius per kind) or link (5G NR link budget)"},
    {"radio", "vertices", KEY_INT, GOFF(vertices), 8, 4096, NULL,
     "64", "", "disc model: vertices of the regular polygon drawn for each disc"},
    {"radio", "radius_subdistrict_m", KEY_DOUBLE, KOFF(radius_m, KIND_SUBDISTRICT), 1, 1e5, NULL,
     "400", "m", "disc model: radius of a station standing in a subdistrict"},
    {"radio", "radius_town_m", KEY_DOUBLE, KOFF(radius_m, KIND_TOWN), 1, 1e5, NULL,
     "900", "m", "disc model: radius of a station standing in a town"},
    {"radio", "radius_township_m", KEY_DOUBLE, KOFF(radius_m, KIND_TOWNSHIP), 1, 1e5, NULL,
     "1500", "m", "disc model: radius of a station standing in a township"},
    {"radio", "radius_special_m", KEY_DOUBLE, KOFF(radius_m, KIND_SPECIAL), 1, 1e5, NULL,
     "1200", "m", "disc model: radius of a station standing in a special zone"},

    PER_KIND("band", "", KEY_ENUM, band, 0, 0, radio_band_names, "n78", "n78", "n28", "n28", "",
             "link model: NR band (n78 3.5 GHz/100 MHz/30 kHz, n41 2.6 GHz/100 MHz/30 kHz, "
             "n28 700 MHz/30 MHz/15 kHz, or custom_*)"),
    PER_KIND("pathloss", "", KEY_ENUM, pathloss, 0, 0, radio_pathloss_names, "uma-nlos",
             "uma-nlos", "rma-nlos", "rma-nlos", "",
             "link model: path-loss model (TR 38.901 rma/uma/umi -los/-nlos, hata-*, cost231*, "
             "fspl)"),
    PER_KIND("tx_power", "_dbm", KEY_DOUBLE, tx_power_dbm, 0, 80, NULL, "53", "53", "53.8",
             "53.8", "dBm", "link model: gNB transmit power, total over the carrier and ports"),
    PER_KIND("height", "_m", KEY_DOUBLE, height_m, 1, 300, NULL, "25", "25", "35", "35", "m",
             "link model: gNB antenna height above ground"),
    PER_KIND("gain", "_dbi", KEY_DOUBLE, gain_dbi, -10, 40, NULL, "17", "17", "15", "15", "dBi",
             "link model: gNB antenna peak gain (SSB beam for an AAU)"),
    PER_KIND("cable_loss", "_db", KEY_DOUBLE, cable_loss_db, 0, 20, NULL, "0", "0", "0.5", "0.5",
             "dB", "link model: feeder and jumper loss between radio and antenna"),
    PER_KIND("sectors", "", KEY_INT, sectors, 0, RADIO_MAX_SECTORS, NULL, "3", "3", "3", "3", "",
             "link model: sectors at azimuths 360 i/n deg from north (0 = omni)"),
    PER_KIND("mtilt", "_deg", KEY_DOUBLE, mtilt_deg, -15, 45, NULL, "0", "0", "0", "0", "deg",
             "link model: mechanical downtilt (a sites file's tilt_deg replaces it)"),
    PER_KIND("etilt", "_deg", KEY_DOUBLE, etilt_deg, -15, 45, NULL, "6", "6", "3", "3", "deg",
             "link model: electrical downtilt"),
    PER_KIND("o2i", "", KEY_ENUM, o2i, 0, 0, radio_o2i_names, "none", "none", "none", "none", "",
             "link model: outdoor-to-indoor loss: none, low or high (TR 38.901 7.4.3)"),
    PER_KIND("rsrp_threshold", "_dbm", KEY_DOUBLE, rsrp_threshold_dbm, -160, -40, NULL, "-110",
             "-110", "-113", "-113", "dBm", "link model: SS-RSRP needed at the cell edge"),

    {"radio", "custom_freq_mhz", KEY_DOUBLE, GOFF(custom_freq_mhz), 100, 100000, NULL, "3500",
     "MHz", "link model: carrier frequency of band = custom"},
    {"radio", "custom_bandwidth_mhz", KEY_DOUBLE, GOFF(custom_bandwidth_mhz), 1, 400, NULL,
     "100", "MHz", "link model: channel bandwidth of band = custom"},
    {"radio", "custom_scs_khz", KEY_INT, GOFF(custom_scs_khz), 15, 120, NULL, "30", "kHz",
     "link model: subcarrier spacing of band = custom (15, 30, 60 or 120)"},
    {"radio", "custom_nrb", KEY_INT, GOFF(custom_nrb), 0, 275, NULL, "0", "",
     "link model: resource blocks of band = custom (0 = TS 38.101-1 Table 5.3.2-1)"},
    {"radio", "ue_height_m", KEY_DOUBLE, GOFF(ue_height_m), 0.5, 100, NULL, "1.5", "m",
     "link model: UE antenna height above ground"},
    {"radio", "ue_gain_dbi", KEY_DOUBLE, GOFF(ue_gain_dbi), -20, 20, NULL, "0", "dBi",
     "link model: UE antenna gain"},
    {"radio", "body_loss_db", KEY_DOUBLE, GOFF(body_loss_db), 0, 30, NULL, "3", "dB",
     "link model: body loss of a handheld UE"},
    {"radio", "edge_probability", KEY_DOUBLE, GOFF(edge_probability), 0.5, 0.9999, NULL, "0.75",
     "", "link model: probability of SS-RSRP >= threshold at the cell edge (sets the margin)"},
    {"radio", "empirical_sigma_db", KEY_DOUBLE, GOFF(empirical_sigma_db), 0, 20, NULL, "8", "dB",
     "link model: shadow-fading sigma for Hata and COST-231 (38.901 models carry their own)"},
    {"radio", "o2i_depth_m", KEY_DOUBLE, GOFF(o2i_depth_m), 0, 100, NULL, "8.3", "m",
     "link model: indoor distance d_2D-in of the O2I loss (0.5 dB/m)"},
    {"radio", "building_height_m", KEY_DOUBLE, GOFF(building_height_m), 1, 100, NULL, "5", "m",
     "link model: RMa average building height h"},
    {"radio", "street_width_m", KEY_DOUBLE, GOFF(street_width_m), 1, 200, NULL, "20", "m",
     "link model: RMa average street width W"},
    {"radio", "hpbw_h_deg", KEY_DOUBLE, GOFF(hpbw_h_deg), 1, 360, NULL, "65", "deg",
     "link model: sector antenna horizontal half-power beamwidth (TR 38.901 Table 7.3-1)"},
    {"radio", "hpbw_v_deg", KEY_DOUBLE, GOFF(hpbw_v_deg), 1, 180, NULL, "65", "deg",
     "link model: sector antenna vertical half-power beamwidth (TR 38.901 Table 7.3-1)"},
    {"radio", "front_to_back_db", KEY_DOUBLE, GOFF(front_to_back_db), 0, 60, NULL, "30", "dB",
     "link model: sector antenna front-to-back ratio A_max (TR 38.901 Table 7.3-1)"},
    {"radio", "sla_v_db", KEY_DOUBLE, GOFF(sla_v_db), 0, 60, NULL, "30", "dB",
     "link model: sector antenna vertical side-lobe limit SLA_V (TR 38.901 Table 7.3-1)"},
    {"radio", "angle_step_deg", KEY_DOUBLE, GOFF(angle_step_deg), 1, 30, NULL, "5", "deg",
     "link model: footprint sampled every this many degrees (must divide 360)"},
    {"radio", "max_range_m", KEY_DOUBLE, GOFF(max_range_m), 100, 100000, NULL, "30000", "m",
     "link model: longest range searched; longer ranges are clipped with a warning"},
};
const int radio_nkeys = (int)(sizeof radio_keys / sizeof radio_keys[0]);

/* ---- bands -------------------------------------------------------------- */

/* Nominal carriers of the presets; N_RB from TS 38.101-1 Table 5.3.2-1. */
static const struct band band_presets[RADIO_BAND_CUSTOM] = {
    {"n78", 3500, 100, 30, 273},
    {"n41", 2600, 100, 30, 273},
    {"n28", 700, 30, 15, 160},
};

/* TS 38.101-1 (and 38.104) Table 5.3.2-1, FR1: N_RB per channel bandwidth;
 * 0 where the table has no entry. */
static const int nrb_bw_mhz[16] = {3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100};
static const int nrb_table[3][16] = {
    {15, 25, 52, 79, 106, 133, 160, 188, 216, 242, 270, 0, 0, 0, 0, 0},      /* 15 kHz */
    {0, 11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273}, /* 30 kHz */
    {0, 0, 11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135},      /* 60 kHz */
};

int radio_nrb(double bandwidth_mhz, int scs_khz)
{
    int row = scs_khz == 15 ? 0 : scs_khz == 30 ? 1 : scs_khz == 60 ? 2 : -1;
    if (row < 0)
        return -1;
    for (int i = 0; i < 16; i++)
        if (fabs(bandwidth_mhz - nrb_bw_mhz[i]) < 1e-9)
            return nrb_table[row][i] > 0 ? nrb_table[row][i] : -1;
    return -1;
}

struct band radio_band_of(const struct radio_config *rc, int b)
{
    if (b >= 0 && b < RADIO_BAND_CUSTOM)
        return band_presets[b];
    struct band c = {"custom", rc->custom_freq_mhz, rc->custom_bandwidth_mhz,
                     (int)rc->custom_scs_khz, (int)rc->custom_nrb};
    if (c.nrb <= 0)
        c.nrb = radio_nrb(c.bw_mhz, c.scs_khz);
    return c;
}

/* ---- configuration ---------------------------------------------------------- */

int radio_config_check(const struct radio_config *rc, struct tc_error *err)
{
    if (rc->model != RADIO_DISC && rc->model != RADIO_LINK)
        return tc_fail(err, TC_EXIT_SCENARIO, "radio.model: unknown model %d", rc->model);
    double q = 360.0 / rc->angle_step_deg;
    if (fabs(q - nearbyint(q)) > 1e-9 || nearbyint(q) > RADIO_MAX_VERTICES || nearbyint(q) < 8)
        return tc_fail(err, TC_EXIT_SCENARIO,
                       "radio.angle_step_deg = %g must divide 360 into 8 to %d steps",
                       rc->angle_step_deg, RADIO_MAX_VERTICES);
    long scs = rc->custom_scs_khz;
    if (scs != 15 && scs != 30 && scs != 60 && scs != 120)
        return tc_fail(err, TC_EXIT_SCENARIO,
                       "radio.custom_scs_khz = %ld must be 15, 30, 60 or 120", scs);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (rc->band[k] < 0 || rc->band[k] >= RADIO_BAND_COUNT || rc->pathloss[k] < 0 ||
            rc->pathloss[k] >= RADIO_PL_COUNT || rc->o2i[k] < 0 || rc->o2i[k] > RADIO_O2I_HIGH)
            return tc_fail(err, TC_EXIT_SCENARIO, "radio: bad band, pathloss or o2i for %s",
                           tc_kind_name((enum tc_kind)k));
        if (rc->band[k] != RADIO_BAND_CUSTOM)
            continue;
        struct band b = radio_band_of(rc, rc->band[k]);
        if (b.nrb <= 0)
            return tc_fail(err, TC_EXIT_SCENARIO,
                           "radio.band_%s = custom: TS 38.101-1 Table 5.3.2-1 has no N_RB for "
                           "%g MHz at %ld kHz; set radio.custom_nrb",
                           tc_kind_name((enum tc_kind)k), b.bw_mhz, scs);
        if (12.0 * b.nrb * (double)b.scs_khz > b.bw_mhz * 1000 + 1e-6)
            return tc_fail(err, TC_EXIT_SCENARIO,
                           "radio.custom_nrb = %d resource blocks (%g MHz) do not fit in "
                           "custom_bandwidth_mhz = %g", b.nrb, 12e-3 * b.nrb * b.scs_khz,
                           b.bw_mhz);
    }
    return 0;
}
