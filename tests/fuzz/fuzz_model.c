/* fuzz_model.c: libFuzzer target for the .irm reader on raw bytes.
 *
 * Whatever the bytes, irmas_model_parse must return a status (never crash, hang
 * or read outside the buffer); a model it accepts is freed again. Most
 * mutations stop at the envelope's checksum; fuzz_model_layers.c seals
 * them so the layer table is reached too. */
#include "model_file.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    irmas_model *m = NULL;
    if (irmas_model_parse(data, size, "fuzz.irm", &m, err, sizeof err) == IRMAS_OK)
        irmas_model_free(m);
    return 0;
}
