/* samples.c: finding, decoding and naming recorded sounds. */
#include "samples.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Longer recordings are cut: no note is held that long, and phrases are
 * cut into stretches of seconds anyway. */
enum { NOTE_SECONDS = 12, PHRASE_SECONDS = 30 };

/* ---- names ---- */

static int note_at(const char *s, int *key)
{
    static const int pitch_class[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    int letter = toupper((unsigned char)s[0]);
    if (letter < 'A' || letter > 'G') return 0;
    int pc = pitch_class[letter - 'A'], i = 1;
    if (s[i] == '#' || s[i] == 's') pc++, i++;
    else if (s[i] == 'b' && isdigit((unsigned char)s[i + 1])) pc--, i++;
    int negative = s[i] == '-';
    if (negative) i++;
    if (!isdigit((unsigned char)s[i]) || isdigit((unsigned char)s[i + 1])) return 0;
    int octave = (s[i] - '0') * (negative ? -1 : 1);
    *key = 12 * (octave + 1) + pc;
    return *key >= 0 && *key <= 127;
}

int samples_parse_key(const char *file_name)
{
    const char *dot = strrchr(file_name, '.');
    size_t n = dot ? (size_t)(dot - file_name) : strlen(file_name);
    /* A note name at the start of a word comes first: sample libraries
     * often number their takes or round robins ("A1_2", "c3_vl4_rr2_1"),
     * and such a number is not a pitch. */
    for (size_t i = 0; i < n; i++) {
        int key;
        if ((i == 0 || !isalpha((unsigned char)file_name[i - 1])) && note_at(file_name + i, &key))
            return key;
    }
    /* Otherwise a MIDI number standing alone between separators. */
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)file_name[i])) continue;
        size_t j = i;
        while (j < n && isdigit((unsigned char)file_name[j])) j++;
        int alone = (i == 0 || !isalnum((unsigned char)file_name[i - 1])) &&
                    (j == n || !isalnum((unsigned char)file_name[j]));
        int value = atoi(file_name + i);
        if (alone && j - i <= 3 && value <= 127) return value;
        i = j;
    }
    return -1;
}

int samples_parse_drum(const char *file_name)
{
    static const struct { const char *word; int key; } pieces[] = {
        {"hihat-open", 46}, {"hihat-pedal", 44}, {"hihat", 42}, {"ride", 51},
        {"crash", 49}, {"tom-high", 50}, {"tom-mid", 47}, {"tom-low", 45},
        {"snare", 38}, {"stick", 37}, {"kick", 36}, {"clap", 39},
        {"tambourine", 54}, {"shaker", 70}, {"cowbell", 56},
    };
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++)
        if (!strncasecmp(file_name, pieces[i].word, strlen(pieces[i].word)))
            return pieces[i].key;
    return -1;
}

/* ---- decoding ---- */

static irmas_status fail_file(char *err, size_t errlen, const char *path, const char *why)
{
    return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                       "%s: %s; replace or delete the file (or run scripts/fetch-samples.sh again)",
                       path, why);
}

/* Reads the file as interleaved stereo at its own rate. */
static irmas_status read_stereo(const char *path, int seconds, float **out, long *frames,
                                int *rate, char *err, size_t errlen)
{
    SF_INFO info = {0};
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) return fail_file(err, errlen, path, sf_strerror(NULL));
    long n = info.frames;
    if (n > (long)seconds * info.samplerate) n = (long)seconds * info.samplerate;
    float *raw = malloc((size_t)(n > 0 ? n : 1) * (size_t)info.channels * sizeof *raw);
    float *stereo = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof *stereo);
    long got = raw && stereo ? sf_readf_float(f, raw, n) : -1;
    sf_close(f);
    irmas_status st = IRMAS_OK;
    if (got < 0) st = IRMAS_ERR_NOMEM;
    else if (got == 0) st = fail_file(err, errlen, path, "holds no audio");
    for (long i = 0; st == IRMAS_OK && i < got; i++) {
        float l = raw[i * info.channels];
        float r = info.channels > 1 ? raw[i * info.channels + 1] : l;
        if (!isfinite(l) || !isfinite(r)) st = fail_file(err, errlen, path, "holds NaN or infinite samples");
        stereo[2 * i] = l;
        stereo[2 * i + 1] = r;
    }
    free(raw);
    if (st != IRMAS_OK) {
        free(stereo);
        return st;
    }
    *out = stereo;
    *frames = got;
    *rate = info.samplerate;
    return IRMAS_OK;
}

static irmas_status resample(float **stereo, long *frames, int from, int to)
{
    if (from == to) return IRMAS_OK;
    double ratio = (double)to / from;
    long out_frames = (long)ceil(*frames * ratio) + 16;
    float *out = malloc((size_t)out_frames * 2 * sizeof *out);
    if (!out) return IRMAS_ERR_NOMEM;
    SRC_DATA d = {.data_in = *stereo, .data_out = out, .input_frames = *frames,
                  .output_frames = out_frames, .src_ratio = ratio};
    if (src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 2) != 0) {
        free(out);
        return IRMAS_ERR_FORMAT;
    }
    free(*stereo);
    *stereo = out;
    *frames = d.output_frames_gen;
    return IRMAS_OK;
}

/* Keeps what comes from the sound on: from the first sample 50 dB below
 * the peak, less a millisecond. */
static irmas_status trim_start(const float *stereo, long frames, int rate, sample *s)
{
    float peak = 0;
    for (long i = 0; i < 2 * frames; i++) peak = fmaxf(peak, fabsf(stereo[i]));
    long start = 0;
    while (start < frames - 1 &&
           fmaxf(fabsf(stereo[2 * start]), fabsf(stereo[2 * start + 1])) < 0.003f * peak)
        start++;
    start = start > rate / 1000 ? start - rate / 1000 : 0;
    s->frames = frames - start;
    s->data = malloc((size_t)s->frames * 2 * sizeof *s->data);
    if (!s->data) return IRMAS_ERR_NOMEM;
    memcpy(s->data, stereo + 2 * start, (size_t)s->frames * 2 * sizeof *s->data);
    return IRMAS_OK;
}

static irmas_status load_sample(const char *path, const char *name, int drum, int rate,
                                sample *s, char *err, size_t errlen)
{
    float *stereo = NULL;
    long frames = 0;
    int file_rate = rate;
    s->key = drum ? samples_parse_drum(name) : samples_parse_key(name);
    int seconds = s->key >= 0 ? NOTE_SECONDS : PHRASE_SECONDS;
    irmas_status st = read_stereo(path, seconds, &stereo, &frames, &file_rate, err, errlen);
    if (st != IRMAS_OK) return st;
    st = resample(&stereo, &frames, file_rate, rate);
    if (st == IRMAS_OK) st = trim_start(stereo, frames, rate, s);
    free(stereo);
    s->name = strdup(name);
    if (st == IRMAS_OK && !s->name) st = IRMAS_ERR_NOMEM;
    return st;
}

/* ---- folders ---- */

static int is_audio(const char *name)
{
    static const char *const extensions[] = {".wav", ".flac", ".ogg", ".aif", ".aiff"};
    const char *dot = strrchr(name, '.');
    if (name[0] == '.' || !dot) return 0;
    for (size_t i = 0; i < sizeof extensions / sizeof *extensions; i++)
        if (!strcasecmp(dot, extensions[i])) return 1;
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int visible(const struct dirent *e) { return e->d_name[0] != '.'; }

static void set_free(sample_set *set)
{
    for (int i = 0; i < set->n; i++) {
        free(set->samples[i].name);
        free(set->samples[i].data);
    }
    free(set->samples);
    free(set->name);
}

static void set_range(sample_set *set)
{
    set->low = 127;
    set->high = 0;
    for (int i = 0; i < set->n; i++) {
        int key = set->samples[i].key;
        if (key < 0) continue;
        set->pitched++;
        if (key - SAMPLES_MAX_SHIFT < set->low) set->low = key - SAMPLES_MAX_SHIFT;
        if (key + SAMPLES_MAX_SHIFT > set->high) set->high = key + SAMPLES_MAX_SHIFT;
    }
}

/* Loads the audio files directly inside dir as one set (n == 0 when there
 * are none). Drum sets keep only files named after a drum. */
static irmas_status load_set(const char *dir, const char *name, int drum, int rate,
                             sample_set *set, char *err, size_t errlen)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, visible, alphasort);
    if (n < 0)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot read this folder (%s)",
                           dir, strerror(errno));
    *set = (sample_set){.name = strdup(name), .samples = calloc((size_t)n + 1, sizeof(sample))};
    irmas_status st = set->name && set->samples ? IRMAS_OK : IRMAS_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const char *file = entries[i]->d_name;
        if (st == IRMAS_OK && is_audio(file) && (!drum || samples_parse_drum(file) >= 0)) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, file);
            st = load_sample(path, file, drum, rate, &set->samples[set->n], err, errlen);
            set->n++;
        }
        free(entries[i]);
    }
    free(entries);
    set_range(set);
    return st;
}

/* Appends a loaded set to a growing array, or frees it when it is empty. */
static irmas_status keep_set(sample_set **sets, int *n, sample_set *set)
{
    if (set->n == 0) {
        set_free(set);
        return IRMAS_OK;
    }
    sample_set *grown = realloc(*sets, (size_t)(*n + 1) * sizeof *grown);
    if (!grown) {
        set_free(set);
        return IRMAS_ERR_NOMEM;
    }
    *sets = grown;
    (*sets)[(*n)++] = *set;
    return IRMAS_OK;
}

/* The class folder's own files form one set, each subfolder another. */
static irmas_status load_sets(const char *dir, const char *name, int drum, int rate,
                              sample_set **sets, int *n_sets, char *err, size_t errlen)
{
    sample_set set;
    irmas_status st = load_set(dir, name, drum, rate, &set, err, errlen);
    if (st == IRMAS_OK) st = keep_set(sets, n_sets, &set);
    else set_free(&set);
    struct dirent **entries;
    int n = st == IRMAS_OK ? scandir(dir, &entries, visible, alphasort) : 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, entries[i]->d_name);
        if (st == IRMAS_OK && is_dir(path)) {
            st = load_set(path, entries[i]->d_name, drum, rate, &set, err, errlen);
            if (st == IRMAS_OK) st = keep_set(sets, n_sets, &set);
            else set_free(&set);
        }
        free(entries[i]);
    }
    if (n > 0) free(entries);
    return st;
}

irmas_status samples_load(const char *dir, const int *classes, int n_classes,
                          int rate, sample_library **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!is_dir(dir))
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: no such folder (--samples); make one with "
                           "scripts/fetch-samples.sh or name a folder of <class>/*.wav",
                           dir);
    sample_library *lib = calloc(1, sizeof *lib);
    if (!lib) return IRMAS_ERR_NOMEM;
    irmas_status st = IRMAS_OK;
    char path[4096];
    for (int i = 0; i < n_classes && st == IRMAS_OK; i++) {
        int c = classes[i];
        const char *code = classes_code(c);
        snprintf(path, sizeof path, "%s/%s", dir, code);
        if (!is_dir(path))
            st = status_fail(err, errlen, IRMAS_ERR_IO,
                             "%s: missing; the sampler needs recordings of every class "
                             "asked for (leave %s out with --classes)", path, code);
        else st = load_sets(path, code, 0, rate, &lib->sets[c], &lib->n_sets[c], err, errlen);
        if (st == IRMAS_OK && lib->n_sets[c] == 0)
            st = status_fail(err, errlen, IRMAS_ERR_FORMAT,
                             "%s: no recordings (.wav, .flac, .ogg, .aiff) in it", path);
    }
    snprintf(path, sizeof path, "%s/drums", dir);
    if (st == IRMAS_OK && is_dir(path))
        st = load_sets(path, "drums", 1, rate, &lib->kits, &lib->n_kits, err, errlen);
    if (st != IRMAS_OK) {
        samples_free(lib);
        return st;
    }
    *out = lib;
    return IRMAS_OK;
}

void samples_free(sample_library *lib)
{
    if (!lib) return;
    for (int c = 0; c < CLASS_COUNT; c++) {
        for (int i = 0; i < lib->n_sets[c]; i++) set_free(&lib->sets[c][i]);
        free(lib->sets[c]);
    }
    for (int i = 0; i < lib->n_kits; i++) set_free(&lib->kits[i]);
    free(lib->kits);
    free(lib);
}

const sample *samples_nearest(const sample_set *set, int key)
{
    const sample *best = NULL;
    int best_distance = 1 << 30;
    for (int i = 0; i < set->n; i++) {
        const sample *s = &set->samples[i];
        if (s->key < 0) continue;
        int d = abs(s->key - key);
        if (d < best_distance || (d == best_distance && s->key < best->key)) {
            best = s;
            best_distance = d;
        }
    }
    return best;
}
