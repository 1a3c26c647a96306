/* sfplayer.c: score events to fluidsynth calls, rendered between events. */
#include "sfplayer.h"

#include <errno.h>
#include <fluidsynth.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { SFPLAYER_MAX_FONTS = 16, DRUM_BANK = 128 };

struct sfplayer {
    fluid_settings_t *settings;
    fluid_synth_t *library; /* holds the loaded soundfonts; never plays */
    int n_fonts;
    /* Kept as pointers: lending a soundfont to a synthesizer renumbers it,
     * so the library's ids do not last. */
    fluid_sfont_t *fonts[SFPLAYER_MAX_FONTS];
};

/* fluidsynth reports load errors through its log; keep the last one so our
 * message can quote it. Players are created before workers start. */
static char fluid_last_error[256];

static void keep_error(int level, const char *message, void *data)
{
    (void)level;
    (void)data;
    snprintf(fluid_last_error, sizeof fluid_last_error, "%s", message);
}

static void quiet_fluidsynth(void)
{
    for (int level = 0; level < LAST_LOG_LEVEL; level++)
        fluid_set_log_function(level, NULL, NULL);
    fluid_set_log_function(FLUID_ERR, keep_error, NULL);
    fluid_set_log_function(FLUID_PANIC, keep_error, NULL);
}

static int is_sf3(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && !strcasecmp(path + n - 4, ".sf3");
}

static irmas_status load_font(sfplayer *p, const char *path, char *err, size_t errlen)
{
    if (access(path, R_OK) != 0)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot read this soundfont (%s); install it "
                           "(apt-get install fluid-soundfont-gm timgm6mb-soundfont) "
                           "or name another with --soundfont",
                           path, strerror(errno));
    fluid_last_error[0] = '\0';
    int id = fluid_synth_sfload(p->library, path, 0);
    if (id == FLUID_FAILED)
        return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                           "%s: not a soundfont fluidsynth can load%s%s%s; the "
                           "file is damaged or of another kind, name a valid "
                           ".sf2 or .sf3 with --soundfont",
                           path, fluid_last_error[0] ? " (" : "",
                           fluid_last_error, fluid_last_error[0] ? ")" : "");
    p->fonts[p->n_fonts++] = fluid_synth_get_sfont_by_id(p->library, id);
    return IRMAS_OK;
}

irmas_status sfplayer_new(const char *const *paths, int n_paths, int rate,
                          sfplayer **out, char *err, size_t errlen)
{
    *out = NULL;
    if (n_paths < 1 || n_paths > SFPLAYER_MAX_FONTS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "between 1 and %d soundfonts, please (got %d)",
                           SFPLAYER_MAX_FONTS, n_paths);
    quiet_fluidsynth();
    sfplayer *p = calloc(1, sizeof *p);
    if (!p) return IRMAS_ERR_NOMEM;
    int dynamic = 0;
    for (int i = 0; i < n_paths; i++) dynamic |= is_sf3(paths[i]);
    p->settings = new_fluid_settings();
    if (p->settings) {
        fluid_settings_setnum(p->settings, "synth.sample-rate", rate);
        fluid_settings_setint(p->settings, "synth.reverb.active", 0);
        fluid_settings_setint(p->settings, "synth.chorus.active", 0);
        fluid_settings_setint(p->settings, "synth.threadsafe-api", 0);
        fluid_settings_setint(p->settings, "synth.polyphony", 256);
        fluid_settings_setint(p->settings, "synth.dynamic-sample-loading", dynamic);
        p->library = new_fluid_synth(p->settings);
    }
    if (!p->library) {
        sfplayer_free(p);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "fluidsynth could not start a synthesizer");
    }
    for (int i = 0; i < n_paths; i++) {
        irmas_status st = load_font(p, paths[i], err, errlen);
        if (st != IRMAS_OK) {
            sfplayer_free(p);
            return st;
        }
    }
    *out = p;
    return IRMAS_OK;
}

void sfplayer_free(sfplayer *p)
{
    if (!p) return;
    if (p->library) delete_fluid_synth(p->library);
    if (p->settings) delete_fluid_settings(p->settings);
    free(p);
}

static fluid_preset_t *find_preset(const sfplayer *p, int font, int bank, int program)
{
    if (font < 0 || font >= p->n_fonts || !p->fonts[font]) return NULL;
    return fluid_sfont_get_preset(p->fonts[font], bank, program);
}

int sfplayer_has_preset(const sfplayer *p, int font, int bank, int program)
{
    return find_preset(p, font, bank, program) != NULL;
}

const char *sfplayer_preset_name(const sfplayer *p, int font, int bank, int program)
{
    fluid_preset_t *preset = find_preset(p, font, bank, program);
    const char *name = preset ? fluid_preset_get_name(preset) : NULL;
    return name ? name : "";
}

static void apply_event(fluid_synth_t *synth, int channel, const score_event *e)
{
    switch (e->kind) {
    case SCORE_NOTE_ON: fluid_synth_noteon(synth, channel, e->key, e->value); break;
    case SCORE_NOTE_OFF: fluid_synth_noteoff(synth, channel, e->key); break;
    case SCORE_CONTROL: fluid_synth_cc(synth, channel, e->key, e->value); break;
    case SCORE_BEND: fluid_synth_pitch_bend(synth, channel, e->value); break;
    }
}

static void write_span(fluid_synth_t *synth, float *left, float *right, long from, long to)
{
    while (from < to) {
        int n = to - from > (1 << 16) ? 1 << 16 : (int)(to - from);
        fluid_synth_write_float(synth, n, left, (int)from, 1, right, (int)from, 1);
        from += n;
    }
}

/* Plays the score on synth, rendering between events (fluidsynth applies
 * them at its next 64-frame block). */
static void perform(fluid_synth_t *synth, int channel, const score *s, float *left,
                    float *right, long frames)
{
    long pos = 0;
    for (int i = 0; i < s->n && s->events[i].frame < frames; i++) {
        const score_event *e = &s->events[i];
        if (e->frame > pos) {
            write_span(synth, left, right, pos, e->frame);
            pos = e->frame;
        }
        apply_event(synth, channel, e);
    }
    write_span(synth, left, right, pos, frames);
}

/* Every part gets a synthesizer of its own, lent the loaded soundfont:
 * fluidsynth's voices keep state across notes and resets (the output gain
 * a reused voice starts ramping from, for one), so a synthesizer that
 * played something before would make the part come out a hair different.
 * A new one costs a millisecond or two; loading the soundfont again would
 * cost a hundred. */
irmas_status sfplayer_render(sfplayer *p, int font, int bank, int program,
                             const score *s, double pan, float *left,
                             float *right, long frames)
{
    if (!find_preset(p, font, bank, program)) return IRMAS_ERR_ARG;
    fluid_sfont_t *sf = p->fonts[font];
    fluid_synth_t *synth = new_fluid_synth(p->settings);
    if (!synth) return IRMAS_ERR_NOMEM;
    int id = fluid_synth_add_sfont(synth, sf), channel = bank == DRUM_BANK ? 9 : 0;
    irmas_status st = IRMAS_ERR_NOMEM;
    if (id != FLUID_FAILED) {
        fluid_synth_program_select(synth, channel, id, bank, program);
        fluid_synth_pitch_wheel_sens(synth, channel, SCORE_BEND_RANGE);
        fluid_synth_cc(synth, channel, CC_VOLUME, 100);
        fluid_synth_cc(synth, channel, CC_PAN, (int)lround(64 + 63 * fmax(-1, fmin(1, pan))));
        perform(synth, channel, s, left, right, frames);
        /* The soundfont goes back to the library before the synthesizer,
         * which would otherwise free it. */
        fluid_synth_system_reset(synth);
        fluid_synth_remove_sfont(synth, sf);
        st = IRMAS_OK;
    }
    delete_fluid_synth(synth);
    return st;
}
