/* capture_jack.h: the JACK backend: a client with one input port per
 * channel (in_1, in_2, ...), optionally connected to --connect ports, and
 * with --passthrough one output port per input (out_1, ...) that copies it,
 * so a DAW can route audio through irmasd.
 *
 * The process callback copies the inputs into the ring (and to the
 * outputs) and returns. It times each block with jack_last_frame_time and
 * jack_frames_to_time, which read JACK's shared timing without a system
 * call: the cycle began when the block's last frame had been captured.
 *
 * When the server goes away (jack_on_info_shutdown) the daemon says so and
 * keeps running; capture_poll then tries once a second to open a new client
 * (JackNoStartServer, so it never starts a server of its own), and when one
 * comes back recreates the ports, reconnects them and carries on.
 */
#ifndef IRMASD_CAPTURE_JACK_H
#define IRMASD_CAPTURE_JACK_H

#include "capture_backend.h"

/* Connects to the server ($JACK_DEFAULT_SERVER or "default"); a server
 * that is not running or a port that does not exist is an error naming
 * it. */
irmas_status capture_jack_open(const daemon_options *o, capture *c, char *err,
                               size_t errlen);

#endif
