/* teacher_frontend.h: the log-mel front-end of the AudioSet teacher
 * (teacher.h), exactly as EfficientAT computes it, shared by every tool
 * that runs the teacher.
 *
 * 32 kHz mono samples x[0..n) become
 *   pre-emphasis  y[i] = x[i+1] - 0.97 x[i], i < n - 1 (in float, as the
 *                 original does);
 *   STFT          1024-point frames every 320 samples of y, centred (frame t
 *                 is centred on y[320 t], reflect padding of 512 at both
 *                 ends), a symmetric 800-point Hann window
 *                 0.5 - 0.5 cos(2 pi i / 799) centred in the 1024 points;
 *   power         |X_k|^2 for the 513 bins;
 *   mel           128 triangular filters from 0 to 15000 Hz, equally spaced
 *                 on the Kaldi mel scale mel(f) = 1127 ln(1 + f / 700), each
 *                 weight max(0, min(up, down)) of the bin's mel position
 *                 (torchaudio.compliance.kaldi.get_mel_banks), bin 512
 *                 weight 0;
 *   scaling       (ln(mel + 1e-5) + 4.5) / 5.
 * n samples give 1 + (n - 2) / 320 frames: 300 for 3 s. The transform is
 * computed in double (FFTW) and stored as float.
 */
#ifndef IRMAS_TEACHER_FRONTEND_H
#define IRMAS_TEACHER_FRONTEND_H

#include "status.h"

#define TEACHER_SAMPLE_RATE 32000
#define TEACHER_MELS 128
#define TEACHER_HOP 320
/* Reflect padding needs more pre-emphasised samples than the padding. */
#define TEACHER_MIN_SAMPLES 514

typedef struct teacher_frontend teacher_frontend;

/* Frames for n samples at 32 kHz, or 0 when n < TEACHER_MIN_SAMPLES. */
int teacher_frontend_frames(long n);

/* Creates the FFTW plan, window and filter bank; nothing allocates after
 * this. The plan is made under a lock, so threads may create front-ends
 * at once. */
irmas_status teacher_frontend_new(teacher_frontend **out, char *err,
                                  size_t errlen);
void teacher_frontend_free(teacher_frontend *f);

/* logmel[TEACHER_MELS][frames] (band-major, frames =
 * teacher_frontend_frames(n)) from samples[0..n), n >= TEACHER_MIN_SAMPLES.
 * Uses the front-end's buffers: one front-end per thread. */
void teacher_frontend_compute(teacher_frontend *f, const float *samples,
                              long n, float *logmel);

#endif
