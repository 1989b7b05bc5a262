package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.workbench.net.Linear;
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
        List<NDArray[]> bounds = prop.interval(region);
        int last = prop.size() - 1;
        if (prop.layer(last) instanceof Linear l) {
            NDArray[] r = l.backward(spec, prop.params(last), null, null, null);
            NDArray[] in = bounds.get(prop.in(last));
            return Region.concretizeBox(r[0], in[0], in[1]).add(r[1]);
        }
        NDArray[] out = bounds.get(prop.size());
        return Region.concretizeBox(spec, out[0], out[1]);
    }
}
