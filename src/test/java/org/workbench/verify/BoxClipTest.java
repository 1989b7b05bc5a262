package org.workbench.verify;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Clipping an input box to where a conjunction of linear bounds can hold, as a property: every sampled point of the
 * box that meets all the thresholds is inside the clipped box (so a null box means none exists), and the clipping
 * does cut, on some cases.
 */
class BoxClipTest {

    @Test
    void keepsEveryPointThatMeetsTheConjunction() {
        Random r = new Random(3);
        int cut = 0, empty = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int d = 1 + r.nextInt(5), rows = 1 + r.nextInt(3);
            double[] lo = new double[d], hi = new double[d];
            for (int k = 0; k < d; k++) {
                lo[k] = r.nextGaussian();
                hi[k] = lo[k] + (r.nextInt(8) == 0 ? 0 : r.nextDouble() * 2);
            }
            double[][] a = new double[rows][d];
            double[] up = new double[rows], need = new double[rows], offset = new double[rows];
            for (int q = 0; q < rows; q++) {
                double max = 0;
                for (int k = 0; k < d; k++) {
                    a[q][k] = r.nextInt(5) == 0 ? 0 : r.nextGaussian() * Math.pow(10, r.nextInt(5) - 2);
                    max += Math.max(a[q][k] * lo[k], a[q][k] * hi[k]);
                }
                offset[q] = r.nextGaussian();
                up[q] = max + offset[q];
                need[q] = up[q] - Math.abs(r.nextGaussian()) * Math.abs(max) - r.nextDouble(); // some room, sometimes little
                if (r.nextInt(6) == 0) need[q] = up[q] + r.nextDouble(); // out of reach
            }
            double[][] box = BoxClip.clip(lo, hi, a, up, need);
            boolean anyInside = false;
            for (int s = 0; s < 300; s++) {
                double[] x = new double[d];
                for (int k = 0; k < d; k++) x[k] = r.nextInt(3) == 0 ? (r.nextBoolean() ? lo[k] : hi[k]) : lo[k] + (hi[k] - lo[k]) * r.nextDouble();
                boolean meets = true;
                for (int q = 0; q < rows; q++) {
                    double v = offset[q];
                    for (int k = 0; k < d; k++) v += a[q][k] * x[k];
                    if (v < need[q]) meets = false;
                }
                if (!meets) continue;
                anyInside = true;
                assertNotNull(box, "clipped away a box holding a point that meets every threshold");
                for (int k = 0; k < d; k++) assertTrue(x[k] >= box[0][k] && x[k] <= box[1][k], "clipped away a point that meets every threshold");
            }
            if (box == null) empty++;
            else if (anyInside) for (int k = 0; k < d; k++) if (box[1][k] - box[0][k] < 0.99 * (hi[k] - lo[k])) { cut++; break; }
        }
        assertTrue(cut > 100 && empty > 100, "clipping never cut (" + cut + ") or never emptied (" + empty + ")");
    }
}
