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
     */
    static Function<NDArray, NDArray> of(Objective.Type type, NDArray trueOneHot, NDArray targetOneHot) {
        switch (type) {
            case CROSS_ENTROPY:
                return z -> z.logSoftmax(1).mul(trueOneHot).sum().neg();
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
}
