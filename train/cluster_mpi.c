/* cluster_mpi.c: cluster.h on MPI.
 *
 * A process joins MPI only when a launcher started it: Open MPI's mpirun
 * sets OMPI_COMM_WORLD_SIZE, PMIx launchers (Slurm's srun --mpi=pmix)
 * PMIX_RANK, PMI-1/2 ones PMI_SIZE. Without one the process stays alone
 * and never touches MPI, so the tools run exactly as in a build without
 * it (and start as fast). Errors stay MPI_ERRORS_ARE_FATAL, MPI's
 * default: a failed call, or a rank that dies, ends the whole job with
 * the launcher's message instead of leaving the others waiting.
 */
#include "cluster.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int joined; /* 1 after MPI_Init_thread */
static int rank, size = 1;
static double seconds_summing;

/* 1 when a launcher started this process. */
static int cluster_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_SIZE");
}

int cluster_init(int *argc, char ***argv)
{
    if (!cluster_launched()) return 0;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS) {
        fprintf(stderr, "cannot join the MPI job: MPI_Init_thread failed\n");
        return -1;
    }
    joined = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_FUNNELED) {
        fprintf(stderr, "rank %d: this MPI cannot be used beside threads "
                        "(it provides thread level %d)\n", rank, provided);
        cluster_abort(1);
    }
    return 0;
}

void cluster_finish(void)
{
    if (joined) MPI_Finalize();
    joined = 0;
}

int cluster_rank(void) { return rank; }

int cluster_size(void) { return size; }

/* MPI_Allreduce in place over n items of type, in pieces an int can
 * count, timed into seconds_summing. */
static void cluster_sum(void *data, long n, MPI_Datatype type, size_t item)
{
    if (!joined || size == 1) return;
    double start = MPI_Wtime();
    for (long done = 0; done < n;) {
        int count = n - done < INT_MAX ? (int)(n - done) : INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, (char *)data + done * item, count, type,
                      MPI_SUM, MPI_COMM_WORLD);
        done += count;
    }
    seconds_summing += MPI_Wtime() - start;
}

void cluster_sum_floats(float *data, long n)
{
    cluster_sum(data, n, MPI_FLOAT, sizeof *data);
}

void cluster_sum_doubles(double *data, int n)
{
    cluster_sum(data, n, MPI_DOUBLE, sizeof *data);
}

double cluster_seconds(void) { return seconds_summing; }

int cluster_broadcast(void **data, size_t *bytes)
{
    if (!joined || size == 1) return 0;
    unsigned long long n = rank == 0 ? (unsigned long long)*bytes : 0;
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (n > INT_MAX) {
        if (rank == 0)
            fprintf(stderr, "rank 0: %llu bytes are more than MPI can send "
                            "at once\n", n);
        cluster_abort(1);
    }
    if (rank != 0) {
        *bytes = (size_t)n;
        *data = n > 0 ? malloc((size_t)n) : NULL;
        if (n > 0 && !*data) cluster_abort(1);
    }
    if (n > 0) MPI_Bcast(*data, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
    return 0;
}

/* The most bytes one MPI call is given: its counts are ints. */
#define CLUSTER_PIECE ((size_t)1 << 30)

int cluster_share_bytes(const void *mine, size_t size_in, void **all,
                        size_t *sizes)
{
    if (!joined || size == 1) {
        *all = malloc(size_in + 1);
        if (!*all) return -1;
        memcpy(*all, mine, size_in);
        sizes[0] = size_in;
        return 0;
    }
    unsigned long long own = size_in, *each = malloc((size_t)size * sizeof *each);
    if (!each) cluster_abort(1);
    MPI_Allgather(&own, 1, MPI_UNSIGNED_LONG_LONG, each, 1,
                  MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
    size_t total = 0;
    for (int r = 0; r < size; r++) total += sizes[r] = (size_t)each[r];
    free(each);
    unsigned char *out = malloc(total + 1);
    if (!out) {
        fprintf(stderr, "rank %d: out of memory for the %zu bytes the ranks "
                        "share\n", rank, total);
        cluster_abort(1);
    }
    size_t at = 0;
    for (int r = 0; r < size; r++) {
        if (r == rank) memcpy(out + at, mine, size_in);
        for (size_t done = 0; done < sizes[r];) {
            size_t piece = sizes[r] - done < CLUSTER_PIECE ? sizes[r] - done
                                                           : CLUSTER_PIECE;
            MPI_Bcast(out + at + done, (int)piece, MPI_BYTE, r, MPI_COMM_WORLD);
            done += piece;
        }
        at += sizes[r];
    }
    *all = out;
    return 0;
}

int cluster_gather_text(const char *text, size_t size_in, char **all,
                        size_t *all_size)
{
    *all = NULL;
    *all_size = 0;
    if (!joined || size == 1) {
        *all = malloc(size_in + 1);
        if (!*all) return -1;
        memcpy(*all, text, size_in);
        (*all)[size_in] = '\0';
        *all_size = size_in;
        return 0;
    }
    if (size_in > INT_MAX) {
        fprintf(stderr, "rank %d: %zu bytes of results are more than MPI "
                        "can send at once\n", rank, size_in);
        cluster_abort(1);
    }
    int mine = (int)size_in, *counts = NULL, *offsets = NULL;
    if (rank == 0) {
        counts = malloc((size_t)size * sizeof *counts);
        offsets = malloc((size_t)size * sizeof *offsets);
        if (!counts || !offsets) cluster_abort(1);
    }
    MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    long total = 0;
    if (rank == 0) {
        for (int i = 0; i < size; i++) {
            offsets[i] = (int)total;
            total += counts[i];
        }
        if (total > INT_MAX) {
            fprintf(stderr, "the ranks' results, %ld bytes, are more than "
                            "MPI can gather at once\n", total);
            cluster_abort(1);
        }
        *all = malloc((size_t)total + 1);
        if (!*all) cluster_abort(1);
    }
    MPI_Gatherv(text, mine, MPI_CHAR, *all, counts, offsets, MPI_CHAR, 0,
                MPI_COMM_WORLD);
    if (rank == 0) {
        (*all)[total] = '\0';
        *all_size = (size_t)total;
    }
    free(counts);
    free(offsets);
    return 0;
}

_Noreturn void cluster_abort(int status)
{
    if (joined && size > 1) {
        fprintf(stderr, "rank %d of %d failed: stopping the whole job\n",
                rank, size);
        fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, status);
    }
    exit(status);
}
