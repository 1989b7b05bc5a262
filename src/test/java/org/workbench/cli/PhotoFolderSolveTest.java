package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.data.Dataset;
import org.workbench.image.Photo;
import org.workbench.image.PhotoFolder;

/** A problem file whose data is a folder of photos (ImageFolder layout): `solve` runs its attacks over every photo. */
class PhotoFolderSolveTest {
    static final Path CNN = Path.of("src/test/resources/onnx/small_cnn.onnx").toAbsolutePath();
    static final Path CAT = Path.of("data/photos/chelsea.png");

    @TempDir
    Path tmp;

    @Test
    void solveAttacksEveryPhotoOfTheFolder() throws Exception {
        Path photos = tmp.resolve("photos");
        Files.createDirectories(photos.resolve("cat"));
        Files.createDirectories(photos.resolve("3"));
        Files.copy(CAT, photos.resolve("cat/chelsea.png"));
        Files.copy(CAT, photos.resolve("3/again.png"));
        Path labels = Files.writeString(tmp.resolve("classes.json"),
                "{\"0\": [\"n0\", \"plane\"], \"1\": [\"n1\", \"car\"], \"2\": [\"n2\", \"bird\"], \"3\": [\"n3\", \"cat\"]}");
        Dataset d = PhotoFolder.load(photos, new PhotoFolder.Preparation(32, 32, labels));
        assertEquals(2, d.size());
        assertEquals(3 * 32, d.rows());
        assertEquals(3, d.labels()[0]);
        assertEquals(3, d.labels()[1]);
        // The samples are the photos exactly as `attack` prepares them.
        double[] want = Photo.read(CAT).resizeShorter(32).centerCrop(32, 32).quantized().chw();
        double[] got = d.image(1);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12);

        Path out = tmp.resolve("out");
        Path problem = Files.writeString(tmp.resolve("photos.yaml"), "model: " + CNN + "\n"
                + "data: {dir: " + photos + ", images: {resize: 32, crop: 32, labels: " + labels + "}}\n"
                + "threat: {norm: linf, eps: [0.2]}\nsolvers: [fgsm, pgd-linf]\noutput: " + out + "\n");
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
            assertEquals(0, Main.run("solve", problem.toString()));
        } finally {
            System.setOut(old);
        }
        String summary = Files.readString(out.resolve("summary.md"));
        assertTrue(summary.contains("Samples: 2."), summary);
        assertTrue(summary.contains("| 0.2 | pgd-linf | lower | 2 |"), summary);
    }
}
