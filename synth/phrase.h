/* phrase.h: the lead part of a source: what the labelled instrument plays.
 *
 * A source gets a player: a register within the instrument's range (a
 * tessitura of one to two octaves, as a piece keeps to), a dynamic level, a
 * touch (legato, detached, staccato), a vibrato, a timing feel and a
 * texture the class allows: a melody in the song's scale that walks in
 * steps and leaps and leans on chord tones at strong beats, grouped in
 * phrases with breaths between them; strummed, picked or block chords;
 * broken chords; or two hands (bass and chords under a melody, with pedal).
 * Bowed, blown and sung notes swell (CC11) and get vibrato; electric
 * guitars bend strings, winds and voices scoop into notes and fall off
 * them, strings and voices slide between notes.
 */
#ifndef SYNTH_PHRASE_H
#define SYNTH_PHRASE_H

#include "instruments.h"
#include "rng.h"
#include "score.h"
#include "song.h"

typedef struct {
    const instrument_class *cls;
    int program;   /* General MIDI program, or -1 for recorded samples */
    int low, high; /* keys this source can sound */
    int chords;    /* it can sound several notes at once */
} lead_voice;

/* Writes seconds of lead playing over song g into s. Returns the texture
 * it chose. */
texture phrase_lead(score *s, const song *g, const lead_voice *v,
                    double seconds, rng *r);

/* The name of a texture, for the corpus manifest. */
const char *phrase_texture_name(texture t);

#endif
