/* phrase.c: lead parts.
 *
 * A melody is built phrase by phrase: rhythm cells (a beat or two of note
 * values, denser for busy players and slow tempi), a pitch walk over the
 * song's scale with a rising or falling contour pulled back towards the
 * middle of the player's register, then the notes are shaped: timing feel,
 * touch (gate), dynamics and the class's gestures. Chordal textures reuse
 * chords.h and put a melody on top where the instrument has hands for it.
 */
#include "phrase.h"

#include <math.h>

#include "chords.h"
#include "expression.h"

enum { PHRASE_MAX_NOTES = 128 };

typedef struct {
    const lead_voice *v;
    const song *g;
    int low, high;     /* the register this source keeps to */
    int center;
    int velocity;      /* the player's dynamic level */
    int expression;    /* CC11 level of held notes */
    double jitter;     /* timing scatter, seconds */
    double lag;        /* behind (+) or ahead of the beat */
    double legato, staccato; /* chance a phrase is played so */
    double density;    /* 0 long notes .. 1 runs */
    int sustained;     /* breath or bow holds notes: CC11 shapes them */
    vibrato vib;
} player;

typedef struct {
    double beat, beats;
    int key, velocity;
} melody_note;

typedef struct {
    int n;
    double beats[4];
} rhythm_cell;

static const rhythm_cell slow_cells[] = {
    {1, {1}}, {1, {2}}, {2, {1.5, 0.5}}, {1, {3}}, {2, {0.5, 0.5}},
};
static const rhythm_cell medium_cells[] = {
    {1, {1}}, {2, {0.5, 0.5}}, {2, {0.75, 0.25}}, {2, {1.5, 0.5}},
    {3, {0.5, 0.25, 0.25}}, {3, {0.25, 0.25, 0.5}},
};
static const rhythm_cell busy_cells[] = {
    {4, {0.25, 0.25, 0.25, 0.25}}, {3, {1 / 3.0, 1 / 3.0, 1 / 3.0}},
    {2, {0.5, 0.5}}, {3, {0.5, 0.25, 0.25}},
};

static int clampi(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

static player player_draw(const lead_voice *v, const song *g, rng *r)
{
    instrument_kind kind = v->cls->kind;
    player p = {.v = v, .g = g};
    int half = rng_int(r, 5, 10);
    int room = v->high - v->low - 2 * half;
    /* The mean of two uniforms: the middle of the range is played most,
     * the extremes still now and then. */
    double u = 0.5 * (rng_uniform(r) + rng_uniform(r));
    p.center = v->low + half + (room > 0 ? (int)lround(u * room) : 0);
    p.low = clampi(p.center - half, v->low, v->high);
    p.high = clampi(p.center + half, v->low, v->high);
    p.velocity = rng_int(r, 48, 112);
    p.expression = rng_int(r, 80, 120);
    p.jitter = rng_range(r, 0.003, 0.018);
    p.lag = rng_range(r, -0.01, 0.025);
    p.sustained = kind == KIND_BOWED || kind == KIND_BLOWN || kind == KIND_SUNG;
    p.legato = p.sustained ? rng_range(r, 0.3, 0.8) : rng_range(r, 0.1, 0.4);
    p.staccato = rng_range(r, 0.05, kind == KIND_SUNG ? 0.1 : 0.3);
    p.density = rng_uniform(r) * (kind == KIND_SUNG || kind == KIND_ORGAN ? 0.5 : 1);
    p.vib = expression_vibrato_draw(v->cls->vibrato_cents[0],
                                    v->cls->vibrato_cents[1], r);
    return p;
}

static const rhythm_cell *draw_cell(const player *p, rng *r)
{
    double busy = p->density * (p->g->bpm > 140 ? 0.3 : 1.0);
    double w[3] = {1.2 - busy, 1.0, 1.5 * busy};
    switch (rng_weighted(r, w, 3)) {
    case 0: return &slow_cells[rng_int(r, 0, 4)];
    case 1: return &medium_cells[rng_int(r, 0, 5)];
    default: return &busy_cells[rng_int(r, 0, 3)];
    }
}

/* The next pitch of the walk: mostly steps, some leaps, the direction led
 * by the phrase's contour and pulled back from the register's edges; on
 * strong beats it often lands on a chord tone. */
static int next_key(const player *p, int key, double beat, double progress,
                    int rising, rng *r)
{
    static const double step_weights[] = {0.08, 0.5, 0.2, 0.1, 0.06, 0.03, 0.03};
    static const int steps[] = {0, 1, 2, 3, 4, 5, 7};
    int step = steps[rng_weighted(r, step_weights, 7)];
    double slope = (progress < 0.6) == rising ? 0.3 : -0.3;
    double pull = (double)(key - p->center) / (p->high - p->low + 1);
    double up = fmin(0.9, fmax(0.1, 0.5 + slope - 1.5 * pull));
    key = song_scale_step(p->g, key, rng_chance(r, up) ? step : -step);
    if (beat == floor(beat) && rng_chance(r, 0.55))
        key = song_chord_tone_near(song_chord_at(p->g, song_beat_time(p->g, beat) + 1e-6), key);
    while (key > p->high) key -= 12;
    while (key < p->low) key += 12;
    return clampi(key, p->v->low, p->v->high);
}

/* Notes of one phrase from beat `from` to `to`; the last note is held. */
static int compose_phrase(const player *p, double from, double to, int *key,
                          int velocity_from, int velocity_to,
                          melody_note *notes, rng *r)
{
    int n = 0, rising = rng_chance(r, 0.5);
    double beat = from;
    while (beat < to - 1e-9 && n < PHRASE_MAX_NOTES - 4) {
        const rhythm_cell *cell = draw_cell(p, r);
        for (int i = 0; i < cell->n && beat < to - 1e-9; i++) {
            double progress = (beat - from) / (to - from);
            double beats = fmin(cell->beats[i], to - beat);
            *key = next_key(p, *key, beat, progress, rising, r);
            int accent = beat == floor(beat) ? (fmod(beat, p->g->beats_per_bar) < 1e-9 ? 8 : 3) : -3;
            int v = velocity_from + (int)lround(progress * (velocity_to - velocity_from));
            /* A short rest now and then breaks the line inside a phrase. */
            if (beats <= 0.5 && rng_chance(r, 0.05)) {
                beat += beats;
                continue;
            }
            notes[n++] = (melody_note){beat, beats, *key,
                                       v + accent + (int)lround(5 * rng_normal(r))};
            beat += beats;
        }
    }
    if (n > 0) { /* phrases end on a longer, chordal note */
        melody_note *last = &notes[n - 1];
        last->key = clampi(song_chord_tone_near(song_chord_at(p->g, song_beat_time(p->g, last->beat) + 1e-6), last->key), p->v->low, p->v->high);
        last->beats += rng_range(r, 0.0, 1.0);
    }
    return n;
}

/* Pitch gestures at the start of a note; returns the key actually struck
 * and sets *center to where the bend rests while it sounds. */
static int note_gesture(score *s, const player *p, int key, int prev_key,
                        double t, double length, double *center, rng *r)
{
    *center = 0;
    if (!rng_chance(r, p->v->cls->bend_chance) || length < 0.15) return key;
    instrument_kind kind = p->v->cls->kind;
    if (kind == KIND_PLUCKED) { /* a string bent up into the note */
        int amount = rng_chance(r, 0.6) ? 2 : 1;
        if (key - amount < p->v->low) return key;
        double at = t + rng_range(r, 0.01, 0.08);
        expression_glide(s, at, fmin(rng_range(r, 0.06, 0.2), 0.5 * length), 0, amount);
        *center = amount;
        return key - amount;
    }
    if ((kind == KIND_BOWED || kind == KIND_SUNG) && prev_key >= 0 && prev_key != key) {
        /* a slide from the note before */
        double from = fmax(-2, fmin(2, prev_key - key));
        expression_glide(s, t, rng_range(r, 0.04, 0.12), from, 0);
        return key;
    }
    /* a scoop from below */
    expression_glide(s, t, rng_range(r, 0.04, 0.14), -rng_range(r, 0.3, 1.0), 0);
    return key;
}

static void shape_held_note(score *s, double t, double length,
                            int level, rng *r)
{
    if (length > 0.6)
        expression_swell(s, t, t + length, level - rng_int(r, 10, 30),
                         clampi(level + rng_int(r, 0, 12), 0, 127),
                         rng_range(r, 0.2, 0.6), level - rng_int(r, 0, 20));
    else
        score_control(s, t, CC_EXPRESSION, level);
}

/* Writes a phrase's notes with feel, touch and gestures. */
static void perform_line(score *s, const player *p, const melody_note *notes,
                         int n, double gate, int prev_key, rng *r)
{
    const song *g = p->g;
    for (int i = 0; i < n; i++) {
        const melody_note *m = &notes[i];
        double t = song_beat_time(g, m->beat) + p->lag + p->jitter * rng_normal(r);
        if (t < 0) t = 0;
        double end = song_beat_time(g, m->beat + m->beats);
        double length = gate >= 1 && i + 1 < n
                            ? song_beat_time(g, notes[i + 1].beat) - t + rng_range(r, 0.005, 0.03)
                            : gate * (end - t);
        if (length < 0.03) length = 0.03;
        double center;
        int struck = note_gesture(s, p, m->key, prev_key, t, length, &center, r);
        if (p->sustained)
            shape_held_note(s, t, length, p->expression - (int)lround(8 * rng_uniform(r)), r);
        /* Vibrato stops where the next note starts, even when this one
         * overlaps it legato: the bend belongs to the newer note. */
        double held = fmin(length, end - t);
        if (held > 0.3) expression_vibrato(s, &p->vib, t, t + held, center, r);
        else if (center != 0) score_bend(s, t + length, 0);
        score_note(s, t, length, struck, p->v->cls->kind == KIND_ORGAN ? 100 : m->velocity);
        prev_key = m->key;
    }
    /* Jazz and pop players fall off the last note of some phrases. */
    if (n > 0 && p->sustained && p->g->style != STYLE_CLASSICAL &&
        rng_chance(r, p->v->cls->bend_chance)) {
        const melody_note *last = &notes[n - 1];
        double end = song_beat_time(g, last->beat + last->beats) * 1.0;
        expression_glide(s, end - 0.2, 0.18, 0, -rng_range(r, 1, 2));
        score_bend(s, end + 0.05, 0);
    }
}

static double draw_gate(const player *p, rng *r)
{
    if (rng_chance(r, p->legato)) return 1.0;
    if (rng_chance(r, p->staccato)) return rng_range(r, 0.3, 0.55);
    return rng_range(r, 0.75, 0.95);
}

/* A melody over [from, to) beats: phrases of one to four bars with
 * breaths between them. */
static void play_melody(score *s, const player *p, double from, double to, rng *r)
{
    melody_note notes[PHRASE_MAX_NOTES];
    int key = song_scale_step(p->g, p->center, 0), prev = -1;
    int bar = p->g->beats_per_bar;
    double beat = from;
    while (beat < to) {
        double end = fmin(to, beat + bar * rng_int(r, 1, 4));
        int v0 = p->velocity + rng_int(r, -15, 10), v1 = p->velocity + rng_int(r, -15, 10);
        int n = compose_phrase(p, beat, end, &key, v0, v1, notes, r);
        perform_line(s, p, notes, n, draw_gate(p, r), prev, r);
        if (n > 0) prev = notes[n - 1].key;
        /* A breath: never more than a second, so no excerpt falls silent. */
        double breath = p->sustained || rng_chance(r, 0.5) ? rng_range(r, 0.25, 1.5) : 0;
        beat = ceil(end + fmin(breath, 1.0 / p->g->beat) - 1e-9);
        if (p->v->cls->kind == KIND_SUNG) prev = -1;
    }
}

static comp_style chord_style(const player *p, int low, int high, rng *r)
{
    comp_style c = {.low = low, .high = high, .notes = rng_int(r, 3, 5),
                    .spread = rng_range(r, 0.0, 0.006), .gate = rng_range(r, 0.8, 1.0),
                    .velocity = p->velocity};
    if (p->v->cls->kind == KIND_PLUCKED) {
        c.notes = rng_int(r, 4, 6);
        c.spread = rng_range(r, 0.008, 0.03);
        c.gate = rng_range(r, 0.85, 1.0);
        int program = p->v->program;
        if (program == 29 || program == 30) { /* overdriven: power chords */
            c.power = rng_chance(r, 0.8);
            c.high = clampi(low + 14, low, high);
        }
        if (program == 28) c.gate = rng_range(r, 0.3, 0.5); /* palm muted */
    }
    return c;
}

static void play_chords(score *s, const player *p, double bars, rng *r)
{
    const instrument_class *cls = p->v->cls;
    int low = clampi(cls->kind == KIND_PLUCKED ? p->v->low : p->low - 7, p->v->low, p->v->high);
    int high = clampi(cls->kind == KIND_PLUCKED ? low + 36 : p->center + 5, low, p->v->high);
    comp_style c = chord_style(p, low, high, r);
    const char *pattern = chords_pattern(p->g, r);
    if (cls->kind == KIND_ORGAN || cls->kind == KIND_SUNG) {
        pattern = p->g->beats_per_bar == 3 ? "x....." : rng_chance(r, 0.5) ? "x......." : "x...x...";
        c.gate = 1.0;
    }
    if (p->v->program == 28) pattern = "DDDDDDDD";
    int bpb = p->g->beats_per_bar;
    for (int b = 0; b < bars; b++) {
        double t0 = song_beat_time(p->g, b * bpb);
        if (p->sustained)
            shape_held_note(s, t0, p->g->beat * bpb, p->expression, r);
        chords_comp_bar(s, p->g, pattern, b * bpb, &c, p->jitter, r);
    }
}

static void play_arpeggio(score *s, const player *p, double bars, rng *r)
{
    int low = clampi(p->low - 12, p->v->low, p->v->high);
    comp_style c = chord_style(p, low, clampi(low + 24, low, p->v->high), r);
    int pattern = p->v->cls->kind == KIND_PLUCKED ? rng_int(r, 0, 3) : rng_int(r, 0, 2);
    int per_beat = p->g->bpm > 130 ? 2 : rng_int(r, 2, 4);
    double ring = rng_range(r, 0.8, 2.5);
    for (int b = 0; b < bars; b++)
        chords_arpeggio_bar(s, p->g, b * p->g->beats_per_bar, &c, pattern,
                            per_beat, ring, p->jitter, r);
}

/* Sustain pedal down just after each chord change, up just before the
 * next: what pianists do so the harmony rings without blurring. */
static void pedal(score *s, const song *g, double seconds)
{
    double span = g->beat * g->beats_per_chord;
    for (double t = 0; t < seconds; t += span) {
        score_control(s, t + 0.04, CC_SUSTAIN, 127);
        score_control(s, t + span - 0.02, CC_SUSTAIN, 0);
    }
}

/* Left hand (bass and chords, or held chords on an organ) under a right
 * hand melody. */
static void play_two_hands(score *s, player *p, double bars, rng *r)
{
    const song *g = p->g;
    int bpb = g->beats_per_bar;
    comp_style left = chord_style(p, clampi(36, p->v->low, p->v->high), 62, r);
    left.velocity = p->velocity - 12;
    const char *pattern;
    if (p->v->cls->kind == KIND_ORGAN) pattern = bpb == 3 ? "x....." : "x.......";
    else if (g->style == STYLE_JAZZ_BLUES) pattern = bpb == 3 ? "b.x.x." : "b.x.B.x.";
    else pattern = chords_pattern(g, r);
    int arpeggiate = p->v->cls->kind == KIND_STRUCK && rng_chance(r, 0.4);
    for (int b = 0; b < bars; b++) {
        if (arpeggiate)
            chords_arpeggio_bar(s, g, b * bpb, &left, rng_int(r, 0, 2), 2, 1.5, p->jitter, r);
        else
            chords_comp_bar(s, g, pattern, b * bpb, &left, p->jitter, r);
    }
    p->low = clampi(p->low < 60 ? 60 : p->low, p->v->low, p->v->high);
    p->high = clampi(p->low + 19, p->low, p->v->high);
    p->center = (p->low + p->high) / 2;
    play_melody(s, p, 0, bars * bpb, r);
}

/* An organist leans on the swell pedal every few seconds. */
static void swell_pedal(score *s, int level, double seconds, rng *r)
{
    int from = level;
    for (double t = 0; t < seconds; ) {
        double span = rng_range(r, 1.5, 5.0);
        int to = clampi(level + rng_int(r, -30, 10), 40, 127);
        expression_ramp(s, t, t + span, from, to);
        from = to;
        t += span;
    }
}

static const char *const texture_names[TEXTURE_COUNT] = {
    "melody", "chords", "arpeggio", "two-hands",
};

const char *phrase_texture_name(texture t) { return texture_names[t]; }

texture phrase_lead(score *s, const song *g, const lead_voice *v,
                    double seconds, rng *r)
{
    player p = player_draw(v, g, r);
    double w[TEXTURE_COUNT];
    for (int i = 0; i < TEXTURE_COUNT; i++)
        w[i] = v->chords || i == TEXTURE_MELODY ? v->cls->textures[i] : 0;
    texture t = (texture)rng_weighted(r, w, TEXTURE_COUNT);
    double bars = ceil(seconds / (g->beat * g->beats_per_bar));
    score_control(s, 0, CC_EXPRESSION, p.expression);
    switch (t) {
    case TEXTURE_MELODY: play_melody(s, &p, 0, bars * g->beats_per_bar, r); break;
    case TEXTURE_CHORDS: play_chords(s, &p, bars, r); break;
    case TEXTURE_ARPEGGIO: play_arpeggio(s, &p, bars, r); break;
    case TEXTURE_TWO_HANDS: play_two_hands(s, &p, bars, r); break;
    case TEXTURE_COUNT: break;
    }
    if (v->cls->kind == KIND_STRUCK && t != TEXTURE_MELODY && rng_chance(r, 0.75))
        pedal(s, g, seconds);
    if (v->cls->kind == KIND_ORGAN) swell_pedal(s, p.expression, seconds, r);
    return t;
}
