/* fuzz_options.c: libFuzzer target for irmasd's settings: its flags and
 * its configuration file (daemon/daemon_options.h).
 *
 * The input holds a configuration file, then, after a NUL byte, the
 * command line as NUL-separated arguments. The file is written out and
 * named by --config ahead of those arguments, so both parsers see
 * mutations; daemon_options_parse must return a status and never crash. */
#include "daemon_options.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/irmas-fuzz-config-%ld.conf",
                 (long)getpid());
    const uint8_t *nul = memchr(data, '\0', size);
    size_t file_size = nul ? (size_t)(nul - data) : size;
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, file_size, f);
    fclose(f);

    /* The arguments, each NUL-terminated in a copy of the rest. */
    size_t rest = nul ? size - file_size - 1 : 0;
    char *args = malloc(rest + 1);
    if (!args) return 0;
    memcpy(args, nul ? (const char *)nul + 1 : "", rest);
    args[rest] = '\0';
    char *argv[MAX_ARGS + 4] = {"irmasd", "--config", path};
    int argc = 3;
    for (size_t at = 0; at < rest && argc < MAX_ARGS + 3;
         at += strlen(args + at) + 1)
        argv[argc++] = args + at;
    argv[argc] = NULL;

    daemon_options *o = malloc(sizeof *o);
    daemon_options_action action;
    char err[2048];
    if (o) daemon_options_parse(o, argc, argv, &action, err, sizeof err);
    free(o);
    free(args);
    unlink(path);
    return 0;
}
