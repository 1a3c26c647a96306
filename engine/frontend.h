/* frontend.h: what turns audio samples into the frames a model reads.
 *
 * Every front-end reads frames of frame_length samples that start every
 * frame_hop samples, and turns each into `features` floats:
 *   raw    the study's input: |X_t| samples per timestep, used as they are
 *          (frame_length = frame_hop = |X_t|, features = |X_t|);
 *   logmel log-magnitude mel spectrum of a Hann-windowed frame computed with
 *          FFTW (frame_length = fft_size, frame_hop = hop, features = mels).
 *          The window is the periodic Hann window, the spectrum is the power
 *          |X_k|^2 of the unnormalised DFT, the filters are triangles on the
 *          HTK mel scale (mel = 2595 log10(1 + f / 700)) with Slaney's area
 *          normalisation (librosa.filters.mel(htk=True), norm 'slaney'), and
 *          each band becomes log(FRONTEND_LOGMEL_FLOOR + energy), natural
 *          log, so silence gives a finite floor of about -23.
 *   efficientat-mn04
 *          a pretrained front-end: the AudioSet teacher (teacher.h) run on
 *          the whole window at 32 kHz, its last feature map pooled over
 *          frequency only, so each frame is a 384-d embedding of 32 of the
 *          teacher's 10 ms log-mel frames (0.32 s), rounded up at the end.
 *          Its weights are third-party data outside the model file, which
 *          holds only their CRC-32 (checksum); pretrained.h finds and
 *          checks them. It has no per-frame computation: reader.h runs it.
 * A raw or logmel window of N samples holds 1 + (N - frame_length) /
 * frame_hop frames, with no padding, so a window's frames are exactly the stream's frames that fall
 * inside it: that is what lets the streaming classifier share them.
 */
#ifndef IRMAS_FRONTEND_H
#define IRMAS_FRONTEND_H

#include "status.h"

typedef enum {
    FRONTEND_RAW = 1,
    FRONTEND_LOGMEL = 2,
    FRONTEND_EFFICIENTAT_MN04 = 3
} frontend_kind;

/* The energy a logmel band adds before its log: silence gives
 * log(FRONTEND_LOGMEL_FLOOR). */
#define FRONTEND_LOGMEL_FLOOR 1e-10f

/* The efficientat-mn04 front-end's rate and features per frame. */
#define FRONTEND_MN04_RATE 32000
#define FRONTEND_MN04_FEATURES 384

typedef struct {
    frontend_kind kind;
    int frame;      /* raw: |X_t|; logmel: hop between frames, in samples */
    int fft_size;   /* logmel: samples per frame (a power of two) */
    int mels;       /* logmel: mel bands */
    float fmin;     /* logmel: lowest band edge, Hz */
    float fmax;     /* logmel: highest band edge, Hz (<= sample_rate / 2) */
    unsigned checksum; /* efficientat-mn04: CRC-32 of its weights.f32 */
} frontend_params;

typedef struct frontend frontend;

/* Checks p against sample_rate without creating anything; the message names
 * the field that is wrong ("frontend.fft_size ..."). frontend_new and
 * model_validate both use it. */
irmas_status frontend_check(const frontend_params *p, int sample_rate,
                            char *err, size_t errlen);

/* The shape p gives, without creating a front-end: features per frame, and
 * frames in a window of window_samples samples (0 if it is too short). */
int frontend_params_features(const frontend_params *p);
int frontend_params_frames(const frontend_params *p, int window_samples);

/* Where frequency hz falls among a logmel front-end's bands, counted in
 * bands: b where band b's centre is hz, fractional between two centres
 * (below 0 under the first centre, above mels - 1 over the last). */
double frontend_band_position(const frontend_params *p, double hz);

/* The centre frequency of a logmel front-end's band b, in Hz. */
double frontend_band_centre(const frontend_params *p, int band);

/* The value a logmel band of value v would have had with its audio's
 * power multiplied by power_ratio (10^(dB / 10)): the band's energy times
 * the ratio, under the same floor as frontend_compute, so an example can
 * be made quieter or louder after its frames were computed. */
float frontend_logmel_gain(float v, float power_ratio);

/* 1 if p is a pretrained front-end (efficientat-mn04): one that reads the
 * whole window at once, through reader.h, and never through frontend_new. */
int frontend_is_pretrained(const frontend_params *p);

/* Checks p against sample_rate and creates a front-end (FFTW plans and
 * buffers included); nothing allocates after this. A pretrained front-end
 * is refused (IRMAS_ERR_ARG): it has no frame-by-frame form. */
irmas_status frontend_new(const frontend_params *p, int sample_rate,
                          frontend **out, char *err, size_t errlen);
void frontend_free(frontend *f);

int frontend_frame_length(const frontend *f);
int frontend_frame_hop(const frontend *f);
int frontend_features(const frontend *f);

/* Frames in a window of window_samples samples (0 if it is too short). */
int frontend_frames(const frontend *f, int window_samples);

/* features[0..features) for the frame_length samples at samples. Uses the
 * front-end's own buffers: one frontend per thread. */
void frontend_compute(frontend *f, const float *samples, float *features);

/* "raw", "logmel" or "efficientat-mn04", or NULL. */
const char *frontend_kind_name(frontend_kind kind);

#endif
