/* irmas.h: libirmas, live instrument tagging, the whole public interface.
 *
 * libirmas says which instruments play in audio: it loads a trained model
 * (a .irm file) and turns windows of samples into one probability per
 * class (the IRMAS classes cel cla flu gac gel org pia sax tru vio voi for
 * the shipped models). It does pure computation: no threads of its own, no
 * audio devices, no I/O but reading and writing model files.
 *
 *     irmas_model *model;
 *     char err[256];
 *     if (irmas_model_load("default.irm", &model, err, sizeof err) != IRMAS_OK)
 *         ... print err: it names the file, the field and what to do ...
 *     irmas_stream *stream;
 *     irmas_stream_new(model, 0, &stream, err, sizeof err);   -- hop 0.5 s
 *     irmas_stream_push(stream, samples, n, on_window, user);   -- any n
 *     ...
 *     irmas_stream_free(stream);
 *     irmas_model_free(model);
 *
 * Audio is mono float at the model's rate (irmas_model_sample_rate); mix
 * down and resample before pushing (libsamplerate does the second).
 *
 * Errors: a function that can fail returns an irmas_status and, when err is
 * not NULL, writes one line into it that names the file, field or offset
 * and what to do. Functions that return something else (accessors,
 * destructors, and classify and push on a runner created successfully)
 * cannot fail. Destructors accept NULL.
 *
 * Threads: a model is read-only once loaded and may be shared by any number
 * of threads; a stream or a window runner belongs to one thread at a time.
 * The matrix products run on the calling thread: irmas_stream_new and
 * irmas_window_new set OpenBLAS, for the whole process, to one thread
 * (openblas_set_num_threads(1)), since its own threads would be woken with
 * system calls in every classify and gain nothing at one window at a time.
 * Real time: irmas_stream_push and irmas_window_classify never allocate,
 * lock or make a system call, so they may run in an audio callback; every
 * other function may allocate.
 *
 * Link with `pkg-config --cflags --libs irmas`. IRMAS_VERSION (irmas/
 * version.h) is the version of these headers, irmas_version() that of the
 * library a program runs with.
 */
#ifndef IRMAS_H
#define IRMAS_H

#include <stddef.h>

#include "irmas/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports; everything else in it is hidden. */
#if defined(__GNUC__)
#define IRMAS_API __attribute__((visibility("default")))
#else
#define IRMAS_API
#endif

/* ---- Status -------------------------------------------------------- */

typedef enum {
    IRMAS_OK = 0,
    IRMAS_ERR_NOMEM,       /* an allocation failed */
    IRMAS_ERR_IO,          /* a file could not be opened, read or written */
    IRMAS_ERR_FORMAT,      /* a file's contents are not what they claim */
    IRMAS_ERR_ARG,         /* a caller passed an impossible value */
    IRMAS_ERR_UNSUPPORTED  /* valid, but this build or its limits refuse it */
} irmas_status;

/* A short English description of a status code; never NULL. */
IRMAS_API const char *irmas_strerror(irmas_status status);

/* The version of the library in use ("0.1.0"), which may differ from the
 * IRMAS_VERSION a program was compiled with. */
IRMAS_API const char *irmas_version(void);

/* ---- Models ---------------------------------------------------------- */

/* A trained classifier: read-only once loaded. */
typedef struct irmas_model irmas_model;

/* What running a model may cost at most; a model file whose shapes need
 * more is refused before anything is allocated for them, so a small
 * hostile file cannot take the machine's memory. */
typedef struct {
    double max_memory_bytes; /* weights, front-end and runners */
    double max_ops;          /* multiply-adds and the like in one window */
} irmas_model_limits;

/* The limits irmas_model_load applies: 1 GiB and 20 billion operations. */
IRMAS_API irmas_model_limits irmas_model_limits_default(void);

/* Reads and checks the model file at path. On success *out is a new model
 * (free it with irmas_model_free); on failure *out is NULL. A model whose
 * front-end is a pretrained network kept outside the file (the AudioSet
 * teacher) needs irmas_pretrained_load_model instead. */
IRMAS_API irmas_status irmas_model_load(const char *path, irmas_model **out,
                                        char *err, size_t errlen);

/* irmas_model_load under the given limits (NULL: the defaults). */
IRMAS_API irmas_status irmas_model_load_within(const char *path,
                                               const irmas_model_limits *limits,
                                               irmas_model **out, char *err,
                                               size_t errlen);

/* The same two from a model file's bytes in memory; name is what messages
 * call the buffer. */
IRMAS_API irmas_status irmas_model_parse(const void *data, size_t size,
                                         const char *name, irmas_model **out,
                                         char *err, size_t errlen);
IRMAS_API irmas_status irmas_model_parse_within(
    const void *data, size_t size, const char *name,
    const irmas_model_limits *limits, irmas_model **out, char *err,
    size_t errlen);

/* Loads path as irmas_model_load_within does and, when the model's
 * front-end is pretrained, attaches its weights from weights_dir (NULL:
 * $IRMAS_WEIGHTS, else the installed weights folder). The message of a
 * failure says which weights files are missing and where to get them. */
IRMAS_API irmas_status irmas_pretrained_load_model(
    const char *path, const irmas_model_limits *limits,
    const char *weights_dir, irmas_model **out, char *err, size_t errlen);

/* Frees a model and everything it owns. */
IRMAS_API void irmas_model_free(irmas_model *m);

/* The rate, in Hz, of the samples the model reads. */
IRMAS_API int irmas_model_sample_rate(const irmas_model *m);

/* The samples in one classified window (3 s for the shipped models). */
IRMAS_API int irmas_model_window_samples(const irmas_model *m);

/* The number of classes, and class c's label (such as "pia"), for c in
 * [0, irmas_model_classes). The label belongs to the model. */
IRMAS_API int irmas_model_classes(const irmas_model *m);
IRMAS_API const char *irmas_model_label(const irmas_model *m, int c);

/* The index of the class labelled label, or -1. */
IRMAS_API int irmas_model_class_index(const irmas_model *m,
                                      const char *label);

/* ---- Streaming: audio in chunks, one probability vector per hop ------ */

/* Windows of the model's length start every hop samples; the stream
 * advances all live windows with each new frame, so the work per hop is
 * constant. Models that cannot stream (bidirectional layers, per-window
 * normalisation, statistics pooling, images) recompute a whole window at
 * each hop instead. Results equal irmas_window_classify on the same samples
 * within 1e-5. */
typedef struct irmas_stream irmas_stream;

/* Called from irmas_stream_push, once per completed window, with its
 * probabilities (irmas_model_classes of them, summing to 1; valid during
 * the call) and the index, counted from the first sample pushed since
 * creation or reset, of the sample just after the window's last one. */
typedef void (*irmas_stream_emit_fn)(void *user, const float *probs,
                                     long long end_sample);

/* A stream over m, which must outlive it. hop_samples <= 0 means 0.5 s; the
 * hop is rounded down to whole front-end frames, or for a CNN on a log-mel
 * image to whole frames of the image, whose next window then reuses the
 * frames it shares with the last (irmas_stream_hop). */
IRMAS_API irmas_status irmas_stream_new(const irmas_model *m, int hop_samples,
                                        irmas_stream **out, char *err,
                                        size_t errlen);

/* Flags for irmas_stream_new_flags. IRMAS_STREAM_WHOLE_WINDOWS recomputes
 * every window whole at each hop, as a model that cannot stream does, even
 * when the model could stream: the same windows at the same hop, each
 * equal to irmas_window_classify on its samples. It costs more and exists
 * to measure what streaming saves (irmasd --no-incremental). */
#define IRMAS_STREAM_WHOLE_WINDOWS 1u

/* irmas_stream_new with flags (0 or IRMAS_STREAM_WHOLE_WINDOWS); an
 * unknown flag is IRMAS_ERR_ARG. */
IRMAS_API irmas_status irmas_stream_new_flags(const irmas_model *m,
                                              int hop_samples, unsigned flags,
                                              irmas_stream **out, char *err,
                                              size_t errlen);

/* Frees the stream. */
IRMAS_API void irmas_stream_free(irmas_stream *s);

/* The hop in samples after rounding to whole frames. */
IRMAS_API int irmas_stream_hop(const irmas_stream *s);

/* 1 if windows are advanced incrementally, 0 if each hop recomputes a
 * whole window (a model that cannot stream, or IRMAS_STREAM_WHOLE_WINDOWS). */
IRMAS_API int irmas_stream_is_incremental(const irmas_stream *s);

/* Feeds n samples at the model's rate and calls emit for each window that
 * completes. NaN and infinite samples are taken as 0. Real-time safe. */
IRMAS_API void irmas_stream_push(irmas_stream *s, const float *samples,
                                 long n, irmas_stream_emit_fn emit,
                                 void *user);

/* Forgets all audio: the next window starts with the next sample pushed. */
IRMAS_API void irmas_stream_reset(irmas_stream *s);

/* ---- Whole windows ----------------------------------------------------- */

/* A runner that classifies one whole window at a time; it holds every
 * buffer the pass needs. */
typedef struct irmas_window irmas_window;

/* A runner for m, which must outlive it. */
IRMAS_API irmas_status irmas_window_new(const irmas_model *m,
                                        irmas_window **out, char *err,
                                        size_t errlen);

/* Frees the runner. */
IRMAS_API void irmas_window_free(irmas_window *w);

/* probs[irmas_model_classes] for samples[irmas_model_window_samples] at
 * the model's rate; samples are not modified. Real-time safe. */
IRMAS_API void irmas_window_classify(irmas_window *w, const float *samples,
                                     float *probs);

#ifdef __cplusplus
}
#endif

#endif
