/* cluster.h: the processes one training or tagging job runs as, and what
 * they say to each other: how many there are, which one this is, sums
 * across all of them, and stopping all of them at once.
 *
 * Started by an MPI launcher (`mpirun -np N`, Slurm's `srun`), a job is N
 * processes ("ranks"), 0 to N-1; started alone, it is one process, rank
 * 0 of 1, and every call below is cheap and local. Two implementations
 * share this interface: cluster_mpi.c (built when meson finds MPI) and
 * cluster_none.c (one process, always); callers never test which.
 *
 * Every function is for the main thread only (MPI is set up for
 * MPI_THREAD_FUNNELED): worker threads compute, the main thread talks.
 * The sums are collective: every rank must call them, in the same order,
 * with the same count, or the job waits forever; a rank that fails must
 * stop the job with cluster_abort instead of returning.
 */
#ifndef IRMAS_CLUSTER_H
#define IRMAS_CLUSTER_H

#include <stddef.h>

/* Joins the job when a launcher started this process (it says so in the
 * environment); otherwise the process is alone. Call once, first thing in
 * main, before any thread starts. Returns 0, or -1 after printing why MPI
 * could not start. */
int cluster_init(int *argc, char ***argv);

/* Leaves the job at the end of a successful run. Every rank calls it. */
void cluster_finish(void);

/* This process's rank, 0 to cluster_size() - 1. */
int cluster_rank(void);

/* How many processes the job has; 1 without a launcher. */
int cluster_size(void);

/* In place: data[0..n) becomes the sum over every rank of its data. The
 * result is the same on every rank. */
void cluster_sum_floats(float *data, long n);
void cluster_sum_doubles(double *data, int n);

/* Seconds this process has spent in the sums so far (waiting for the
 * slowest rank included): the communication time. */
double cluster_seconds(void);

/* Sends rank 0's bytes (*data, *size) to every rank: the others' *data
 * becomes a new buffer of *size bytes (the caller frees it). *size 0 on
 * rank 0 tells the others it has nothing (they get *data NULL). Returns
 * 0; out of memory, it ends the job. One process: nothing to do. */
int cluster_broadcast(void **data, size_t *size);

/* Gathers text: every rank gives its own (text, size); rank 0 receives
 * all of them joined in rank order into a new buffer (*all, *all_size:
 * the caller frees it); the other ranks get *all = NULL. Returns 0, or
 * -1 when out of memory. */
int cluster_gather_text(const char *text, size_t size, char **all,
                        size_t *all_size);

/* Shares bytes all ways: every rank gives its own (mine, size), and every
 * rank receives all of them joined in rank order into a new buffer (*all:
 * the caller frees it), rank r's part sizes[r] bytes long (sizes has
 * cluster_size() entries). Any size: the parts travel in pieces MPI can
 * count. Returns 0, or -1 when out of memory alone; in a job, out of
 * memory ends it. */
int cluster_share_bytes(const void *mine, size_t size, void **all,
                        size_t *sizes);

/* Stops the whole job with exit status: alone, exit(status); in a job,
 * tells the launcher to end every rank (MPI_Abort), so that no rank
 * waits forever for one that has failed. Say why on stderr first. */
_Noreturn void cluster_abort(int status);

/* 1 on rank 0, the rank that writes files and reports. */
static inline int cluster_is_root(void) { return cluster_rank() == 0; }

/* This rank's share of total items split into cluster_size() contiguous
 * runs as equal as can be: sets *first and returns how many (possibly 0
 * when there are fewer items than ranks). */
static inline int cluster_share(int total, int *first)
{
    long rank = cluster_rank(), size = cluster_size();
    *first = (int)(total * rank / size);
    return (int)(total * (rank + 1) / size) - *first;
}

#endif
