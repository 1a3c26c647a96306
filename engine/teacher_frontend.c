/* teacher_frontend.c: see teacher_frontend.h. */
#include "teacher_frontend.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FFT_SIZE 1024
#define BINS (FFT_SIZE / 2 + 1)
#define WINDOW_LENGTH 800
#define WINDOW_START ((FFT_SIZE - WINDOW_LENGTH) / 2) /* zeros before it */
#define PAD (FFT_SIZE / 2)
#define FMAX 15000.0

/* FFTW's planner is not thread-safe. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

struct teacher_frontend {
    double window[FFT_SIZE];         /* the Hann window, zero outside */
    double filters[TEACHER_MELS][BINS];
    int first[TEACHER_MELS], end[TEACHER_MELS]; /* each band's nonzero bins */
    double *fft_in;                  /* [FFT_SIZE] */
    fftw_complex *fft_out;           /* [BINS] */
    double power[BINS];
    fftw_plan plan;
};

int teacher_frontend_frames(long n)
{
    return n < TEACHER_MIN_SAMPLES ? 0 : (int)(1 + (n - 2) / TEACHER_HOP);
}

/* Hz on the Kaldi mel scale. */
static double kaldi_mel(double hz) { return 1127.0 * log(1.0 + hz / 700.0); }

/* The Kaldi filter bank: band b rises from mel lo + b delta to its centre
 * one delta higher and falls to zero one delta later; the last bin
 * (Nyquist) is left out, as EfficientAT pads it with a zero. */
static void make_filters(teacher_frontend *f)
{
    double mel_lo = kaldi_mel(0.0), mel_hi = kaldi_mel(FMAX);
    double delta = (mel_hi - mel_lo) / (TEACHER_MELS + 1);
    double bin_hz = (double)TEACHER_SAMPLE_RATE / FFT_SIZE;
    for (int b = 0; b < TEACHER_MELS; b++) {
        double left = mel_lo + b * delta, centre = left + delta,
               right = centre + delta;
        for (int k = 0; k < BINS; k++) {
            double mel = kaldi_mel(k * bin_hz);
            double up = (mel - left) / (centre - left);
            double down = (right - mel) / (right - centre);
            double w = up < down ? up : down;
            f->filters[b][k] = k < BINS - 1 && w > 0.0 ? w : 0.0;
        }
        f->first[b] = BINS;
        for (int k = 0; k < BINS; k++)
            if (f->filters[b][k] > 0.0) {
                if (f->first[b] == BINS) f->first[b] = k;
                f->end[b] = k + 1;
            }
    }
}

irmas_status teacher_frontend_new(teacher_frontend **out, char *err,
                                  size_t errlen)
{
    *out = NULL;
    teacher_frontend *f = calloc(1, sizeof *f);
    if (f) {
        f->fft_in = fftw_alloc_real(FFT_SIZE);
        f->fft_out = fftw_alloc_complex(BINS);
    }
    if (f && f->fft_in && f->fft_out) {
        memset(f->fft_in, 0, FFT_SIZE * sizeof *f->fft_in);
        pthread_mutex_lock(&planner_lock);
        f->plan = fftw_plan_dft_r2c_1d(FFT_SIZE, f->fft_in, f->fft_out,
                                       FFTW_ESTIMATE);
        pthread_mutex_unlock(&planner_lock);
    }
    if (!f || !f->plan) {
        teacher_frontend_free(f);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "out of memory creating the teacher's front-end");
    }
    for (int i = 0; i < WINDOW_LENGTH; i++)
        f->window[WINDOW_START + i] =
            0.5 - 0.5 * cos(2.0 * M_PI * i / (WINDOW_LENGTH - 1));
    make_filters(f);
    *out = f;
    return IRMAS_OK;
}

void teacher_frontend_free(teacher_frontend *f)
{
    if (!f) return;
    if (f->plan) {
        pthread_mutex_lock(&planner_lock);
        fftw_destroy_plan(f->plan);
        pthread_mutex_unlock(&planner_lock);
    }
    fftw_free(f->fft_in);
    fftw_free(f->fft_out);
    free(f);
}

/* The pre-emphasised sample i of y[0..length), reflected at both ends. */
static double emphasised(const float *x, long length, long i)
{
    if (i < 0) i = -i;
    if (i >= length) i = 2 * (length - 1) - i;
    return x[i + 1] - 0.97f * x[i];
}

void teacher_frontend_compute(teacher_frontend *f, const float *samples,
                              long n, float *logmel)
{
    long length = n - 1;
    int frames = teacher_frontend_frames(n);
    for (int t = 0; t < frames; t++) {
        long start = (long)t * TEACHER_HOP - PAD + WINDOW_START;
        double *in = f->fft_in + WINDOW_START;
        const double *window = f->window + WINDOW_START;
        if (start >= 0 && start + WINDOW_LENGTH <= length) {
            /* No reflection: one loop the compiler vectorises. */
            const float *x = samples + start;
            for (int i = 0; i < WINDOW_LENGTH; i++)
                in[i] = window[i] * (x[i + 1] - 0.97f * x[i]);
        } else {
            for (int i = 0; i < WINDOW_LENGTH; i++)
                in[i] = window[i] * emphasised(samples, length, start + i);
        }
        fftw_execute(f->plan);
        for (int k = 0; k < BINS; k++)
            f->power[k] = f->fft_out[k][0] * f->fft_out[k][0] +
                          f->fft_out[k][1] * f->fft_out[k][1];
        for (int b = 0; b < TEACHER_MELS; b++) {
            double energy = 0.0;
            for (int k = f->first[b]; k < f->end[b]; k++)
                energy += f->filters[b][k] * f->power[k];
            logmel[(long)b * frames + t] =
                (float)((log(energy + 1e-5) + 4.5) / 5.0);
        }
    }
}
