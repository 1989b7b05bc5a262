package org.workbench.relax;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the calling thread only. DJL's PyTorch GradientCollector allows one collector per
 * process at a time, although libtorch's grad mode is per thread; this does what that collector does (grad mode
 * on, backward from a tensor of ones, grad mode restored) without the process-wide lock, so that two threads can
 * bound two batches of subdomains at once.
 */
final class ThreadGradients implements AutoCloseable {
    private final boolean previous = JniUtils.isGradMode();

    ThreadGradients() {
        JniUtils.setGradMode(true);
    }

    /** Gradients of the scalar {@code target} into every tensor that requires them. */
    void backward(NDArray target) {
        JniUtils.backward((PtNDArray) target, (PtNDArray) target.onesLike(), false, false);
    }

    @Override
    public void close() {
        if (!previous) JniUtils.setGradMode(false);
    }
}
