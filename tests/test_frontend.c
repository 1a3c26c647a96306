/* test_frontend.c: the raw and log-mel front-ends.
 *
 * The log-mel front-end is checked against a reference written here from
 * its definition in frontend.h, in double precision with an O(n^2) DFT, so
 * the FFT, the window, the filterbank and the log are all tested at once.
 */
#include "frontend.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double ref_hz_to_mel(double hz)
{
    return 2595.0 * log10(1.0 + hz / 700.0);
}

static double ref_mel_to_hz(double mel)
{
    return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

/* log(1e-10 + sum_k weight_b(k) |DFT_k|^2) of the Hann-windowed frame. */
static void ref_logmel(const frontend_params *p, int rate, const float *x,
                       double *out)
{
    int n = p->fft_size, bins = n / 2 + 1;
    double *power = calloc((size_t)bins, sizeof *power);
    for (int k = 0; k < bins; k++) {
        double re = 0.0, im = 0.0;
        for (int i = 0; i < n; i++) {
            double hann = 0.5 - 0.5 * cos(2.0 * M_PI * i / n);
            double angle = -2.0 * M_PI * (double)k * i / n;
            re += hann * x[i] * cos(angle);
            im += hann * x[i] * sin(angle);
        }
        power[k] = re * re + im * im;
    }
    double lo = ref_hz_to_mel(p->fmin), hi = ref_hz_to_mel(p->fmax);
    for (int b = 0; b < p->mels; b++) {
        double f0 = ref_mel_to_hz(lo + (hi - lo) * b / (p->mels + 1));
        double f1 = ref_mel_to_hz(lo + (hi - lo) * (b + 1) / (p->mels + 1));
        double f2 = ref_mel_to_hz(lo + (hi - lo) * (b + 2) / (p->mels + 1));
        double energy = 0.0;
        for (int k = 0; k < bins; k++) {
            double f = (double)k * rate / n;
            double w = f <= f1 ? (f - f0) / (f1 - f0) : (f2 - f) / (f2 - f1);
            if (w > 0.0) energy += w * 2.0 / (f2 - f0) * power[k];
        }
        out[b] = log(1e-10 + energy);
    }
    free(power);
}

static frontend *make(const frontend_params *p, int rate)
{
    char err[256] = "";
    frontend *f;
    ck_assert_msg(frontend_new(p, rate, &f, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    return f;
}

START_TEST(raw_copies_samples)
{
    frontend_params p = {.kind = FRONTEND_RAW, .frame = 25};
    frontend *f = make(&p, 8000);
    ck_assert_int_eq(frontend_frame_length(f), 25);
    ck_assert_int_eq(frontend_frame_hop(f), 25);
    ck_assert_int_eq(frontend_features(f), 25);
    ck_assert_int_eq(frontend_frames(f, 100), 4);
    ck_assert_int_eq(frontend_frames(f, 124), 4); /* no padding */
    ck_assert_int_eq(frontend_frames(f, 24), 0);
    float x[25], out[25];
    tu_rng rng;
    tu_seed(&rng, 1);
    tu_fill(&rng, x, 25, -1.0f, 1.0f);
    frontend_compute(f, x, out);
    ck_assert_float_eq(tu_max_abs_diff(x, out, 25), 0.0f);
    ck_assert_str_eq(frontend_kind_name(FRONTEND_RAW), "raw");
    frontend_free(f);
}
END_TEST

START_TEST(logmel_matches_dft_reference)
{
    /* Two shapes: the one the tests stream with, and a larger one with
     * narrow low bands that cover no bin at all. */
    frontend_params shapes[] = {
        {.kind = FRONTEND_LOGMEL, .frame = 128, .fft_size = 256, .mels = 20,
         .fmin = 50.0f, .fmax = 4000.0f},
        {.kind = FRONTEND_LOGMEL, .frame = 256, .fft_size = 256, .mels = 128,
         .fmin = 0.0f, .fmax = 11025.0f},
    };
    int rates[] = {8000, 22050};
    for (int s = 0; s < 2; s++) {
        const frontend_params *p = &shapes[s];
        frontend *f = make(p, rates[s]);
        ck_assert_int_eq(frontend_frame_length(f), p->fft_size);
        ck_assert_int_eq(frontend_frame_hop(f), p->frame);
        ck_assert_int_eq(frontend_features(f), p->mels);
        ck_assert_int_eq(frontend_frames(f, 4000),
                         1 + (4000 - p->fft_size) / p->frame);
        float *x = malloc((size_t)p->fft_size * sizeof *x);
        float out[128];
        double want[128];
        tu_rng rng;
        tu_seed(&rng, 10 + s);
        tu_fill(&rng, x, p->fft_size, -0.5f, 0.5f);
        frontend_compute(f, x, out);
        ref_logmel(p, rates[s], x, want);
        for (int b = 0; b < p->mels; b++)
            ck_assert_msg(fabs(out[b] - want[b]) < 1e-3,
                          "shape %d band %d: %g, reference %g", s, b,
                          (double)out[b], want[b]);
        free(x);
        frontend_free(f);
    }
}
END_TEST

START_TEST(logmel_sine_peaks_in_its_band)
{
    frontend_params p = {.kind = FRONTEND_LOGMEL, .frame = 512,
                         .fft_size = 2048, .mels = 40, .fmin = 0.0f,
                         .fmax = 22050.0f};
    frontend *f = make(&p, 44100);
    float x[2048], out[40];
    tu_sine(x, 2048, 44100, 1000.0f, 0.5f);
    frontend_compute(f, x, out);
    int best = 0;
    for (int b = 1; b < 40; b++) best = out[b] > out[best] ? b : best;
    /* Band b's centre is the (b + 1)th of 41 equal mel steps. */
    double step = ref_hz_to_mel(22050.0) / 41;
    double centre = ref_mel_to_hz(step * (best + 1));
    ck_assert_msg(fabs(ref_hz_to_mel(centre) - ref_hz_to_mel(1000.0)) <= step,
                  "a 1 kHz sine peaks in band %d, centred at %g Hz", best,
                  centre);

    memset(x, 0, sizeof x); /* silence gives the documented floor */
    frontend_compute(f, x, out);
    for (int b = 0; b < 40; b++)
        ck_assert_float_eq_tol(out[b], logf(1e-10f), 1e-4f);
    frontend_free(f);
}
END_TEST

static void expect_rejected(frontend_params p, int rate, const char *field)
{
    char err[256] = "";
    frontend_params raw = {.kind = FRONTEND_RAW, .frame = 4};
    frontend *other = make(&raw, 8000), *f = other; /* must become NULL */
    ck_assert_int_eq(frontend_new(&p, rate, &f, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_null(f);
    frontend_free(other);
    ck_assert_msg(strstr(err, field), "message '%s' does not name %s", err,
                  field);
    ck_assert_int_eq(frontend_check(&p, rate, NULL, 0), IRMAS_ERR_ARG);
}

START_TEST(rejects_bad_params)
{
    frontend_params good = {.kind = FRONTEND_LOGMEL, .frame = 512,
                            .fft_size = 2048, .mels = 40, .fmin = 20.0f,
                            .fmax = 8000.0f};
    frontend_params p = good;
    p.fft_size = 1000;
    expect_rejected(p, 44100, "fft_size");
    p = good;
    p.frame = 0;
    expect_rejected(p, 44100, "frame");
    p.frame = 4096; /* a hop past the frame would skip samples */
    expect_rejected(p, 44100, "frame");
    p = good;
    p.mels = 0;
    expect_rejected(p, 44100, "mels");
    p = good;
    p.fmax = 30000.0f;
    expect_rejected(p, 44100, "fmax");
    p = good;
    p.fmin = 9000.0f;
    expect_rejected(p, 44100, "fmin");
    p = good;
    p.fmax = NAN;
    expect_rejected(p, 44100, "fmax");
    expect_rejected(good, 0, "sample_rate");
    p = good;
    p.kind = (frontend_kind)7;
    expect_rejected(p, 44100, "kind");
    frontend_params raw = {.kind = FRONTEND_RAW, .frame = 0};
    expect_rejected(raw, 44100, "frame");
    ck_assert_ptr_null(frontend_kind_name((frontend_kind)7));
}
END_TEST

START_TEST(params_shape_without_a_frontend)
{
    frontend_params p = {.kind = FRONTEND_LOGMEL, .frame = 512,
                         .fft_size = 2048, .mels = 40, .fmin = 20.0f,
                         .fmax = 8000.0f};
    ck_assert_int_eq(frontend_params_features(&p), 40);
    ck_assert_int_eq(frontend_params_frames(&p, 132300), 255);
    ck_assert_int_eq(frontend_params_frames(&p, 2047), 0);
    frontend_params raw = {.kind = FRONTEND_RAW, .frame = 100};
    ck_assert_int_eq(frontend_params_features(&raw), 100);
    ck_assert_int_eq(frontend_params_frames(&raw, 132300), 1323);
}
END_TEST

static Suite *frontend_suite(void)
{
    Suite *s = suite_create("frontend");
    TCase *tc = tcase_create("frontend");
    tcase_add_test(tc, raw_copies_samples);
    tcase_add_test(tc, logmel_matches_dft_reference);
    tcase_add_test(tc, logmel_sine_peaks_in_its_band);
    tcase_add_test(tc, rejects_bad_params);
    tcase_add_test(tc, params_shape_without_a_frontend);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(frontend_suite());
}
