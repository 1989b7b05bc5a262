package org.workbench.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.workbench.net.AvgPool;
import org.workbench.net.BatchNorm;
import org.workbench.net.Conv2d;
import org.workbench.net.MaxPool;
import org.workbench.net.Pooling;
import org.workbench.net.Reshape;
import org.workbench.net.Flatten;
import org.workbench.net.Layer;
import org.workbench.net.Linear;
import org.workbench.net.Network;
import org.workbench.net.Normalize;
import org.workbench.net.Relu;

/** Small random networks of every layer type, for property tests. */
public final class RandomNets {
    private RandomNets() {}

    /** Normalize? Flatten, then 1-3 hidden ReLU layers of random width, then `classes` logits. */
    public static Network mlp(Random r, int channels, int side, int classes) {
        List<Layer> layers = new ArrayList<>();
        if (r.nextBoolean()) layers.add(normalize(r, channels));
        layers.add(new Flatten());
        int in = channels * side * side;
        int hidden = 1 + r.nextInt(3);
        for (int h = 0; h < hidden; h++) {
            int out = 4 + r.nextInt(12);
            layers.add(linear(r, in, out));
            layers.add(new Relu());
            in = out;
        }
        layers.add(linear(r, in, classes));
        return new Network(new int[] {channels, side, side}, layers);
    }

    /** Normalize? Conv (stride 1-2, padding 0-1), ReLU, Conv, ReLU, Flatten, Linear, ReLU, Linear. */
    public static Network cnn(Random r, int channels, int side, int classes) {
        List<Layer> layers = new ArrayList<>();
        if (r.nextBoolean()) layers.add(normalize(r, channels));
        int c = channels, s = side;
        for (int k = 0; k < 2; k++) {
            int out = 2 + r.nextInt(3), stride = 1 + r.nextInt(2), pad = r.nextInt(2);
            int kernel = Math.min(2 + r.nextInt(2), s + 2 * pad);
            Conv2d conv = new Conv2d(c, out, kernel, kernel, stride, pad, gaussian(r, out * c * kernel * kernel, Math.sqrt(2.0 / (c * kernel * kernel))),
                    gaussian(r, out, 0.1));
            layers.add(conv);
            layers.add(new Relu());
            s = conv.outH(s);
            c = out;
        }
        layers.add(new Flatten());
        int hidden = 5 + r.nextInt(8);
        layers.add(linear(r, c * s * s, hidden));
        layers.add(new Relu());
        layers.add(linear(r, hidden, classes));
        return new Network(new int[] {channels, side, side}, layers);
    }

    /**
     * Normalize? Conv, BatchNorm?, then ReLU and a max or average pooling (kernel 2-3, stride 1-2, padding up to half
     * the kernel, ceil mode or not) in either order, Conv?, ReLU, Flatten or Reshape, Linear, ReLU, Linear. Draws
     * again when a window does not fit.
     */
    public static Network pooled(Random r, int channels, int side, int classes) {
        while (true) {
            try {
                return pooledOnce(r, channels, side, classes);
            } catch (IllegalArgumentException e) {
                // a kernel or window that does not fit the shrunken input: draw again
            }
        }
    }

    private static Network pooledOnce(Random r, int channels, int side, int classes) {
        List<Layer> layers = new ArrayList<>();
        if (r.nextBoolean()) layers.add(normalize(r, channels));
        int c = 2 + r.nextInt(3), k = 2 + r.nextInt(2);
        Conv2d conv = new Conv2d(channels, c, k, k, 1, r.nextInt(2), gaussian(r, c * channels * k * k, Math.sqrt(2.0 / (channels * k * k))),
                gaussian(r, c, 0.1));
        layers.add(conv);
        int s = conv.outH(side);
        if (r.nextBoolean()) layers.add(batchNorm(r, c));
        int pk = 2 + r.nextInt(2), ps = 1 + r.nextInt(2), pp = r.nextInt(pk / 2 + 1);
        Pooling window = new Pooling(pk, pk, ps, ps, pp, pp, r.nextBoolean());
        Layer pool = r.nextBoolean() ? new MaxPool(window) : new AvgPool(window, r.nextBoolean());
        boolean poolFirst = r.nextBoolean();
        layers.add(poolFirst ? pool : new Relu());
        layers.add(poolFirst ? new Relu() : pool);
        int[] shape = pool.outputShape(new int[] {c, s, s});
        if (r.nextBoolean()) {
            Conv2d conv2 = new Conv2d(c, 2, 2, 2, 1, 0, gaussian(r, 2 * c * 4, Math.sqrt(2.0 / (c * 4))), gaussian(r, 2, 0.1));
            layers.add(conv2);
            layers.add(new Relu());
            shape = conv2.outputShape(shape);
        }
        int flat = Layer.size(shape);
        layers.add(r.nextBoolean() ? new Flatten() : new Reshape(new int[] {flat}));
        int hidden = 4 + r.nextInt(6);
        layers.add(linear(r, flat, hidden));
        layers.add(new Relu());
        layers.add(linear(r, hidden, classes));
        return new Network(new int[] {channels, side, side}, layers);
    }

    /**
     * A small residual network (a graph): Normalize?, Conv (padding keeps the size), ReLU, then a block whose branch
     * (Conv, BatchNorm?, ReLU, Conv) is added to its shortcut (the block's input or a 1x1 Conv of it), ReLU, then
     * maybe a Concat of that with another Conv branch (or a GeneralConv: groups, dilation, padding by side) along the channels, a Transpose?, Flatten, a dense residual block (Linear,
     * ReLU, Linear, added to its input) or a plain Linear, ReLU, Linear.
     */
    public static Network residual(Random r, int channels, int side, int classes) {
        Graph g = new Graph();
        int v = 0;
        if (r.nextBoolean()) v = g.add(normalize(r, channels), v);
        int c = 2 + r.nextInt(2);
        v = g.add(conv3(r, channels, c), v);
        v = g.add(new Relu(), v);
        int block = v;
        int b = g.add(conv3(r, c, c), block);
        if (r.nextBoolean()) b = g.add(batchNorm(r, c), b);
        b = g.add(new Relu(), b);
        b = g.add(conv3(r, c, c), b);
        int shortcut = r.nextBoolean() ? block
                : g.add(new Conv2d(c, c, 1, 1, 1, 0, gaussian(r, c * c, 1.0 / Math.sqrt(c)), gaussian(r, c, 0.1)), block);
        v = g.add(new org.workbench.net.Add(), b, shortcut);
        v = g.add(new Relu(), v);
        if (r.nextBoolean()) {
            // The other branch: a convolution with groups, dilation and padding that differs by side (GeneralConv).
            int dil = 1 + r.nextInt(2), groups = c % 2 == 0 && r.nextBoolean() ? 2 : 1, top = r.nextInt(2 * dil + 1), left = r.nextInt(2 * dil + 1);
            int other = r.nextBoolean() ? g.add(conv3(r, c, 2), v)
                    : g.add(new org.workbench.net.GeneralConv(new org.workbench.net.GeneralConv.Geometry(c, 2, groups, 3, 3, 1, 1, dil, dil,
                            top, left, 2 * dil - top, 2 * dil - left), gaussian(r, 2 * (c / groups) * 9, Math.sqrt(2.0 / (c / groups * 9))),
                            gaussian(r, 2, 0.1)), v);
            v = g.add(new org.workbench.net.Concat(0, 2), v, other);
            c += 2;
        }
        if (r.nextBoolean()) v = g.add(new org.workbench.net.Transpose(new int[] {0, 2, 1}), v);
        v = g.add(new Flatten(), v);
        int flat = c * side * side, hidden = 4 + r.nextInt(6);
        v = g.add(linear(r, flat, hidden), v);
        v = g.add(new Relu(), v);
        if (r.nextBoolean()) {
            int d = g.add(linear(r, hidden, hidden), v);
            d = g.add(new Relu(), d);
            d = g.add(linear(r, hidden, hidden), d);
            v = g.add(new org.workbench.net.Add(), d, v);
            v = g.add(new Relu(), v);
        }
        g.add(linear(r, hidden, classes), v);
        return new Network(new int[] {channels, side, side}, g.layers, g.inputs, null);
    }

    private static Conv2d conv3(Random r, int in, int out) {
        return new Conv2d(in, out, 3, 3, 1, 1, gaussian(r, out * in * 9, Math.sqrt(2.0 / (in * 9))), gaussian(r, out, 0.1));
    }

    /** Layers with their wiring; {@link #add} returns the new value's number (value 0 is the input). */
    private static final class Graph {
        final List<Layer> layers = new ArrayList<>();
        final List<int[]> inputs = new ArrayList<>();

        int add(Layer l, int... reads) {
            layers.add(l);
            inputs.add(reads);
            return layers.size();
        }
    }

    public static BatchNorm batchNorm(Random r, int channels) {
        double[] scale = gaussian(r, channels, 1), bias = gaussian(r, channels, 0.2), mean = gaussian(r, channels, 0.2), var = new double[channels];
        for (int i = 0; i < channels; i++) var[i] = 0.3 + r.nextDouble();
        return new BatchNorm(scale, bias, mean, var, 1e-5);
    }

    public static Network any(Random r) {
        return r.nextBoolean() ? mlp(r, 1 + r.nextInt(2), 4 + r.nextInt(3), 3 + r.nextInt(4))
                : cnn(r, 1 + r.nextInt(2), 6 + r.nextInt(3), 3 + r.nextInt(4));
    }

    public static Linear linear(Random r, int in, int out) {
        return new Linear(in, out, gaussian(r, in * out, Math.sqrt(2.0 / in)), gaussian(r, out, 0.1));
    }

    static Normalize normalize(Random r, int channels) {
        double[] mean = new double[channels], std = new double[channels];
        for (int i = 0; i < channels; i++) {
            mean[i] = 0.5 * r.nextDouble();
            std[i] = 0.2 + r.nextDouble();
        }
        return new Normalize(mean, std);
    }

    public static double[] gaussian(Random r, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian() * scale;
        return v;
    }

    /** n random inputs of the network (as {@link #input}) with random labels, drawn input then label per sample. */
    public static org.workbench.solve.Batch batch(Random r, Network net, int n) {
        double[][] x = new double[n][];
        int[] y = new int[n], ids = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = input(r, net.inputSize());
            y[i] = r.nextInt(net.numClasses());
            ids[i] = i;
        }
        return new org.workbench.solve.Batch(ids, x, y);
    }

    /**
     * {lo, hi}: a box of half-width eps = minEps + spread·U(0, 1) around a point drawn by {@link #input}, clipped to
     * [0, 1] (point first, then eps, from r).
     */
    public static double[][] box(Random r, int n, double minEps, double spread) {
        double[] c = input(r, n), lo = new double[n], hi = new double[n];
        double eps = minEps + spread * r.nextDouble();
        for (int k = 0; k < n; k++) {
            lo[k] = Math.max(0, c[k] - eps);
            hi[k] = Math.min(1, c[k] + eps);
        }
        return new double[][] {lo, hi};
    }

    /** A point of [0, 1]^n with some coordinates exactly on the box's faces, where clipping matters. */
    public static double[] input(Random r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            x[i] = u < 0.2 ? 0 : u > 0.9 ? 1 : r.nextDouble();
        }
        return x;
    }
}
