/* source.c: a source from plan to excerpts.
 *
 * The lead is rendered first into the mix; each accompaniment part is
 * rendered alone into a scratch buffer and added at a level set against
 * the lead's RMS, so "-8 dB" means the same for a whispering flute and a
 * distorted guitar. Then the recording chain runs over the whole mix and
 * the excerpts are cut from it.
 */
#include "source.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accomp.h"
#include "corpus.h"
#include "dynamics.h"
#include "phrase.h"
#include "sampler.h"
#include "score.h"
#include "song.h"

enum { DRUM_BANK = 128 };

typedef struct {
    const source_setup *setup;
    sfplayer *player;
    const source_job *job;
    const instrument_class *cls;
    song g;
    long frames;
    double seconds;              /* what the generators write: a bit more */
    float *mix_l, *mix_r;        /* the recording */
    float *part_l, *part_r;      /* one accompaniment part */
    score notes;
    char lead[160];              /* what played the lead */
    char accomp[200];            /* what accompanied it */
    texture texture;
    int drums;
} source_state;

static const char *const key_names[12] = {"C", "C#", "D", "Eb", "E", "F",
                                          "F#", "G", "Ab", "A", "Bb", "B"};

static long source_id(const source_setup *setup, const source_job *job)
{
    return setup->source_base + 10000L * (job->class_index + 1) + job->index + 1;
}

const char *source_report_header(void)
{
    return "source\tclass\texcerpts\tlead\ttexture\tgenre\tkey\tbpm\taccompaniment\trecording\n";
}

static const char *font_name(const source_setup *setup, int font)
{
    const char *path = setup->font_paths[font], *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* One of the soundfonts that has the preset, or -1. */
static int pick_font(const source_state *s, int bank, int program, rng *r)
{
    int fonts[32], n = 0;
    for (int f = 0; f < s->setup->n_fonts && n < 32; f++)
        if (sfplayer_has_preset(s->player, f, bank, program)) fonts[n++] = f;
    return n ? fonts[rng_int(r, 0, n - 1)] : -1;
}

static irmas_status lead_from_soundfont(source_state *s, rng *r)
{
    const unsigned *mask = s->setup->font_mask[s->job->class_index];
    int available[CLASS_MAX_PROGRAMS];
    for (int i = 0; i < CLASS_MAX_PROGRAMS; i++) available[i] = mask[i] != 0;
    int which = instrument_pick_program(s->cls, available, r);
    if (which < 0) return IRMAS_ERR_ARG;
    const gm_program *p = &s->cls->programs[which];
    int font = pick_font(s, 0, p->program, r);
    lead_voice v = {s->cls, p->program, p->low, p->high, 1};
    s->texture = phrase_lead(&s->notes, &s->g, &v, s->seconds, r);
    score_sort(&s->notes);
    if (s->notes.failed) return IRMAS_ERR_NOMEM;
    snprintf(s->lead, sizeof s->lead, "%s #%d %s", font_name(s->setup, font),
             p->program, sfplayer_preset_name(s->player, font, 0, p->program));
    return sfplayer_render(s->player, font, 0, p->program, &s->notes,
                           rng_range(r, -0.3, 0.3), s->mix_l, s->mix_r, s->frames);
}

/* The keys a class's programs span. */
static void class_range(const instrument_class *c, int *low, int *high)
{
    *low = 127;
    *high = 0;
    for (int i = 0; i < c->n_programs; i++) {
        if (c->programs[i].low < *low) *low = c->programs[i].low;
        if (c->programs[i].high > *high) *high = c->programs[i].high;
    }
}

static irmas_status lead_from_samples(source_state *s, rng *r)
{
    const sample_library *lib = s->setup->samples;
    int c = s->job->class_index;
    const sample_set *set = &lib->sets[c][rng_int(r, 0, lib->n_sets[c] - 1)];
    double pan = rng_range(r, -0.3, 0.3);
    snprintf(s->lead, sizeof s->lead, "samples %s/%s", instrument_code(s->cls), set->name);
    if (set->pitched == 0) {
        sampler_render_phrases(set, s->setup->rate, pan, r, s->mix_l, s->mix_r, s->frames);
        s->texture = TEXTURE_MELODY;
        return IRMAS_OK;
    }
    int low, high;
    class_range(s->cls, &low, &high);
    if (set->low > low) low = set->low;
    if (set->high < high) high = set->high;
    if (low > high) low = set->low, high = set->high;
    lead_voice v = {s->cls, -1, low, high, 1};
    s->texture = phrase_lead(&s->notes, &s->g, &v, s->seconds, r);
    score_sort(&s->notes);
    if (s->notes.failed) return IRMAS_ERR_NOMEM;
    return sampler_render(set, &s->notes, pan, s->mix_l, s->mix_r, s->frames);
}

/* Renders one accompaniment part into the scratch buffer; *played is 0
 * when no soundfont has its preset. */
static irmas_status render_part(source_state *s, const accomp_part *part, rng *r, int *played)
{
    score_clear(&s->notes);
    accomp_write(&s->notes, part, &s->g, s->seconds, r);
    score_sort(&s->notes);
    if (s->notes.failed) return IRMAS_ERR_NOMEM;
    const sample_library *lib = s->setup->samples;
    *played = 1;
    if (part->role == ROLE_DRUMS && lib && lib->n_kits > 0 && rng_chance(r, 0.5)) {
        sampler_render_kit(&lib->kits[rng_int(r, 0, lib->n_kits - 1)], &s->notes,
                           s->part_l, s->part_r, s->frames);
        return IRMAS_OK;
    }
    int bank = part->role == ROLE_DRUMS ? DRUM_BANK : 0, program = part->program;
    int font = pick_font(s, bank, program, r);
    if (font < 0 && bank == DRUM_BANK) font = pick_font(s, bank, program = 0, r);
    if (font < 0) {
        *played = 0;
        return IRMAS_OK;
    }
    return sfplayer_render(s->player, font, bank, program, &s->notes, part->pan,
                           s->part_l, s->part_r, s->frames);
}

static void add_scaled(float *to, const float *from, long n, float gain)
{
    for (long i = 0; i < n; i++) to[i] += gain * from[i];
}

static irmas_status accompany(source_state *s, double lead_db, rng *r)
{
    accomp_part parts[ACCOMP_MAX_PARTS];
    int n = accomp_choose(parts, s->job->class_index, &s->g, r);
    /* The parts share the accompaniment's level between them. */
    double total_db = lead_db + s->setup->accomp_db + rng_range(r, -3, 3);
    double each_db = total_db - 10 * log10(n > 0 ? n : 1);
    for (int i = 0; i < n; i++) {
        int played;
        irmas_status st = render_part(s, &parts[i], r, &played);
        if (st != IRMAS_OK) return st;
        double part_db = dynamics_rms_db(s->part_l, s->part_r, s->frames);
        if (!played || part_db < -150) continue;
        float gain = (float)pow(10, (each_db + parts[i].gain_db - part_db) / 20);
        add_scaled(s->mix_l, s->part_l, s->frames, gain);
        add_scaled(s->mix_r, s->part_r, s->frames, gain);
        size_t used = strlen(s->accomp);
        snprintf(s->accomp + used, sizeof s->accomp - used, "%s%s #%d",
                 used ? ", " : "", accomp_role_name(parts[i].role), parts[i].program);
        s->drums |= parts[i].role == ROLE_DRUMS;
    }
    return IRMAS_OK;
}

static irmas_status write_excerpts(source_state *s, long preroll, char *err, size_t errlen)
{
    const source_setup *setup = s->setup;
    for (int e = 0; e < s->job->excerpts; e++) {
        char name[256], path[4096];
        corpus_excerpt_name(name, sizeof name, instrument_code(s->cls), s->drums,
                            song_style_tag(s->g.style), source_id(setup, s->job), e + 1);
        snprintf(path, sizeof path, "%s/%s/%s", setup->out_dir, instrument_code(s->cls), name);
        long at = preroll + e * setup->excerpt_frames;
        irmas_status st = corpus_write_wav(path, s->mix_l + at, s->mix_r + at,
                                           setup->excerpt_frames, setup->rate, err, errlen);
        if (st != IRMAS_OK) return st;
    }
    return IRMAS_OK;
}

static irmas_status render(source_state *s, char *report, size_t report_size,
                           char *err, size_t errlen)
{
    const source_setup *setup = s->setup;
    rng root;
    rng_init(&root, setup->seed, (uint64_t)s->job->class_index, (uint64_t)s->job->index);
    rng r_song = rng_split(&root, 1), r_lead = rng_split(&root, 2);
    rng r_accomp = rng_split(&root, 3), r_room = rng_split(&root, 4);
    song_make(&s->g, (song_style)rng_weighted(&r_song, s->cls->styles, STYLE_COUNT), &r_song);
    long preroll = lround(rng_range(&r_song, 0.5, 1.5) * setup->rate);
    s->frames = preroll + s->job->excerpts * setup->excerpt_frames;
    s->seconds = (double)s->frames / setup->rate + 0.5;
    irmas_status st = setup->samples ? lead_from_samples(s, &r_lead) : lead_from_soundfont(s, &r_lead);
    if (st != IRMAS_OK)
        return status_fail(err, errlen, st, "source %ld (%s): the lead could not be rendered (%s)",
                           source_id(setup, s->job), s->lead, irmas_strerror(st));
    double lead_db = dynamics_rms_db(s->mix_l, s->mix_r, s->frames);
    if (rng_chance(&r_accomp, setup->accomp_chance)) st = accompany(s, lead_db, &r_accomp);
    augment_plan plan;
    augment_draw(&plan, setup->augment, &r_room);
    if (st == IRMAS_OK) st = augment_apply(&plan, setup->rate, &r_room, s->mix_l, s->mix_r, s->frames);
    if (st != IRMAS_OK)
        return status_fail(err, errlen, st, "source %ld: %s", source_id(setup, s->job), irmas_strerror(st));
    char chain[400];
    augment_describe(&plan, chain, sizeof chain);
    snprintf(report, report_size, "%ld\t%s\t%d\t%s\t%s\t%s\t%s%s\t%.0f\t%s\t%s\n",
             source_id(setup, s->job), instrument_code(s->cls), s->job->excerpts, s->lead,
             phrase_texture_name(s->texture), song_style_tag(s->g.style),
             key_names[s->g.tonic], s->g.minor ? "m" : "", s->g.bpm,
             s->accomp[0] ? s->accomp : "none", chain);
    return write_excerpts(s, preroll, err, errlen);
}

irmas_status source_render(const source_setup *setup, sfplayer *player,
                           const source_job *job, char *report, size_t report_size,
                           char *err, size_t errlen)
{
    source_state s = {.setup = setup, .player = player, .job = job,
                      .cls = &instrument_classes[job->class_index]};
    score_init(&s.notes, setup->rate);
    long frames = 2 * setup->rate + job->excerpts * setup->excerpt_frames;
    s.mix_l = calloc((size_t)frames, sizeof(float));
    s.mix_r = calloc((size_t)frames, sizeof(float));
    s.part_l = calloc((size_t)frames, sizeof(float));
    s.part_r = calloc((size_t)frames, sizeof(float));
    irmas_status st = s.mix_l && s.mix_r && s.part_l && s.part_r
                          ? render(&s, report, report_size, err, errlen)
                          : status_fail(err, errlen, IRMAS_ERR_NOMEM, "out of memory");
    free(s.mix_l);
    free(s.mix_r);
    free(s.part_l);
    free(s.part_r);
    score_free(&s.notes);
    return st;
}
