/* sampler.h: plays scores with recorded sounds, so real timbres enter the
 * corpus through the same phrases, accompaniment and rooms as soundfonts.
 *
 * Notes: each note takes the recorded note nearest in pitch and shifts it
 * (at most SAMPLES_MAX_SHIFT semitones) by resampling with libsamplerate;
 * the resampling ratio follows the score's pitch bend block by block, so
 * vibrato, scoops and bends work as with a soundfont. Velocity and
 * expression set the gain, the sustain pedal holds notes, a short attack
 * and a release fade keep note edges clean, overlapping notes ring on.
 * Drum kits play GM percussion keys with their recorded hits. Phrase
 * material (recordings without a pitch) is cut into stretches of a few
 * seconds and strung together with crossfades.
 */
#ifndef SYNTH_SAMPLER_H
#define SYNTH_SAMPLER_H

#include "rng.h"
#include "samples.h"
#include "score.h"
#include "status.h"

/* Renders a sorted score through the notes of set into left and right
 * (frames each, overwritten), panned -1 (left) to 1 (right). */
irmas_status sampler_render(const sample_set *set, const score *s, double pan,
                            float *left, float *right, long frames);

/* Renders a sorted percussion score through a drum kit. */
void sampler_render_kit(const sample_set *kit, const score *s, float *left,
                        float *right, long frames);

/* Fills frames (at rate) with stretches of the set's phrase recordings. */
void sampler_render_phrases(const sample_set *set, int rate, double pan,
                            rng *r, float *left, float *right, long frames);

#endif
