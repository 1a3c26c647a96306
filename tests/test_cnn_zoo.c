/* test_cnn_zoo.c: the study's CNNs B1 to B4 have exactly the layer shapes
 * and parameter counts printed in its appendix B (figs. 21 to 24), and a
 * whole stack runs forward and backward on an image of the study's size.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnn_zoo.h"
#include "gemm.h"
#include "testutil.h"

/* One block as Keras printed it: the conv's output side, filters and
 * parameters, then the pool's output side. */
typedef struct {
    int conv_side, filters, conv_params, pool_side;
} printed_block;

typedef struct {
    const char *name;
    int n_blocks;
    printed_block blocks[CNN_ZOO_MAX_BLOCKS];
    int flatten, hidden_params, output_params;
    long total;
} printed_arch;

static const printed_arch figures[] = {
    {"b1", 2, {{47, 16, 4816, 15}, {6, 32, 12832, 3}}, 288, 36992, 645, 55285},
    {"b2", 3, {{73, 32, 2432, 36}, {16, 32, 25632, 8}, {2, 32, 25632, 1}},
     32, 4224, 645, 58565},
    {"b3", 4,
     {{73, 32, 2432, 36}, {32, 32, 25632, 16}, {14, 32, 9248, 7},
      {5, 32, 9248, 2}},
     128, 16512, 645, 63717},
    /* fig. 24 leaves out the first conv's shape; 148 is what its pool's 74
     * implies */
    {"b4", 5,
     {{148, 32, 896, 74}, {72, 64, 18496, 36}, {34, 64, 36928, 17},
      {15, 64, 36928, 7}, {5, 32, 18464, 2}},
     128, 16512, 645, 128869},
};

START_TEST(architectures_match_the_figures)
{
    const printed_arch *want = &figures[_i];
    const cnn_zoo_arch *a = cnn_zoo_find(want->name);
    ck_assert_ptr_nonnull(a);
    cnn_zoo_stack s;
    char err[256];
    ck_assert_int_eq(cnn_zoo_build(a, CNN_ZOO_STUDY_SIZE, CNN_ZOO_STUDY_CHANNELS,
                                   CNN_ZOO_STUDY_CLASSES, &s, err, sizeof err),
                     IRMAS_OK);
    ck_assert_int_eq(s.n_blocks, want->n_blocks);
    for (int i = 0; i < s.n_blocks; i++) {
        const printed_block *b = &want->blocks[i];
        const conv2d_layer *conv = &s.conv[i];
        ck_assert_int_eq(conv2d_out_height(conv), b->conv_side);
        ck_assert_int_eq(conv2d_out_width(conv), b->conv_side);
        ck_assert_int_eq(conv->filters, b->filters);
        ck_assert_int_eq(conv2d_weight_count(conv) + conv->filters, b->conv_params);
        ck_assert_int_eq(conv->act, ACT_RELU);
        ck_assert_int_eq(pool_out_height(&s.pool[i]), b->pool_side);
        ck_assert_int_eq(pool_out_width(&s.pool[i]), b->pool_side);
        ck_assert_int_eq(pool_outputs(&s.pool[i]),
                         (long)b->filters * b->pool_side * b->pool_side);
        if (i > 0) ck_assert_int_eq(conv2d_inputs(conv), pool_outputs(&s.pool[i - 1]));
    }
    ck_assert_int_eq(s.hidden.inputs, want->flatten);
    ck_assert_int_eq(pool_outputs(&s.pool[s.n_blocks - 1]), want->flatten);
    ck_assert_int_eq(s.hidden.outputs * (s.hidden.inputs + 1), want->hidden_params);
    ck_assert_int_eq(s.output.outputs * (s.output.inputs + 1), want->output_params);
    ck_assert_int_eq(s.output.act, ACT_SOFTMAX);
    ck_assert_int_eq(cnn_zoo_parameters(&s), want->total);
}
END_TEST

START_TEST(names_are_found)
{
    ck_assert_str_eq(cnn_zoo_find("cnn-b3")->name, "b3");
    ck_assert_str_eq(cnn_zoo_find("b1")->name, "b1");
    ck_assert_ptr_null(cnn_zoo_find("b5"));
    ck_assert_ptr_null(cnn_zoo_find("cnn-"));
}
END_TEST

START_TEST(other_inputs_and_classes)
{
    /* a one-channel stacked image and IRMAS's 11 classes change only the
     * first conv and the softmax */
    cnn_zoo_stack s;
    ck_assert_int_eq(cnn_zoo_build(cnn_zoo_find("b3"), 150, 1, 11, &s, NULL, 0),
                     IRMAS_OK);
    ck_assert_int_eq(cnn_zoo_parameters(&s), 63717 - 2 * 5 * 5 * 32 + 6 * 129);
}
END_TEST

START_TEST(too_small_an_image_is_refused)
{
    cnn_zoo_stack s;
    char err[256];
    ck_assert_int_eq(cnn_zoo_build(cnn_zoo_find("b2"), 40, 3, 5, &s, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "cnn-b2 block 3"));
    ck_assert_int_eq(cnn_zoo_build(cnn_zoo_find("b1"), 150, 3, 0, &s, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "classes"));
}
END_TEST

/* Every conv and pool of B3 on one 150 x 150 x 3 image, forward then
 * backward: the buffers each layer asks for are enough (ASan watches). */
START_TEST(b3_runs_forward_and_backward)
{
    cnn_zoo_stack s;
    ck_assert_int_eq(cnn_zoo_build(cnn_zoo_find("b3"), 150, 3, 5, &s, NULL, 0),
                     IRMAS_OK);
    tu_rng r;
    tu_seed(&r, 64);
    float *act[2 * CNN_ZOO_MAX_BLOCKS + 1], *grad[2 * CNN_ZOO_MAX_BLOCKS + 1];
    int *argmax[CNN_ZOO_MAX_BLOCKS];
    long work = 0;
    act[0] = malloc(sizeof(float) * conv2d_inputs(&s.conv[0]));
    grad[0] = NULL;
    tu_fill(&r, act[0], conv2d_inputs(&s.conv[0]), 0.0f, 1.0f);
    for (int i = 0; i < s.n_blocks; i++) {
        conv2d_layer *c = &s.conv[i];
        c->weights = malloc(sizeof(float) * conv2d_weight_count(c));
        c->bias = calloc(c->filters, sizeof(float));
        tu_fill(&r, c->weights, conv2d_weight_count(c), -0.2f, 0.2f);
        act[2 * i + 1] = malloc(sizeof(float) * conv2d_outputs(c));
        grad[2 * i + 1] = malloc(sizeof(float) * conv2d_outputs(c));
        act[2 * i + 2] = malloc(sizeof(float) * pool_outputs(&s.pool[i]));
        grad[2 * i + 2] = malloc(sizeof(float) * pool_outputs(&s.pool[i]));
        argmax[i] = malloc(sizeof(int) * pool_outputs(&s.pool[i]));
        if (conv2d_work_size(c) > work) work = conv2d_work_size(c);
    }
    float *scratch = malloc(sizeof(float) * work);
    for (int i = 0; i < s.n_blocks; i++) {
        conv2d_forward(&s.conv[i], act[2 * i], act[2 * i + 1], 1, scratch);
        pool_forward(&s.pool[i], act[2 * i + 1], act[2 * i + 2], 1, argmax[i]);
    }
    int last = 2 * s.n_blocks;
    tu_fill(&r, grad[last], pool_outputs(&s.pool[s.n_blocks - 1]), -1.0f, 1.0f);
    for (int i = s.n_blocks - 1; i >= 0; i--) {
        conv2d_layer *c = &s.conv[i];
        float *dw = calloc(conv2d_weight_count(c), sizeof *dw);
        float *db = calloc(c->filters, sizeof *db);
        pool_backward(&s.pool[i], grad[2 * i + 2], argmax[i], grad[2 * i + 1]);
        conv2d_backward(c, act[2 * i], act[2 * i + 1], grad[2 * i + 1], grad[2 * i],
                        dw, db, scratch);
        float norm = 0.0f;
        for (long k = 0; k < conv2d_weight_count(c); k++) norm += dw[k] * dw[k];
        ck_assert_msg(norm > 0.0f && isfinite(norm), "block %d: |dW|^2 = %g", i, norm);
        free(dw);
        free(db);
    }
    for (int i = 0; i <= last; i++) {
        free(act[i]);
        free(grad[i]);
    }
    for (int i = 0; i < s.n_blocks; i++) {
        free(s.conv[i].weights);
        free(s.conv[i].bias);
        free(argmax[i]);
    }
    free(scratch);
}
END_TEST

int main(void)
{
    gemm_set_threads(1);
    Suite *s = suite_create("cnn_zoo");
    TCase *t = tcase_create("cnn_zoo");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, architectures_match_the_figures, 0,
                        sizeof figures / sizeof figures[0]);
    tcase_add_test(t, names_are_found);
    tcase_add_test(t, other_inputs_and_classes);
    tcase_add_test(t, too_small_an_image_is_refused);
    tcase_add_test(t, b3_runs_forward_and_backward);
    suite_add_tcase(s, t);
    return tu_run(s);
}
