package org.workbench.exact;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.workbench.net.LinearProgram;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;

/**
 * The network's exact encoding in a MIP backend, plus what it takes to turn an input point into a complete
 * solution of the program: a starting incumbent for the solver. SCIP stops at a bound limit without any answer
 * through OR-Tools when it has no incumbent yet, and completing a partial hint (SCIP's completesol) cost seconds
 * per solve on the tutorial's network; a forward pass costs microseconds.
 */
final class Encoding {
    final int[] inputs, logits;
    private final List<int[]> outputs = new ArrayList<>();
    /** Per layer, pairs {binary variable, neuron}: the neuron is the layer input the binary shares a row with. */
    private final List<List<int[]>> binaries = new ArrayList<>();
    private final Network net;
    private final int variables;

    private Encoding(Network net, double[] inLo, double[] inHi, List<double[]> preLo, List<double[]> preHi, MipBackend mip) {
        this.net = net;
        int n = net.inputSize(), layers = net.layers().size();
        Recorder rec = new Recorder(mip);
        if (inLo.length != n || inHi.length != n)
            throw new IllegalArgumentException("input box has " + inLo.length + "/" + inHi.length + " values, the network takes " + n);
        // Layer by layer as LpRelaxation.encode does it, so that each layer's binaries can be told apart.
        int[] v = new int[n];
        for (int k = 0; k < n; k++) {
            if (!(inLo[k] <= inHi[k])) throw new IllegalArgumentException("empty input box at element " + k);
            v[k] = rec.variable(inLo[k], inHi[k]);
        }
        inputs = v.clone();
        List<int[]> shapes = net.shapes();
        List<int[]> values = new ArrayList<>();
        values.add(v);
        for (int i = 0; i < layers; i++) {
            int size = org.workbench.net.Layer.size(shapes.get(i));
            if (preLo.get(i).length != size || preHi.get(i).length != size)
                throw new IllegalArgumentException("bounds for value " + i + " have " + preLo.get(i).length
                        + " values, expected " + size);
        }
        for (int i = 0; i < layers; i++) {
            rec.startLayer(values.get(net.inputs().get(i)[0]));
            v = org.workbench.relax.LpRelaxation.encodeLayer(net, i, values, shapes, preLo, preHi, true, rec);
            values.add(v);
            outputs.add(v);
            binaries.add(rec.layerBinaries);
        }
        logits = v;
        variables = rec.count;
    }

    /** Encodes the network over the box with the given bounds of each layer's input (extra entries are ignored). */
    static Encoding of(Network net, double[] inLo, double[] inHi, List<double[]> preLo, List<double[]> preHi, MipBackend mip) {
        int layers = net.layers().size();
        if (preLo.size() < layers || preHi.size() < layers)
            throw new IllegalArgumentException("need input bounds for each of the " + layers + " layers, got "
                    + preLo.size() + "/" + preHi.size());
        return new Encoding(net, inLo, inHi, preLo, preHi, mip);
    }

    /** Variables created by the encoding, numbered 0..count-1. */
    int variables() {
        return variables;
    }

    /**
     * The value of every encoding variable at input x (float64 forward pass; each binary set to its neuron's
     * phase), or null when some variable's value cannot be told. A value off by rounding only costs the hint.
     */
    double[] solution(TorchNet net64, double[] x) {
        double[] val = new double[variables];
        Arrays.fill(val, Double.NaN);
        for (int k = 0; k < inputs.length; k++) val[inputs[k]] = x[k];
        try (NDManager m = net64.manager().newSubManager()) {
            List<NDArray> values = new ArrayList<>();
            values.add(m.create(x, net64.batchShape(1)));
            for (int i = 0; i < net.layers().size(); i++) {
                int[] r = net.inputs().get(i);
                double[] in = values.get(r[0]).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int[] b : binaries.get(i)) val[b[0]] = in[b[1]] > 0 ? 1 : 0;
                List<NDArray> args = new ArrayList<>();
                for (int v : r) args.add(values.get(v));
                NDArray h = net.layers().get(i).forward(args, net64.params().get(i));
                values.add(h);
                double[] out = h.toType(DataType.FLOAT64, false).toDoubleArray();
                int[] o = outputs.get(i);
                for (int k = 0; k < o.length; k++) val[o[k]] = out[k];
            }
        }
        for (double d : val) if (Double.isNaN(d)) return null;
        return val;
    }

    /** Passes everything on to the backend, noting which binaries each layer creates and for which neuron. */
    private static final class Recorder implements LinearProgram {
        private final MipBackend mip;
        int count;
        private Map<Integer, Integer> neuronOf = new HashMap<>();
        private List<Integer> fresh = new ArrayList<>();
        List<int[]> layerBinaries = new ArrayList<>();

        Recorder(MipBackend mip) {
            this.mip = mip;
        }

        void startLayer(int[] in) {
            neuronOf = new HashMap<>();
            for (int k = 0; k < in.length; k++) neuronOf.putIfAbsent(in[k], k);
            fresh = new ArrayList<>();
            layerBinaries = new ArrayList<>();
        }

        @Override
        public int variable(double lo, double hi) {
            count++;
            return mip.variable(lo, hi);
        }

        @Override
        public int affine(int[] in, int[] pos, double[] w, int n, double bias, double[] inLo, double[] inHi) {
            count++;
            return mip.affine(in, pos, w, n, bias, inLo, inHi);
        }

        @Override
        public int binary() {
            count++;
            int z = mip.binary();
            fresh.add(z);
            return z;
        }

        @Override
        public void constraint(int[] vars, double[] coefs, double lo, double hi) {
            mip.constraint(vars, coefs, lo, hi);
            if (fresh.isEmpty()) return;
            Integer neuron = null, z = null;
            for (int v : vars) {
                if (neuronOf.containsKey(v)) neuron = neuronOf.get(v);
                if (fresh.contains(v)) z = v;
            }
            if (neuron != null && z != null) {
                fresh.remove(z);
                layerBinaries.add(new int[] {z, neuron});
            }
        }
    }
}
