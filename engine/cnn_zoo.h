/* cnn_zoo.h: the study's four CNNs, B1 to B4 (appendix B, figs. 21 to 24),
 * and one of ours for log-mel images, as a table, and the layer stack one
 * of them makes for a given image.
 *
 * Each network is a few blocks of conv2d (ReLU) then max-pool, a flatten,
 * a 128-unit ReLU dense layer and a softmax. The figures print only Keras'
 * output shapes and parameter counts; the kernels, strides and pools below
 * are what those numbers force, for the study's 150 x 150 x 3 input (its
 * images were greyscale JPEGs that Keras loads as RGB and its generator
 * resizes to 150 x 150; 150 is the only size that gives every printed
 * shape) and its 5 classes. A conv2d has filters * (channels k^2 + 1)
 * parameters, which gives k; the output side (in - k) / stride + 1 then
 * gives the stride, and pools use Keras' default stride (the size).
 *
 *   B1 (55,285 params)
 *     conv 4816 = 16 (3 k^2 + 1)   -> k = 10; 150 -> 47: stride 3
 *     pool 47 -> 15: 3 x 3
 *     conv 12832 = 32 (16 k^2 + 1) -> k = 5; 15 -> 6: stride 2
 *     pool 6 -> 3: 2 x 2; flatten 3*3*32 = 288
 *     dense 36992 = 128 (288 + 1); softmax 645 = 5 (128 + 1)
 *   B2 (58,565)
 *     conv 2432 = 32 (3 k^2 + 1)   -> k = 5; 150 -> 73: stride 2
 *     pool 73 -> 36: 2
 *     conv 25632 = 32 (32 k^2 + 1) -> k = 5; 36 -> 16: stride 2
 *     pool 16 -> 8: 2
 *     conv 25632                   -> k = 5; 8 -> 2: stride 2
 *     pool 2 -> 1: 2; flatten 32; dense 4224 = 128 (32 + 1); softmax 645
 *   B3 (63,717)
 *     conv 2432 -> k = 5, 150 -> 73: stride 2;   pool 73 -> 36: 2
 *     conv 25632 -> k = 5, 36 -> 32: stride 1;   pool 32 -> 16: 2
 *     conv 9248 = 32 (32 k^2 + 1) -> k = 3, 16 -> 14: stride 1; pool -> 7: 2
 *     conv 9248 -> k = 3, 7 -> 5: stride 1;      pool 5 -> 2: 2
 *     flatten 128; dense 16512 = 128 (128 + 1); softmax 645
 *   B4 (128,869)
 *     conv 896 = 32 (3 k^2 + 1) -> k = 3; its shape is missing from fig. 24,
 *       but the pool after it gives 74, so 148 = 150 - 3 + 1: stride 1
 *     pool 148 -> 74: 2
 *     conv 18496 = 64 (32 k^2 + 1) -> k = 3, 74 -> 72: stride 1; pool -> 36
 *     conv 36928 = 64 (64 k^2 + 1) -> k = 3, 36 -> 34: stride 1; pool -> 17
 *     conv 36928 -> k = 3, 17 -> 15: stride 1;   pool 15 -> 7: 2
 *     conv 18464 = 32 (64 k^2 + 1) -> k = 3, 7 -> 5: stride 1; pool -> 2
 *     flatten 128; dense 16512; softmax 645
 * Two cases are not forced: B2's third conv could have stride 3 (8 -> 2
 * as well), and a 3 x 3 pool with stride 2 would also take 73 to 36. We use
 * stride 2 and 2 x 2 pools, the study's own "smaller max pooling" for B2.
 * No layer is padded (Keras' default), and the dropout the study adds
 * between layers only acts in training.
 *
 *   mel (ours, not the study's: for 64 x 64 log-mel images, image.h)
 *     four blocks of a 3 x 3 conv (32, 64, 64, 64 filters, stride 1) and a
 *     2 x 2 pool: 64 -> 62 -> 31 -> 29 -> 14 -> 12 -> 6 -> 4 -> 2, so
 *     flatten 2*2*64 = 256; dense 128, softmax. 3 x 3 kernels over bands
 *     and frames see a note's partials and onset locally wherever they
 *     lie, so a timbre is recognised at any pitch. 126,987 parameters for
 *     11 classes, 22.5 million multiply-adds a window.
 */
#ifndef IRMAS_CNN_ZOO_H
#define IRMAS_CNN_ZOO_H

#include "conv2d.h"
#include "dense.h"
#include "image.h"
#include "model.h"
#include "pool.h"

#define CNN_ZOO_MAX_BLOCKS 5

/* One block: a ReLU conv2d without padding, then a max-pool. */
typedef struct {
    int filters, kernel, stride;
    int pool, pool_stride;
} cnn_zoo_block;

typedef struct {
    const char *name; /* "b1" .. "b4", "mel" */
    int n_blocks;
    cnn_zoo_block blocks[CNN_ZOO_MAX_BLOCKS];
    int hidden; /* units of the ReLU dense layer before the softmax */
    image_kind image; /* the image it was made for, what the tools */
    int image_size;   /* build when none is given: the study's MRP of
                         150 pixels, or a logmel image of 64 */
} cnn_zoo_arch;

#define CNN_ZOO_COUNT 5
#define CNN_ZOO_STUDY_COUNT 4 /* the first four are the study's */
extern const cnn_zoo_arch cnn_zoo[CNN_ZOO_COUNT];

/* The study's input, which the table was derived for. */
#define CNN_ZOO_STUDY_SIZE 150
#define CNN_ZOO_STUDY_CHANNELS 3
#define CNN_ZOO_STUDY_CLASSES 5

/* The architecture called name ("b1" .. "b4", "mel", or "cnn-b1" ..), or
 * NULL. */
const cnn_zoo_arch *cnn_zoo_find(const char *name);

/* The layers an architecture makes, with their shapes set and their weight
 * pointers NULL, ready to be laid out in a model's arena. */
typedef struct {
    int n_blocks;
    conv2d_layer conv[CNN_ZOO_MAX_BLOCKS];
    pool_layer pool[CNN_ZOO_MAX_BLOCKS];
    dense_layer hidden; /* reads the last pool's output, flattened */
    dense_layer output; /* softmax over the classes */
} cnn_zoo_stack;

/* Fills s for a size x size image of `channels` channels and `classes`
 * classes. Fails, naming the block, if the image is too small for the
 * architecture (each layer is checked with conv2d_check and pool_check). */
irmas_status cnn_zoo_build(const cnn_zoo_arch *a, int size, int channels,
                           int classes, cnn_zoo_stack *s, char *err,
                           size_t errlen);

/* Parameters (weights and biases) of the whole stack. */
long cnn_zoo_parameters(const cnn_zoo_stack *s);

/* Appends s's layers to m's, shapes only (weights are model_alloc_weights'
 * job): the conv2d and max-pool blocks, then the hidden dense layer. As a
 * plain CNN (crnn_branch 0) the hidden layer is ReLU and a softmax over
 * m->classes follows, which completes the model. As a CRNN's image branch
 * (crnn_branch 1) the hidden layer is TANH, so the initial state it hands
 * an LSTM lies in (-1, 1) like every h an LSTM makes, and nothing follows:
 * the caller appends the recurrent layer (s->hidden.outputs units) and the
 * head. Fails, naming how many layers are missing, if m has no room. */
irmas_status cnn_zoo_append(const cnn_zoo_stack *s, int crnn_branch, irmas_model *m,
                            char *err, size_t errlen);

#endif
