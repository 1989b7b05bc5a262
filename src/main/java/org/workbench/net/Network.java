package org.workbench.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A feed-forward network: an input shape (without batch), a list of layers in an order where every layer comes
 * after the layers it reads, and the wiring. Values are numbered: 0 is the network input, i + 1 the output of
 * layer i; {@code inputs.get(i)} lists the values layer i reads, and the output of the last layer is the
 * network's. A chain (each layer reads the one before) is the common case; the relaxations and the MIP walk graphs
 * too (residual Add, Concat), branch and bound on ReLUs walks chains only. {@code names} label the layers in messages (an imported node's name and operator).
 * Shapes are checked on creation.
 */
public record Network(int[] inputShape, List<Layer> layers, List<int[]> inputs, List<String> names) {

    public Network(int[] inputShape, List<Layer> layers) {
        this(inputShape, layers, null, null);
    }

    public Network {
        layers = List.copyOf(layers);
        if (inputs == null) {
            List<int[]> chain = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) chain.add(new int[] {i});
            inputs = chain;
        }
        inputs = List.copyOf(inputs);
        if (names == null) names = layers.stream().map(Layer::type).toList();
        names = List.copyOf(names);
        if (inputs.size() != layers.size() || names.size() != layers.size())
            throw new IllegalArgumentException("the network has " + layers.size() + " layers but wiring for "
                    + inputs.size() + " and names for " + names.size());
        List<int[]> s = valueShapes(inputShape, layers, inputs, names);
        if (s.get(s.size() - 1).length != 1)
            throw new IllegalArgumentException("the network must end in a flat vector of logits, ends in " + Layer.show(s.get(s.size() - 1)));
        for (Layer l : layers)
            for (Layer.Param p : l.params())
                for (double v : p.values())
                    if (!Double.isFinite(v))
                        throw new IllegalArgumentException("layer " + l.type() + " parameter " + p.name() + " holds " + v);
    }

    private static List<int[]> valueShapes(int[] inputShape, List<Layer> layers, List<int[]> inputs, List<String> names) {
        List<int[]> out = new ArrayList<>();
        out.add(inputShape.clone());
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int[] in = inputs.get(i);
            try {
                if (in.length != l.arity())
                    throw new IllegalArgumentException("reads " + in.length + " values, takes " + l.arity());
                List<int[]> shapes = new ArrayList<>();
                for (int v : in) {
                    if (v < 0 || v > i) throw new IllegalArgumentException("reads value " + v + ", which is not computed before it");
                    shapes.add(out.get(v));
                }
                out.add(l.outputShape(shapes));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + names.get(i) + "): " + e.getMessage());
            }
        }
        return out;
    }

    /** True when every layer reads the one before it (the form branch and bound on ReLUs walks). */
    public boolean isChain() {
        for (int i = 0; i < inputs.size(); i++) if (inputs.get(i).length != 1 || inputs.get(i)[0] != i) return false;
        return true;
    }

    /**
     * Why the relaxation and exact solvers cannot take this network, naming the first layer without bound rules
     * ("node NAME (OpType): no bound rule; attacks work, relaxations do not"), or empty when they can.
     */
    public Optional<String> boundRuleGap() {
        for (int i = 0; i < layers.size(); i++)
            if (!layers.get(i).hasBoundRules()) return Optional.of(names.get(i) + ": no bound rule; attacks work, relaxations do not");
        return Optional.empty();
    }

    /**
     * Shapes of the values: shapes().get(0) is the input, shapes().get(i + 1) the output of layer i (so, in a chain,
     * shapes().get(i) is the input of layer i).
     */
    public List<int[]> shapes() {
        return valueShapes(inputShape, layers, inputs, names);
    }

    /** The same wiring and names with other layers (new parameter values, same types and shapes). */
    public Network withLayers(List<Layer> newLayers) {
        return new Network(inputShape, newLayers, inputs, names);
    }

    public int inputSize() {
        return Layer.size(inputShape);
    }

    public int numClasses() {
        List<int[]> s = shapes();
        return s.get(s.size() - 1)[0];
    }

    public long parameterCount() {
        long n = 0;
        for (Layer l : layers)
            for (Layer.Param p : l.params())
                if (p.trainable()) n += p.size();
        return n;
    }

    /** One line per layer: index, type, output shape, parameter count (and the values read, in a graph). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        List<int[]> s = shapes();
        boolean chain = isChain();
        int typeWidth = Math.max(10, layers.stream().mapToInt(l -> l.type().length()).max().orElse(0));
        sb.append(String.format("input   %-" + typeWidth + "s %s%n", "", Layer.show(inputShape)));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long n = 0;
            for (Layer.Param p : l.params()) if (p.trainable()) n += p.size();
            String from = chain ? "" : "  <- " + Arrays.toString(Arrays.stream(inputs.get(i)).map(v -> v - 1).toArray());
            sb.append(String.format("%-7d %-" + typeWidth + "s %-16s %,d params%s%s%n", i, l.type(), Layer.show(s.get(i + 1)), n, detail(l), from));
        }
        sb.append(String.format("total   %,d parameters%n", parameterCount()));
        if (!chain) sb.append("(<- lists the layers each one reads; -1 is the input)\n");
        return sb.toString();
    }

    private static String detail(Layer l) {
        if (l instanceof Conv2d c)
            return String.format("  (%dx%d, stride %d, padding %d)", c.kernelH(), c.kernelW(), c.stride(), c.padding());
        return "";
    }
}
