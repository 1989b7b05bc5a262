package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.workbench.solve.SolverContext;

/**
 * Linear relaxation by back-substitution (CROWN; DeepPoly is the same with its fixed lower-slope rule), with
 * every ReLU's input bounds computed the same way, layer by layer (and intersected with the intervals). The margin
 * bound is the smaller of the full back-substitution and the last layer over its input's box, so CROWN is never
 * looser than IBP.
 */
final class Crown extends Relaxation {
    private final int chunk;

    Crown(String name, SolverContext ctx, int chunk) {
        super(name, ctx);
        this.chunk = chunk;
    }

    @Override
    NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m) {
        List<NDArray[]> bounds = prop.crown(region, m, chunk);
        return prop.upper(spec, prop.size(), bounds, region, null).minimum(prop.lastLayerBox(spec, bounds));
    }
}
