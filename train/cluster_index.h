/* cluster_index.h: one index of files for every rank of a job.
 *
 * Under mpirun, rank 0 alone lists the files (scanning folders) and reads
 * each one's length from its header (dataset_measure); it sends the index
 * (dataset_pack over cluster_broadcast) and the other ranks unpack it, so
 * a job looks at its folders and headers once however many ranks it has,
 * and every rank holds the same list. irmas-train shares its data sets
 * this way, irmas-tag its archive.
 */
#ifndef IRMAS_CLUSTER_INDEX_H
#define IRMAS_CLUSTER_INDEX_H

#include "dataset.h"

/* Every rank calls it. On rank 0, d is the index it built, or built is 0
 * when it could not build one (it has said why); rank 0 measures d's
 * files and sends d. On the other ranks d is empty and receives rank 0's.
 * Returns 0 on every rank that holds the index, 1 where it does not: on
 * every rank when rank 0 had none to send, on a rank that could not read
 * what it sent (said on stderr, naming the rank). */
int cluster_share_index(dataset *d, int built);

#endif
