package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.workbench.net.TorchNet;
import org.workbench.solve.Batch;
import org.workbench.solve.Bound;
import org.workbench.solve.InnerSolver;
import org.workbench.solve.SolverContext;

/**
 * Common frame of the bound-propagation solvers: builds the threat region and the margin specification
 * (row j = e_j - e_y, folded into the last layer by back-substitution), and turns upper bounds into verdicts.
 */
abstract class Relaxation implements InnerSolver {
    /** A bound must clear a decision threshold by this much before it decides anything. */
    static final double ROUNDING = 1e-9;

    private final String name;
    protected final SolverContext ctx;

    Relaxation(String name, SolverContext ctx) {
        this.name = name;
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Kind kind() {
        return Kind.UPPER;
    }

    /** Upper bounds [B, classes] of the margins z_j - z_y over the region, for the specification [B, classes, classes]. */
    abstract NDArray upper(Propagation prop, Region region, NDArray spec, NDManager m);

    @Override
    public List<Bound> solve(Batch batch, double eps) {
        long start = System.nanoTime();
        TorchNet net = ctx.float64();
        int b = batch.size(), classes = ctx.network().numClasses();
        double[] up;
        try (NDManager m = net.manager().newSubManager()) {
            Region region = Region.of(m, batch, ctx.threat(), eps, net.batchShape(b).getShape());
            double[] c = new double[b * classes * classes];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < classes; j++) {
                    int y = batch.labels()[i];
                    if (j == y) continue;
                    c[(i * classes + j) * classes + j] += 1;
                    c[(i * classes + j) * classes + y] -= 1;
                }
            NDArray spec = m.create(c, new Shape(b, classes, classes));
            up = upper(new Propagation(net), region, spec, m).toDoubleArray();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Bound> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            double[] margins = new double[classes];
            boolean verified = true;
            for (int j = 0; j < classes; j++) {
                margins[j] = j == batch.labels()[i] ? Double.NaN : up[i * classes + j];
                // NaN bounds (numerical failure) count as unverified, never as verified; the margin below 0 covers
                // float64 rounding in the propagation, which is far smaller.
                if (j != batch.labels()[i] && !(margins[j] < -ROUNDING)) verified = false;
            }
            out.add(new Bound(margins, verified ? Bound.VERIFIED : Bound.OPEN, null, seconds / b));
        }
        return out;
    }
}
