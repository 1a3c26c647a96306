/* cnn_zoo.c: the table of the study's CNNs, the stacks they make (see
 * cnn_zoo.h for how each number was derived), and how a stack becomes a
 * model's layers. */
#include "cnn_zoo.h"

#include <stdio.h>
#include <string.h>

/* {filters, kernel, stride, pool, pool_stride} per block. */
const cnn_zoo_arch cnn_zoo[CNN_ZOO_COUNT] = {
    {"b1", 2, {{16, 10, 3, 3, 3}, {32, 5, 2, 2, 2}}, 128, IMAGE_MRP,
     CNN_ZOO_STUDY_SIZE},
    {"b2", 3, {{32, 5, 2, 2, 2}, {32, 5, 2, 2, 2}, {32, 5, 2, 2, 2}}, 128,
     IMAGE_MRP, CNN_ZOO_STUDY_SIZE},
    {"b3", 4,
     {{32, 5, 2, 2, 2}, {32, 5, 1, 2, 2}, {32, 3, 1, 2, 2}, {32, 3, 1, 2, 2}},
     128, IMAGE_MRP, CNN_ZOO_STUDY_SIZE},
    {"b4", 5,
     {{32, 3, 1, 2, 2}, {64, 3, 1, 2, 2}, {64, 3, 1, 2, 2}, {64, 3, 1, 2, 2},
      {32, 3, 1, 2, 2}},
     128, IMAGE_MRP, CNN_ZOO_STUDY_SIZE},
    {"mel", 4,
     {{32, 3, 1, 2, 2}, {64, 3, 1, 2, 2}, {64, 3, 1, 2, 2}, {64, 3, 1, 2, 2}},
     128, IMAGE_LOGMEL, 64},
};

const cnn_zoo_arch *cnn_zoo_find(const char *name)
{
    if (strncmp(name, "cnn-", 4) == 0) name += 4;
    for (int i = 0; i < CNN_ZOO_COUNT; i++)
        if (strcmp(cnn_zoo[i].name, name) == 0) return &cnn_zoo[i];
    return NULL;
}

irmas_status cnn_zoo_build(const cnn_zoo_arch *a, int size, int channels,
                           int classes, cnn_zoo_stack *s, char *err,
                           size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (classes < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "cnn-%s: %d classes; a classifier needs at least "
                           "one", a->name, classes);
    s->n_blocks = a->n_blocks;
    int height = size, width = size;
    for (int i = 0; i < a->n_blocks; i++) {
        const cnn_zoo_block *blk = &a->blocks[i];
        char name[64];
        conv2d_layer *conv = &s->conv[i];
        *conv = (conv2d_layer){.channels = channels, .height = height,
                               .width = width, .filters = blk->filters,
                               .kernel = blk->kernel, .stride = blk->stride,
                               .act = ACT_RELU};
        snprintf(name, sizeof name, "cnn-%s block %d conv2d", a->name, i + 1);
        irmas_status st = conv2d_check(conv, name, err, errlen);
        if (st) return st;
        pool_layer *pool = &s->pool[i];
        *pool = (pool_layer){.channels = blk->filters,
                             .height = conv2d_out_height(conv),
                             .width = conv2d_out_width(conv),
                             .size = blk->pool, .stride = blk->pool_stride};
        snprintf(name, sizeof name, "cnn-%s block %d max-pool", a->name, i + 1);
        st = pool_check(pool, name, err, errlen);
        if (st) return st;
        channels = pool->channels;
        height = pool_out_height(pool);
        width = pool_out_width(pool);
    }
    s->hidden = (dense_layer){.inputs = channels * height * width,
                              .outputs = a->hidden, .act = ACT_RELU};
    s->output = (dense_layer){.inputs = a->hidden, .outputs = classes,
                              .act = ACT_SOFTMAX};
    return IRMAS_OK;
}

static long cnn_zoo_dense_parameters(const dense_layer *d)
{
    return (long)d->outputs * (d->inputs + 1);
}

long cnn_zoo_parameters(const cnn_zoo_stack *s)
{
    long total = cnn_zoo_dense_parameters(&s->hidden) +
                 cnn_zoo_dense_parameters(&s->output);
    for (int i = 0; i < s->n_blocks; i++)
        total += conv2d_weight_count(&s->conv[i]) + s->conv[i].filters;
    return total;
}

static void cnn_zoo_add(irmas_model *m, layer_kind kind, const void *shape,
                        size_t size)
{
    layer *l = &m->layers[m->n_layers++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    memcpy(&l->u, shape, size);
}

irmas_status cnn_zoo_append(const cnn_zoo_stack *s, int crnn_branch, irmas_model *m,
                            char *err, size_t errlen)
{
    int needed = 2 * s->n_blocks + (crnn_branch ? 1 : 2);
    if (m->n_layers < 0 || m->n_layers + needed > MODEL_MAX_LAYERS)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the CNN needs %d layers but the model has %d of "
                           "%d already", needed, m->n_layers,
                           MODEL_MAX_LAYERS);
    for (int i = 0; i < s->n_blocks; i++) {
        cnn_zoo_add(m, LAYER_CONV2D, &s->conv[i], sizeof s->conv[i]);
        cnn_zoo_add(m, LAYER_MAXPOOL, &s->pool[i], sizeof s->pool[i]);
    }
    dense_layer hidden = s->hidden;
    hidden.act = crnn_branch ? ACT_TANH : ACT_RELU;
    cnn_zoo_add(m, LAYER_DENSE, &hidden, sizeof hidden);
    if (crnn_branch) return IRMAS_OK;
    dense_layer output = {.inputs = hidden.outputs, .outputs = m->classes,
                          .act = ACT_SOFTMAX};
    cnn_zoo_add(m, LAYER_DENSE, &output, sizeof output);
    return IRMAS_OK;
}
