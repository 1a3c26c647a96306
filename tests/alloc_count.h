/* alloc_count.h: counts the heap allocations a stretch of code makes, in
 * this program and in every library it loads (a plugin included), so a
 * test can say "this allocates nothing" and mean it.
 *
 * Without a sanitizer the test program replaces malloc and its kin
 * (glibc allows it) with versions that count and hand over to glibc's own;
 * link it with -rdynamic so libraries loaded later (dlopen) use them too.
 * Under AddressSanitizer, which owns malloc, the count comes from its
 * allocation hook instead. Frees are not counted.
 */
#ifndef IRMAS_ALLOC_COUNT_H
#define IRMAS_ALLOC_COUNT_H

/* Starts counting from 0. */
void alloc_count_start(void);

/* Stops counting and returns the allocations made since alloc_count_start,
 * in any thread. */
long alloc_count_stop(void);

#endif
