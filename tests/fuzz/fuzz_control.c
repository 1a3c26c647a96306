/* fuzz_control.c: libFuzzer target for irmasd's OSC control messages.
 *
 * Any datagram that reaches --osc-listen goes through control_parse
 * (daemon/control.h), liblo's message parser underneath; whatever the
 * bytes, it must answer with a request or a reason, never crash. */
#include "control.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    control_request request;
    char why[256];
    if (control_parse(data, size, &request, why, sizeof why) == IRMAS_OK) {
        volatile size_t n = strlen(request.path) + (size_t)request.kind;
        (void)n;
    } else {
        volatile size_t n = strlen(why) + strlen(request.path);
        (void)n;
    }
    return 0;
}
