/* song.c: keys, scales, tempi and progressions by genre.
 *
 * Progressions are written as degrees of a seven-note harmony scale and the
 * chords are stacked thirds on those degrees, so one table serves every
 * key; the twelve-bar blues is the exception, spelled as dominant sevenths.
 */
#include "song.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    const char *tag;
    double bpm_low, bpm_high;
    double minor_chance;
    double waltz_chance;     /* 3/4 instead of 4/4 */
    double swing_chance;
    double seventh_chance;   /* chords get sevenths */
    double blues_chance;     /* twelve-bar blues progression */
} style_traits;

static const style_traits traits[STYLE_COUNT] = {
    [STYLE_CLASSICAL] = {"cla", 56, 150, 0.45, 0.25, 0.0, 0.1, 0.0},
    [STYLE_JAZZ_BLUES] = {"jaz_blu", 70, 210, 0.4, 0.05, 0.7, 0.85, 0.35},
    [STYLE_POP_ROCK] = {"pop_roc", 76, 156, 0.4, 0.05, 0.05, 0.15, 0.08},
    [STYLE_COUNTRY_FOLK] = {"cou_fol", 72, 170, 0.25, 0.25, 0.1, 0.05, 0.0},
    [STYLE_LATIN_SOUL] = {"lat_sou", 84, 136, 0.45, 0.0, 0.1, 0.5, 0.0},
};

static const int major_scale[7] = {0, 2, 4, 5, 7, 9, 11};
static const int minor_scale[7] = {0, 2, 3, 5, 7, 8, 10};

/* Melody scales drawn from for major and minor harmony. */
typedef struct {
    int len;
    int steps[SCALE_MAX];
    double weight[STYLE_COUNT];
} scale_choice;

static const scale_choice major_melody[] = {
    {7, {0, 2, 4, 5, 7, 9, 11}, {1, 0.5, 0.6, 0.6, 0.6}},        /* major */
    {5, {0, 2, 4, 7, 9}, {0.1, 0.3, 0.5, 0.6, 0.4}},             /* pentatonic */
    {7, {0, 2, 4, 5, 7, 9, 10}, {0.05, 0.3, 0.3, 0.3, 0.2}},     /* mixolydian */
};
static const scale_choice minor_melody[] = {
    {7, {0, 2, 3, 5, 7, 8, 10}, {1, 0.3, 0.5, 0.5, 0.5}},        /* natural */
    {7, {0, 2, 3, 5, 7, 8, 11}, {0.6, 0.1, 0.05, 0.05, 0.2}},    /* harmonic */
    {7, {0, 2, 3, 5, 7, 9, 10}, {0.1, 0.5, 0.3, 0.2, 0.5}},      /* dorian */
    {5, {0, 3, 5, 7, 10}, {0.05, 0.4, 0.6, 0.3, 0.3}},           /* pentatonic */
    {6, {0, 3, 5, 6, 7, 10}, {0, 0.6, 0.3, 0.05, 0.1}},          /* blues */
};

/* Degrees of the harmony scale, one chord each, repeated to fill a song. */
static const int major_progressions[][4] = {
    {0, 3, 4, 0}, {0, 5, 3, 4}, {1, 4, 0, 0}, {0, 4, 5, 3},
    {0, 3, 0, 4}, {0, 1, 4, 0}, {5, 3, 0, 4}, {0, 2, 3, 4},
};
static const int minor_progressions[][4] = {
    {0, 3, 4, 0}, {0, 5, 2, 6}, {0, 3, 6, 2}, {0, 6, 5, 4},
    {0, 3, 0, 4}, {0, 5, 3, 4},
};
static const int blues_roots[12] = {0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7};

const char *song_style_tag(song_style style) { return traits[style].tag; }

static void pick_melody_scale(song *s, rng *r)
{
    const scale_choice *choices = s->minor ? minor_melody : major_melody;
    int n = s->minor ? (int)(sizeof minor_melody / sizeof *minor_melody)
                     : (int)(sizeof major_melody / sizeof *major_melody);
    double w[8];
    for (int i = 0; i < n; i++) w[i] = choices[i].weight[s->style];
    const scale_choice *c = &choices[rng_weighted(r, w, n)];
    s->scale_len = c->len;
    for (int i = 0; i < c->len; i++) s->scale[i] = c->steps[i];
}

/* A triad (or seventh chord) stacked in thirds on a degree of a seven-note
 * scale; in minor the fifth degree borrows the leading tone, as players do. */
static chord stacked_chord(const int *scale7, int tonic, int degree,
                           int minor, int seventh)
{
    chord c = {.n = seventh ? 4 : 3};
    int base = scale7[degree];
    for (int i = 0; i < c.n; i++) {
        int d = degree + 2 * i;
        int pitch = scale7[d % 7] + 12 * (d / 7);
        if (minor && degree == 4 && i == 1) pitch += 1;
        c.intervals[i] = pitch - base;
    }
    c.root = (tonic + base) % 12;
    return c;
}

static void make_progression(song *s, const style_traits *t, rng *r)
{
    int seventh = rng_chance(r, t->seventh_chance);
    if (!s->minor && rng_chance(r, t->blues_chance)) {
        s->n_chords = 12;
        for (int i = 0; i < 12; i++)
            s->chords[i] = (chord){(s->tonic + blues_roots[i]) % 12, 4,
                                   {0, 4, 7, 10}};
        return;
    }
    const int *degrees;
    if (s->minor)
        degrees = minor_progressions[rng_int(
            r, 0, sizeof minor_progressions / sizeof *minor_progressions - 1)];
    else
        degrees = major_progressions[rng_int(
            r, 0, sizeof major_progressions / sizeof *major_progressions - 1)];
    const int *scale7 = s->minor ? minor_scale : major_scale;
    s->n_chords = 4;
    for (int i = 0; i < 4; i++)
        s->chords[i] = stacked_chord(scale7, s->tonic, degrees[i], s->minor,
                                     seventh);
}

void song_make(song *s, song_style style, rng *r)
{
    const style_traits *t = &traits[style];
    s->style = style;
    s->tonic = rng_int(r, 0, 11);
    s->minor = rng_chance(r, t->minor_chance);
    pick_melody_scale(s, r);
    s->bpm = rng_range(r, t->bpm_low, t->bpm_high);
    s->beat = 60.0 / s->bpm;
    s->beats_per_bar = rng_chance(r, t->waltz_chance) ? 3 : 4;
    s->swing = rng_chance(r, t->swing_chance) ? rng_range(r, 0.08, 0.17) : 0;
    /* Slow tempi change chords every bar, fast ones every two or half. */
    int bar = s->beats_per_bar;
    if (s->bpm > 150) s->beats_per_chord = 2 * bar;
    else if (s->bpm < 80 && bar == 4 && rng_chance(r, 0.5)) s->beats_per_chord = 2;
    else s->beats_per_chord = bar;
    make_progression(s, t, r);
}

double song_beat_time(const song *s, double beat)
{
    double whole = floor(beat), frac = beat - whole;
    double off = 0.5 + s->swing;
    /* Swing stretches the first eighth of each beat and squeezes the
     * second; the beat itself stays put. */
    double warped = frac < 0.5 ? frac / 0.5 * off
                               : off + (frac - 0.5) / 0.5 * (1.0 - off);
    return (whole + warped) * s->beat;
}

const chord *song_chord_at(const song *s, double t)
{
    long index = (long)floor(t / (s->beat * s->beats_per_chord));
    if (index < 0) index = 0;
    return &s->chords[index % s->n_chords];
}

int song_in_scale(const song *s, int key)
{
    int pc = ((key - s->tonic) % 12 + 12) % 12;
    for (int i = 0; i < s->scale_len; i++)
        if (s->scale[i] == pc) return 1;
    return 0;
}

int song_scale_step(const song *s, int key, int steps)
{
    while (!song_in_scale(s, key)) key--;
    int dir = steps < 0 ? -1 : 1;
    for (int n = steps * dir; n > 0; n--) {
        key += dir;
        while (!song_in_scale(s, key)) key += dir;
    }
    return key;
}

int song_chord_tone_near(const chord *c, int key)
{
    int best = key, best_distance = 99;
    for (int i = 0; i < c->n; i++) {
        int pc = (c->root + c->intervals[i]) % 12;
        for (int octave = -1; octave <= 1; octave++) {
            int candidate = key - ((key - pc) % 12 + 12) % 12 + 12 * octave;
            int d = abs(candidate - key);
            if (d < best_distance || (d == best_distance && candidate < best)) {
                best = candidate;
                best_distance = d;
            }
        }
    }
    return best;
}
