/* loss.h: the training objective: cross-entropy of the softmax output
 * against the true class.
 *
 * The model's last layer already applies the softmax (dense.h), so the
 * loss reads probabilities. Its gradient with respect to the logits (the
 * softmax's input) is the simple p - onehot(label); it is computed here
 * directly, never through the softmax's Jacobian, so a probability that
 * underflowed to 0 cannot turn it into inf - inf.
 */
#ifndef IRMAS_LOSS_H
#define IRMAS_LOSS_H

/* Returns the sum over rows of -log p[label] for probs[batch][classes],
 * and writes dlogits[batch][classes] = scale * (p - onehot(label)), scale
 * being 1 / (examples in the whole batch) for a mean loss; dlogits may be
 * NULL when only the loss is wanted (evaluation). A probability
 * below 1e-30 counts as 1e-30, so a confident mistake costs about 69, not
 * infinity. */
double loss_softmax_xent(const float *probs, const int *labels, int batch,
                         int classes, float scale, float *dlogits);

#endif
