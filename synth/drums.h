/* drums.h: a drummer for the accompaniment, on General MIDI percussion
 * keys (channel 10), so a soundfont's drum kit or a recorded kit in the
 * sampler can play it.
 *
 * Grooves are one bar long, written one character per sixteenth (twelve
 * for 3/4) per drum: X accent, x normal, o soft, g ghost note, . silence;
 * swing and humanised timing and velocity come on top. Every few bars a
 * fill on toms or snare leads into a crash.
 */
#ifndef SYNTH_DRUMS_H
#define SYNTH_DRUMS_H

#include "rng.h"
#include "score.h"
#include "song.h"

/* GM percussion keys the grooves use. */
enum {
    DRUM_KICK = 36, DRUM_STICK = 37, DRUM_SNARE = 38, DRUM_TOM_LOW = 45,
    DRUM_HAT = 42, DRUM_HAT_PEDAL = 44, DRUM_HAT_OPEN = 46, DRUM_TOM_MID = 47,
    DRUM_TOM_HIGH = 50, DRUM_CRASH = 49, DRUM_RIDE = 51, DRUM_TAMBOURINE = 54,
    DRUM_SHAKER = 70
};

/* A GM drum kit (a preset in bank 128) that suits the style: standard,
 * room, power, jazz or brush. */
int drums_kit(song_style style, rng *r);

/* Writes seconds of drumming in the song's style and metre. */
void drums_play(score *s, const song *g, double seconds, rng *r);

#endif
