package org.workbench.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * results.jsonl of one problem: appended one flushed line at a time, so a killed run loses nothing it
 * wrote; reopening reads the finished lines back (dropping a half-written last line) for resuming.
 */
public final class ResultsStore implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private final Path file;
    private final List<ResultLine> lines = new ArrayList<>();
    private final Set<String> keys = new HashSet<>();
    private final BufferedWriter out;

    private ResultsStore(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve("results.jsonl");
        if (Files.exists(file)) readBack();
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    public static ResultsStore open(Path dir) {
        try {
            return new ResultsStore(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open results in " + dir, e);
        }
    }

    private void readBack() throws IOException {
        List<String> text = Files.readAllLines(file, StandardCharsets.UTF_8);
        StringBuilder good = new StringBuilder();
        boolean dropped = false;
        for (String s : text) {
            if (s.isBlank()) continue;
            try {
                ResultLine r = parse(s);
                lines.add(r);
                keys.add(r.key());
                good.append(s).append('\n');
            } catch (RuntimeException e) {
                dropped = true; // a line cut short by a killed run: recompute it
            }
        }
        if (dropped) Files.writeString(file, good.toString(), StandardCharsets.UTF_8);
    }

    public Path file() {
        return file;
    }

    public boolean has(String model, int sample, double eps, String solver, String setup) {
        return keys.contains(ResultLine.key(model, sample, eps, solver, setup));
    }

    public List<ResultLine> lines() {
        return lines;
    }

    public synchronized void append(ResultLine r) {
        try {
            out.write(format(r));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lines.add(r);
        keys.add(r.key());
    }

    public static String format(ResultLine r) {
        JsonObject o = new JsonObject();
        // Absent for a single-model problem, so its lines read as they did before problems could name several models.
        if (r.model() != null) o.addProperty("model", r.model());
        o.addProperty("sample", r.sample());
        o.addProperty("label", r.label());
        o.addProperty("eps", r.eps());
        o.addProperty("solver", r.solver());
        o.addProperty("kind", r.kind());
        o.add("margins", array(r.margins()));
        if (r.marginsLower() != null) o.add("margins_lower", array(r.marginsLower()));
        o.addProperty("status", r.status());
        o.addProperty("time_s", r.timeS());
        if (r.witnessClass() != null) o.addProperty("witness_class", r.witnessClass());
        if (r.witnessDistance() != null) o.addProperty("witness_distance", r.witnessDistance());
        if (r.witness() != null) o.addProperty("witness", r.witness());
        o.addProperty("setup", r.setup());
        return GSON.toJson(o);
    }

    private static JsonArray array(double[] values) {
        JsonArray m = new JsonArray();
        for (double v : values) m.add(Double.isNaN(v) ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(v));
        return m;
    }

    private static double[] doubles(JsonArray m) {
        double[] out = new double[m.size()];
        for (int j = 0; j < out.length; j++) out[j] = m.get(j).isJsonNull() ? Double.NaN : m.get(j).getAsDouble();
        return out;
    }

    public static ResultLine parse(String s) {
        JsonObject o = JsonParser.parseString(s).getAsJsonObject();
        double[] margins = doubles(o.getAsJsonArray("margins"));
        return new ResultLine(o.has("model") ? o.get("model").getAsString() : null,
                o.get("sample").getAsInt(), o.get("label").getAsInt(), o.get("eps").getAsDouble(),
                o.get("solver").getAsString(), o.get("kind").getAsString(), margins, o.get("status").getAsString(),
                o.get("time_s").getAsDouble(),
                o.has("witness_class") ? o.get("witness_class").getAsInt() : null,
                o.has("witness_distance") ? o.get("witness_distance").getAsDouble() : null,
                o.has("witness") ? o.get("witness").getAsString() : null,
                o.get("setup").getAsString(), o.has("margins_lower") ? doubles(o.getAsJsonArray("margins_lower")) : null);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
