package org.workbench.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * 2-d convolution on [C, H, W] inputs; weight [outC, inC, kh, kw] row-major, symmetric zero padding.
 */
public record Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding,
                     double[] weight, double[] bias) implements Layer {

    public Conv2d {
        long n = (long) outChannels * inChannels * kernelH * kernelW;
        if (weight.length != n)
            throw new IllegalArgumentException("conv2d weight has " + weight.length + " values, expected "
                    + outChannels + "x" + inChannels + "x" + kernelH + "x" + kernelW);
        if (bias.length != outChannels)
            throw new IllegalArgumentException("conv2d bias has " + bias.length + " values, expected " + outChannels);
        if (stride < 1 || padding < 0)
            throw new IllegalArgumentException("conv2d needs stride >= 1 and padding >= 0");
    }

    public int outH(int h) {
        return (h + 2 * padding - kernelH) / stride + 1;
    }

    public int outW(int w) {
        return (w + 2 * padding - kernelW) / stride + 1;
    }

    @Override
    public String type() {
        return "conv2d";
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length != 3 || s[0] != inChannels)
            throw new IllegalArgumentException("conv2d expects input [" + inChannels + ", H, W], got " + Layer.show(s));
        int h = outH(s[1]), w = outW(s[2]);
        if (h < 1 || w < 1)
            throw new IllegalArgumentException("conv2d kernel larger than its padded input " + Layer.show(s));
        return new int[] {outChannels, h, w};
    }

    @Override
    public List<Param> params() {
        return List.of(new Param("weight", new long[] {outChannels, inChannels, kernelH, kernelW}, weight),
                new Param("bias", new long[] {outChannels}, bias));
    }

    @Override
    public Layer withParams(List<double[]> v) {
        return new Conv2d(inChannels, outChannels, kernelH, kernelW, stride, padding, v.get(0), v.get(1));
    }

    @Override
    public NDArray forward(NDArray x, NDList p) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, p.get(0), p.get(1), new Shape(stride, stride),
                new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
    }
}
