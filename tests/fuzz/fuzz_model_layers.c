/* fuzz_model_layers.c: libFuzzer target for the .irm reader past its
 * envelope, and for running what it accepts.
 *
 * The input's first 20 bytes are overwritten by a valid magic and the
 * input's real length, and its last 4 by the right CRC-32, so every
 * mutation of the rest reaches the metadata, the layer table and the
 * tensors. A model the reader accepts under tight limits (model_limits.h)
 * then classifies one window of a fixed tone: the limits are what keeps a
 * run short however the shapes are mutated, as they keep irmasd's. */
#include "model_file.h"
#include "window.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char magic[8] = {0x89, 'I', 'R', 'M',
                                       '\r', '\n', 0x1a, '\n'};

/* Runs m on one window and checks the probabilities are a distribution. */
static void classify_one_window(const irmas_model *m)
{
    irmas_window *w = NULL;
    char err[512];
    if (irmas_window_new(m, &w, err, sizeof err) != IRMAS_OK) return;
    float *samples = malloc((size_t)m->window_samples * sizeof *samples);
    float probs[MODEL_MAX_CLASSES];
    if (samples) {
        for (int i = 0; i < m->window_samples; i++)
            samples[i] = 0.5f * sinf(0.05f * (float)i);
        irmas_window_classify(w, samples, probs);
        float sum = 0.0f;
        for (int c = 0; c < m->classes; c++) sum += probs[c];
        if (!(fabsf(sum - 1.0f) < 1e-3f)) abort();
    }
    free(samples);
    irmas_window_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 24) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    memcpy(copy, magic, sizeof magic);
    for (int i = 0; i < 8; i++) copy[12 + i] = (uint8_t)((uint64_t)size >> 8 * i);
    uint32_t crc = (uint32_t)crc32_z(0, copy, size - 4);
    for (int i = 0; i < 4; i++) copy[size - 4 + i] = (uint8_t)(crc >> 8 * i);

    irmas_model_limits limits = {.max_memory_bytes = 64.0 * 1048576.0,
                           .max_ops = 2e7};
    char err[512];
    irmas_model *m = NULL;
    if (irmas_model_parse_within(copy, size, "fuzz.irm", &limits, &m, err,
                           sizeof err) == IRMAS_OK) {
        classify_one_window(m);
        irmas_model_free(m);
    }
    free(copy);
    return 0;
}
