package org.workbench.net;

import java.util.ArrayList;
import java.util.List;

/** A feed-forward network: an input shape (without batch) and a list of layers, shapes checked on creation. */
public record Network(int[] inputShape, List<Layer> layers) {

    public Network {
        layers = List.copyOf(layers);
        int[] s = inputShape.clone();
        for (int i = 0; i < layers.size(); i++) {
            try {
                s = layers.get(i).outputShape(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).type() + "): " + e.getMessage());
            }
        }
        if (s.length != 1)
            throw new IllegalArgumentException("the network must end in a flat vector of logits, ends in " + Layer.show(s));
        for (Layer l : layers)
            for (Layer.Param p : l.params())
                for (double v : p.values())
                    if (!Double.isFinite(v))
                        throw new IllegalArgumentException("layer " + l.type() + " parameter " + p.name() + " holds " + v);
    }

    /** Shapes before each layer and after the last: shapes().get(i) is the input of layer i. */
    public List<int[]> shapes() {
        List<int[]> out = new ArrayList<>();
        int[] s = inputShape.clone();
        out.add(s);
        for (Layer l : layers) {
            s = l.outputShape(s);
            out.add(s);
        }
        return out;
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

    /** One line per layer: index, type, output shape, parameter count. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        List<int[]> s = shapes();
        sb.append(String.format("input   %-10s %s%n", "", Layer.show(inputShape)));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            long n = 0;
            for (Layer.Param p : l.params()) if (p.trainable()) n += p.size();
            sb.append(String.format("%-7d %-10s %-16s %,d params%s%n", i, l.type(), Layer.show(s.get(i + 1)), n, detail(l)));
        }
        sb.append(String.format("total   %,d parameters%n", parameterCount()));
        return sb.toString();
    }

    private static String detail(Layer l) {
        if (l instanceof Conv2d c)
            return String.format("  (%dx%d, stride %d, padding %d)", c.kernelH(), c.kernelW(), c.stride(), c.padding());
        return "";
    }
}
