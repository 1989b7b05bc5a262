package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import java.util.List;
import ai.djl.ndarray.types.Shape;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;

/**
 * The bounds that certified training differentiates. They are the verifier's own: the same {@link Propagation} and
 * the same per-layer interval rules as the {@code ibp} solver, run on the trainer's network (float32, with autograd)
 * instead of a float64 copy, so a bound trained against is the bound later certified (up to float32 rounding).
 */
public final class TrainingBounds {
    private TrainingBounds() {}

    /**
     * Upper bounds [B, classes] of z_j − z_y over the boxes [lo, hi] (batch first, the network's input shape), 0 at
     * j = y: interval propagation with the last linear layer folded into the margin rows, as {@code ibp} computes
     * them. The cross-entropy of these "worst-case logits" is the certified loss of Gowal et al. and the tutorial.
     */
    public static NDArray ibpMargins(TorchNet net, NDArray lo, NDArray hi, int[] labels) {
        return Ibp.upper(new Propagation(net), region(lo, hi), spec(net, lo, labels));
    }

    /** As {@link #ibpMargins} by the {@code crown-ibp} solver's rule: interval bounds inside, CROWN for the margins. */
    public static NDArray crownIbpMargins(TorchNet net, NDArray lo, NDArray hi, int[] labels) {
        return CrownIbp.upper(new Propagation(net), region(lo, hi), spec(net, lo, labels));
    }

    /** Coefficients the full CROWN bound of training may hold at once (float32: 1 GB). */
    static final long CROWN_MAX_ELEMENTS = 1L << 28;

    /**
     * As {@link #ibpMargins} by the {@code crown} solver's rule: CROWN bounds at every ReLU input, then CROWN for the
     * margins, never above the last layer over its input's box, as the solver (Wong and Kolter's certified training,
     * for small networks: see {@link Propagation#crownWithGradients}).
     */
    public static NDArray crownMargins(TorchNet net, NDArray lo, NDArray hi, int[] labels) {
        Propagation prop = new Propagation(net);
        Region region = region(lo, hi);
        NDArray spec = spec(net, lo, labels);
        List<NDArray[]> bounds = prop.crownWithGradients(region, CROWN_MAX_ELEMENTS);
        return prop.upper(spec, prop.size(), bounds, region, null).minimum(prop.lastLayerBox(spec, bounds));
    }

    private static Region region(NDArray lo, NDArray hi) {
        return new Region(lo.add(hi).div(2), lo, hi, null, Norm.LINF, 0);
    }

    /** Rows e_j − e_y per sample, [B, classes, classes] (a zero row at j = y). */
    private static NDArray spec(TorchNet net, NDArray lo, int[] labels) {
        int b = labels.length, classes = net.network().numClasses();
        float[] rows = new float[b * classes * classes];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < classes; j++) {
                if (j == labels[i]) continue;
                rows[(i * classes + j) * classes + j] += 1;
                rows[(i * classes + j) * classes + labels[i]] -= 1;
            }
        return lo.getManager().create(rows, new Shape(b, classes, classes)).toType(lo.getDataType(), false);
    }
}
