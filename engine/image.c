/* image.c: stacking, multiresolution recurrence plots and log-mel
 * spectrograms (see image.h).
 *
 * A builder owns the scratch one image needs: for stacking, the padded
 * square of pixels, the half-resized image between the two passes of the
 * separable area resize and the row of sums each pass adds into; for MRP,
 * the pooled series of one channel; for logmel, a log-mel front-end and
 * the bands of every frame of the last image, which the next image of the
 * same stream reuses where its frames fall on the same samples.
 */
#include "image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct image_builder {
    image_params p;
    int window_samples;
    int side;        /* stack: N, the side of the padded square */
    float *square;   /* stack: [N][N] pixels before resizing */
    float *rows;     /* stack: [N][size], each row resized across */
    double *sums;    /* stack: [size], one output row being summed */
    float *pooled;   /* mrp: [size], one channel's max-pooled series */
    frontend *fe;    /* logmel: the front-end, */
    float *bands;    /* [size frames][size bands] of the last image, */
    long long bands_at; /* its position (image_build) or IMAGE_ANYWHERE, */
    int hop;         /* and the samples between frames */
};

int image_default_channels(image_kind kind) { return kind == IMAGE_MRP ? 3 : 1; }

const char *image_kind_name(image_kind kind)
{
    switch (kind) {
    case IMAGE_STACK: return "stack";
    case IMAGE_MRP: return "mrp";
    case IMAGE_LOGMEL: return "logmel";
    }
    return NULL;
}

image_kind image_kind_parse(const char *name)
{
    if (strcmp(name, "stack") == 0) return IMAGE_STACK;
    if (strcmp(name, "mrp") == 0) return IMAGE_MRP;
    if (strcmp(name, "logmel") == 0) return IMAGE_LOGMEL;
    return 0;
}

long image_floats(const image_params *p)
{
    return (long)p->channels * p->size * p->size;
}

/* The smallest N with N * N >= n. */
static int image_square_side(int n)
{
    int side = (int)sqrt((double)n);
    while ((long)side * side < n) side++;
    return side;
}

frontend_params image_logmel_frontend(const image_params *p, int sample_rate,
                                      int window_samples)
{
    frontend_params fp = {.kind = FRONTEND_LOGMEL,
                          .fft_size = IMAGE_LOGMEL_MIN_FFT, .mels = p->size,
                          .fmin = 0.0f, .fmax = 0.5f * (float)sample_rate};
    for (;;) {
        long span = (long)window_samples - fp.fft_size;
        if (span < 0) return fp;
        fp.frame = p->size == 1 ? 1 : (int)(span / (p->size - 1));
        if (fp.frame <= fp.fft_size) return fp;
        fp.fft_size *= 2;
    }
}

/* A logmel image of p against the window: room for its frames, and a
 * front-end frontend_check accepts at sample_rate. */
static irmas_status image_check_logmel(const image_params *p, int sample_rate,
                                       int window_samples, char *err,
                                       size_t errlen)
{
    frontend_params fp = image_logmel_frontend(p, sample_rate, window_samples);
    if (fp.frame < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image: a logmel image of %d frames of %d samples "
                           "needs a window of at least %d samples, not %d; "
                           "use a longer window or a smaller size", p->size,
                           IMAGE_LOGMEL_MIN_FFT,
                           IMAGE_LOGMEL_MIN_FFT + p->size - 1, window_samples);
    return frontend_check(&fp, sample_rate, err, errlen);
}

irmas_status image_check(const image_params *p, int sample_rate,
                         int window_samples, char *err, size_t errlen)
{
    const char *kind = image_kind_name(p->kind);
    if (!kind)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image.kind %d is unknown; use stack, mrp or "
                           "logmel", (int)p->kind);
    if (window_samples < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image: the window holds %d samples; it must hold "
                           "at least one", window_samples);
    if (p->size < 1 || p->size > IMAGE_MAX_SIZE)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image.size %d is out of range; use 1 to %d",
                           p->size, IMAGE_MAX_SIZE);
    if (p->kind != IMAGE_MRP && p->channels != 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image.channels is %d, but a %s image has one "
                           "channel", p->channels,
                           p->kind == IMAGE_STACK ? "stacked" : "logmel");
    if (p->channels < 1 || p->channels > IMAGE_MAX_CHANNELS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image.channels %d is out of range; use 1 to %d "
                           "resolutions", p->channels, IMAGE_MAX_CHANNELS);
    if (p->kind == IMAGE_MRP && (window_samples >> (p->channels - 1)) < p->size)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "image: the finest of %d resolutions covers %d of "
                           "the window's %d samples, fewer than the %d pixels "
                           "across; use a longer window, fewer channels or a "
                           "smaller size", p->channels,
                           window_samples >> (p->channels - 1), window_samples,
                           p->size);
    if (p->kind == IMAGE_LOGMEL)
        return image_check_logmel(p, sample_rate, window_samples, err,
                                  errlen);
    return IRMAS_OK;
}

irmas_status image_new(const image_params *p, int sample_rate,
                       int window_samples, image_builder **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    irmas_status st = image_check(p, sample_rate, window_samples, err, errlen);
    if (st) return st;
    image_builder *b = calloc(1, sizeof *b);
    if (!b) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "image: out of memory");
    b->p = *p;
    b->window_samples = window_samples;
    if (p->kind == IMAGE_STACK) {
        b->side = image_square_side(window_samples);
        b->square = malloc(sizeof *b->square * b->side * b->side);
        b->rows = malloc(sizeof *b->rows * b->side * p->size);
        b->sums = malloc(sizeof *b->sums * p->size);
        if (!b->square || !b->rows || !b->sums) goto nomem;
    } else if (p->kind == IMAGE_MRP) {
        b->pooled = malloc(sizeof *b->pooled * p->size);
        if (!b->pooled) goto nomem;
    } else {
        frontend_params fp = image_logmel_frontend(p, sample_rate,
                                                   window_samples);
        b->hop = fp.frame;
        b->bands_at = IMAGE_ANYWHERE;
        b->bands = malloc(sizeof *b->bands * p->size * p->size);
        if (!b->bands) goto nomem;
        st = frontend_new(&fp, sample_rate, &b->fe, err, errlen);
        if (st) {
            image_free(b);
            return st;
        }
    }
    *out = b;
    return IRMAS_OK;
nomem:
    image_free(b);
    return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                       "image: out of memory for a %d x %d image of %d samples",
                       p->size, p->size, window_samples);
}

void image_free(image_builder *b)
{
    if (!b) return;
    free(b->square);
    free(b->rows);
    free(b->sums);
    free(b->pooled);
    frontend_free(b->fe);
    free(b->bands);
    free(b);
}

/* dst[m] from src[n] by area averaging: output o covers the input interval
 * [o n/m, (o+1) n/m) and is the mean of what lies under it, each input
 * weighted by how much of it is covered. Each element is a run of `run`
 * floats, so one call resizes a row across (run 1) or a whole image down
 * (run = its width, rows added a whole row at a time). Sums are kept in
 * acc[run] in double, so a constant image stays exactly constant. */
static void image_area_resize(const float *src, int n, float *dst, int m,
                              int run, double *acc)
{
    double scale = (double)n / m;
    for (int o = 0; o < m; o++) {
        double from = o * scale, to = (o + 1) * scale;
        memset(acc, 0, sizeof *acc * run);
        for (int i = (int)from; i < n && i < to; i++) {
            double lo = i > from ? i : from, hi = i + 1 < to ? i + 1 : to;
            double weight = (hi - lo) / scale;
            const float *in = src + (long)i * run;
            for (int k = 0; k < run; k++) acc[k] += weight * in[k];
        }
        for (int k = 0; k < run; k++) dst[(long)o * run + k] = (float)acc[k];
    }
}

static void image_stack(image_builder *b, const float *samples, float *pixels)
{
    int side = b->side, size = b->p.size;
    long cells = (long)side * side;
    for (long i = 0; i < cells; i++)
        b->square[i] = 0.5f * (1.0f + (i < b->window_samples ? samples[i] : 0.0f));
    for (int r = 0; r < side; r++)
        image_area_resize(b->square + (long)r * side, side,
                          b->rows + (long)r * size, size, 1, b->sums);
    image_area_resize(b->rows, side, pixels, size, size, b->sums);
}

/* One MRP channel: the recurrence plot of `count` samples max-pooled to
 * size values, scaled so its largest distance is 1. */
static void image_mrp_channel(image_builder *b, const float *segment,
                              int count, float *plot)
{
    int size = b->p.size;
    for (int k = 0; k < size; k++) {
        long from = (long)k * count / size, to = (long)(k + 1) * count / size;
        float peak = segment[from];
        for (long i = from + 1; i < to; i++)
            if (segment[i] > peak) peak = segment[i];
        b->pooled[k] = peak;
    }
    float low = b->pooled[0], high = b->pooled[0];
    for (int k = 1; k < size; k++) {
        low = fminf(low, b->pooled[k]);
        high = fmaxf(high, b->pooled[k]);
    }
    /* the largest |x'[i] - x'[j]| is high - low */
    float scale = high > low ? 1.0f / (high - low) : 0.0f;
    for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++)
            plot[(long)i * size + j] =
                scale * fabsf(b->pooled[i] - b->pooled[j]);
}

/* Fills b->bands with the log-mel bands of the window at position, frame
 * by frame: from the last image's where it was of the same stream, a
 * whole number of frames earlier, and covered the frame; computed
 * otherwise. Frame t of the new image is frame t + shift of the last, so
 * going up in t reads each before it is overwritten. */
static void image_logmel_bands(image_builder *b, const float *samples,
                               long long position)
{
    int size = b->p.size;
    long long moved = position - b->bands_at, shift = -1;
    if (position != IMAGE_ANYWHERE && b->bands_at != IMAGE_ANYWHERE &&
        moved >= 0 && moved % b->hop == 0)
        shift = moved / b->hop;
    for (int t = 0; t < size; t++) {
        float *frame = b->bands + (long)t * size;
        if (shift >= 0 && t + shift < size) {
            if (shift > 0)
                memcpy(frame, frame + shift * size, sizeof *frame * size);
        } else {
            frontend_compute(b->fe, samples + (long)t * b->hop, frame);
        }
    }
    b->bands_at = position;
}

/* The log-mel spectrogram, frame t in column t, band k in row size-1-k,
 * each pixel its decibels above black, IMAGE_LOGMEL_RANGE_DB below the
 * loudest, over the range. Black is never below the front-end's floor,
 * so digital silence (every band at the floor) is exactly 0. */
static void image_logmel(image_builder *b, const float *samples,
                         long long position, float *pixels)
{
    int size = b->p.size;
    image_logmel_bands(b, samples, position);
    float loudest = -INFINITY;
    for (int t = 0; t < size; t++) {
        const float *frame = b->bands + (long)t * size;
        for (int k = 0; k < size; k++) {
            pixels[(long)(size - 1 - k) * size + t] = frame[k];
            loudest = fmaxf(loudest, frame[k]);
        }
    }
    /* bands are natural logs of power: 10 / ln 10 decibels each */
    const float decibels_per_unit = 10.0f / logf(10.0f);
    const float range = IMAGE_LOGMEL_RANGE_DB / decibels_per_unit;
    const float silence = logf(FRONTEND_LOGMEL_FLOOR);
    float black = loudest - range > silence ? loudest - range : silence;
    long n = (long)size * size;
    for (long i = 0; i < n; i++)
        pixels[i] = pixels[i] > black ? (pixels[i] - black) / range : 0.0f;
}

int image_frame_hop(const image_params *p, int sample_rate,
                    int window_samples)
{
    if (p->kind != IMAGE_LOGMEL) return 0;
    return image_logmel_frontend(p, sample_rate, window_samples).frame;
}

void image_build(image_builder *b, const float *samples, long long position,
                 float *pixels)
{
    if (b->p.kind == IMAGE_STACK) {
        image_stack(b, samples, pixels);
        return;
    }
    if (b->p.kind == IMAGE_LOGMEL) {
        image_logmel(b, samples, position, pixels);
        return;
    }
    long plane = (long)b->p.size * b->p.size;
    for (int c = 0; c < b->p.channels; c++) {
        int count = b->window_samples >> c;
        const float *segment = samples + (b->window_samples - count) / 2;
        image_mrp_channel(b, segment, count, pixels + c * plane);
    }
}
