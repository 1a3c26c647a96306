/* test_pretrained.c: models whose front-end is the pretrained AudioSet
 * teacher (frontend.h's efficientat-mn04, pretrained.h).
 *
 * Without third-party data: with weights missing (an empty --weights
 * folder, or IRMAS_WEIGHTS naming one) loading such a model fails with one
 * message that names the files, the checksum, where it looked and why, and
 * where to get them; with random weights in the teacher's layout, other
 * weights than the model's are refused by checksum, the model's own load,
 * and the whole-window and streaming classifiers read exactly the
 * teacher's per-frame embeddings. With the real weights beside the source
 * tree: a model file naming them loads, and so does models/audioset-head.irm,
 * which classifies a window; without them that test says it is skipped.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "model_file.h"
#include "pretrained.h"
#include "stream.h"
#include "teacher.h"
#include "testmodel.h"
#include "testutil.h"
#include "window.h"

/* A new folder holding random teacher weights (testmodel.h). */
static const char *random_teacher_dir(void)
{
    const char *dir = tu_tmpdir("teacher");
    tm_random_teacher(dir, 21);
    return dir;
}

/* The real teacher's folder beside the source tree, or NULL after saying
 * the test is skipped. */
static const char *real_teacher_dir(void)
{
    const char *dir = IRMAS_SOURCE_ROOT "/../shared/teachers/efficientat-mn04";
    char path[4096];
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    if (access(path, R_OK) == 0) return dir;
    printf("SKIP real_weights_load: no teacher weights at %s\n", dir);
    return NULL;
}

#define SHIPPED_MODEL IRMAS_SOURCE_ROOT "/models/audioset-head.irm"

/* A GRU head over the teacher's frames: 1 s windows (4 frames), 3
 * classes, standardised features. */
static irmas_model *head_model(unsigned checksum)
{
    tm_spec spec = tm_raw_spec(LAYER_GRU, 1, 6);
    spec.sample_rate = FRONTEND_MN04_RATE;
    spec.window_samples = FRONTEND_MN04_RATE;
    spec.frontend = (frontend_params){.kind = FRONTEND_EFFICIENTAT_MN04,
                                      .checksum = checksum};
    spec.with_norm = 1;
    spec.classes = 3;
    return tm_model(&spec);
}

/* Saves m to a new file and returns its path. */
static const char *saved(const irmas_model *m)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/head.irm", tu_tmpdir("pretrained"));
    char err[512];
    ck_assert_msg(irmas_model_save(m, path, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    return path;
}

static void assert_says(const char *message, const char *part)
{
    ck_assert_msg(strstr(message, part), "'%s' does not say '%s'", message,
                  part);
}

START_TEST(missing_weights_say_what_and_where)
{
    irmas_model *m = head_model(0x1234abcdu);
    const char *path = saved(m);
    const char *empty = tu_tmpdir("no-weights");
    irmas_model *loaded = (irmas_model *)1;
    char err[4096];
    ck_assert_int_eq(irmas_pretrained_load_model(path, NULL, empty, &loaded, err,
                                           sizeof err),
                     IRMAS_ERR_IO);
    ck_assert_ptr_null(loaded);
    assert_says(err, path);
    assert_says(err, "efficientat-mn04");
    assert_says(err, "tensors.tsv and weights.f32 with CRC-32 0x1234abcd");
    assert_says(err, empty);
    assert_says(err, "because of --weights");
    assert_says(err, "no readable tensors.tsv and no readable weights.f32");
    assert_says(err, "EfficientAT");
    assert_says(err, "mn04_as_mAP_432.pt");
    assert_says(err, "IRMAS_WEIGHTS");

    /* without --weights, the environment's folder, and it says so */
    setenv(PRETRAINED_WEIGHTS_ENV, empty, 1);
    ck_assert_int_eq(pretrained_attach(m, NULL, err, sizeof err),
                     IRMAS_ERR_IO);
    assert_says(err, empty);
    assert_says(err, "because of IRMAS_WEIGHTS");
    unsetenv(PRETRAINED_WEIGHTS_ENV);
    ck_assert_str_eq(pretrained_weights_dir("given", NULL), "given");

    /* and a runner refuses a model with none attached */
    irmas_window *w = NULL;
    ck_assert_int_eq(irmas_window_new(m, &w, err, sizeof err), IRMAS_ERR_ARG);
    assert_says(err, "no weights loaded");
    irmas_model_free(m);
}
END_TEST

START_TEST(other_weights_are_refused_by_checksum)
{
    const char *dir = random_teacher_dir();
    unsigned crc;
    char err[4096];
    ck_assert(pretrained_checksum(dir, &crc, err, sizeof err) == IRMAS_OK);
    irmas_model *m = head_model(crc ^ 1u);
    ck_assert_int_eq(pretrained_attach(m, dir, err, sizeof err),
                     IRMAS_ERR_FORMAT);
    char want[64];
    snprintf(want, sizeof want, "has CRC-32 0x%08x", crc);
    assert_says(err, want);
    assert_says(err, "other weights");
    ck_assert_ptr_null(m->pretrained);
    irmas_model_free(m);
}
END_TEST

/* A window of a few tones at 32 kHz. */
static void tones(float *x, long n)
{
    for (long i = 0; i < n; i++)
        x[i] = 0.3f * sinf(2.0f * (float)M_PI * 440.0f * i / 32000.0f) +
               0.2f * sinf(2.0f * (float)M_PI * 1234.0f * i / 32000.0f);
}

/* What the stream gave for the window ending at sample end. */
typedef struct {
    long long end;
    int windows, found;
    float probs[3];
} emitted;

static void on_window(void *user, const float *probs, long long end_sample)
{
    emitted *e = user;
    e->windows++;
    if (end_sample != e->end) return;
    memcpy(e->probs, probs, sizeof e->probs);
    e->found = 1;
}

START_TEST(classifiers_read_the_teachers_frames)
{
    char dir[4096]; /* tu_tmpdir's buffer is reused by saved() */
    snprintf(dir, sizeof dir, "%s", random_teacher_dir());
    irmas_model *m = head_model(0);
    char err[4096];
    ck_assert_msg(pretrained_adopt(m, dir, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    /* saved and loaded back, the model finds the same weights */
    irmas_model *loaded = NULL;
    ck_assert_msg(irmas_pretrained_load_model(saved(m), NULL, dir, &loaded, err,
                                        sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_uint_eq(loaded->frontend.checksum, m->frontend.checksum);

    long n = m->window_samples;
    float *x = malloc((size_t)n * sizeof *x);
    tones(x, n);

    /* the teacher alone: its frames, standardised, into the head */
    teacher *t = NULL;
    ck_assert(teacher_new(m->pretrained, n, &t, err, sizeof err) == IRMAS_OK);
    teacher_run(t, x, n, NULL, NULL, NULL);
    int columns;
    const float *e = teacher_frame_embeddings(t, &columns);
    ck_assert_int_eq(columns, model_frames(m));
    float feats[4 * 384];
    memcpy(feats, e, sizeof feats);
    model_standardise(m, feats, columns, 384);
    irmas_window *w = NULL;
    ck_assert(irmas_window_new(loaded, &w, err, sizeof err) == IRMAS_OK);
    float want[3], got[3];
    irmas_window_classify_frames(w, feats, want);
    irmas_window_classify(w, x, got);
    for (int c = 0; c < 3; c++) ck_assert_float_eq_tol(got[c], want[c], 1e-6);

    /* the stream recomputes the whole window at each hop: the window
     * ending at 1.5 s (hop 0.25 s) holds exactly x */
    irmas_stream *s = NULL;
    ck_assert_msg(irmas_stream_new(loaded, n / 4, &s, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_int_eq(irmas_stream_is_incremental(s), 0);
    float *two = calloc((size_t)n * 2, sizeof *two);
    memcpy(two + n / 2, x, (size_t)n * sizeof *x);
    emitted seen = {.end = n + n / 2};
    for (long at = 0; at < 2 * n; at += 1000)
        irmas_stream_push(s, two + at, 2 * n - at < 1000 ? 2 * n - at : 1000,
                    on_window, &seen);
    ck_assert_int_eq(seen.windows, 5);
    ck_assert(seen.found);
    for (int c = 0; c < 3; c++)
        ck_assert_float_eq_tol(seen.probs[c], want[c], 1e-6);
    free(two);
    irmas_stream_free(s);
    irmas_window_free(w);
    teacher_free(t);
    free(x);
    irmas_model_free(loaded);
    irmas_model_free(m);
}
END_TEST

START_TEST(real_weights_load)
{
    const char *dir = real_teacher_dir();
    if (!dir) return;
    unsigned crc;
    char err[4096];
    ck_assert(pretrained_checksum(dir, &crc, err, sizeof err) == IRMAS_OK);
    irmas_model *m = head_model(crc);
    irmas_model *loaded = NULL;
    ck_assert_msg(irmas_pretrained_load_model(saved(m), NULL, dir, &loaded, err,
                                        sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_ptr_nonnull(loaded->pretrained);
    irmas_model_free(loaded);
    irmas_model_free(m);

    /* the shipped model names these weights and runs on them */
    ck_assert_msg(irmas_pretrained_load_model(SHIPPED_MODEL, NULL, dir, &loaded, err,
                                        sizeof err) == IRMAS_OK, "%s", err);
    irmas_window *w = NULL;
    ck_assert(irmas_window_new(loaded, &w, err, sizeof err) == IRMAS_OK);
    float *x = malloc((size_t)loaded->window_samples * sizeof *x);
    tones(x, loaded->window_samples);
    float probs[MODEL_MAX_CLASSES];
    irmas_window_classify(w, x, probs);
    ck_assert(tm_is_distribution(probs, loaded->classes, 1e-4f));
    free(x);
    irmas_window_free(w);
    irmas_model_free(loaded);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pretrained");
    TCase *tc = tcase_create("pretrained");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, missing_weights_say_what_and_where);
    tcase_add_test(tc, other_weights_are_refused_by_checksum);
    tcase_add_test(tc, classifiers_read_the_teachers_frames);
    tcase_add_test(tc, real_weights_load);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
