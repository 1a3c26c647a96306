/* teacher.h: the AudioSet teacher, EfficientAT's MobileNetV3 "mn04_as"
 * (Schmid, Koutini and Widmer, ICASSP 2023; MIT licence), run in the engine.
 *
 * The network reads the log-mel image of teacher_frontend.h (128 bands as
 * the height, frames as the width) and gives a 384-d embedding (the mean of
 * its last feature map) and the sigmoid probabilities of AudioSet's 527
 * labels. Its layers (mobilenet.h): a 3x3 stride-2 convolution to 8
 * channels with hardswish; 15 inverted-residual blocks (1x1 expansion,
 * depthwise k x k, optional squeeze-excitation, 1x1 projection, a residual
 * when the shape is kept); a 1x1 convolution to 384 channels with
 * hardswish; the mean; fc1 (384 -> 512, hardswish) and fc2 (512 -> 527,
 * sigmoid). The architecture is fixed here; the weights are third-party
 * data, never part of the project: a folder holding
 *   tensors.tsv  name, shape, offset in floats and count of each tensor,
 *                one per line after a header line;
 *   weights.f32  the tensors, little-endian float32, batch norm folded.
 * The weights are read once into a read-only teacher_weights that any
 * number of teachers (one per thread) share; a teacher holds only the
 * buffers of one run.
 */
#ifndef IRMAS_TEACHER_H
#define IRMAS_TEACHER_H

#include "classes.h"
#include "status.h"
#include "teacher_frontend.h"

#define TEACHER_EMBEDDING 384
#define TEACHER_LABELS 527
#define TEACHER_IRMAS_CLASSES CLASSES_IRMAS

/* Where to get the weights, for messages that say they are missing. */
#define TEACHER_WEIGHTS_SOURCE                                                \
    "the EfficientAT release (github.com/fschmid56/EfficientAT, model "       \
    "mn04_as, mn04_as_mAP_432.pt), its batch norm folded into weights.f32 "   \
    "+ tensors.tsv (see README, \"The AudioSet teacher\")"

typedef struct teacher_weights teacher_weights;
typedef struct teacher teacher;

/* Reads dir/tensors.tsv and dir/weights.f32 and checks every tensor's
 * name, shape, offset and count against the architecture, the file's size
 * against the total, and every weight for NaN and infinity. A mismatch is
 * IRMAS_ERR_FORMAT with a message naming the file, line and field; a
 * missing file is IRMAS_ERR_IO naming it and where to get the weights. */
irmas_status teacher_weights_load(const char *dir, teacher_weights **out,
                                  char *err, size_t errlen);
void teacher_weights_free(teacher_weights *w);

/* The floats the architecture holds (978,679 for mn04_as). */
long teacher_weight_floats(void);

/* Writes the tensors.tsv the architecture expects to path: what a converter
 * from the original checkpoint must produce, and what the tests build
 * random teachers with. */
irmas_status teacher_write_index(const char *path, char *err, size_t errlen);

/* A teacher that runs inputs of up to max_samples samples at 32 kHz (at
 * least TEACHER_MIN_SAMPLES) with the weights w, which must outlive it.
 * Nothing allocates after this. Like a stream or window runner (irmas.h,
 * "Threads"), it puts OpenBLAS on the calling thread for the process. */
irmas_status teacher_new(const teacher_weights *w, long max_samples,
                         teacher **out, char *err, size_t errlen);
void teacher_free(teacher *t);

/* Runs samples[0..n) (32 kHz, TEACHER_MIN_SAMPLES <= n <= max_samples)
 * through the front-end and the network. Each output may be NULL:
 *   logmel     [TEACHER_MELS][teacher_frontend_frames(n)], band-major;
 *   embedding  [TEACHER_EMBEDDING];
 *   probs      [TEACHER_LABELS], AudioSet's label order.
 * Not thread-safe on one teacher; one teacher per thread. */
void teacher_run(teacher *t, const float *samples, long n, float *logmel,
                 float *embedding, float *probs);

/* The per-frame embeddings of the last run: the last feature map pooled
 * over frequency only, [*frames][TEACHER_EMBEDDING], valid until the next
 * run (the map has one column per 32 input frames, rounded up). */
const float *teacher_frame_embeddings(const teacher *t, int *frames);

/* Our 11 classes from AudioSet's probabilities: each class is the maximum
 * over its AudioSet labels (teacher.c lists them). */
void teacher_irmas_probs(const float *probs, float *irmas);

/* The code of class c < TEACHER_IRMAS_CLASSES, in IRMAS order: "cel",
 * "cla", "flu", "gac", "gel", "org", "pia", "sax", "tru", "vio", "voi". */
const char *teacher_irmas_label(int c);

#endif
