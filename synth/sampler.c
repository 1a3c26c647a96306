/* sampler.c: notes by resampling, drum hits, and strung-together phrases.
 *
 * Controllers are turned into per-block curves first (a block is
 * SAMPLER_BLOCK frames, finer than any gesture the generators write), then
 * each note is rendered on its own and added in.
 */
#include "sampler.h"

#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

enum { SAMPLER_BLOCK = 64 };

#define RELEASE_SECONDS 0.25
#define ATTACK_SECONDS 0.003

typedef struct {
    int rate;
    long blocks;
    float *expression; /* 0..1 */
    float *bend;       /* semitones */
    unsigned char *pedal;
} curves;

typedef struct {
    long start, end;   /* frames; end is when the note is let go */
    int key, velocity;
} held_note;

static void curves_free(curves *c)
{
    free(c->expression);
    free(c->bend);
    free(c->pedal);
}

/* Steps each controller's value through the blocks, holding it between
 * events. */
static int curves_build(curves *c, const score *s, long frames)
{
    c->rate = s->rate;
    c->blocks = frames / SAMPLER_BLOCK + 1;
    c->expression = malloc((size_t)c->blocks * sizeof *c->expression);
    c->bend = malloc((size_t)c->blocks * sizeof *c->bend);
    c->pedal = malloc((size_t)c->blocks);
    if (!c->expression || !c->bend || !c->pedal) return -1;
    float expression = 1, bend = 0;
    unsigned char pedal = 0;
    long block = 0;
    for (int i = 0; i <= s->n; i++) {
        long until = i < s->n ? s->events[i].frame / SAMPLER_BLOCK : c->blocks;
        for (; block < until && block < c->blocks; block++) {
            c->expression[block] = expression;
            c->bend[block] = bend;
            c->pedal[block] = pedal;
        }
        if (i == s->n) break;
        const score_event *e = &s->events[i];
        if (e->kind == SCORE_BEND) bend = (e->value - 8192) / 8192.0f * SCORE_BEND_RANGE;
        if (e->kind == SCORE_CONTROL && e->key == CC_EXPRESSION) expression = e->value / 127.0f;
        if (e->kind == SCORE_CONTROL && e->key == CC_SUSTAIN) pedal = e->value >= 64;
    }
    return 0;
}

/* While the pedal is down a released note keeps sounding. */
static long pedal_release(const curves *c, long end)
{
    long block = end / SAMPLER_BLOCK;
    while (block < c->blocks && c->pedal[block]) block++;
    return block * SAMPLER_BLOCK > end ? block * SAMPLER_BLOCK : end;
}

/* Pairs note-ons with their note-offs (a key struck again while sounding
 * is released first). Returns the count, or -1 when memory ran out. */
static int collect_notes(const score *s, const curves *c, long frames, held_note **out)
{
    held_note *notes = malloc((size_t)(s->n / 2 + 1) * sizeof *notes);
    int open[128], n = 0;
    if (!notes) return -1;
    for (int k = 0; k < 128; k++) open[k] = -1;
    for (int i = 0; i < s->n; i++) {
        const score_event *e = &s->events[i];
        if (e->kind != SCORE_NOTE_ON && e->kind != SCORE_NOTE_OFF) continue;
        if (open[e->key] >= 0) {
            notes[open[e->key]].end = pedal_release(c, e->frame);
            open[e->key] = -1;
        }
        if (e->kind == SCORE_NOTE_ON && e->frame < frames) {
            notes[n] = (held_note){e->frame, frames, e->key, e->value};
            open[e->key] = n++;
        }
    }
    *out = notes;
    return n;
}

typedef struct {
    const sample *sample;
    int given;
} feed;

static long feed_all(void *data, float **out)
{
    feed *f = data;
    if (f->given) return 0;
    f->given = 1;
    *out = f->sample->data;
    return f->sample->frames;
}

/* Balance for a stereo source: the far side is turned down. */
static void pan_gains(double pan, float *left, float *right)
{
    *left = (float)(pan > 0 ? 1 - pan : 1);
    *right = (float)(pan < 0 ? 1 + pan : 1);
}

static float envelope(long i, long held, long attack, long release)
{
    float g = i < attack ? (float)i / attack : 1;
    if (i > held) g *= fmaxf(0, 1 - (float)(i - held) / release);
    return g;
}

static irmas_status play_note(const sample_set *set, const held_note *note, const curves *c,
                              double pan, float *left, float *right, long frames)
{
    const sample *smp = samples_nearest(set, note->key);
    if (!smp) return IRMAS_OK;
    int error;
    feed f = {smp, 0};
    SRC_STATE *src = src_callback_new(feed_all, SRC_SINC_FASTEST, 2, &error, &f);
    if (!src) return IRMAS_ERR_NOMEM;
    long held = note->end - note->start, release = (long)(RELEASE_SECONDS * c->rate);
    long attack = (long)(ATTACK_SECONDS * c->rate), length = held + release;
    float gain = powf(note->velocity / 127.0f, 1.6f), pl, pr, buffer[2 * SAMPLER_BLOCK];
    pan_gains(pan, &pl, &pr);
    for (long done = 0; done < length && note->start + done < frames;) {
        long at = note->start + done, block = at / SAMPLER_BLOCK;
        double shift = note->key - smp->key + c->bend[block];
        long got = src_callback_read(src, pow(2, -shift / 12), SAMPLER_BLOCK, buffer);
        if (got <= 0) break;
        float level = gain * c->expression[block];
        for (long i = 0; i < got && at + i < frames; i++) {
            float g = level * envelope(done + i, held, attack, release);
            left[at + i] += pl * g * buffer[2 * i];
            right[at + i] += pr * g * buffer[2 * i + 1];
        }
        done += got;
    }
    src_delete(src);
    return IRMAS_OK;
}

irmas_status sampler_render(const sample_set *set, const score *s, double pan,
                            float *left, float *right, long frames)
{
    memset(left, 0, (size_t)frames * sizeof *left);
    memset(right, 0, (size_t)frames * sizeof *right);
    curves c = {0};
    held_note *notes = NULL;
    int n = curves_build(&c, s, frames) == 0 ? collect_notes(s, &c, frames, &notes) : -1;
    irmas_status st = n < 0 ? IRMAS_ERR_NOMEM : IRMAS_OK;
    for (int i = 0; i < n && st == IRMAS_OK; i++)
        st = play_note(set, &notes[i], &c, pan, left, right, frames);
    free(notes);
    curves_free(&c);
    return st;
}

/* Adds count frames of a sample from offset at position at, scaled, with
 * fades of `fade` frames at both ends. */
static void add_stretch(const sample *smp, long offset, long count, long at, float gl,
                        float gr, long fade, float *left, float *right, long frames)
{
    for (long i = 0; i < count && at + i < frames; i++) {
        float g = 1;
        if (i < fade) g = (float)i / fade;
        if (count - i < fade) g = fminf(g, (float)(count - i) / fade);
        left[at + i] += gl * g * smp->data[2 * (offset + i)];
        right[at + i] += gr * g * smp->data[2 * (offset + i) + 1];
    }
}

void sampler_render_kit(const sample_set *kit, const score *s, float *left,
                        float *right, long frames)
{
    memset(left, 0, (size_t)frames * sizeof *left);
    memset(right, 0, (size_t)frames * sizeof *right);
    for (int i = 0; i < s->n; i++) {
        const score_event *e = &s->events[i];
        if (e->kind != SCORE_NOTE_ON) continue;
        /* Kits list a drum's layers softest first (kick_1, kick_2...):
         * the velocity picks the layer. */
        int layers = 0;
        for (int k = 0; k < kit->n; k++) layers += kit->samples[k].key == e->key;
        const sample *pick = NULL;
        for (int k = 0, seen = 0; k < kit->n && !pick; k++)
            if (kit->samples[k].key == e->key && seen++ == e->value * layers / 128)
                pick = &kit->samples[k];
        if (!pick) continue;
        float g = powf(e->value / 127.0f, 1.6f);
        long count = pick->frames < 2 * s->rate ? pick->frames : 2 * s->rate;
        add_stretch(pick, 0, count, e->frame, g, g, s->rate / 200, left, right, frames);
    }
}

/* A recording without a pitch, or any when the set has none. */
static const sample *pick_phrase(const sample_set *set, rng *r)
{
    int phrases = set->n - set->pitched;
    int k = rng_int(r, 0, (phrases > 0 ? phrases : set->n) - 1);
    for (int i = 0; i < set->n; i++)
        if ((phrases == 0 || set->samples[i].key < 0) && k-- == 0) return &set->samples[i];
    return &set->samples[0];
}

void sampler_render_phrases(const sample_set *set, int rate, double pan, rng *r,
                            float *left, float *right, long frames)
{
    memset(left, 0, (size_t)frames * sizeof *left);
    memset(right, 0, (size_t)frames * sizeof *right);
    long fade = rate / 30, at = 0;
    float pl, pr;
    pan_gains(pan, &pl, &pr);
    while (at < frames) {
        const sample *smp = pick_phrase(set, r);
        long want = (long)(rng_range(r, 1.5, 4.0) * rate);
        long count = smp->frames < want ? smp->frames : want;
        long offset = rng_int(r, 0, (int)(smp->frames - count));
        float g = (float)pow(10, rng_range(r, -3, 3) / 20);
        add_stretch(smp, offset, count, at, g * pl, g * pr, fade, left, right, frames);
        at += count > 2 * fade ? count - fade : count;
    }
}
