package org.workbench.verify;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.workbench.config.InputError;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.spec.Property;
import org.workbench.spec.Vnnlib;

/**
 * Runs every row (onnx, vnnlib, timeout) of a VNN-COMP instances CSV, appending one flushed result row per
 * instance, so a crash loses nothing and a re-run resumes after the last finished instance.
 */
public final class InstanceBatch {
    /** One finished instance. */
    public record Row(String onnx, String vnnlib, double timeout, String result, double seconds, String method) {}

    private InstanceBatch() {}

    public static List<Row> run(Path csv, Path results, double timeoutScale, VerifySettings settings, PrintStream log) throws IOException {
        return run(csv, results, timeoutScale, settings, ai.djl.Device.cpu(), log);
    }

    /** As above, every verifier's tensors on the given device. */
    public static List<Row> run(Path csv, Path results, double timeoutScale, VerifySettings settings, ai.djl.Device device,
                                PrintStream log) throws IOException {
        if (!Files.exists(csv)) throw InputError.at(csv, "instances file not found");
        List<String[]> rows = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            String[] f = line.split(",");
            if (f.length != 3) throw InputError.at(csv, lineNo, null, "expected onnx,vnnlib,timeout, got '" + line + "'");
            try {
                Double.parseDouble(f[2].trim());
            } catch (NumberFormatException e) {
                throw InputError.at(csv, lineNo, "timeout", "expected a number of seconds, got '" + f[2] + "'");
            }
            rows.add(new String[] {f[0].trim(), f[1].trim(), f[2].trim()});
        }
        Set<String> done = new HashSet<>(), listed = new HashSet<>();
        for (String[] r : rows) listed.add(r[0] + "," + r[1]);
        List<Row> out = new ArrayList<>();
        if (Files.exists(results))
            for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
                String[] f = line.split(",");
                // Rows of instances this file does not list (another batch's) are kept in the file but not counted.
                if (f.length != 6 || f[0].equals("onnx") || !listed.contains(f[0] + "," + f[1])) continue;
                done.add(f[0] + "," + f[1]);
                out.add(new Row(f[0], f[1], Double.parseDouble(f[2]), f[3], Double.parseDouble(f[4]), f[5]));
            }
        // A re-run resumes: say so, or a user who runs the documented command sees old results appear at once.
        if (!done.isEmpty())
            log.printf("resuming: %d of %d instances already have rows in %s (delete it, or name another file with --results, to run them again)%n",
                    done.size(), rows.size(), results);
        if (results.toAbsolutePath().getParent() != null) Files.createDirectories(results.toAbsolutePath().getParent());
        boolean header = !Files.exists(results) || Files.size(results) == 0;
        Path base = csv.toAbsolutePath().getParent();
        Path cex = results.resolveSibling("counterexamples");
        try (BufferedWriter w = Files.newBufferedWriter(results, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            if (header) w.write("onnx,vnnlib,timeout,result,time_s,method\n");
            int k = 0;
            for (String[] r : rows) {
                k++;
                if (done.contains(r[0] + "," + r[1])) continue;
                double timeout = Double.parseDouble(r[2]) * timeoutScale;
                Network net = ModelFiles.loadBoundable(base.resolve(r[0]));
                Property p = Vnnlib.parse(base.resolve(r[1]), net.inputSize(), net.numClasses());
                Verifier.Verdict v = new Verifier(net, p, settings, device).run(timeout);
                if (v.result().equals("sat")) {
                    Files.createDirectories(cex);
                    Files.writeString(cex.resolve(r[0].replace('/', '_') + "__" + r[1].replace('/', '_') + ".txt"), Vnnlib.counterexample(v.x(), v.y()));
                }
                Row row = new Row(r[0], r[1], timeout, v.result(), v.seconds(), v.method());
                w.write(String.format("%s,%s,%s,%s,%.3f,%s%n", row.onnx(), row.vnnlib(), r[2], row.result(), row.seconds(), row.method()));
                w.flush();
                out.add(row);
                log.printf("[%d/%d] %s %s: %s in %.2f s (%s)%n", k, rows.size(), r[0], r[1], v.result(), v.seconds(), v.method());
            }
        }
        return out;
    }

    /** The batch's counts and times, one line: what `verify --instances` prints and writes beside the rows. */
    public static String summary(List<Row> rows) {
        long unsat = rows.stream().filter(r -> r.result().equals("unsat")).count();
        long sat = rows.stream().filter(r -> r.result().equals("sat")).count();
        long timeout = rows.stream().filter(r -> r.result().equals("timeout")).count();
        double[] t = rows.stream().mapToDouble(Row::seconds).sorted().toArray();
        double total = java.util.Arrays.stream(t).sum();
        double median = t.length == 0 ? 0 : t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
        return String.format(java.util.Locale.ROOT, "%d instances: %d unsat, %d sat, %d timeout, %d error; median %.2f s, total %.1f s",
                rows.size(), unsat, sat, timeout, rows.size() - unsat - sat - timeout, median, total);
    }
}
