package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.Relu;

/** Slopes and multipliers kept for the root's unstable neurons only, and read back at the right neurons. */
class SubdomainTensorsTest {

    @Test
    void sparseSlotsLandOnTheirNeurons() {
        try (NDManager m = NDManager.newBaseManager()) {
            // Layer 1 (a ReLU) reads 6 neurons, 2 of them unstable at the root (1 and 4): kept sparse.
            double[] lo = {0.5, -1, -2, 0.1, -0.5, -3}, hi = {1, 2, -1, 0.3, 0.25, -0.1};
            List<Layer> layers = List.of(new Linear(2, 6, new double[12], new double[6]), new Relu());
            NDArray[] in = {m.create(new double[2], new Shape(1, 2)), m.create(new double[2], new Shape(1, 2))};
            NDArray[] relu = {m.create(lo, new Shape(1, 6)), m.create(hi, new Shape(1, 6))};
            SubdomainTensors.Root root = SubdomainTensors.Root.of(layers, List.of(in, relu),
                    List.of(new double[2], lo), List.of(new double[2], hi));
            assertNull(root.slots()[0]);
            assertArrayEquals(new int[] {1, 4}, root.slots()[1]);
            assertEquals(2, root.total());
            assertEquals(1, root.slot(1, 4));
            assertThrows(IllegalStateException.class, () -> root.slot(1, 2));

            // Two rows; warm-started slopes per (row, slot); neuron 4 split active with multipliers per row.
            float[] alpha = {0.25f, 0.75f, 0.5f, 1f};
            BetaCrown.Domain d = new BetaCrown.Domain(List.of(new BetaCrown.Split(1, 4, true)), alpha, new float[] {2f, 3f});
            SubdomainTensors t = new SubdomainTensors(m, root, List.of(d), 2);
            assertArrayEquals(new long[] {1, 2, 2}, t.alpha.get(1).getShape().getShape());
            assertArrayEquals(new double[] {0, 0.25, 0, 0, 0.75, 0, 0, 0.5, 0, 0, 1, 0}, t.denseAlpha(1).toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0}, t.denseBeta(1).toDoubleArray(), 0);
            // Without a warm start, CROWN's adaptive slope: 1 where u > -l (neuron 1: 2 > 1), else 0 (neuron 4).
            SubdomainTensors fresh = new SubdomainTensors(m, root, List.of(new BetaCrown.Domain(List.of(), null, null)), 1);
            assertArrayEquals(new double[] {0, 1, 0, 0, 0, 0}, fresh.denseAlpha(1).toDoubleArray(), 0);
        }
    }
}
