/* model_arch.h: the names of the model shapes a user can train or make.
 *
 *   rnn lstm gru gru-original blstm   a recurrent layer of that cell ("gru"
 *                                     is PyTorch's form, "gru-original"
 *                                     Cho et al.'s), an optional ReLU dense
 *                                     layer, a softmax
 *   stats                             log-mel statistics into the head
 *   cnn-b1 .. cnn-b4                  the study's CNN Bk on the image
 *   cnn-mel                           our CNN for log-mel images
 *   crnn-b1 .. crnn-b4, crnn-mel      the CNN sets the initial state of an
 *                                     LSTM over the frames
 *
 * irmas-train --model and irmas-model new --arch read them here, so the
 * two tools take the same names and name the same choices when one is
 * wrong.
 */
#ifndef IRMAS_MODEL_ARCH_H
#define IRMAS_MODEL_ARCH_H

#include <stddef.h>

#include "cnn_zoo.h"
#include "layer.h"

typedef enum {
    ARCH_RECURRENT = 1, /* rnn, lstm, gru, gru-original, blstm: the cell */
    ARCH_STATS,         /* stats */
    ARCH_CNN,           /* cnn-b1 .. cnn-b4, cnn-mel */
    ARCH_CRNN           /* crnn-b1 .. crnn-b4, crnn-mel */
} arch_family;

typedef struct {
    arch_family family;
    layer_kind cell;         /* recurrent: the cell; crnn: LAYER_LSTM */
    int gru_reset_after;     /* gru: 1, gru-original: 0 */
    const cnn_zoo_arch *zoo; /* cnn and crnn: which CNN (cnn_zoo.h), else NULL */
} model_arch;

/* For messages: every name, as a list a user can pick from. */
#define MODEL_ARCH_NAMES                                                  \
    "rnn, lstm, gru, gru-original, blstm, stats, cnn-b1 to cnn-b4 or "   \
    "crnn-b1 to crnn-b4"

/* Fills *arch for a name; 0, or -1 (leaving *arch alone) for a name that
 * is none of the above. */
int model_arch_parse(const char *name, model_arch *arch);

/* How many shapes the list above holds, and the i-th of them (0 <= i <
 * MODEL_ARCH_COUNT), for a caller that tries each in turn. */
#define MODEL_ARCH_COUNT (5 + 1 + 2 * CNN_ZOO_COUNT)
void model_arch_at(int i, model_arch *arch);

/* The name that parses back to *arch ("gru-original", "crnn-b3"), written
 * into name[size]. */
void model_arch_name(const model_arch *arch, char *name, size_t size);

#endif
