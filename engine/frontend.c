/* frontend.c: the raw and log-mel front-ends, and the shape of the
 * pretrained one (see frontend.h).
 *
 * The raw front-end copies a frame's samples. The log-mel front-end keeps
 * everything a frame needs, made once in frontend_new: the Hann window, an
 * FFTW r2c plan over its own aligned buffers, and the mel filterbank stored
 * sparsely (each band's first bin, bin count and weights), because a
 * triangle covers only a few of the fft_size / 2 + 1 bins. frontend_compute
 * then only multiplies, transforms and sums; it never allocates.
 *
 * FFTW's planner is not thread-safe, so plan creation and destruction are
 * serialised by a mutex; executing a plan on its own buffers is safe.
 */
#include "frontend.h"

#include "fastmath.h"
#include "teacher_frontend.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOGMEL_MIN_FFT 16
#define LOGMEL_MAX_FFT (1 << 20)

struct frontend {
    frontend_params p;
    int frame_length, frame_hop, features;
    /* logmel only */
    float *hann;            /* [fft_size] */
    float *fft_in;          /* [fft_size] */
    fftwf_complex *fft_out; /* [fft_size / 2 + 1] */
    fftwf_plan plan;
    int *band_first;        /* [mels]: first bin of each triangle */
    int *band_bins;         /* [mels]: bins it covers */
    float *band_weights;    /* the triangles' weights, band after band */
};

static pthread_mutex_t frontend_planner_lock = PTHREAD_MUTEX_INITIALIZER;

const char *frontend_kind_name(frontend_kind kind)
{
    switch (kind) {
    case FRONTEND_RAW: return "raw";
    case FRONTEND_LOGMEL: return "logmel";
    case FRONTEND_EFFICIENTAT_MN04: return "efficientat-mn04";
    }
    return NULL;
}

static int params_frame_length(const frontend_params *p)
{
    return p->kind == FRONTEND_LOGMEL ? p->fft_size : p->frame;
}

int frontend_is_pretrained(const frontend_params *p)
{
    return p->kind == FRONTEND_EFFICIENTAT_MN04;
}

int frontend_params_features(const frontend_params *p)
{
    if (frontend_is_pretrained(p)) return FRONTEND_MN04_FEATURES;
    return p->kind == FRONTEND_LOGMEL ? p->mels : p->frame;
}

/* The teacher's stem and its four stride-2 blocks each halve the log-mel
 * frames, rounding up (kernel 3 or 5 with "same" padding): one column of
 * its last feature map per 32 frames. */
static int mn04_frames(int window_samples)
{
    return (teacher_frontend_frames(window_samples) + 31) / 32;
}

int frontend_params_frames(const frontend_params *p, int window_samples)
{
    if (frontend_is_pretrained(p)) return mn04_frames(window_samples);
    int length = params_frame_length(p);
    if (length <= 0 || p->frame <= 0 || window_samples < length) return 0;
    return 1 + (window_samples - length) / p->frame;
}

static int is_power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

static irmas_status check_logmel(const frontend_params *p, int sample_rate,
                                 char *err, size_t errlen)
{
    if (!is_power_of_two(p->fft_size) || p->fft_size < LOGMEL_MIN_FFT ||
        p->fft_size > LOGMEL_MAX_FFT)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "frontend.fft_size is %d; use a power of two from "
                           "%d to %d, e.g. 2048", p->fft_size, LOGMEL_MIN_FFT,
                           LOGMEL_MAX_FFT);
    if (p->frame <= 0 || p->frame > p->fft_size)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "frontend.frame (the hop) is %d; use 1 to fft_size "
                           "(%d) so no sample falls between frames",
                           p->frame, p->fft_size);
    if (p->mels <= 0 || p->mels > p->fft_size / 2 + 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "frontend.mels is %d; use 1 to %d (the bins of a "
                           "%d-point FFT)", p->mels, p->fft_size / 2 + 1,
                           p->fft_size);
    if (!(p->fmin >= 0.0f) || !(p->fmax > p->fmin) ||
        !(p->fmax <= 0.5f * (float)sample_rate))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "frontend.fmin %g Hz and fmax %g Hz must satisfy "
                           "0 <= fmin < fmax <= %g (half the sample rate)",
                           (double)p->fmin, (double)p->fmax,
                           0.5 * sample_rate);
    return IRMAS_OK;
}

irmas_status frontend_check(const frontend_params *p, int sample_rate,
                            char *err, size_t errlen)
{
    if (sample_rate <= 0)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "sample_rate is %d; it must be positive",
                           sample_rate);
    switch (p->kind) {
    case FRONTEND_RAW:
        if (p->frame <= 0)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "frontend.frame (|X_t|) is %d; it must be "
                               "positive", p->frame);
        return IRMAS_OK;
    case FRONTEND_LOGMEL:
        return check_logmel(p, sample_rate, err, errlen);
    case FRONTEND_EFFICIENTAT_MN04:
        if (sample_rate != FRONTEND_MN04_RATE)
            return status_fail(err, errlen, IRMAS_ERR_ARG,
                               "sample_rate is %d but the efficientat-mn04 "
                               "front-end reads %d Hz", sample_rate,
                               FRONTEND_MN04_RATE);
        return IRMAS_OK;
    }
    return status_fail(err, errlen, IRMAS_ERR_ARG,
                       "frontend.kind is %d; use %d (raw), %d (logmel) or %d "
                       "(efficientat-mn04)", (int)p->kind, FRONTEND_RAW,
                       FRONTEND_LOGMEL, FRONTEND_EFFICIENTAT_MN04);
}

static double hz_to_mel(double hz)
{
    return 2595.0 * log10(1.0 + hz / 700.0);
}

static double mel_to_hz(double mel)
{
    return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

/* Band centres sit at mels + 2 points evenly spaced in mel from fmin to
 * fmax, less the two ends: band b's is point b + 1. */
static double band_step(const frontend_params *p)
{
    return (hz_to_mel(p->fmax) - hz_to_mel(p->fmin)) / (p->mels + 1);
}

double frontend_band_position(const frontend_params *p, double hz)
{
    return (hz_to_mel(hz) - hz_to_mel(p->fmin)) / band_step(p) - 1.0;
}

double frontend_band_centre(const frontend_params *p, int band)
{
    return mel_to_hz(hz_to_mel(p->fmin) + band_step(p) * (band + 1));
}

float frontend_logmel_gain(float v, float power_ratio)
{
    float energy = expf(v) - FRONTEND_LOGMEL_FLOOR;
    if (energy < 0.0f) energy = 0.0f;
    return logf(FRONTEND_LOGMEL_FLOOR + energy * power_ratio);
}

/* Weight of fft bin frequency hz in the triangle rising from lo to centre
 * and falling to hi, scaled to unit area as Slaney does. */
static double mel_triangle(double hz, double lo, double centre, double hi)
{
    double rise = (hz - lo) / (centre - lo), fall = (hi - hz) / (hi - centre);
    double w = rise < fall ? rise : fall;
    return w > 0.0 ? w * 2.0 / (hi - lo) : 0.0;
}

/* Builds the sparse filterbank. A band's bins are those where its triangle
 * is positive: a contiguous run, possibly empty for narrow low bands. */
static irmas_status make_filterbank(frontend *f, int sample_rate)
{
    const frontend_params *p = &f->p;
    int bins = p->fft_size / 2 + 1;
    double mel_lo = hz_to_mel(p->fmin);
    double bin_hz = (double)sample_rate / p->fft_size;
    f->band_first = calloc((size_t)p->mels, sizeof *f->band_first);
    f->band_bins = calloc((size_t)p->mels, sizeof *f->band_bins);
    f->band_weights = calloc((size_t)p->mels * (size_t)bins, sizeof(float));
    if (!f->band_first || !f->band_bins || !f->band_weights)
        return IRMAS_ERR_NOMEM;

    float *w = f->band_weights;
    for (int b = 0; b < p->mels; b++) {
        double step = band_step(p);
        double lo = mel_to_hz(mel_lo + step * b);
        double centre = mel_to_hz(mel_lo + step * (b + 1));
        double hi = mel_to_hz(mel_lo + step * (b + 2));
        f->band_first[b] = bins;
        for (int k = 0; k < bins; k++) {
            double weight = mel_triangle(k * bin_hz, lo, centre, hi);
            if (weight <= 0.0) continue;
            if (f->band_bins[b] == 0) f->band_first[b] = k;
            *w++ = (float)weight;
            f->band_bins[b]++;
        }
    }
    return IRMAS_OK;
}

static irmas_status make_logmel(frontend *f, int sample_rate)
{
    int n = f->p.fft_size;
    f->hann = malloc((size_t)n * sizeof *f->hann);
    f->fft_in = fftwf_alloc_real((size_t)n);
    f->fft_out = fftwf_alloc_complex((size_t)n / 2 + 1);
    if (!f->hann || !f->fft_in || !f->fft_out) return IRMAS_ERR_NOMEM;
    for (int i = 0; i < n; i++) /* periodic, as for spectral analysis */
        f->hann[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / n));

    pthread_mutex_lock(&frontend_planner_lock);
    f->plan = fftwf_plan_dft_r2c_1d(n, f->fft_in, f->fft_out, FFTW_ESTIMATE);
    pthread_mutex_unlock(&frontend_planner_lock);
    if (!f->plan) return IRMAS_ERR_NOMEM;
    return make_filterbank(f, sample_rate);
}

irmas_status frontend_new(const frontend_params *p, int sample_rate,
                          frontend **out, char *err, size_t errlen)
{
    *out = NULL;
    irmas_status status = frontend_check(p, sample_rate, err, errlen);
    if (status != IRMAS_OK) return status;
    if (frontend_is_pretrained(p))
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the %s front-end reads whole windows (reader.h), "
                           "not frame by frame", frontend_kind_name(p->kind));

    frontend *f = calloc(1, sizeof *f);
    if (!f) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory creating the front-end");
    f->p = *p;
    f->frame_length = params_frame_length(p);
    f->frame_hop = p->frame;
    f->features = frontend_params_features(p);
    if (p->kind == FRONTEND_LOGMEL &&
        make_logmel(f, sample_rate) != IRMAS_OK) {
        frontend_free(f);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory creating a %d-point FFT front-end",
                           p->fft_size);
    }
    *out = f;
    return IRMAS_OK;
}

void frontend_free(frontend *f)
{
    if (!f) return;
    if (f->plan) {
        pthread_mutex_lock(&frontend_planner_lock);
        fftwf_destroy_plan(f->plan);
        pthread_mutex_unlock(&frontend_planner_lock);
    }
    fftwf_free(f->fft_in);
    fftwf_free(f->fft_out);
    free(f->hann);
    free(f->band_first);
    free(f->band_bins);
    free(f->band_weights);
    free(f);
}

int frontend_frame_length(const frontend *f) { return f->frame_length; }
int frontend_frame_hop(const frontend *f) { return f->frame_hop; }
int frontend_features(const frontend *f) { return f->features; }

int frontend_frames(const frontend *f, int window_samples)
{
    return frontend_params_frames(&f->p, window_samples);
}

/* sum_k w[k] x[k] over n terms, in BAND_LANES running sums added up at
 * the end, so the compiler makes vector code of it and no addition waits
 * for the one before; the order is fixed, so every machine gets the same
 * bits. */
#define BAND_LANES 8
static float band_energy(const float *w, const float *x, int n)
{
    float lane[BAND_LANES] = {0};
    int k = 0;
    for (; k + BAND_LANES <= n; k += BAND_LANES)
        for (int i = 0; i < BAND_LANES; i++) lane[i] += w[k + i] * x[k + i];
    for (int i = 0; k < n; k++, i++) lane[i] += w[k] * x[k];
    float sum = 0.0f;
    for (int i = 0; i < BAND_LANES; i++) sum += lane[i];
    return sum;
}

static void logmel_compute(frontend *f, const float *samples, float *features)
{
    int n = f->p.fft_size;
    for (int i = 0; i < n; i++) f->fft_in[i] = samples[i] * f->hann[i];
    fftwf_execute(f->plan);

    /* The power spectrum overwrites the (now unused) input buffer. */
    float *power = f->fft_in;
    for (int k = 0; k <= n / 2; k++) {
        float re = f->fft_out[k][0], im = f->fft_out[k][1];
        power[k] = re * re + im * im;
    }
    const float *w = f->band_weights;
    for (int b = 0; b < f->p.mels; b++) {
        features[b] = band_energy(w, power + f->band_first[b],
                                  f->band_bins[b]);
        w += f->band_bins[b];
    }
    for (int b = 0; b < f->p.mels; b++)
        features[b] = fast_logf(FRONTEND_LOGMEL_FLOOR + features[b]);
}

void frontend_compute(frontend *f, const float *samples, float *features)
{
    if (f->p.kind == FRONTEND_LOGMEL)
        logmel_compute(f, samples, features);
    else
        memcpy(features, samples, (size_t)f->frame_length * sizeof *features);
}
