/* test_model_file.c: the .irm model file (model_file.h, models/FORMAT.md).
 *
 * Every kind of model survives a round trip bit for bit, and classifies
 * the same afterwards. The reader refuses truncated, damaged and hostile
 * buffers with a message that names the file and field, and never crashes
 * on them (the ASan build runs this suite too): a small model is cut at
 * every byte, has bytes flipped everywhere (with the checksum left alone,
 * and recomputed so the structural checks see the damage), and has fields
 * set to absurd values. The writer never leaves a temporary file behind.
 */
#include "model_file.h"
#include "testmodel.h"
#include "testutil.h"
#include "window.h"

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NAME "test.irm"

/* ---- Models and buffers ---- */

static tm_spec small_spec(layer_kind kind)
{
    tm_spec spec = tm_raw_spec(kind, 20, 6);
    spec.dense_units = 7;
    spec.classes = 3;
    return spec;
}

static tm_spec logmel_spec(layer_kind kind)
{
    tm_spec spec = small_spec(kind);
    spec.frontend = (frontend_params){.kind = FRONTEND_LOGMEL, .frame = 128,
                                      .fft_size = 256, .mels = 16,
                                      .fmin = 50.0f, .fmax = 4000.0f};
    return spec;
}

static uint8_t *serialise(const irmas_model *m, size_t *size)
{
    void *data = NULL;
    char err[512] = "";
    ck_assert_msg(irmas_model_serialise(m, &data, size, err, sizeof err) ==
                      IRMAS_OK, "%s", err);
    return data;
}

/* The model every damage test starts from: an LSTM(6) over |X_t| = 20, a
 * 7-unit ReLU layer, 3 classes, feature normalisation: about 3 KB. */
static uint8_t *fixture(size_t *size)
{
    tm_spec spec = small_spec(LAYER_LSTM);
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    ck_assert(model_set_provenance(m, "test fixture") == IRMAS_OK);
    uint8_t *data = serialise(m, size);
    irmas_model_free(m);
    return data;
}

/* A small CRNN (testmodel.h): a format-2 file with an lstm record. */
static uint8_t *crnn_fixture(size_t *size)
{
    tm_image_spec spec = {.image = IMAGE_MRP, .crnn = 1, .seed = 5};
    irmas_model *m = tm_image_model(&spec);
    uint8_t *data = serialise(m, size);
    irmas_model_free(m);
    return data;
}

static void store32(uint8_t *at, uint32_t v)
{
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(v >> 8 * i);
}

static void store64(uint8_t *at, uint64_t v)
{
    for (int i = 0; i < 8; i++) at[i] = (uint8_t)(v >> 8 * i);
}

/* Recomputes the CRC, so the reader's structural checks see a change. */
static void reseal(uint8_t *data, size_t size)
{
    store32(data + size - 4, (uint32_t)crc32_z(0, data, size - 4));
}

/* The offset of the first occurrence of pattern[0..n) at or after from. */
static size_t find(const uint8_t *data, size_t size, const void *pattern,
                   size_t n, size_t from)
{
    for (size_t at = from; at + n <= size; at++)
        if (memcmp(data + at, pattern, n) == 0) return at;
    ck_abort_msg("pattern not found");
    return 0;
}

/* Where a layer record starts: kind (4 bytes), then its name as a string:
 * length with the NUL (4 bytes) and the bytes. Offsets after it, for an
 * "lstm" record (name length 5): parameter count, inputs, hidden, tensor
 * count, then the first tensor entry: name length, "w_x\0", count (8
 * bytes), offset (8 bytes). */
enum {
    LSTM_PARAMS = 13,
    LSTM_INPUTS = 17,
    LSTM_HIDDEN = 21,
    LSTM_TENSORS = 25,
    LSTM_W_X_NAME = 33,
    LSTM_W_X_COUNT = 37,
    LSTM_W_X_OFFSET = 45,
    LSTM_W_H_COUNT = 61, /* after "w_h\0" */
    LSTM_BIAS_COUNT = 86 /* after "bias\0" */
};

static size_t lstm_record(const uint8_t *data, size_t size)
{
    static const uint8_t kind[] = {3, 0, 0, 0, 5, 0, 0, 0,
                                   'l', 's', 't', 'm', 0};
    return find(data, size, kind, sizeof kind, 0);
}

/* Parses data and wants it refused with status, the message naming the
 * buffer and holding every one of needles (up to a NULL). */
static void expect_refused(const uint8_t *data, size_t size,
                           irmas_status status, const char *needle, ...)
{
    char err[512] = "";
    irmas_model *m = NULL;
    irmas_status got = irmas_model_parse(data, size, NAME, &m, err, sizeof err);
    ck_assert_msg(got == status, "status %d, wanted %d: %s", got, status, err);
    ck_assert_ptr_null(m);
    ck_assert_msg(strncmp(err, NAME, strlen(NAME)) == 0, "%s", err);
    va_list args;
    va_start(args, needle);
    for (const char *s = needle; s; s = va_arg(args, const char *))
        ck_assert_msg(strstr(err, s), "'%s' not in: %s", s, err);
    va_end(args);
}

/* ---- Round trips ---- */

static void assert_same_tensors(irmas_model *a, irmas_model *b)
{
    for (int i = 0; i < a->n_layers; i++) {
        layer_tensor ta[LAYER_MAX_TENSORS], tb[LAYER_MAX_TENSORS];
        int n = layer_tensors(&a->layers[i], ta);
        ck_assert_int_eq(layer_tensors(&b->layers[i], tb), n);
        for (int j = 0; j < n; j++) {
            ck_assert_str_eq(ta[j].name, tb[j].name);
            ck_assert_int_eq(ta[j].count, tb[j].count);
            ck_assert(memcmp(*ta[j].data, *tb[j].data,
                             sizeof(float) * (size_t)ta[j].count) == 0);
        }
    }
    int features = model_features(a);
    ck_assert_int_eq(a->feature_mean != NULL, b->feature_mean != NULL);
    if (a->feature_mean) {
        ck_assert(memcmp(a->feature_mean, b->feature_mean,
                         sizeof(float) * (size_t)features) == 0);
        ck_assert(memcmp(a->feature_scale, b->feature_scale,
                         sizeof(float) * (size_t)features) == 0);
    }
}

static void assert_same_model(irmas_model *a, irmas_model *b)
{
    ck_assert_int_eq(a->sample_rate, b->sample_rate);
    ck_assert_int_eq(a->window_samples, b->window_samples);
    ck_assert_int_eq(a->frontend.kind, b->frontend.kind);
    ck_assert_int_eq(a->frontend.frame, b->frontend.frame);
    if (a->frontend.kind == FRONTEND_LOGMEL) {
        ck_assert_int_eq(a->frontend.fft_size, b->frontend.fft_size);
        ck_assert_int_eq(a->frontend.mels, b->frontend.mels);
        ck_assert(memcmp(&a->frontend.fmin, &b->frontend.fmin, 4) == 0);
        ck_assert(memcmp(&a->frontend.fmax, &b->frontend.fmax, 4) == 0);
    }
    ck_assert_uint_eq(a->frontend.checksum, b->frontend.checksum);
    ck_assert_int_eq(a->norm, b->norm);
    ck_assert_int_eq(a->classes, b->classes);
    for (int c = 0; c < a->classes; c++)
        ck_assert_str_eq(a->labels[c], b->labels[c]);
    ck_assert_str_eq(a->provenance ? a->provenance : "", b->provenance);
    ck_assert_int_eq(a->n_layers, b->n_layers);
    for (int i = 0; i < a->n_layers; i++) {
        const layer *la = &a->layers[i], *lb = &b->layers[i];
        ck_assert_int_eq(la->kind, lb->kind);
        ck_assert_int_eq(layer_inputs(la), layer_inputs(lb));
        ck_assert_int_eq(layer_outputs(la), layer_outputs(lb));
        if (la->kind == LAYER_DENSE)
            ck_assert_int_eq(la->u.dense.act, lb->u.dense.act);
        if (la->kind == LAYER_GRU)
            ck_assert_int_eq(la->u.gru.reset_after, lb->u.gru.reset_after);
    }
    assert_same_tensors(a, b);
}

/* Both models give bit-identical probabilities for the same window. */
static void assert_same_output(const irmas_model *a, const irmas_model *b)
{
    char err[256] = "";
    irmas_window *wa, *wb;
    ck_assert_msg(irmas_window_new(a, &wa, err, sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_msg(irmas_window_new(b, &wb, err, sizeof err) == IRMAS_OK, "%s", err);
    float *samples = malloc(sizeof(float) * (size_t)a->window_samples);
    tu_rng rng;
    tu_seed(&rng, 7);
    tu_fill(&rng, samples, a->window_samples, -0.5f, 0.5f);
    float pa[MODEL_MAX_CLASSES], pb[MODEL_MAX_CLASSES];
    irmas_window_classify(wa, samples, pa);
    irmas_window_classify(wb, samples, pb);
    ck_assert(tm_is_distribution(pa, a->classes, 1e-4f));
    ck_assert(memcmp(pa, pb, sizeof(float) * (size_t)a->classes) == 0);
    free(samples);
    irmas_window_free(wa);
    irmas_window_free(wb);
}

/* The fields assert_same_model does not know: the image and the shapes of
 * the image and stats layers. */
static void assert_same_image_model(irmas_model *a, irmas_model *b)
{
    assert_same_model(a, b);
    ck_assert(memcmp(&a->image, &b->image, sizeof a->image) == 0);
    for (int i = 0; i < a->n_layers; i++) {
        layer sa = a->layers[i], sb = b->layers[i];
        if (sa.kind == LAYER_CONV2D) {
            sa.u.conv2d.weights = sb.u.conv2d.weights = NULL;
            sa.u.conv2d.bias = sb.u.conv2d.bias = NULL;
        }
        if (!layer_reads_image(&sa) && sa.kind != LAYER_STATS) continue;
        ck_assert_msg(memcmp(&sa.u, &sb.u, sizeof sa.u) == 0, "layer %d", i);
    }
}

/* Writes m, wants format `version`, and wants the file to read back as the
 * same model, giving the same probabilities (when it runs without
 * third-party weights), and written again to give the
 * same bytes. */
static void check_round_trip(irmas_model *m, int version)
{
    size_t size;
    uint8_t *data = serialise(m, &size);
    ck_assert_int_eq(data[8], version);
    irmas_model *back = NULL;
    char err[512] = "";
    ck_assert_msg(irmas_model_parse(data, size, NAME, &back, err, sizeof err) ==
                      IRMAS_OK, "%s: %s", m->provenance, err);
    assert_same_image_model(m, back);
    /* a pretrained front-end runs only with its weights (test_pretrained) */
    if (!frontend_is_pretrained(&m->frontend)) assert_same_output(m, back);

    size_t again_size;
    uint8_t *again = serialise(back, &again_size);
    ck_assert_int_eq(again_size, size);
    ck_assert(memcmp(again, data, size) == 0);
    free(again);
    free(data);
    irmas_model_free(back);
}

static const struct {
    const char *name;
    layer_kind kinds[2];
    int recurrent, reset_after, logmel, dense, with_norm;
    norm_kind norm;
} round_trips[] = {
    {"rnn raw", {LAYER_RNN}, 1, 1, 0, 7, 0, NORM_NONE},
    {"rnn logmel norm", {LAYER_RNN}, 1, 1, 1, 0, 1, NORM_PEAK},
    {"lstm raw norm", {LAYER_LSTM}, 1, 1, 0, 7, 1, NORM_NONE},
    {"lstm logmel", {LAYER_LSTM}, 1, 1, 1, 0, 0, NORM_PEAK},
    {"gru raw", {LAYER_GRU}, 1, 1, 0, 0, 0, NORM_NONE},
    {"gru original logmel norm", {LAYER_GRU}, 1, 0, 1, 7, 1, NORM_NONE},
    {"gru original raw", {LAYER_GRU}, 1, 0, 0, 7, 0, NORM_PEAK},
    {"blstm raw norm", {LAYER_BLSTM}, 1, 1, 0, 7, 1, NORM_NONE},
    {"blstm logmel", {LAYER_BLSTM}, 1, 1, 1, 0, 0, NORM_NONE},
    {"lstm then gru", {LAYER_LSTM, LAYER_GRU}, 2, 1, 1, 7, 1, NORM_NONE},
};

START_TEST(round_trip_every_kind)
{
    tm_spec spec = round_trips[_i].logmel
                       ? logmel_spec(round_trips[_i].kinds[0])
                       : small_spec(round_trips[_i].kinds[0]);
    spec.recurrent = round_trips[_i].recurrent;
    spec.kinds[1] = round_trips[_i].kinds[1];
    spec.hidden[1] = 5;
    spec.gru_reset_after = round_trips[_i].reset_after;
    spec.dense_units = round_trips[_i].dense;
    spec.with_norm = round_trips[_i].with_norm;
    spec.norm = round_trips[_i].norm;
    irmas_model *m = tm_model(&spec);
    ck_assert(model_set_provenance(m, round_trips[_i].name) == IRMAS_OK);
    /* A recurrent model is written as format 1, for older readers. */
    check_round_trip(m, 1);
    irmas_model_free(m);
}
END_TEST

static const struct {
    const char *name;
    image_kind image; /* 0: a stats model */
    int crnn, dense, with_norm;
    norm_kind norm;
} image_round_trips[] = {
    {"cnn stack", IMAGE_STACK, 0, 0, 0, NORM_NONE},
    {"cnn mrp peak", IMAGE_MRP, 0, 0, 0, NORM_PEAK},
    {"crnn mrp", IMAGE_MRP, 1, 0, 0, NORM_NONE},
    {"crnn stack peak", IMAGE_STACK, 1, 0, 0, NORM_PEAK},
    {"stats dense norm", 0, 0, 12, 1, NORM_NONE},
    {"stats", 0, 0, 0, 0, NORM_NONE},
};

START_TEST(round_trip_image_and_stats_models)
{
    irmas_model *m;
    if (image_round_trips[_i].image) {
        tm_image_spec spec = {.image = image_round_trips[_i].image,
                              .crnn = image_round_trips[_i].crnn,
                              .norm = image_round_trips[_i].norm,
                              .seed = 11};
        m = tm_image_model(&spec);
    } else {
        m = tm_stats_model(image_round_trips[_i].dense,
                           image_round_trips[_i].with_norm, 11);
    }
    ck_assert(model_set_provenance(m, image_round_trips[_i].name) ==
              IRMAS_OK);
    check_round_trip(m, 2);
    irmas_model_free(m);
}
END_TEST

/* A file lists the entries of a folder other than . and .., one a line. */
static void list_folder(const char *folder, char *out, size_t size)
{
    DIR *d = opendir(folder);
    ck_assert_ptr_nonnull(d);
    out[0] = '\0';
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(out + strlen(out), size - strlen(out), "%s\n",
                     e->d_name);
    closedir(d);
}

/* A model reading the pretrained front-end holds its checksum, not its
 * weights, and is format 3; it reads back the same (running it needs the
 * weights: test_pretrained). */
START_TEST(round_trip_pretrained_frontend)
{
    tm_spec spec = small_spec(LAYER_GRU);
    spec.sample_rate = FRONTEND_MN04_RATE;
    spec.window_samples = FRONTEND_MN04_RATE;
    spec.frontend = (frontend_params){.kind = FRONTEND_EFFICIENTAT_MN04,
                                      .checksum = 0xdeadbeefu};
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    ck_assert_int_eq(model_frames(m), 4);
    ck_assert_int_eq(model_features(m), 384);
    size_t size;
    uint8_t *data = serialise(m, &size);
    find(data, size, "efficientat-mn04", 16, 0); /* its name is there */
    free(data);
    check_round_trip(m, 3);
    irmas_model_free(m);
}
END_TEST

START_TEST(save_and_load_a_file)
{
    tm_spec spec = logmel_spec(LAYER_GRU);
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    const char *folder = tu_tmpdir("model_file_save");
    char path[512], listing[512], err[512] = "";
    snprintf(path, sizeof path, "%s/m.irm", folder);

    /* Saving twice replaces the file; nothing else is left behind. */
    ck_assert_msg(irmas_model_save(m, path, err, sizeof err) == IRMAS_OK, "%s", err);
    m->layers[0].u.gru.w_x[0] += 1.0f;
    ck_assert_msg(irmas_model_save(m, path, err, sizeof err) == IRMAS_OK, "%s", err);
    list_folder(folder, listing, sizeof listing);
    ck_assert_str_eq(listing, "m.irm\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);

    irmas_model *back = NULL;
    ck_assert_msg(irmas_model_load(path, &back, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    assert_same_model(m, back);
    assert_same_output(m, back);

    /* The file holds exactly what irmas_model_serialise gives. */
    size_t size;
    uint8_t *data = serialise(m, &size);
    ck_assert_int_eq(st.st_size, size);
    FILE *f = fopen(path, "rb");
    uint8_t *file = malloc(size);
    ck_assert_int_eq(fread(file, 1, size, f), size);
    fclose(f);
    ck_assert(memcmp(file, data, size) == 0);
    free(file);
    free(data);
    irmas_model_free(back);
    irmas_model_free(m);
}
END_TEST

/* ---- Truncation and flipped bytes ---- */

/* The damage tests run on a format-1 file and on a format-2 one. */
static uint8_t *(*const damaged_fixtures[])(size_t *) = {fixture,
                                                         crnn_fixture};
#define DAMAGED_FIXTURES 2

START_TEST(truncated_at_every_byte)
{
    size_t size;
    uint8_t *data = damaged_fixtures[_i](&size);
    ck_assert(size < 8192);
    for (size_t length = 0; length < size; length++) {
        /* A buffer of exactly length bytes, so ASan sees any overread. */
        uint8_t *cut = malloc(length ? length : 1);
        memcpy(cut, data, length);
        expect_refused(cut, length, IRMAS_ERR_FORMAT,
                       length ? "truncated" : "empty", NULL);
        free(cut);
    }
    free(data);
}
END_TEST

START_TEST(every_flipped_byte_is_refused)
{
    static const uint8_t masks[] = {0x01, 0x80, 0xff};
    size_t size;
    uint8_t *data = damaged_fixtures[_i](&size);
    for (size_t at = 0; at < size; at++)
        for (size_t k = 0; k < sizeof masks; k++) {
            data[at] ^= masks[k];
            char err[512] = "";
            irmas_model *m = NULL;
            ck_assert_msg(irmas_model_parse(data, size, NAME, &m, err, sizeof err) !=
                              IRMAS_OK, "flip %02x at byte %zu accepted",
                          masks[k], at);
            ck_assert_ptr_null(m);
            ck_assert_msg(strncmp(err, NAME, strlen(NAME)) == 0, "%s", err);
            data[at] ^= masks[k];
        }
    free(data);
}
END_TEST

/* With the CRC recomputed each flip reaches the structural checks: it must
 * be refused with a message, or give a model that validates. */
START_TEST(flips_past_the_checksum_are_caught_or_harmless)
{
    static const uint8_t masks[] = {0x01, 0x10, 0x80, 0xff};
    size_t size;
    uint8_t *data = damaged_fixtures[_i](&size);
    int refused = 0, accepted = 0;
    for (size_t at = 20; at < size - 4; at++)
        for (size_t k = 0; k < sizeof masks; k++) {
            data[at] ^= masks[k];
            reseal(data, size);
            char err[512] = "";
            irmas_model *m = NULL;
            if (irmas_model_parse(data, size, NAME, &m, err, sizeof err) ==
                IRMAS_OK) {
                ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK,
                              "flip at %zu: %s", at, err);
                accepted++;
            } else {
                ck_assert_ptr_null(m);
                ck_assert_msg(strncmp(err, NAME, strlen(NAME)) == 0 &&
                                  strlen(err) > strlen(NAME) + 10,
                              "flip at %zu: '%s'", at, err);
                refused++;
            }
            irmas_model_free(m);
            data[at] ^= masks[k];
        }
    /* Weights take most flips; every header and table byte is refused by
     * some mask, so both outcomes occur. */
    ck_assert_int_gt(refused, 200);
    ck_assert_int_gt(accepted, 1000);
    free(data);
}
END_TEST

/* ---- Hostile values with a valid checksum ---- */

/* Sets the u32 at `at`, reseals and expects a refusal naming needle. */
static void expect_u32_refused(const uint8_t *fixture_data, size_t size,
                               size_t at, uint32_t value,
                               const char *needle, const char *needle2)
{
    uint8_t *data = malloc(size);
    memcpy(data, fixture_data, size);
    store32(data + at, value);
    reseal(data, size);
    expect_refused(data, size, IRMAS_ERR_FORMAT, needle, needle2, NULL);
    free(data);
}

START_TEST(absurd_header_values)
{
    size_t size;
    uint8_t *data = fixture(&size);
    /* The metadata's first fields sit at fixed places (FORMAT.md). */
    expect_u32_refused(data, size, 20, 0, "sample_rate is 0", "byte 20");
    expect_u32_refused(data, size, 20, 1u << 31, "sample_rate is 2147483648",
                       "damaged");
    expect_u32_refused(data, size, 24, 1u << 30, "window_samples is "
                       "1073741824", "byte 24");
    expect_u32_refused(data, size, 44, 1u << 31, "frontend.frame is "
                       "2147483648", NULL);
    expect_u32_refused(data, size, 44, 21, "tensor 'feature_mean'",
                       "holds 20 floats but the shape gives 21");
    expect_u32_refused(data, size, 48, 7, "norm is 7", NULL);
    expect_u32_refused(data, size, 52, 2, "feature_norm is 2", NULL);
    expect_u32_refused(data, size, 56, 1000000000, "classes is 1000000000",
                       NULL);
    expect_u32_refused(data, size, 60, 0, "label 0", "0 bytes long");
    expect_u32_refused(data, size, 60, 100, "label 0", "100 bytes long");
    expect_u32_refused(data, size, 60, UINT32_MAX, "label 0", "bytes long");
    /* Label "c0" without its NUL. */
    expect_u32_refused(data, size, 64, 0x00783063, "label 0", "NUL");

    size_t provenance = find(data, size, "test fixture", 12, 0) - 4;
    expect_u32_refused(data, size, provenance, UINT32_MAX, "provenance",
                       "4294967295 bytes long");
    expect_u32_refused(data, size, provenance, 60000, "provenance",
                       "runs into the checksum");
    expect_u32_refused(data, size, provenance + 17, 1000, "layer count is "
                       "1000", NULL);
    free(data);
}
END_TEST

START_TEST(absurd_layer_values)
{
    size_t size;
    uint8_t *data = fixture(&size);
    size_t lstm = lstm_record(data, size);
    expect_u32_refused(data, size, lstm, 9, "layer 0: unknown layer kind 9 "
                       "('lstm'", "damaged");
    expect_u32_refused(data, size, lstm, LAYER_GRU, "is named 'lstm' but "
                       "this irmas calls it 'gru'", NULL);
    expect_u32_refused(data, size, lstm + LSTM_PARAMS, 3, "layer 0 (lstm): "
                       "parameter count is 3", NULL);
    expect_u32_refused(data, size, lstm + LSTM_HIDDEN, 1u << 31,
                       "layer 0 (lstm): hidden is 2147483648", "byte");
    expect_u32_refused(data, size, lstm + LSTM_HIDDEN, (1u << 24) + 1,
                       "hidden is 16777217", NULL);
    expect_u32_refused(data, size, lstm + LSTM_HIDDEN, 7, "tensor 'w_x'",
                       "holds 480 floats but the shape gives 560");
    expect_u32_refused(data, size, lstm + LSTM_INPUTS, 21, "holds 480 "
                       "floats but the shape gives 504", NULL);
    expect_u32_refused(data, size, lstm + LSTM_TENSORS, 4, "tensor count "
                       "is 4", NULL);
    expect_u32_refused(data, size, lstm + LSTM_W_X_NAME, 0x00785f62,
                       "tensor 'b_x' (byte", "where 'w_x' should be");

    static const uint8_t dense[] = {1, 0, 0, 0, 6, 0, 0, 0,
                                    'd', 'e', 'n', 's', 'e', 0};
    size_t last = find(data, size, dense, sizeof dense,
                       find(data, size, dense, sizeof dense, 0) + 1);
    expect_u32_refused(data, size, last + 26, 9, "layer 2 (dense): "
                       "activation is 9", NULL);
    expect_u32_refused(data, size, last + 26, ACT_RELU, "the last layer "
                       "must be a dense softmax", NULL);
    free(data);
}
END_TEST

/* Sets the u64 at `at`, reseals and expects a refusal naming needle. */
static void expect_u64_refused(const uint8_t *fixture_data, size_t size,
                               size_t at, uint64_t value, const char *needle)
{
    uint8_t *data = malloc(size);
    memcpy(data, fixture_data, size);
    store64(data + at, value);
    reseal(data, size);
    expect_refused(data, size, IRMAS_ERR_FORMAT, needle, NULL);
    free(data);
}

START_TEST(absurd_tensor_entries)
{
    size_t size;
    uint8_t *data = fixture(&size);
    size_t lstm = lstm_record(data, size);
    expect_u64_refused(data, size, lstm + LSTM_W_X_COUNT, 1ull << 62,
                       "holds 4611686018427387904 floats");
    expect_u64_refused(data, size, lstm + LSTM_W_X_COUNT, UINT64_MAX,
                       "holds 18446744073709551615 floats");

    uint64_t first = 0;
    for (int i = 0; i < 8; i++)
        first |= (uint64_t)data[lstm + LSTM_W_X_OFFSET + i] << 8 * i;
    expect_u64_refused(data, size, lstm + LSTM_W_X_OFFSET, first + 4,
                       "starts at byte");
    expect_u64_refused(data, size, lstm + LSTM_W_X_OFFSET, UINT64_MAX,
                       "starts at byte 18446744073709551615");
    expect_u64_refused(data, size, 12, size + 8, "truncated");

    /* A huge LSTM whose table agrees with itself: the tensors cannot fit
     * the file, and nothing that large may be allocated. */
    uint8_t *huge = malloc(size);
    memcpy(huge, data, size);
    uint64_t hidden = 1u << 20;
    store32(huge + lstm + LSTM_HIDDEN, (uint32_t)hidden);
    store64(huge + lstm + LSTM_W_X_COUNT, 4 * hidden * 20);
    store64(huge + lstm + LSTM_W_H_COUNT, 4 * hidden * hidden);
    store64(huge + lstm + LSTM_BIAS_COUNT, 4 * hidden);
    reseal(huge, size);
    expect_refused(huge, size, IRMAS_ERR_FORMAT, "layer 0 (lstm): tensor "
                   "'w_x' (83886080 floats from byte", "runs into the "
                   "checksum", NULL);
    free(huge);

    /* A NaN weight, named with its byte. */
    char where[64];
    snprintf(where, sizeof where, "element 0 (byte %llu)",
             (unsigned long long)first);
    expect_u32_refused(data, size, (size_t)first, 0x7fc00000,
                       "layer 0 (lstm): tensor 'w_x'", where);
    expect_u32_refused(data, size, size - 8, 0x7f800000, "feature_scale",
                       "not a finite number");

    /* Bytes after the CRC, with the header's length to match. */
    uint8_t *longer = calloc(1, size + 8);
    memcpy(longer, data, size - 4);
    store64(longer + 12, size + 8);
    reseal(longer, size + 8);
    expect_refused(longer, size + 8, IRMAS_ERR_FORMAT, "the tensors end at "
                   "byte", NULL);
    memcpy(longer, data, size);
    expect_refused(longer, size + 8, IRMAS_ERR_FORMAT, "more bytes follow",
                   NULL);
    free(longer);
    free(data);
}
END_TEST

START_TEST(envelope)
{
    size_t size;
    uint8_t *data = fixture(&size);
    ck_assert_uint_gt(size, 16);
    uint8_t *copy = malloc(size);
    ck_assert_ptr_nonnull(copy);

    memcpy(copy, data, size);
    copy[size - 1] ^= 0x40;
    expect_refused(copy, size, IRMAS_ERR_FORMAT,
                   "checksum mismatch: the file is damaged", NULL);

    memcpy(copy, data, size);
    memcpy(copy + 4, "\n\x1a\n\n", 4);
    expect_refused(copy, size, IRMAS_ERR_FORMAT, "line endings", NULL);
    expect_refused((const uint8_t *)"RIFF....WAVEfmt ", 16, IRMAS_ERR_FORMAT,
                   "not an irmas model file", NULL);

    /* One to three bytes that are not the magic's start, each in a buffer
     * of exactly that size so ASan sees any read past it. */
    for (size_t length = 1; length <= 3; length++) {
        uint8_t *tiny = malloc(length);
        ck_assert_ptr_nonnull(tiny);
        memset(tiny, 'x', length);
        expect_refused(tiny, length, IRMAS_ERR_FORMAT,
                       "not an irmas model file", NULL);
        free(tiny);
    }

    memcpy(copy, data, size);
    store32(copy + 8, 0);
    reseal(copy, size);
    expect_refused(copy, size, IRMAS_ERR_FORMAT, "format version is 0",
                   NULL);

    free(copy);
    free(data);

    /* A newer file with nothing this reader lacks is still refused: it may
     * mean something new by what it has. Format 4 is taken to keep the
     * layout of formats 2 and 3, so a format-2 file is bumped. */
    data = crnn_fixture(&size);
    store32(data + 8, 4);
    reseal(data, size);
    expect_refused(data, size, IRMAS_ERR_UNSUPPORTED, "is format 4, newer",
                   "update irmas", NULL);
    free(data);
}
END_TEST

/* Labels are printed and go into OSC addresses: one with an escape
 * sequence, a space or an OSC pattern character is refused when a model is
 * loaded or saved, and the message names it. */
START_TEST(labels_must_be_printable_osc_names)
{
    size_t size;
    uint8_t *data = fixture(&size);
    size_t at = find(data, size, "c1", 3, 0);
    const char bad[] = "\x1b /*{]";
    for (const char *b = bad; *b; b++) {
        uint8_t *copy = malloc(size);
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, data, size);
        copy[at + 1] = (uint8_t)*b; /* "c1" becomes "c\x1b", "c ", ... */
        reseal(copy, size);
        expect_refused(copy, size, IRMAS_ERR_FORMAT, "label 1: label 'c",
                       "OSC addresses", NULL);
        free(copy);
    }
    free(data);

    tm_spec spec = small_spec(LAYER_LSTM);
    irmas_model *m = tm_model(&spec);
    snprintf(m->labels[2], MODEL_LABEL_MAX, "%s", "\x1b]0;pwned\a");
    char err[512] = "";
    void *out = NULL;
    size_t out_size = 0;
    ck_assert_int_eq(irmas_model_serialise(m, &out, &out_size, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "label 2: label '\\x1b]0;pwned\\x07'"),
                  "%s", err);
    irmas_model_free(m);
}
END_TEST

/* Parses data under limits, wanting a refusal that names both needles. */
static void expect_over_limits(const uint8_t *data, size_t size,
                               const irmas_model_limits *limits, const char *a,
                               const char *b)
{
    char err[512] = "";
    irmas_model *m = NULL;
    irmas_status got = irmas_model_parse_within(data, size, NAME, limits, &m, err,
                                          sizeof err);
    ck_assert_msg(got == IRMAS_ERR_UNSUPPORTED, "status %d: %s", got, err);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, a) && strstr(err, b), "%s", err);
}

/* A small file may declare a huge run: a 2^20-point FFT with 4096 mel
 * bands (an 8 GB filterbank), or an LSTM that needs 128 G operations a
 * window. The default limits refuse both before anything is built for
 * them, naming the figure, the limit and the option; raised limits let
 * them through. */
START_TEST(costly_models_are_refused_within_limits)
{
    tm_spec spec = small_spec(LAYER_LSTM);
    spec.window_samples = 1 << 20;
    spec.sample_rate = 44100;
    spec.frontend = (frontend_params){.kind = FRONTEND_LOGMEL,
                                      .frame = 1 << 20, .fft_size = 1 << 20,
                                      .mels = 4096, .fmin = 0.0f,
                                      .fmax = 22050.0f};
    irmas_model *m = tm_model(&spec);
    size_t size;
    uint8_t *data = serialise(m, &size);
    irmas_model_free(m);
    ck_assert_uint_lt(size, 1 << 20);
    irmas_model_limits limits = irmas_model_limits_default();
    expect_over_limits(data, size, &limits, "needs 8210 MB of memory",
                       "over the limit of 1024 MB; raise the limit with "
                       "--max-model-memory MB");
    limits.max_memory_bytes = 64e9;
    char err[512] = "";
    ck_assert_msg(irmas_model_parse_within(data, size, NAME, &limits, &m, err,
                                     sizeof err) == IRMAS_OK, "%s", err);
    irmas_model_free(m);
    free(data);

    spec = small_spec(LAYER_LSTM);
    spec.frontend.frame = 1;
    spec.window_samples = 16000;
    spec.hidden[0] = 1000;
    m = tm_model(&spec);
    data = serialise(m, &size);
    irmas_model_free(m);
    limits = irmas_model_limits_default();
    expect_over_limits(data, size, &limits, "each window needs 128.",
                       "over the limit of 20.0 G; raise the limit with "
                       "--max-model-ops G");
    limits.max_ops = 200e9;
    ck_assert_msg(irmas_model_parse_within(data, size, NAME, &limits, &m, err,
                                     sizeof err) == IRMAS_OK, "%s", err);
    irmas_model_free(m);
    free(data);
}
END_TEST

/* A future file: format 4 with a layer kind 9 named "conv1d". The reader
 * names what it lacks and asks for an update. */
START_TEST(newer_layer_kind_is_named)
{
    size_t size;
    uint8_t *data = crnn_fixture(&size);
    size_t lstm = lstm_record(data, size), grown = size + 2;
    uint8_t *future = malloc(grown);
    memcpy(future, data, lstm);
    store32(future + lstm, 9);
    store32(future + lstm + 4, 7);
    memcpy(future + lstm + 8, "conv1d", 7);
    memcpy(future + lstm + 15, data + lstm + 13, size - lstm - 13);
    store32(future + 8, 4);
    store64(future + 12, grown);
    reseal(future, grown);
    expect_refused(future, grown, IRMAS_ERR_UNSUPPORTED,
                   "layer 5: unknown layer kind 9 ('conv1d'",
                   "this irmas reads format 3 and the file is format 4; "
                   "update irmas", NULL);
    free(future);
    free(data);
}
END_TEST

/* data with the n bytes at `at` replaced by with[0..count), the header's
 * size fixed and the CRC resealed; *size is updated. */
static uint8_t *splice(const uint8_t *data, size_t *size, size_t at,
                       size_t n, const void *with, size_t count)
{
    size_t grown = *size - n + count;
    uint8_t *out = malloc(grown);
    memcpy(out, data, at);
    memcpy(out + at, with, count);
    memcpy(out + at + count, data + at + n, *size - at - n);
    store64(out + 12, grown);
    reseal(out, grown);
    *size = grown;
    return out;
}

/* Kinds new in format 2 in a file that says it is format 1 mean damage. */
START_TEST(format_2_kinds_in_a_format_1_file)
{
    size_t size;
    uint8_t *data = fixture(&size);
    ck_assert_int_eq(data[8], 1);
    static const uint8_t conv2d[] = {6, 0, 0, 0, 7, 0, 0, 0,
                                     'c', 'o', 'n', 'v', '2', 'd', 0};
    size_t grown = size, lstm = lstm_record(data, size);
    uint8_t *bad = splice(data, &grown, lstm, 13, conv2d, sizeof conv2d);
    expect_refused(bad, grown, IRMAS_ERR_FORMAT, "layer 0: layer kind 6 "
                   "('conv2d', byte", "is new in format 2 but the file is "
                   "format 1; the file is damaged", NULL);
    free(bad);

    /* The raw front-end's record (kind, "raw", 1 parameter, frame) made a
     * "none" one. */
    static const uint8_t none[] = {0, 0, 0, 0, 5, 0, 0, 0, 'n', 'o',
                                   'n', 'e', 0, 0, 0, 0, 0};
    grown = size;
    bad = splice(data, &grown, 28, 20, none, sizeof none);
    expect_refused(bad, grown, IRMAS_ERR_FORMAT, "front-end kind 0 ('none', "
                   "byte 28) is new in format 2", NULL);
    free(bad);
    free(data);
}
END_TEST

START_TEST(absurd_image_values)
{
    tm_image_spec spec = {.image = IMAGE_MRP, .seed = 3};
    irmas_model *m = tm_image_model(&spec);
    size_t size;
    uint8_t *data = serialise(m, &size);
    irmas_model_free(m);

    /* The image record: kind 2, "mrp", 2 parameters, size, channels; then
     * norm and feature_norm. */
    size_t mrp = find(data, size, "mrp", 4, 0);
    expect_u32_refused(data, size, mrp + 4, 3, "image parameter count is 3",
                       NULL);
    expect_u32_refused(data, size, mrp + 8, 2000, "image.size is 2000",
                       "1 to 1024");
    expect_u32_refused(data, size, mrp + 12, 9, "image.channels is 9",
                       "1 to 8");
    expect_u32_refused(data, size, mrp + 20, 1, "feature_norm is 1", NULL);
    expect_u32_refused(data, size, mrp - 8, 7, "unknown image kind 7", NULL);

    /* The first conv2d: kind, "conv2d", 8 parameters from byte 19. */
    size_t conv = find(data, size, "conv2d", 7, 0) - 8;
    expect_u32_refused(data, size, conv + 15, 3, "layer 0 (conv2d): "
                       "parameter count is 3", NULL);
    expect_u32_refused(data, size, conv + 35, 2000, "layer 0 (conv2d): "
                       "kernel is 2000", "1 to 1024");
    expect_u32_refused(data, size, conv + 19, 3, "tensor 'weights'",
                       "the shape gives 108");
    expect_u32_refused(data, size, conv + 43, 3, "layer 0 (conv2d): "
                       "padding 3", "kernel - 1");
    expect_u32_refused(data, size, conv + 47, ACT_SOFTMAX, "layer 0 "
                       "(conv2d): activation is 4", "0 to 1");
    expect_u32_refused(data, size, conv + 23, 15, "layer 0 (conv2d): its "
                       "input is 2 x 15 x 16", "the image gives 2 x 16 x 16");

    /* The first maxpool: kind, "maxpool", 5 parameters from byte 20. */
    size_t pool = find(data, size, "maxpool", 8, 0) - 8;
    expect_u32_refused(data, size, pool + 32, 20, "layer 1 (maxpool): a "
                       "20 x 20 pool does not fit", NULL);
    expect_u32_refused(data, size, pool + 36, 0, "layer 1 (maxpool): "
                       "stride is 0", NULL);
    free(data);
}
END_TEST

START_TEST(logmel_values)
{
    tm_spec spec = logmel_spec(LAYER_RNN);
    irmas_model *m = tm_model(&spec);
    size_t size;
    uint8_t *data = serialise(m, &size);
    irmas_model_free(m);
    size_t params = find(data, size, "logmel", 7, 0) + 7;
    expect_u32_refused(data, size, params, 4, "frontend parameter count "
                       "is 4", NULL);
    expect_u32_refused(data, size, params + 4, 300, "frontend.fft_size is "
                       "300", "power of two");
    expect_u32_refused(data, size, params + 8, 0, "frontend.hop is 0", NULL);
    expect_u32_refused(data, size, params + 16, 0x7fc00000, "frontend.fmin",
                       "not a finite number");
    expect_u32_refused(data, size, params + 20, 0x7f800000, "frontend.fmax",
                       "not a finite number");
    free(data);
}
END_TEST

/* ---- Files ---- */

static void expect_load_refused(const char *path, irmas_status status,
                                const char *needle)
{
    char err[512] = "";
    irmas_model *m = NULL;
    ck_assert_int_eq(irmas_model_load(path, &m, err, sizeof err), status);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, path), "%s", err);
    ck_assert_msg(strstr(err, needle), "'%s' not in: %s", needle, err);
}

START_TEST(files_that_are_not_models)
{
    const char *folder = tu_tmpdir("model_file_load");
    char path[512];
    snprintf(path, sizeof path, "%s/missing.irm", folder);
    expect_load_refused(path, IRMAS_ERR_IO, "No such file");
    expect_load_refused(folder, IRMAS_ERR_IO, "is a folder");

    snprintf(path, sizeof path, "%s/empty.irm", folder);
    fclose(fopen(path, "wb"));
    expect_load_refused(path, IRMAS_ERR_FORMAT, "is empty");

    snprintf(path, sizeof path, "%s/notes.irm", folder);
    FILE *f = fopen(path, "wb");
    fputs("these are not the weights you are looking for\n", f);
    fclose(f);
    expect_load_refused(path, IRMAS_ERR_FORMAT, "not an irmas model file");
    expect_load_refused("/dev/null", IRMAS_ERR_IO, "not a regular file");
}
END_TEST

static void expect_save_refused(const irmas_model *m, const char *path,
                                irmas_status status, const char *needle)
{
    char err[512] = "";
    ck_assert_int_eq(irmas_model_save(m, path, err, sizeof err), status);
    ck_assert_msg(strstr(err, path), "%s", err);
    ck_assert_msg(strstr(err, needle), "'%s' not in: %s", needle, err);
}

START_TEST(save_failures_leave_nothing_behind)
{
    tm_spec spec = small_spec(LAYER_RNN);
    irmas_model *m = tm_model(&spec);
    const char *folder = tu_tmpdir("model_file_fail");
    char path[512], listing[512];

    snprintf(path, sizeof path, "%s/no/such/folder/m.irm", folder);
    expect_save_refused(m, path, IRMAS_ERR_IO, "cannot create a temporary "
                        "file");

    /* The rename fails onto a folder: the temporary file must go. */
    snprintf(path, sizeof path, "%s/a-folder", folder);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    expect_save_refused(m, path, IRMAS_ERR_IO, "could not rename");
    list_folder(folder, listing, sizeof listing);
    ck_assert_str_eq(listing, "a-folder\n");

    /* A folder we may not write to (root may write anywhere else). */
    expect_save_refused(m, "/proc/m.irm", IRMAS_ERR_IO,
                        "cannot create a temporary file");
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/read-only", folder);
        ck_assert_int_eq(mkdir(path, 0555), 0);
        snprintf(path, sizeof path, "%s/read-only/m.irm", folder);
        expect_save_refused(m, path, IRMAS_ERR_IO, "Permission denied");
    }

    /* Models that are invalid or over the reader's limits are refused
     * before anything is written. */
    snprintf(path, sizeof path, "%s/m.irm", folder);
    m->layers[m->n_layers - 1].u.dense.act = ACT_RELU;
    expect_save_refused(m, path, IRMAS_ERR_ARG, "dense softmax");
    m->layers[m->n_layers - 1].u.dense.act = ACT_SOFTMAX;
    char *long_text = malloc(70000);
    memset(long_text, 'x', 69999);
    long_text[69999] = '\0';
    ck_assert(model_set_provenance(m, long_text) == IRMAS_OK);
    free(long_text);
    expect_save_refused(m, path, IRMAS_ERR_ARG, "provenance");
    list_folder(folder, listing, sizeof listing);
    ck_assert_str_eq(listing, "a-folder\n");
    irmas_model_free(m);
}
END_TEST

START_TEST(half_a_normalisation_is_refused)
{
    tm_spec spec = small_spec(LAYER_LSTM);
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    m->feature_scale = NULL;
    void *data = NULL;
    size_t size;
    char err[512] = "";
    ck_assert_int_eq(irmas_model_serialise(m, &data, &size, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_null(data);
    ck_assert_msg(strstr(err, "feature_scale"), "%s", err);
    irmas_model_free(m);
}
END_TEST

/* The shipped models are found by name, installed or (a build run in
 * place, as here unless installed) in the source tree's models/; the
 * default by name is model_default_path. A name with no file still gets
 * a path, where it would be installed, for messages to name. */
START_TEST(shipped_models_are_found_by_name)
{
    char path[PATH_MAX];
    ck_assert_str_eq(model_shipped_path("default", path, sizeof path),
                     model_default_path());
    model_shipped_path("audioset-head", path, sizeof path);
    ck_assert_msg(access(path, R_OK) == 0, "%s is not there", path);
    const char *tail = "/audioset-head.irm";
    ck_assert_str_eq(path + strlen(path) - strlen(tail), tail);
    model_shipped_path("no-such-model", path, sizeof path);
    ck_assert_int_ne(access(path, R_OK), 0);
    ck_assert_ptr_nonnull(strstr(path, "/no-such-model.irm"));
}
END_TEST

static Suite *model_file_suite(void)
{
    Suite *s = suite_create("model_file");
    TCase *tc = tcase_create("round trip");
    tcase_add_loop_test(tc, round_trip_every_kind, 0,
                        sizeof round_trips / sizeof round_trips[0]);
    tcase_add_test(tc, save_and_load_a_file);
    tcase_add_test(tc, round_trip_pretrained_frontend);
    tcase_add_loop_test(tc, round_trip_image_and_stats_models, 0,
                        sizeof image_round_trips /
                            sizeof image_round_trips[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, truncated_at_every_byte, 0, DAMAGED_FIXTURES);
    tcase_add_loop_test(tc, every_flipped_byte_is_refused, 0,
                        DAMAGED_FIXTURES);
    tcase_add_loop_test(tc, flips_past_the_checksum_are_caught_or_harmless,
                        0, DAMAGED_FIXTURES);
    tcase_add_test(tc, absurd_header_values);
    tcase_add_test(tc, absurd_layer_values);
    tcase_add_test(tc, absurd_tensor_entries);
    tcase_add_test(tc, envelope);
    tcase_add_test(tc, labels_must_be_printable_osc_names);
    tcase_add_test(tc, costly_models_are_refused_within_limits);
    tcase_add_test(tc, newer_layer_kind_is_named);
    tcase_add_test(tc, logmel_values);
    tcase_add_test(tc, format_2_kinds_in_a_format_1_file);
    tcase_add_test(tc, absurd_image_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, files_that_are_not_models);
    tcase_add_test(tc, save_failures_leave_nothing_behind);
    tcase_add_test(tc, half_a_normalisation_is_refused);
    tcase_add_test(tc, shipped_models_are_found_by_name);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(model_file_suite());
}
