/* noise.h: the background a real recording never escapes: the room's
 * rumble and air (pink, brown), tape or preamp hiss (white), and mains hum.
 *
 * The two channels share part of their noise, as a room heard by two
 * microphones does; hum is the same in both.
 */
#ifndef SYNTH_NOISE_H
#define SYNTH_NOISE_H

#include "rng.h"

typedef enum { NOISE_PINK, NOISE_BROWN, NOISE_HISS, NOISE_HUM, NOISE_KINDS } noise_kind;

/* Adds n frames of noise of the kind, at rms (linear, per channel), to
 * left and right. Returns 0, or -1 when memory ran out. */
int noise_add(noise_kind kind, double rms, int rate, rng *r, float *left,
              float *right, long n);

/* "pink", "brown", "hiss", "hum". */
const char *noise_name(noise_kind kind);

#endif
