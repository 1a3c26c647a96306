/* irmas.h: libirmas, live instrument tagging, in one include.
 *
 * Load a model (model_file.h; irmas_pretrained_load_model in pretrained.h
 * also attaches a pretrained front-end's weights), then either classify
 * whole windows (window.h) or push audio as it arrives and receive one
 * probability vector per hop (stream.h). Functions that can fail return an
 * irmas_status and write a one-line message into a caller's buffer
 * (status.h); the others (accessors, destructors, classify and push on a
 * runner that was created successfully) cannot fail. IRMAS_VERSION and its
 * parts come from irmas/version.h, which meson generates from the project's
 * version.
 */
#ifndef IRMAS_H
#define IRMAS_H

#include "irmas/version.h"
#include "model.h"
#include "model_file.h"
#include "status.h"
#include "stream.h"
#include "window.h"

#endif
