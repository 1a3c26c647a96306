/* image.h: the ways of turning a window of audio into an image for a CNN:
 * the study's two (section III-F and III-G, and IV-C and IV-D) and the
 * log-mel spectrogram.
 *
 *   stack  the window is zero-padded to the next perfect square N*N, laid
 *          out row by row (samples 0..N-1 are the top row), and resized to
 *          size x size by area averaging: each output pixel is the mean of
 *          the input pixels it covers, weighted by how much of each it
 *          covers (OpenCV's INTER_AREA). That is the right filter for the
 *          study's case, shrinking 364 x 364 (3 s at 44.1 kHz) to 150 x 150;
 *          when enlarging it repeats pixels. One channel.
 *   mrp    a multiresolution recurrence plot after Park and Lee, one
 *          channel per resolution. Channel c covers the centred 1/2^c of the
 *          window (channel 0 the whole window, channel 1 its middle half,
 *          ...); that segment is cut into `size` equal blocks (to a sample),
 *          each block max-pooled to one value x'[k] (its largest sample), and
 *          the channel is the recurrence plot R[i][j] = |x'[i] - x'[j]| of
 *          those values. Pooling the series before the plot is what the
 *          study's own scripts do (TensorFlow 1-D max pooling); it keeps the
 *          plot's defining properties (R symmetric, zero diagonal) and costs
 *          O(window + size^2) rather than O(window^2). Long segments show
 *          slow changes of the envelope, short ones fast ones, which is why
 *          the study wants several.
 *   logmel the window's log-mel spectrogram (frontend.h's logmel, the same
 *          filters and FFT): `size` frames spread evenly from the window's
 *          start to its end (the hop is (window - fft) / (size - 1)
 *          samples, rounded down), each of fft samples, the smallest power
 *          of two of at least IMAGE_LOGMEL_MIN_FFT that leaves no sample
 *          between frames (4096 for 64 frames of 3 s at 44.1 kHz),
 *          across, and `size` mel bands from 0 Hz to half the sample rate,
 *          the highest at the top, so the picture reads like a
 *          spectrogram. One channel. Each pixel is its band's level in
 *          decibels below the loudest pixel of the image, mapped from
 *          -IMAGE_LOGMEL_RANGE_DB .. 0 dB onto 0 .. 1 (quieter is 0): the
 *          image does not change when the window is played louder or
 *          quieter, so a CNN reading it names an instrument whatever the
 *          input's level. The loudest pixel is taken as at least
 *          IMAGE_LOGMEL_RANGE_DB above the front-end's floor, so a silent
 *          window is all 0.
 *
 * Pixel values, and what irmas-image writes as 0..255 grey, lie in [0, 1].
 * For samples in [-1, 1] (the study's normalisation), a stack pixel is
 * (1 + x) / 2, so silence and the padding are mid-grey; its scale is fixed,
 * so a quiet window gives a faint image, and a model that wants loudness
 * not to matter scales each window to peak 1 first (NORM_PEAK in model.h).
 * An MRP channel is R divided by its own largest value, so its strongest
 * recurrence distance is white, as in the study's plots, which were saved
 * as full-range images. Without it a sustained note's plot is nearly black:
 * its block maxima differ by a few hundredths, and a CNN reading such
 * faint input does not learn (measured: cnn-b1 stayed at chance for three
 * epochs). A constant segment (silence) stays black.
 *
 * Images are planar, [channels][size][size], row-major: the layout conv2d.h
 * reads.
 */
#ifndef IRMAS_IMAGE_H
#define IRMAS_IMAGE_H

#include "frontend.h"
#include "status.h"

typedef enum { IMAGE_STACK = 1, IMAGE_MRP = 2, IMAGE_LOGMEL = 3 } image_kind;

/* A logmel image's frames hold at least this many samples, and its
 * pixels span this many decibels from black to white. */
#define IMAGE_LOGMEL_MIN_FFT 2048
#define IMAGE_LOGMEL_RANGE_DB 80.0f

#define IMAGE_MAX_SIZE 1024
#define IMAGE_MAX_CHANNELS 8

typedef struct {
    image_kind kind;
    int size;     /* the image is size x size pixels per channel */
    int channels; /* stack and logmel: 1; mrp: resolutions */
} image_params;

/* Checks p against a window of window_samples samples at sample_rate Hz
 * without creating anything; the message names the field that is wrong
 * ("image.size ..."). */
irmas_status image_check(const image_params *p, int sample_rate,
                         int window_samples, char *err, size_t errlen);

/* Floats in one image: channels * size * size. */
long image_floats(const image_params *p);

/* The log-mel front-end a logmel image of p is read with, for windows of
 * window_samples at sample_rate: size bands over the whole spectrum, size
 * frames spread over the window, each of the smallest power of two of at
 * least IMAGE_LOGMEL_MIN_FFT samples that leaves no sample between frames.
 * Its hop (.frame) is 0 when the window is too short for size frames. */
frontend_params image_logmel_frontend(const image_params *p, int sample_rate,
                                      int window_samples);

typedef struct image_builder image_builder;

/* Checks p and creates a builder for windows of window_samples samples at
 * sample_rate Hz (a logmel builder's FFTW plan included); nothing
 * allocates after this. */
irmas_status image_new(const image_params *p, int sample_rate,
                       int window_samples, image_builder **out, char *err,
                       size_t errlen);
void image_free(image_builder *b);

/* The samples between a logmel image's frames, for windows of
 * window_samples at sample_rate (0 for the other kinds). */
int image_frame_hop(const image_params *p, int sample_rate,
                    int window_samples);

/* pixels[image_floats] from samples[window_samples]. Uses the builder's own
 * buffers: one builder per thread.
 *
 * position is the number of samples[0] in a stream whose samples do not
 * change once there (the streaming classifier's; its windows start a
 * whole number of frame hops apart, image_frame_hop), or IMAGE_ANYWHERE.
 * A logmel builder keeps the bands of the last image it built at a
 * position; where the next one starts a whole number of frames later in
 * the same stream, the frames both cover are copied rather than computed
 * again, the same bits. Windows of a stream must therefore get positions
 * that no other stream's windows had in the same builder: a caller that
 * starts a stream anew (irmas_stream_reset) numbers it on from beyond the
 * last. IMAGE_ANYWHERE computes every frame and forgets the last image. */
#define IMAGE_ANYWHERE (-1LL)
void image_build(image_builder *b, const float *samples, long long position,
                 float *pixels);

/* The channels of a kind of image when none are asked for: a recurrence
 * plot at the study's three resolutions, any other kind one picture. */
int image_default_channels(image_kind kind);

/* "stack", "mrp" or "logmel", or NULL; and back (0 for an unknown name). */
const char *image_kind_name(image_kind kind);
image_kind image_kind_parse(const char *name);

#endif
