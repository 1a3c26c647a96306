/* daemon_tone.c: see daemon_tone.h. */
#include "daemon_tone.h"

#include <math.h>
#include <stdio.h>

#define BANDS 24
#define FMIN 40.0f
#define FMAX 8000.0f

static double hz_to_mel(double f) { return 2595.0 * log10(1.0 + f / 700.0); }
static double mel_to_hz(double m) { return 700.0 * (pow(10.0, m / 2595.0) - 1.0); }

/* Centre frequency of mel band b, as the front-end lays them out. */
static double band_centre(int b)
{
    double lo = hz_to_mel(FMIN), hi = hz_to_mel(FMAX);
    return mel_to_hz(lo + (b + 1) * (hi - lo) / (BANDS + 1));
}

static void tone_weights(irmas_model *m)
{
    rnn_layer *r = &m->layers[0].u.rnn;
    int low = 0, high = 0;
    for (int b = 0; b < BANDS; b++) {
        low += band_centre(b) < 500;
        high += band_centre(b) > 900;
    }
    for (int b = 0; b < BANDS; b++)
        r->w_x[b] = band_centre(b) < 500   ? 1.0f / low
                    : band_centre(b) > 900 ? -1.0f / high
                                           : 0.0f;
    r->w_h[0] = 0.5f;
    r->bias[0] = -3.0f;
    dense_layer *d = &m->layers[1].u.dense;
    d->weights[0] = 4.0f;
    d->weights[1] = -4.0f;
}

irmas_model *daemon_tone_model(int rate, const char *low, const char *high,
                         double window_seconds, char *err, size_t errlen)
{
    irmas_model *m = irmas_model_new();
    if (!m) return NULL;
    m->sample_rate = rate;
    m->window_samples = (int)(window_seconds * rate);
    m->frontend = (frontend_params){.kind = FRONTEND_LOGMEL, .frame = 256,
                                    .fft_size = 512, .mels = BANDS,
                                    .fmin = FMIN, .fmax = FMAX};
    m->norm = NORM_NONE;
    m->classes = 2;
    snprintf(m->labels[0], MODEL_LABEL_MAX, "%s", low);
    snprintf(m->labels[1], MODEL_LABEL_MAX, "%s", high);
    m->n_layers = 2;
    m->layers[0].kind = LAYER_RNN;
    m->layers[0].u.rnn = (rnn_layer){.inputs = BANDS, .hidden = 1};
    m->layers[1].kind = LAYER_DENSE;
    m->layers[1].u.dense = (dense_layer){.inputs = 1, .outputs = 2,
                                         .act = ACT_SOFTMAX};
    irmas_status st = model_alloc_weights(m, 0, err, errlen);
    if (st == IRMAS_OK) {
        tone_weights(m);
        st = model_set_provenance(m, "tests/daemon_tone.c: weights set by hand");
    }
    if (st == IRMAS_OK) st = model_validate(m, err, errlen);
    if (st != IRMAS_OK) {
        irmas_model_free(m);
        return NULL;
    }
    return m;
}
