/* cluster_none.c: cluster.h for a build without MPI: every job is one
 * process, rank 0 of 1, and the sums over it leave the data as it is. */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

int cluster_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

void cluster_finish(void) {}

int cluster_rank(void) { return 0; }

int cluster_size(void) { return 1; }

void cluster_sum_floats(float *data, long n)
{
    (void)data;
    (void)n;
}

void cluster_sum_doubles(double *data, int n)
{
    (void)data;
    (void)n;
}

double cluster_seconds(void) { return 0.0; }

/* One rank: it has the bytes already. */
int cluster_broadcast(void **data, size_t *size)
{
    (void)data;
    (void)size;
    return 0;
}

/* One rank: the text is all there is. */
int cluster_gather_text(const char *text, size_t size, char **all,
                        size_t *all_size)
{
    *all = malloc(size + 1);
    if (!*all) return -1;
    memcpy(*all, text, size);
    (*all)[size] = '\0';
    *all_size = size;
    return 0;
}

/* One rank: its bytes are all there is. */
int cluster_share_bytes(const void *mine, size_t size, void **all,
                        size_t *sizes)
{
    *all = malloc(size + 1);
    if (!*all) return -1;
    memcpy(*all, mine, size);
    sizes[0] = size;
    return 0;
}

_Noreturn void cluster_abort(int status) { exit(status); }
