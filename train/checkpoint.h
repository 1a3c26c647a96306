/* checkpoint.h: everything a training run needs to continue exactly where
 * it stopped, in one file written at the end of every epoch.
 *
 * A run resumed from a checkpoint makes the same numbers an uninterrupted
 * run would, bit for bit: the checkpoint holds the weights, the Adam
 * moments and step count, the random generator's state (which decides
 * each epoch's order of examples and the dropout masks), the early
 * stopping state and the best weights so far. It also holds the options
 * that define the run and the size of each split, so a resume with other
 * settings or other data is refused instead of silently mixing two runs.
 *
 * The file is little-endian: the magic "IRMSCKPT", a version, the fields
 * below in order, and a CRC-32 of everything before it. It is written to
 * a temporary name beside the target and renamed, so a crash during a
 * save leaves the previous checkpoint intact.
 */
#ifndef IRMAS_CHECKPOINT_H
#define IRMAS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    char *run;          /* the run's defining options, NUL-separated */
    size_t run_size;    /* bytes of run */
    int examples[3];    /* per split: training, validation, test */
    int epoch;          /* epochs completed */
    int best_epoch;     /* the epoch the best weights are from; 0: none */
    double best_loss;   /* their validation loss */
    int bad_epochs;     /* epochs since the best */
    uint64_t rng_state;
    long adam_step;
    long params;
    float *weights, *best, *adam_m, *adam_v; /* [params] each */
    int features;
    float *feature_mean, *feature_scale; /* [features] each */
} checkpoint;

irmas_status checkpoint_save(const checkpoint *c, const char *path,
                             char *err, size_t errlen);

/* Reads path into c, whose arrays are then owned by c (checkpoint_free).
 * A short, corrupt or foreign file is an error naming it. */
irmas_status checkpoint_load(const char *path, checkpoint *c, char *err,
                             size_t errlen);
void checkpoint_free(checkpoint *c);

#endif
