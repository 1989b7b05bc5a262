package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.testing.RandomNets;

/**
 * Filtered smart branching over random networks (MLPs, CNNs, residual graphs): the neuron it picks is unstable in the
 * subdomain, and its children, bounded from the parent's slopes, are never weaker than those of BaBSR's pick (the
 * first candidate FSB tries) bounded the same way. (Root intermediate bounds are CROWN's: two instances share them
 * exactly, while alpha-CROWN's float32 steps are not bit-reproducible.)
 */
class BranchingTest {

    @Test
    void fsbPicksChildrenNoWeakerThanBabsrs() {
        Random r = new Random(3);
        int differed = 0, compared = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 24; trial++) {
                Network net = trial % 3 == 0 ? RandomNets.cnn(r, 1, 6, 3) : trial % 3 == 1 ? RandomNets.residual(r, 1, 5, 3) : RandomNets.mlp(r, 1, 5, 3);
                int n = net.inputSize();
                double[][] box = RandomNets.box(r, n, 0.1, 0.2);
                double[] lo = box[0], hi = box[1];
                double[][] rows = {RandomNets.gaussian(r, 3, 1)};
                try (TorchNet t = new TorchNet(net, m, DataType.FLOAT64)) {
                    BetaCrown babsr = new BetaCrown(t, lo, hi, Long.MAX_VALUE, null, 0, 10, Branching.BABSR);
                    BetaCrown fsb = new BetaCrown(t, lo, hi, Long.MAX_VALUE, null, 0, 10, new Branching(Branching.Rule.FSB, 4));
                    try {
                        BetaCrown.Domain root = new BetaCrown.Domain(List.of(), null, null);
                        BetaCrown.Bounded b = fsb.bound(List.of(root), rows, 8, 0.1, 0.05).get(0);
                        // BaBSR's pick in the same state: the same slopes and multipliers, bounded again with no steps.
                        BetaCrown.Bounded a = babsr.bound(List.of(new BetaCrown.Domain(List.of(), b.alpha(), b.beta())), rows, 0, 0, 0).get(0);
                        if (a.branch() == null) continue;
                        assertNotNull(b.branch(), "trial " + trial);
                        compared++;
                        if (!a.branch().equals(b.branch())) differed++;
                        double worseA = worseChild(babsr, root, a.branch(), b, rows), worseB = worseChild(babsr, root, b.branch(), b, rows);
                        assertTrue(Double.isFinite(worseB), "trial " + trial + ": FSB's pick has no finite child bound");
                        // The choice is made on float32 bounds; the check re-bounds in float64.
                        assertTrue(worseB <= worseA + 1e-4 * (1 + Math.abs(worseA)),
                                "trial " + trial + ": FSB's pick " + b.branch() + " (" + worseB + ") weaker than BaBSR's " + a.branch() + " (" + worseA + ")");
                    } finally {
                        babsr.close();
                        fsb.close();
                    }
                }
            }
        }
        assertTrue(compared >= 12, "too few networks had a neuron to split: " + compared);
        assertTrue(differed >= 1, "FSB never chose differently from BaBSR in " + compared + " networks");
    }

    /** The larger of the two children's bounds when split on s, from the parent's slopes and multipliers, no steps. */
    private static double worseChild(BetaCrown bc, BetaCrown.Domain parent, BetaCrown.Split s, BetaCrown.Bounded bounded, double[][] rows) {
        List<BetaCrown.Domain> kids = new ArrayList<>();
        for (boolean active : new boolean[] {true, false}) {
            List<BetaCrown.Split> splits = new ArrayList<>(parent.splits());
            splits.add(new BetaCrown.Split(s.layer(), s.neuron(), active));
            kids.add(new BetaCrown.Domain(splits, bounded.alpha(), bounded.beta()));
        }
        double worse = Double.NEGATIVE_INFINITY;
        for (BetaCrown.Bounded k : bc.bound(kids, rows, 0, 0, 0)) worse = Math.max(worse, Math.min(k.upper()[0], bounded.upper()[0]));
        return worse;
    }
}
