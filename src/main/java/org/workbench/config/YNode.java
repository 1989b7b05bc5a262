package org.workbench.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML value that remembers its file, line and dotted path, so every typed read can fail with
 * "file:line: path: expected ...". Maps keep their order and are mutable, so command-line overrides
 * ({@code --set a.b=v}) can be applied before the values are read.
 */
public final class YNode {
    private final Path file;
    private final int line;
    private final String path;
    private final String scalar;
    private final List<YNode> list;
    private final Map<String, YNode> map;

    private YNode(Path file, int line, String path, String scalar, List<YNode> list, Map<String, YNode> map) {
        this.file = file;
        this.line = line;
        this.path = path;
        this.scalar = scalar;
        this.list = list;
        this.map = map;
    }

    /** Reads a YAML file whose top level must be a mapping. */
    public static YNode load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw InputError.at(file, "file not found");
        } catch (IOException e) {
            throw InputError.at(file, "cannot read: " + e.getMessage());
        }
        YNode n = parse(file, "", text);
        if (n.map == null) throw n.error("expected a mapping of keys at the top level");
        return n;
    }

    /** Parses one YAML value (used for files and for the right-hand side of --set). */
    public static YNode parse(Path file, String path, String text) {
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file == null ? "--set" : file.toString()).build();
            Node root = new Compose(settings).composeString(text).orElse(null);
            if (root == null) return new YNode(file, 1, path, null, null, new LinkedHashMap<>());
            return of(file, path, root);
        } catch (YamlEngineException e) {
            String msg = e.getMessage() == null ? "malformed YAML" : e.getMessage().replace('\n', ' ');
            throw InputError.at(file, "malformed YAML: " + msg);
        }
    }

    private static YNode of(Path file, String path, Node n) {
        int line = n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        if (n instanceof ScalarNode s) {
            boolean isNull = s.getTag().getValue().endsWith(":null");
            return new YNode(file, line, path, isNull ? null : s.getValue(), null, null);
        }
        if (n instanceof SequenceNode s) {
            List<YNode> items = new ArrayList<>();
            for (Node c : s.getValue()) items.add(of(file, path + "[" + items.size() + "]", c));
            return new YNode(file, line, path, null, items, null);
        }
        MappingNode m = (MappingNode) n;
        Map<String, YNode> items = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k))
                throw InputError.at(file, line, path, "keys must be plain names");
            String key = k.getValue();
            String childPath = path.isEmpty() ? key : path + "." + key;
            if (items.containsKey(key)) throw InputError.at(file, k.getStartMark().map(x -> x.getLine() + 1).orElse(0), childPath, "key given twice");
            items.put(key, of(file, childPath, t.getValueNode()));
        }
        return new YNode(file, line, path, null, null, items);
    }

    /** A mapping built in code (for presets merged with overrides). */
    public static YNode map(Path file, int line, String path) {
        return new YNode(file, line, path, null, null, new LinkedHashMap<>());
    }

    public static YNode scalar(Path file, int line, String path, String value) {
        return new YNode(file, line, path, value, null, null);
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String path() {
        return path;
    }

    public boolean isMap() {
        return map != null;
    }

    public boolean isList() {
        return list != null;
    }

    public boolean isScalar() {
        return map == null && list == null;
    }

    public boolean isNull() {
        return isScalar() && scalar == null;
    }

    public InputError error(String message) {
        return InputError.at(file, line, path, message);
    }

    /** Rejects keys outside {@code allowed}, naming the unknown key and the expected ones. */
    public YNode allowOnly(Set<String> allowed) {
        for (Map.Entry<String, YNode> e : asMap().entrySet())
            if (!allowed.contains(e.getKey()))
                throw e.getValue().error("unknown key; expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)));
        return this;
    }

    public Map<String, YNode> asMap() {
        if (map == null) throw error("expected a mapping (key: value lines)");
        return map;
    }

    public List<YNode> asList() {
        if (list == null) throw error("expected a list");
        return list;
    }

    /** A one-element list when this is a scalar, so "eps: 0.1" and "eps: [0.1, 0.2]" both work. */
    public List<YNode> asListOrOne() {
        return list != null ? list : List.of(this);
    }

    public boolean has(String key) {
        return asMap().containsKey(key) && !asMap().get(key).isNull();
    }

    public YNode get(String key) {
        YNode v = asMap().get(key);
        if (v == null || v.isNull()) throw InputError.at(file, line, path.isEmpty() ? key : path + "." + key, "missing; this key is required");
        return v;
    }

    public void put(String key, YNode value) {
        asMap().put(key, value);
    }

    public String string() {
        if (!isScalar() || scalar == null) throw error("expected a text value");
        return scalar;
    }

    public double number() {
        String s = string().trim();
        try {
            double v = Double.parseDouble(s);
            if (Double.isNaN(v)) throw error("expected a number, got NaN");
            return v;
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + s + "'");
        }
    }

    public int integer() {
        String s = string().trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw error("expected an integer, got '" + s + "'");
        }
    }

    public boolean bool() {
        String s = string().trim().toLowerCase();
        if (s.equals("true") || s.equals("yes") || s.equals("on")) return true;
        if (s.equals("false") || s.equals("no") || s.equals("off")) return false;
        throw error("expected true or false, got '" + s + "'");
    }

    public String choice(Set<String> options) {
        String s = string().trim();
        if (!options.contains(s)) throw error("expected one of " + String.join(", ", new java.util.TreeSet<>(options)) + ", got '" + s + "'");
        return s;
    }

    public String string(String key, String dflt) {
        return has(key) ? get(key).string() : dflt;
    }

    public double number(String key, double dflt) {
        return has(key) ? get(key).number() : dflt;
    }

    public int integer(String key, int dflt) {
        return has(key) ? get(key).integer() : dflt;
    }

    public boolean bool(String key, boolean dflt) {
        return has(key) ? get(key).bool() : dflt;
    }

    /** A deep copy, so overriding one solver's preset does not change another's. */
    public YNode copy() {
        if (map != null) {
            Map<String, YNode> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k, v.copy()));
            return new YNode(file, line, path, null, null, m);
        }
        if (list != null) {
            List<YNode> l = new ArrayList<>();
            for (YNode v : list) l.add(v.copy());
            return new YNode(file, line, path, null, l, null);
        }
        return this;
    }

    /**
     * Applies "a.b.c=value" to this mapping: the value is parsed as YAML ("[0.1, 0.2]" is a list), and
     * missing intermediate mappings are created.
     */
    public void override(String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new InputError("--set " + assignment + ": expected key.path=value");
        String key = assignment.substring(0, eq).trim();
        String[] parts = key.split("\\.");
        YNode at = this;
        for (int i = 0; i < parts.length - 1; i++) {
            YNode next = at.asMap().get(parts[i]);
            if (next == null || next.isNull()) {
                next = map(null, 0, key);
                at.put(parts[i], next);
            }
            if (!next.isMap()) throw new InputError("--set " + key + ": '" + parts[i] + "' is not a mapping");
            at = next;
        }
        at.put(parts[parts.length - 1], parse(null, key, assignment.substring(eq + 1)).withPlace(Path.of("--set " + key), 0));
    }

    private YNode withPlace(Path f, int l) {
        if (map != null) {
            Map<String, YNode> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k, v.withPlace(f, l)));
            return new YNode(f, l, path, null, null, m);
        }
        if (list != null) {
            List<YNode> out = new ArrayList<>();
            for (YNode v : list) out.add(v.withPlace(f, l));
            return new YNode(f, l, path, null, out, null);
        }
        return new YNode(f, l, path, scalar, null, null);
    }

    @Override
    public String toString() {
        if (map != null) return map.toString();
        if (list != null) return list.toString();
        return String.valueOf(scalar);
    }

}
