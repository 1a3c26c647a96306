/* live_tagger.c: see live_tagger.h.
 *
 * libsamplerate converts in a streaming fashion and keeps output sample j
 * aligned with input time j / ratio, so model sample j of the current run
 * is device frame first_frame + j * device_rate / model_rate. When the two
 * rates are equal the audio goes to the classifier as it is.
 *
 * The converter is SRC_SINC_FASTEST (97 dB, 80 % of the band), not
 * SRC_SINC_MEDIUM_QUALITY (97 dB, 90 %): converting 48 kHz to 44.1 kHz
 * costs 0.44 of medium's CPU, and the shipped model names the same
 * instruments as well either way. Measured on the 440 windows of each of
 * real-test, real-test2 and real-solo, taken to 48 kHz and back: right in
 * 254, 268 and 287 windows through fastest, 253, 268 and 289 through
 * medium, 255, 269 and 289 with no conversion (docs/engine.md).
 */
#include "live_tagger.h"

#include "stream.h"

#include <samplerate.h>
#include <stdlib.h>

#define LIVE_TAGGER_CHUNK 4096 /* model samples converted at a time */

struct live_tagger {
    irmas_model *m;
    int device_rate;
    irmas_stream *stream;
    SRC_STATE *src;   /* NULL when the rates are equal */
    float converted[LIVE_TAGGER_CHUNK];
    long long first_frame;
    live_tagger_window_fn window;
    void *user;
};

static irmas_status live_tagger_check_rate(const irmas_model *m,
                                           int device_rate, char *err,
                                           size_t errlen)
{
    double ratio = (double)m->sample_rate / device_rate;
    if (device_rate <= 0 || !src_is_valid_ratio(ratio))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the device rate %d Hz cannot be converted to the "
                           "model's %d Hz", device_rate, m->sample_rate);
    return model_check_rate(m, device_rate, "the device", err, errlen);
}

irmas_status live_tagger_set_device_rate(live_tagger *t, int device_rate,
                                         char *err, size_t errlen)
{
    irmas_status st = live_tagger_check_rate(t->m, device_rate, err, errlen);
    if (st != IRMAS_OK) return st;
    if (t->src) t->src = src_delete(t->src);
    t->device_rate = device_rate;
    if (device_rate != t->m->sample_rate) {
        int error = 0;
        t->src = src_new(SRC_SINC_FASTEST, 1, &error);
        if (!t->src)
            return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "resampler: %s", src_strerror(error));
    }
    live_tagger_restart(t, t->first_frame);
    return IRMAS_OK;
}

irmas_status live_tagger_new(irmas_model *m, int device_rate,
                             double hop_seconds, int incremental,
                             live_tagger **out, char *err, size_t errlen)
{
    *out = NULL;
    irmas_status st = live_tagger_check_rate(m, device_rate, err, errlen);
    if (st != IRMAS_OK) return st;
    int hop = (int)(hop_seconds * m->sample_rate + 0.5);
    if (hop > m->window_samples)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "--hop %g s is longer than the model's window "
                           "(%.3f s): the audio between windows would never "
                           "be classified; give --hop %.3f or less",
                           hop_seconds,
                           (double)m->window_samples / m->sample_rate,
                           (double)m->window_samples / m->sample_rate);
    live_tagger *t = calloc(1, sizeof *t);
    if (!t)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "tagger: out of memory");
    t->m = m;
    st = irmas_stream_new_flags(m, hop > 0 ? hop : 1,
                                incremental ? 0 : IRMAS_STREAM_WHOLE_WINDOWS,
                                &t->stream, err, errlen);
    if (st == IRMAS_OK)
        st = live_tagger_set_device_rate(t, device_rate, err, errlen);
    if (st != IRMAS_OK) {
        t->m = NULL; /* still the caller's */
        live_tagger_free(t);
        return st;
    }
    *out = t;
    return IRMAS_OK;
}

void live_tagger_free(live_tagger *t)
{
    if (!t) return;
    irmas_stream_free(t->stream);
    if (t->src) src_delete(t->src);
    irmas_model_free(t->m);
    free(t);
}

const irmas_model *live_tagger_model(const live_tagger *t) { return t->m; }
int live_tagger_device_rate(const live_tagger *t) { return t->device_rate; }

double live_tagger_hop_seconds(const live_tagger *t)
{
    return (double)irmas_stream_hop(t->stream) / t->m->sample_rate;
}

int live_tagger_is_incremental(const live_tagger *t)
{
    return irmas_stream_is_incremental(t->stream);
}

double live_tagger_window_frames(const live_tagger *t)
{
    return (double)t->m->window_samples * t->device_rate / t->m->sample_rate;
}

void live_tagger_restart(live_tagger *t, long long first_frame)
{
    t->first_frame = first_frame;
    irmas_stream_reset(t->stream);
    if (t->src) src_reset(t->src);
}

/* The classifier's callback: model sample positions to device frames. */
static void live_tagger_emit(void *user, const float *probs,
                             long long end_sample)
{
    live_tagger *t = user;
    if (!t->window) return;
    double last = (double)t->first_frame + (double)(end_sample - 1) *
                                               t->device_rate /
                                               t->m->sample_rate;
    t->window(t->user, probs, last);
}

static void live_tagger_classify(live_tagger *t, const float *samples, long n)
{
    irmas_stream_push(t->stream, samples, n, live_tagger_emit, t);
}

/* Converts n frames (none when flushing) and classifies what comes out;
 * at the end of the input the resampler gives up what it holds back. */
static void live_tagger_convert(live_tagger *t, const float *mono, long n,
                           int end_of_input)
{
    SRC_DATA d = {.src_ratio = (double)t->m->sample_rate / t->device_rate,
                  .end_of_input = end_of_input};
    long used = 0;
    do {
        d.data_in = mono + used;
        d.input_frames = n - used;
        d.data_out = t->converted;
        d.output_frames = LIVE_TAGGER_CHUNK;
        if (src_process(t->src, &d) != 0) break; /* only on bad arguments */
        used += d.input_frames_used;
        live_tagger_classify(t, t->converted, d.output_frames_gen);
    } while (used < n || d.output_frames_gen == LIVE_TAGGER_CHUNK);
}

void live_tagger_push(live_tagger *t, const float *mono, long n,
                 live_tagger_window_fn window, void *user)
{
    t->window = window;
    t->user = user;
    if (t->src)
        live_tagger_convert(t, mono, n, 0);
    else
        live_tagger_classify(t, mono, n);
}

void live_tagger_finish(live_tagger *t, live_tagger_window_fn window,
                        void *user)
{
    t->window = window;
    t->user = user;
    static const float none[1]; /* libsamplerate wants a pointer */
    if (t->src) live_tagger_convert(t, none, 0, 1);
}
