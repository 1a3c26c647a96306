/* loss.h: the training objective: cross-entropy of the softmax output
 * against the true class, and, when a teacher network gives soft targets,
 * knowledge distillation (Hinton, Vinyals and Dean, "Distilling the
 * Knowledge in a Neural Network", 2015).
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

/* How hard labels and a teacher's soft targets are mixed, and how much
 * matching the teacher's embedding counts (loss_embedding). */
typedef struct {
    float weight;      /* w in [0, 1]: the share of the soft term */
    float temperature; /* T > 0: both distributions are softened at T */
    float embedding_weight; /* lambda >= 0: the embedding term's weight */
} loss_distill_params;

/* Mixup (Zhang, Cisse, Dauphin and Lopez-Paz, "mixup: Beyond Empirical
 * Risk Minimization", 2018): row r's input is share[r] of its own
 * example's and 1 - share[r] of a partner example's, and so is its hard
 * target, share[r] * onehot(label[r]) + (1 - share[r]) *
 * onehot(partner[r]). The caller mixes the inputs, and the soft targets
 * if there are any. A row mixed with unlabelled audio (partner[r] < 0)
 * has no hard target: it learns the mixed soft targets alone. */
typedef struct {
    const int *partner;  /* [batch]: the partner example's label, or -1 */
    const float *share;  /* [batch]: the row's own example's share, 0..1 */
} loss_mixup;

/* Distillation: for row r with probabilities p = softmax(z), hard target y
 * (onehot(label), or mixed as loss_mixup says) and the teacher's
 * distribution q (targets[r][classes], positive, summing to 1), the loss
 * is
 *     (1 - w) * -sum_c y[c] log p[c]  +  w * T^2 * KL(q_T || s_T)
 * where s_T = softmax(z / T) is the student at temperature T and
 * q_T = softmax(log q / T) (q^(1/T), renormalised) the teacher softened
 * the same way, as if log q were its logits. KL(q_T || s_T) =
 * sum_c q_T[c] log(q_T[c] / s_T[c]) is Hinton et al.'s cross-entropy
 * less the teacher's entropy, which the model cannot change: the same
 * gradient, and a term that is 0 when the student agrees with the
 * teacher. T^2 keeps the soft term's gradient, T * (s_T - q_T) with
 * respect to z, as large as the hard term's whatever T is (Hinton et
 * al.). A row whose label is negative has no hard label (unlabelled
 * audio, or mixed with it): its loss is the soft term alone,
 * T^2 * KL(q_T || s_T), at full weight. targets NULL: the hard term alone
 * (w = 0); with mix NULL too, exactly loss_softmax_xent.
 *
 * Returns the summed loss and writes dlogits[batch][classes] = scale *
 * its gradient with respect to z (dlogits may be NULL). s_T is computed
 * from log p (log p = z - logsumexp z), with p below 1e-30 counted as
 * 1e-30 as in loss_softmax_xent. classes is at most MODEL_MAX_CLASSES. */
double loss_distill(const float *probs, const int *labels,
                    const loss_mixup *mix, const float *targets, int batch,
                    int classes, const loss_distill_params *p, float scale,
                    float *dlogits);

/* Embedding matching (Romero et al., "FitNets: Hints for Thin Deep
 * Nets", 2015, with the teacher's embedding as the hint): row r of a
 * layer's pre-activations z[batch][dims] is drawn towards row r of
 * embeddings[batch][dims], the teacher's embedding of the same audio
 * (standardised, distill.h). The loss is
 *     lambda * (1 / dims) * sum_d (z[d] - e[d])^2
 * per row; returns its sum over rows and adds scale * its gradient,
 * lambda * 2 (z - e) / dims, to dz[batch][dims]. */
double loss_embedding(const float *z, const float *embeddings, int batch,
                      int dims, float lambda, float scale, float *dz);

#endif
