/* irmas.h: libirmas, live instrument tagging, in one include.
 *
 * Load a model (model_file.h), then either classify whole windows
 * (window.h) or push audio as it arrives and receive one probability vector
 * per hop (stream.h). Every function returns an irmas_status (status.h).
 */
#ifndef IRMAS_H
#define IRMAS_H

#include "model.h"
#include "model_file.h"
#include "status.h"
#include "stream.h"
#include "window.h"

#define IRMAS_VERSION "0.1.0"

#endif
