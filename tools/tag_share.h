/* tag_share.h: the files of one irmas-tag job, shared out over the
 * processes of an MPI job (cluster.h), and the tagged results they send
 * back to rank 0 to print in order.
 *
 * Rank 0 alone builds the list (the arguments in order, a folder
 * replaced by its audio files in name order with --recursive) and, under
 * mpirun, reads each file's length from its header once and sends the
 * list to the other ranks (cluster_index.h). Every rank then gives the
 * files the same owners: longest first, each to the rank with the fewest
 * seconds so far (ties to the lower rank), so the ranks finish together
 * however the lengths vary. A rank tags its files into records
 * (tag_share_write), rank 0 gathers them (cluster_gather_text) and walks
 * them (tag_share_read) to print every file in list order.
 *
 * Records hold numbers in the host's byte order: the ranks of a job run
 * the same build on the same kind of machine.
 */
#ifndef IRMAS_TAG_SHARE_H
#define IRMAS_TAG_SHARE_H

#include <stdio.h>

typedef struct {
    char **paths; /* [n], owned */
    int n;
    int *owner;   /* [n]: the rank that tags each file */
} tag_share;

/* Builds the list from args[0..n_args) and shares it over the job's
 * ranks: with recursive, an argument that is a folder stands for the
 * audio files under it. Every rank calls it. Returns 0, or -1 with the
 * reason in err (a folder without audio files, out of memory), or with
 * err empty where another rank failed and has said why. */
int tag_share_new(tag_share *s, char **args, int n_args, int recursive,
                  char *err, size_t errlen);
void tag_share_free(tag_share *s);

/* One file's result: its windows, or why it failed. */
typedef struct {
    int index;             /* its place in the list */
    int classes;
    long windows;
    double seconds;        /* its length */
    const float *probs;    /* [windows][classes] */
    const long long *ends; /* [windows]: the sample after each window */
    const char *error;     /* NULL: tagged; else why not */
} tag_record;

/* Appends r to out; 0, or -1 when out fails. */
int tag_share_write(FILE *out, const tag_record *r);

/* Reads the record at *at (before end) into r, pointing into the buffer,
 * and moves *at past it; 0, or -1 at the end or on a damaged record. The
 * buffer must be 8-byte aligned (malloc's), as records are padded to 8. */
int tag_share_read(const char **at, const char *end, tag_record *r);

#endif
