/* samples.h: recorded sounds for the sampler: notes, phrases and drum
 * kits, found in a folder and held in memory.
 *
 * Layout (scripts/fetch-samples.sh writes it):
 *   DIR/<class>/<set>/<file>  one instrument per set folder (or the files
 *   DIR/<class>/<file>        straight in the class folder: one set)
 *   DIR/drums/<kit>/<file>    drum kits for the accompaniment (optional)
 * Any format libsndfile reads (WAV, FLAC, Ogg, AIFF) is accepted; files
 * are resampled to the corpus rate and their leading silence trimmed, so a
 * note starts when it is struck.
 *
 * A file whose name carries a pitch is a note: a MIDI number standing
 * alone ("067-G.wav", "060.wav") or a note name with octave, C4 = 60
 * ("A0v10.ogg", "D#3.wav", "Bb2_soft.flac"); a note name wins over a
 * number ("Samples_A1_2.ogg" is A1). Other files are phrase
 * material, cut into stretches and strung together. Drum files are named
 * by the piece they hold ("kick", "snare", "hihat-open", "ride", "tom-low").
 */
#ifndef SYNTH_SAMPLES_H
#define SYNTH_SAMPLES_H

#include <stddef.h>

#include "instruments.h"
#include "status.h"

typedef struct {
    char *name;     /* file name, for messages and the manifest */
    int key;        /* MIDI key (drum kits: GM percussion key), or -1 */
    long frames;
    float *data;    /* interleaved stereo (mono files play on both sides) */
} sample;

typedef struct {
    char *name;     /* the set's folder name */
    int n;
    sample *samples;
    int pitched;    /* how many of the samples are notes */
    int low, high;  /* keys it can play without shifting a note too far */
} sample_set;

typedef struct {
    int n_sets[CLASS_COUNT];
    sample_set *sets[CLASS_COUNT];
    int n_kits;
    sample_set *kits;
} sample_library;

/* How far (semitones) the sampler shifts a note at most. */
enum { SAMPLES_MAX_SHIFT = 6 };

/* Loads DIR/<class> for each class index in classes, and DIR/drums if it is
 * there. A missing folder, a class without recordings, or a file that is
 * not readable audio (or holds NaN) is an error naming it. */
irmas_status samples_load(const char *dir, const int *classes, int n_classes,
                          int rate, sample_library **out, char *err,
                          size_t errlen);

void samples_free(sample_library *lib);

/* The MIDI key a file name carries, or -1: a note name at the start of a
 * word ("A1", "eb5", "F#3"), else a MIDI number standing alone ("060"), so
 * a take or round-robin number ("A1_2.ogg") is not read as the pitch. */
int samples_parse_key(const char *file_name);

/* The GM percussion key of a drum file name, or -1. */
int samples_parse_drum(const char *file_name);

/* The note of set nearest to key (ties: the lower), or NULL when the set
 * has no notes. */
const sample *samples_nearest(const sample_set *set, int key);

#endif
