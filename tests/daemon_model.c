/* daemon_model.c: writes the daemon tests' hand-made model (daemon_tone.h)
 * to a file, as irmasd loads it.
 *
 *     daemon_model OUT.irm [RATE [LOW,HIGH [WINDOW_SECONDS]]]
 *
 * Defaults: 16000 Hz, cello,flute, 1 s windows.
 */
#include "daemon_tone.h"
#include "model_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: daemon_model OUT.irm [RATE [LOW,HIGH "
                        "[WINDOW_SECONDS]]]\n");
        return 2;
    }
    int rate = argc > 2 ? atoi(argv[2]) : 16000;
    char labels[2 * MODEL_LABEL_MAX] = "cello,flute";
    if (argc > 3) snprintf(labels, sizeof labels, "%s", argv[3]);
    double window = argc > 4 ? atof(argv[4]) : 1.0;
    char *comma = strchr(labels, ',');
    if (!comma) {
        fprintf(stderr, "daemon_model: labels are LOW,HIGH\n");
        return 2;
    }
    *comma = '\0';
    char err[512] = "";
    irmas_model *m = daemon_tone_model(rate, labels, comma + 1, window, err,
                                 sizeof err);
    irmas_status st = m ? irmas_model_save(m, argv[1], err, sizeof err)
                        : IRMAS_ERR_ARG;
    if (st != IRMAS_OK) fprintf(stderr, "daemon_model: %s\n", err);
    irmas_model_free(m);
    return st == IRMAS_OK ? 0 : 1;
}
