/* kernels.h: the engine's inner loops, one table of them per instruction
 * set (internal to the engine; isa.h chooses the table).
 *
 * kernels.c is compiled once per instruction set (engine/meson.build), with
 * that set's compiler flags, into the table named below; its vectors are as
 * wide as the set allows. The callers (gemm.c, lstm.c, gru.c, rnn.c) reach
 * them through isa_current(). Every function here is real-time safe.
 */
#ifndef IRMAS_KERNELS_H
#define IRMAS_KERNELS_H

typedef struct {
    /* C = beta*C + A * B^T for few rows of A (gemm_nt's arguments; beta 0
     * never reads C). */
    void (*gemm_nt_small)(int m, int n, int k, const float *a, int lda,
                          const float *b, int ldb, float beta, float *c,
                          int ldc);
    /* C = A * B^T + bias, B packed by gemm_pack (gemm_nt_packed's
     * arguments). */
    void (*gemm_nt_packed)(int m, int n, int k, const float *a, int lda,
                           const float *packed, const float *bias, float *c,
                           int ldc);
    /* 1 where gemm_nt_packed is faster than OpenBLAS's sgemm on products of
     * many rows (a window's projection), 0 where OpenBLAS is kept for them. */
    int packed_beats_blas;
    /* One LSTM row: gates[4H] holds W_h h on entry and the activated
     * i, f, g, o on return; c and h advance (lstm.c). */
    void (*lstm_cell)(int hidden, const float *xproj, float *gates,
                      float *h, float *c);
    /* One GRU row, steps 1 and 3 (gru.c). */
    void (*gru_gates)(int hidden, int reset_after, const float *xproj,
                      const float *b_h, float *tape, const float *h);
    void (*gru_candidate)(int hidden, int reset_after, const float *xproj,
                          const float *b_h, float *tape, float *h);
    /* One Elman RNN row: work holds W_h h on entry, tanh(...) on return,
     * copied to h (rnn.c). */
    void (*rnn_cell)(int hidden, const float *xproj, float *work, float *h);
} isa_kernels;

/* The tables kernels.c makes; those of other CPU families are absent. */
extern const isa_kernels kernels_portable;
#if defined(__x86_64__)
extern const isa_kernels kernels_avx2;
extern const isa_kernels kernels_avx512;
#endif

#endif
