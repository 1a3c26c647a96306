/* test_teacher.c: the AudioSet teacher (teacher.h, teacher_frontend.h).
 *
 * Without third-party data: its front-end against a naive DFT and the
 * filter bank written out from teacher_frontend.h; a teacher with random
 * weights in the architecture's layout (teacher_write_index) runs and gives
 * probabilities and per-frame embeddings of the right shape; the loader
 * names the file, line and field of every damage a test writes into a copy
 * (truncated, wrong shape, wrong name, NaN, missing). With the real
 * weights (IRMAS_TEACHER_DIR, else ../shared/teachers/efficientat-mn04
 * beside the source tree): the log-mel, embedding and probabilities of the
 * two reference inputs within 1e-4; when they are absent that test says so
 * and passes without checking.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "teacher.h"
#include "testmodel.h"
#include "testutil.h"

static char *path_in(const char *dir, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Reads count floats from path into a new array, or NULL. */
static float *read_floats(const char *path, long count)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    float *data = malloc((size_t)count * sizeof *data);
    size_t got = data ? fread(data, sizeof *data, (size_t)count, f) : 0;
    fclose(f);
    if (got != (size_t)count) {
        free(data);
        return NULL;
    }
    return data;
}

static void write_floats(const char *path, const float *data, long count)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, sizeof *data, (size_t)count, f), count);
    ck_assert_int_eq(fclose(f), 0);
}

/* A folder holding random weights in mn04_as's layout. */
static const char *random_teacher_dir(void)
{
    const char *dir = tu_tmpdir("teacher");
    ck_assert_int_eq(teacher_weight_floats(), 978679);
    tm_random_teacher(dir, 21);
    return dir;
}

/* The front-end of teacher_frontend.h written out: naive DFT, filters
 * from the formula, all in double. */
static void frontend_reference(const float *x, long n, int frames, double *out)
{
    long len = n - 1;
    double *y = malloc((size_t)len * sizeof *y);
    for (long i = 0; i < len; i++) y[i] = x[i + 1] - 0.97f * x[i];
    double lo = 0.0, hi = 1127.0 * log(1.0 + 15000.0 / 700.0);
    double delta = (hi - lo) / 129.0;
    for (int t = 0; t < frames; t++) {
        double power[512];
        for (int k = 0; k < 512; k++) {
            double re = 0.0, im = 0.0;
            for (int i = 0; i < 800; i++) {
                long j = (long)t * 320 - 512 + 112 + i;
                j = j < 0 ? -j : j >= len ? 2 * (len - 1) - j : j;
                double v = y[j] * (0.5 - 0.5 * cos(2.0 * M_PI * i / 799.0));
                re += v * cos(2.0 * M_PI * k * (i + 112) / 1024.0);
                im -= v * sin(2.0 * M_PI * k * (i + 112) / 1024.0);
            }
            power[k] = re * re + im * im;
        }
        for (int b = 0; b < 128; b++) {
            double energy = 0.0;
            for (int k = 0; k < 512; k++) {
                double mel = 1127.0 * log(1.0 + k * 31.25 / 700.0);
                double up = (mel - (lo + b * delta)) / delta;
                double down = ((lo + (b + 2) * delta) - mel) / delta;
                double w = fmin(up, down);
                if (w > 0.0) energy += w * power[k];
            }
            out[b * frames + t] = (log(energy + 1e-5) + 4.5) / 5.0;
        }
    }
    free(y);
}

START_TEST(frontend_matches_naive_dft)
{
    enum { N = 2000 };
    ck_assert_int_eq(teacher_frontend_frames(96000), 300);
    ck_assert_int_eq(teacher_frontend_frames(TEACHER_MIN_SAMPLES - 1), 0);
    /* the shortest input (reflection reaching both ends), and a longer one */
    static const long lengths[] = {TEACHER_MIN_SAMPLES, N};
    static const int frames_of[] = {2, 7};
    float x[N];
    tu_rng r;
    tu_seed(&r, 22);
    tu_sine(x, N, 32000, 440.0f, 0.5f);
    for (int i = 0; i < N; i++) x[i] += tu_uniform(&r, -0.01f, 0.01f);
    teacher_frontend *f;
    char err[256];
    ck_assert_int_eq(teacher_frontend_new(&f, err, sizeof err), IRMAS_OK);
    for (int l = 0; l < 2; l++) {
        long n = lengths[l];
        int frames = teacher_frontend_frames(n);
        ck_assert_int_eq(frames, frames_of[l]);
        float got[128 * 7];
        double want[128 * 7];
        teacher_frontend_compute(f, x, n, got);
        frontend_reference(x, n, frames, want);
        for (int i = 0; i < 128 * frames; i++)
            ck_assert_msg(fabs(got[i] - want[i]) < 1e-5,
                          "%ld samples: band %d frame %d: %g, want %g", n,
                          i / frames, i % frames, got[i], want[i]);
    }
    teacher_frontend_free(f);
}
END_TEST

START_TEST(random_teacher_runs)
{
    const char *dir = random_teacher_dir();
    teacher_weights *w;
    teacher *t;
    char err[512];
    ck_assert_msg(teacher_weights_load(dir, &w, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_int_eq(teacher_new(w, 100, &t, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_msg(teacher_new(w, 96000, &t, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    long n = 40000; /* shorter than the teacher was made for */
    float *x = malloc((size_t)n * sizeof *x);
    tu_sine(x, n, 32000, 220.0f, 0.3f);
    float embedding[TEACHER_EMBEDDING], probs[TEACHER_LABELS];
    teacher_run(t, x, n, NULL, embedding, probs);
    for (int i = 0; i < TEACHER_EMBEDDING; i++)
        ck_assert(isfinite(embedding[i]));
    for (int i = 0; i < TEACHER_LABELS; i++)
        ck_assert(probs[i] >= 0.0f && probs[i] <= 1.0f);
    int columns;
    const float *frames = teacher_frame_embeddings(t, &columns);
    /* 125 frames, halved (rounding up) five times */
    ck_assert_int_eq(teacher_frontend_frames(n), 125);
    ck_assert_int_eq(columns, 4);
    for (int i = 0; i < TEACHER_EMBEDDING; i++) {
        double mean = 0.0; /* the columns' mean is the embedding */
        for (int c = 0; c < columns; c++) mean += frames[c * TEACHER_EMBEDDING + i];
        ck_assert_msg(fabs(mean / columns - embedding[i]) < 1e-4,
                      "embedding %d", i);
    }
    /* The shortest input: 2 frames, one column from the stem on. */
    teacher_run(t, x, TEACHER_MIN_SAMPLES, NULL, embedding, probs);
    for (int i = 0; i < TEACHER_EMBEDDING; i++)
        ck_assert(isfinite(embedding[i]));
    teacher_frame_embeddings(t, &columns);
    ck_assert_int_eq(columns, 1);
    free(x);
    teacher_free(t);
    teacher_weights_free(w);
    teacher_free(NULL);
    teacher_weights_free(NULL);
}
END_TEST

START_TEST(irmas_classes_are_maxima)
{
    float probs[TEACHER_LABELS] = {0}, irmas[TEACHER_IRMAS_CLASSES];
    probs[193] = 0.1f;                   /* Cello */
    probs[155] = 0.2f, probs[157] = 0.7f; /* Organ, Hammond organ */
    probs[27] = 0.3f, probs[34] = 0.4f;  /* Singing, Child singing */
    probs[191] = 0.9f;                   /* Violin, fiddle */
    teacher_irmas_probs(probs, irmas);
    ck_assert_str_eq(teacher_irmas_label(0), "cel");
    ck_assert_str_eq(teacher_irmas_label(10), "voi");
    ck_assert_ptr_null(teacher_irmas_label(11));
    ck_assert_float_eq(irmas[0], 0.1f);
    ck_assert_float_eq(irmas[5], 0.7f);
    ck_assert_float_eq(irmas[9], 0.9f);
    ck_assert_float_eq(irmas[10], 0.4f);
    ck_assert_float_eq(irmas[6], 0.0f);
}
END_TEST

/* Loads dir, expects status, and checks the message holds each of the
 * NULL-terminated phrases. */
static void expect_failure(const char *dir, irmas_status status, ...)
{
    teacher_weights *w = (teacher_weights *)1;
    char err[1024];
    ck_assert_int_eq(teacher_weights_load(dir, &w, err, sizeof err), status);
    ck_assert_ptr_null(w);
    va_list phrases;
    va_start(phrases, status);
    for (const char *p; (p = va_arg(phrases, const char *));)
        ck_assert_msg(strstr(err, p), "'%s' not in: %s", p, err);
    va_end(phrases);
}

/* Replaces the first occurrence of from in the file by to. */
static void edit_file(const char *path, const char *from, const char *to)
{
    FILE *f = fopen(path, "r");
    static char text[8192], edited[8192];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to,
             at + strlen(from));
    f = fopen(path, "w");
    fputs(edited, f);
    fclose(f);
}

START_TEST(loader_names_the_damage)
{
    const char *dir = random_teacher_dir();
    char tsv[4096], weights[4096];
    snprintf(tsv, sizeof tsv, "%s", path_in(dir, "tensors.tsv"));
    snprintf(weights, sizeof weights, "%s", path_in(dir, "weights.f32"));
    long n = teacher_weight_floats();
    float *w = read_floats(weights, n);
    ck_assert_ptr_nonnull(w);

    /* weights.f32 cut short, and one float too long */
    write_floats(weights, w, n - 10);
    expect_failure(dir, IRMAS_ERR_FORMAT, "weights.f32", "truncated",
                   "978679", NULL);
    float *longer = malloc((size_t)(n + 1) * sizeof *longer);
    memcpy(longer, w, (size_t)n * sizeof *w);
    longer[n] = 0.0f;
    write_floats(weights, longer, n + 1);
    free(longer);
    expect_failure(dir, IRMAS_ERR_FORMAT, "weights.f32", "more than", NULL);

    /* a NaN inside b02_0_w (offset 232) */
    w[300] = NAN;
    write_floats(weights, w, n);
    expect_failure(dir, IRMAS_ERR_FORMAT, "weights.f32", "byte 1200",
                   "b02_0_w", NULL);
    w[300] = 0.0f;
    write_floats(weights, w, n);

    /* tensors.tsv: a wrong shape, a wrong name, a wrong count, cut short */
    edit_file(tsv, "24x8x1x1", "24x8x3x3");
    expect_failure(dir, IRMAS_ERR_FORMAT, "tensors.tsv: line 8",
                   "field 'shape'", "'24x8x3x3'", "'24x8x1x1'", NULL);
    edit_file(tsv, "24x8x3x3", "24x8x1x1");
    edit_file(tsv, "b04_2_se_fc1_w", "b04_2_se_fc9_w");
    expect_failure(dir, IRMAS_ERR_FORMAT, "line 24", "field 'name'", NULL);
    edit_file(tsv, "b04_2_se_fc9_w", "b04_2_se_fc1_w");
    edit_file(tsv, "\t527\n", "\t526\n");
    expect_failure(dir, IRMAS_ERR_FORMAT, "line 129", "field 'count'", NULL);
    edit_file(tsv, "\t526\n", "\t527\n");
    edit_file(tsv, "fc2_b\t527\t978152\t527\n", "");
    expect_failure(dir, IRMAS_ERR_FORMAT, "truncated", "fc2_b", NULL);
    edit_file(tsv, "fc2_w", "fc2_b\tx\n");
    expect_failure(dir, IRMAS_ERR_FORMAT, "4 tab-separated fields", NULL);

    /* missing files say what to get and where */
    remove(tsv);
    expect_failure(dir, IRMAS_ERR_IO, "tensors.tsv", "EfficientAT",
                   "mn04_as", NULL);
    expect_failure("/nonexistent-teacher", IRMAS_ERR_IO, "EfficientAT", NULL);
    free(w);
}
END_TEST

/* The real teacher's folder, or NULL (and a message) when it is absent. */
static const char *real_teacher_dir(void)
{
    const char *dir = getenv("IRMAS_TEACHER_DIR");
    if (!dir || !*dir)
        dir = IRMAS_SOURCE_ROOT "/../shared/teachers/efficientat-mn04";
    FILE *f = fopen(path_in(dir, "weights.f32"), "rb");
    if (!f) {
        printf("SKIP reference_outputs: no teacher weights at %s (set "
               "IRMAS_TEACHER_DIR to the efficientat-mn04 folder)\n", dir);
        return NULL;
    }
    fclose(f);
    return dir;
}

static void compare(const char *what, const float *got, const float *want,
                    long n)
{
    ck_assert_msg(want != NULL, "%s: reference file missing", what);
    float diff = tu_max_abs_diff(got, want, n);
    printf("%s: largest difference %.2g\n", what, diff);
    ck_assert_msg(diff < 1e-4f, "%s: largest difference %g", what, diff);
}

START_TEST(reference_outputs)
{
    const char *dir = real_teacher_dir();
    if (!dir) return;
    static const char *const inputs[] = {"cello_note", "pluck"};
    teacher_weights *w;
    teacher *t;
    char err[1024], path[4096];
    ck_assert_msg(teacher_weights_load(dir, &w, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_msg(teacher_new(w, 96000, &t, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    static float logmel[128 * 300];
    float embedding[TEACHER_EMBEDDING], probs[TEACHER_LABELS];
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/reference/%s.input-32k.f32", dir,
                 inputs[i]);
        float *x = read_floats(path, 96000);
        ck_assert_msg(x != NULL, "%s: cannot read 96000 floats", path);
        teacher_run(t, x, 96000, logmel, embedding, probs);
        free(x);
        static const struct {
            const char *suffix;
            long count;
        } outs[] = {{"logmel-128xT", 128 * 300}, {"embedding-384", 384},
                    {"probs-527", 527}};
        const float *got[] = {logmel, embedding, probs};
        for (int o = 0; o < 3; o++) {
            snprintf(path, sizeof path, "%s/reference/%s.%s.f32", dir,
                     inputs[i], outs[o].suffix);
            float *want = read_floats(path, outs[o].count);
            compare(path, got[o], want, outs[o].count);
            free(want);
        }
    }
    teacher_free(t);
    teacher_weights_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("teacher");
    TCase *tc = tcase_create("teacher");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, frontend_matches_naive_dft);
    tcase_add_test(tc, random_teacher_runs);
    tcase_add_test(tc, irmas_classes_are_maxima);
    tcase_add_test(tc, loader_names_the_damage);
    tcase_add_test(tc, reference_outputs);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
