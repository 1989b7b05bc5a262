package org.workbench.relax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A box shared by a whole batch ({@link Region#sharedBox}) is maximized in the centre-and-radius form; it must give
 * what the definition gives, max over the box of lambda·x = sum of max(lambda_i lo_i, lambda_i hi_i), computed
 * here in plain Java for random coefficients, boxes (some of width 0) and batch sizes.
 */
class RegionTest {
    @Test
    void sharedBoxMaximumIsTheBoxMaximum() {
        Random r = new Random(7);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 200; trial++) {
                int b = 2 + r.nextInt(6), s = 1 + r.nextInt(3), d = 1 + r.nextInt(40);
                double[] lo = new double[d], hi = new double[d];
                for (int i = 0; i < d; i++) {
                    lo[i] = r.nextGaussian();
                    hi[i] = r.nextInt(5) == 0 ? lo[i] : lo[i] + 2 * r.nextDouble();
                }
                double[] lambda = new double[b * s * d];
                for (int i = 0; i < lambda.length; i++) lambda[i] = r.nextInt(6) == 0 ? 0 : 3 * r.nextGaussian();
                Region region = Region.sharedBox(m, lo, hi, new long[] {1, d});
                NDArray l = m.create(lambda, new Shape(b, s, d));
                assertEquals(DataType.FLOAT64, l.getDataType());
                double[] got = region.maximize(l).toDoubleArray();
                for (int q = 0; q < b * s; q++) {
                    double want = 0, scale = 0;
                    for (int i = 0; i < d; i++) {
                        double c = lambda[q * d + i];
                        want += Math.max(c * lo[i], c * hi[i]);
                        scale += Math.abs(c) * (Math.abs(lo[i]) + Math.abs(hi[i]));
                    }
                    assertEquals(want, got[q], 1e-13 * (1 + scale), "trial " + trial + " row " + q);
                }
            }
        }
    }
}
