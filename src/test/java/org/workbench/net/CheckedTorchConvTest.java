package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Where libtorch's convolution is never used: float64, output channels not a multiple of 16, and the shapes for
 * which libtorch would not pick oneDNN (one image, kernel 3 or less, small input): there it asks NNPACK first, which
 * prints a warning on every call on CPUs NNPACK does not support (the ResNets of VNN-COMP printed 621 in a minute).
 */
class CheckedTorchConvTest {
    @Test
    void libtorchOnlyWhereItPicksOneDnn() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray oneImage = m.zeros(new Shape(1, 16, 8, 8), DataType.FLOAT32);
            assertFalse(CheckedTorchConv.usable(oneImage, 32, 3, 3, 1, 1, true), "one small image, 3x3 kernel");
            assertFalse(CheckedTorchConv.usable(m.zeros(new Shape(2, 16, 8, 8), DataType.FLOAT32), 32, 1, 1, 1, 0, true), "1x1, batch 2");
            assertFalse(CheckedTorchConv.usable(m.zeros(new Shape(4, 16, 8, 8), DataType.FLOAT64), 32, 3, 3, 1, 1, true), "float64");
            assertFalse(CheckedTorchConv.usable(m.zeros(new Shape(4, 16, 8, 8), DataType.FLOAT32), 24, 3, 3, 1, 1, true), "24 channels");
            // No gradient through it: the fault is in the input gradient, so no probe is needed, but NNPACK still is avoided.
            assertTrue(CheckedTorchConv.usable(m.zeros(new Shape(4, 16, 8, 8), DataType.FLOAT32), 32, 3, 3, 1, 1, false), "forward only");
            assertFalse(CheckedTorchConv.usable(oneImage, 32, 3, 3, 1, 1, false), "forward only, one small image");
        }
    }
}
