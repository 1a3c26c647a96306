/* gemm.h: the one matrix product every layer is built on.
 *
 * All weight matrices in libirmas are stored row-major as [outputs][inputs],
 * the layout PyTorch uses, so applying a layer to a batch of row vectors is
 *     C[m][n] = beta * C[m][n] + sum_k A[m][k] * B[n][k]      (C = A B^T)
 * gemm_nt is that product; it goes through the BLAS (see docs/engine.md, "Matrix
 * products") or through our own kernel where that was measured faster.
 */
#ifndef IRMAS_GEMM_H
#define IRMAS_GEMM_H

/* C = beta*C + A * B^T, with A [m][k] (row stride lda), B [n][k] (row
 * stride ldb) and C [m][n] (row stride ldc). beta is 0 or 1 in practice. */
void gemm_nt(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc);

/* C = beta*C + A * B, with A [m][k] and B [k][n]: used by the trainer to
 * propagate gradients back through a weight matrix. */
void gemm_nn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc);

/* C = beta*C + A^T * B, with A [k][m] and B [k][n]: used by the trainer to
 * accumulate weight gradients over a batch. */
void gemm_tn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc);

/* ---- Products against a weight matrix packed once ----
 *
 * A recurrent step multiplies one row of state, or a few, by the same
 * [n][k] matrix W_h at every frame, from the L2 cache. Read as rows, each
 * output is a dot product whose vector of partial sums must be added
 * across at the end. gemm_pack stores W instead in panels of GEMM_PANEL
 * rows, column after column (panel p holds W[p*16 + j][i] at
 * [p][i][j], rows past n as zeros), so that each float of A is broadcast
 * against whole vectors of outputs and W streams through once from its
 * first float to its last. The layout is the same on every CPU; the
 * runners (window.h, stream.h) pack their cells' W_h and W_x when they
 * are created. Measured on an Intel Xeon with AVX-512 (docs/engine.md):
 * the [1 x 100] x [400 x 100]^T step product in 0.5 to 0.75 of gemm_nt's
 * time, the [1323 x 100] x [400 x 100]^T projection in 0.78 of
 * OpenBLAS's. */
#define GEMM_PANEL 16

/* Panels of GEMM_PANEL rows that hold n rows, the last one padded. */
static inline int gemm_panels(int n)
{
    return (n + GEMM_PANEL - 1) / GEMM_PANEL;
}

/* Floats gemm_pack writes for an [n][k] matrix. */
long gemm_packed_floats(int n, int k);

/* Packs B [n][k] (row stride ldb) into packed[gemm_packed_floats(n, k)]. */
void gemm_pack(int n, int k, const float *b, int ldb, float *packed);

/* C = A * B^T + bias for A [m][k] (row stride lda), B packed by
 * gemm_pack and bias [n] added to every row (NULL: none); C [m][n] (row
 * stride ldc) is written, never read. Blocks of rows meet each group of
 * panels together (kernels.c), so a window's projection of 1323 frames
 * runs faster than OpenBLAS's sgemm on the same shape (docs/engine.md).
 * Real-time safe. */
void gemm_nt_packed(int m, int n, int k, const float *a, int lda,
                    const float *packed, const float *bias, float *c,
                    int ldc);

/* C = A * W^T for W [n][k] (rows k floats apart): through its packed copy
 * where the caller has one (packed not NULL), else through gemm_nt with
 * beta 0 on W's rows. */
void gemm_nt_weights(int m, int n, int k, const float *a, int lda,
                     const float *w, const float *packed, float *c, int ldc);

/* y[rows][n] = x[rows][k] W^T + bias for W [n][k]: the affine map at the
 * heart of every dense layer and every recurrent cell's input projection.
 * Through W's packed copy where the caller has one (packed not NULL: the
 * runners' cells) and the kernels in use are faster with it (few rows, or
 * vectors of 8 or 16 floats: kernels.c), else through gemm_nt on W's
 * rows. */
void gemm_affine(int rows, int n, int k, const float *x, const float *w,
                 const float *packed, const float *bias, float *y);

/* Rows to give gemm_affine at a time, with a packed copy, when each
 * product is read soon after (a window's frames, projected a chunk at a
 * time and stepped through): where the packed kernel takes long products,
 * 48, a multiple of its blocks of rows, so that the outputs stay in the L2
 * cache until they are read instead of going out to memory and back (a
 * window of 1323 frames projects 1.6 to 2.1 MB); 0, all at once, where
 * OpenBLAS takes them, whose cost per call would outweigh that. Measured
 * on an Intel Xeon (docs/engine.md): a whole LSTM or GRU window 2 % faster
 * with the caches warm, 5 to 7 % after other work has filled them. */
int gemm_affine_chunk(void);

/* Sets the threads of the BLAS's large products, for the whole process;
 * the programs set one, and run threads of their own where they want more. */
void gemm_set_threads(int threads);

/* Readies the products for a runner whose classify or push may run in an
 * audio callback: chooses the kernels now rather than in the first call,
 * and puts the BLAS on the calling thread alone (gemm_set_threads(1)).
 * With threads of its own, OpenBLAS wakes them for every large product (a
 * CNN's convolutions) and they spin with system calls, thousands a minute
 * of audio, for no gain at one window at a time. irmas_window_new and
 * irmas_stream_new call it. */
void gemm_prepare_runner(void);

#endif
