/* test_distill.c: a teacher's soft targets (distill.h) and their cache.
 *
 * Without third-party data, a stand-in teacher that reads 8 kHz audio and
 * says, for its classes cel, flu, pia and voi, the window's peak, one
 * minus it, one half and nothing, and as its embedding the peak and its
 * square, counting every window it runs on. On
 * clips this test writes (a stereo file of two and a half windows whose
 * every window has its own level, and a mono one shorter than a window)
 * it shows that:
 *   - each example's target is the teacher's output for its channel and
 *     window, the model's classes matched by name and normalised, and its
 *     confidence the largest of those values before normalising;
 *   - a second load reads every file from the cache (no teacher run, the
 *     entries' modification times unchanged), a copy under another name
 *     too, while a changed file, a damaged entry or another mixdown is
 *     computed afresh;
 *   - asked for, each example's embedding is the teacher's, standardised
 *     over the examples, and is cached too; a teacher without one is
 *     refused;
 *   - a class the teacher does not know, and a cache folder that cannot be
 *     made, are refused with messages naming them;
 *   - a trained model as the teacher (model_teacher.h, a random one saved
 *     to a file) gives as each target its own output for the window, its
 *     classes matched by name, and refuses a student of other windows.
 * With the real teacher (IRMAS_TEACHER_DIR, else
 * ../shared/teachers/efficientat-mn04 beside the source tree), on two
 * rendered clips: every target equals the teacher run directly on the
 * same window, and a second load is all from the cache; when the weights
 * are absent that test says so and passes without checking.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio_file.h"
#include "config.h"
#include "distill.h"
#include "file_cache.h"
#include "model_file.h"
#include "model_teacher.h"
#include "pretrained.h"
#include "teacher.h"
#include "teacher_source.h"
#include "testmodel.h"
#include "testutil.h"

#define RATE 8000

/* ---- the stand-in teacher ---------------------------------------------- */

static const char *const stand_in_labels[] = {"cel", "flu", "pia", "voi"};
static atomic_long stand_in_runs;

static irmas_status stand_in_open(void *shared, long max_samples,
                                  void **runner, char *err, size_t errlen)
{
    (void)shared;
    (void)max_samples;
    (void)err;
    (void)errlen;
    *runner = NULL;
    return IRMAS_OK;
}

static void stand_in_run(void *runner, const float *samples, long n,
                         float *probs, float *embedding)
{
    (void)runner;
    float peak = 0.0f;
    for (long i = 0; i < n; i++)
        if (fabsf(samples[i]) > peak) peak = fabsf(samples[i]);
    probs[0] = peak;
    probs[1] = 1.0f - peak;
    probs[2] = 0.5f;
    probs[3] = 0.0f;
    if (embedding) {
        embedding[0] = peak;
        embedding[1] = peak * peak;
    }
    atomic_fetch_add(&stand_in_runs, 1);
}

static void stand_in_close(void *runner)
{
    (void)runner;
}

static const distill_teacher stand_in = {
    .rate = RATE, .min_samples = 1, .classes = 4, .labels = stand_in_labels,
    .identity = "stand-in 1", .embedding_dims = 2, .open = stand_in_open,
    .run = stand_in_run,
    .close = stand_in_close};

/* ---- the clips and the examples ---------------------------------------- */

/* The level of channel c's window w in the stereo clip. */
static float level(int c, int w)
{
    return 0.1f + 0.2f * (float)(2 * c + w);
}

static char folder[512], stereo[600], mono[600];

/* Writes the stereo clip (2.5 windows of one second, the last half
 * window at level 0.05) and the mono one (half a window at 0.8). */
static void write_clips(void)
{
    snprintf(folder, sizeof folder, "%s", tu_tmpdir("distill"));
    snprintf(stereo, sizeof stereo, "%s/stereo.wav", folder);
    snprintf(mono, sizeof mono, "%s/mono.wav", folder);
    long frames = 5 * RATE / 2;
    float *x = malloc(2 * (size_t)frames * sizeof *x);
    for (long i = 0; i < frames; i++)
        for (int c = 0; c < 2; c++) {
            int w = (int)(i / RATE);
            float a = w < 2 ? level(c, w) : 0.05f;
            x[2 * i + c] = a * sinf(2.0f * (float)M_PI * 200.0f * i / RATE);
        }
    ck_assert_int_eq(tu_write_wav(stereo, x, frames, 2, RATE), 0);
    tu_sine(x, RATE / 2, RATE, 300.0f, 0.8f);
    ck_assert_int_eq(tu_write_wav(mono, x, RATE / 2, 1, RATE), 0);
    free(x);
}

/* The examples of the two files as examples.h lays them out (item order,
 * channel, window): first of the first file's (4 per channel, 2 mixed
 * down), then one of the mono file's. */
static example_set two_files(int first)
{
    example_set e = {.count = first + 1};
    e.list = calloc((size_t)e.count, sizeof *e.list);
    for (int i = 0; i < e.count; i++) e.list[i].item = i < first ? 0 : 1;
    return e;
}

static irmas_model *model_of(const char *const *labels, int n)
{
    irmas_model *m = irmas_model_new();
    ck_assert_ptr_nonnull(m);
    m->classes = n;
    for (int c = 0; c < n; c++)
        snprintf(m->labels[c], sizeof m->labels[c], "%s", labels[c]);
    return m;
}

static const char *const pia_cel[] = {"pia", "cel"};

/* Loads the two files' targets for pia_cel from cache, with mixdown, by
 * teacher t, with its embeddings if asked. */
static irmas_status load_by(distill_targets *out, const distill_teacher *t,
                            const char *cache, int mixdown, int embeddings,
                            const char *first, char *err, size_t errlen)
{
    example_set e = two_files(mixdown ? 2 : 4);
    const char *paths[] = {first, mono};
    irmas_model *m = model_of(pia_cel, 2);
    distill_settings s = {.cache_dir = cache, .window_seconds = 1.0,
                          .mixdown = mixdown, .embeddings = embeddings,
                          .threads = 2};
    atomic_store(&stand_in_runs, 0);
    irmas_status status = distill_targets_load(out, t, &s, &e, paths, m, err,
                                               errlen);
    irmas_model_free(m);
    examples_free(&e);
    return status;
}

/* The same by the stand-in, without embeddings. */
static irmas_status load(distill_targets *out, const char *cache,
                         int mixdown, const char *first, char *err,
                         size_t errlen)
{
    return load_by(out, &stand_in, cache, mixdown, 0, first, err, errlen);
}

static void load_ok(distill_targets *out, const char *cache, int mixdown,
                    const char *first)
{
    char err[1024];
    irmas_status status = load(out, cache, mixdown, first, err, sizeof err);
    ck_assert_msg(status == IRMAS_OK, "%s", err);
}

/* The modification time of the only entry in cache beginning with hex
 * (the content hash of a file), and the entry's path. */
static struct timespec entry_time(const char *cache, const char *file,
                                  char *path, size_t size)
{
    char hex[65], err[512];
    ck_assert(file_cache_hash_file(file, hex, err, sizeof err) == IRMAS_OK);
    DIR *d = opendir(cache);
    ck_assert_ptr_nonnull(d);
    struct dirent *entry;
    int found = 0;
    while ((entry = readdir(d)))
        if (strncmp(entry->d_name, hex, 64) == 0) {
            snprintf(path, size, "%s/%s", cache, entry->d_name);
            found++;
        }
    closedir(d);
    ck_assert_int_eq(found, 1);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_mtim;
}

static void remove_clips(void)
{
    tu_remove_tree(folder);
}

/* ---- the tests --------------------------------------------------------- */

START_TEST(targets_follow_channels_windows_and_classes)
{
    char cache[600];
    snprintf(cache, sizeof cache, "%s/cache/deeper", folder);
    distill_targets t;
    load_ok(&t, cache, 0, stereo);
    ck_assert_int_eq(t.files_computed, 2);
    ck_assert_int_eq(t.files_cached, 0);
    ck_assert_int_eq(t.teacher_runs, 5);
    for (int i = 0; i < 5; i++) {
        /* pia is always 0.5, cel the peak: normalised to sum 1 */
        float a = i < 4 ? level(i / 2, i % 2) : 0.8f;
        const float *got = t.targets + 2 * i;
        ck_assert_msg(fabsf(got[1] - a / (a + 0.5f)) < 2e-3f &&
                          fabsf(got[0] + got[1] - 1.0f) < 1e-6f,
                      "example %d: pia %g cel %g for level %g", i,
                      (double)got[0], (double)got[1], (double)a);
        /* the confidence: the larger of the two before dividing */
        ck_assert_msg(fabsf(t.confidence[i] - fmaxf(a, 0.5f)) < 2e-3f,
                      "example %d: confidence %g for level %g", i,
                      (double)t.confidence[i], (double)a);
    }
    distill_targets_free(&t);
}
END_TEST

START_TEST(second_load_reads_the_cache)
{
    char cache[600], entry[1200];
    snprintf(cache, sizeof cache, "%s/cache", folder);
    distill_targets first, second;
    load_ok(&first, cache, 0, stereo);
    struct timespec written = entry_time(cache, stereo, entry, sizeof entry);
    load_ok(&second, cache, 0, stereo);
    ck_assert_int_eq(second.files_cached, 2);
    ck_assert_int_eq(second.files_computed, 0);
    ck_assert_int_eq(second.teacher_runs, 0);
    ck_assert_mem_eq(first.targets, second.targets, 10 * sizeof(float));
    struct timespec after = entry_time(cache, stereo, entry, sizeof entry);
    ck_assert(after.tv_sec == written.tv_sec &&
              after.tv_nsec == written.tv_nsec);
    distill_targets_free(&second);

    /* The same bytes under another name: the same entry. */
    char copy[700];
    snprintf(copy, sizeof copy, "%s/renamed.wav", folder);
    ck_assert_int_eq(rename(stereo, copy), 0);
    load_ok(&second, cache, 0, copy);
    ck_assert_int_eq(second.teacher_runs, 0);
    distill_targets_free(&second);
    distill_targets_free(&first);
}
END_TEST

START_TEST(changes_are_computed_afresh)
{
    char cache[600], entry[1200];
    snprintf(cache, sizeof cache, "%s/cache", folder);
    distill_targets t;
    load_ok(&t, cache, 0, stereo);
    distill_targets_free(&t);

    /* A damaged entry is replaced. */
    entry_time(cache, stereo, entry, sizeof entry);
    struct stat whole;
    ck_assert_int_eq(stat(entry, &whole), 0);
    ck_assert_int_eq(truncate(entry, whole.st_size - 3), 0);
    load_ok(&t, cache, 0, stereo);
    ck_assert_int_eq(t.files_computed, 1);
    ck_assert_int_eq(t.teacher_runs, 4);
    struct stat again;
    ck_assert_int_eq(stat(entry, &again), 0);
    ck_assert_int_eq(again.st_size, whole.st_size);
    distill_targets_free(&t);

    /* Another mixdown has its own entry. */
    load_ok(&t, cache, 1, stereo);
    ck_assert_int_eq(t.files_computed, 2);
    ck_assert_int_eq(t.teacher_runs, 3);
    distill_targets_free(&t);

    /* A changed file is a new key. */
    float quiet[RATE / 2];
    tu_sine(quiet, RATE / 2, RATE, 300.0f, 0.4f);
    ck_assert_int_eq(tu_write_wav(mono, quiet, RATE / 2, 1, RATE), 0);
    load_ok(&t, cache, 0, stereo);
    ck_assert_int_eq(t.files_cached, 1);
    ck_assert_int_eq(t.files_computed, 1);
    ck_assert(fabsf(t.targets[9] - 0.4f / 0.9f) < 2e-3f);
    distill_targets_free(&t);
}
END_TEST

START_TEST(embeddings_are_standardised_and_cached)
{
    char cache[600], err[1024];
    snprintf(cache, sizeof cache, "%s/cache", folder);
    distill_targets t, again;
    ck_assert_msg(load_by(&t, &stand_in, cache, 0, 1, stereo, err,
                          sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(t.embedding_dims, 2);
    ck_assert_int_eq(t.teacher_runs, 5);
    /* By hand: the peak and its square, each standardised over the five
     * examples (the peaks are the levels within the sampling's 2e-3). */
    double peaks[5], want[2][5];
    for (int i = 0; i < 5; i++) peaks[i] = i < 4 ? level(i / 2, i % 2) : 0.8;
    for (int d = 0; d < 2; d++) {
        double sum = 0.0, squares = 0.0;
        for (int i = 0; i < 5; i++) {
            want[d][i] = d ? peaks[i] * peaks[i] : peaks[i];
            sum += want[d][i];
            squares += want[d][i] * want[d][i];
        }
        double mean = sum / 5, sd = sqrt(squares / 5 - mean * mean);
        double got_sum = 0.0, got_squares = 0.0;
        for (int i = 0; i < 5; i++) {
            float got = t.embeddings[2 * i + d];
            ck_assert_msg(fabs(got - (want[d][i] - mean) / sd) < 0.02,
                          "example %d, value %d: %g, by hand %g", i, d,
                          (double)got, (want[d][i] - mean) / sd);
            got_sum += got;
            got_squares += (double)got * got;
        }
        ck_assert(fabs(got_sum / 5) < 1e-5 &&
                  fabs(got_squares / 5 - 1.0) < 1e-4);
    }

    /* Cached with them: a second load runs no teacher. Without them, the
     * targets are the same, read from those entries. */
    ck_assert(load_by(&again, &stand_in, cache, 0, 1, stereo, err,
                      sizeof err) == IRMAS_OK);
    ck_assert_int_eq(again.teacher_runs, 0);
    ck_assert_mem_eq(t.embeddings, again.embeddings, 10 * sizeof(float));
    distill_targets_free(&again);
    load_ok(&again, cache, 0, stereo);
    ck_assert_int_eq(again.teacher_runs, 0);
    ck_assert_int_eq(again.files_cached, 2);
    ck_assert_int_eq(again.embedding_dims, 0);
    ck_assert_ptr_null(again.embeddings);
    ck_assert_mem_eq(t.targets, again.targets, 10 * sizeof(float));
    distill_targets_free(&again);
    distill_targets_free(&t);

    /* A teacher without an embedding is refused. */
    distill_teacher plain = stand_in;
    plain.embedding_dims = 0;
    ck_assert(load_by(&t, &plain, cache, 0, 1, stereo, err, sizeof err) ==
              IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "stand-in 1") && strstr(err, "no embedding"),
                  "%s", err);
}
END_TEST

START_TEST(unknown_classes_and_bad_caches_are_refused)
{
    char cache[700], err[1024];
    snprintf(cache, sizeof cache, "%s/cache", folder);
    static const char *const gel[] = {"pia", "gel"};
    irmas_model *m = model_of(gel, 2);
    example_set e = two_files(4);
    const char *paths[] = {stereo, mono};
    distill_settings s = {.cache_dir = cache, .window_seconds = 1.0,
                          .threads = 1};
    distill_targets t;
    ck_assert(distill_targets_load(&t, &stand_in, &s, &e, paths, m, err,
                                   sizeof err) == IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "'gel'") && strstr(err, "cel,flu,pia,voi"),
                  "%s", err);
    irmas_model_free(m);

    /* A cache folder under a regular file cannot be made. */
    snprintf(cache, sizeof cache, "%s/cache", stereo);
    ck_assert(load(&t, cache, 0, stereo, err, sizeof err) == IRMAS_ERR_IO);
    ck_assert_msg(strstr(err, stereo) && strstr(err, "--teacher-cache"),
                  "%s", err);

    /* A file that vanished is named. */
    snprintf(cache, sizeof cache, "%s/cache", folder);
    char gone[700];
    snprintf(gone, sizeof gone, "%s/gone.wav", folder);
    ck_assert(load(&t, cache, 0, gone, err, sizeof err) == IRMAS_ERR_IO);
    ck_assert_msg(strstr(err, gone), "%s", err);
    examples_free(&e);
}
END_TEST

/* ---- the real teacher -------------------------------------------------- */

static const char *real_teacher_dir(void)
{
    const char *dir = getenv("IRMAS_TEACHER_DIR");
    if (!dir || !*dir)
        dir = IRMAS_SOURCE_ROOT "/../shared/teachers/efficientat-mn04";
    char path[4096];
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("SKIP real_teacher_targets: no teacher weights at %s (set "
               "IRMAS_TEACHER_DIR to the efficientat-mn04 folder)\n", dir);
        return NULL;
    }
    fclose(f);
    return dir;
}

/* Window w (length samples at rate, zero-padded) of path, mixed down,
 * into out[length]. */
static void read_window(const char *path, int rate, long length, int w,
                        float *out)
{
    audio_clip clip;
    char err[512];
    ck_assert(audio_file_read(path, rate, 1, &clip, err, sizeof err) ==
              IRMAS_OK);
    long start = (long)w * length;
    long n = clip.frames - start < length ? clip.frames - start : length;
    memcpy(out, clip.data + start, (size_t)n * sizeof *out);
    memset(out + n, 0, (size_t)(length - n) * sizeof *out);
    audio_clip_free(&clip);
}

/* A target for the model's classes pia and cel from a teacher's values
 * for them, normalised as distill.h says. */
static void pia_cel_target(float pia, float cel, float out[2])
{
    pia = fmaxf(pia, 1e-6f);
    cel = fmaxf(cel, 1e-6f);
    out[0] = pia / (pia + cel);
    out[1] = cel / (pia + cel);
}

/* What the teacher says of window w of path, run directly, for the
 * model's classes pia and cel. */
static void direct_target(const teacher_weights *w, const char *path,
                          int window, float *out)
{
    char err[512];
    float input[TEACHER_SAMPLE_RATE];
    read_window(path, TEACHER_SAMPLE_RATE, TEACHER_SAMPLE_RATE, window, input);
    teacher *t;
    ck_assert(teacher_new(w, TEACHER_SAMPLE_RATE, &t, err, sizeof err) ==
              IRMAS_OK);
    float probs[TEACHER_LABELS], irmas[TEACHER_IRMAS_CLASSES];
    teacher_run(t, input, TEACHER_SAMPLE_RATE, NULL, NULL, probs);
    teacher_irmas_probs(probs, irmas);
    teacher_free(t);
    pia_cel_target(irmas[6], irmas[0], out);
}

START_TEST(real_teacher_targets)
{
    const char *dir = real_teacher_dir();
    if (!dir) return;
    /* A 1.5 s chord at 44.1 kHz and a 0.5 s tone: 2 windows and 1. */
    char scratch[512];
    snprintf(scratch, sizeof scratch, "%s", tu_tmpdir("distill-real"));
    char chord[600], tone[600], cache[600], err[1024];
    snprintf(chord, sizeof chord, "%s/chord.wav", scratch);
    snprintf(tone, sizeof tone, "%s/tone.wav", scratch);
    snprintf(cache, sizeof cache, "%s/cache", scratch);
    float x[66150], y[66150];
    tu_sine(x, 66150, 44100, 220.0f, 0.3f);
    tu_sine(y, 66150, 44100, 330.0f, 0.3f);
    for (int i = 0; i < 66150; i++) x[i] += y[i] * expf(-i / 20000.0f);
    ck_assert_int_eq(tu_write_wav(chord, x, 66150, 1, 44100), 0);
    ck_assert_int_eq(tu_write_wav(tone, y, 22050, 1, 44100), 0);

    distill_teacher source;
    ck_assert_msg(teacher_source_open(dir, &source, err, sizeof err) ==
                  IRMAS_OK, "%s", err);
    example_set e = {.count = 3, .list = calloc(3, sizeof(example))};
    e.list[2].item = 1;
    const char *paths[] = {chord, tone};
    irmas_model *m = model_of(pia_cel, 2);
    distill_settings s = {.cache_dir = cache, .window_seconds = 1.0,
                          .mixdown = 1, .threads = 2};
    distill_targets t;
    ck_assert_msg(distill_targets_load(&t, &source, &s, &e, paths, m, err,
                                       sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(t.teacher_runs, 3);
    teacher_weights *w;
    ck_assert(teacher_weights_load(dir, &w, err, sizeof err) == IRMAS_OK);
    for (int i = 0; i < 3; i++) {
        float want[2];
        direct_target(w, i < 2 ? chord : tone, i < 2 ? i : 0, want);
        ck_assert_msg(tu_max_abs_diff(t.targets + 2 * i, want, 2) < 1e-6f,
                      "example %d: %g %g, directly %g %g", i,
                      (double)t.targets[2 * i], (double)t.targets[2 * i + 1],
                      (double)want[0], (double)want[1]);
    }
    teacher_weights_free(w);
    distill_targets_free(&t);
    ck_assert(distill_targets_load(&t, &source, &s, &e, paths, m, err,
                                   sizeof err) == IRMAS_OK);
    ck_assert_int_eq(t.files_cached, 2);
    ck_assert_int_eq(t.teacher_runs, 0);
    distill_targets_free(&t);
    irmas_model_free(m);
    examples_free(&e);
    teacher_source_close(&source);
    tu_remove_tree(scratch);
}
END_TEST

/* A trained model as the teacher (model_teacher.h): a random raw-sample
 * model of 1 s windows at 8 kHz with classes cel, voi, pia (the student's
 * pia and cel among them, in another order). Every target is the model's
 * own output for the window, run directly, its pia and cel normalised; a
 * student of other windows is refused, naming the window to give. */
START_TEST(trained_model_teaches)
{
    char path[700], cache[700], err[1024];
    snprintf(path, sizeof path, "%s/teacher.irm", folder);
    snprintf(cache, sizeof cache, "%s/cache", folder);
    tm_spec spec = tm_raw_spec(LAYER_GRU, 100, 8);
    spec.window_samples = RATE;
    spec.classes = 3;
    irmas_model *teacher_model = tm_model(&spec);
    static const char *const labels[] = {"cel", "voi", "pia"};
    for (int c = 0; c < 3; c++)
        snprintf(teacher_model->labels[c], MODEL_LABEL_MAX, "%s", labels[c]);
    ck_assert_msg(irmas_model_save(teacher_model, path, err, sizeof err) ==
                  IRMAS_OK, "%s", err);

    distill_teacher t;
    ck_assert(model_teacher_open(path, NULL, 3.0, &t, err, sizeof err) ==
              IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "--window 1"), "%s", err);
    ck_assert_msg(model_teacher_open(path, NULL, 1.0, &t, err, sizeof err) ==
                  IRMAS_OK, "%s", err);
    ck_assert_int_eq(t.embedding_dims, 0); /* raw samples: no embedding */
    example_set e = two_files(2);
    const char *paths[] = {stereo, mono};
    irmas_model *m = model_of(pia_cel, 2);
    distill_settings s = {.cache_dir = cache, .window_seconds = 1.0,
                          .mixdown = 1, .threads = 2};
    distill_targets targets;
    ck_assert_msg(distill_targets_load(&targets, &t, &s, &e, paths, m, err,
                                       sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(targets.teacher_runs, 3);

    irmas_window *w;
    ck_assert(irmas_window_new(teacher_model, &w, err, sizeof err) ==
              IRMAS_OK);
    for (int i = 0; i < 3; i++) {
        float input[RATE], probs[3], want[2];
        read_window(i < 2 ? stereo : mono, RATE, RATE, i < 2 ? i : 0, input);
        irmas_window_classify(w, input, probs);
        pia_cel_target(probs[2], probs[0], want);
        ck_assert_msg(tu_max_abs_diff(targets.targets + 2 * i, want, 2) <
                          1e-6f,
                      "example %d: %g %g, directly %g %g", i,
                      (double)targets.targets[2 * i],
                      (double)targets.targets[2 * i + 1], (double)want[0],
                      (double)want[1]);
    }
    irmas_window_free(w);
    distill_targets_free(&targets);
    irmas_model_free(m);
    irmas_model_free(teacher_model);
    examples_free(&e);
    model_teacher_close(&t);
}
END_TEST

/* A model on the AudioSet teacher's frames (a GRU head over a random
 * efficientat-mn04) as the teacher: its embedding is the AudioSet
 * teacher's own for the same window, and its probabilities are what the
 * model gives when run directly. */
START_TEST(model_on_the_teachers_frames_gives_its_embedding)
{
    char weights[700], path[700], err[1024];
    snprintf(weights, sizeof weights, "%s/weights", folder);
    snprintf(path, sizeof path, "%s/head.irm", folder);
    ck_assert_int_eq(mkdir(weights, 0777), 0);
    tm_random_teacher(weights, 5);
    tm_spec spec = tm_raw_spec(LAYER_GRU, 1, 6);
    spec.sample_rate = FRONTEND_MN04_RATE;
    spec.window_samples = FRONTEND_MN04_RATE;
    spec.frontend.kind = FRONTEND_EFFICIENTAT_MN04;
    spec.classes = 3;
    ck_assert(pretrained_checksum(weights, &spec.frontend.checksum, err,
                                  sizeof err) == IRMAS_OK);
    irmas_model *head = tm_model(&spec);
    ck_assert_msg(irmas_model_save(head, path, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    irmas_model_free(head);

    distill_teacher by_model, by_weights;
    ck_assert_msg(model_teacher_open(path, weights, 1.0, &by_model, err,
                                     sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_msg(teacher_source_open(weights, &by_weights, err,
                                      sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(by_model.embedding_dims, TEACHER_EMBEDDING);
    void *model_runner, *weights_runner;
    ck_assert(by_model.open(by_model.shared, FRONTEND_MN04_RATE,
                            &model_runner, err, sizeof err) == IRMAS_OK);
    ck_assert(by_weights.open(by_weights.shared, FRONTEND_MN04_RATE,
                              &weights_runner, err, sizeof err) == IRMAS_OK);
    static float input[FRONTEND_MN04_RATE];
    tu_sine(input, FRONTEND_MN04_RATE, FRONTEND_MN04_RATE, 440.0f, 0.5f);
    float probs[3], direct[3], irmas[TEACHER_IRMAS_CLASSES];
    float by_model_embedding[TEACHER_EMBEDDING], want[TEACHER_EMBEDDING];
    by_model.run(model_runner, input, FRONTEND_MN04_RATE, probs,
                 by_model_embedding);
    by_weights.run(weights_runner, input, FRONTEND_MN04_RATE, irmas, want);
    for (int d = 0; d < TEACHER_EMBEDDING; d++)
        ck_assert_msg(fabsf(by_model_embedding[d] - want[d]) <=
                          1e-5f * (1.0f + fabsf(want[d])),
                      "embedding[%d]: %g from the model, %g from the "
                      "weights", d, (double)by_model_embedding[d],
                      (double)want[d]);

    irmas_model *loaded;
    irmas_window *w;
    ck_assert(irmas_pretrained_load_model(path, NULL, weights, &loaded, err,
                                          sizeof err) == IRMAS_OK);
    ck_assert(irmas_window_new(loaded, &w, err, sizeof err) == IRMAS_OK);
    irmas_window_classify(w, input, direct);
    ck_assert_float_le(tu_max_abs_diff(probs, direct, 3), 1e-6f);
    irmas_window_free(w);
    irmas_model_free(loaded);
    by_model.close(model_runner);
    by_weights.close(weights_runner);
    model_teacher_close(&by_model);
    teacher_source_close(&by_weights);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("distill");
    TCase *stand_in_case = tcase_create("stand-in teacher");
    tcase_add_checked_fixture(stand_in_case, write_clips, remove_clips);
    tcase_add_test(stand_in_case, targets_follow_channels_windows_and_classes);
    tcase_add_test(stand_in_case, second_load_reads_the_cache);
    tcase_add_test(stand_in_case, changes_are_computed_afresh);
    tcase_add_test(stand_in_case, embeddings_are_standardised_and_cached);
    tcase_add_test(stand_in_case, unknown_classes_and_bad_caches_are_refused);
    tcase_add_test(stand_in_case, trained_model_teaches);
    tcase_add_test(stand_in_case,
                   model_on_the_teachers_frames_gives_its_embedding);
    suite_add_tcase(s, stand_in_case);
    TCase *real = tcase_create("real teacher");
    tcase_set_timeout(real, 60);
    tcase_add_test(real, real_teacher_targets);
    suite_add_tcase(s, real);
    return tu_run(s);
}
