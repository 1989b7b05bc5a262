package org.workbench.net;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.workbench.net.OnnxProto.Node;
import org.workbench.net.OnnxProto.Tensor;

/**
 * The arithmetic of ONNX import: Gemm/MatMul weights in the workbench's [out, in] layout, constants broadcast to a
 * value's shape, the folding of elementwise constants into weights or into a pending (x - mean) / std, and the
 * reading of a zero Pad that the importer folds into the padding of the Conv or AveragePool after it.
 * Problems are thrown as IllegalArgumentException with the reason; the importer names the file and node.
 */
final class OnnxFolding {
    private OnnxFolding() {}

    /** {weight [out * in], bias [out]} of a Gemm on a flat input. */
    static double[][] gemm(Node n, Tensor b, int[] shape, IntFunction<Tensor> constant) {
        if (n.intAttr("transA", 0) != 0) throw new IllegalArgumentException("attribute 'transA' = 1 is not supported");
        boolean transB = n.intAttr("transB", 0) != 0;
        double alpha = n.floatAttr("alpha", 1), beta = n.floatAttr("beta", 1);
        if (b.dims().length != 2) throw new IllegalArgumentException("weight has dims " + Arrays.toString(b.dims()) + ", expected 2");
        if (shape.length != 1) throw new IllegalArgumentException("expects a flat input, got " + Layer.show(shape));
        int k = shape[0], n0 = (int) b.dims()[0], n1 = (int) b.dims()[1];
        int out = transB ? n0 : n1;
        if ((transB ? n1 : n0) != k)
            throw new IllegalArgumentException("weight dims " + Arrays.toString(b.dims()) + " do not fit the input size " + k
                    + (transB ? " (transB = 1)" : ""));
        double[] w = new double[out * k];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < k; j++) w[o * k + j] = alpha * (transB ? b.data()[o * k + j] : b.data()[j * out + o]);
        double[] bias = new double[out];
        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()) {
            double[] c = broadcast(constant.apply(2), new int[] {out});
            for (int o = 0; o < out; o++) bias[o] = beta * c[o];
        }
        return new double[][] {w, bias};
    }

    /** {weight, zero bias} of a MatMul by a constant [in, out], on an input that is flat up to leading unit dims. */
    static double[][] matmul(Tensor b, int[] shape) {
        if (b.dims().length != 2) throw new IllegalArgumentException("weight has dims " + Arrays.toString(b.dims()) + ", expected 2");
        int k = (int) b.dims()[0], out = (int) b.dims()[1];
        if (shape[shape.length - 1] != k || Layer.size(shape) != k)
            throw new IllegalArgumentException("weight dims " + Arrays.toString(b.dims()) + " do not fit the input " + Layer.show(shape));
        double[] w = new double[out * k];
        for (int o = 0; o < out; o++)
            for (int j = 0; j < k; j++) w[o * k + j] = b.data()[j * out + o];
        return new double[][] {w, new double[out]};
    }

    /** W((x - mean) / std) + b = (W / std) x + (b - W (mean / std)), column by column, in place. */
    static void absorbInput(double[] w, double[] bias, double[] mean, double[] std) {
        int n = mean.length, out = bias.length;
        for (int o = 0; o < out; o++)
            for (int j = 0; j < n; j++) {
                w[o * n + j] /= std[j];
                bias[o] -= w[o * n + j] * mean[j];
            }
    }

    /** y = x * mul + add per element, or x / mul when {@code div} (kept as a division so that it stays exact). */
    record Affine(double[] mul, double[] add, boolean div) {
        double scale(double x, int i) {
            return div ? x / mul[i] : x * mul[i];
        }

        /** Applies this after (x - mean) / std, in place: y = (x - mean') / std'. */
        void compose(double[] mean, double[] std) {
            for (int i = 0; i < mean.length; i++) {
                std[i] = div ? std[i] * mul[i] : std[i] / mul[i];
                mean[i] -= add[i] * std[i];
            }
        }
    }

    static Affine affine(String op, boolean dataFirst, double[] c) {
        double[] mul = new double[c.length], add = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            switch (op) {
                case "Add" -> { mul[i] = 1; add[i] = c[i]; }
                case "Sub" -> { mul[i] = dataFirst ? 1 : -1; add[i] = dataFirst ? -c[i] : c[i]; }
                case "Div" -> {
                    if (!dataFirst) throw new IllegalArgumentException("divides a constant by the data; only data / constant is supported");
                    mul[i] = c[i];
                }
                default -> mul[i] = c[i];
            }
            if (!Double.isFinite(mul[i]) || mul[i] == 0)
                throw new IllegalArgumentException("scales by " + (op.equals("Div") ? "1/" : "") + c[i] + "; expected a finite non-zero factor");
        }
        return new Affine(mul, add, op.equals("Div"));
    }

    /** The Linear or Conv2d {@code layer} followed by f, or null when f cannot be folded into it (not per channel). */
    static Layer fold(Layer layer, Affine f) {
        if (layer instanceof Linear l) {
            double[] w = l.weight().clone(), b = l.bias().clone();
            for (int o = 0; o < l.out(); o++) {
                for (int j = 0; j < l.in(); j++) w[o * l.in() + j] = f.scale(w[o * l.in() + j], o);
                b[o] = f.scale(b[o], o) + f.add()[o];
            }
            return new Linear(l.in(), l.out(), w, b);
        }
        if (layer instanceof Conv2d cv) {
            int per = f.mul().length / cv.outChannels(), kernel = cv.weight().length / cv.outChannels();
            double[] w = cv.weight().clone(), b = cv.bias().clone();
            for (int o = 0; o < cv.outChannels(); o++) {
                for (int p = 1; p < per; p++)
                    if (f.mul()[o * per + p] != f.mul()[o * per] || f.add()[o * per + p] != f.add()[o * per]) return null;
                for (int j = 0; j < kernel; j++) w[o * kernel + j] = f.scale(w[o * kernel + j], o * per);
                b[o] = f.scale(b[o], o * per) + f.add()[o * per];
            }
            return new Conv2d(cv.inChannels(), cv.outChannels(), cv.kernelH(), cv.kernelW(), cv.stride(), cv.padding(), w, b);
        }
        return null;
    }

    /**
     * The zero padding a Pad node adds to the H and W axes of a [C, H, W] value, as {top, left, bottom, right}; all
     * zeros when it pads nothing (then mode and value do not matter: the node is the identity). {@code constant}
     * gives the constant input i, or null where it is absent: opset 11+ reads pads, constant_value and (opset 18+)
     * axes from inputs 2-4, opset 2-10 from the attributes 'pads' and 'value' (opset 1: 'paddings').
     */
    static int[] zeroPad(Node n, int[] shape, IntFunction<Tensor> constant) {
        int rank = shape.length + 1; // with the batch axis, which ONNX's pads include
        Tensor in = n.inputs().size() > 1 ? constant.apply(1) : null;
        List<Long> given = in != null ? Arrays.stream(in.data()).mapToObj(v -> (long) v).toList()
                : n.intsAttr("pads", n.intsAttr("paddings", null));
        if (given == null) throw new IllegalArgumentException("has no pads (expected the attribute 'pads' or a constant input 2)");
        Tensor axesIn = n.inputs().size() > 3 ? constant.apply(3) : null;
        int[] axes = new int[axesIn == null ? rank : axesIn.data().length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axesIn == null ? i : (int) axesIn.data()[i];
            if (axes[i] < 0) axes[i] += rank;
            if (axes[i] < 0 || axes[i] >= rank) throw new IllegalArgumentException("axes " + Arrays.toString(axesIn.data()) + " do not fit rank " + rank);
        }
        if (given.size() != 2 * axes.length)
            throw new IllegalArgumentException("pads " + given + " do not fit the input " + Layer.show(shape) + " with its batch axis (expected "
                    + 2 * axes.length + " values)");
        long[] begin = new long[rank], end = new long[rank];
        for (int i = 0; i < axes.length; i++) {
            begin[axes[i]] = given.get(i);
            end[axes[i]] = given.get(axes.length + i);
        }
        if (Arrays.stream(begin).allMatch(v -> v == 0) && Arrays.stream(end).allMatch(v -> v == 0)) return new int[4];
        String mode = n.attrs().containsKey("mode") ? n.attrs().get("mode").s() : "constant";
        String only = "; only constant zero padding of H and W is supported (folded into the Conv or AveragePool reading it)";
        if (!mode.equals("constant")) throw new IllegalArgumentException("mode '" + mode + "' is not supported" + only);
        Tensor valueIn = n.inputs().size() > 2 ? constant.apply(2) : null;
        if (valueIn != null && valueIn.data().length != 1)
            throw new IllegalArgumentException("constant_value has " + valueIn.data().length + " values, expected one");
        double value = valueIn != null ? valueIn.data()[0] : n.floatAttr("value", 0);
        if (value != 0) throw new IllegalArgumentException("pads with the value " + value + only);
        if (Arrays.stream(begin).anyMatch(v -> v < 0) || Arrays.stream(end).anyMatch(v -> v < 0))
            throw new IllegalArgumentException("negative pads " + given + " (cropping) are not supported" + only);
        if (rank != 4 || begin[0] != 0 || end[0] != 0 || begin[1] != 0 || end[1] != 0)
            throw new IllegalArgumentException("pads " + given + " pad the input " + Layer.show(shape) + " beyond H and W" + only);
        return new int[] {(int) begin[2], (int) begin[3], (int) end[2], (int) end[3]};
    }

    /** The constant broadcast (numpy rules, batch of 1) to the per-example shape, flattened row-major. */
    static double[] broadcast(Tensor c, int[] target) {
        int t = target.length + 1;
        long[] cd = c.dims();
        int extra = Math.max(0, cd.length - t);
        for (int i = 0; i < extra; i++)
            if (cd[i] != 1) throw new IllegalArgumentException("constant dims " + Arrays.toString(cd) + " do not broadcast to " + Layer.show(target));
        long[] dims = new long[t]; // aligned to [batch, ...target]
        for (int j = 0; j < t; j++) {
            int ci = j - (t - cd.length);
            dims[j] = ci < 0 ? 1 : cd[ci];
            long want = j == 0 ? 1 : target[j - 1];
            if (dims[j] != 1 && dims[j] != want)
                throw new IllegalArgumentException("constant dims " + Arrays.toString(cd) + " do not broadcast to " + Layer.show(target));
        }
        int size = Layer.size(target);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            int rest = i, src = 0, stride = 1;
            for (int j = t - 1; j >= 1; j--) {
                int coord = rest % target[j - 1];
                rest /= target[j - 1];
                if (dims[j] != 1) src += coord * stride;
                stride *= (int) dims[j];
            }
            out[i] = c.data()[src];
        }
        return out;
    }
}
