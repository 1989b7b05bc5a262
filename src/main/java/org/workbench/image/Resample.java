package org.workbench.image;

/**
 * PIL's resampling coefficients for the bilinear (triangle) filter, the filter torchvision's Resize uses on PIL
 * images: output pixel i centres at (i + 0.5) · scale in the input, and when shrinking the filter's support widens by
 * the scale, which averages every input pixel under it (antialiasing).
 */
final class Resample {
    private Resample() {}

    private static double scale(int in, int out) {
        return (double) in / out;
    }

    /** First input pixel read by each output pixel. */
    static int[] starts(int in, int out) {
        double scale = scale(in, out), support = Math.max(scale, 1);
        int[] s = new int[out];
        for (int i = 0; i < out; i++) s[i] = Math.max(0, (int) (((i + 0.5) * scale) - support + 0.5));
        return s;
    }

    /** Normalized weights of the input pixels read by each output pixel, from its first one on. */
    static double[][] weights(int in, int out) {
        double scale = scale(in, out), filterScale = Math.max(scale, 1), support = filterScale;
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int min = Math.max(0, (int) (center - support + 0.5)), max = Math.min(in, (int) (center + support + 0.5));
            double[] k = new double[Math.max(0, max - min)];
            double sum = 0;
            for (int x = 0; x < k.length; x++) {
                double t = Math.abs((x + min - center + 0.5) / filterScale);
                k[x] = t < 1 ? 1 - t : 0;
                sum += k[x];
            }
            for (int x = 0; x < k.length; x++) k[x] = sum == 0 ? 0 : k[x] / sum;
            w[i] = k;
        }
        return w;
    }
}
