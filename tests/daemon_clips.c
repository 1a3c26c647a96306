/* daemon_clips.c: renders the audio the daemon's end-to-end tests play: a
 * sequence of segments, each a few seconds of one instrument, of silence or
 * of NaN samples, written as a float WAV (float, so NaN survives the file).
 *
 *     daemon_clips OUT.wav RATE CHANNELS SEGMENT...
 *     SEGMENT: cello:SECONDS | flute:SECONDS | silence:SECONDS | nan:SECONDS
 *
 * The two instruments are General MIDI cello (low notes, C2 to G2) and flute
 * (high notes, C6 to G6), rendered with libfluidsynth from the first GM
 * soundfont installed; the test models tell them apart by where their
 * energy lies. Exits 77 (meson's "skipped") when no soundfont is there.
 */
#include <fluidsynth.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *name;
    int program;   /* General MIDI, counted from 0 */
    int notes[3];  /* played in turn, half a second each */
} instrument;

static const instrument instruments[] = {
    {"cello", 42, {36, 40, 43}},
    {"flute", 73, {84, 88, 91}},
};

static const char *find_soundfont(void)
{
    static const char *const fonts[] = {
        "/usr/share/sounds/sf2/TimGM6mb.sf2",
        "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        "/usr/share/sounds/sf2/default-GM.sf2",
        "/usr/share/sounds/sf3/MuseScore_General.sf3",
    };
    const char *chosen = getenv("IRMAS_TEST_SOUNDFONT");
    if (chosen && access(chosen, R_OK) == 0) return chosen;
    for (size_t i = 0; i < sizeof fonts / sizeof *fonts; i++)
        if (access(fonts[i], R_OK) == 0) return fonts[i];
    return NULL;
}

/* Renders frames of one instrument into mono. */
static void render_instrument(fluid_synth_t *synth, const instrument *in,
                              float *mono, long frames, int rate)
{
    long note_frames = rate / 2;
    fluid_synth_program_change(synth, 0, in->program);
    for (long done = 0, k = 0; done < frames; done += note_frames, k++) {
        int key = in->notes[k % 3];
        fluid_synth_noteon(synth, 0, key, 100);
        long n = frames - done < note_frames ? frames - done : note_frames;
        fluid_synth_write_float(synth, (int)n, mono + done, 0, 1,
                                mono + done, 0, 1);
        fluid_synth_noteoff(synth, 0, key);
    }
}

/* Fills mono with one segment "kind:seconds"; returns its frames or -1. */
static long render_segment(fluid_synth_t *synth, const char *spec, int rate,
                           float **mono, long *length)
{
    char kind[32];
    double seconds;
    if (sscanf(spec, "%31[a-z]:%lf", kind, &seconds) != 2 || seconds <= 0)
        return -1;
    long frames = (long)(seconds * rate);
    float *grown = realloc(*mono, (size_t)(*length + frames) * sizeof *grown);
    if (!grown) return -1;
    *mono = grown;
    float *out = grown + *length;
    memset(out, 0, (size_t)frames * sizeof *out);
    *length += frames;
    if (!strcmp(kind, "silence")) return frames;
    if (!strcmp(kind, "nan")) {
        for (long i = 0; i < frames; i++) out[i] = i % 3 ? NAN : 0.5f;
        return frames;
    }
    for (size_t i = 0; i < sizeof instruments / sizeof *instruments; i++)
        if (!strcmp(kind, instruments[i].name)) {
            render_instrument(synth, &instruments[i], out, frames, rate);
            return frames;
        }
    return -1;
}

static int write_wav(const char *path, const float *mono, long frames,
                     int rate, int channels)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) return -1;
    float frame[8];
    for (long i = 0; i < frames; i++) {
        for (int c = 0; c < channels; c++) frame[c] = mono[i];
        sf_writef_float(f, frame, 1);
    }
    return sf_close(f);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: daemon_clips OUT.wav RATE CHANNELS "
                        "cello|flute|silence|nan:SECONDS...\n");
        return 2;
    }
    int rate = atoi(argv[2]), channels = atoi(argv[3]);
    const char *font = find_soundfont();
    if (!font) {
        fprintf(stderr, "daemon_clips: no General MIDI soundfont installed "
                        "(apt-get install timgm6mb-soundfont)\n");
        return 77;
    }
    if (rate < 8000 || channels < 1 || channels > 8) return 2;
    for (int level = 0; level < LAST_LOG_LEVEL; level++)
        fluid_set_log_function(level, NULL, NULL);
    fluid_settings_t *settings = new_fluid_settings();
    fluid_settings_setnum(settings, "synth.sample-rate", rate);
    fluid_settings_setnum(settings, "synth.gain", 0.5);
    fluid_synth_t *synth = new_fluid_synth(settings);
    if (fluid_synth_sfload(synth, font, 1) == FLUID_FAILED) {
        fprintf(stderr, "daemon_clips: cannot load %s\n", font);
        return 1;
    }
    float *mono = NULL;
    long length = 0;
    int status = 0;
    for (int i = 4; i < argc && !status; i++)
        if (render_segment(synth, argv[i], rate, &mono, &length) < 0) {
            fprintf(stderr, "daemon_clips: bad segment '%s'\n", argv[i]);
            status = 2;
        }
    if (!status && write_wav(argv[1], mono, length, rate, channels) != 0) {
        fprintf(stderr, "daemon_clips: cannot write %s\n", argv[1]);
        status = 1;
    }
    free(mono);
    delete_fluid_synth(synth);
    delete_fluid_settings(settings);
    return status;
}
