/* capture_portaudio.h: the PortAudio backend: an input stream on the
 * default input device or the one --device names (by index, by exact name,
 * or by a part of its name that only one device has), at the device's
 * default rate.
 *
 * The stream callback copies the interleaved input into the ring and
 * returns. Its timeInfo says when the block's first frame reached the
 * converter (inputBufferAdcTime) and when the callback ran, on the stream's
 * clock (Pa_GetStreamTime); a host API that does not know the ADC time
 * gives 0, and then the callback time less the block's length stands in.
 */
#ifndef IRMASD_CAPTURE_PORTAUDIO_H
#define IRMASD_CAPTURE_PORTAUDIO_H

#include "capture_backend.h"

#include <stdio.h>

/* An unknown device, or one without inputs, is an error that says how to
 * list them. */
irmas_status capture_portaudio_open(const daemon_options *o, capture *c,
                                    char *err, size_t errlen);

/* Writes one line per input device: index, name, host API, input channels
 * and default rate, the default device marked with '*'. */
irmas_status capture_portaudio_list(FILE *out, char *err, size_t errlen);

#endif
