/* instruments.h: the eleven IRMAS classes and the General MIDI programs that
 * play each of them.
 *
 * Every GM program that is a member of a class takes part, weighted by how
 * often such an instrument leads a recording: the four saxophones, six
 * electric guitars, choir and solo voices. Ranges are sounding pitches an
 * instrument really plays in (not the GM keyboard), so a rendered flute
 * never growls at C2. What the classes leave out, and why:
 *   flute   73 and piccolo 72 (a flute by construction, IRMAS labels it so);
 *           pan flute, recorder, whistle and ocarina are other instruments;
 *   piano   0-3, acoustic and electric grands and honky-tonk; the electric
 *           pianos (4, 5) are Rhodes and FM keyboards, not pianos;
 *   organ   16-20, drawbar, percussive, rock, church and reed organs;
 *           accordion and harmonica are free reeds players call otherwise;
 *   violin  40 and fiddle 110 (the same instrument in folk music);
 *   voice   52 choir aahs, 53 voice oohs, 54 synth voice;
 *   no ensembles (string ensemble is neither cello nor violin).
 * Accompaniment draws its own programs (accomp.h) from the other classes.
 */
#ifndef SYNTH_INSTRUMENTS_H
#define SYNTH_INSTRUMENTS_H

#include "classes.h"
#include "rng.h"
#include "song.h"

enum { CLASS_COUNT = CLASSES_IRMAS, CLASS_MAX_PROGRAMS = 6 };

typedef enum {
    KIND_BOWED,   /* legato lines, vibrato, swells */
    KIND_BLOWN,   /* phrases end where the player breathes */
    KIND_PLUCKED, /* strummed, picked or single-note lines; notes decay */
    KIND_STRUCK,  /* piano: two hands, sustain pedal */
    KIND_ORGAN,   /* held chords, no touch sensitivity, swell pedal */
    KIND_SUNG     /* legato, wide vibrato, scoops, breaths */
} instrument_kind;

/* How a lead part is laid out in time and pitch. */
typedef enum {
    TEXTURE_MELODY,    /* one line */
    TEXTURE_CHORDS,    /* block or strummed chords with a top line */
    TEXTURE_ARPEGGIO,  /* broken chords, fingerpicking */
    TEXTURE_TWO_HANDS, /* bass and chords below, melody above */
    TEXTURE_COUNT
} texture;

typedef struct {
    int program;   /* General MIDI, counted from 0 */
    double weight; /* relative chance of leading a source */
    int low, high; /* sounding range, MIDI keys */
} gm_program;

typedef struct {
    instrument_kind kind;
    int n_programs;
    gm_program programs[CLASS_MAX_PROGRAMS];
    double vibrato_cents[2];    /* depth range on held notes; 0 0 is none */
    double bend_chance;         /* share of notes bent, scooped or slid */
    double textures[TEXTURE_COUNT];
    double styles[STYLE_COUNT]; /* how often each genre leads with it */
} instrument_class;

/* The classes in IRMAS order: instrument_classes[c] plays classes_code(c). */
extern const instrument_class instrument_classes[CLASS_COUNT];

/* The IRMAS code of a class of the table: "cel". */
const char *instrument_code(const instrument_class *c);

/* A program of the class, drawn by weight; available[i] (when not NULL)
 * says whether programs[i] can be played at all. Returns the index into
 * programs, or -1 when none is available. */
int instrument_pick_program(const instrument_class *c, const int *available,
                            rng *r);

#endif
