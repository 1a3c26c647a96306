/* stream.c: the streaming classifier (see stream.h).
 *
 * Frames are counted from the first sample after creation or reset; window
 * w starts at frame w * hop_frames and holds the model's T frames. Window w
 * lives in slot w mod K, K = ceil(T / hop_frames), which is free again by
 * the time window w + K starts. On every frame:
 *   - the front-end turns the last frame_length samples into features,
 *     which are standardised once;
 *   - if a window starts here, its slot's state is zeroed in every layer;
 *   - the first recurrent layer projects the features once and steps all K
 *     slots with that shared projection (one matrix-matrix product, against
 *     W_x and W_h packed once in irmas_stream_new: gemm.h); each
 *     stacked layer projects the K rows of h below it and steps them;
 *   - if a window has just read its last frame, the dense head runs on its
 *     slot's final h and the probabilities wait in s->probs.
 * All K slots step on every frame, started or not, so every frame costs the
 * same. The probabilities are emitted once the window's last sample has
 * been pushed (a window may end with a few samples too short to form a
 * frame), which always comes before the next window's last frame.
 *
 * Models that cannot stream, and any model with IRMAS_STREAM_WHOLE_WINDOWS,
 * keep the last window_samples samples in a ring and run
 * irmas_window_classify on them at each hop instead: a blstm or a stats
 * layer needs the window's last frame before its first output, a peak
 * normalisation the whole window before its first frame, an image is
 * built from the whole window at once, and so are a pretrained front-end's
 * frames (the teacher's convolutions see the whole log-mel image; it is
 * not causal frame by frame). A model that reads a pretrained front-end,
 * or no frames and no log-mel image, keeps its hop to the sample. A CNN
 * on a log-mel image (and no peak normalisation) has its hop rounded
 * down to whole frames of the image, and each window is classified with
 * its position in the stream, so that its image copies the frames it
 * shares with the last window's (image_build): at the 0.5 s hop, 16 of
 * the default model's 96 frames are new. The ring is mirrored: each
 * sample is stored twice, window_samples apart, so the last window always
 * lies in one piece from its oldest sample on, and is classified where it
 * lies rather than copied out at every hop.
 *
 * The push loop feeds samples in pieces that stop at the next event (a
 * frame complete, a window's end), so no event is ever missed or late.
 */
#include "stream.h"

#include "gemm.h"
#include "recurrent.h"
#include "sample.h"
#include "window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct irmas_stream {
    const irmas_model *m;
    int incremental;
    int hop, hop_frames; /* the hop in samples and in frames */
    int frames, slots;   /* T frames per window, K window slots */
    int recurrent;       /* layers before the head */
    long long seen;      /* samples pushed since reset */
    long long origin;    /* image_build's position of the first of them */
    long long next_end;  /* end sample of the next window to emit */
    long long frame_index;
    float *probs;        /* [classes]: the next window's, once computed */

    /* incremental */
    frontend *fe;
    int filled;                     /* samples waiting in history */
    float *history;                 /* [frame_length] */
    float *feat;                    /* [features] */
    float *xproj;                   /* [K][largest projection] */
    float *state[MODEL_MAX_LAYERS]; /* [K rows of state] per layer */
    float *packed[MODEL_MAX_LAYERS]; /* each layer's W_h and W_x, packed */
    float *work;                    /* [K][largest step work space] */
    float *head;                    /* model_head's scratch */

    /* whole-window fallback */
    irmas_window *whole;
    float *ring;   /* [2 window_samples]: the last samples pushed, twice */

    float *block; /* owns every float buffer above, the packed weights first */
    long packed_floats, block_floats; /* reset zeroes what follows them */
};

static int stream_model_is_incremental(const irmas_model *m)
{
    if (m->norm == NORM_PEAK || model_reads_image(m) ||
        frontend_is_pretrained(&m->frontend))
        return 0;
    for (int i = 0; i < m->n_layers; i++)
        if (m->layers[i].kind == LAYER_BLSTM ||
            m->layers[i].kind == LAYER_STATS)
            return 0;
    return 1;
}

/* Takes n floats at *used from block, keeping each buffer 64-byte
 * aligned; with block NULL it only counts. */
static float *carve(float *block, long *used, long n)
{
    float *p = block ? block + *used : NULL;
    *used += (n + 15) / 16 * 16;
    return p;
}

/* Points the buffers into block (or, block NULL, only counts) and returns
 * the floats they take. */
static long stream_layout(irmas_stream *s, float *block)
{
    const irmas_model *m = s->m;
    long used = 0, proj = 0, work = 0;
    for (int i = 0; s->incremental && i < s->recurrent; i++)
        s->packed[i] =
            carve(block, &used, recurrent_packed_floats(&m->layers[i]));
    s->packed_floats = used;
    s->probs = carve(block, &used, m->classes);
    if (!s->incremental) {
        s->ring = carve(block, &used, 2L * m->window_samples);
        return used;
    }
    for (int i = 0; i < s->recurrent; i++) {
        const layer *l = &m->layers[i];
        long rows = (long)s->slots * recurrent_state_size(l);
        s->state[i] = carve(block, &used, rows);
        if (recurrent_proj_size(l) > proj) proj = recurrent_proj_size(l);
        if (recurrent_work_size(l) > work) work = recurrent_work_size(l);
    }
    s->history = carve(block, &used, frontend_frame_length(s->fe));
    s->feat = carve(block, &used, frontend_features(s->fe));
    s->xproj = carve(block, &used, s->slots * proj);
    s->work = carve(block, &used, s->slots * work);
    s->head = carve(block, &used, model_head_scratch(m));
    return used;
}

static irmas_status stream_alloc(irmas_stream *s, char *err, size_t errlen)
{
    irmas_status status =
        s->incremental
            ? frontend_new(&s->m->frontend, s->m->sample_rate, &s->fe, err,
                           errlen)
            : irmas_window_new(s->m, &s->whole, err, errlen);
    if (status != IRMAS_OK) return status;
    s->block_floats = stream_layout(s, NULL);
    s->block = aligned_alloc(64, (size_t)s->block_floats * sizeof(float));
    if (!s->block)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory for a stream's %ld buffers",
                           s->block_floats);
    stream_layout(s, s->block);
    for (int i = 0; s->incremental && i < s->recurrent; i++)
        recurrent_pack(&s->m->layers[i], s->packed[i]);
    return IRMAS_OK;
}

irmas_status irmas_stream_new(const irmas_model *m, int hop_samples, irmas_stream **out,
                        char *err, size_t errlen)
{
    return irmas_stream_new_flags(m, hop_samples, 0, out, err, errlen);
}

/* The samples the hop is a whole number of: a front-end frame where the
 * model reads frames it computes itself; an image frame where it reads a
 * log-mel image alone and does not normalise each window, so that each
 * window's image reuses the frames of the last (image_build); else one. */
static int stream_hop_unit(const irmas_model *m)
{
    if (model_reads_frames(m))
        return frontend_is_pretrained(&m->frontend) ? 1 : m->frontend.frame;
    int image_hop = model_reads_image(m) && m->norm != NORM_PEAK
                        ? image_frame_hop(&m->image, m->sample_rate,
                                          m->window_samples)
                        : 0;
    return image_hop > 0 ? image_hop : 1;
}

irmas_status irmas_stream_new_flags(const irmas_model *m, int hop_samples,
                                    unsigned flags, irmas_stream **out,
                                    char *err, size_t errlen)
{
    *out = NULL;
    gemm_prepare_runner(); /* here, not in a classify in an audio callback */
    if (flags & ~IRMAS_STREAM_WHOLE_WINDOWS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "irmas_stream_new_flags: unknown flags 0x%x; the "
                           "one flag is IRMAS_STREAM_WHOLE_WINDOWS",
                           flags & ~IRMAS_STREAM_WHOLE_WINDOWS);
    irmas_status status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) return status;

    irmas_stream *s = calloc(1, sizeof *s);
    if (!s) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory creating a stream");
    int frame_hop = stream_hop_unit(m);
    if (hop_samples <= 0) hop_samples = m->sample_rate / 2;
    s->m = m;
    s->incremental = stream_model_is_incremental(m) &&
                     !(flags & IRMAS_STREAM_WHOLE_WINDOWS);
    s->hop_frames = hop_samples / frame_hop > 0 ? hop_samples / frame_hop : 1;
    s->hop = s->hop_frames * frame_hop;
    s->frames = model_frames(m);
    s->slots = (s->frames + s->hop_frames - 1) / s->hop_frames;
    s->recurrent = model_head_start(m);
    status = stream_alloc(s, err, errlen);
    if (status != IRMAS_OK) {
        irmas_stream_free(s);
        return status;
    }
    irmas_stream_reset(s);
    *out = s;
    return IRMAS_OK;
}

void irmas_stream_free(irmas_stream *s)
{
    if (!s) return;
    frontend_free(s->fe);
    irmas_window_free(s->whole);
    free(s->block);
    free(s);
}

int irmas_stream_hop(const irmas_stream *s) { return s->hop; }
int irmas_stream_is_incremental(const irmas_stream *s) { return s->incremental; }

void irmas_stream_reset(irmas_stream *s)
{
    /* Past every window before: an image reuses nothing from them. */
    s->origin += s->seen + s->m->window_samples;
    s->seen = 0;
    s->next_end = s->m->window_samples;
    s->frame_index = 0;
    s->filled = 0;
    memset(s->block + s->packed_floats, 0,
           (size_t)(s->block_floats - s->packed_floats) * sizeof(float));
}

/* Zeroes a slot's h (and c) rows in every layer: its window starts. */
static void stream_start_slot(irmas_stream *s, int slot)
{
    for (int i = 0; i < s->recurrent; i++) {
        const layer *l = &s->m->layers[i];
        int hidden = recurrent_hidden(l);
        int parts = recurrent_state_size(l) / hidden; /* h, or h and c */
        for (int part = 0; part < parts; part++)
            memset(s->state[i] + ((long)part * s->slots + slot) * hidden, 0,
                   (size_t)hidden * sizeof(float));
    }
}

/* The frame in history is complete: advance every slot by it. */
static void stream_frame(irmas_stream *s)
{
    long long n = s->frame_index++;
    frontend_compute(s->fe, s->history, s->feat);
    model_standardise(s->m, s->feat, 1, frontend_features(s->fe));
    if (n % s->hop_frames == 0)
        stream_start_slot(s, (int)(n / s->hop_frames % s->slots));

    const float *x = s->feat;
    int rows = 1; /* the features are shared; h below differs per slot */
    for (int i = 0; i < s->recurrent; i++) {
        const layer *l = &s->m->layers[i];
        int stride = rows == 1 ? 0 : recurrent_proj_size(l);
        recurrent_project(l, s->packed[i], x, rows, s->xproj);
        recurrent_step(l, s->packed[i], s->xproj, stride, s->state[i],
                       s->slots, s->work);
        x = s->state[i];
        rows = s->slots;
    }

    long long ended = n - (s->frames - 1); /* frame the ending window began */
    if (ended >= 0 && ended % s->hop_frames == 0) {
        const layer *last = &s->m->layers[s->recurrent - 1];
        int slot = (int)(ended / s->hop_frames % s->slots);
        model_head(s->m, x + (long)slot * recurrent_hidden(last), s->head,
                   s->probs);
    }
}

/* Where the next samples go and how many fit before the next frame is
 * complete (incremental) or the ring wraps (fallback). */
static float *stream_destination(irmas_stream *s, long *room)
{
    if (s->incremental) {
        *room = frontend_frame_length(s->fe) - s->filled;
        return s->history + s->filled;
    }
    long at = (long)(s->seen % s->m->window_samples);
    *room = s->m->window_samples - at;
    return s->ring + at;
}

/* n samples were stored at to: in incremental mode, run the frame they
 * complete (stream_destination let in no more than one frame's worth);
 * in the fallback, mirror them in the ring's second half. */
static void stream_stored(irmas_stream *s, float *to, long n)
{
    if (!s->incremental) {
        memcpy(to + s->m->window_samples, to, (size_t)n * sizeof *to);
        return;
    }
    s->filled += (int)n;
    int length = frontend_frame_length(s->fe), hop = frontend_frame_hop(s->fe);
    if (s->filled < length) return;
    stream_frame(s);
    memmove(s->history, s->history + hop,
            (size_t)(length - hop) * sizeof *s->history);
    s->filled = length - hop;
}

/* The next window's last sample has been pushed: emit it. */
static void stream_window_end(irmas_stream *s, irmas_stream_emit_fn emit, void *user)
{
    if (!s->incremental) {
        long oldest = (long)(s->seen % s->m->window_samples);
        irmas_window_classify_at(s->whole, s->ring + oldest,
                                 s->origin + s->seen - s->m->window_samples,
                                 s->probs);
    }
    if (emit) emit(user, s->probs, s->next_end);
    s->next_end += s->hop;
}

void irmas_stream_push(irmas_stream *s, const float *samples, long n, irmas_stream_emit_fn emit,
                 void *user)
{
    while (n > 0) {
        long room;
        float *to = stream_destination(s, &room);
        long take = n < room ? n : room;
        if (take > s->next_end - s->seen) take = (long)(s->next_end - s->seen);
        for (long i = 0; i < take; i++)
            to[i] = sample_finite(samples[i]);
        samples += take;
        n -= take;
        s->seen += take;
        stream_stored(s, to, take);
        if (s->seen == s->next_end) stream_window_end(s, emit, user);
    }
}
