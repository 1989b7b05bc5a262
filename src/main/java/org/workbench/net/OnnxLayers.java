package org.workbench.net;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.workbench.net.OnnxProto.Node;
import org.workbench.net.OnnxProto.Tensor;

/**
 * The ONNX operators that become one layer each from their attributes and constant inputs alone (no folding):
 * Conv, BatchNormalization, pooling, Transpose, Reshape, Concat. Each method gets the shape of the data input
 * (without batch) and throws IllegalArgumentException with the reason when the node is not supported; the importer
 * adds the file and node name. Conv and AveragePool also take the zero padding of a Pad node they read (top, left,
 * bottom, right; see {@link OnnxFolding#zeroPad}), added to their own.
 */
final class OnnxLayers {
    private OnnxLayers() {}

    /** Conv2d when the geometry is one it covers (the form with bound rules), otherwise GeneralConv. */
    static Layer conv(Node n, int[] shape, Tensor wt, double[] bias, int[] padded) {
        if (wt.dims().length != 4)
            throw new IllegalArgumentException("only 2-d convolutions are supported, weight dims " + Arrays.toString(wt.dims()));
        int m = (int) wt.dims()[0], cg = (int) wt.dims()[1], kh = (int) wt.dims()[2], kw = (int) wt.dims()[3];
        int groups = (int) n.intAttr("group", 1);
        if (shape.length != 3 || groups < 1 || shape[0] != cg * groups)
            throw new IllegalArgumentException("weight dims " + Arrays.toString(wt.dims()) + " (group " + groups
                    + ") do not fit the input " + Layer.show(shape));
        noAutoPad(n);
        List<Long> ks = n.intsAttr("kernel_shape", List.of((long) kh, (long) kw));
        if (!ks.equals(List.of((long) kh, (long) kw)))
            throw new IllegalArgumentException("attribute 'kernel_shape' = " + ks + " does not match the weight dims");
        // A convolution's padding is zeros, so a zero Pad before it only widens it (asymmetric: GeneralConv).
        int[] st = pair(n, "strides", 1), dil = pair(n, "dilations", 1), pads = plus(pads(n), padded);
        boolean plain = groups == 1 && dil[0] == 1 && dil[1] == 1 && st[0] == st[1]
                && pads[0] == pads[1] && pads[1] == pads[2] && pads[2] == pads[3];
        if (plain) return new Conv2d(shape[0], m, kh, kw, st[0], pads[0], wt.data(), bias);
        return new GeneralConv(new GeneralConv.Geometry(shape[0], m, groups, kh, kw, st[0], st[1], dil[0], dil[1],
                pads[0], pads[1], pads[2], pads[3]), wt.data(), bias);
    }

    static Layer batchNorm(Node n, int[] shape, Function<Integer, double[]> constant) {
        if (n.intAttr("training_mode", 0) != 0) throw new IllegalArgumentException("training_mode = 1 is not supported (inference only)");
        if (n.outputs().size() > 1 && n.outputs().stream().skip(1).anyMatch(s -> !s.isEmpty()))
            throw new IllegalArgumentException("running mean/var outputs are not supported (inference only)");
        return new BatchNorm(constant.apply(1), constant.apply(2), constant.apply(3), constant.apply(4), n.floatAttr("epsilon", 1e-5));
    }

    static Layer maxPool(Node n) {
        if (n.outputs().size() > 1 && !n.outputs().get(1).isEmpty())
            throw new IllegalArgumentException("the Indices output is not supported");
        if (n.intAttr("storage_order", 0) != 0) throw new IllegalArgumentException("attribute 'storage_order' = 1 is not supported");
        int[] dil = pair(n, "dilations", 1);
        if (dil[0] != 1 || dil[1] != 1) throw new IllegalArgumentException("attribute 'dilations' = " + Arrays.toString(dil) + " is not supported");
        return new MaxPool(window(n, new int[4]));
    }

    /**
     * A zero Pad before the pooling becomes padding that counts in the divisor (the Pad's zeros are data to the
     * AveragePool). That is one layer only when the node's own padding counts too (or it has none) and every window
     * then lies inside the padded input: there every divisor is the kernel size, as over the explicit Pad's output.
     */
    static Layer avgPool(Node n, int[] shape, int[] padded) {
        boolean countPadding = n.intAttr("count_include_pad", 0) != 0;
        if (Arrays.stream(padded).allMatch(v -> v == 0)) return new AvgPool(window(n, padded), countPadding);
        String after = "after a Pad of " + Arrays.toString(padded) + " (top, left, bottom, right): ";
        if (padded[0] != padded[2] || padded[1] != padded[3])
            throw new IllegalArgumentException(after + "average pooling needs the same padding on opposite sides");
        if (!countPadding && Arrays.stream(pads(n)).anyMatch(v -> v != 0))
            throw new IllegalArgumentException(after + "attribute 'pads' with count_include_pad = 0 is not supported "
                    + "(the Pad's zeros would count in the average and the node's own padding not)");
        Pooling w;
        try {
            w = window(n, padded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(after + e.getMessage());
        }
        Pooling floor = new Pooling(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW(), false);
        if (w.ceilMode() && !Arrays.equals(w.outputShape("avgpool", shape), floor.outputShape("avgpool", shape)))
            throw new IllegalArgumentException(after + "ceil_mode = 1 is supported only where it does not change the output size");
        return new AvgPool(floor, true);
    }

    private static Pooling window(Node n, int[] padded) {
        noAutoPad(n);
        List<Long> k = n.intsAttr("kernel_shape", List.of());
        if (k.size() != 2) throw new IllegalArgumentException("attribute 'kernel_shape' = " + k + "; only 2-d pooling is supported");
        int[] st = pair(n, "strides", 1), pads = plus(pads(n), padded);
        if (pads[0] != pads[2] || pads[1] != pads[3])
            throw new IllegalArgumentException("attribute 'pads' = " + Arrays.toString(pads) + " is not supported (pooling needs the same padding on opposite sides)");
        return new Pooling(k.get(0).intValue(), k.get(1).intValue(), st[0], st[1], pads[0], pads[1], n.intAttr("ceil_mode", 0) != 0);
    }

    /** perm over all axes, batch first; the batch must stay in place. */
    static Layer transpose(Node n, int[] shape) {
        int rank = shape.length + 1;
        List<Long> def = new java.util.ArrayList<>();
        for (int i = rank - 1; i >= 0; i--) def.add((long) i);
        List<Long> perm = n.intsAttr("perm", def);
        if (perm.size() != rank || perm.get(0) != 0)
            throw new IllegalArgumentException("attribute 'perm' = " + perm + " is not supported (the batch axis 0 must stay first)");
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) p[i] = (int) (perm.get(i + 1) - 1);
        return new Transpose(p);
    }

    /**
     * The per-example target shape of a Reshape to {@code t} (batch first: 0, 1 or -1 there stands for the batch),
     * with 0 (copy) and -1 (infer) resolved.
     */
    static int[] reshapeTarget(long[] t, int[] shape) {
        int size = Layer.size(shape);
        if (t.length < 1 || !(t[0] == 0 || t[0] == 1 || t[0] == -1))
            throw new IllegalArgumentException("reshape of " + Layer.show(shape) + " to " + Arrays.toString(t)
                    + " is not supported (the batch must stay the leading dimension)");
        boolean batchInferred = t[0] == -1;
        int[] out = new int[t.length - 1];
        int infer = -1;
        long known = 1;
        for (int i = 1; i < t.length; i++) {
            long d = t[i] == 0 ? (i - 1 < shape.length ? shape[i - 1] : -2) : t[i];
            if (d == -1 && infer < 0 && !batchInferred) infer = i - 1;
            else if (d < 1) throw new IllegalArgumentException("reshape of " + Layer.show(shape) + " to " + Arrays.toString(t) + " is not supported");
            else known *= d;
            out[i - 1] = (int) d;
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) throw new IllegalArgumentException("reshape of " + Layer.show(shape) + " to " + Arrays.toString(t) + " does not fit");
            out[infer] = (int) (size / known);
        }
        if (Layer.size(out) != size)
            throw new IllegalArgumentException("reshape of " + Layer.show(shape) + " to " + Arrays.toString(t) + " changes the size");
        return out;
    }

    /** Concat's axis over all axes (batch first) as an axis of the example shape. */
    static int concatAxis(Node n, int rank) {
        long axis = n.intAttr("axis", 1);
        if (axis < 0) axis += rank + 1;
        if (axis < 1 || axis > rank) throw new IllegalArgumentException("attribute 'axis' = " + n.intAttr("axis", 1)
                + " is not supported (only non-batch axes)");
        return (int) axis - 1;
    }

    private static void noAutoPad(Node n) {
        String autoPad = n.attrs().containsKey("auto_pad") ? n.attrs().get("auto_pad").s() : "";
        if (!autoPad.isEmpty() && !autoPad.equals("NOTSET"))
            throw new IllegalArgumentException("attribute 'auto_pad' = " + autoPad + " is not supported; give explicit pads");
    }

    private static int[] pair(Node n, String name, long def) {
        List<Long> v = n.intsAttr(name, List.of(def, def));
        if (v.size() != 2) throw new IllegalArgumentException("attribute '" + name + "' = " + v + " is not supported (2-d only)");
        return new int[] {v.get(0).intValue(), v.get(1).intValue()};
    }

    private static int[] plus(int[] a, int[] b) {
        int[] c = a.clone();
        for (int i = 0; i < c.length; i++) c[i] += b[i];
        return c;
    }

    /** pads as top, left, bottom, right. */
    private static int[] pads(Node n) {
        List<Long> v = n.intsAttr("pads", List.of(0L, 0L, 0L, 0L));
        if (v.size() != 4) throw new IllegalArgumentException("attribute 'pads' = " + v + " is not supported (2-d only)");
        return v.stream().mapToInt(Long::intValue).toArray();
    }
}
