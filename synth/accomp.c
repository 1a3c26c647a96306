/* accomp.c: choosing and writing accompaniment parts.
 *
 * Bass lines are written like comping patterns, one character per eighth:
 * R root, F fifth, O octave, S a scale step from the last note, A a
 * chromatic approach to the next chord's root, . nothing new.
 */
#include "accomp.h"

#include <math.h>
#include <string.h>

#include "chords.h"
#include "drums.h"
#include "instruments.h"
#include "phrase.h"

typedef struct {
    int program;
    const char *class_code; /* the class it belongs to, or NULL */
    accomp_role role;       /* ROLE_COMP or ROLE_PAD */
    int low, high;
    double styles[STYLE_COUNT];
} harmony_instrument;

static const harmony_instrument harmony_instruments[] = {
    {0, "pia", ROLE_COMP, 40, 84, {1, 1, 1, 0.6, 0.8}},
    {4, NULL, ROLE_COMP, 40, 80, {0, 0.8, 0.6, 0.1, 0.8}},
    {24, "gac", ROLE_COMP, 40, 76, {0.3, 0.3, 0.2, 0.6, 0.8}},
    {25, "gac", ROLE_COMP, 40, 76, {0, 0.1, 0.6, 1, 0.2}},
    {26, "gel", ROLE_COMP, 40, 76, {0, 0.8, 0.1, 0, 0.2}},
    {27, "gel", ROLE_COMP, 40, 76, {0, 0.2, 0.8, 0.3, 0.5}},
    {11, NULL, ROLE_COMP, 48, 84, {0, 0.6, 0.1, 0, 0.3}},
    {46, NULL, ROLE_COMP, 36, 84, {0.6, 0, 0.1, 0.1, 0}},
    {16, "org", ROLE_PAD, 43, 79, {0, 0.6, 0.6, 0.1, 0.4}},
    {19, "org", ROLE_PAD, 36, 79, {0.4, 0, 0.1, 0, 0}},
    {48, NULL, ROLE_PAD, 43, 84, {1, 0.3, 0.6, 0.3, 0.4}},
    {49, NULL, ROLE_PAD, 43, 84, {0.6, 0.2, 0.4, 0.2, 0.3}},
    {89, NULL, ROLE_PAD, 43, 79, {0, 0.1, 0.5, 0.1, 0.3}},
    {52, "voi", ROLE_PAD, 48, 76, {0.3, 0, 0.2, 0.1, 0.1}},
    {61, NULL, ROLE_PAD, 48, 76, {0, 0.3, 0.3, 0, 0.5}},
};

/* How likely each part is, by style: bass, drums, harmony, counter. */
static const double part_chances[STYLE_COUNT][4] = {
    [STYLE_CLASSICAL] = {0.35, 0.0, 0.9, 0.3},
    [STYLE_JAZZ_BLUES] = {0.9, 0.75, 0.85, 0.15},
    [STYLE_POP_ROCK] = {0.9, 0.85, 0.8, 0.15},
    [STYLE_COUNTRY_FOLK] = {0.75, 0.5, 0.8, 0.2},
    [STYLE_LATIN_SOUL] = {0.85, 0.8, 0.8, 0.15},
};

static const char *const role_names[] = {"bass", "drums", "comp", "pad", "counter"};

const char *accomp_role_name(accomp_role role) { return role_names[role]; }

static int bass_program(song_style style, rng *r)
{
    static const int programs[STYLE_COUNT][3] = {
        [STYLE_CLASSICAL] = {43, 43, 32}, [STYLE_JAZZ_BLUES] = {32, 32, 33},
        [STYLE_POP_ROCK] = {33, 34, 35},  [STYLE_COUNTRY_FOLK] = {32, 33, 33},
        [STYLE_LATIN_SOUL] = {32, 33, 35},
    };
    return programs[style][rng_int(r, 0, 2)];
}

static int pick_harmony(int lead_class, const song *g, rng *r)
{
    enum { N = sizeof harmony_instruments / sizeof *harmony_instruments };
    double w[N];
    for (int i = 0; i < N; i++) {
        const char *code = harmony_instruments[i].class_code;
        int same = code && classes_find(code) == lead_class;
        w[i] = same ? 0 : harmony_instruments[i].styles[g->style];
    }
    return rng_weighted(r, w, N);
}

static int pick_counter_class(int lead_class, rng *r)
{
    static const char *const melodic[] = {"flu", "cla", "sax", "tru", "vio", "cel", "voi", "gel"};
    int c;
    do c = classes_find(melodic[rng_int(r, 0, 7)]);
    while (c == lead_class);
    return c;
}

int accomp_choose(accomp_part *parts, int lead_class, const song *g, rng *r)
{
    const double *chance = part_chances[g->style];
    int n = 0;
    if (rng_chance(r, chance[0]))
        parts[n++] = (accomp_part){ROLE_BASS, bass_program(g->style, r), 28, 52, -1,
                                   rng_range(r, -3, 2), rng_range(r, -0.15, 0.15)};
    if (rng_chance(r, chance[1]))
        parts[n++] = (accomp_part){ROLE_DRUMS, drums_kit(g->style, r), 0, 127, -1,
                                   rng_range(r, -3, 2), 0};
    if (rng_chance(r, chance[2])) {
        const harmony_instrument *h = &harmony_instruments[pick_harmony(lead_class, g, r)];
        parts[n++] = (accomp_part){h->role, h->program, h->low, h->high, -1,
                                   rng_range(r, -4, 1), rng_range(r, -0.7, 0.7)};
    }
    if (rng_chance(r, chance[3])) {
        int c = pick_counter_class(lead_class, r);
        const instrument_class *cls = &instrument_classes[c];
        const gm_program *p = &cls->programs[instrument_pick_program(cls, NULL, r)];
        parts[n++] = (accomp_part){ROLE_COUNTER, p->program, p->low, p->high, c,
                                   rng_range(r, -8, -3), rng_range(r, -0.8, 0.8)};
    }
    return n;
}

static const char *bass_pattern(const song *g, rng *r)
{
    static const char *const four[STYLE_COUNT][2] = {
        [STYLE_CLASSICAL] = {"R.......", "R...F..."},
        [STYLE_JAZZ_BLUES] = {"R.S.S.A.", "R.F.S.A."},
        [STYLE_POP_ROCK] = {"RRRRRRRR", "R..R..F."},
        [STYLE_COUNTRY_FOLK] = {"R...F...", "R.S.F.S."},
        [STYLE_LATIN_SOUL] = {"R..F...F", "R..R.F.."},
    };
    static const char *const three[STYLE_COUNT] = {
        [STYLE_CLASSICAL] = "R.....", [STYLE_JAZZ_BLUES] = "R.S.A.",
        [STYLE_POP_ROCK] = "R...F.", [STYLE_COUNTRY_FOLK] = "R.F.F.",
        [STYLE_LATIN_SOUL] = "R..F.F",
    };
    return g->beats_per_bar == 3 ? three[g->style] : four[g->style][rng_int(r, 0, 1)];
}

static int bass_key(const song *g, char step, double beat, int last, int low, rng *r)
{
    double t = song_beat_time(g, beat) + 1e-6;
    const chord *c = song_chord_at(g, t);
    int root = low + ((c->root - low) % 12 + 12) % 12;
    switch (step) {
    case 'F': return root + 7;
    case 'O': return root + 12;
    case 'S': return song_scale_step(g, last, rng_chance(r, 0.5) ? 1 : -1);
    case 'A': {
        const chord *next = song_chord_at(g, t + g->beat * g->beats_per_bar);
        int target = low + ((next->root - low) % 12 + 12) % 12;
        return target + (rng_chance(r, 0.5) ? 1 : -1);
    }
    default: return root;
    }
}

static void write_bass(score *s, const accomp_part *p, const song *g, double seconds, rng *r)
{
    const char *pattern = bass_pattern(g, r);
    int bars = (int)ceil(seconds / (g->beat * g->beats_per_bar)), last = p->low + 7;
    double gate = rng_range(r, 0.6, 0.95), jitter = rng_range(r, 0.002, 0.01);
    int velocity = rng_int(r, 70, 105);
    for (int b = 0; b < bars; b++)
        for (int i = 0; pattern[i]; i++) {
            if (pattern[i] == '.') continue;
            double beat = b * g->beats_per_bar + 0.5 * i;
            int span = 1;
            while (pattern[i + span] == '.') span++;
            last = bass_key(g, pattern[i], beat, last, p->low, r);
            double t = song_beat_time(g, beat) + jitter * rng_normal(r);
            score_note(s, t < 0 ? 0 : t, gate * 0.5 * span * g->beat, last,
                       velocity + (i == 0 ? 8 : 0) + (int)lround(5 * rng_normal(r)));
        }
}

static void write_harmony(score *s, const accomp_part *p, const song *g, double seconds, rng *r)
{
    int bars = (int)ceil(seconds / (g->beat * g->beats_per_bar));
    comp_style c = {.low = p->low, .high = p->low + 24, .notes = rng_int(r, 3, 4),
                    .spread = p->program >= 24 && p->program <= 27 ? 0.015 : 0.003,
                    .gate = p->role == ROLE_PAD ? 1.0 : rng_range(r, 0.5, 0.95),
                    .velocity = rng_int(r, 60, 95)};
    const char *pattern = p->role == ROLE_PAD ? (g->beats_per_bar == 3 ? "x....." : "x.......")
                                              : chords_pattern(g, r);
    int arpeggio = p->program == 46 || (p->role == ROLE_COMP && rng_chance(r, 0.2));
    for (int b = 0; b < bars; b++) {
        if (arpeggio)
            chords_arpeggio_bar(s, g, b * g->beats_per_bar, &c, 1, 2, 1.5, 0.005, r);
        else
            chords_comp_bar(s, g, pattern, b * g->beats_per_bar, &c, 0.006, r);
    }
    if (p->program == 0 || p->program == 4) /* keys hold chords with the pedal */
        for (int b = 0; b < bars; b++) {
            double t = song_beat_time(g, b * g->beats_per_bar);
            score_control(s, t + 0.03, CC_SUSTAIN, 127);
            score_control(s, song_beat_time(g, (b + 1) * g->beats_per_bar) - 0.02, CC_SUSTAIN, 0);
        }
}

void accomp_write(score *s, const accomp_part *p, const song *g, double seconds, rng *r)
{
    switch (p->role) {
    case ROLE_BASS: write_bass(s, p, g, seconds, r); break;
    case ROLE_DRUMS: drums_play(s, g, seconds, r); break;
    case ROLE_COMP:
    case ROLE_PAD: write_harmony(s, p, g, seconds, r); break;
    case ROLE_COUNTER: {
        lead_voice v = {&instrument_classes[p->counter_class], p->program,
                        p->low, p->high, 0};
        phrase_lead(s, g, &v, seconds, r);
        break;
    }
    }
}
