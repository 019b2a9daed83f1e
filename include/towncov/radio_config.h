/* radio_config.h — the [radio] section (bands, path-loss models, antennas, budget terms): plain data the scenario file fills
 * (scenario.h embeds it); the stage's own header includes it. */
#ifndef TOWNCOV_RADIO_CONFIG_H
#define TOWNCOV_RADIO_CONFIG_H

#include "towncov/common.h"
#include "towncov/sites_config.h" /* struct radio_site: a station's own antenna */

#define RADIO_MAX_SECTORS SITE_MAX_SECTORS
#define RADIO_MAX_VERTICES 360 /* link model: angle_step_deg >= 1 */
#define RADIO_PSI_STEPS 1800   /* range tables: |azimuth offset| 0..180 deg by 0.1 */

enum radio_model_type { RADIO_DISC, RADIO_LINK };

/* Band presets (radio_band_names[] gives "n78", ...). */
enum radio_band { RADIO_BAND_N78, RADIO_BAND_N41, RADIO_BAND_N28, RADIO_BAND_CUSTOM,
                  RADIO_BAND_COUNT };

/* Path-loss models; radio_pathloss_names[] gives the scenario/CLI names. */
enum radio_pathloss {
    RADIO_PL_FSPL,
    RADIO_PL_RMA_LOS,
    RADIO_PL_RMA_NLOS,
    RADIO_PL_UMA_LOS,
    RADIO_PL_UMA_NLOS,
    RADIO_PL_UMI_LOS,
    RADIO_PL_UMI_NLOS,
    RADIO_PL_HATA_URBAN_LARGE,
    RADIO_PL_HATA_URBAN_SMALL,
    RADIO_PL_HATA_SUBURBAN,
    RADIO_PL_HATA_OPEN,
    RADIO_PL_COST231,
    RADIO_PL_COST231_METRO,
    RADIO_PL_COUNT
};

/* Outdoor-to-indoor penetration, TR 38.901 §7.4.3. */
enum radio_o2i { RADIO_O2I_NONE, RADIO_O2I_LOW, RADIO_O2I_HIGH };

/* Validity warnings: a model used outside the ranges its source states.
 * The numbers are still computed (the formula extrapolated); the caller
 * decides how to tell the user (radio_warning_text()). */
enum radio_warning {
    RADIO_WARN_FREQ = 1u << 0,      /* carrier frequency outside the model's range */
    RADIO_WARN_DIST_NEAR = 1u << 1, /* a ground distance below the model's minimum */
    RADIO_WARN_DIST_FAR = 1u << 2,  /* a ground distance beyond the model's maximum */
    RADIO_WARN_H_BS = 1u << 3,      /* gNB height outside the range (or not the nominal) */
    RADIO_WARN_H_UT = 1u << 4,      /* UE height outside the range */
    RADIO_WARN_H_BUILDING = 1u << 5, /* RMa average building height outside 5..50 m */
    RADIO_WARN_STREET = 1u << 6,    /* RMa average street width outside 5..50 m */
    RADIO_WARN_RANGE_CAP = 1u << 7, /* the budget reaches beyond max_range_m: clipped */
    RADIO_WARN_NO_COVER = 1u << 8   /* the budget is not met even 1 m from the mast */
};

/* Scenario section [radio]; every field is described in radio_keys[].
 * Per-kind arrays are indexed by enum tc_kind. */
struct radio_config {
    int model;                    /* enum radio_model_type */
    double radius_m[KIND_COUNT];  /* disc model: radius per township kind */
    long vertices;                /* disc model: vertices of the N-gon */

    /* link model, per township kind */
    int band[KIND_COUNT];             /* enum radio_band */
    int pathloss[KIND_COUNT];         /* enum radio_pathloss */
    double tx_power_dbm[KIND_COUNT];  /* total over the carrier, all ports */
    double height_m[KIND_COUNT];      /* gNB antenna height above ground */
    double gain_dbi[KIND_COUNT];      /* gNB antenna peak gain */
    double cable_loss_db[KIND_COUNT]; /* feeder/jumper loss */
    long sectors[KIND_COUNT];         /* 0 = omni; else azimuths 360 i / n */
    double mtilt_deg[KIND_COUNT];     /* mechanical downtilt */
    double etilt_deg[KIND_COUNT];     /* electrical downtilt */
    int o2i[KIND_COUNT];              /* enum radio_o2i */
    double rsrp_threshold_dbm[KIND_COUNT]; /* SS-RSRP at the cell edge */

    /* link model, shared */
    double custom_freq_mhz;
    double custom_bandwidth_mhz;
    long custom_scs_khz;
    long custom_nrb;              /* 0: from TS 38.101-1 Table 5.3.2-1 */
    double ue_height_m;
    double ue_gain_dbi;
    double body_loss_db;
    double edge_probability;      /* target coverage probability at the edge */
    double empirical_sigma_db;    /* shadowing sigma for Hata and COST-231 */
    double o2i_depth_m;           /* indoor distance d_2D-in */
    double building_height_m;     /* RMa h */
    double street_width_m;        /* RMa W */
    double hpbw_h_deg, hpbw_v_deg, front_to_back_db, sla_v_db; /* Table 7.3-1 */
    double angle_step_deg;
    double max_range_m;
};

/* The radio model built from a configuration: opaque (radio_internal.h). */
struct radio_model;

/* What the model decided for one station, for reports. */
struct radio_range_info {
    double min_range_m;
    double max_range_m;
    const char *band;      /* static string: "disc", "n78", ... */
    const char *pathloss;  /* static string: "disc", "uma-nlos", ... */
    unsigned warnings;     /* enum radio_warning bits (0 for disc) */
};

/* Geometry and carrier of one path-loss evaluation. */
struct radio_pl_params {
    double f_ghz;              /* carrier frequency */
    double h_bs, h_ut;         /* antenna heights above ground, m */
    double h_building;         /* RMa average building height h, m */
    double street_width;       /* RMa average street width W, m */
    double empirical_sigma_db; /* sigma reported for Hata / COST-231 */
};

/* The link budget of one station, term by term (radio_budget()). */
struct radio_budget {
    const char *band, *pathloss;  /* static strings */
    double f_mhz, bandwidth_mhz;
    int scs_khz, nrb, subcarriers;
    double tx_power_dbm;     /* total over the carrier */
    double re_power_dbm;     /* per resource element: tx - 10 log10(12 N_RB) */
    double gain_dbi, cable_loss_db;
    double eirp_re_dbm;      /* re_power + gain - cable, at the pattern's peak */
    double ue_gain_dbi, body_loss_db;
    double o2i_db;           /* mean O2I loss PL_tw + PL_in */
    double sigma_sf_db;      /* model's shadow fading at the boresight range */
    double sigma_o2i_db;
    double sigma_db;         /* sqrt(sf^2 + o2i^2) */
    double edge_probability, z; /* z = inverse normal CDF of the probability */
    double margin_db;        /* z sigma */
    double rsrp_threshold_dbm;
    double mapl_db;          /* largest path loss at the pattern's peak */
    double h_bs, h_ut;
    double mtilt_deg, etilt_deg;
    int sectors;
    double range_boresight_m; /* including the vertical pattern */
    unsigned warnings;
};

extern const struct key_desc radio_keys[];
extern const int radio_nkeys;

/* Checks cross-key consistency after parsing; 0 or -1 with err set. */
int radio_config_check(const struct radio_config *rc, struct tc_error *err);

#endif
