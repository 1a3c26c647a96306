/* irmas/osc.h: irmasd's OSC protocol, written once: the addresses it sends
 * and answers, the OSC type tags of their arguments, and the limits a
 * receiver can size its buffers by. irmasd (daemon/osc.c, daemon/control.c)
 * and irmas-view include it; a receiver in C may too. Only macros: it needs
 * neither liblo nor libirmas.
 *
 * Every address may carry a prefix chosen with irmasd --osc-prefix
 * ("/stage/left" + "/irmas/probs"). A type tag string below lists the
 * arguments in order; "f..." means one float per class, "s..." one string
 * per class.
 */
#ifndef IRMAS_OSC_H
#define IRMAS_OSC_H

/* ---- Limits ---------------------------------------------------------- */

/* At most this many classes in a message (a model file holds no more). */
#define IRMAS_OSC_MAX_CLASSES 64

/* Bytes of a class label with its terminating NUL (as in a model file). */
#define IRMAS_OSC_LABEL_MAX 32

/* Characters OSC reserves in addresses; a label is written into
 * IRMAS_OSC_CLASS addresses with each of them replaced by '_'. */
#define IRMAS_OSC_RESERVED " #*,/?[]{}"

/* ---- Per window: what irmasd sends to every target ------------------- */

/* A window's bundle (timetag: the capture time of its last sample) holds
 * IRMAS_OSC_PROBS, IRMAS_OSC_TOP, IRMAS_OSC_TOP_INDEX and one
 * IRMAS_OSC_CLASS message per class; a window quieter than the gate only
 * IRMAS_OSC_SILENCE. With bundles off the same messages go out one by one,
 * each with the capture time appended (IRMAS_OSC_TIME_TYPE). */

/* One probability per class, in model order. */
#define IRMAS_OSC_PROBS "/irmas/probs"
#define IRMAS_OSC_PROBS_TYPE "f..."

/* The most likely label and its probability. */
#define IRMAS_OSC_TOP "/irmas/top"
#define IRMAS_OSC_TOP_TYPES "sf"

/* The same as the label's index in model order. */
#define IRMAS_OSC_TOP_INDEX "/irmas/top/index"
#define IRMAS_OSC_TOP_INDEX_TYPES "if"

/* "/irmas/class/<label>": one class's probability. */
#define IRMAS_OSC_CLASS "/irmas/class/"
#define IRMAS_OSC_CLASS_TYPES "f"

/* The window's level in dBFS, when it was below the gate. */
#define IRMAS_OSC_SILENCE "/irmas/silence"
#define IRMAS_OSC_SILENCE_TYPES "f"

/* The argument appended to each message when bundles are off: the capture
 * time in seconds since 1970. */
#define IRMAS_OSC_TIME_TYPE "d"

/* The class labels in model order: at start, after a reload and every few
 * seconds. */
#define IRMAS_OSC_CLASSES "/irmas/classes"
#define IRMAS_OSC_CLASSES_TYPE "s..."

/* ---- The control port (irmasd --osc-listen) ---------------------------- */

/* Asks what runs; answered with the same address and the model file, its
 * rate, the hop and window in seconds, and the labels. */
#define IRMAS_OSC_INFO "/irmas/info"
#define IRMAS_OSC_INFO_REPLY_TYPES "sifff" /* then "s..." */

/* The sender (at its own port, or at the port given) becomes a target,
 * or stops being one; answered with the URL. */
#define IRMAS_OSC_SUBSCRIBE "/irmas/subscribe"
#define IRMAS_OSC_UNSUBSCRIBE "/irmas/unsubscribe"
#define IRMAS_OSC_SUBSCRIBE_TYPES "" /* or "i": the port */
#define IRMAS_OSC_SUBSCRIBED "/irmas/subscribed"
#define IRMAS_OSC_UNSUBSCRIBED "/irmas/unsubscribed"
#define IRMAS_OSC_SUBSCRIBED_TYPES "s"

/* Settings, each answered with its address and the value now in force:
 * the moving average's time constant (0 to 3600 s), the silence gate in
 * dBFS (at most 0, or the string "off"), the time between windows. */
#define IRMAS_OSC_SET_SMOOTH "/irmas/set/smooth"
#define IRMAS_OSC_SET_GATE "/irmas/set/gate"
#define IRMAS_OSC_SET_HOP "/irmas/set/hop"
#define IRMAS_OSC_SET_TYPES "f" /* the gate also takes "s": "off" */

/* Why a control message was refused. */
#define IRMAS_OSC_ERROR "/irmas/error"
#define IRMAS_OSC_ERROR_TYPES "s"

#endif
