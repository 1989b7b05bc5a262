package org.workbench.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;
import org.workbench.config.InputError;

/**
 * An RGB picture as a classifier sees it: values in [0, 1], channels first ([3, H, W] row-major), as torchvision's
 * ToTensor gives them. Reading, resizing and cropping follow torchvision's Resize (PIL's antialiased bilinear
 * filter) and CenterCrop.
 */
public record Photo(int height, int width, double[] chw) {
    public Photo {
        if (chw.length != 3 * height * width)
            throw new IllegalArgumentException("a " + height + "x" + width + " RGB photo holds " + 3 * height * width + " values, not " + chw.length);
    }

    /** Reads a JPEG or PNG (or any format ImageIO reads); an unreadable file is an {@link InputError} naming it. */
    public static Photo read(Path file) {
        if (!Files.isRegularFile(file)) throw InputError.at(file, "image file not found");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw InputError.at(file, "not a readable image (JPEG or PNG expected): " + e.getMessage());
        }
        if (img == null) throw InputError.at(file, "not an image (JPEG or PNG expected)");
        return of(img);
    }

    public static Photo of(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        double[] v = new double[3 * h * w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++) {
                int rgb = img.getRGB(c, r);
                v[r * w + c] = ((rgb >> 16) & 255) / 255.0;
                v[h * w + r * w + c] = ((rgb >> 8) & 255) / 255.0;
                v[2 * h * w + r * w + c] = (rgb & 255) / 255.0;
            }
        return new Photo(h, w, v);
    }

    /** torchvision's Resize(size) with an int: the shorter side becomes size, the longer int(size * long / short). */
    public Photo resizeShorter(int size) {
        if (height <= width) return resize(size, (int) ((long) size * width / height));
        return resize((int) ((long) size * height / width), size);
    }

    /** Bilinear resampling with PIL's antialiasing (the filter widens by the shrink factor), width first as PIL does. */
    public Photo resize(int newH, int newW) {
        if (newH == height && newW == width) return this;
        double[] tmp = new double[3 * height * newW];
        double[][] wx = Resample.weights(width, newW);
        int[] x0 = Resample.starts(width, newW);
        for (int ch = 0; ch < 3; ch++)
            for (int r = 0; r < height; r++)
                for (int c = 0; c < newW; c++) {
                    double s = 0;
                    for (int k = 0; k < wx[c].length; k++) s += wx[c][k] * chw[(ch * height + r) * width + x0[c] + k];
                    tmp[(ch * height + r) * newW + c] = s;
                }
        double[] out = new double[3 * newH * newW];
        double[][] wy = Resample.weights(height, newH);
        int[] y0 = Resample.starts(height, newH);
        for (int ch = 0; ch < 3; ch++)
            for (int r = 0; r < newH; r++)
                for (int c = 0; c < newW; c++) {
                    double s = 0;
                    for (int k = 0; k < wy[r].length; k++) s += wy[r][k] * tmp[(ch * height + y0[r] + k) * newW + c];
                    out[(ch * newH + r) * newW + c] = Math.min(1, Math.max(0, s));
                }
        return new Photo(newH, newW, out);
    }

    /** torchvision's CenterCrop: the offsets are rounded halves of the size differences. */
    public Photo centerCrop(int h, int w) {
        if (h > height || w > width)
            throw new IllegalArgumentException("crop " + h + "x" + w + " is larger than the " + height + "x" + width + " picture");
        int top = (int) Math.round((height - h) / 2.0), left = (int) Math.round((width - w) / 2.0);
        double[] out = new double[3 * h * w];
        for (int ch = 0; ch < 3; ch++)
            for (int r = 0; r < h; r++)
                System.arraycopy(chw, (ch * height + top + r) * width + left, out, (ch * h + r) * w, w);
        return new Photo(h, w, out);
    }

    /** Every value rounded to the 8-bit grid k / 255, as a PNG holds it. */
    public Photo quantized() {
        double[] q = new double[chw.length];
        for (int i = 0; i < q.length; i++) q[i] = level(chw[i]) / 255.0;
        return new Photo(height, width, q);
    }

    static int level(double v) {
        return (int) Math.round(Math.min(1, Math.max(0, v)) * 255);
    }

    public BufferedImage image() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int n = height * width;
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++) {
                int i = r * width + c;
                img.setRGB(c, r, (level(chw[i]) << 16) | (level(chw[n + i]) << 8) | level(chw[2 * n + i]));
            }
        return img;
    }

    /** Writes a PNG through a temporary file moved into place. */
    public void writePng(Path file) throws IOException {
        writePng(image(), file);
    }

    public static void writePng(BufferedImage img, Path file) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
