/* denormals.h: floats below the normal range read and written as zero.
 *
 * A float smaller than about 1.2e-38 is "denormal" (subnormal). x86 CPUs
 * compute with one through a microcode assist that costs about a hundred
 * times an ordinary operation. Backpropagation through a recurrent layer
 * makes them in bulk: the gradients decay step by step through 1323 steps
 * of a window, and the products that gather them (the weight gradients,
 * dh from the gates) then ran 16 to 19 times slower than on normal numbers
 * (docs/training.md, "Speed"). Audio code meets them too, where a filter
 * or a state decays to silence. Flushing them changes a result only where
 * it was already smaller than any the models use.
 *
 * The programs (irmas-train, irmas-eval, irmas-tag, irmasd) call
 * denormals_flush first thing in main; threads they start afterwards
 * inherit the setting (POSIX: a new thread takes its creator's
 * floating-point environment). The library never calls it: a host that
 * loads libirmas keeps the floating-point environment it chose.
 */
#ifndef IRMAS_DENORMALS_H
#define IRMAS_DENORMALS_H

/* Sets the calling thread's floating-point unit to flush denormal results
 * to zero and to read denormal operands as zero: MXCSR's FTZ and DAZ bits
 * on x86-64, FPCR's FZ bit on aarch64; nothing elsewhere. Real-time safe
 * (two register instructions, no system call). */
void denormals_flush(void);

#endif
