/* model_arch.c: the names of the model shapes (see model_arch.h).
 *
 * The recurrent names and "stats" are a table; the image models are
 * "cnn-" or "crnn-" and a name from the CNN table (cnn_zoo.h).
 */
#include "model_arch.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    layer_kind cell;
    int gru_reset_after;
} cells[] = {{"rnn", LAYER_RNN, 1},
             {"lstm", LAYER_LSTM, 1},
             {"gru", LAYER_GRU, 1},
             {"gru-original", LAYER_GRU, 0},
             {"blstm", LAYER_BLSTM, 1}};

enum { N_CELLS = sizeof cells / sizeof cells[0] };
_Static_assert(MODEL_ARCH_COUNT == N_CELLS + 1 + 2 * CNN_ZOO_COUNT,
               "MODEL_ARCH_COUNT counts every shape of the tables");

/* Where the list of model_arch_at puts the stats shape and the first
 * image shape; the recurrent cells come first, in the table's order. */
enum { AT_STATS = N_CELLS, AT_IMAGES = N_CELLS + 1 };

void model_arch_at(int i, model_arch *arch)
{
    if (i < N_CELLS) {
        *arch = (model_arch){.family = ARCH_RECURRENT, .cell = cells[i].cell,
                             .gru_reset_after = cells[i].gru_reset_after};
        return;
    }
    if (i == AT_STATS) {
        *arch = (model_arch){.family = ARCH_STATS, .cell = LAYER_LSTM,
                             .gru_reset_after = 1};
        return;
    }
    int image = i - AT_IMAGES;
    *arch = (model_arch){
        .family = image < CNN_ZOO_COUNT ? ARCH_CNN : ARCH_CRNN,
        .cell = LAYER_LSTM, .gru_reset_after = 1,
        .zoo = &cnn_zoo[image % CNN_ZOO_COUNT]};
}

static int parse_image_arch(const char *name, model_arch *arch)
{
    int crnn = strncmp(name, "crnn-", 5) == 0;
    if (!crnn && strncmp(name, "cnn-", 4) != 0) return -1;
    const char *rest = name + (crnn ? 5 : 4);
    const cnn_zoo_arch *zoo = cnn_zoo_find(rest);
    if (!zoo || strcmp(zoo->name, rest) != 0) return -1; /* "cnn-cnn-b1" */
    model_arch_at(AT_IMAGES + (crnn ? CNN_ZOO_COUNT : 0) + (int)(zoo - cnn_zoo),
                  arch);
    return 0;
}

int model_arch_parse(const char *name, model_arch *arch)
{
    for (int i = 0; i < N_CELLS; i++)
        if (strcmp(name, cells[i].name) == 0) {
            model_arch_at(i, arch);
            return 0;
        }
    if (strcmp(name, "stats") == 0) {
        model_arch_at(AT_STATS, arch);
        return 0;
    }
    return parse_image_arch(name, arch);
}

static const char *cell_name(const model_arch *arch)
{
    for (int i = 0; i < N_CELLS; i++)
        if (cells[i].cell == arch->cell &&
            (arch->cell != LAYER_GRU ||
             cells[i].gru_reset_after == arch->gru_reset_after))
            return cells[i].name;
    return "lstm";
}

void model_arch_name(const model_arch *arch, char *name, size_t size)
{
    switch (arch->family) {
    case ARCH_STATS: snprintf(name, size, "stats"); return;
    case ARCH_CNN: snprintf(name, size, "cnn-%s", arch->zoo->name); return;
    case ARCH_CRNN: snprintf(name, size, "crnn-%s", arch->zoo->name); return;
    case ARCH_RECURRENT: break;
    }
    snprintf(name, size, "%s", cell_name(arch));
}
