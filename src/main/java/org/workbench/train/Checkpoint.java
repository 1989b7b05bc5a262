package org.workbench.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.workbench.config.InputError;
import org.workbench.net.Layer;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;

/**
 * Everything a training run needs to go on after a kill, written at the end of every epoch: the weights
 * ({@code model.yaml} + safetensors, float32 as the trainer holds them), and {@code state.bin} with the epochs done,
 * the optimizer's step count and moment tensors, the shuffling generator and the current sample order, and the
 * log so far. A resumed run ends with the same weights, bit for bit, as one that was never stopped.
 */
record Checkpoint(int epochsDone, int step, List<float[]> moment1, List<float[]> moment2, Random shuffle, int[] order,
                  List<String> logRows, Network weights) {
    private static final int MAGIC = 0x57424350; // "WBCP"

    static Path stateFile(Path dir) {
        return dir.resolve("state.bin");
    }

    /** Writes the checkpoint into dir, replacing the previous one only once the new one is complete. */
    void write(Path dir, String fingerprint) throws IOException {
        Files.createDirectories(dir);
        ModelFiles.save(weights, dir.resolve("model.yaml"), "training checkpoint after epoch " + epochsDone);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeUTF(fingerprint);
            out.writeInt(epochsDone);
            out.writeInt(step);
            writeArrays(out, moment1);
            writeArrays(out, moment2);
            ByteArrayOutputStream rnd = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(rnd)) {
                o.writeObject(shuffle);
            }
            out.writeInt(rnd.size());
            out.write(rnd.toByteArray());
            out.writeInt(order.length);
            for (int v : order) out.writeInt(v);
            out.writeInt(logRows.size());
            for (String r : logRows) out.writeUTF(r);
        }
        Path tmp = dir.resolve("state.bin.tmp");
        Files.write(tmp, bytes.toByteArray());
        Files.move(tmp, stateFile(dir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The checkpoint in dir, or null when there is none. One written for another architecture or by another recipe
     * is refused with the file and what differs.
     */
    static Checkpoint read(Path dir, String fingerprint, Network init) throws IOException {
        Path state = stateFile(dir);
        if (!Files.exists(state)) return null;
        Network weights = ModelFiles.load(dir.resolve("model.yaml"));
        if (!sameShapes(weights, init))
            throw InputError.at(dir.resolve("model.yaml"), 0, "architecture", "the checkpoint holds " + describe(weights)
                    + ", the recipe's architecture is " + describe(init) + "; delete " + dir + " to start over");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(state)))) {
            if (in.readInt() != MAGIC) throw InputError.at(state, "not a workbench training checkpoint");
            String written = in.readUTF();
            if (!written.equals(fingerprint))
                throw InputError.at(state, 0, "recipe", "the checkpoint was written by a recipe with other settings ("
                        + written + "; now " + fingerprint + "); delete " + dir + " to start over");
            int done = in.readInt(), step = in.readInt();
            List<float[]> m1 = readArrays(in), m2 = readArrays(in);
            byte[] rnd = new byte[in.readInt()];
            in.readFully(rnd);
            Random shuffle;
            try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(rnd))) {
                shuffle = (Random) o.readObject();
            } catch (ClassNotFoundException e) {
                throw InputError.at(state, "unreadable generator state: " + e.getMessage());
            }
            int[] order = new int[in.readInt()];
            for (int i = 0; i < order.length; i++) order[i] = in.readInt();
            List<String> rows = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) rows.add(in.readUTF());
            return new Checkpoint(done, step, m1, m2, shuffle, order, rows, weights);
        } catch (java.io.EOFException e) {
            throw InputError.at(state, "truncated training checkpoint");
        }
    }

    private static boolean sameShapes(Network a, Network b) {
        if (a.layers().size() != b.layers().size()) return false;
        for (int i = 0; i < a.layers().size(); i++) {
            List<Layer.Param> p = a.layers().get(i).params(), q = b.layers().get(i).params();
            if (!a.layers().get(i).type().equals(b.layers().get(i).type()) || p.size() != q.size()) return false;
            for (int k = 0; k < p.size(); k++) if (!Arrays.equals(p.get(k).shape(), q.get(k).shape())) return false;
        }
        return Arrays.equals(a.inputShape(), b.inputShape());
    }

    private static String describe(Network n) {
        List<String> parts = new ArrayList<>();
        for (Layer l : n.layers()) {
            StringBuilder s = new StringBuilder(l.type());
            for (Layer.Param p : l.params()) s.append(' ').append(Arrays.toString(p.shape()));
            parts.add(s.toString());
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private static void writeArrays(DataOutputStream out, List<float[]> arrays) throws IOException {
        out.writeInt(arrays.size());
        for (float[] a : arrays) {
            out.writeInt(a.length);
            for (float v : a) out.writeInt(Float.floatToRawIntBits(v));
        }
    }

    private static List<float[]> readArrays(DataInputStream in) throws IOException {
        List<float[]> out = new ArrayList<>();
        for (int n = in.readInt(); n > 0; n--) {
            float[] a = new float[in.readInt()];
            for (int i = 0; i < a.length; i++) a[i] = Float.intBitsToFloat(in.readInt());
            out.add(a);
        }
        return out;
    }
}
