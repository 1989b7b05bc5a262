package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libtorch's own float32 convolution where it is known to differentiate correctly, the gather of {@link ConvIndex}
 * elsewhere.
 *
 * <p>Why: libtorch 2.7.1's oneDNN kernel returns wrong float32 input gradients (sometimes uninitialized memory) for
 * convolutions whose output channels are not a multiple of 16 on AVX2/AVX-512 CPUs: measured here (AMD Zen 4/5) on
 * 300 random shapes, 72 of the 180 with 8, 15, 17, 20, 24 or 33 output channels were wrong, none of the 120 with 16,
 * 32, 48 or 64. The gather is always right but costs a CNN's attack and training step two to six times libtorch's
 * time. So a float32 convolution with a multiple of 16 output channels uses libtorch's operator once a probe has
 * shown, for that exact shape (batch included) on this CPU, that its input gradient equals the gather's; any shape
 * that fails the probe stays on the gather. Float64 (bounds, float64 re-checks) never reaches oneDNN and keeps the
 * gather, which measured faster than libtorch's float64 convolution for back-substitution.
 */
final class CheckedTorchConv {
    private CheckedTorchConv() {}

    /** Shape key → whether libtorch's gradient matched the gather's on it. */
    private static final Map<String, Boolean> TRUSTED = new ConcurrentHashMap<>();

    /**
     * Whether conv may use libtorch's operator on input x [N, C, H, W] with weight [outC, C, kh, kw]; {@code recorded}:
     * whether a gradient may flow through it (an input or the weight requires one).
     */
    static boolean usable(NDArray x, int outChannels, int kh, int kw, int stride, int padding, boolean recorded) {
        if (x.getDataType() != DataType.FLOAT32 || outChannels % 16 != 0) return false;
        // Only where libtorch picks oneDNN (its ConvParams::use_mkldnn): elsewhere (one image, kernels of 3 or less,
        // small input) it asks NNPACK first, and on CPUs NNPACK does not support it prints "Could not initialize
        // NNPACK!" on every call, a line a user can do nothing about.
        Shape s = x.getShape();
        if (!(s.get(0) > 1 || kh > 3 && kw > 3 || s.size() > 20480)) return false;
        if (kh == 1 && kw == 1 && stride == 1 && s.get(0) < 16) return false; // 1x1, unstrided, small batch: not oneDNN
        // The fault is in the input gradient: a forward pass no gradient goes through needs no probe, which costs more
        // than the convolution (8 % of ResNet-4B's branch and bound, checking candidates in batches of ever new size).
        if (!recorded) return true;
        String key = x.getShape() + "/" + outChannels + "/" + kh + "x" + kw + "/" + stride + "/" + padding;
        key += "/" + x.getDevice();
        return TRUSTED.computeIfAbsent(key, k -> probe(x.getDevice(), x.getShape(), outChannels, kh, kw, stride, padding));
    }

    static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int padding) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(1, 1), 1).singletonOrThrow();
    }

    /** libtorch's input gradient against the gather's on random data of the same shape (relative error 1e-4). */
    private static boolean probe(ai.djl.Device device, Shape xs, int outChannels, int kh, int kw, int stride, int padding) {
        Random r = new Random(1);
        int cin = (int) xs.get(1);
        ConvIndex g = new ConvIndex(cin, (int) xs.get(2), (int) xs.get(3), kh, kw, stride, padding);
        try (NDManager m = NDManager.newBaseManager(device)) { // the kernel the convolution will run on
            NDArray x = m.create(floats(r, xs.size()), xs);
            NDArray w = m.create(floats(r, (long) outChannels * cin * kh * kw), new Shape(outChannels, cin, kh, kw));
            NDArray up = m.create(floats(r, xs.get(0) * outChannels * g.outH() * g.outW()),
                    new Shape(xs.get(0), outChannels, g.outH(), g.outW()));
            NDArray torch = gradient(x, xi -> conv(xi, w, null, stride, padding).mul(up).sum());
            NDArray gather = gradient(x, xi -> w.reshape(outChannels, -1).matMul(g.patches(xi)).reshape(up.getShape()).mul(up).sum());
            double scale = 1 + gather.abs().max().getFloat();
            return torch.sub(gather).abs().max().getFloat() <= 1e-4 * scale;
        }
    }

    private static float[] floats(Random r, long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /**
     * The gradient of f at x through libtorch's autograd directly: the probe runs inside attacks and training steps,
     * whose gradient collector is already open (DJL allows one at a time).
     */
    private static NDArray gradient(NDArray x, java.util.function.UnaryOperator<NDArray> f) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            NDArray xi = x.duplicate();
            xi.setRequiresGradient(true);
            NDArray y = f.apply(xi);
            JniUtils.backward((PtNDArray) y, (PtNDArray) y.onesLike(), false, false);
            return xi.getGradient().duplicate();
        } finally {
            JniUtils.setGradMode(before);
        }
    }
}
