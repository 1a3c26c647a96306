/* score.h: one part of a source as timed MIDI-like events.
 *
 * The phrase and accompaniment generators write scores; the soundfont
 * player (sfplayer.h) and the sampler (sampler.h) render them, so a part
 * can be played by either. Times are written in seconds and kept in frames
 * at the score's rate. Pitch bend spans +-SCORE_BEND_RANGE semitones.
 *
 * Appending never fails visibly: when memory runs out the score remembers
 * it (score.failed) and drops further events; whoever renders it checks.
 */
#ifndef SYNTH_SCORE_H
#define SYNTH_SCORE_H

enum { SCORE_BEND_RANGE = 2 };

/* Ordered as events at the same frame are applied: a note released and
 * struck again on one frame is released first. */
typedef enum {
    SCORE_NOTE_OFF,
    SCORE_CONTROL,
    SCORE_BEND,
    SCORE_NOTE_ON
} score_kind;

/* MIDI controllers the generators use. */
enum {
    CC_VOLUME = 7,
    CC_PAN = 10,
    CC_EXPRESSION = 11,
    CC_SUSTAIN = 64
};

typedef struct {
    long frame;
    int order;      /* insertion order: keeps sorting stable */
    score_kind kind;
    int key;        /* note, or controller number */
    int value;      /* velocity, controller value, or bend 0..16383 */
} score_event;

typedef struct {
    int rate;
    int n, cap;
    score_event *events;
    int failed; /* an append ran out of memory */
} score;

void score_init(score *s, int rate);
void score_clear(score *s);
void score_free(score *s);

/* A note from start for length seconds; velocity 1..127. */
void score_note(score *s, double start, double length, int key, int velocity);

void score_control(score *s, double t, int controller, int value);

/* Pitch bend in semitones, clamped to the bend range. */
void score_bend(score *s, double t, double semitones);

/* Sorts by frame, then kind, then insertion; renderers need this first. */
void score_sort(score *s);

#endif
