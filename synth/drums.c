/* drums.c: grooves by genre, fills, and a human feel. */
#include "drums.h"

#include <math.h>
#include <string.h>

enum { GROOVE_LANES = 5 };

typedef struct {
    int key;
    const char *steps;
} lane;

typedef struct {
    song_style style;
    int beats;  /* 4: sixteen steps, 3: twelve */
    lane lanes[GROOVE_LANES];
} groove;

static const groove grooves[] = {
    {STYLE_POP_ROCK, 4, {{DRUM_HAT, "x.o.x.o.x.o.x.o."}, {DRUM_KICK, "X.......X.x....."},
                         {DRUM_SNARE, "....X.......X..."}}},
    {STYLE_POP_ROCK, 4, {{DRUM_HAT, "xoxoxoxoxoxoxoxo"}, {DRUM_KICK, "X.....x.X......."},
                         {DRUM_SNARE, "....X.......X..g"}}},
    {STYLE_POP_ROCK, 4, {{DRUM_RIDE, "x.x.x.x.x.x.x.x."}, {DRUM_KICK, "X..x..x.X......."},
                         {DRUM_SNARE, "....X.......X..."}}},
    {STYLE_POP_ROCK, 4, {{DRUM_HAT, "x.x.x.x.x.x.x.x."}, {DRUM_KICK, "X.........x....."},
                         {DRUM_SNARE, "........X......."}}},
    {STYLE_JAZZ_BLUES, 4, {{DRUM_RIDE, "X...x.o.X...x.o."}, {DRUM_HAT_PEDAL, "....x.......x..."},
                           {DRUM_KICK, "g...g...g...g..."}, {DRUM_SNARE, "..........g....."}}},
    {STYLE_JAZZ_BLUES, 4, {{DRUM_SNARE, "o.g.o.g.o.g.o.g."}, {DRUM_HAT_PEDAL, "....x.......x..."},
                           {DRUM_KICK, "g.......g......."}}},
    {STYLE_JAZZ_BLUES, 4, {{DRUM_HAT, "x.x.x.x.x.x.x.x."}, {DRUM_KICK, "X.....x.X......."},
                           {DRUM_SNARE, "....X.......X..."}}},
    {STYLE_JAZZ_BLUES, 3, {{DRUM_RIDE, "X...x.o.x..."}, {DRUM_HAT_PEDAL, "....x...x..."},
                           {DRUM_KICK, "g..........."}}},
    {STYLE_COUNTRY_FOLK, 4, {{DRUM_SNARE, "ggggXgggggggXggg"}, {DRUM_KICK, "X.......X......."}}},
    {STYLE_COUNTRY_FOLK, 4, {{DRUM_HAT, "x.x.x.x.x.x.x.x."}, {DRUM_KICK, "X.......X......."},
                             {DRUM_SNARE, "....x.......x..."}}},
    {STYLE_COUNTRY_FOLK, 4, {{DRUM_TAMBOURINE, "..x...x...x...x."}, {DRUM_KICK, "X.......X......."}}},
    {STYLE_COUNTRY_FOLK, 3, {{DRUM_KICK, "X..........."}, {DRUM_HAT, "x...x...x..."},
                             {DRUM_SNARE, "....o...o..."}}},
    {STYLE_LATIN_SOUL, 4, {{DRUM_KICK, "X..xX..xX..xX..x"}, {DRUM_STICK, "x..x..x...x.x..."},
                           {DRUM_HAT, "x.x.x.x.x.x.x.x."}, {DRUM_SHAKER, "xoxoxoxoxoxoxoxo"}}},
    {STYLE_LATIN_SOUL, 4, {{DRUM_HAT, "xoxoxoxoxoxoxoxo"}, {DRUM_KICK, "X.x....xX.x....."},
                           {DRUM_SNARE, "....X..g.g..X..."}}},
    {STYLE_LATIN_SOUL, 4, {{DRUM_HAT_OPEN, "..x...x...x...x."}, {DRUM_KICK, "X...X...X...X..."},
                           {DRUM_SNARE, "....x.......x..."}, {DRUM_SHAKER, "xoxoxoxoxoxoxoxo"}}},
    {STYLE_POP_ROCK, 3, {{DRUM_KICK, "X.......x..."}, {DRUM_HAT, "x.x.x.x.x.x."},
                         {DRUM_SNARE, "....X...X..."}}},
    {STYLE_LATIN_SOUL, 3, {{DRUM_KICK, "X.....x....."}, {DRUM_HAT, "x.x.x.x.x.x."},
                           {DRUM_SNARE, "....x...x..."}}},
};

int drums_kit(song_style style, rng *r)
{
    static const int kits[STYLE_COUNT][3] = {
        [STYLE_CLASSICAL] = {48, 8, 0},  [STYLE_JAZZ_BLUES] = {32, 40, 0},
        [STYLE_POP_ROCK] = {0, 8, 16},   [STYLE_COUNTRY_FOLK] = {0, 8, 40},
        [STYLE_LATIN_SOUL] = {0, 8, 32},
    };
    return kits[style][rng_int(r, 0, 2)];
}

static const groove *pick_groove(const song *g, rng *r)
{
    const groove *fits[16];
    int n = 0;
    for (size_t i = 0; i < sizeof grooves / sizeof *grooves; i++)
        if (grooves[i].style == g->style && grooves[i].beats == g->beats_per_bar && n < 16)
            fits[n++] = &grooves[i];
    return n ? fits[rng_int(r, 0, n - 1)] : &grooves[0];
}

static int step_velocity(char c)
{
    switch (c) {
    case 'X': return 112;
    case 'x': return 90;
    case 'o': return 66;
    case 'g': return 38;
    default: return 0;
    }
}

typedef struct {
    const song *g;
    double jitter;
    int level; /* velocity offset for this drummer */
} drummer;

static void hit(score *s, const drummer *d, double beat, int key, int velocity, rng *r)
{
    if (velocity <= 0) return;
    double t = song_beat_time(d->g, beat) + d->jitter * rng_normal(r);
    score_note(s, t < 0 ? 0 : t, 0.12, key,
               velocity + d->level + (int)lround(6 * rng_normal(r)));
}

static void play_bar(score *s, const drummer *d, const groove *gr, double bar_beat,
                     int fill, rng *r)
{
    int steps = 4 * gr->beats, fill_from = fill ? steps - 4 * rng_int(r, 1, 2) : steps;
    for (int l = 0; l < GROOVE_LANES && gr->lanes[l].steps; l++)
        for (int i = 0; i < fill_from && i < (int)strlen(gr->lanes[l].steps); i++)
            hit(s, d, bar_beat + 0.25 * i, gr->lanes[l].key,
                step_velocity(gr->lanes[l].steps[i]), r);
    static const int toms[] = {DRUM_SNARE, DRUM_TOM_HIGH, DRUM_TOM_MID, DRUM_TOM_LOW};
    for (int i = fill_from; i < steps; i++) {
        int which = (i - fill_from) * 4 / (steps - fill_from);
        hit(s, d, bar_beat + 0.25 * i, toms[which], 70 + 4 * (i - fill_from), r);
    }
}

void drums_play(score *s, const song *g, double seconds, rng *r)
{
    drummer d = {g, rng_range(r, 0.002, 0.008), rng_int(r, -15, 10)};
    const groove *gr = pick_groove(g, r);
    int bars = (int)ceil(seconds / (g->beat * g->beats_per_bar));
    int section = rng_chance(r, 0.5) ? 4 : 8;
    for (int b = 0; b < bars; b++) {
        int fill = b % section == section - 1 && rng_chance(r, 0.6);
        if (b > 0 && b % section == 0 && rng_chance(r, 0.7))
            hit(s, &d, b * g->beats_per_bar, DRUM_CRASH, 100, r);
        play_bar(s, &d, gr, b * g->beats_per_bar, fill, r);
    }
}
