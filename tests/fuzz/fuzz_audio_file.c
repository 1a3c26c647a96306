/* fuzz_audio_file.c: libFuzzer target for the audio file reader
 * (data/audio_file.h) that irmas-train, irmas-eval and irmas-tag use.
 *
 * The input is written to a file, which audio_file_read opens through
 * libsndfile, mixes down and resamples to 8000 Hz; it must return a status
 * and never crash or hang. */
#include "audio_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/irmas-fuzz-audio-%ld.wav",
                 (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    audio_clip clip;
    char err[512];
    for (int mixdown = 0; mixdown <= 1; mixdown++)
        if (audio_file_read(path, 8000, mixdown, &clip, err, sizeof err) ==
            IRMAS_OK)
            audio_clip_free(&clip);
    unlink(path);
    return 0;
}
