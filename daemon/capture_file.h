/* capture_file.h: the file backend: a WAV (or anything libsndfile reads)
 * replayed as if a device were capturing it.
 *
 * A reader thread stands in for the device: it reads a block, waits until
 * the moment the block's last frame would have been captured (or, with
 * --fast, not at all), and hands the block to the ring as an audio callback
 * would. Unlike a device it never drops audio: when the ring is full it
 * waits for the worker. At the end of the file it closes the ring, and the
 * daemon exits once the last window is sent. It exists for tests, offline
 * runs and the latency benchmark.
 */
#ifndef IRMASD_CAPTURE_FILE_H
#define IRMASD_CAPTURE_FILE_H

#include "capture_backend.h"

/* Opens o->input; the file's own rate and channels become the capture's. */
irmas_status capture_file_open(const daemon_options *o, capture *c, char *err,
                               size_t errlen);

#endif
