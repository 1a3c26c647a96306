/* chords.c: voicings and the rhythms chords are played in. */
#include "chords.h"

#include <math.h>
#include <string.h>

int chords_voicing(const chord *c, int low, int high, int n, int min_gap,
                   int *keys)
{
    if (n > VOICING_MAX) n = VOICING_MAX;
    int root = low + ((c->root - low) % 12 + 12) % 12;
    int count = 0, last = -99;
    /* Walk up through the chord's tones octave by octave. */
    for (int octave = 0; count < n && octave < 6; octave++)
        for (int i = 0; i < c->n && count < n; i++) {
            int key = root + 12 * octave + c->intervals[i];
            if (key > high) return count;
            if (key - last < min_gap) continue;
            keys[count++] = last = key;
        }
    return count;
}

static int power_voicing(const chord *c, int low, int *keys)
{
    int root = low + ((c->root - low) % 12 + 12) % 12;
    keys[0] = root;
    keys[1] = root + 7;
    keys[2] = root + 12;
    return 3;
}

void chords_strum(score *s, const int *keys, int n, double t, double length,
                  int velocity, double spread, int up, rng *r)
{
    for (int i = 0; i < n; i++) {
        int k = up ? keys[n - 1 - i] : keys[i];
        double at = t + i * spread * rng_range(r, 0.7, 1.3);
        /* Strings struck later in a strum sound a little softer. */
        int v = velocity - 2 * i + (int)lround(4 * rng_normal(r));
        score_note(s, at, t + length - at, k, v);
    }
}

static const char *const patterns_4[STYLE_COUNT][4] = {
    [STYLE_CLASSICAL] = {"x.......", "x...x...", "x..xx...", "x.x.x.x."},
    [STYLE_JAZZ_BLUES] = {"x..x....", ".x...x..", "x....x..", "x.x..x.."},
    [STYLE_POP_ROCK] = {"D.DU.UDU", "D...D...", "D.D.D.D.", "D..D..D."},
    [STYLE_COUNTRY_FOLK] = {"b.D.B.D.", "D.DUD.DU", "b.DUB.DU", "D.dUdUdU"},
    [STYLE_LATIN_SOUL] = {"x..x..x.", "x.x..x.x", "D..D.DU.", ".x.x.xx."},
};
static const char *const patterns_3[STYLE_COUNT][2] = {
    [STYLE_CLASSICAL] = {"x.....", "x.x.x."},
    [STYLE_JAZZ_BLUES] = {"x..x..", ".x..x."},
    [STYLE_POP_ROCK] = {"D.D.DU", "D.....",},
    [STYLE_COUNTRY_FOLK] = {"b.D.D.", "b.DUDU"},
    [STYLE_LATIN_SOUL] = {"x..x.x", "x.x.x."},
};

const char *chords_pattern(const song *g, rng *r)
{
    if (g->beats_per_bar == 3) return patterns_3[g->style][rng_int(r, 0, 1)];
    return patterns_4[g->style][rng_int(r, 0, 3)];
}

/* Eighths from position i of the pattern to its next hit (or bar end). */
static int eighths_to_next_hit(const char *pattern, int i)
{
    int n = (int)strlen(pattern), j = i + 1;
    while (j < n && pattern[j] == '.') j++;
    return j - i;
}

void chords_comp_bar(score *s, const song *g, const char *pattern,
                     double bar_beat, const comp_style *c, double jitter,
                     rng *r)
{
    for (int i = 0; pattern[i]; i++) {
        char hit = pattern[i];
        if (hit == '.') continue;
        double beat = bar_beat + 0.5 * i;
        double t = song_beat_time(g, beat) + jitter * rng_normal(r);
        double next = song_beat_time(g, beat + 0.5 * eighths_to_next_hit(pattern, i));
        double length = c->gate * (next - song_beat_time(g, beat));
        const chord *ch = song_chord_at(g, song_beat_time(g, beat) + 1e-6);
        int keys[VOICING_MAX], n;
        if (hit == 'b' || hit == 'B') {
            n = chords_voicing(ch, c->low, c->high, 3, 1, keys);
            int bass = hit == 'b' || n < 3 ? keys[0] : keys[2] - 12;
            score_note(s, t, length, bass < c->low ? bass + 12 : bass, c->velocity);
            continue;
        }
        n = c->power ? power_voicing(ch, c->low, keys)
                     : chords_voicing(ch, c->low, c->high, c->notes, 3, keys);
        int up = hit == 'U';
        int velocity = c->velocity + (hit == 'D' ? 8 : hit == 'x' ? 0 : -12);
        /* Upstrokes catch only the higher strings. */
        int first = up && n > 3 ? n - 3 : 0;
        chords_strum(s, keys + first, n - first, t, length, velocity,
                     c->spread, up, r);
    }
}

static const int arpeggio_orders[ARPEGGIO_PATTERNS][8] = {
    {0, 1, 2, 3, 0, 1, 2, 3}, /* up */
    {0, 1, 2, 3, 4, 3, 2, 1}, /* up and down */
    {0, 2, 1, 2, 0, 2, 1, 2}, /* Alberti */
    {0, 3, 1, 4, 2, 3, 1, 4}, /* fingerpicking: thumb on the low strings */
};

void chords_arpeggio_bar(score *s, const song *g, double bar_beat,
                         const comp_style *c, int pattern, int per_beat,
                         double ring, double jitter, rng *r)
{
    int steps = g->beats_per_bar * per_beat;
    for (int i = 0; i < steps; i++) {
        double beat = bar_beat + (double)i / per_beat;
        double t = song_beat_time(g, beat) + jitter * rng_normal(r);
        const chord *ch = song_chord_at(g, song_beat_time(g, beat) + 1e-6);
        int keys[VOICING_MAX];
        int n = chords_voicing(ch, c->low, c->high, c->notes, 3, keys);
        if (n == 0) continue;
        int key = keys[arpeggio_orders[pattern][i % 8] % n];
        int accent = i % per_beat == 0 ? 6 : 0;
        score_note(s, t, ring * g->beat, key,
                   c->velocity + accent + (int)lround(5 * rng_normal(r)));
    }
}
