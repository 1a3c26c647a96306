/* expression.h: the continuous gestures of a player, written into a score
 * as controller and pitch-bend curves: vibrato, swells, scoops, falls and
 * string bends.
 *
 * Curves are sampled every EXPRESSION_STEP seconds, fine enough that neither
 * a soundfont nor the sampler hears steps. Every pitch gesture ends with
 * the bend back at its resting value, so the next note starts in tune.
 */
#ifndef SYNTH_EXPRESSION_H
#define SYNTH_EXPRESSION_H

#include "rng.h"
#include "score.h"

#define EXPRESSION_STEP 0.01

typedef struct {
    double depth_cents; /* peak deviation; 0 plays straight */
    double rate_hz;
    double delay;       /* seconds into a note before it starts */
    double onset;       /* seconds it takes to reach full depth */
} vibrato;

/* A player's vibrato: depth drawn from [cents_low, cents_high], a rate of
 * 4.5 to 7 Hz, a delay of 0.1 to 0.4 s. */
vibrato expression_vibrato_draw(double cents_low, double cents_high, rng *r);

/* Vibrato around center semitones on a note held from t0 to t1; the
 * rate wanders a little, as a player's does. Writes nothing when the note
 * ends before the vibrato would start. */
void expression_vibrato(score *s, const vibrato *v, double t0, double t1,
                        double center, rng *r);

/* Pitch glides from `from` to `to` semitones over [t0, t0 + length], with
 * the ease-in-out shape a finger or lip gives it. */
void expression_glide(score *s, double t0, double length, double from,
                      double to);

/* Expression (CC11) moves from `from` to `to` over [t0, t1], smoothly. */
void expression_ramp(score *s, double t0, double t1, int from, int to);

/* A swell on a held note: expression rises from start to peak at the
 * given share of the note, then eases to end. */
void expression_swell(score *s, double t0, double t1, int start, int peak,
                      double peak_at, int end);

#endif
