package org.workbench.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.workbench.net.Conv2d;
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
