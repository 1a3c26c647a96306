/* convolve.c: one-shot FFT convolution, mono in, stereo out. */
#include "convolve.h"

#include <fftw3.h>
#include <pthread.h>
#include <string.h>

static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

/* The smallest size >= n whose only prime factors are 2, 3 and 5. */
static long convolve_size(long n)
{
    for (long size = n > 1 ? n : 1;; size++) {
        long m = size;
        for (int p = 2; p <= 5; p++)
            while (m % p == 0) m /= p;
        if (m == 1) return size;
    }
}

typedef struct {
    long size;
    float *real;              /* size samples */
    fftwf_complex *x, *prod;  /* size / 2 + 1 bins */
    fftwf_plan forward, backward;
} fft_work;

static void work_free(fft_work *w)
{
    pthread_mutex_lock(&planner_lock);
    if (w->forward) fftwf_destroy_plan(w->forward);
    if (w->backward) fftwf_destroy_plan(w->backward);
    pthread_mutex_unlock(&planner_lock);
    fftwf_free(w->real);
    fftwf_free(w->x);
    fftwf_free(w->prod);
}

static int work_init(fft_work *w, long size)
{
    *w = (fft_work){.size = size};
    long bins = size / 2 + 1;
    w->real = fftwf_alloc_real((size_t)size);
    w->x = fftwf_alloc_complex((size_t)bins);
    w->prod = fftwf_alloc_complex((size_t)bins);
    if (w->real && w->x && w->prod) {
        pthread_mutex_lock(&planner_lock);
        w->forward = fftwf_plan_dft_r2c_1d((int)size, w->real, w->x, FFTW_ESTIMATE);
        w->backward = fftwf_plan_dft_c2r_1d((int)size, w->prod, w->real, FFTW_ESTIMATE);
        pthread_mutex_unlock(&planner_lock);
    }
    if (w->forward && w->backward) return 0;
    work_free(w);
    return -1;
}

/* Transforms n samples, zero-padded, into out. */
static void transform(fft_work *w, const float *in, long n, fftwf_complex *out)
{
    memcpy(w->real, in, (size_t)n * sizeof *in);
    memset(w->real + n, 0, (size_t)(w->size - n) * sizeof *w->real);
    fftwf_execute_dft_r2c(w->forward, w->real, out);
}

static void convolve_channel(fft_work *w, const float *h, long m, long n,
                             float gain, float *out)
{
    transform(w, h, m, w->prod);
    long bins = w->size / 2 + 1;
    for (long k = 0; k < bins; k++) {
        float re = w->x[k][0] * w->prod[k][0] - w->x[k][1] * w->prod[k][1];
        float im = w->x[k][0] * w->prod[k][1] + w->x[k][1] * w->prod[k][0];
        w->prod[k][0] = re;
        w->prod[k][1] = im;
    }
    fftwf_execute_dft_c2r(w->backward, w->prod, w->real);
    float scale = gain / (float)w->size; /* FFTW's inverse is unnormalised */
    for (long i = 0; i < n; i++) out[i] += scale * w->real[i];
}

irmas_status convolve_add(const float *x, long n, const float *h_left,
                          const float *h_right, long m, float gain,
                          float *left, float *right)
{
    if (n <= 0 || m <= 0) return IRMAS_ERR_ARG;
    fft_work w;
    if (work_init(&w, convolve_size(n + m - 1)) != 0) return IRMAS_ERR_NOMEM;
    transform(&w, x, n, w.x);
    convolve_channel(&w, h_left, m, n, gain, left);
    convolve_channel(&w, h_right, m, n, gain, right);
    work_free(&w);
    return IRMAS_OK;
}
