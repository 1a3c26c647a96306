/* chords.h: chords as players lay them out: voicings, strums, comping
 * rhythms and broken chords.
 *
 * The lead part uses these for piano, guitar, organ and choir textures,
 * and the accompaniment for its comping and pads, so both speak the same
 * harmonic language. Comping patterns are written one character per eighth
 * note of a bar:
 *   D d   downstroke (accented, soft)     U   upstroke
 *   x     block chord                     b B bass note alone (root, fifth)
 *   .     nothing new; what sounds keeps ringing up to its gate
 */
#ifndef SYNTH_CHORDS_H
#define SYNTH_CHORDS_H

#include "rng.h"
#include "score.h"
#include "song.h"

enum { VOICING_MAX = 8 };

typedef struct {
    int low, high;  /* register the chord is voiced in */
    int notes;      /* notes per chord, at most VOICING_MAX */
    int power;      /* root, fifth and octave only (distorted guitar) */
    double spread;  /* seconds between strings of a strum; ~0 for keys */
    double gate;    /* share of the time to the next hit a chord sounds */
    int velocity;
} comp_style;

/* Keys of chord c from low to high: the root at or above low, then chord
 * tones upward at least min_gap semitones apart, at most n of them, none
 * above high. Returns how many. */
int chords_voicing(const chord *c, int low, int high, int n, int min_gap,
                   int *keys);

/* Sounds keys one after another, spread seconds apart (low to high, or
 * high to low when up), each held until t + length. */
void chords_strum(score *s, const int *keys, int n, double t, double length,
                  int velocity, double spread, int up, rng *r);

/* A comping pattern that suits the song's style and metre. */
const char *chords_pattern(const song *g, rng *r);

/* Plays one bar of pattern starting at beat bar_beat. */
void chords_comp_bar(score *s, const song *g, const char *pattern,
                     double bar_beat, const comp_style *c, double jitter,
                     rng *r);

/* Plays one bar of broken chord from beat bar_beat: the voicing's notes in
 * a pattern (up, up and down, Alberti, fingerpicking) at `per_beat` notes a
 * beat, each left to ring for `ring` beats. */
void chords_arpeggio_bar(score *s, const song *g, double bar_beat,
                         const comp_style *c, int pattern, int per_beat,
                         double ring, double jitter, rng *r);

enum { ARPEGGIO_PATTERNS = 4 };

#endif
