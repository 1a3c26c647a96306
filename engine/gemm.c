/* gemm.c: the matrix products of gemm.h.
 *
 * Large products (the trainer's batches, the CNN's convolutions) go to
 * OpenBLAS's sgemm. A recurrent step is the other extreme: one to a few
 * rows of state against a [4H][H] matrix, and there OpenBLAS 0.3.21 packs
 * its operands as for a large product, costing about 20 us per call
 * whatever the rows, while its sgemv handles only one row. gemm_nt
 * therefore takes products of up to GEMM_SMALL_ROWS rows itself, with the
 * kernel of the CPU's vector width (kernels.c, isa.h). The runners pack
 * each cell's W_h and W_x once (gemm_pack): the steps read W_h through the
 * packed kernel, and so does a window's projection of all its frames
 * where that kernel beats OpenBLAS (vectors of 8 or 16 floats).
 * docs/engine.md ("Layers and matrix products") has the measurements.
 */
#include "gemm.h"

#include "isa.h"

#include <cblas.h>
#include <string.h>

/* Products with at most this many rows in A use the kernel below. */
#define GEMM_SMALL_ROWS 8

void gemm_nt(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    if (m <= GEMM_SMALL_ROWS)
        isa_current()->gemm_nt_small(m, n, k, a, lda, b, ldb, beta, c, ldc);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f,
                    a, lda, b, ldb, beta, c, ldc);
}

long gemm_packed_floats(int n, int k)
{
    return (long)gemm_panels(n) * k * GEMM_PANEL;
}

void gemm_pack(int n, int k, const float *b, int ldb, float *packed)
{
    for (long p = 0; p < gemm_panels(n); p++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < GEMM_PANEL; j++) {
                long row = p * GEMM_PANEL + j;
                packed[(p * k + i) * GEMM_PANEL + j] =
                    row < n ? b[row * ldb + i] : 0.0f;
            }
}

void gemm_nt_packed(int m, int n, int k, const float *a, int lda,
                    const float *packed, const float *bias, float *c, int ldc)
{
    isa_current()->gemm_nt_packed(m, n, k, a, lda, packed, bias, c, ldc);
}

void gemm_nt_weights(int m, int n, int k, const float *a, int lda,
                     const float *w, const float *packed, float *c, int ldc)
{
    if (packed)
        gemm_nt_packed(m, n, k, a, lda, packed, NULL, c, ldc);
    else
        gemm_nt(m, n, k, a, lda, w, k, 0.0f, c, ldc);
}

void gemm_nn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a,
                lda, b, ldb, beta, c, ldc);
}

void gemm_tn(int m, int n, int k, const float *a, int lda, const float *b,
             int ldb, float beta, float *c, int ldc)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a,
                lda, b, ldb, beta, c, ldc);
}

void gemm_affine(int rows, int n, int k, const float *x, const float *w,
                 const float *packed, const float *bias, float *y)
{
    if (packed && (rows <= GEMM_SMALL_ROWS ||
                   isa_current()->packed_beats_blas)) {
        gemm_nt_packed(rows, n, k, x, k, packed, bias, y, n);
        return;
    }
    for (int r = 0; r < rows; r++)
        memcpy(y + (long)r * n, bias, (size_t)n * sizeof *y);
    gemm_nt(rows, n, k, x, k, w, k, 1.0f, y, n);
}

int gemm_affine_chunk(void)
{
    return isa_current()->packed_beats_blas ? 48 : 0;
}

void gemm_set_threads(int threads)
{
    openblas_set_num_threads(threads);
}

void gemm_prepare_runner(void)
{
    (void)isa_current();
    gemm_set_threads(1);
}
