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
        long b = region.lo().getShape().get(0);
        if (b > 1 && prop.walksPatches()) {
            // Receptive-field walks of a batch take every sample's rows back to back, each with its own sample's bounds
            // and ReLU lines gathered: on the shipped CNN that cost 46 ms per image in batches of 8 against 29 ms one
            // at a time (bench/relax_benchmark.sh), so convolutional networks are bounded sample by sample.
            ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
            for (int s = 0; s < b; s++) parts.add(upperOf(new Propagation(prop.net()), region.slice(s), Propagation.slice(spec, s), m));
            return ai.djl.ndarray.NDArrays.concat(parts);
        }
        return upperOf(prop, region, spec, m);
    }

    private NDArray upperOf(Propagation prop, Region region, NDArray spec, NDManager m) {
        List<NDArray[]> bounds = prop.crown(region, m, chunk);
        return prop.upper(spec, prop.size(), bounds, region, null).minimum(prop.lastLayerBox(spec, bounds));
    }
}
