/* bench_layers.c: how fast libirmas runs the study's recurrent layers.
 *
 * For an LSTM and a GRU of the study's shape (|X_t| = 100 samples per
 * step, H = 100, a 3-second window at 44.1 kHz: 1323 steps) it times the
 * whole-window forward pass, batch 1 on one thread: all frames projected
 * in one product against W_x packed (the window runner projects them 48
 * at a time, between its steps), then 1323 steps against W_h packed
 * (gemm.h). It prints the median over many runs, with the projection and
 * the steps apart. Then it times the streaming classifier (stream.h) on a
 * model made of that layer and a softmax head: CPU seconds per second of
 * audio at the default 0.5 s hop. First, the evidence behind gemm.c's
 * choice: the LSTM's recurrent product ([4H][H] against 1, 6 and 1323
 * rows) through gemm_nt, through the packed copy the runners step with,
 * and straight through OpenBLAS.
 *
 * Given a folder, it also writes each layer's weights, the input and the
 * final h there as raw little-endian float32 files, so layers_torch.py can
 * run the same computation in PyTorch and compare, and each model whole
 * (lstm.irm, gru.irm), which layers_torch.py runs through libirmas.so in
 * turn with PyTorch, in one process. bench-engine.sh runs
 * both; see docs/development.md, "Benchmarks".
 *
 * Given a model file after the folder (bench-engine.sh passes the shipped
 * models/default.irm), it also times that model's whole window when it
 * reads an image (a CNN): the image built from the samples, then the
 * network, batch 1 on one thread, and its stream at the 0.5 s hop (each
 * window's image reusing the frames it shares with the last), and writes
 * the image, the network's layers (cnn.layers.txt, one line each, and
 * their tensors) and its probabilities for layers_torch.py.
 *
 * With --teacher DIR it times the AudioSet teacher (teacher.h) instead,
 * whose weights DIR holds: its front-end and its network on a 3-second
 * window at 32 kHz, batch 1 on one thread, and the CPU per second of audio
 * when every hop recomputes the whole window. Given a folder after DIR, it
 * writes the log-mel input, the probabilities and the network's time there
 * for teacher_torch.py. bench-teacher.sh runs both.
 */
#include "classes.h"
#include "clock.h"
#include "gemm.h"
#include "isa.h"
#include "model_file.h"
#include "reader.h"
#include "recurrent.h"
#include "stream.h"
#include "teacher.h"
#include "window.h"

#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE 44100
#define WINDOW (3 * RATE)
#define INPUTS 100 /* |X_t| */
#define HIDDEN 100
#define FRAMES (WINDOW / INPUTS) /* 1323 */
#define RUNS 101
#define STREAM_SECONDS 20
#define STREAM_RUNS 3

#define CLASSES CLASSES_IRMAS

/* xorshift64*: the same weights on every run, so runs compare. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static float uniform(float lo, float hi)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t bits = (rng_state * 0x2545f4914f6cdd1du) >> 40; /* 24 bits */
    return lo + (hi - lo) * (float)bits / (float)(1 << 24);
}

static void fill(float *x, long n, float scale)
{
    for (long i = 0; i < n; i++) x[i] = uniform(-scale, scale);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    return v[n / 2];
}

/* bytes of zeros, 64-byte aligned as the runners' buffers are (gemm.h's
 * packed panels are one 64-byte line wide); exits if there are none. */
static void *alloc_or_die(size_t bytes)
{
    size_t whole = (bytes + 63) / 64 * 64; /* aligned_alloc's rule */
    void *p = aligned_alloc(64, whole ? whole : 64);
    if (!p) {
        fprintf(stderr, "bench_layers: out of memory\n");
        exit(1);
    }
    return memset(p, 0, whole);
}

/* The study's classifier around one recurrent layer: raw frames of 100
 * samples, a 3-second window, the layer, a softmax over the 11 IRMAS
 * classes; random weights in +-1/sqrt(H), as PyTorch initialises them. */
static irmas_model *bench_model(layer_kind kind)
{
    char err[256];
    irmas_model *m = irmas_model_new();
    if (!m) return NULL;
    m->sample_rate = RATE;
    m->window_samples = WINDOW;
    m->frontend = (frontend_params){.kind = FRONTEND_RAW, .frame = INPUTS};
    m->classes = CLASSES;
    for (int c = 0; c < CLASSES; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "%s", classes_code(c));
    m->n_layers = 2;
    layer *cell = &m->layers[0], *head = &m->layers[1];
    cell->kind = kind;
    if (kind == LAYER_LSTM)
        cell->u.lstm = (lstm_layer){.inputs = INPUTS, .hidden = HIDDEN};
    else
        cell->u.gru = (gru_layer){.inputs = INPUTS, .hidden = HIDDEN,
                                  .reset_after = 1};
    head->kind = LAYER_DENSE;
    head->u.dense = (dense_layer){.inputs = HIDDEN, .outputs = CLASSES,
                                  .act = ACT_SOFTMAX};
    if (model_alloc_weights(m, 0, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "bench_layers: %s\n", err);
        irmas_model_free(m);
        return NULL;
    }
    fill(m->arena, m->arena_floats, 0.1f);
    if (model_validate(m, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "bench_layers: %s\n", err);
        irmas_model_free(m);
        return NULL;
    }
    return m;
}

/* Saves m as dir/KIND.irm (KIND its first layer's), for layers_torch.py to
 * run through libirmas's public interface. */
static int save_model(const char *dir, const irmas_model *m)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s.irm", dir,
             layer_kind_name(m->layers[0].kind));
    if (irmas_model_save(m, path, err, sizeof err) == IRMAS_OK) return 0;
    fprintf(stderr, "bench_layers: %s\n", err);
    return -1;
}

/* Writes x[0..n) to dir/name as little-endian float32, whatever the host. */
static int write_floats(const char *dir, const char *name, const float *x,
                        long n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    for (long i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        unsigned char b[4] = {bits & 0xff, (bits >> 8) & 0xff,
                              (bits >> 16) & 0xff, bits >> 24};
        fwrite(b, 1, sizeof b, f);
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

/* dir/KIND.TENSOR.f32 for every tensor of the layer, and its final h. */
static int dump_layer(const char *dir, layer *l, const float *final_h)
{
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(l, t);
    char name[64];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s.%s.f32", layer_kind_name(l->kind),
                 t[i].name);
        if (write_floats(dir, name, *t[i].data, t[i].count) != 0) return -1;
    }
    snprintf(name, sizeof name, "%s.h.f32", layer_kind_name(l->kind));
    return write_floats(dir, name, final_h, HIDDEN);
}

typedef struct {
    float *packed, *xproj, *state, *work;
} cell_buffers;

/* One whole-window forward of l over x from a zero state; adds the time
 * of the projection and of the steps, in seconds, to the two outputs. */
static void forward(const layer *l, const float *x, cell_buffers *b,
                    double *project, double *steps)
{
    int proj = recurrent_proj_size(l);
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    recurrent_project(l, b->packed, x, FRAMES, b->xproj);
    double t1 = clock_seconds(CLOCK_MONOTONIC);
    memset(b->state, 0, (size_t)recurrent_state_size(l) * sizeof *b->state);
    for (int t = 0; t < FRAMES; t++)
        recurrent_step(l, b->packed, b->xproj + (long)t * proj, 0, b->state,
                       1, b->work);
    double t2 = clock_seconds(CLOCK_MONOTONIC);
    *project = t1 - t0;
    *steps = t2 - t1;
}

static int bench_cell(layer *l, const float *x, const char *dir)
{
    cell_buffers b = {
        alloc_or_die((size_t)recurrent_packed_floats(l) * sizeof(float)),
        alloc_or_die((size_t)FRAMES * recurrent_proj_size(l) * sizeof(float)),
        alloc_or_die((size_t)recurrent_state_size(l) * sizeof(float)),
        alloc_or_die((size_t)recurrent_work_size(l) * sizeof(float)),
    };
    recurrent_pack(l, b.packed);
    /* Every instruction set the CPU runs, the one in use last, so that the
     * figure layers_torch.py compares and the final h it checks are its. */
    isa_level in_use = isa_current_level();
    double window_ms = 0.0;
    for (int level = 0; level <= ISA_LEVELS; level++) {
        isa_level isa = level == ISA_LEVELS ? in_use : (isa_level)level;
        if ((level < ISA_LEVELS && isa == in_use) || isa_select(isa) != 0)
            continue;
        double total[RUNS], project[RUNS], steps[RUNS];
        for (int r = 0; r < RUNS; r++) {
            forward(l, x, &b, &project[r], &steps[r]);
            total[r] = project[r] + steps[r];
        }
        window_ms = 1e3 * median(total, RUNS);
        printf("%-5s forward of a 3 s window (|X_t| = %d, H = %d, %d steps, "
               "batch 1, 1 thread, %s%s): %.2f ms (projection %.2f ms, steps "
               "%.2f ms; median of %d)\n",
               layer_kind_name(l->kind), INPUTS, HIDDEN, FRAMES,
               isa_name(isa), isa == in_use ? ", in use" : "", window_ms,
               1e3 * median(project, RUNS), 1e3 * median(steps, RUNS), RUNS);
    }
    int status = 0;
    if (dir) {
        float ms = (float)window_ms;
        char name[64];
        snprintf(name, sizeof name, "%s.ms.f32", layer_kind_name(l->kind));
        status = write_floats(dir, name, &ms, 1) |
                 dump_layer(dir, l, b.state);
    }
    free(b.packed), free(b.xproj), free(b.state), free(b.work);
    return status;
}

/* Microseconds per call of product(rows), median of RUNS batches of calls
 * adding up to about a window's worth of work. w is the [4H][H] matrix,
 * or for with_packed its packed copy. */
typedef void (*product_fn)(int rows, const float *a, const float *w, float *c);

static double product_us(product_fn product, int rows, const float *a,
                         const float *w, float *c)
{
    int calls = FRAMES / rows > 0 ? FRAMES / rows : 1;
    double us[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = clock_seconds(CLOCK_MONOTONIC);
        for (int i = 0; i < calls; i++) product(rows, a, w, c);
        us[r] = 1e6 * (clock_seconds(CLOCK_MONOTONIC) - t0) / calls;
    }
    return median(us, RUNS);
}

static void with_gemm_nt(int rows, const float *a, const float *w, float *c)
{
    gemm_nt(rows, 4 * HIDDEN, HIDDEN, a, HIDDEN, w, HIDDEN, 0.0f, c,
            4 * HIDDEN);
}

static void with_packed(int rows, const float *a, const float *packed,
                        float *c)
{
    gemm_nt_packed(rows, 4 * HIDDEN, HIDDEN, a, HIDDEN, packed, NULL, c,
                   4 * HIDDEN);
}

static void with_sgemm(int rows, const float *a, const float *w, float *c)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, 4 * HIDDEN,
                HIDDEN, 1.0f, a, HIDDEN, w, HIDDEN, 0.0f, c, 4 * HIDDEN);
}

static void with_sgemv(int rows, const float *a, const float *w, float *c)
{
    for (int r = 0; r < rows; r++)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, 4 * HIDDEN, HIDDEN, 1.0f, w,
                    HIDDEN, a + (long)r * HIDDEN, 1, 0.0f,
                    c + (long)r * 4 * HIDDEN, 1);
}

/* Times the three products, and returns OpenBLAS sgemm's rate for the
 * window's projection shape in GFLOP/s. */
static double bench_products(void)
{
    float *a = alloc_or_die((size_t)FRAMES * HIDDEN * sizeof *a);
    float *w = alloc_or_die((size_t)4 * HIDDEN * HIDDEN * sizeof *w);
    float *c = alloc_or_die((size_t)FRAMES * 4 * HIDDEN * sizeof *c);
    float *packed = alloc_or_die(
        (size_t)gemm_packed_floats(4 * HIDDEN, HIDDEN) * sizeof *packed);
    fill(a, (long)FRAMES * HIDDEN, 1.0f);
    fill(w, 4L * HIDDEN * HIDDEN, 0.1f);
    gemm_pack(4 * HIDDEN, HIDDEN, w, HIDDEN, packed);
    const int rows[] = {1, 6, FRAMES};
    double sgemm_us = 0.0;
    for (int i = 0; i < 3; i++) {
        sgemm_us = product_us(with_sgemm, rows[i], a, w, c);
        printf("[%d x %d] x [%d x %d]^T: gemm_nt %.2f us, packed %.2f us, "
               "OpenBLAS sgemm %.2f us, sgemv per row %.2f us\n", rows[i],
               HIDDEN, 4 * HIDDEN, HIDDEN,
               product_us(with_gemm_nt, rows[i], a, w, c),
               product_us(with_packed, rows[i], a, packed, c), sgemm_us,
               product_us(with_sgemv, rows[i], a, w, c));
    }
    free(a), free(w), free(c), free(packed);
    double gflops = 2.0 * FRAMES * HIDDEN * 4 * HIDDEN / (1e3 * sgemm_us);
    printf("OpenBLAS sgemm on the projection's shape: %.1f GFLOP/s\n",
           gflops);
    return gflops;
}

static void ignore_window(void *user, const float *probs, long long end)
{
    (void)user, (void)probs, (void)end;
}

/* CPU seconds the stream spends per second of noise pushed in 1024-sample
 * chunks, as an audio callback would deliver it; name heads the line. */
static int bench_stream(const irmas_model *m, const char *name)
{
    char err[256];
    irmas_stream *s;
    if (irmas_stream_new(m, 0, &s, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "bench_layers: %s\n", err);
        return -1;
    }
    long n = (long)STREAM_SECONDS * RATE;
    float *audio = alloc_or_die((size_t)n * sizeof *audio);
    fill(audio, n, 0.5f);
    double cost[STREAM_RUNS];
    for (int r = 0; r < STREAM_RUNS; r++) {
        irmas_stream_reset(s);
        double t0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < n; i += 1024)
            irmas_stream_push(s, audio + i, n - i < 1024 ? n - i : 1024,
                        ignore_window, NULL);
        cost[r] = (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - t0) / STREAM_SECONDS;
    }
    printf("%-5s streaming classifier (%s, hop %.2f s): %.4f CPU s per s of "
           "audio (median of %d runs of %d s)\n", name,
           irmas_stream_is_incremental(s) ? "incremental" : "whole-window",
           (double)irmas_stream_hop(s) / RATE, median(cost, STREAM_RUNS),
           STREAM_RUNS, STREAM_SECONDS);
    free(audio);
    irmas_stream_free(s);
    return 0;
}

/* dir/cnn.layers.txt, a line a layer of image model m (layer_describe),
 * and each layer's tensors as dir/cnn.LAYER.TENSOR.f32 (layer counted
 * from 0). */
static int dump_cnn(const char *dir, const irmas_model *m)
{
    char path[4096], line[128], name[64];
    snprintf(path, sizeof path, "%s/cnn.layers.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    int status = 0;
    for (int i = 0; i < m->n_layers && status == 0; i++) {
        layer *l = (layer *)&m->layers[i];
        layer_describe(l, line, sizeof line);
        fprintf(f, "%s\n", line);
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(l, t);
        for (int k = 0; k < n && status == 0; k++) {
            snprintf(name, sizeof name, "cnn.%d.%s.f32", i, t[k].name);
            status = write_floats(dir, name, *t[k].data, t[k].count);
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return status;
}

/* The whole window of image model m (a CNN: image branch and head only)
 * on a 3-second window of noise, batch 1 on one thread: the median wall
 * time of the image and of the network over RUNS runs. With a folder,
 * writes what layers_torch.py needs to run the same network. */
static int bench_cnn(const irmas_model *m, const char *dir)
{
    char err[1024];
    if (!model_reads_image(m) || model_reads_frames(m)) {
        fprintf(stderr, "bench_layers: the model reads %s; only CNNs on an "
                        "image are timed\n",
                model_reads_image(m) ? "frames too" : "no image");
        return -1;
    }
    reader *r;
    irmas_window *w;
    if (reader_new(m, &r, err, sizeof err) != IRMAS_OK ||
        irmas_window_new(m, &w, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "bench_layers: %s\n", err);
        return -1;
    }
    long window = m->window_samples, pixels = image_floats(&m->image);
    float *audio = alloc_or_die((size_t)window * sizeof *audio);
    float *image = alloc_or_die((size_t)pixels * sizeof *image);
    float probs[MODEL_MAX_CLASSES];
    fill(audio, window, 0.5f);
    double build[RUNS], network[RUNS], whole[RUNS];
    for (int run = 0; run < RUNS; run++) {
        double t0 = clock_seconds(CLOCK_MONOTONIC);
        reader_read(r, audio, window, IMAGE_ANYWHERE, NULL, image);
        double t1 = clock_seconds(CLOCK_MONOTONIC);
        irmas_window_classify_prepared(w, image, NULL, probs);
        double t2 = clock_seconds(CLOCK_MONOTONIC);
        build[run] = t1 - t0;
        network[run] = t2 - t1;
        whole[run] = t2 - t0;
    }
    float network_ms = (float)(1e3 * median(network, RUNS));
    printf("cnn   forward of a %.0f s window (%ld-pixel %s image, %d layers, "
           "batch 1, 1 thread, %s): %.2f ms (image %.2f ms, network %.2f ms; "
           "median of %d)\n",
           (double)window / m->sample_rate, pixels,
           image_kind_name(m->image.kind), m->n_layers,
           isa_name(isa_current_level()), 1e3 * median(whole, RUNS),
           1e3 * median(build, RUNS), (double)network_ms, RUNS);
    int status = 0;
    if (dir) {
        float shape[3] = {(float)m->image.channels, (float)m->image.size,
                          (float)m->image.size};
        status = write_floats(dir, "cnn.shape.f32", shape, 3) |
                 write_floats(dir, "cnn.image.f32", image, pixels) |
                 write_floats(dir, "cnn.probs.f32", probs, m->classes) |
                 write_floats(dir, "cnn.ms.f32", &network_ms, 1) |
                 dump_cnn(dir, m);
    }
    free(audio);
    free(image);
    irmas_window_free(w);
    reader_free(r);
    return status;
}

#define TEACHER_WINDOW (3 * TEACHER_SAMPLE_RATE)
#define TEACHER_RUNS 21

/* The teacher's front-end and whole forward pass on a 3 s window of noise:
 * median wall time of TEACHER_RUNS runs each; with a folder (else NULL),
 * what teacher_torch.py needs. */
static int bench_teacher(const char *dir, const char *folder)
{
    char err[1024];
    teacher_weights *w;
    teacher *t;
    teacher_frontend *f;
    if (teacher_weights_load(dir, &w, err, sizeof err) ||
        teacher_new(w, TEACHER_WINDOW, &t, err, sizeof err) ||
        teacher_frontend_new(&f, err, sizeof err)) {
        fprintf(stderr, "bench_layers: %s\n", err);
        return 1;
    }
    float *audio = alloc_or_die(TEACHER_WINDOW * sizeof *audio);
    float *logmel = alloc_or_die(
        (size_t)TEACHER_MELS * teacher_frontend_frames(TEACHER_WINDOW) *
        sizeof *logmel);
    float probs[TEACHER_LABELS];
    fill(audio, TEACHER_WINDOW, 0.5f);
    double front[TEACHER_RUNS], whole[TEACHER_RUNS];
    for (int r = 0; r < TEACHER_RUNS; r++) {
        double t0 = clock_seconds(CLOCK_MONOTONIC);
        teacher_frontend_compute(f, audio, TEACHER_WINDOW, logmel);
        double t1 = clock_seconds(CLOCK_MONOTONIC);
        teacher_run(t, audio, TEACHER_WINDOW, NULL, NULL, probs);
        double t2 = clock_seconds(CLOCK_MONOTONIC);
        front[r] = t1 - t0;
        whole[r] = t2 - t1;
    }
    double window = median(whole, TEACHER_RUNS);
    float network_ms = (float)(1e3 * (window - median(front, TEACHER_RUNS)));
    printf("teacher (EfficientAT mn04_as) on a 3 s window at 32 kHz, batch 1, "
           "1 thread: %.2f ms (front-end %.2f ms, network %.2f ms; median of "
           "%d)\n", 1e3 * window, 1e3 * median(front, TEACHER_RUNS),
           network_ms, TEACHER_RUNS);
    printf("teacher: %.4f s per s of audio for one window; %.4f s per s of "
           "audio streamed at a 1.5 s hop (every hop recomputes its 3 s "
           "window)\n", window / 3.0, window / 1.5);
    int status = 0;
    if (folder)
        status = write_floats(folder, "teacher.logmel.f32", logmel,
                              (long)TEACHER_MELS *
                                  teacher_frontend_frames(TEACHER_WINDOW)) |
                 write_floats(folder, "teacher.probs.f32", probs,
                              TEACHER_LABELS) |
                 write_floats(folder, "teacher.ms.f32", &network_ms, 1);
    free(audio);
    free(logmel);
    teacher_frontend_free(f);
    teacher_free(t);
    teacher_weights_free(w);
    return status ? 1 : 0;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--teacher")) {
        gemm_set_threads(1);
        return bench_teacher(argv[2], argc == 4 ? argv[3] : NULL);
    }
    if (argc > 3 || (argc >= 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: bench_layers [FOLDER [CNN_MODEL]]: FOLDER "
                        "for layers_torch.py\n"
                        "       bench_layers --teacher DIR [FOLDER]: FOLDER "
                        "for teacher_torch.py\n");
        return 2;
    }
    const char *dir = argc >= 2 ? argv[1] : NULL;
    irmas_model *cnn = NULL;
    if (argc == 3) {
        char err[1024];
        if (irmas_model_load(argv[2], &cnn, err, sizeof err) != IRMAS_OK) {
            fprintf(stderr, "bench_layers: %s\n", err);
            return 1;
        }
    }
    gemm_set_threads(1);
    printf("instruction set: %s (IRMAS_ISA picks another: portable, "
           "avx2, avx512)\n", isa_name(isa_current_level()));
    float sgemm_gflops = (float)bench_products();

    float *x = alloc_or_die((size_t)FRAMES * INPUTS * sizeof *x);
    fill(x, (long)FRAMES * INPUTS, 1.0f);
    int status = 0;
    if (dir) {
        float shape[3] = {FRAMES, INPUTS, HIDDEN};
        status |= write_floats(dir, "shape.f32", shape, 3);
        status |= write_floats(dir, "input.f32", x, (long)FRAMES * INPUTS);
        status |= write_floats(dir, "sgemm-gflops.f32", &sgemm_gflops, 1);
    }
    const layer_kind kinds[] = {LAYER_LSTM, LAYER_GRU};
    for (int k = 0; k < 2 && status == 0; k++) {
        irmas_model *m = bench_model(kinds[k]);
        if (!m) return 1;
        status |= bench_cell(&m->layers[0], x, dir);
        status |= bench_stream(m, layer_kind_name(kinds[k]));
        if (dir) status |= save_model(dir, m);
        irmas_model_free(m);
    }
    if (cnn && status == 0)
        status = bench_cnn(cnn, dir) | bench_stream(cnn, "cnn");
    irmas_model_free(cnn);
    free(x);
    return status ? 1 : 0;
}
