package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.workbench.solve.SolverContext;

/**
 * CROWN-IBP (Zhang et al. 2020): interval bounds at every ReLU input, then one back-substitution of the margin rows
 * through the whole network with CROWN's relaxation of each ReLU from those bounds. Tighter than IBP at the output,
 * as cheap as one CROWN pass; what certified training with crown-ibp differentiates ({@link TrainingBounds}).
 */
final class CrownIbp extends Relaxation {
    CrownIbp(String name, SolverContext ctx) {
        super(name, ctx);
    }

    @Override
    NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m) {
        return upper(prop, region, spec);
    }

    static NDArray upper(Propagation prop, Region region, NDArray spec) {
        return prop.upper(spec, prop.size(), prop.interval(region), region, null);
    }
}
