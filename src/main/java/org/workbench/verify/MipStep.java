package org.workbench.verify;

import java.util.List;
import org.workbench.exact.MipFeasibility;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.relax.NeuronBounds;
import org.workbench.spec.LinearConstraint;

/**
 * The last resort for an unsafe conjunction that the relaxations leave open on a box: a MIP with big-M constants
 * from CROWN neuron bounds, deciding whether any input of the box satisfies the whole conjunction, solved by SCIP or
 * HiGHS (the preset's mip_backend).
 */
final class MipStep {
    private MipStep() {}

    static Verifier.Closed decide(Network net, TorchNet net64, double[] lo, double[] hi, List<LinearConstraint> conj, long deadline, String backend) {
        NeuronBounds.Layers b = NeuronBounds.of(net64, lo, hi, NeuronBounds.Method.CROWN);
        double seconds = (deadline - System.nanoTime()) / 1e9;
        if (seconds <= 0.5) return new Verifier.Closed(false, null);
        MipFeasibility.Result r = MipFeasibility.check(net, net64, lo, hi, b.lo(), b.hi(), conj, seconds, backend);
        return switch (r.status()) {
            case INFEASIBLE -> new Verifier.Closed(true, null);
            // FOUND allows the solver's 1e-6 tolerance; a verdict needs the point to meet the conjunction exactly.
            case FOUND -> new Verifier.Closed(false, Falsifier.satisfies(conj, net64.logits(new double[][] {r.x()})[0]) ? r.x() : null);
            default -> new Verifier.Closed(false, null);
        };
    }
}
