package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A layer with a forward pass (and so input gradients for attacks) but no bound rules yet: the relaxation and
 * exact solvers reject networks that hold one, by the layer's name ({@link Network#boundRuleGap}). Every layer the
 * importer makes has its rules today; a new operator may start here, so that attacks run on networks holding it
 * while the relaxations refuse them by name. Giving it its interval, back-substitution and encoding rules means
 * implementing the three methods below in its own class and adding it to {@link Layer}'s permitted list.
 */
public non-sealed interface AttackOnly extends Layer {

    @Override
    default boolean hasBoundRules() {
        return false;
    }

    private UnsupportedOperationException noRule() {
        return new UnsupportedOperationException(type() + ": no bound rule; attacks work, relaxations do not");
    }

    @Override
    default NDArray[] interval(NDArray lo, NDArray hi, NDList p) {
        throw noRule();
    }

    @Override
    default NDArray[] backward(NDArray lambda, NDList p, NDArray lo, NDArray hi, NDArray lowerSlope) {
        throw noRule();
    }

    @Override
    default int[] encode(LinearProgram lp, int[] in, int[] inShape, double[] inLo, double[] inHi, boolean exact) {
        throw noRule();
    }
}
