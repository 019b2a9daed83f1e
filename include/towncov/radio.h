/* radio.h — the radio model: from a station's parameters to the ground it
 * covers. The one function every later stage uses is radio_footprint().
 *
 * Two models. `disc`: a fixed radius per township kind. `link`: a 5G NR
 * SS-RSRP link budget per kind (band, power, antenna, losses, shadowing
 * margin) inverted through a path-loss model (3GPP TR 38.901, Hata,
 * COST-231, free space) into a range per direction.
 *
 * The configuration (struct radio_config, the scenario's [radio] section)
 * is plain data. What is derived from it, the tabulated ranges that make a
 * footprint cheap, lives in an opaque handle, struct radio_model, that the
 * stage needing it builds (radio_model_new) and frees (radio_model_free).
 * A model is read-only once built: any number of threads may use one model
 * at once, with no locking. */
#ifndef TOWNCOV_RADIO_H
#define TOWNCOV_RADIO_H

#include <stdint.h>
#include <stdio.h>

#include "towncov/common.h"
#include "towncov/radio_config.h"

extern const char *const radio_band_names[];     /* NULL-terminated */
extern const char *const radio_pathloss_names[]; /* NULL-terminated */

/* Checks cfg (radio_config_check) and builds its model. For the link model
 * that solves, once per township kind, a sector's range at every 0.1 deg
 * of azimuth offset and the default station's footprint (~1 ms), so that
 * radio_footprint() need not solve a station with its kind's height, power
 * and tilt. cfg is copied: the model does not borrow it, and changing cfg
 * afterwards does not change the model (build another). Returns the model,
 * which the caller frees with radio_model_free(), or NULL with err set (a
 * bad configuration, or out of memory). Call it from one thread; the model
 * it returns is never written again, so any number of threads may then
 * call the functions taking a const struct radio_model * on it at once. */
struct radio_model *radio_model_new(const struct radio_config *cfg, struct tc_error *err);

/* Frees *m and sets *m to NULL; does nothing when *m is NULL. No other
 * thread may be using the model. */
void radio_model_free(struct radio_model **m);

/* The model's own copy of its configuration (borrowed: lives as long as m). */
const struct radio_config *radio_model_config(const struct radio_model *m);

/* Largest number of vertices radio_footprint() can return for a model of
 * rc (depends on the configuration alone). */
int radio_footprint_max_vertices(const struct radio_config *rc);

/* The footprint, under model m, of a station standing in a township of
 * the given kind: a simple polygon, star-shaped about the station, as `n`
 * vertices xy[2i], xy[2i+1] in metres east/north of the station,
 * counter-clockwise, not closed (the first vertex is not repeated). Link
 * model: vertex j lies at 360 j / n degrees counter-clockwise from east, at
 * the longest range of the station's sectors in that direction. Returns n,
 * or -1 when capacity (in vertices) is too small. site may be NULL.
 * Thread-safe: m is only read. */
int radio_footprint(const struct radio_model *m, enum tc_kind kind,
                    const struct radio_site *site, double *xy, int capacity,
                    struct radio_range_info *info);

/* Median path loss (dB) of `model` at ground distance d2d_m (3-D distance
 * from the heights in p). *sigma_db (may be NULL) receives the model's
 * shadow-fading sigma at that distance; validity problems are ORed into
 * *warn (may be NULL). */
double radio_pathloss(enum radio_pathloss model, const struct radio_pl_params *p, double d2d_m,
                      double *sigma_db, unsigned *warn);

/* Validity flags of `model` for the carrier and heights in p alone. */
unsigned radio_pathloss_check(enum radio_pathloss model, const struct radio_pl_params *p);

/* Mean O2I loss (dB) PL_tw + 0.5 depth (TR 38.901 Table 7.4.3-1/-2) and its
 * sigma (may be NULL); 0 for RADIO_O2I_NONE. */
double radio_o2i_loss(enum radio_o2i o2i, double f_ghz, double depth_m, double *sigma_db);

/* The standard normal quantile: x with Phi(x) = p, 0 < p < 1 (Acklam's
 * rational approximation refined by one Halley step on erfc). */
double radio_norm_quantile(double p);

/* N_RB of TS 38.101-1 Table 5.3.2-1 for a channel bandwidth and subcarrier
 * spacing, or -1 when the table has no such entry. */
int radio_nrb(double bandwidth_mhz, int scs_khz);

/* Gain of the TR 38.901 Table 7.3-1 pattern relative to its peak (<= 0 dB)
 * toward a point `psi_deg` off the sector azimuth and `depression_deg`
 * below the horizontal, with mechanical and electrical downtilts, for the
 * HPBWs, front-to-back ratio and SLA_V in rc. */
double radio_pattern_db(const struct radio_config *rc, double mtilt_deg, double etilt_deg,
                        double psi_deg, double depression_deg);

/* The link budget, under model m, of a station of `kind` (site may be
 * NULL). Thread-safe. Returns 0. */
int radio_budget(const struct radio_model *m, enum tc_kind kind, const struct radio_site *site,
                 struct radio_budget *b);

/* "frequency outside 0.5-30 GHz; ..." for the flags of `model`, into buf.
 * Returns buf. */
char *radio_warning_text(unsigned flags, enum radio_pathloss model, char *buf, size_t size);

/* `towncov link SCENARIO`: model m's link budget per kind, term by term,
 * and the resulting ranges. Returns 0, or -1 when writing to out failed. */
int radio_print_link(FILE *out, const struct radio_model *m);

/* ---- received power at a point (sim/radio/rsrp.c) ----------------------
 * The link of one station, precomputed, for evaluating its SS-RSRP at many
 * points: the same budget, path loss, O2I loss and sector pattern as its
 * footprint, so that RSRP - margin >= threshold holds exactly inside the
 * range the solver finds (to its 0.5 m). Link model only. */
struct radio_rx;

/* The link of a station of `kind` (site may be NULL) under m. Returns it
 * (the caller frees with radio_rx_free), or NULL for a disc model or when
 * out of memory. Read-only afterwards: any number of threads may use it. */
struct radio_rx *radio_rx_new(const struct radio_model *m, enum tc_kind kind,
                              const struct radio_site *site);
void radio_rx_free(struct radio_rx **rx);

/* Median SS-RSRP (dBm per RE; mean O2I loss included, no shadowing margin)
 * at ground offset (dx, dy) m east/north of the station; the best of its
 * sectors. *margin_db (may be NULL) gets the margin z sigma there. */
double radio_rx_rsrp(const struct radio_rx *rx, double dx_m, double dy_m, double *margin_db);

/* radio_rx_rsrp's *margin_db alone (the same bits), without the antenna
 * gains: the rasters over terrain judge a cell's cover by it. */
double radio_rx_margin_db(const struct radio_rx *rx, double dx_m, double dy_m);

/* 1 when the point is covered as the footprint means it: RSRP - margin >=
 * threshold and no farther than max_range_m; *rsrp_dbm (may be NULL) gets
 * the median RSRP. */
int radio_rx_covers(const struct radio_rx *rx, double dx_m, double dy_m, double *rsrp_dbm);

/* radio_rx_covers along a row of n points: point i at ground offset
 * (xs[i] - x, dy) from the station. rsrp_dbm[i] gets the median RSRP,
 * mw[i] its power (10^(rsrp/10) mW), cover[i] 1 when covered (0 if not; a
 * 64-bit flag, as wide as the doubles, so that the loop vectorises evenly).
 * The same formula, evaluated several points at a time with glibc's vector
 * maths (see vecmath.h): within a few ulp of radio_rx_rsrp, and the same
 * whatever the thread. Thread-safe. */
void radio_rx_row(const struct radio_rx *rx, const double *xs, double x, double dy, int n,
                  double *rsrp_dbm, double *mw, int64_t *cover);

double radio_rx_threshold_dbm(const struct radio_rx *rx); /* the kind's threshold */
double radio_rx_scs_hz(const struct radio_rx *rx);        /* subcarrier spacing, Hz */
int radio_rx_band(const struct radio_rx *rx);             /* enum radio_band */
double radio_rx_freq_hz(const struct radio_rx *rx);       /* carrier frequency, Hz */
double radio_rx_height_m(const struct radio_rx *rx);      /* antenna above ground, m */

/* radio_rx_rsrp for one point (builds and frees the link: slow in loops);
 * NaN for a disc model. */
double radio_rsrp_dbm(const struct radio_model *m, enum tc_kind kind,
                      const struct radio_site *site, double dx_m, double dy_m);

#endif
