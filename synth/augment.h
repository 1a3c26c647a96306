/* augment.h: what turns a clean render into something that sounds
 * recorded: a room, the colour of microphones and desks (EQ and band
 * limits), compression, background noise, and a level, in that order,
 * ending with a soft limiter so nothing clips hard.
 *
 * A plan is drawn once per source (one recording: one room, one chain) and
 * applied to the whole render before it is cut into excerpts.
 *   none   level only (-18 dBFS RMS) and the limiter;
 *   light  small rooms, gentle EQ, sometimes mild compression and faint
 *          noise: a good studio recording;
 *   full   rooms from booths to churches, strong EQ and band limits down to
 *          telephone-like 3.5 kHz, compression, noise down to 22 dB SNR,
 *          levels over 18 dB: everything IRMAS's sources went through.
 */
#ifndef SYNTH_AUGMENT_H
#define SYNTH_AUGMENT_H

#include <stddef.h>

#include "biquad.h"
#include "dynamics.h"
#include "noise.h"
#include "rng.h"
#include "room.h"
#include "status.h"

typedef enum { AUGMENT_NONE, AUGMENT_LIGHT, AUGMENT_FULL } augment_level;

enum { AUGMENT_MAX_FILTERS = 6 };

typedef struct {
    biquad_kind kind;
    double hz, q, gain_db;
} augment_filter;

typedef struct {
    int has_room;
    room_params room;
    int n_filters;
    augment_filter filters[AUGMENT_MAX_FILTERS];
    int has_compressor;
    compressor comp;       /* threshold_db: relative to the signal's RMS */
    int has_noise;
    noise_kind noise;
    double snr_db;         /* signal RMS over noise RMS */
    double level_db;       /* RMS of the result, dBFS */
} augment_plan;

/* Parses "none", "light" or "full"; -1 for anything else. */
int augment_parse_level(const char *text);

void augment_draw(augment_plan *p, augment_level level, rng *r);

/* Applies the plan to n frames of left and right in place. */
irmas_status augment_apply(const augment_plan *p, int rate, rng *r,
                           float *left, float *right, long n);

/* One line for the corpus manifest: "room 1.20s -6dB; eq ...". */
void augment_describe(const augment_plan *p, char *out, size_t size);

#endif
