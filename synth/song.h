/* song.h: the musical frame a source is played in: genre, key, scale,
 * tempo, metre, swing and a chord progression.
 *
 * The lead phrase and every accompaniment part read the same song, so the
 * bass walks under the chords the melody leans on and the drums keep the
 * tempo the melody swings to. The genre becomes the IRMAS genre tag in the
 * file name ([cla], [jaz_blu], [pop_roc], [cou_fol], [lat_sou]).
 *
 * Times are seconds from the start of the render; beats count from 0.
 */
#ifndef SYNTH_SONG_H
#define SYNTH_SONG_H

#include "rng.h"

typedef enum {
    STYLE_CLASSICAL,
    STYLE_JAZZ_BLUES,
    STYLE_POP_ROCK,
    STYLE_COUNTRY_FOLK,
    STYLE_LATIN_SOUL,
    STYLE_COUNT
} song_style;

enum { SONG_MAX_CHORDS = 64, CHORD_MAX_NOTES = 4, SCALE_MAX = 8 };

typedef struct {
    int root;                       /* pitch class, 0 = C */
    int n;                          /* notes in the chord */
    int intervals[CHORD_MAX_NOTES]; /* semitones above the root, ascending */
} chord;

typedef struct {
    song_style style;
    int tonic;               /* pitch class of the key */
    int minor;               /* the harmony is minor */
    int scale[SCALE_MAX];    /* the melody's scale, semitones above tonic */
    int scale_len;
    double bpm;
    double beat;             /* seconds per beat */
    int beats_per_bar;       /* 3 or 4 */
    double swing;            /* off-beat eighths late by this share of a beat */
    int beats_per_chord;
    int n_chords;            /* the progression repeats after n_chords */
    chord chords[SONG_MAX_CHORDS];
} song;

/* The IRMAS genre tag of a style: "cla", "jaz_blu", ... */
const char *song_style_tag(song_style style);

/* Draws a song of the given style: key, scale, tempo, metre, progression. */
void song_make(song *s, song_style style, rng *r);

/* Seconds at which a beat (fractional beats allowed) falls, swing applied
 * to off-beat eighths. */
double song_beat_time(const song *s, double beat);

/* The chord sounding at time t. */
const chord *song_chord_at(const song *s, double t);

/* 1 when key's pitch class is in the melody scale. */
int song_in_scale(const song *s, int key);

/* key moved by steps scale degrees (negative: down), after snapping it to
 * the scale. */
int song_scale_step(const song *s, int key, int steps);

/* The chord tone nearest to key (ties go down). */
int song_chord_tone_near(const chord *c, int key);

#endif
