package org.workbench.attack;

import ai.djl.ndarray.NDArray;
import java.util.function.Function;
import org.workbench.problem.Objective;

/**
 * The scalar an attack ascends, summed over the batch, as a function of the logits. Constant tensors are
 * built once here: an op's result belongs to its first operand's manager, so building them per step would
 * leak into the outer scope.
 */
final class AttackLoss {
    private AttackLoss() {}

    /**
     * @param trueOneHot one-hot of the labels [B, C]
     * @param targetOneHot one-hot of the targets [B, C] for targeted attacks, else null
     * @param cleanProbs the clean inputs' softmax [B, C] for the KL objective, else null
     */
    static Function<NDArray, NDArray> of(Objective.Type type, NDArray trueOneHot, NDArray targetOneHot, NDArray cleanProbs) {
        switch (type) {
            case KL: {
                // KL(p || softmax(z)) = sum p log p - sum p log_softmax(z): the first sum does not move with z, so the
                // ascent direction is that of the cross-entropy against the clean distribution.
                NDArray negP = cleanProbs.neg();
                return z -> z.logSoftmax(1).mul(negP).sum();
            }
            case CROSS_ENTROPY: {
                // -sum(log_softmax * onehot) with the minus folded into the constant: one op and one autograd
                // node fewer; negation is exact, so value and gradient keep every bit.
                NDArray negHot = trueOneHot.neg();
                return z -> z.logSoftmax(1).mul(negHot).sum();
            }
            case MARGIN: {
                NDArray push = trueOneHot.mul(1e9f);
                return z -> margin(z, trueOneHot, push).sum();
            }
            default: {
                NDArray direction = targetOneHot.sub(trueOneHot);
                return z -> z.mul(direction).sum();
            }
        }
    }

    /** max_{j != y} z_j - z_y per sample; {@code push} = 1e9 * one-hot(y) takes y out of the max. */
    static NDArray margin(NDArray z, NDArray trueOneHot, NDArray push) {
        return z.sub(push).max(new int[] {1}).sub(z.mul(trueOneHot).sum(new int[] {1}));
    }

    /**
     * {@link #margin} in Java on the logits (row-major [B, C]), against the best margins so far: sets
     * {@code better[i]} where sample i's margin beats {@code best[i]}, raises {@code best[i]}, and says whether
     * any did. Five tiny tensor ops per step cost more in native calls than this loop; the float arithmetic is
     * the same (z_y - 1e9 in float32, NaN propagating through the max, and z_y as the one-hot sum, which only
     * adds signed zeros), so the choices are bit-for-bit those of the tensor version.
     */
    static boolean improve(float[] z, int[] labels, float[] best, boolean[] better) {
        int b = labels.length, c = z.length / b;
        boolean any = false;
        for (int i = 0; i < b; i++) {
            int y = labels[i];
            float max = 0f, hit = 0f;
            for (int j = 0; j < c; j++) {
                float v = z[i * c + j];
                float shifted = v - (j == y ? 1e9f : 0f);
                max = j == 0 ? shifted : Math.max(max, shifted);
                hit += v * (j == y ? 1f : 0f);
            }
            float score = max - hit;
            better[i] = score > best[i];
            if (better[i]) {
                best[i] = score;
                any = true;
            }
        }
        return any;
    }
}
