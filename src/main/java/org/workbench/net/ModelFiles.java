package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.workbench.config.InputError;
import org.workbench.config.YNode;

/**
 * Reads and writes networks: an architecture file (YAML) naming a safetensors weights file, or an ONNX file.
 *
 * <pre>
 * input: [1, 28, 28]
 * weights: mlp.safetensors      # next to this file; tensors named "&lt;layer index&gt;.weight" / ".bias"
 * layers:
 *   - flatten
 *   - linear: {in: 784, out: 100}
 *   - relu
 *   - conv2d: {in: 1, out: 16, kernel: 4, stride: 2, padding: 1}
 *   - normalize: {mean: [0.1307], std: [0.3081]}
 * </pre>
 */
public final class ModelFiles {
    private ModelFiles() {}

    public static Network load(Path file) {
        if (!Files.exists(file)) throw InputError.at(file, "model file not found");
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".onnx")) return OnnxImporter.load(file);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return loadYaml(file);
        throw InputError.at(file, "unknown model format; expected an architecture file (.yaml) or an ONNX file (.onnx)");
    }

    /**
     * A network for the relaxation and exact solvers: as {@link #load}, refusing one with a layer that has no bound
     * rules, by the layer's name.
     */
    public static Network loadBoundable(Path file) {
        Network net = load(file);
        requireBoundRules(net, file);
        return net;
    }

    public static void requireBoundRules(Network net, Path file) {
        net.boundRuleGap().ifPresent(gap -> {
            throw InputError.at(file, gap);
        });
    }

    private static Network loadYaml(Path file) {
        YNode root = YNode.load(file).allowOnly(Set.of("input", "weights", "layers", "description"));
        Path weightsFile = file.resolveSibling(root.get("weights").string());
        return architecture(root, readWeights(weightsFile)::get, weightsFile);
    }

    /**
     * A network with freshly initialized weights from an architecture node (input and layers keys), as PyTorch
     * initializes Linear and Conv2d: uniform in +-1/sqrt(fan_in), from a seeded generator.
     */
    public static Network initialize(YNode arch, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        long[] weightFanIn = {1}; // a bias takes the fan-in of the weight requested just before it
        return architecture(arch, (layer, param, shape, f) -> {
            if (!param.equals("bias")) {
                weightFanIn[0] = 1;
                for (int i = 1; i < shape.length; i++) weightFanIn[0] *= shape[i];
            }
            double bound = 1 / Math.sqrt(weightFanIn[0]);
            int n = 1;
            for (long d : shape) n *= (int) d;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (rnd.nextDouble() * 2 - 1) * bound;
            return v;
        }, null);
    }

    private static Network architecture(YNode root, WeightSource w, Path weightsFile) {
        int[] input = root.get("input").asListOrOne().stream().mapToInt(YNode::integer).toArray();
        List<Layer> layers = new ArrayList<>();
        for (YNode item : root.get("layers").asList()) layers.add(layer(item, layers.size(), w, weightsFile));
        try {
            return new Network(input, layers);
        } catch (IllegalArgumentException e) {
            throw root.get("layers").error(e.getMessage());
        }
    }

    /** Where a layer's parameter values come from: a weights file, or an initializer. */
    @FunctionalInterface
    private interface WeightSource {
        double[] get(int layer, String param, long[] shape, Path file);
    }

    private static Layer layer(YNode item, int index, WeightSource w, Path weightsFile) {
        String type;
        YNode args;
        if (item.isScalar()) {
            type = item.string();
            args = YNode.map(item.file(), item.line(), item.path());
        } else {
            Map<String, YNode> m = item.asMap();
            if (m.size() != 1) throw item.error("expected one layer type as the single key, e.g. 'linear: {in: 784, out: 100}'");
            type = m.keySet().iterator().next();
            args = m.get(type);
            if (args.isNull()) args = YNode.map(item.file(), item.line(), item.path());
        }
        switch (type) {
            case "relu": return new Relu();
            case "flatten": return new Flatten();
            case "normalize": {
                args.allowOnly(Set.of("mean", "std"));
                double[] mean = doubles(args.get("mean")), std = doubles(args.get("std"));
                return guard(args, () -> new Normalize(mean, std));
            }
            case "linear": {
                args.allowOnly(Set.of("in", "out"));
                int in = args.get("in").integer(), out = args.get("out").integer();
                double[] weight = w.get(index, "weight", new long[] {out, in}, weightsFile);
                double[] bias = w.get(index, "bias", new long[] {out}, weightsFile);
                return guard(args, () -> new Linear(in, out, weight, bias));
            }
            case "conv2d": {
                args.allowOnly(Set.of("in", "out", "kernel", "stride", "padding"));
                int in = args.get("in").integer(), out = args.get("out").integer(), k = args.get("kernel").integer();
                int stride = args.integer("stride", 1), padding = args.integer("padding", 0);
                double[] weight = w.get(index, "weight", new long[] {out, in, k, k}, weightsFile);
                double[] bias = w.get(index, "bias", new long[] {out}, weightsFile);
                return guard(args, () -> new Conv2d(in, out, k, k, stride, padding, weight, bias));
            }
            default:
                throw item.error("unknown layer type '" + type + "'; expected one of conv2d, flatten, linear, normalize, relu");
        }
    }

    private static Layer guard(YNode at, java.util.function.Supplier<Layer> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
    }

    private static double[] doubles(YNode n) {
        return n.asListOrOne().stream().mapToDouble(YNode::number).toArray();
    }

    /** Writes {@code arch} (YAML) and its weights (float32 safetensors, named after the YAML file) next to it. */
    public static void save(Network net, Path arch, String description) throws IOException {
        String weightsName = arch.getFileName().toString().replaceAll("\\.ya?ml$", "") + ".safetensors";
        StringBuilder y = new StringBuilder();
        if (description != null) y.append("description: ").append(quote(description)).append('\n');
        y.append("input: ").append(java.util.Arrays.toString(net.inputShape())).append('\n');
        y.append("weights: ").append(weightsName).append('\n').append("layers:\n");
        if (!net.isChain() || net.layers().stream().anyMatch(l -> l instanceof AttackOnly))
            throw new IllegalArgumentException("architecture files hold chains of linear, conv2d, relu, flatten and "
                    + "normalize layers; this network has " + net.layers().stream().filter(l -> l instanceof AttackOnly)
                    .map(Layer::type).distinct().toList() + (net.isChain() ? "" : " and branches"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = new NDList();
            for (int i = 0; i < net.layers().size(); i++) {
                Layer l = net.layers().get(i);
                y.append("  - ").append(yamlOf(l)).append('\n');
                if (l instanceof Normalize) continue;
                for (Layer.Param p : l.params()) {
                    NDArray a = m.create(p.values(), new Shape(p.shape())).toType(DataType.FLOAT32, false);
                    a.setName(i + "." + p.name());
                    list.add(a);
                }
            }
            Path tmp = arch.resolveSibling(weightsName + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp)) {
                list.encode(os, NDList.Encoding.SAFETENSORS);
            }
            Files.move(tmp, arch.resolveSibling(weightsName), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(arch, y.toString());
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String yamlOf(Layer l) {
        if (l instanceof Linear f) return "linear: {in: " + f.in() + ", out: " + f.out() + "}";
        if (l instanceof Conv2d c) {
            if (c.kernelH() != c.kernelW()) throw new IllegalArgumentException("architecture files hold square kernels only");
            return "conv2d: {in: " + c.inChannels() + ", out: " + c.outChannels() + ", kernel: " + c.kernelH()
                    + ", stride: " + c.stride() + ", padding: " + c.padding() + "}";
        }
        if (l instanceof Normalize n)
            return "normalize: {mean: " + java.util.Arrays.toString(n.mean()) + ", std: " + java.util.Arrays.toString(n.std()) + "}";
        return l.type();
    }

    private static WeightTable readWeights(Path file) {
        if (!Files.exists(file)) throw InputError.at(file, "weights file not found");
        Map<String, WeightTable.Tensor> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(); InputStream is = Files.newInputStream(file)) {
            NDList list = NDList.decode(m, is);
            for (NDArray a : list)
                out.put(a.getName(), new WeightTable.Tensor(a.getShape().getShape(), a.toType(DataType.FLOAT64, false).toDoubleArray()));
        } catch (IOException | RuntimeException e) {
            throw InputError.at(file, "cannot read safetensors weights: " + e.getMessage());
        }
        return new WeightTable(new HashMap<>(out));
    }

    /** Named weight tensors read from a file, handed out with their shapes checked. */
    private record WeightTable(Map<String, Tensor> tensors) {
        record Tensor(long[] shape, double[] values) {}

        double[] get(int layer, String param, long[] shape, Path file) {
            String name = layer + "." + param;
            Tensor t = tensors.get(name);
            if (t == null) throw InputError.at(file, 0, name, "tensor missing from the weights file");
            if (!java.util.Arrays.equals(t.shape(), shape))
                throw InputError.at(file, 0, name, "has shape " + java.util.Arrays.toString(t.shape())
                        + ", the architecture expects " + java.util.Arrays.toString(shape));
            return t.values();
        }
    }
}
