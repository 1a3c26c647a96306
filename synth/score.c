/* score.c: a growable array of events. */
#include "score.h"

#include <math.h>
#include <stdlib.h>

void score_init(score *s, int rate) { *s = (score){.rate = rate}; }

void score_clear(score *s)
{
    s->n = 0;
    s->failed = 0;
}

void score_free(score *s)
{
    free(s->events);
    score_init(s, s->rate);
}

static int clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

static void append(score *s, double t, score_kind kind, int key, int value)
{
    if (s->failed) return;
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 256;
        score_event *grown = realloc(s->events, (size_t)cap * sizeof *grown);
        if (!grown) {
            s->failed = 1;
            return;
        }
        s->events = grown;
        s->cap = cap;
    }
    long frame = t > 0 ? lround(t * s->rate) : 0;
    s->events[s->n] = (score_event){frame, s->n, kind, key, value};
    s->n++;
}

void score_note(score *s, double start, double length, int key, int velocity)
{
    if (key < 0 || key > 127) return;
    velocity = clamp(velocity, 1, 127);
    append(s, start, SCORE_NOTE_ON, key, velocity);
    append(s, start + length, SCORE_NOTE_OFF, key, 0);
}

void score_control(score *s, double t, int controller, int value)
{
    append(s, t, SCORE_CONTROL, controller, clamp(value, 0, 127));
}

void score_bend(score *s, double t, double semitones)
{
    int value = 8192 + (int)lround(semitones / SCORE_BEND_RANGE * 8192);
    append(s, t, SCORE_BEND, 0, clamp(value, 0, 16383));
}

static int compare_events(const void *pa, const void *pb)
{
    const score_event *a = pa, *b = pb;
    if (a->frame != b->frame) return a->frame < b->frame ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

void score_sort(score *s)
{
    qsort(s->events, (size_t)s->n, sizeof *s->events, compare_events);
}
