/* test_train.c: irmas-train as a user runs it, on clips this test renders.
 *
 *     test_train PATH/TO/irmas-train
 *
 * The corpus: three classes of half-second 8 kHz clips, sines, square
 * waves and noise bursts, each clip at its own pitch, level or burst rate,
 * so a model has to learn what a class sounds like rather than one
 * waveform. Training on it takes well under a second, so the suite can
 * afford to train several times:
 *   - to a validation accuracy well above chance, with the raw and the
 *     log-mel front-end, and the written model loads and names new clips;
 *   - the same for the statistics baseline, and for a CNN and a CRNN
 *     (B1 on 70 x 70 recurrence plots, the smallest image B1 takes) told
 *     to tell sines from noise;
 *   - twice, once straight through and once stopped and resumed from the
 *     checkpoint, which must end in the same bits, for a recurrent model,
 *     a CNN and a log-mel model with SpecAugment masks (--augment);
 *   - with --augment twice from one seed, which must give the same bits,
 *     and without, which must not;
 *   - with a teacher (distillation: random weights, and the real ones
 *     when ../shared has them), twice, the second run reading every
 *     target from the cache, and resumed;
 *   - matching a random teacher's embedding on a hidden layer of 384
 *     (--match-embedding), the embeddings cached beside the targets;
 *     with another width of layer, or a trained model as the teacher,
 *     which has no embedding, refused;
 *   - with a model trained here as the teacher (--teacher MODEL.irm),
 *     and with --unlabelled-confidence 1, which keeps no unlabelled
 *     window;
 *   - over a pretrained front-end (a random teacher's frames), three
 *     times, the second reading every file's frames from the cache and the
 *     third recomputing one entry cut short, all to the same weights;
 *   - with bad flags, bad data and bad checkpoints, which must be refused
 *     with a message that says what is wrong.
 * The checkpoint file and the run options are also tested directly.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "config.h"
#include "examples.h"
#include "model_arch.h"
#include "model_file.h"
#include "run_options.h"
#include "testmodel.h"
#include "testutil.h"
#include "window.h"

#define RATE 8000
#define CLIP 4000 /* samples: 0.5 s */
#define CLIPS_PER_CLASS 30

static const char *train_program;
static char corpus[512]; /* rendered once, shared by the tests */

/* ---- the corpus ----------------------------------------------------- */

enum { SINE, SQUARE, NOISE };
static const char *const class_names[] = {"sin", "sqr", "noi"};

/* Clip `variant` of a class: its pitch, level and burst rate vary. */
static void render(int kind, int variant, float *out)
{
    tu_rng rng;
    tu_seed(&rng, 1000u * (unsigned)kind + (unsigned)variant + 1);
    float freq = tu_uniform(&rng, 180.0f, 900.0f);
    float amp = tu_uniform(&rng, 0.2f, 0.9f);
    float bursts = tu_uniform(&rng, 2.0f, 6.0f);
    tu_sine(out, CLIP, RATE, freq, amp);
    for (long i = 0; i < CLIP; i++) {
        if (kind == SQUARE) out[i] = out[i] >= 0.0f ? amp : -amp;
        if (kind == NOISE)
            out[i] = sinf(2.0f * (float)M_PI * bursts * (float)i / RATE) > 0
                         ? tu_uniform(&rng, -amp, amp)
                         : 0.0f;
    }
}

/* folder/<formatted name> in one of eight static buffers, taken in turn. */
static const char *path_in(const char *folder, const char *fmt, ...)
{
    static char paths[8][1024];
    static int next;
    char *path = paths[next++ % 8];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(path, sizeof paths[0], "%s/", folder);
    vsnprintf(path + n, sizeof paths[0] - (size_t)n, fmt, ap);
    va_end(ap);
    return path;
}

/* root/<name>/<name>NN.wav for the first classes kinds, named names. */
static void render_corpus(const char *root, const char *const *names,
                          int classes)
{
    float clip[CLIP];
    for (int c = 0; c < classes; c++) {
        mkdir(path_in(root, "%s", names[c]), 0777);
        for (int i = 0; i < CLIPS_PER_CLASS; i++) {
            render(c, i, clip);
            ck_assert_int_eq(tu_write_wav(path_in(root, "%s/%s%02d.wav",
                                                  names[c], names[c], i),
                                          clip, CLIP, 1, RATE),
                             0);
        }
    }
}

/* Each test's own folder, made before it and removed after it. */
static char dir[512];

static void make_scratch(void)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("train-test"));
}

static void remove_scratch(void)
{
    tu_remove_tree(dir);
}

/* ---- running irmas-train -------------------------------------------- */

/* What a run printed. */
typedef struct {
    int status; /* the exit status */
    char out[16384], err[16384];
} run_result;

static void read_text(const char *path, char *text, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, size - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
}

/* Runs irmas-train with the NULL-terminated args. */
static void run_train(run_result *r, const char *const *args)
{
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/run.out", dir);
    snprintf(err, sizeof err, "%s/run.err", dir);
    const char *argv[64] = {train_program};
    int argc = 1;
    for (; args[argc - 1]; argc++) argv[argc] = args[argc - 1];
    argv[argc] = NULL;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        execv(train_program, (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    waitpid(pid, &wstatus, 0);
    r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    read_text(out, r->out, sizeof r->out);
    read_text(err, r->err, sizeof r->err);
    unlink(out);
    unlink(err);
}

/* The same, failing the test unless it succeeds. */
static void run_train_ok(run_result *r, const char *const *args)
{
    run_train(r, args);
    ck_assert_msg(r->status == 0, "%s", r->err);
}

/* The settings every training here shares: the test corpus, small; and
 * the size of the recurrent models. */
#define ANY_MODEL_RUN "--rate", "8000", "--window", "0.5", "--batch", "8", \
    "--lr", "0.01", "--split-by", "file", "--patience", "0"
#define SMALL_RUN "--hidden", "16", ANY_MODEL_RUN
/* The log-mel front-end of the tests: 30 frames of 24 bands a clip. */
#define SMALL_LOGMEL "--frontend", "logmel", "--fft", "256", "--hop", "128", \
    "--mels", "24"

/* first then second, both NULL-terminated, into out[64], NULL-terminated. */
static void join_args(const char **out, const char *const *first,
                      const char *const *second)
{
    int n = 0;
    for (const char *const *a = first; *a; a++) out[n++] = *a;
    for (const char *const *a = second; *a; a++) out[n++] = *a;
    ck_assert_int_lt(n, 64);
    out[n] = NULL;
}

/* Reads a CSV log: the best validation accuracy of any epoch, and the
 * validation loss and accuracy of the epoch with the lowest loss (whose
 * weights --out holds). */
static void scan_log(const char *log, double *best_accuracy,
                     double *lowest_loss, double *its_accuracy)
{
    FILE *f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    *best_accuracy = 0.0;
    *lowest_loss = INFINITY;
    *its_accuracy = 0.0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line,
                     "epoch,train_loss,train_acc,val_loss,val_acc,seconds\n");
    while (fgets(line, sizeof line, f)) {
        int epoch;
        double train_loss, train_acc, val_loss, val_acc, seconds;
        ck_assert_int_eq(sscanf(line, "%d,%lf,%lf,%lf,%lf,%lf", &epoch,
                                &train_loss, &train_acc, &val_loss, &val_acc,
                                &seconds),
                         6);
        if (val_acc > *best_accuracy) *best_accuracy = val_acc;
        if (val_loss < *lowest_loss) {
            *lowest_loss = val_loss;
            *its_accuracy = val_acc;
        }
    }
    fclose(f);
}

/* The best validation accuracy in a CSV log. */
static double best_val_accuracy(const char *log)
{
    double best, loss, accuracy;
    scan_log(log, &best, &loss, &accuracy);
    return best;
}

static irmas_model *load_model(const char *path)
{
    irmas_model *m;
    char err[512];
    ck_assert_msg(irmas_model_load(path, &m, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    return m;
}

/* The model, trained on the classes kinds[0..n), names four fresh clips of
 * each (pitches it never saw), all but two right. */
static void check_model_classifies(const char *path, const int *kinds, int n)
{
    irmas_model *m = load_model(path);
    char err[512];
    ck_assert_int_eq(m->classes, n);
    ck_assert_ptr_nonnull(strstr(m->provenance, "command: "));
    ck_assert_ptr_nonnull(strstr(m->provenance, "test: "));
    irmas_window *w;
    ck_assert_msg(irmas_window_new(m, &w, err, sizeof err) == IRMAS_OK, "%s", err);
    float clip[CLIP], probs[MODEL_MAX_CLASSES];
    int right = 0;
    for (int k = 0; k < n; k++)
        for (int variant = 100; variant < 104; variant++) {
            render(kinds[k], variant, clip);
            irmas_window_classify(w, clip, probs);
            int top = 0;
            for (int c = 1; c < n; c++) top = probs[c] > probs[top] ? c : top;
            right += top == irmas_model_class_index(m, class_names[kinds[k]]);
        }
    ck_assert_msg(right >= 4 * n - 2, "%d of %d new clips named right", right,
                  4 * n);
    irmas_window_free(w);
    irmas_model_free(m);
}

static const int all_kinds[] = {SINE, SQUARE, NOISE};
static const int sine_and_noise[] = {SINE, NOISE};

/* Trains on the corpus with args, the model going to dir/m.irm and the
 * log to dir/log.csv, and checks that the best validation accuracy
 * reaches floor. Returns the model's path. */
static const char *train_model(run_result *r, const char *const *args,
                               double floor)
{
    const char *model_path = path_in(dir, "m.irm");
    const char *log = path_in(dir, "log.csv");
    const char *where[] = {"--data", corpus, "--out", model_path, "--log",
                           log, NULL};
    const char *all[64];
    join_args(all, where, args);
    run_train_ok(r, all);
    ck_assert_double_ge(best_val_accuracy(log), floor);
    return model_path;
}

START_TEST(logmel_model_learns_the_classes)
{
    const char *args[] = {SMALL_LOGMEL, "--epochs", "15", SMALL_RUN, NULL};
    run_result r;
    const char *model_path = train_model(&r, args, 0.9);
    ck_assert_ptr_nonnull(strstr(r.out, "confusion"));
    ck_assert_ptr_nonnull(strstr(r.out, "precision"));
    check_model_classifies(model_path, all_kinds, 3);
}
END_TEST

START_TEST(raw_model_learns_above_chance)
{
    const char *args[] = {"--frame", "50", "--epochs", "20", SMALL_RUN,
                          NULL};
    run_result r;
    /* Chance is 1/3. Raw samples need more data than this to be learnt
     * as well as spectra (sines and squares of one pitch look much alike
     * a frame at a time), but the LSTM gets most of them. */
    irmas_model *m = load_model(train_model(&r, args, 0.75));
    ck_assert_int_eq(m->norm, NORM_PEAK);
    ck_assert_int_eq(m->layers[0].kind, LAYER_LSTM);
    ck_assert_int_eq(m->frontend.frame, 50);
    ck_assert_ptr_nonnull(m->feature_mean);
    irmas_model_free(m);
}
END_TEST

START_TEST(stats_model_learns_the_classes)
{
    const char *args[] = {"--model", "stats", SMALL_LOGMEL, "--epochs",
                          "15", ANY_MODEL_RUN, NULL};
    run_result r;
    const char *model_path = train_model(&r, args, 0.9);
    irmas_model *m = load_model(model_path);
    ck_assert_int_eq(m->n_layers, 2);
    ck_assert_int_eq(m->layers[0].kind, LAYER_STATS);
    ck_assert_int_eq(m->layers[0].u.stats.inputs, 24);
    irmas_model_free(m);
    check_model_classifies(model_path, all_kinds, 3);
}
END_TEST

/* Sines against noise bursts, on recurrence plots, as a CNN and a CRNN:
 * the plot of a sine is nearly flat, a burst's is blocks. */
START_TEST(cnn_model_tells_sines_from_noise)
{
    const char *args[] = {"--classes", "sin,noi", "--model", "cnn-b1",
                          "--image-size", "70", "--epochs", "10",
                          ANY_MODEL_RUN, NULL};
    run_result r;
    const char *model_path = train_model(&r, args, 0.9);
    ck_assert_msg(strstr(r.err, "examples of a mrp image of 70 x 70 x 3"),
                  "%s", r.err);
    irmas_model *m = load_model(model_path);
    ck_assert_int_eq(m->frontend.kind, 0);
    ck_assert_ptr_null(m->feature_mean);
    ck_assert_int_eq(m->image.kind, IMAGE_MRP);
    ck_assert_int_eq(m->image.size, 70);
    ck_assert_int_eq(m->image.channels, 3);
    ck_assert_int_eq(m->layers[0].kind, LAYER_CONV2D);
    irmas_model_free(m);
    check_model_classifies(model_path, sine_and_noise, 2);
}
END_TEST

/* The small models the learning tests train: log-mel frames into an
 * LSTM, and a logmel image into cnn-mel. */
static const char *const small_logmel[] = {SMALL_LOGMEL, SMALL_RUN, NULL};
static const char *const small_cnn_mel[] = {"--model", "cnn-mel",
                                            ANY_MODEL_RUN, NULL};

/* Sines, squares and noise on log-mel images, with the CNN made for them
 * (its default image, 64 x 64, and no peak scaling): it tells them apart,
 * and a clip played 20 dB quieter gets the same answer, since the image
 * is measured from its loudest pixel. At the other tests' --lr 0.01 this
 * CNN could stay at two classes of three for 8 epochs (seeds 1 and 2,
 * with the kernels OpenBLAS picks on a Zen or Haswell CPU); at 0.003 it
 * learnt all three in each of 12 seeds under four OpenBLAS core types. */
START_TEST(cnn_mel_model_tells_the_kinds_at_any_level)
{
    const char *args[64], *epochs[] = {"--epochs", "8", "--lr", "0.003",
                                       NULL};
    join_args(args, small_cnn_mel, epochs);
    run_result r;
    const char *model_path = train_model(&r, args, 0.9);
    ck_assert_msg(strstr(r.err, "examples of a logmel image of 64 x 64 x 1"),
                  "%s", r.err);
    check_model_classifies(model_path, all_kinds, 3);
    irmas_model *m = load_model(model_path);
    ck_assert_int_eq(m->image.kind, IMAGE_LOGMEL);
    ck_assert_int_eq(m->image.size, 64);
    ck_assert_int_eq(m->norm, NORM_NONE);
    irmas_window *w;
    char err[512];
    ck_assert_msg(irmas_window_new(m, &w, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    float clip[CLIP], probs[MODEL_MAX_CLASSES], quieter[MODEL_MAX_CLASSES];
    for (int k = 0; k < 3; k++) {
        render(all_kinds[k], 200, clip);
        irmas_window_classify(w, clip, probs);
        for (int i = 0; i < CLIP; i++) clip[i] *= 0.1f;
        irmas_window_classify(w, clip, quieter);
        ck_assert_float_le(tu_max_abs_diff(probs, quieter, m->classes), 1e-3f);
    }
    irmas_window_free(w);
    irmas_model_free(m);
}
END_TEST

START_TEST(crnn_model_tells_sines_from_noise)
{
    const char *args[] = {"--classes", "sin,noi", "--model", "crnn-b1",
                          "--image-size", "70", "--frame", "200",
                          "--epochs", "5", ANY_MODEL_RUN, NULL};
    run_result r;
    const char *model_path = train_model(&r, args, 0.8);
    ck_assert_msg(strstr(r.err, "examples of 20 frames x 200 features and a "
                                "mrp image of 70 x 70 x 3"), "%s", r.err);
    irmas_model *m = load_model(model_path);
    int cell = model_image_end(m);
    ck_assert_int_eq(m->layers[cell].kind, LAYER_LSTM);
    ck_assert_int_eq(m->layers[cell].u.lstm.hidden, 128);
    ck_assert_int_eq(m->layers[cell - 1].u.dense.act, ACT_TANH);
    ck_assert_int_eq(m->frontend.frame, 200);
    ck_assert_ptr_nonnull(m->feature_mean);
    irmas_model_free(m);
    check_model_classifies(model_path, sine_and_noise, 2);
}
END_TEST

/* ---- resuming ------------------------------------------------------- */

static void check_same_floats(const char *what, const float *a,
                              const float *b, long n)
{
    ck_assert_msg(memcmp(a, b, (size_t)n * sizeof *a) == 0,
                  "%s differ after resuming", what);
}

/* The log without its seconds column. */
static void read_log_numbers(const char *path, char *text, size_t size)
{
    read_text(path, text, size);
    char *in = text, *out = text;
    while (*in) {
        char *end = strchr(in, '\n');
        char *comma = memrchr(in, ',', (size_t)(end - in));
        memmove(out, in, (size_t)(comma - in));
        out += comma - in;
        *out++ = '\n';
        in = end + 1;
    }
    *out = '\0';
}

/* The models a resume is tested with: a recurrent one, a CNN, which
 * keeps no feature statistics, and a log-mel one whose frames are masked,
 * which draws the most from the generator. */
static const char *const resumed_models[][14] = {
    {"--frame", "200", "--hidden", "16", NULL},
    {"--model", "cnn-b1", "--image", "stack", "--image-size", "70", NULL},
    {SMALL_LOGMEL, "--hidden", "16", "--augment", "2,6,2,8", NULL},
};

START_TEST(resumed_run_equals_uninterrupted)
{
    const char *a = path_in(dir, "a.irm"), *b = path_in(dir, "b.irm");
    const char *a_log = path_in(dir, "a.csv"), *b_log = path_in(dir, "b.csv");
    const char *a_ck = path_in(dir, "a.irm.ckpt");
    const char *b_ck = path_in(dir, "b.irm.ckpt");
    run_result r;
    const char *args[64];
    const char *straight[] = {"--data", corpus, "--out", a, "--log", a_log,
                              "--epochs", "4", "--dropout", "0.3",
                              ANY_MODEL_RUN, NULL};
    join_args(args, straight, resumed_models[_i]);
    run_train_ok(&r, args);
    const char *first[] = {"--data", corpus, "--out", b, "--log", b_log,
                           "--epochs", "2", "--dropout", "0.3",
                           ANY_MODEL_RUN, NULL};
    join_args(args, first, resumed_models[_i]);
    run_train_ok(&r, args);
    const char *rest[] = {"--resume", b_ck, "--epochs", "4", NULL};
    run_train_ok(&r, rest);
    ck_assert_ptr_nonnull(strstr(r.err, "resuming after epoch 2 of 4"));

    checkpoint ca, cb;
    char err[512];
    ck_assert_msg(checkpoint_load(a_ck, &ca, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_msg(checkpoint_load(b_ck, &cb, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_int_eq(ca.epoch, 4);
    ck_assert_int_eq(cb.epoch, 4);
    ck_assert_int_eq(ca.params, cb.params);
    ck_assert_int_eq(ca.adam_step, cb.adam_step);
    ck_assert(ca.rng_state == cb.rng_state);
    check_same_floats("weights", ca.weights, cb.weights, ca.params);
    check_same_floats("best weights", ca.best, cb.best, ca.params);
    check_same_floats("Adam's moments", ca.adam_v, cb.adam_v, ca.params);
    checkpoint_free(&ca);
    checkpoint_free(&cb);

    static char log_a[4096], log_b[4096];
    read_log_numbers(a_log, log_a, sizeof log_a);
    read_log_numbers(b_log, log_b, sizeof log_b);
    ck_assert_str_eq(log_a, log_b);
}
END_TEST

START_TEST(resume_refuses_another_model)
{
    const char *out = path_in(dir, "m.irm");
    const char *ck = path_in(dir, "m.irm.ckpt");
    run_result r;
    const char *first[] = {"--data", corpus, "--out", out, "--epochs", "1",
                           "--frame", "200", SMALL_RUN, NULL};
    run_train_ok(&r, first);

    const char *bigger[] = {"--resume", ck, "--hidden", "8", NULL};
    run_train(&r, bigger);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "'--hidden 16' where this command has "
                                "'--hidden 8'"), "%s", r.err);

    /* A damaged checkpoint is named, not trusted. */
    FILE *f = fopen(ck, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 100, SEEK_SET);
    fputc('x', f);
    fclose(f);
    const char *damaged[] = {"--resume", ck, NULL};
    run_train(&r, damaged);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, ck) && strstr(r.err, "CRC"), "%s", r.err);
}
END_TEST

/* A run given --init starts from that model: its first epoch scores what
 * the model scored, and its weights move only as far as the learning
 * rate lets them. */
START_TEST(init_starts_from_the_model)
{
    const char *a = path_in(dir, "a.irm"), *a_log = path_in(dir, "a.csv");
    const char *b = path_in(dir, "b.irm"), *b_log = path_in(dir, "b.csv");
    run_result r;
    const char *first[] = {"--data", corpus, "--out", a, "--log", a_log,
                           "--epochs", "4", SMALL_LOGMEL, SMALL_RUN, NULL};
    run_train_ok(&r, first);
    const char *tuned[] = {"--data", corpus, "--out", b, "--log", b_log,
                           "--epochs", "1", "--init", a, SMALL_LOGMEL,
                           SMALL_RUN, "--lr", "1e-7", NULL};
    run_train_ok(&r, tuned);

    double best, a_loss, a_accuracy, b_loss, b_accuracy;
    scan_log(a_log, &best, &a_loss, &a_accuracy);
    scan_log(b_log, &best, &b_loss, &b_accuracy);
    ck_assert_double_eq_tol(b_accuracy, a_accuracy, 1e-9);
    ck_assert_double_eq_tol(b_loss, a_loss, 1e-3);
    irmas_model *ma = load_model(a), *mb = load_model(b);
    ck_assert_int_eq(ma->arena_floats, mb->arena_floats);
    for (long i = 0; i < ma->arena_floats; i++)
        ck_assert_msg(fabsf(ma->arena[i] - mb->arena[i]) < 1e-4f,
                      "float %ld of %ld moved from %g to %g", i,
                      ma->arena_floats, ma->arena[i], mb->arena[i]);
    ck_assert_msg(strstr(mb->provenance, "started from: ") &&
                      strstr(mb->provenance, "whose provenance is:\n"
                                             "  irmas-train ") &&
                      strstr(mb->provenance, "\n  command: "),
                  "%s", mb->provenance);
    irmas_model_free(ma);
    irmas_model_free(mb);

    /* A resume takes the weights from its checkpoint: the model started
     * from may have gone since. */
    const char *b_ck = path_in(dir, "b.irm.ckpt");
    ck_assert_int_eq(remove(a), 0);
    const char *more[] = {"--resume", b_ck, "--epochs", "2", NULL};
    run_train_ok(&r, more);
    ck_assert_msg(strstr(r.err, "resuming after epoch 1 of 2") &&
                      strstr(r.err, "warning: --init"),
                  "%s", r.err);
    mb = load_model(b);
    ck_assert_ptr_nonnull(strstr(mb->provenance, "started from: "));
    irmas_model_free(mb);
}
END_TEST

/* Trains the small log-mel LSTM of these tests on the corpus for the
 * given number of epochs, to path: a model for --init to start from. */
static void train_model_to_start_from(const char *path, const char *epochs)
{
    run_result r;
    const char *args[] = {"--data", corpus, "--out", path, "--epochs", epochs,
                          SMALL_LOGMEL, SMALL_RUN, NULL};
    run_train_ok(&r, args);
}

/* The softmax row and bias of class label in m, as one vector. */
static void class_row(const irmas_model *m, const char *label, float *row)
{
    const dense_layer *out = &m->layers[m->n_layers - 1].u.dense;
    int c = irmas_model_class_index(m, label);
    ck_assert_msg(c >= 0, "no class %s", label);
    memcpy(row, out->weights + (long)c * out->inputs,
           (size_t)out->inputs * sizeof *row);
    row[out->inputs] = out->bias[c];
}

/* 1 if the rows of class la in a and lb in b are within 1e-4 of each
 * other. */
static int same_class_row(const irmas_model *a, const char *la,
                          const irmas_model *b, const char *lb)
{
    int n = a->layers[a->n_layers - 1].u.dense.inputs + 1;
    float *ra = malloc(2 * (size_t)n * sizeof *ra), *rb = ra + n;
    ck_assert_ptr_nonnull(ra);
    class_row(a, la, ra);
    class_row(b, lb, rb);
    int same = 1;
    for (int i = 0; i < n; i++) same &= fabsf(ra[i] - rb[i]) < 1e-4f;
    free(ra);
    return same;
}

/* 1 if every layer before the softmax holds the same weights in a and b,
 * within 1e-4. */
static int same_layers_below_softmax(irmas_model *a, irmas_model *b)
{
    int same = 1;
    for (int i = 0; i < a->n_layers - 1; i++) {
        layer_tensor ta[LAYER_MAX_TENSORS], tb[LAYER_MAX_TENSORS];
        int n = layer_tensors(&a->layers[i], ta);
        ck_assert_int_eq(layer_tensors(&b->layers[i], tb), n);
        for (int k = 0; k < n; k++)
            for (long j = 0; j < ta[k].count; j++)
                same &= fabsf((*ta[k].data)[j] - (*tb[k].data)[j]) < 1e-4f;
    }
    return same;
}

/* --init with another class set: the layers below the softmax come from
 * the model, and so does the softmax of each class both name, whatever
 * its place; a class the model does not know starts as a run from the
 * seed starts it. */
START_TEST(init_takes_other_classes)
{
    const char *a = path_in(dir, "a.irm"), *b = path_in(dir, "b.irm");
    run_result r;
    train_model_to_start_from(a, "3");
    irmas_model *ma = load_model(a);

    const char *fewer[] = {"--data", corpus, "--out", b, "--init", a,
                           "--classes", "noi,sin", "--epochs", "1",
                           SMALL_LOGMEL, SMALL_RUN, "--lr", "1e-7", NULL};
    run_train_ok(&r, fewer);
    ck_assert_msg(strstr(r.err, "another class set: the softmax starts from "
                                "its weights for noi sin, from the seed's "
                                "for no class"),
                  "%s", r.err);
    irmas_model *mb = load_model(b);
    ck_assert_int_eq(mb->classes, 2);
    ck_assert(same_layers_below_softmax(ma, mb));
    ck_assert(same_class_row(ma, "noi", mb, "noi"));
    ck_assert(same_class_row(ma, "sin", mb, "sin"));
    irmas_model_free(mb);

    /* A corpus where the third class is one the model never had. */
    char other[1024];
    snprintf(other, sizeof other, "%s", path_in(dir, "other"));
    mkdir(other, 0777);
    static const char *const names[] = {"sin", "sqr", "new"};
    render_corpus(other, names, 3);
    a = path_in(dir, "a.irm");
    b = path_in(dir, "b.irm");
    const char *seeded = path_in(dir, "seeded.irm");
    const char *fresh[] = {"--data", other, "--out", seeded, "--epochs", "1",
                           SMALL_LOGMEL, SMALL_RUN, "--lr", "1e-7", NULL};
    run_train_ok(&r, fresh);
    const char *more[] = {"--data", other, "--out", b, "--init", a,
                          "--epochs", "1", SMALL_LOGMEL, SMALL_RUN, "--lr",
                          "1e-7", NULL};
    run_train_ok(&r, more);
    ck_assert_msg(strstr(r.err, "its weights for sin sqr, from the seed's "
                                "for new"),
                  "%s", r.err);
    mb = load_model(b);
    irmas_model *ms = load_model(seeded);
    ck_assert(same_layers_below_softmax(ma, mb));
    ck_assert(same_class_row(ma, "sqr", mb, "sqr"));
    ck_assert(same_class_row(ms, "new", mb, "new"));
    ck_assert(!same_class_row(ma, "noi", mb, "new"));
    irmas_model_free(ms);
    irmas_model_free(mb);
    irmas_model_free(ma);
}
END_TEST

/* --init with no option that shapes the network trains the model's own:
 * the run starts where the model is, and resumes as any run does; a
 * network no --model builds is refused, saying what to give instead. */
START_TEST(init_alone_takes_the_models_network)
{
    const char *a = path_in(dir, "a.irm"), *b = path_in(dir, "b.irm");
    run_result r;
    train_model_to_start_from(a, "2");
    const char *alone[] = {"--data", corpus, "--out", b, "--init", a,
                           "--epochs", "1", "--batch", "8", "--lr", "1e-7",
                           "--split-by", "file", "--patience", "0", NULL};
    run_train_ok(&r, alone);
    ck_assert_msg(strstr(r.err, "its network, --model lstm on logmel "
                                "frames (24 features)"),
                  "%s", r.err);
    irmas_model *ma = load_model(a), *mb = load_model(b);
    ck_assert(same_layers_below_softmax(ma, mb));
    ck_assert(same_class_row(ma, "noi", mb, "noi"));
    irmas_model_free(ma);
    irmas_model_free(mb);
    const char *more[] = {"--resume", path_in(dir, "b.irm.ckpt"), "--epochs",
                          "2", NULL};
    run_train_ok(&r, more);
    ck_assert_msg(strstr(r.err, "resuming after epoch 1 of 2"), "%s", r.err);

    /* The test models' CNN pads its convolutions; no --model does. */
    irmas_model *cnn = tm_image_model(&(tm_image_spec){.image = IMAGE_STACK,
                                                       .seed = 3});
    char err[256];
    const char *c = path_in(dir, "cnn.irm");
    ck_assert_msg(irmas_model_save(cnn, c, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    irmas_model_free(cnn);
    const char *padded[] = {"--data", corpus, "--out", b, "--init", c, NULL};
    run_train(&r, padded);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "no --model builds its network") &&
                      strstr(r.err, "irmas-model info") &&
                      !strstr(r.err, "reading "),
                  "%s", r.err);
}
END_TEST

/* --dense sizes a CNN's hidden layer, and --init takes a model so made as
 * its network, that width included: alone, or with the options that shape
 * the network but not --dense. */
START_TEST(cnn_dense_sizes_the_hidden_layer)
{
    char a[600], b[600];
    snprintf(a, sizeof a, "%s", path_in(dir, "wide.irm"));
    snprintf(b, sizeof b, "%s", path_in(dir, "again.irm"));
    const char *args[64], *wide[] = {"--data", corpus, "--out", a, "--dense",
                                     "24", "--epochs", "1", NULL};
    join_args(args, small_cnn_mel, wide);
    run_result r;
    run_train_ok(&r, args);
    irmas_model *m = load_model(a);
    const layer *hidden = &m->layers[m->n_layers - 2];
    ck_assert_int_eq(hidden->kind, LAYER_DENSE);
    ck_assert_int_eq(hidden->u.dense.outputs, 24);
    irmas_model_free(m);
    const char *alone[] = {"--data", corpus, "--out", b, "--init", a,
                           "--epochs", "1", "--split-by", "file", NULL};
    const char *shaped[64];
    join_args(shaped, small_cnn_mel, alone);
    const char *const *with_init[] = {alone, shaped};
    for (int i = 0; i < 2; i++) {
        run_train_ok(&r, with_init[i]);
        ck_assert_msg(strstr(r.err, "its network, --model cnn-mel on"), "%s",
                      r.err);
        m = load_model(b);
        ck_assert_int_eq(m->layers[m->n_layers - 2].u.dense.outputs, 24);
        irmas_model_free(m);
    }
}
END_TEST

/* Bytes in path, or -1 when it is missing. */
static long file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* --export writes what bench/train_torch.py reads: for a recurrent model
 * its frames, for a CNN its images and a line a layer; both the initial
 * weights, the labels and the order, sized by meta.txt. */
START_TEST(export_holds_what_the_pytorch_twin_reads)
{
    const char *const *shapes[] = {small_logmel, small_cnn_mel};
    for (int i = 0; i < 2; i++) {
        char out[600], export[600], meta[1024], text[1024];
        snprintf(out, sizeof out, "%s", path_in(dir, "export%d.irm", i));
        snprintf(export, sizeof export, "%s", path_in(dir, "export%d", i));
        const char *args[64], *rest[] = {"--data", corpus, "--out", out,
                                         "--export", export, "--dropout",
                                         "0", "--epochs", "1", NULL};
        join_args(args, shapes[i], rest);
        run_result r;
        run_train_ok(&r, args);
        read_text(path_in(export, "meta.txt"), meta, sizeof meta);
        long examples = 0, params = 0, each = 0;
        int frames = 0, features = 0, size = 0, channels = 0;
        const char *line = strstr(meta, "examples ");
        ck_assert_msg(line && sscanf(line, "examples %ld", &examples) == 1 &&
                          examples > 0, "%s", meta);
        line = strstr(meta, "params ");
        ck_assert(line && sscanf(line, "params %ld", &params) == 1);
        const char *inputs = "features.f32";
        if (i == 0) {
            ck_assert_msg(strstr(meta, "model recurrent\ncell lstm\n"), "%s",
                          meta);
            ck_assert(sscanf(strstr(meta, "frames "), "frames %d", &frames) ==
                          1 &&
                      sscanf(strstr(meta, "features "), "features %d",
                             &features) == 1);
            each = (long)frames * features;
        } else {
            ck_assert_msg(strstr(meta, "model cnn\n"), "%s", meta);
            ck_assert(sscanf(strstr(meta, "channels "), "channels %d",
                             &channels) == 1 &&
                      sscanf(strstr(meta, "size "), "size %d", &size) == 1);
            each = (long)channels * size * size;
            inputs = "images.f32";
            irmas_model *m = load_model(out);
            read_text(path_in(export, "layers.txt"), text, sizeof text);
            int lines = 0;
            for (const char *c = text; *c; c++) lines += *c == '\n';
            ck_assert_int_eq(lines, m->n_layers);
            ck_assert_msg(strncmp(text, "conv2d 1 32 3 1 0 relu\n", 23) == 0,
                          "%s", text);
            ck_assert_msg(strstr(text, "maxpool 2 2\n") &&
                              strstr(text, " 3 softmax\n"), "%s", text);
            irmas_model_free(m);
        }
        ck_assert_int_gt(each, 0);
        ck_assert_int_eq(file_bytes(path_in(export, inputs)),
                         examples * each * 4);
        ck_assert_int_eq(file_bytes(path_in(export, "weights.f32")),
                         params * 4);
        ck_assert_int_eq(file_bytes(path_in(export, "labels.i32")),
                         examples * 4);
        ck_assert_int_eq(file_bytes(path_in(export, "order.i32")),
                         examples * 4);
    }
}
END_TEST

/* A model other options would build is refused, naming what differs,
 * before any file is read. */
START_TEST(init_refuses_another_model)
{
    const char *a = path_in(dir, "a.irm"), *b = path_in(dir, "b.irm");
    run_result r;
    train_model_to_start_from(a, "1");
    const char *wider[] = {"--data", corpus, "--out", b, "--init", a,
                           "--hidden", "8", SMALL_LOGMEL, ANY_MODEL_RUN,
                           NULL};
    run_train(&r, wider);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--init") && strstr(r.err, a) &&
                      strstr(r.err, "layer 0 (lstm) differs") &&
                      !strstr(r.err, "reading "),
                  "%s", r.err);
    const char *fewer_bands[] = {"--data", corpus, "--out", b, "--init", a,
                                 "--frontend", "logmel", "--fft", "256",
                                 "--hop", "64", "--mels", "24", SMALL_RUN,
                                 NULL};
    run_train(&r, fewer_bands);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "the inputs differ") &&
                      strstr(r.err, "other front-end settings"),
                  "%s", r.err);
    const char *no_model[] = {"--data", corpus, "--out", b, "--init", corpus,
                              SMALL_LOGMEL, SMALL_RUN, NULL};
    run_train(&r, no_model);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, corpus), "%s", r.err);
}
END_TEST

/* ---- augmentation --------------------------------------------------- */

/* 1 if the checkpoints at paths a and b hold the same weights. */
static int same_weights(const char *a, const char *b)
{
    checkpoint ca, cb;
    char err[512];
    ck_assert_msg(checkpoint_load(a, &ca, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    ck_assert_msg(checkpoint_load(b, &cb, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    int same = ca.params == cb.params &&
               memcmp(ca.weights, cb.weights,
                      (size_t)ca.params * sizeof *ca.weights) == 0;
    checkpoint_free(&ca);
    checkpoint_free(&cb);
    return same;
}

/* Trains 2 epochs of the model `shape` with the given flag and its value
 * (flag NULL: neither) to dir/NAME.irm. */
static void train_small(const char *name, const char *const *shape,
                        const char *flag, const char *value)
{
    const char *out = path_in(dir, "%s.irm", name);
    const char *args[64], *with_shape[64];
    const char *run[] = {"--data", corpus, "--out", out, "--epochs", "2",
                         "--threads", "2", NULL};
    const char *extra[] = {flag, value, NULL};
    join_args(with_shape, run, shape);
    join_args(args, with_shape, extra);
    run_result r;
    run_train_ok(&r, args);
}

/* Trains dir/NAME-a and NAME-b of the model `shape` with flag and value,
 * and dir/plain without, and checks that the two are the same model and
 * plain another: what the flag draws comes from the seed, and it changes
 * something. Returns NAME-a's checkpoint. */
static const char *check_seeded(const char *name, const char *const *shape,
                                const char *flag, const char *value)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "%s-a", name);
    snprintf(b, sizeof b, "%s-b", name);
    train_small(a, shape, flag, value);
    train_small(b, shape, flag, value);
    train_small("plain", shape, NULL, NULL);
    const char *a_ckpt = path_in(dir, "%s.irm.ckpt", a);
    ck_assert_msg(same_weights(a_ckpt, path_in(dir, "%s.irm.ckpt", b)),
                  "two runs from one seed with %s differ", flag);
    ck_assert_msg(!same_weights(a_ckpt, path_in(dir, "plain.irm.ckpt")),
                  "%s changed nothing", flag);
    return a_ckpt;
}

START_TEST(augmented_runs_repeat_bit_for_bit)
{
    const char *a = check_seeded("masked", small_logmel, "--augment", "2,6,2,8");

    /* The masks define the run: a resume keeps them. */
    const char *other[] = {"--resume", a, "--epochs", "3", "--augment",
                           "1,6,2,8", NULL};
    run_result r;
    run_train(&r, other);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "'--augment 2,6,2,8' where this command has "
                                "'--augment 1,6,2,8'"), "%s", r.err);
    const char *none[] = {"--resume", path_in(dir, "plain.irm.ckpt"),
                          "--epochs", "3", "--augment", "1,6,2,8", NULL};
    run_train(&r, none);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "'--augment 0,0,0,0' where this command has "
                                "'--augment 1,6,2,8'"), "%s", r.err);
}
END_TEST

/* Mixup's partners and shares, the frequency warps and the level changes
 * come from the seed like everything random: two runs are the same model,
 * another than without the flag, and the run keeps its value on resume (a
 * refusal quotes each value as it was typed). */
typedef struct {
    const char *name, *flag, *value, *other; /* other: a resume's value */
    const char *was, *now; /* what the refusal says of each */
} seeded_case;

static const seeded_case seeded_flags[] = {
    {"mixed", "--mixup", "0.4", "0.3", "run has '--mixup 0.4'",
     "this command has '--mixup 0.3'"},
    {"warped", "--warp", "0.2", "0.1", "run has '--warp 0.2'",
     "this command has '--warp 0.1'"},
    {"levelled", "--level", "12", "6.5", "run has '--level 12'",
     "this command has '--level 6.5'"},
    {"equalised", "--eq", "6", "3", "run has '--eq 6'",
     "this command has '--eq 3'"},
};

START_TEST(seeded_runs_repeat_bit_for_bit)
{
    const seeded_case *c = &seeded_flags[_i];
    const char *a = check_seeded(c->name, small_logmel, c->flag, c->value);
    const char *other[] = {"--resume", a, "--epochs", "3", c->flag, c->other,
                           NULL};
    run_result r;
    run_train(&r, other);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, c->was) && strstr(r.err, c->now), "%s",
                  r.err);
}
END_TEST

/* cnn-mel's logmel images are masked, warped and equalised like frames:
 * from the seed, and changed by each. */
START_TEST(image_masks_and_warps_repeat_bit_for_bit)
{
    check_seeded("masked-image", small_cnn_mel, "--augment", "2,8,2,8");
    check_seeded("warped-image", small_cnn_mel, "--warp", "0.2");
    check_seeded("equalised-image", small_cnn_mel, "--eq", "6");
}
END_TEST

START_TEST(mixed_model_learns_the_classes)
{
    const char *args[] = {SMALL_LOGMEL, "--epochs", "15", "--mixup", "0.4",
                          SMALL_RUN, NULL};
    run_result r;
    check_model_classifies(train_model(&r, args, 0.9), all_kinds, 3);
}
END_TEST

/* ---- distillation ----------------------------------------------------- */

/* The real teacher's folder, or NULL (and a message) when it is absent. */
static const char *real_teacher_dir(void)
{
    const char *dir = getenv("IRMAS_TEACHER_DIR");
    if (!dir || !*dir)
        dir = IRMAS_SOURCE_ROOT "/../shared/teachers/efficientat-mn04";
    if (access(path_in(dir, "weights.f32"), R_OK) == 0) return dir;
    printf("SKIP real_teacher_distils: no teacher weights at %s (set "
           "IRMAS_TEACHER_DIR to the efficientat-mn04 folder)\n", dir);
    return NULL;
}

/* The clips per class of the teacher's corpus: fewer than the others',
 * as the teacher costs a hundred times a small model's work a window. */
#define TEACHER_CLIPS 8

/* A smaller corpus under classes the teacher knows (flute for the sines,
 * organ for the squares, cello for the noise), and 6 unlabelled clips:
 * into dir/labelled/<class>/ and dir/unlabelled. */
static void render_teacher_corpus(char *labelled, char *unlabelled,
                                  size_t size)
{
    static const char *const names[] = {"flu", "org", "cel"};
    snprintf(labelled, size, "%s", path_in(dir, "labelled"));
    snprintf(unlabelled, size, "%s", path_in(dir, "unlabelled"));
    ck_assert_int_eq(mkdir(labelled, 0777), 0);
    ck_assert_int_eq(mkdir(unlabelled, 0777), 0);
    float clip[CLIP];
    for (int c = 0; c < 3; c++) {
        mkdir(path_in(labelled, "%s", names[c]), 0777);
        for (int i = 0; i < TEACHER_CLIPS; i++) {
            render(c, i, clip);
            ck_assert_int_eq(tu_write_wav(path_in(labelled, "%s/%02d.wav",
                                                  names[c], i),
                                          clip, CLIP, 1, RATE), 0);
        }
    }
    for (int i = 0; i < 6; i++) {
        render(i % 3, 100 + i, clip);
        ck_assert_int_eq(tu_write_wav(path_in(unlabelled, "u%02d.wav", i),
                                      clip, CLIP, 1, RATE), 0);
    }
}

/* Trains on the teacher corpus with the teacher in teacher_dir, twice:
 * the first run computes the targets of all 30 files, the second reads
 * them all from the cache. Then a run cut short resumes with its
 * teacher, and one that changes --distill is refused. */
static void distil_twice(const char *teacher_dir)
{
    char labelled[600], unlabelled[600], cache[600], out[600], ck[700];
    render_teacher_corpus(labelled, unlabelled, sizeof labelled);
    snprintf(cache, sizeof cache, "%s", path_in(dir, "cache"));
    snprintf(out, sizeof out, "%s", path_in(dir, "m.irm"));
    snprintf(ck, sizeof ck, "%s.ckpt", out);
    const char *where[] = {"--data", labelled, "--unlabelled", unlabelled,
                           "--teacher", teacher_dir, "--teacher-cache", cache,
                           "--distill", "0.5", "--temperature", "2",
                           "--out", out, SMALL_LOGMEL, SMALL_RUN, NULL};
    const char *epochs[] = {"--epochs", "2", NULL};
    const char *args[64];
    join_args(args, where, epochs);
    run_result r;
    run_train_ok(&r, args);
    ck_assert_msg(strstr(r.err, "reading 6 unlabelled files") &&
                      strstr(r.err, "teacher targets: 0 files from the "
                                    "cache, 30 computed (30 windows)"),
                  "%s", r.err);
    irmas_model *m = load_model(out);
    ck_assert_ptr_nonnull(strstr(m->provenance, "teacher: "));
    ck_assert_ptr_nonnull(strstr(m->provenance, "unlabelled: "));
    irmas_model_free(m);

    const char *one[] = {"--epochs", "1", NULL};
    join_args(args, where, one);
    run_train_ok(&r, args);
    ck_assert_msg(strstr(r.err, "teacher targets: 30 files from the cache, "
                                "0 computed (0 windows)"), "%s", r.err);
    const char *rest[] = {"--resume", ck, "--epochs", "2", NULL};
    run_train_ok(&r, rest);
    ck_assert_msg(strstr(r.err, "resuming after epoch 1 of 2") &&
                      strstr(r.err, "30 files from the cache"), "%s", r.err);
    const char *other[] = {"--resume", ck, "--epochs", "3", "--distill",
                           "0.7", NULL};
    run_train(&r, other);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "'--distill 0.5' where this command has "
                                "'--distill 0.7'"), "%s", r.err);
}

START_TEST(distilled_run_reads_the_teacher_cache)
{
    char teacher[600];
    snprintf(teacher, sizeof teacher, "%s", path_in(dir, "teacher"));
    ck_assert_int_eq(mkdir(teacher, 0777), 0);
    tm_random_teacher(teacher, 7);
    distil_twice(teacher);
}
END_TEST

START_TEST(real_teacher_distils)
{
    const char *teacher = real_teacher_dir();
    if (teacher) distil_twice(teacher);
}
END_TEST

/* --match-embedding with a random AudioSet teacher: a run on a hidden
 * layer of 384 units, the provenance saying so, then the same from the
 * cache; a layer of another width is refused, told which to give, and
 * so is a trained model as the teacher unless it reads the AudioSet
 * teacher's frames (a head, whose embedding is theirs). */
START_TEST(embedding_is_matched)
{
    char labelled[600], unlabelled[600], teacher[600], cache[600], out[600],
        model[600];
    render_teacher_corpus(labelled, unlabelled, sizeof labelled);
    snprintf(teacher, sizeof teacher, "%s", path_in(dir, "teacher"));
    snprintf(cache, sizeof cache, "%s", path_in(dir, "cache"));
    snprintf(out, sizeof out, "%s", path_in(dir, "m.irm"));
    snprintf(model, sizeof model, "%s", path_in(dir, "t.irm"));
    ck_assert_int_eq(mkdir(teacher, 0777), 0);
    tm_random_teacher(teacher, 7);
    const char *where[] = {"--data", labelled, "--unlabelled", unlabelled,
                           "--mixup", "0.3", "--teacher-cache", cache,
                           "--out", out, SMALL_LOGMEL, SMALL_RUN,
                           "--epochs", "1", "--match-embedding", "1", NULL};
    const char *wide[] = {"--teacher", teacher, "--dense", "384", NULL};
    const char *args[64];
    join_args(args, where, wide);
    run_result r;
    run_train_ok(&r, args);
    ck_assert_msg(strstr(r.err, "0 files from the cache, 30 computed"), "%s",
                  r.err);
    irmas_model *m = load_model(out);
    ck_assert_msg(strstr(m->provenance, "; its embedding matched at "
                                        "--match-embedding 1"),
                  "%s", m->provenance);
    irmas_model_free(m);
    run_train_ok(&r, args);
    ck_assert_msg(strstr(r.err, "30 files from the cache, 0 computed"), "%s",
                  r.err);

    const char *narrow[] = {"--teacher", teacher, "--dense", "16", NULL};
    join_args(args, where, narrow);
    run_train(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the teacher's embedding has 384 values") &&
                      strstr(r.err, "(--dense 384)"), "%s", r.err);

    const char *model_first[] = {"--data", labelled, "--out", model,
                                 SMALL_LOGMEL, SMALL_RUN, "--epochs", "1",
                                 NULL};
    run_train_ok(&r, model_first);
    const char *by_model[] = {"--teacher", model, "--dense", "384", NULL};
    join_args(args, where, by_model);
    run_train(&r, args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "gives no embedding"), "%s", r.err);

    const char *head_first[] = {"--data", labelled, "--frontend",
                                "efficientat-mn04", "--weights", teacher,
                                "--teacher-cache", cache, "--out", model,
                                "--window", "0.5", "--hidden", "8",
                                "--batch", "8", "--split-by", "file",
                                "--patience", "0", "--epochs", "1", NULL};
    run_train_ok(&r, head_first);
    const char *by_head[] = {"--teacher", model, "--weights", teacher,
                             "--dense", "384", NULL};
    join_args(args, where, by_head);
    run_train_ok(&r, args);
    m = load_model(out);
    ck_assert_msg(strstr(m->provenance, "; its embedding matched at "
                                        "--match-embedding 1"),
                  "%s", m->provenance);
    irmas_model_free(m);
}
END_TEST

/* A model trained here teaches another through irmas-train --teacher
 * MODEL.irm, on labelled and unlabelled audio mixed by --mixup: every
 * file's targets computed once, the provenance says so; a student of other
 * windows is refused, told which to give. */
START_TEST(trained_model_teaches_a_student)
{
    char labelled[600], unlabelled[600], cache[600], teacher[600], out[600];
    render_teacher_corpus(labelled, unlabelled, sizeof labelled);
    snprintf(cache, sizeof cache, "%s", path_in(dir, "cache"));
    snprintf(teacher, sizeof teacher, "%s", path_in(dir, "teacher.irm"));
    snprintf(out, sizeof out, "%s", path_in(dir, "student.irm"));
    const char *first[] = {"--data", labelled, "--out", teacher, SMALL_LOGMEL,
                           SMALL_RUN, "--epochs", "1", NULL};
    run_result r;
    run_train_ok(&r, first);
    const char *student[] = {"--data", labelled, "--unlabelled", unlabelled,
                             "--mixup", "0.3", "--teacher", teacher,
                             "--teacher-cache", cache, "--distill", "0.5",
                             "--out", out, SMALL_LOGMEL, SMALL_RUN,
                             "--epochs", "1", NULL};
    run_train_ok(&r, student);
    ck_assert_msg(strstr(r.err, "teacher targets: 0 files from the cache, "
                                "30 computed (30 windows)"), "%s", r.err);
    irmas_model *m = load_model(out);
    ck_assert_msg(strstr(m->provenance, "(a trained model), --distill 0.5"),
                  "%s", m->provenance);
    irmas_model_free(m);
    /* A softmax's largest value is below 1: at 1 no unlabelled window is
     * sure enough, and the labelled ones all train. */
    const char *sure[] = {"--data", labelled, "--unlabelled", unlabelled,
                          "--teacher", teacher, "--teacher-cache", cache,
                          "--unlabelled-confidence", "1", "--out", out,
                          SMALL_LOGMEL, SMALL_RUN, "--epochs", "1", NULL};
    run_train_ok(&r, sure);
    ck_assert_msg(strstr(r.err, "30 files from the cache") &&
                      strstr(r.err, "unlabelled windows: 0 of 6 kept, where "
                                    "the teacher's largest value for the "
                                    "classes is at least 1\n"),
                  "%s", r.err);
    m = load_model(out);
    ck_assert_msg(strstr(m->provenance, "where the teacher's confidence is "
                                        "at least 1"),
                  "%s", m->provenance);
    irmas_model_free(m);
    const char *longer[] = {"--data", labelled, "--teacher", teacher,
                            "--out", out, SMALL_LOGMEL, SMALL_RUN,
                            "--window", "0.4", "--epochs", "1", NULL};
    run_train(&r, longer);
    ck_assert_int_ne(r.status, 0);
    ck_assert_msg(strstr(r.err, "give --window 0.5"), "%s", r.err);
}
END_TEST

/* The path of a file in folder whose name ends in suffix. */
static void find_entry(const char *folder, const char *suffix, char *path,
                       size_t size)
{
    DIR *d = opendir(folder);
    ck_assert_ptr_nonnull(d);
    struct dirent *entry;
    size_t tail = strlen(suffix);
    path[0] = '\0';
    while ((entry = readdir(d)) && !path[0]) {
        size_t n = strlen(entry->d_name);
        if (n > tail && strcmp(entry->d_name + n - tail, suffix) == 0)
            snprintf(path, size, "%s/%s", folder, entry->d_name);
    }
    closedir(d);
    ck_assert_msg(path[0], "no %s file in %s", suffix, folder);
}

/* A head over a pretrained front-end (a random teacher's frames) trained
 * three times from one seed: the first run computes every file's frames
 * and caches them, the second reads them all from the cache, the third
 * finds one entry cut short and computes that file again. All three end
 * in the same weights: a cached example is the computed one. */
START_TEST(head_run_reads_the_frames_cache)
{
    char teacher[600], labelled[600], unlabelled[600], cache[600];
    snprintf(teacher, sizeof teacher, "%s", path_in(dir, "teacher"));
    ck_assert_int_eq(mkdir(teacher, 0777), 0);
    tm_random_teacher(teacher, 7);
    render_teacher_corpus(labelled, unlabelled, sizeof labelled);
    snprintf(cache, sizeof cache, "%s", path_in(dir, "cache"));
    const char *names[] = {"first", "second", "third"};
    const char *expect[] = {"teacher's frames: 0 files from the cache, 24 "
                            "computed",
                            "teacher's frames: 24 files from the cache, 0 "
                            "computed",
                            "teacher's frames: 23 files from the cache, 1 "
                            "computed"};
    char ck[3][700];
    for (int i = 0; i < 3; i++) {
        char out[600];
        snprintf(out, sizeof out, "%s", path_in(dir, "%s.irm", names[i]));
        snprintf(ck[i], sizeof ck[i], "%s.ckpt", out);
        const char *args[] = {"--data", labelled, "--frontend",
                              "efficientat-mn04", "--weights", teacher,
                              "--teacher-cache", cache, "--out", out,
                              "--window", "1", "--hidden", "8", "--batch", "8",
                              "--split-by", "file", "--patience", "0",
                              "--epochs", "2", NULL};
        run_result r;
        run_train_ok(&r, args);
        ck_assert_msg(strstr(r.err, expect[i]), "%s", r.err);
        if (i == 1) { /* cut one entry short for the third run */
            char entry[1200];
            find_entry(cache, ".frames", entry, sizeof entry);
            ck_assert_int_eq(truncate(entry, 100), 0);
        }
    }
    ck_assert(same_weights(ck[0], ck[1]));
    ck_assert(same_weights(ck[0], ck[2]));

    /* A stats head (each feature's mean and deviation over the window)
     * reads the same frames. */
    const char *out = path_in(dir, "stats.irm");
    const char *stats[] = {"--data", labelled, "--frontend",
                           "efficientat-mn04", "--weights", teacher,
                           "--teacher-cache", cache, "--out", out,
                           "--window", "1", "--model", "stats", "--dense", "8",
                           "--batch", "8", "--split-by", "file",
                           "--patience", "0", "--epochs", "2", NULL};
    run_result r;
    run_train_ok(&r, stats);
    ck_assert_msg(strstr(r.err, "teacher's frames: 24 files from the cache, "
                                "0 computed"), "%s", r.err);
    irmas_model *m = load_model(out);
    ck_assert_int_eq(m->layers[0].kind, LAYER_STATS);
    ck_assert_int_eq(m->frontend.kind, FRONTEND_EFFICIENTAT_MN04);
    irmas_model_free(m);
}
END_TEST

/* A missing teacher, and classes it does not know, are named. */
START_TEST(teacher_problems_are_named)
{
    char teacher[600];
    snprintf(teacher, sizeof teacher, "%s", path_in(dir, "teacher"));
    ck_assert_int_eq(mkdir(teacher, 0777), 0);
    const char *cache = path_in(dir, "cache"), *out = path_in(dir, "m.irm");
    const char *missing[] = {"--data", corpus, "--teacher", teacher,
                             "--teacher-cache", cache, "--out", out,
                             "--epochs", "1", SMALL_RUN, NULL};
    run_result r;
    run_train(&r, missing);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "--teacher ") && strstr(r.err, teacher) &&
                      strstr(r.err, "EfficientAT"), "%s", r.err);
    tm_random_teacher(teacher, 7);
    run_train(&r, missing);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the teacher has no class '") &&
                      strstr(r.err, "(it knows cel,cla,flu,gac,gel,org,pia,"
                                    "sax,tru,vio,voi)") &&
                      !strstr(r.err, "reading 90 files"), "%s", r.err);
}
END_TEST

/* ---- refusals ------------------------------------------------------- */

typedef struct {
    const char *args[12];
    const char *says;
} bad_case;

static const bad_case bad_flags[] = {
    {{"--hidden", "0"}, "--hidden takes a whole number from 1 to 4096"},
    {{"--model", "cnn"}, "rnn, lstm, gru, gru-original, blstm, stats, cnn-b1"},
    {{"--model", "stats"}, "add --frontend logmel"},
    {{"--model", "stats", "--frontend", "logmel", "--hidden", "8"},
     "--hidden sizes the cell of a recurrent model"},
    {{"--model", "cnn-b1", "--frame", "50"}, "reads only the window's image"},
    {{"--model", "crnn-b2", "--dense", "10"}, "crnn-bK's is Bk's own"},
    {{"--image", "mrp"}, "belong to the image models"},
    {{"--model", "cnn-b1", "--image", "jpeg"}, "--image takes stack, mrp or logmel"},
    {{"--model", "cnn-b1", "--image-size", "24"},
     "--image-size 24: cnn-b1 block 2 conv2d"},
    {{"--model", "cnn-b1", "--image", "stack", "--image-channels", "3"},
     "a stacked image has one channel"},
    {{"--model", "crnn-b1", "--export", "/tmp/never"},
     "recurrent models and CNNs only"},
    {{"--dropout", "1"}, "--dropout takes a number at least 0 and below 1"},
    {{"--lr", "-0.1"}, "--lr takes a number above 0"},
    {{"--epochs", "ten"}, "--epochs takes a whole number"},
    {{"--threads", "65"}, "--threads takes a whole number from 1 to 64"},
    {{"--seed", "-1"}, "--seed takes a whole number"},
    {{"--val-fraction", "0.6", "--test-fraction", "0.5"}, "add up to 1"},
    {{"--frontend", "logmel", "--frame", "50"}, "--frame sets |X_t|"},
    {{"--fft", "512"}, "belong to --frontend logmel"},
    {{"--frontend", "fft"}, "--frontend takes raw, logmel or efficientat-mn04"},
    {{"--frontend", "efficientat-mn04", "--fft", "1024"},
     "efficientat-mn04 has its own frames"},
    {{"--frontend", "efficientat-mn04", "--rate", "44100"},
     "efficientat-mn04 reads 32 kHz"},
    {{"--model", "stats"},
     "--model stats summarises log-mel frames or the teacher's"},
    {{"--frontend", "efficientat-mn04", "--model", "crnn-mel"},
     "efficientat-mn04 feeds a recurrent or stats head"},
    {{"--split-by", "folder"}, "--split-by takes irmas, file or regex:"},
    {{"--window", "0.01", "--rate", "8000"}, "shorter than one frame"},
    {{"--augment", "2,8,2,16"}, "--augment masks log-mel bands and frames"},
    {{"--model", "cnn-b1", "--augment", "1,4,1,4"},
     "--augment masks log-mel bands and frames"},
    {{"--frontend", "logmel", "--augment", "2,8"},
     "--augment takes F,FW,T,TW"},
    {{"--frontend", "logmel", "--augment", "1,4,-1,4"},
     "--augment takes F,FW,T,TW"},
    {{"--frontend", "logmel", "--augment", "1,4,1,4", "--export",
      "/tmp/never"}, "which masks no frames"},
    {{"--frontend", "logmel", "--mels", "24", "--augment", "1,30,1,4"},
     "runs of up to 30 bands and 4 frames, but a window has 24 bands"},
    {{"--warp", "0.1"}, "--warp scales log-mel spectra"},
    {{"--frontend", "logmel", "--warp", "0"},
     "--warp takes a number above 0 and at most 0.5"},
    {{"--frontend", "logmel", "--warp", "0.1", "--export", "/tmp/never"},
     "leave out --warp"},
    {{"--level", "12"}, "--level makes log-mel frames louder or quieter"},
    {{"--eq", "6"}, "--eq changes log-mel spectra's colour, and this model "
                    "reads none"},
    {{"--frontend", "logmel", "--eq", "30"},
     "--eq takes a number above 0 and at most 24"},
    {{"--model", "cnn-mel", "--image", "logmel", "--image-size", "64",
      "--level", "12"}, "a logmel image is the same at any level"},
    {{"--model", "cnn-mel", "--image", "logmel", "--image-size", "64",
      "--augment", "1,80,1,4"},
     "runs of up to 80 bands and 4 frames, but a window has 64 bands "
     "(--image-size) and 64 frames"},
    {{"--frontend", "logmel", "--level", "0"},
     "--level takes a number above 0 and at most 60"},
    {{"--frontend", "logmel", "--level", "12", "--export", "/tmp/never"},
     "leave out --level"},
    {{"--distill", "0.5"}, "need --teacher DIR"},
    {{"--unlabelled", "/tmp"}, "need --teacher DIR"},
    {{"--teacher-cache", "/tmp"}, "or the frames of --frontend efficientat-mn04"},
    {{"--teacher", "/tmp", "--distill", "1.5"},
     "--distill takes a number at least 0 and at most 1"},
    {{"--teacher", "/tmp", "--temperature", "0"},
     "--temperature takes a number above 0"},
    {{"--teacher", "/tmp", "--unlabelled-confidence", "0.1"},
     "--unlabelled-confidence chooses among the windows of --unlabelled DIR"},
    {{"--teacher", "/tmp", "--unlabelled", "/tmp", "--unlabelled-confidence",
      "1.5"},
     "--unlabelled-confidence takes a number at least 0 and at most 1"},
    {{"--teacher", "/tmp", "--export", "/tmp/never"}, "knows no teacher"},
    {{"--match-embedding", "1"}, "need --teacher DIR"},
    {{"--teacher", "/tmp", "--match-embedding", "-1"},
     "--match-embedding takes a number at least 0 and at most 100"},
    {{"--mixup", "0"}, "--mixup takes a number above 0 and at most 4"},
    {{"--mixup", "0.2", "--export", "/tmp/never"}, "leave out --mixup"},
    {{"--bogus"}, "--help"},
    {{"stray"}, "unexpected argument 'stray'"},
};

START_TEST(bad_flags_are_refused)
{
    const bad_case *c = &bad_flags[_i];
    const char *args[20] = {"--data", corpus, "--out", "/tmp/never.irm"};
    int n = 4;
    for (int i = 0; c->args[i]; i++) args[n++] = c->args[i];
    run_result r;
    run_train(&r, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, c->says), "expected '%s' in: %s", c->says,
                  r.err);
    ck_assert_int_eq(access("/tmp/never.irm", F_OK), -1);
}
END_TEST

START_TEST(missing_settings_are_named)
{
    run_result r;
    const char *no_data[] = {"--out", "/tmp/never.irm", NULL};
    run_train(&r, no_data);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "give at least one --data DIR"));
    const char *no_out[] = {"--data", corpus, NULL};
    run_train(&r, no_out);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "give --out FILE.irm"));
    const char *nowhere[] = {"--data", corpus, "--out", "/no/such/dir/m.irm",
                             NULL};
    run_train(&r, nowhere);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "cannot write into the folder"));
    const char *help[] = {"--help", NULL};
    run_train(&r, help);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: irmas-train"));
}
END_TEST

START_TEST(unusable_data_is_refused)
{
    char empty_dir[600], one_class[600];
    snprintf(empty_dir, sizeof empty_dir, "%s/empty", dir);
    snprintf(one_class, sizeof one_class, "%s/one-class", dir);
    mkdir(empty_dir, 0777);
    mkdir(one_class, 0777);
    render_corpus(one_class, class_names, 1);
    const char *out = path_in(dir, "m.irm");
    run_result r;
    const char *empty[] = {"--data", empty_dir, "--out", out, NULL};
    run_train(&r, empty);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, empty_dir), "%s", r.err);

    const char *single[] = {"--data", one_class, "--out", out, SMALL_RUN,
                            NULL};
    run_train(&r, single);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "class"), "%s", r.err);
    ck_assert_int_eq(access(out, F_OK), -1);
}
END_TEST

START_TEST(bad_files_are_skipped_and_counted)
{
    render_corpus(dir, class_names, 2);
    FILE *f = fopen(path_in(dir, "sin/broken.wav"), "w");
    fputs("RIFF, but no WAV at all", f);
    fclose(f);
    const char *out = path_in(dir, "m.irm");
    const char *args[] = {"--data", dir, "--out", out, "--epochs", "1",
                          "--frame", "200", SMALL_RUN, NULL};
    run_result r;
    run_train_ok(&r, args);
    ck_assert_msg(strstr(r.err, "broken.wav"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "1 file could not be used"), "%s", r.err);
}
END_TEST

/* ---- the checkpoint file and the run options ---------------------- */

START_TEST(checkpoint_round_trip)
{
    float w[3] = {1, -2, 3}, best[3] = {4, 5, 6}, m[3] = {0.1f, 0.2f, 0.3f},
          v[3] = {7, 8, 9}, mean[2] = {0.5f, -0.5f}, scale[2] = {2, 3};
    char run[] = "--hidden\0" "16";
    checkpoint c = {.run = run, .run_size = sizeof run, .examples = {5, 2, 1},
                    .epoch = 3, .best_epoch = 2, .best_loss = 0.25,
                    .bad_epochs = 1, .rng_state = 0x123456789abcdefull,
                    .adam_step = 42, .params = 3, .weights = w, .best = best,
                    .adam_m = m, .adam_v = v, .features = 2,
                    .feature_mean = mean, .feature_scale = scale};
    const char *path = path_in(dir, "run.ckpt");
    char err[512];
    ck_assert_int_eq(checkpoint_save(&c, path, err, sizeof err), IRMAS_OK);
    checkpoint back;
    ck_assert_msg(checkpoint_load(path, &back, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_int_eq(back.run_size, sizeof run);
    ck_assert_int_eq(memcmp(back.run, run, sizeof run), 0);
    ck_assert_int_eq(back.examples[1], 2);
    ck_assert_int_eq(back.epoch, 3);
    ck_assert_int_eq(back.best_epoch, 2);
    ck_assert(back.best_loss == 0.25);
    ck_assert(back.rng_state == c.rng_state);
    ck_assert_int_eq(back.adam_step, 42);
    check_same_floats("weights", w, back.weights, 3);
    check_same_floats("v", v, back.adam_v, 3);
    check_same_floats("scale", scale, back.feature_scale, 2);
    checkpoint_free(&back);

    /* Cut short: refused with the file's name. */
    ck_assert_int_eq(truncate(path, 60), 0);
    ck_assert_int_eq(checkpoint_load(path, &back, err, sizeof err),
                     IRMAS_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err, path));
    ck_assert_ptr_null(back.weights);
}
END_TEST

/* What one process reads and sends the others (examples.h) arrives as it
 * was, appended after what the receiver holds; cut-short bytes and another
 * model's shape are refused, leaving the receiver as it was. */
START_TEST(examples_pack_round_trip)
{
    enum { N = 3, FRAMES = 4, FEATURES = 2, PIXELS = 5 };
    example_set e = {.frames = FRAMES, .features = FEATURES,
                     .image_floats = PIXELS, .count = N};
    e.list = calloc(N, sizeof *e.list);
    for (int i = 0; i < N; i++) {
        example *x = &e.list[i];
        *x = (example){.label = i == 2 ? -1 : i, .item = 7 + i,
                       .step = 0.5f + (float)i, .pixel_step = 0.25f};
        x->values = malloc(FRAMES * FEATURES * sizeof *x->values);
        x->pixels = malloc(PIXELS * sizeof *x->pixels);
        for (int j = 0; j < FRAMES * FEATURES; j++)
            x->values[j] = (int16_t)(1000 * i - 37 * j);
        for (int j = 0; j < PIXELS; j++) x->pixels[j] = (int16_t)(i + j);
    }
    void *bytes;
    size_t size;
    ck_assert_int_eq(examples_pack(&e, 4, &bytes, &size), IRMAS_OK);
    example_set back = {.frames = FRAMES, .features = FEATURES,
                        .image_floats = PIXELS};
    int unreadable = -1;
    for (size_t cut = 0; cut < size; cut++)
        ck_assert_int_eq(examples_unpack_append(&back, bytes, cut, &unreadable),
                         IRMAS_ERR_FORMAT);
    example_set other = {.frames = FRAMES, .features = FEATURES + 1,
                         .image_floats = PIXELS};
    ck_assert_int_eq(examples_unpack_append(&other, bytes, size, &unreadable),
                     IRMAS_ERR_FORMAT);
    ck_assert_int_eq(back.count, 0);
    ck_assert_int_eq(unreadable, -1);
    ck_assert_int_eq(examples_unpack_append(&back, bytes, size, &unreadable),
                     IRMAS_OK);
    ck_assert_int_eq(examples_unpack_append(&back, bytes, size, &unreadable),
                     IRMAS_OK);
    ck_assert_int_eq(unreadable, 4);
    ck_assert_int_eq(back.count, 2 * N);
    for (int i = 0; i < 2 * N; i++) {
        const example *x = &back.list[i], *y = &e.list[i % N];
        ck_assert_int_eq(x->label, y->label);
        ck_assert_int_eq(x->item, y->item);
        ck_assert(x->step == y->step && x->pixel_step == y->pixel_step);
        ck_assert(memcmp(x->values, y->values,
                         FRAMES * FEATURES * sizeof *x->values) == 0);
        ck_assert(memcmp(x->pixels, y->pixels, PIXELS * sizeof *x->pixels) == 0);
    }
    free(bytes);
    examples_free(&back);
    examples_free(&other);
    examples_free(&e);
}
END_TEST

START_TEST(options_survive_a_round_trip)
{
    run_options o, back;
    run_options_defaults(&o);
    char *argv[] = {"irmas-train", "--data", "a", "--data", "b c",
                    "--model", "gru-original", "--hidden", "37", "--lr",
                    "0.1", "--seed", "18446744073709551615", "--out",
                    "m.irm", "--mixdown", "--teacher", "t", "--distill",
                    "0.3", "--temperature", "4.5", "--unlabelled", "u1",
                    "--unlabelled", "u2", "--unlabelled-confidence", "0.25",
                    "--teacher-cache", "c", "--match-embedding", "0.5", NULL};
    ck_assert_int_eq(run_options_parse(&o, 32, argv), 0);
    size_t size, again_size;
    char *args = run_options_args(&o, &size);
    int argc;
    char **split = run_options_split("irmas-train", args, size, &argc);
    run_options_defaults(&back);
    ck_assert_int_eq(run_options_parse(&back, argc, split), 0);
    ck_assert_int_eq(back.n_dirs, 2);
    ck_assert_str_eq(back.dirs[1], "b c");
    ck_assert_int_eq(back.cell, LAYER_GRU);
    ck_assert_int_eq(back.gru_reset_after, 0);
    ck_assert(back.lr == 0.1);
    ck_assert(back.seed == UINT64_MAX);
    ck_assert_int_eq(back.mixdown, 1);
    ck_assert_str_eq(back.teacher, "t");
    ck_assert(back.distill == 0.3 && back.temperature == 4.5);
    ck_assert_int_eq(back.n_unlabelled, 2);
    ck_assert_str_eq(back.unlabelled[1], "u2");
    ck_assert(back.unlabelled_confidence == 0.25);
    ck_assert(back.match_embedding == 0.5);
    ck_assert_str_eq(back.teacher_cache, "c");
    char *again = run_options_args(&back, &again_size);
    ck_assert_int_eq(again_size, size);
    ck_assert_int_eq(memcmp(again, args, size), 0);
    free(again);
    free(split);
    free(args);
}
END_TEST

START_TEST(image_options_survive_a_round_trip)
{
    run_options o, back;
    run_options_defaults(&o);
    char *argv[] = {"irmas-train", "--data", "a", "--model", "crnn-b4",
                    "--image", "stack", "--image-size", "100", "--frame",
                    "50", "--out", "m.irm", NULL};
    ck_assert_int_eq(run_options_parse(&o, 13, argv), 0);
    ck_assert_int_eq(run_options_check(&o), 0);
    size_t size;
    char *args = run_options_args(&o, &size);
    int argc;
    char **split = run_options_split("irmas-train", args, size, &argc);
    run_options_defaults(&back);
    ck_assert_int_eq(run_options_parse(&back, argc, split), 0);
    ck_assert_int_eq(run_options_check(&back), 0);
    ck_assert_int_eq(back.family, ARCH_CRNN);
    ck_assert_ptr_eq(back.arch, cnn_zoo_find("b4"));
    ck_assert_int_eq(back.image, IMAGE_STACK);
    ck_assert_int_eq(back.image_size, 100);
    ck_assert_int_eq(back.image_channels, 1); /* stack's own */
    ck_assert_int_eq(back.frame, 50);
    free(split);
    free(args);
}
END_TEST

/* Renders the shared corpus once, before the first test that needs it. */
static void setup_corpus(void)
{
    if (corpus[0]) return;
    snprintf(corpus, sizeof corpus, "%s", tu_tmpdir("train-corpus"));
    render_corpus(corpus, class_names, 3);
}

/* 1 if a and b are one shape. */
static int same_arch(const model_arch *a, const model_arch *b)
{
    return a->family == b->family && a->cell == b->cell &&
           a->gru_reset_after == b->gru_reset_after && a->zoo == b->zoo;
}

/* Every name the tools take parses, and names itself back; near misses
 * do not. */
START_TEST(arch_names_round_trip)
{
    static const char *const names[] = {
        "rnn", "lstm", "gru", "gru-original", "blstm", "stats",
        "cnn-b1", "cnn-b2", "cnn-b3", "cnn-b4", "cnn-mel",
        "crnn-b1", "crnn-b2", "crnn-b3", "crnn-b4", "crnn-mel"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        model_arch a;
        char back[32];
        ck_assert_int_eq(model_arch_parse(names[i], &a), 0);
        model_arch_name(&a, back, sizeof back);
        ck_assert_str_eq(back, names[i]);
        ck_assert_int_eq(a.zoo != NULL,
                         a.family == ARCH_CNN || a.family == ARCH_CRNN);
    }
    /* model_arch_at lists each of them once. */
    ck_assert_int_eq(MODEL_ARCH_COUNT, sizeof names / sizeof names[0]);
    for (int i = 0; i < MODEL_ARCH_COUNT; i++) {
        model_arch at, back;
        char name[32];
        model_arch_at(i, &at);
        model_arch_name(&at, name, sizeof name);
        ck_assert_int_eq(model_arch_parse(name, &back), 0);
        ck_assert(same_arch(&at, &back));
        for (int j = 0; j < i; j++) {
            model_arch earlier;
            model_arch_at(j, &earlier);
            ck_assert(!same_arch(&at, &earlier));
        }
    }
    model_arch a;
    ck_assert_int_eq(model_arch_parse("gru-original", &a), 0);
    ck_assert_int_eq(a.cell, LAYER_GRU);
    ck_assert_int_eq(a.gru_reset_after, 0);
    ck_assert_int_eq(model_arch_parse("crnn-b2", &a), 0);
    ck_assert_int_eq(a.family, ARCH_CRNN);
    ck_assert_int_eq(a.cell, LAYER_LSTM);
    static const char *const wrong[] = {"", "LSTM", "cnn", "cnn-b5",
                                        "crnn-", "cnn-cnn-b1", "b1", "gru-"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        ck_assert_int_eq(model_arch_parse(wrong[i], &a), -1);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH/TO/irmas-train\n", argv[0]);
        return EXIT_FAILURE;
    }
    train_program = argv[1];

    Suite *s = suite_create("train");
    TCase *learning = tcase_create("learning");
    tcase_set_timeout(learning, 300);
    tcase_add_unchecked_fixture(learning, setup_corpus, NULL);
    tcase_add_checked_fixture(learning, make_scratch, remove_scratch);
    tcase_add_test(learning, logmel_model_learns_the_classes);
    tcase_add_test(learning, raw_model_learns_above_chance);
    tcase_add_test(learning, stats_model_learns_the_classes);
    tcase_add_test(learning, cnn_model_tells_sines_from_noise);
    tcase_add_test(learning, crnn_model_tells_sines_from_noise);
    tcase_add_test(learning, cnn_mel_model_tells_the_kinds_at_any_level);
    tcase_add_loop_test(learning, resumed_run_equals_uninterrupted, 0,
                        sizeof resumed_models / sizeof resumed_models[0]);
    tcase_add_test(learning, resume_refuses_another_model);
    tcase_add_test(learning, init_starts_from_the_model);
    tcase_add_test(learning, init_refuses_another_model);
    tcase_add_test(learning, cnn_dense_sizes_the_hidden_layer);
    tcase_add_test(learning, export_holds_what_the_pytorch_twin_reads);
    tcase_add_test(learning, init_takes_other_classes);
    tcase_add_test(learning, init_alone_takes_the_models_network);
    tcase_add_test(learning, augmented_runs_repeat_bit_for_bit);
    tcase_add_loop_test(learning, seeded_runs_repeat_bit_for_bit, 0,
                        sizeof seeded_flags / sizeof seeded_flags[0]);
    tcase_add_test(learning, image_masks_and_warps_repeat_bit_for_bit);
    tcase_add_test(learning, mixed_model_learns_the_classes);
    suite_add_tcase(s, learning);
    /* Its own meson test (CK_RUN_CASE=distillation), the others run with
     * CK_EXCLUDE_TAGS=distillation: the teacher is the slowest part. */
    TCase *distillation = tcase_create("distillation");
    tcase_set_tags(distillation, "distillation");
    tcase_set_timeout(distillation, 300);
    tcase_add_checked_fixture(distillation, make_scratch, remove_scratch);
    tcase_add_test(distillation, distilled_run_reads_the_teacher_cache);
    tcase_add_test(distillation, real_teacher_distils);
    tcase_add_test(distillation, head_run_reads_the_frames_cache);
    tcase_add_test(distillation, trained_model_teaches_a_student);
    tcase_add_test(distillation, embedding_is_matched);
    tcase_add_unchecked_fixture(distillation, setup_corpus, NULL);
    tcase_add_test(distillation, teacher_problems_are_named);
    suite_add_tcase(s, distillation);
    TCase *refusals = tcase_create("refusals");
    tcase_set_timeout(refusals, 120);
    tcase_add_unchecked_fixture(refusals, setup_corpus, NULL);
    tcase_add_checked_fixture(refusals, make_scratch, remove_scratch);
    tcase_add_loop_test(refusals, bad_flags_are_refused, 0,
                        sizeof bad_flags / sizeof bad_flags[0]);
    tcase_add_test(refusals, missing_settings_are_named);
    tcase_add_test(refusals, unusable_data_is_refused);
    tcase_add_test(refusals, bad_files_are_skipped_and_counted);
    tcase_add_test(refusals, checkpoint_round_trip);
    tcase_add_test(refusals, examples_pack_round_trip);
    tcase_add_test(refusals, options_survive_a_round_trip);
    tcase_add_test(refusals, arch_names_round_trip);
    tcase_add_test(refusals, image_options_survive_a_round_trip);
    suite_add_tcase(s, refusals);
    int status = tu_run(s);
    if (corpus[0]) tu_remove_tree(corpus);
    return status;
}
