/* examples.h: the windows a training run learns from, held in memory as
 * front-end frames, images, or both: whatever the model reads.
 *
 * Every file of a data set is read once at the model's rate
 * (audio_file.h). Each of its channels (or their mixdown) is one example
 * per window: a file shorter than the model's window is zero-padded to
 * one window, a longer one is cut into consecutive whole windows (an
 * IRMAS excerpt is exactly one). Each window is normalised the model's way
 * (model_prepare_samples) and turned into frames by the model's front-end
 * and, for a model with an image branch, into its image (image.h), so
 * training never touches audio again.
 *
 * Frames are kept as 16-bit integers with one step per example
 * (value = q * step, step = the example's largest magnitude / 32767): half
 * the memory of floats, which lets IRMAS's 13,410 stereo examples at
 * 44.1 kHz fit in 3.5 GB, and no loss for 16-bit recordings normalised to
 * a peak of 1. Standardisation (the model's feature_mean and
 * feature_scale) is applied when a batch is assembled. Images are kept
 * the same way (their pixels lie in [0, 1]), and used as they are: the
 * engine builds them with a fixed scale and stores no statistics for
 * them. At 150 x 150 x 3 an image takes 135 kB: 0.9 GB for IRMAS's
 * 6,705 excerpts mixed down, 1.8 GB for its 13,410 stereo examples.
 */
#ifndef IRMAS_EXAMPLES_H
#define IRMAS_EXAMPLES_H

#include <stdint.h>

#include "dataset.h"

typedef struct {
    int16_t *values; /* [frames][features], quantised; NULL without frames */
    float step;      /* what one unit of values stands for */
    int16_t *pixels; /* [image floats], quantised; NULL without an image */
    float pixel_step;
    int label;       /* the item's primary class; -1: none (unlabelled
                        audio, dataset_scan_unlabelled) */
    int item;        /* the index of the data set item it came from */
} example;

typedef struct {
    int frames, features; /* per example: the model's (0: no frames) */
    long image_floats;    /* per example: image_floats (0: no image) */
    int count;
    example *list; /* in data set order, then channel, then window */
} example_set;

/* How a set is read. */
typedef struct {
    int mixdown;   /* the channels averaged: one example per window */
    int threads;   /* reading files at once (at least 1) */
    /* Where each file's examples are kept by its content (file_cache.h,
     * ".frames" entries), or NULL for none: worth it when the front-end
     * costs much more than decoding (a pretrained network's). An entry
     * that is unreadable or for another shape is computed afresh and
     * replaced. */
    const char *cache_dir;
} examples_settings;

/* What reading a set did, file by file. */
typedef struct {
    int unreadable; /* reported on stderr by name and skipped */
    int cached;     /* files whose examples came from the cache */
    int computed;   /* files read and computed (and, with a cache, put in
                       it) */
} examples_counts;

/* Reads every item of d for model m (its rate, norm, front-end and image
 * builder, as model_reads_frames and model_reads_image say). A file that
 * cannot be read is reported on stderr by name, skipped, and counted; the
 * result does not depend on the number of threads, nor on whether it came
 * from the cache. Fails, naming the entry, when a cache entry cannot be
 * written. */
irmas_status examples_load(example_set *e, const dataset *d, const irmas_model *m,
                           const examples_settings *s, examples_counts *counts,
                           char *err, size_t errlen);
void examples_free(example_set *e);

/* The same for items first..first + count of d alone (one process's share
 * under mpirun, dataset_share): their examples in item order, numbered by
 * their place in d. None read is no error here (examples_load's check is
 * for the whole set). */
irmas_status examples_load_share(example_set *e, const dataset *d, int first,
                                 int count, const irmas_model *m,
                                 const examples_settings *s,
                                 examples_counts *counts, char *err,
                                 size_t errlen);

/* e's examples (and the count of unreadable files) as bytes, and back,
 * appended to the end of e, which must be for the same model: what the
 * processes of one run send each other so that each file is read once.
 * examples_pack's *data is the caller's to free. examples_unpack_append
 * fails (IRMAS_ERR_FORMAT, e as it was) on bytes it did not write. */
irmas_status examples_pack(const example_set *e, int unreadable, void **data,
                           size_t *size);
irmas_status examples_unpack_append(example_set *e, const void *data,
                                    size_t size, int *unreadable);

/* Moves the examples of from (read for the same model) to the end of to,
 * their items numbered after to's first_item - 1, so that both data sets'
 * items can be told apart; from is left empty. Fails only for lack of
 * memory, leaving both as they were. */
irmas_status examples_append(example_set *to, example_set *from,
                             int first_item);

/* The examples of each split, as indices into a set's list. */
typedef struct {
    int *which[3]; /* SPLIT_TRAIN, SPLIT_VALIDATION, SPLIT_TEST */
    int count[3];
} example_split;

/* Sorts e's examples into splits by their items' assignment (what
 * dataset_split made), keeping their order. */
irmas_status examples_split(const example_set *e, const int *assignment,
                            example_split *out);
void example_split_free(example_split *s);

/* Sets m's feature_mean and feature_scale (which must be allocated) to the
 * mean and 1 / standard deviation of each feature over the frames of the
 * examples which[0..n), so training sees zero-mean, unit-variance inputs.
 * A feature that never varies keeps scale 1. Does nothing for a set
 * without frames. Fails only for lack of memory. */
irmas_status examples_standardise(const example_set *e, const int *which,
                                  int n, irmas_model *m);

/* Writes x[frames][batch][features], time-major as bptt.h wants it, for
 * the examples which[0..batch), standardised with m's statistics. */
void examples_batch(const example_set *e, const irmas_model *m, const int *which,
                    int batch, float *x);

/* Writes images[batch][image_floats] for the examples which[0..batch). */
void examples_images(const example_set *e, const int *which, int batch,
                     float *images);

#endif
