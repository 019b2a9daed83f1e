/* radio/antenna.c — the TR 38.901 Table 7.3-1 sector pattern and the
 * outdoor-to-indoor loss of TR 38.901 7.4.3 (see radio.h). */
#include "radio_internal.h"

#include <math.h>

/* ---- outdoor to indoor ----------------------------------------------------- */

double radio_o2i_loss(enum radio_o2i o2i, double f_ghz, double depth_m, double *sigma_db)
{
    double l_glass = 2 + 0.2 * f_ghz, l_irr = 23 + 0.3 * f_ghz, l_concrete = 5 + 4 * f_ghz;
    double tw, sigma;
    switch (o2i) {
    case RADIO_O2I_LOW:
        tw = 5 - 10 * log10(0.3 * pow(10, -l_glass / 10) + 0.7 * pow(10, -l_concrete / 10));
        sigma = 4.4;
        break;
    case RADIO_O2I_HIGH:
        tw = 5 - 10 * log10(0.7 * pow(10, -l_irr / 10) + 0.3 * pow(10, -l_concrete / 10));
        sigma = 6.5;
        break;
    default:
        if (sigma_db)
            *sigma_db = 0;
        return 0;
    }
    if (sigma_db)
        *sigma_db = sigma;
    return tw + 0.5 * depth_m;
}

/* ---- antenna pattern --------------------------------------------------------- */

void radio_ant_init(struct ant *a, const struct radio_config *rc, double mtilt, double etilt)
{
    a->cb = cos(mtilt / DEG);
    a->sb = sin(mtilt / DEG);
    a->etilt = etilt;
    a->kv = 12 / (rc->hpbw_v_deg * rc->hpbw_v_deg);
    a->kh = 12 / (rc->hpbw_h_deg * rc->hpbw_h_deg);
    a->sla = rc->sla_v_db;
    a->amax = rc->front_to_back_db;
}

double radio_pattern_db(const struct radio_config *rc, double mtilt_deg, double etilt_deg,
                        double psi_deg, double depression_deg)
{
    struct ant a;
    radio_ant_init(&a, rc, mtilt_deg, etilt_deg);
    struct dir d = dir_init(&a, psi_deg);
    double t = depression_deg / DEG;
    return ant_gain(&a, &d, sin(t), cos(t), 1.0);
}
