/* trainer.h: the training loop: minibatch Adam over a set of examples,
 * epoch by epoch, with validation, early stopping, checkpoints, a progress
 * bar and a CSV log.
 *
 * Each epoch visits the training examples in a fresh random order, in
 * batches. A batch is split into equal runs of rows, one per worker
 * thread; every worker runs the model forward and backward over its rows
 * with its own tapes (backprop.h), and the workers' gradients are added in
 * worker order, clipped to a maximum norm and applied by Adam (adam.h).
 * Everything random (the initial weights, the order, the dropout masks,
 * the frame masks of spec_augment.h, mixup's partners and shares) comes
 * from one generator in the calling
 * thread, and nothing depends on which worker finishes first, so a seed
 * and a thread count always give the same model, bit for bit. OpenBLAS
 * is pinned to one thread per caller: the workers are the parallelism.
 *
 * After each epoch the model is scored on the validation split; a lower
 * validation loss than any before makes it the best so far, saved at once
 * to the output path (irmas_model_save), and training stops after `patience`
 * epochs without one. Then a checkpoint (checkpoint.h) is written, from
 * which trainer_resume continues exactly. The CSV log gets one line per
 * epoch: epoch,train_loss,train_acc,val_loss,val_acc,seconds.
 *
 * With a teacher's targets (trainer_options.targets), training minimises
 * the distillation loss of loss.h: hard labels and soft targets mixed, and
 * examples without a label (label -1, unlabelled audio, only ever in the
 * training split) on their soft targets alone. The training accuracy then
 * counts an unlabelled example right when the model agrees with the
 * teacher's top class. Validation and test stay on hard labels alone:
 * their loss is the plain cross-entropy, so early stopping and the report
 * measure what the model is for.
 *
 * With the teacher's embeddings too (trainer_options.embeddings), every
 * training example's embedding is matched on the pre-activations of the
 * head's first layer (loss_embedding, loss.h), which must be as wide.
 *
 * With mixup (trainer_options.mixup), each training row's input (frames,
 * images) is a share of its own example's and the rest of a partner's
 * drawn from the same batch, and so are its hard target and soft targets
 * (loss.h); the training accuracy counts the larger share's label. A
 * row mixed with unlabelled audio learns the mixed soft targets alone,
 * and counts as right when it agrees with their top class.
 *
 * Started as several processes (cluster.h), the trainer is data-parallel:
 * every rank computes the gradients of its share of each batch and the
 * ranks add them up before the step, so N ranks of T threads train the
 * model one process would, but for the order of the sums; rank 0 alone
 * writes the log, the model and the checkpoints. Every rank must make the
 * same calls; trainer_evaluate with probs runs on the calling rank alone.
 */
#ifndef IRMAS_TRAINER_H
#define IRMAS_TRAINER_H

#include <stdint.h>

#include "spec_augment.h"
#include "spec_eq.h"
#include "spec_level.h"
#include "spec_warp.h"
#include "checkpoint.h"
#include "examples.h"
#include "loss.h"

typedef struct {
    int epochs;   /* the last epoch to run, counting from 1 */
    int batch;    /* examples per update */
    int threads;  /* workers a batch is split across */
    int patience; /* epochs without a better validation loss before
                     stopping; 0: never stop early */
    double lr, clip, dropout; /* clip: largest gradient norm, 0: none */
    uint64_t seed;
    const char *out_path;        /* receives the best model */
    const char *checkpoint_path; /* rewritten after every epoch */
    const char *log_path;        /* the CSV log, or NULL */
    const char *provenance;      /* for the saved model; the trainer adds
                                    the best epoch's figures */
    const char *run;             /* the run's defining options, stored in */
    size_t run_size;             /* checkpoints (checkpoint.h) */
    spec_augment_params augment; /* masks on the log-mel frames or image
                                    of training batches; all zero: none */
    double warp;  /* frequency warps of training examples' log-mel frames
                     or image up to this much (spec_warp.h); 0: none */
    double eq;    /* equalisation of training examples' log-mel frames or
                     image by up to this many decibels either way
                     (spec_eq.h); 0: none */
    double level; /* level changes of training examples' frames up to
                     this many decibels either way (spec_level.h); 0: none */
    double mixup; /* alpha: each training row mixed with a partner from its
                     batch, its share drawn from Beta(alpha, alpha)
                     (loss.h); 0: none */
    const float *targets;   /* [examples][classes]: a teacher's soft
                               targets (distill.h), or NULL: none */
    loss_distill_params distill; /* how training mixes them in (loss.h) */
    const float *embeddings; /* [examples][embedding_dims]: the teacher's
                                standardised embeddings (distill.h),
                                matched on the head's first layer at
                                distill.embedding_weight, or NULL: none */
    int embedding_dims;
} trainer_options;

typedef struct trainer trainer;

/* A trainer for m (built by network.h, its feature statistics set) over
 * the examples of e in splits s, all of which (and o->targets) must
 * outlive it. m's weights are drawn from the seed. Refuses a validation
 * or test example without a label, an unlabelled training example
 * without targets, and embeddings without a hidden layer as wide. */
irmas_status trainer_new(irmas_model *m, const example_set *e,
                         const example_split *s, const trainer_options *o,
                         trainer **out, char *err, size_t errlen);
void trainer_free(trainer *t);

/* Continues from checkpoint c instead: weights, optimiser, generator,
 * epoch, early-stopping state and feature statistics. The caller has
 * checked that c belongs to this run (its options and split sizes). */
irmas_status trainer_resume(trainer *t, const checkpoint *c, char *err,
                            size_t errlen);

/* Starts from a trained model's weights instead of the seed's (fine-
 * tuning), and from its feature statistics, which its weights were
 * trained with; the optimiser starts afresh. from must read the same
 * input through the same layers (model_same_body; the message says what
 * differs). Its classes may differ: the softmax starts from from's
 * weights for each class both models name (matched by label, in any
 * order) and from the seed's for the others, so a model learns new
 * classes, or fewer, on what it has learnt. */
irmas_status trainer_start_from(trainer *t, const irmas_model *from,
                                char *err, size_t errlen);

/* Runs the remaining epochs. On return m holds the best weights. Fails
 * when a file cannot be written or the loss stops being a number (the
 * weights diverged; the message suggests a lower --lr). */
irmas_status trainer_run(trainer *t, char *err, size_t errlen);

/* Scores m as it is on the examples which[0..n): mean cross-entropy,
 * accuracy, and, when probs is not NULL, probs[n][classes]. */
void trainer_evaluate(trainer *t, const int *which, int n, float *probs,
                      double *loss, double *accuracy);

/* The epoch the best weights are from (0: none yet), and their
 * validation loss and accuracy. */
int trainer_best(const trainer *t, double *loss, double *accuracy);

/* Writes what an outside implementation needs to train the same model on
 * the same data in the same order (bench/train_torch.py, which knows the
 * recurrent models and the CNNs; others are refused): into folder dir,
 * meta.txt (shapes and settings, "key value" lines), for a CNN layers.txt
 * (a line a layer, layer_describe), weights.f32 (the initial weights,
 * model_parameters floats in arena order), features.f32 ([examples]
 * [frames][features], standardised) or a CNN's images.f32 ([examples]
 * [image floats]), labels.i32 and order.i32 (the next epoch's order as
 * positions in those), in the host's byte order. */
irmas_status trainer_export(trainer *t, const char *dir, char *err,
                            size_t errlen);

#endif
