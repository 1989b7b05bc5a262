package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.workbench.solve.SolverContext;

/**
 * Interval bound propagation: boxes through every layer; the last linear layer is folded into the margin
 * specification (rows w_j - w_y), which is tighter than subtracting the logits' intervals.
 */
final class Ibp extends Relaxation {
    Ibp(String name, SolverContext ctx) {
        super(name, ctx);
    }

    @Override
    NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m) {
        return upper(prop, region, spec);
    }

    /** The rule itself, for any data type: certified training differentiates it in float32 ({@link TrainingBounds}). */
    static NDArray upper(Propagation prop, Region region, NDArray spec) {
        return prop.lastLayerBox(spec, prop.interval(region));
    }
}
