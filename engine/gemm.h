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

/* y[rows][n] = x[rows][k] W^T + bias for W [n][k]: the affine map at the
 * heart of every dense layer and every recurrent cell's input projection. */
void gemm_affine(int rows, int n, int k, const float *x, const float *w,
                 const float *bias, float *y);

/* Pins the BLAS to one thread for the calling program; inference and the
 * streaming classifier run single-threaded so their cost is predictable. */
void gemm_set_threads(int threads);

#endif
