/* backprop.h: a whole model's forward and backward pass over a batch of
 * windows: what each of the trainer's workers runs.
 *
 * It trains every shape of model.h that has at most one frame layer:
 *   recurrent  one recurrent layer over the frames, then the head;
 *   statistics one stats layer over the frames, then the head;
 *   CNN        conv2d and max-pool layers over the image, then the head;
 *   CRNN       the image branch (conv2d, max-pool, dense layers), whose
 *              output is the initial h of one recurrent layer over the
 *              frames, then the head.
 * The head is dense layers, the last a softmax over the classes; the first
 * of them, if it is not the softmax, can also be drawn towards a
 * teacher's embedding (loss_embedding, loss.h). Training
 * adds dropout on the vector entering the head (the recurrent layer's
 * final state, the statistics, or a CNN's flattened image): each element
 * is multiplied by a mask the caller draws, 0 or 1 / (1 - p), so the
 * expected value is unchanged and the saved model needs no dropout at
 * all.
 *
 * The gradients live in one vector laid out like the model's weights (the
 * start of its arena, model.h), so the optimiser and the sum over workers
 * treat them as plain arrays of model_parameters(m) floats.
 */
#ifndef IRMAS_BACKPROP_H
#define IRMAS_BACKPROP_H

#include "loss.h"
#include "model.h"

typedef struct backprop backprop;

/* A pass for m over batches of up to max_batch windows. m must be one of
 * the shapes above and must keep its arena while the pass lives; its
 * weights may change between calls. */
irmas_status backprop_new(const irmas_model *m, int max_batch, backprop **out,
                          char *err, size_t errlen);
void backprop_free(backprop *b);

/* The gradients of the last backprop_backward: model_parameters(m)
 * floats. */
const float *backprop_grads(const backprop *b);

/* The width of a dropout mask's row: the head's inputs. */
int backprop_mask_width(const backprop *b);

/* Runs the model over x[frames][batch][features] (time-major, already
 * standardised) with the dropout mask[batch][mask width] (NULL: none) and
 * returns probs[batch][classes], valid until the next call. x and mask
 * must stay unchanged until the backprop_backward that follows. */
const float *backprop_forward(backprop *b, const float *x, int batch,
                              const float *mask);

/* The same for a model that reads an image too, or only:
 * images[batch][image floats] (image.h), which must stay unchanged until
 * the backprop_backward that follows as well. x is NULL for a CNN, which
 * reads no frames; images NULL for a model without an image branch. */
const float *backprop_forward_images(backprop *b, const float *x,
                                     const float *images, int batch,
                                     const float *mask);

/* After backprop_forward on the same x and batch: sets the gradients to
 * scale times the sum over rows of the gradient of row r's cross-entropy
 * against labels[r], and returns the summed cross-entropy. */
double backprop_backward(backprop *b, const float *x, const int *labels,
                         int batch, float scale);

/* The same with the distillation loss of loss.h: labels[r] < 0 for a row
 * without a hard label, mix the partners' labels and shares of mixup
 * (NULL: none), targets[batch][classes] the teacher's distributions
 * (NULL: none; with mix NULL too, plain cross-entropy, as
 * backprop_backward). embeddings[batch][backprop_embedding_width] (NULL:
 * none) adds loss_embedding at p->embedding_weight on the pre-activations
 * of the head's first layer, once backprop_keep_pre_activations was
 * called. */
double backprop_backward_distill(backprop *b, const float *x,
                                 const int *labels, const loss_mixup *mix,
                                 const float *targets,
                                 const float *embeddings,
                                 const loss_distill_params *p, int batch,
                                 float scale);

/* The width of the layer an embedding is matched on: the head's first
 * layer's outputs when it is a hidden layer (not the softmax), else 0:
 * the model has no layer to match one on. */
int backprop_embedding_width(const backprop *b);

/* From now on, every forward keeps that layer's pre-activations, which
 * backprop_backward_distill's embeddings are matched on (without them,
 * embeddings are ignored; nothing else needs the copy). Fails with
 * IRMAS_ERR_UNSUPPORTED when the width above is 0, IRMAS_ERR_NOMEM when
 * memory is short. */
irmas_status backprop_keep_pre_activations(backprop *b);

#endif
