/* testutil.h: what the Check suites share: a seeded random source, scratch
 * folders, and WAV files rendered by the tests themselves.
 */
#ifndef IRMAS_TESTUTIL_H
#define IRMAS_TESTUTIL_H

#include <check.h>
#include <stdint.h>

/* xorshift64*: the same numbers on every machine for the same seed. */
typedef struct {
    uint64_t s;
} tu_rng;

void tu_seed(tu_rng *r, uint64_t seed);
uint64_t tu_next(tu_rng *r);
/* Uniform in [lo, hi). */
float tu_uniform(tu_rng *r, float lo, float hi);
/* Fills x[0..n) uniformly in [lo, hi). */
void tu_fill(tu_rng *r, float *x, long n, float lo, float hi);

/* n new samples of noise in [-0.8, 0.8], the same for the same seed;
 * the caller frees them. */
float *tu_noise(long n, uint64_t seed);

/* Largest |a[i] - b[i]|. */
float tu_max_abs_diff(const float *a, const float *b, long n);

/* A new empty folder under $TMPDIR (or /tmp); the path is static storage
 * valid until the next call. */
const char *tu_tmpdir(const char *tag);

/* rm -r path: removes a folder tu_tmpdir made, and all in it. */
void tu_remove_tree(const char *path);

/* Writes channels x frames float samples (interleaved) as 16-bit PCM WAV.
 * Returns 0 on success. */
int tu_write_wav(const char *path, const float *interleaved, long frames,
                 int channels, int rate);

/* A sine of freq Hz at amplitude amp, frames samples at rate, into out. */
void tu_sine(float *out, long frames, int rate, float freq, float amp);

/* Runs suite s (Check's normal output), frees it, and returns the exit
 * status a test program ends with: EXIT_SUCCESS when nothing failed. */
int tu_run(Suite *s);

#endif
