/* dataset.h: labelled audio files found on disk, and how they are split.
 *
 * Layouts read (see docs/training.md, "Data sets"):
 *   IRMAS-TrainingData  <class>/[pia][jaz_blu]1502__2.wav, or
 *                       <class>/108__[pia][nod][cla]1386__1.wav: the class is
 *                       the first bracketed code that names a class, else
 *                       the folder;
 *   any <label>/x.wav   the folder names the class;
 *   IRMAS-TestingData   x.wav beside x.txt listing one or more labels, one
 *                       per line (trailing tabs and spaces ignored).
 * Excerpts of one source recording share a group and never straddle the
 * train/validation/test split. The IRMAS rule: the number before the last
 * "__" names the source and the number after it the excerpt, so
 * "[pia][jaz_blu]1532__1.wav" and "...1532__3.wav" share group "1532";
 * other layouts choose a rule with split_by.
 */
#ifndef IRMAS_DATASET_H
#define IRMAS_DATASET_H

#include <stdint.h>

#include "model.h"

typedef struct {
    char *path;
    int label;           /* primary class (the first label) */
    uint64_t label_mask; /* bit i set: labelled with class i */
    char *group;         /* source recording, for splitting */
    float seconds;       /* how long it plays (dataset_measure); 0: not
                            measured, or not readable */
} dataset_item;

typedef struct {
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    dataset_item *items;
    int n_items;
    int skipped;     /* files passed over, each reported on stderr */
    int multi_label; /* some item came from a .txt label file */
} dataset;

typedef struct {
    const char *const *dirs;
    int n_dirs;
    /* Comma-separated labels to keep, in output order; NULL keeps every
     * label that has files, IRMAS's 11 codes first in IRMAS order. */
    const char *classes;
    /* "irmas" (default when NULL), "file" (every file its own group), or
     * "regex:PATTERN" (POSIX extended; the first capture group of the file
     * name is the group). */
    const char *split_by;
} dataset_options;

enum { SPLIT_TRAIN = 0, SPLIT_VALIDATION = 1, SPLIT_TEST = 2 };

/* Finds the files. Fails with a clear message on a missing folder or on no
 * usable files. For training (for_training 1) it also fails on fewer than
 * two classes and warns on stderr of each class with no files, which the
 * model would learn never to predict; a set to evaluate on may hold any
 * subset of the model's classes. */
irmas_status dataset_scan(dataset *d, const dataset_options *opt,
                          int for_training, char *err, size_t errlen);
void dataset_free(dataset *d);

/* Reads how long each file plays from its header (audio_file_seconds),
 * without decoding it, into the items' seconds. */
void dataset_measure(dataset *d);

/* Items first..first + count of the part-th of `parts` contiguous runs of
 * d's items, each about as long to play as the others (by the items'
 * seconds; equal counts when none were measured): sets *first and returns
 * the count, possibly 0. The runs cover every item once, in order. */
int dataset_share(const dataset *d, int parts, int part, int *first);

/* The whole index (classes, files, labels, groups, durations) as bytes, and back:
 * under mpirun one process scans the folders and the others unpack what
 * it sends. dataset_pack's *data is the caller's to free. dataset_unpack
 * fails (IRMAS_ERR_FORMAT, d left empty) on bytes it did not write. */
irmas_status dataset_pack(const dataset *d, void **data, size_t *size);
irmas_status dataset_unpack(dataset *d, const void *data, size_t size);

/* Finds the audio files under the folders dirs[0..n_dirs) (recursively,
 * in name order) as items without a label: label -1, label_mask 0, each
 * file its own group, d->classes 0. For audio a teacher labels
 * (distill.h). Fails as dataset_scan does on a missing folder or one
 * without audio files. */
irmas_status dataset_scan_unlabelled(dataset *d, const char *const *dirs,
                                     int n_dirs, char *err, size_t errlen);

/* Assigns each item SPLIT_TRAIN, SPLIT_VALIDATION or SPLIT_TEST by group,
 * roughly the given fractions of items in each class, deterministically for
 * a seed. assignment has n_items entries. */
void dataset_split(const dataset *d, double val_fraction, double test_fraction,
                   uint64_t seed, int *assignment);

#endif
