/* fuzz_osc_url.c: libFuzzer target for the OSC URLs irmasd sends to.
 *
 * irmasd's --osc URL is checked by daemon_options_check_osc_url, goes through
 * liblo's lo_address_new_from_url, and then its host, port and protocol
 * are read back (daemon/osc.c); this target does the same on any string,
 * which must never crash. */
#include "daemon_options.h"

#include <lo/lo.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    if (!url) return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    char err[256];
    lo_address a = daemon_options_check_osc_url(url, err, sizeof err) == IRMAS_OK
                       ? lo_address_new_from_url(url)
                       : NULL;
    if (a) {
        const char *host = lo_address_get_hostname(a);
        const char *port = lo_address_get_port(a);
        volatile size_t n = (host ? strlen(host) : 0) +
                            (port ? strlen(port) : 0) +
                            (size_t)lo_address_get_protocol(a);
        (void)n;
        lo_address_free(a);
    }
    free(url);
    return 0;
}
