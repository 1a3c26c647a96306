/* alloc_count.h: counts the heap allocations a stretch of code makes on
 * the calling thread, in this program and in every library it loads (a
 * plugin included), so a test can say "this allocates nothing" of code an
 * audio thread runs and mean it. Other threads' allocations meanwhile
 * (a thread pool some library starts) are not counted.
 *
 * Without a sanitizer the test program replaces malloc and its kin
 * (glibc allows it) with versions that count and hand over to glibc's own;
 * link it with -rdynamic so libraries loaded later (dlopen) use them too.
 * Under AddressSanitizer, which owns malloc, the count comes from its
 * allocation hook instead. Frees are not counted.
 */
#ifndef IRMAS_ALLOC_COUNT_H
#define IRMAS_ALLOC_COUNT_H

/* Starts counting from 0, on the calling thread. */
void alloc_count_start(void);

/* Stops counting and returns the allocations the calling thread made since
 * its alloc_count_start. */
long alloc_count_stop(void);

#endif
