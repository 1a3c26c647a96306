/* alloc_count.c: see alloc_count.h. */
#include "alloc_count.h"

#include <stddef.h>

/* Only the thread that started counting counts, so threads that some
 * library starts or wakes meanwhile (OpenBLAS's pool after a fork) do not
 * land in its figure. */
static _Thread_local long allocations;
static _Thread_local int counting;

static void note_allocation(void)
{
    if (counting) allocations++;
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer calls this (a weak symbol it declares) on every
 * allocation. */
void __sanitizer_malloc_hook(const volatile void *p, size_t size);
void __sanitizer_malloc_hook(const volatile void *p, size_t size)
{
    (void)p, (void)size;
    note_allocation();
}
#else
#include <errno.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

void *malloc(size_t size)
{
    note_allocation();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    note_allocation();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    note_allocation();
    return __libc_realloc(p, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
    note_allocation();
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size)
{
    note_allocation();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    note_allocation();
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void free(void *p) { __libc_free(p); }
#endif

void alloc_count_start(void)
{
    allocations = 0;
    counting = 1;
}

long alloc_count_stop(void)
{
    counting = 0;
    return allocations;
}
