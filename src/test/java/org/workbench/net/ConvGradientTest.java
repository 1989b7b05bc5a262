package org.workbench.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.workbench.testing.RandomNets;

/**
 * The convolution layer against libtorch's own float64 convolution (its reference path, not oneDNN) on random
 * shapes: forward values, the input gradient in float32 at batch sizes 1-64 (where libtorch 2.7.1's oneDNN kernel
 * returns wrong or uninitialized values for layers with few output channels), and the back-substitution rule
 * (the transpose) in float64 and float32 (for stride 1 and 16k input channels a flipped libtorch convolution), which
 * must equal the float64 gradient of lambda·conv(x).
 */
class ConvGradientTest {

    @Test
    void forwardGradientAndTransposeMatchTheReference() {
        Random r = new Random(3);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 80; trial++) {
                // Every eighth from 5 on: 16 or 32 input channels, stride 1, batch 2: the float32 transpose as a flipped convolution.
                boolean wide = trial % 8 == 5;
                int cin = wide ? 16 * (1 + r.nextInt(2)) : 1 + r.nextInt(4), cout = trial % 8 == 0 ? 16 * (1 + r.nextInt(2)) : 1 + r.nextInt(trial % 4 == 0 ? 20 : 6), k = 1 + r.nextInt(4);
                int stride = wide ? 1 : 1 + r.nextInt(3), pad = wide ? r.nextInt(k) : r.nextInt(3), h = k + r.nextInt(8), w = k + r.nextInt(8);
                if (trial % 10 == 9) { // one window exactly (a receptive-field walk's step): the transpose's shortcut
                    pad = 0;
                    h = w = k;
                }
                int b = new int[] {1, 2, 6, 64}[trial % 4];
                Conv2d conv = new Conv2d(cin, cout, k, k, stride, pad, RandomNets.gaussian(r, cout * cin * k * k, 1), RandomNets.gaussian(r, cout, 1));
                int oh = conv.outH(h), ow = conv.outW(w);
                String where = "trial " + trial + " (b=" + b + " " + cin + "->" + cout + " k" + k + " s" + stride + " p" + pad + " " + h + "x" + w + ")";
                try (NDManager sm = m.newSubManager()) {
                    // Drawn from the test's seeded generator, not the engine's: a failure repeats on the next run.
                    NDArray x = sm.create(uniform(r, b * cin * h * w), new Shape(b, cin, h, w));
                    NDArray g = sm.create(RandomNets.gaussian(r, b * cout * oh * ow, 1), new Shape(b, cout, oh, ow));
                    NDList p64 = params(sm, conv, DataType.FLOAT64), p32 = params(sm, conv, DataType.FLOAT32);
                    NDArray ref = reference(x, p64, conv);
                    close(conv.forward(x, p64), ref, 1e-12, where + " forward float64");
                    close(conv.forward(x.toType(DataType.FLOAT32, false), p32), ref, 1e-4, where + " forward float32");
                    NDArray refGrad = gradient(x, gg -> reference(gg, p64, conv).mul(g).sum());
                    NDArray g32 = g.toType(DataType.FLOAT32, false);
                    NDArray grad32 = gradient(x.toType(DataType.FLOAT32, false), xx -> conv.forward(xx, p32).mul(g32).sum());
                    close(grad32, refGrad, 1e-4, where + " float32 input gradient");
                    // Back-substitution: lambda [B, 1, outShape] maps to lambda·W through the transpose.
                    NDArray[] back = conv.backward(g.reshape(b, 1, cout, oh, ow), p64, x, x, null);
                    close(back[0].reshape(b, cin, h, w), refGrad, 1e-10, where + " transpose");
                    NDArray x32 = x.toType(DataType.FLOAT32, false);
                    NDArray[] back32 = conv.backward(g32.reshape(b, 1, cout, oh, ow), p32, x32, x32, null);
                    close(back32[0].reshape(b, cin, h, w), refGrad, 1e-4, where + " transpose float32");
                }
            }
        }
    }

    private static double[] uniform(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextDouble();
        return v;
    }

    private static NDList params(NDManager m, Conv2d conv, DataType t) {
        NDList p = new NDList();
        for (Layer.Param q : conv.params()) p.add(m.create(q.values(), new Shape(q.shape())).toType(t, false));
        return p;
    }

    private static NDArray reference(NDArray x, NDList p, Conv2d c) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, p.get(0), p.get(1), new Shape(c.stride(), c.stride()),
                new Shape(c.padding(), c.padding()), new Shape(1, 1), 1).singletonOrThrow();
    }

    private static NDArray gradient(NDArray x, java.util.function.Function<NDArray, NDArray> f) {
        NDArray xi = x.duplicate();
        xi.setRequiresGradient(true);
        try (GradientCollector gc = x.getManager().getEngine().newGradientCollector()) {
            gc.backward(f.apply(xi));
            return xi.getGradient().duplicate();
        }
    }

    private static void close(NDArray a, NDArray ref, double tol, String what) {
        double[] u = a.toType(DataType.FLOAT64, false).toDoubleArray(), v = ref.toDoubleArray();
        assertTrue(u.length == v.length, what + ": " + u.length + " values, expected " + v.length);
        for (int i = 0; i < u.length; i++)
            assertTrue(Math.abs(u[i] - v[i]) <= tol * (1 + Math.abs(v[i])), what + ": value " + i + " is " + u[i] + ", expected " + v[i]);
    }
}
