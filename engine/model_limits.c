/* model_limits.c: the cost of running a model, from its declared shapes
 * (model_limits.h).
 *
 * Memory is what the engine allocates to run the model: the weights, the
 * front-end (a log-mel front-end keeps a dense mels x bins filterbank and
 * FFT buffers), the image builder (a logmel image's has a log-mel
 * front-end of its own), and the window runner's buffers, counted
 * twice because the daemon's streaming classifier holds as much again.
 * Operations are the arithmetic of one window: the front-end's FFTs and
 * filterbank sums over every frame, and each layer's products (two
 * operations per multiply-add). Both are estimates from the shapes, meant
 * to tell a model that runs in milliseconds and megabytes from one that
 * would take seconds and gigabytes.
 */
#include "model_limits.h"

#include "conv2d.h"
#include "frontend.h"
#include "pool.h"
#include "teacher.h"
#include "window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

irmas_model_limits irmas_model_limits_default(void)
{
    return (irmas_model_limits){
        .max_memory_bytes = MODEL_DEFAULT_MAX_MEMORY_MB * 1048576.0,
        .max_ops = MODEL_DEFAULT_MAX_GOPS * 1e9};
}

int model_limits_option(irmas_model_limits *limits, const char *option,
                        const char *text, char *err, size_t errlen)
{
    double unit;
    double *limit;
    if (strcmp(option, "max-model-memory") == 0) {
        unit = 1048576.0;
        limit = &limits->max_memory_bytes;
    } else if (strcmp(option, "max-model-ops") == 0) {
        unit = 1e9;
        limit = &limits->max_ops;
    } else {
        return 0;
    }
    char *end;
    double value = strtod(text, &end);
    if (end == text || *end || !(value > 0.0 && value < 1e9)) {
        snprintf(err, errlen, "--%s '%s': give a number above 0 (%s)",
                 option, text, unit > 1e6 ? "megabytes" : "billions");
        return -1;
    }
    *limit = value * unit;
    return 1;
}

/* What the pretrained AudioSet front-end (teacher.h) costs per input
 * sample: its feature maps, generously (the first convolution alone keeps
 * 0.8 floats a sample), and about 11 million multiply-adds a second of
 * audio at 32 kHz. Its weights are counted once, whatever the window. */
#define MN04_FLOATS_PER_SAMPLE 8.0
#define MN04_OPS_PER_SAMPLE (2.0 * 11e6 / FRONTEND_MN04_RATE)

/* Floats the front-end keeps for a window of window_samples: a log-mel
 * one's Hann window, FFT input and output and its dense filterbank; the
 * pretrained one's weights and feature maps; a raw one keeps nothing to
 * speak of. */
static double frontend_floats(const frontend_params *p, int window_samples)
{
    if (p->kind == FRONTEND_EFFICIENTAT_MN04)
        return (double)teacher_weight_floats() +
               MN04_FLOATS_PER_SAMPLE * window_samples;
    if (p->kind != FRONTEND_LOGMEL) return 0.0;
    double bins = p->fft_size / 2 + 1;
    return 2.0 * p->fft_size + 2.0 * bins + (double)p->mels * (bins + 2.0);
}

/* Operations for one frame through the front-end: the FFT, the window and
 * power spectrum, and the filterbank's sums. */
static double frontend_frame_ops(const frontend_params *p)
{
    if (p->kind == FRONTEND_EFFICIENTAT_MN04)
        return MN04_OPS_PER_SAMPLE * p->frame;
    if (p->kind != FRONTEND_LOGMEL) return p->frame;
    double n = p->fft_size, bins = n / 2 + 1;
    return 2.5 * n * log2(n) + n + 4.0 * bins + 2.0 * p->mels;
}

/* Operations for one layer over a window of frames. */
static double layer_ops(const layer *l, int frames)
{
    double in = layer_inputs(l);
    switch (l->kind) {
    case LAYER_DENSE:
        return 2.0 * in * l->u.dense.outputs;
    case LAYER_RNN:
        return 2.0 * frames * l->u.rnn.hidden * (in + l->u.rnn.hidden);
    case LAYER_LSTM:
        return 8.0 * frames * l->u.lstm.hidden * (in + l->u.lstm.hidden);
    case LAYER_BLSTM:
        return 16.0 * frames * l->u.blstm.fwd.hidden *
               (in + l->u.blstm.fwd.hidden);
    case LAYER_GRU:
        return 6.0 * frames * l->u.gru.hidden * (in + l->u.gru.hidden);
    case LAYER_CONV2D: {
        const conv2d_layer *c = &l->u.conv2d;
        return 2.0 * conv2d_outputs(c) * c->channels * c->kernel * c->kernel;
    }
    case LAYER_MAXPOOL:
        return (double)pool_outputs(&l->u.pool) * l->u.pool.size *
               l->u.pool.size;
    case LAYER_STATS:
        return 4.0 * frames * in;
    }
    return 0.0;
}

model_cost model_cost_of(const irmas_model *m)
{
    double floats = (double)model_parameters(m) +
                    2.0 * model_features(m) + m->window_samples;
    double ops = 4.0 * m->window_samples; /* the copy and its scaling */
    int frames = model_frames(m);
    if (model_reads_frames(m)) {
        floats += frontend_floats(&m->frontend, m->window_samples);
        ops += frames * frontend_frame_ops(&m->frontend);
    }
    if (model_reads_image(m)) {
        floats += m->window_samples + 2.0 * image_floats(&m->image);
        ops += 8.0 * m->window_samples + 4.0 * image_floats(&m->image);
    }
    if (model_reads_image(m) && m->image.kind == IMAGE_LOGMEL) {
        /* a log-mel front-end of its own, over size frames */
        frontend_params fp = image_logmel_frontend(
            &m->image, m->sample_rate, m->window_samples);
        floats += frontend_floats(&fp, m->window_samples);
        ops += m->image.size * frontend_frame_ops(&fp);
    }
    floats += 2.0 * (double)irmas_window_working_floats(m);
    for (int i = 0; i < m->n_layers; i++)
        ops += layer_ops(&m->layers[i], frames);
    return (model_cost){.memory_bytes = 4.0 * floats, .ops = ops};
}

irmas_status irmas_model_check_limits(const irmas_model *m, const irmas_model_limits *limits,
                                char *err, size_t errlen)
{
    model_cost cost = model_cost_of(m);
    if (cost.memory_bytes > limits->max_memory_bytes)
        return status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                           "running it needs %.0f MB of memory, over the "
                           "limit of %.0f MB; raise the limit with "
                           "--max-model-memory MB if you trust this model",
                           ceil(cost.memory_bytes / 1048576.0),
                           limits->max_memory_bytes / 1048576.0);
    if (cost.ops > limits->max_ops)
        return status_fail(err, errlen, IRMAS_ERR_UNSUPPORTED,
                           "each window needs %.1f G operations, over the "
                           "limit of %.1f G; raise the limit with "
                           "--max-model-ops G if you trust this model",
                           cost.ops / 1e9, limits->max_ops / 1e9);
    return IRMAS_OK;
}
