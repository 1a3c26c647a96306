/* testutil.c: see testutil.h. */
#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void tu_seed(tu_rng *r, uint64_t seed) { r->s = seed ? seed : 0x9e3779b97f4a7c15u; }

uint64_t tu_next(tu_rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717u;
}

float tu_uniform(tu_rng *r, float lo, float hi)
{
    double u = (double)(tu_next(r) >> 11) / 9007199254740992.0;
    return lo + (float)u * (hi - lo);
}

void tu_fill(tu_rng *r, float *x, long n, float lo, float hi)
{
    for (long i = 0; i < n; i++) x[i] = tu_uniform(r, lo, hi);
}

float *tu_noise(long n, uint64_t seed)
{
    float *x = malloc((size_t)n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    tu_rng rng;
    tu_seed(&rng, seed);
    tu_fill(&rng, x, n, -0.8f, 0.8f);
    return x;
}

float tu_max_abs_diff(const float *a, const float *b, long n)
{
    float worst = 0.0f;
    for (long i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]);
        if (!(d <= worst)) worst = d; /* NaN counts as the worst */
    }
    return worst;
}

const char *tu_tmpdir(const char *tag)
{
    static char path[512];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/irmas-%s-XXXXXX", base ? base : "/tmp", tag);
    if (!mkdtemp(path)) return NULL;
    return path;
}

static int remove_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

void tu_remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int tu_write_wav(const char *path, const float *interleaved, long frames,
                 int channels, int rate)
{
    SF_INFO info = {.samplerate = rate, .channels = channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    if (!f) return -1;
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_count_t written = sf_writef_float(f, interleaved, frames);
    return sf_close(f) == 0 && written == frames ? 0 : -1;
}

void tu_sine(float *out, long frames, int rate, float freq, float amp)
{
    for (long i = 0; i < frames; i++)
        out[i] = amp * sinf(2.0f * (float)M_PI * freq * (float)i / (float)rate);
}

int tu_run(Suite *s)
{
    SRunner *runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
