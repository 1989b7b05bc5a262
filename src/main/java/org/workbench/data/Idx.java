package org.workbench.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.workbench.config.InputError;

/**
 * IDX files as used by MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian header
 * (magic 0x0000TTDD with type code TT and DD dimensions, then DD unsigned 32-bit sizes) followed by the
 * data. Only unsigned bytes are supported: images (0x00000803) and labels (0x00000801). Files may be raw or
 * gzip-compressed; gzip is recognised by its magic bytes, not by the file name, because both kinds circulate
 * under both names.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** n images of rows x cols unsigned bytes, row-major, image after image. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    public static Images readImages(Path file) {
        Raw raw = read(file, IMAGES_MAGIC);
        return new Images(raw.dims[0], raw.dims[1], raw.dims[2], raw.data);
    }

    /** Labels as ints 0..255; range checks belong to the caller, which knows how many classes it expects. */
    public static int[] readLabels(Path file) {
        byte[] data = read(file, LABELS_MAGIC).data;
        int[] labels = new int[data.length];
        for (int i = 0; i < data.length; i++) labels[i] = data[i] & 0xff;
        return labels;
    }

    /** Writes a gzip IDX image file; pixels.length must be a multiple of rows*cols. */
    public static void writeImages(Path file, int rows, int cols, byte[] pixels) {
        if (rows <= 0 || cols <= 0 || pixels.length % (rows * cols) != 0) {
            throw new IllegalArgumentException(pixels.length + " pixels do not make whole " + rows + "x" + cols + " images");
        }
        write(file, IMAGES_MAGIC, new int[] {pixels.length / (rows * cols), rows, cols}, pixels);
    }

    /** Writes a gzip IDX label file; every label must fit in an unsigned byte. */
    public static void writeLabels(Path file, int[] labels) {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is not a uint8");
            data[i] = (byte) labels[i];
        }
        write(file, LABELS_MAGIC, new int[] {labels.length}, data);
    }

    private record Raw(int[] dims, byte[] data) {}

    private static Raw read(Path file, int expectedMagic) {
        if (Files.isDirectory(file)) throw InputError.at(file, "is a directory, expected an IDX file");
        try (InputStream in = open(file)) {
            byte[] head = readUpTo(in, 4);
            if (head.length < 4) throw InputError.at(file, "truncated IDX file: the header needs 4 bytes, found " + head.length);
            int magic = int32(head, 0);
            checkMagic(file, magic, expectedMagic);
            int nd = expectedMagic & 0xff;
            byte[] dimBytes = readUpTo(in, 4 * nd);
            if (dimBytes.length < 4 * nd) {
                throw InputError.at(file, "truncated IDX file: the header needs " + (4 + 4 * nd) + " bytes, found " + (4 + dimBytes.length));
            }
            int[] dims = new int[nd];
            long total = 1;
            for (int d = 0; d < nd; d++) {
                long size = int32(dimBytes, 4 * d) & 0xffffffffL;
                // Zero images is a legal (if useless) file; a zero-sized image is not.
                if (size == 0 && d > 0) throw InputError.at(file, "IDX dimension " + d + " is 0, expected a positive size");
                total *= size;
                if (total > Integer.MAX_VALUE - 8) throw InputError.at(file, "IDX dimensions " + dimsText(dimBytes, nd) + " are too large (over 2 GiB of data)");
                dims[d] = (int) size;
            }
            byte[] data = new byte[(int) total];
            int found = readFully(in, data);
            if (found < data.length) {
                throw InputError.at(file, "truncated IDX file: expected " + data.length + " bytes of data, found " + found);
            }
            long extra = countRest(in);
            if (extra > 0) {
                throw InputError.at(file, "IDX file longer than its header says: expected " + data.length
                        + " bytes of data, found " + (data.length + extra));
            }
            return new Raw(dims, data);
        } catch (NoSuchFileException e) {
            throw InputError.at(file, "file not found");
        } catch (EOFException e) {
            // Data complete, but the gzip trailer (CRC, length) is missing.
            throw InputError.at(file, "truncated gzip file: the stream ends before its trailer");
        } catch (ZipException e) {
            throw InputError.at(file, "corrupt gzip data: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    private static void checkMagic(Path file, int magic, int expected) {
        String want = String.format("0x%08X (%s)", expected, expected == IMAGES_MAGIC ? "uint8 images, 3 dimensions" : "uint8 labels, 1 dimension");
        if ((magic >>> 16) != 0) {
            throw InputError.at(file, String.format("not an IDX file: magic number 0x%08X, expected %s", magic, want));
        }
        int type = (magic >>> 8) & 0xff;
        int nd = magic & 0xff;
        if (type != 0x08) {
            throw InputError.at(file, String.format("IDX type code 0x%02X (%s) is not supported, expected 0x08 (uint8); magic 0x%08X, expected %s",
                    type, typeName(type), magic, want));
        }
        if (magic != expected) {
            throw InputError.at(file, String.format("IDX file has %d dimension(s) (magic 0x%08X), expected %s", nd, magic, want));
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "int8";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "unknown type";
        };
    }

    private static String dimsText(byte[] dimBytes, int nd) {
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < nd; d++) sb.append(d == 0 ? "" : " x ").append(int32(dimBytes, 4 * d) & 0xffffffffL);
        return sb.toString();
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 != 0x1f || b1 != 0x8b) return in;
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (EOFException e) {
            in.close();
            throw InputError.at(file, "truncated gzip file: the gzip header is incomplete");
        }
    }

    /** Reads until n bytes or end of data; a gzip stream cut short counts as end of data. */
    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int got = readFully(in, b);
        return got == n ? b : java.util.Arrays.copyOf(b, got);
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int off = 0;
        try {
            while (off < b.length) {
                int r = in.read(b, off, b.length - off);
                if (r < 0) break;
                off += r;
            }
        } catch (EOFException e) {
            // A truncated gzip stream: report how much data it held, like a truncated raw file.
        }
        return off;
    }

    private static long countRest(InputStream in) throws IOException {
        long n = 0;
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0; ) n += r;
        return n;
    }

    private static int int32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    /**
     * gzip output carries no name and mtime 0 (GZIPOutputStream's header), so equal data gives equal bytes.
     * Written to a temporary sibling first so that a failed run never leaves a half-written data file.
     */
    private static void write(Path file, int magic, int[] dims, byte[] data) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(os, 1 << 16), 1 << 16))) {
                out.writeInt(magic);
                for (int d : dims) out.writeInt(d);
                out.write(data);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
