/* cluster_index.c: rank 0's index of files sent to every rank
 * (cluster_index.h). */
#include "cluster_index.h"

#include "cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cluster_share_index(dataset *d, int built)
{
    void *bytes = NULL;
    size_t size = 0;
    if (cluster_is_root() && built) {
        dataset_measure(d);
        if (dataset_pack(d, &bytes, &size) != IRMAS_OK) {
            fprintf(stderr, "%s: error: out of memory for the index of %d "
                            "files\n", program_invocation_short_name,
                    d->n_items);
            built = 0;
        }
    }
    cluster_broadcast(&bytes, &size); /* size 0: rank 0 failed and said so */
    int status = cluster_is_root() ? !built : size == 0;
    if (!cluster_is_root() && size > 0 &&
        dataset_unpack(d, bytes, size) != IRMAS_OK) {
        fprintf(stderr, "%s: error: rank %d cannot read the index of files "
                        "rank 0 sent (%zu bytes): out of memory, or not the "
                        "same build on every rank\n",
                program_invocation_short_name, cluster_rank(), size);
        status = 1;
    }
    free(bytes);
    return status;
}
