package org.workbench.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.workbench.attack.ImageAttack;
import org.workbench.config.InputError;
import org.workbench.image.Labels;
import org.workbench.image.Panel;
import org.workbench.image.Photo;
import org.workbench.net.Layer;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Norm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Attack a picture classifier on photos: clean and adversarial top-5, the adversarial PNG (8-bit, re-classified), "
                + "the perturbation magnified (50·δ + 0.5) and a side-by-side panel.")
public final class AttackCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "classifier taking [3, H, W] in [0, 1] (.onnx or .yaml)")
    Path model;

    @Option(names = "--image", required = true, arity = "1..*", description = "JPEG or PNG photos")
    List<Path> images;

    @Option(names = "--labels", description = "class names (JSON, e.g. imagenet_class_index.json)")
    Path labelsFile;

    @Option(names = "--resize", description = "shorter side to this many pixels (torchvision's Resize)")
    Integer resize;

    @Option(names = "--crop", description = "then the centre square of this size (torchvision's CenterCrop)")
    Integer crop;

    @Option(names = "--eps", required = true, description = "radius of the perturbation ball, e.g. 2/255 or 0.008")
    String epsText;

    @Option(names = "--target", description = "class to reach (number or name); untargeted when absent")
    String targetText;

    @Option(names = "--steps", defaultValue = "30", description = "gradient steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--step", defaultValue = "sgd", description = "sgd (the seed's SGD on δ with clamping) or pgd (sign steps)")
    String stepText;

    @Option(names = "--lr", defaultValue = "0.1", description = "SGD learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--norm", defaultValue = "linf", description = "linf or l2 (default ${DEFAULT-VALUE})")
    String normText;

    @Option(names = "--out", defaultValue = "attack-out", description = "folder for the pictures (default ${DEFAULT-VALUE})")
    Path out;

    private static InputError option(String name, String message) {
        return InputError.at(null, 0, name, message);
    }

    /** A number or a fraction like 2/255. */
    static double parseEps(String s) {
        String t = s.trim();
        double v;
        try {
            int slash = t.indexOf('/');
            if (slash < 0) v = Double.parseDouble(t);
            else {
                double num = Double.parseDouble(t.substring(0, slash)), den = Double.parseDouble(t.substring(slash + 1));
                if (den == 0) throw option("--eps", s + " divides by zero; expected a number like 0.008 or a fraction like 2/255");
                v = num / den;
            }
        } catch (NumberFormatException e) {
            throw option("--eps", "'" + s + "' is not a number; expected a number like 0.008 or a fraction like 2/255");
        }
        if (!(v > 0 && v <= 1)) throw option("--eps", s + " is " + v + "; expected a radius in (0, 1]");
        return v;
    }

    @Override
    public Integer call() throws IOException {
        // Everything is checked before anything is computed or written.
        double eps = parseEps(epsText);
        ImageAttack.Step step = switch (stepText.toLowerCase(Locale.ROOT)) {
            case "sgd" -> ImageAttack.Step.SGD;
            case "pgd" -> ImageAttack.Step.PGD;
            default -> throw option("--step", "'" + stepText + "'; expected sgd or pgd");
        };
        Norm norm;
        try {
            norm = Norm.of(normText.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw option("--norm", "'" + normText + "'; expected linf or l2");
        }
        if (steps < 1) throw option("--steps", steps + "; expected at least 1");
        if (!(lr > 0)) throw option("--lr", lr + "; expected a positive learning rate");
        if (resize != null && resize < 1) throw option("--resize", resize + "; expected a positive size");
        if (crop != null && crop < 1) throw option("--crop", crop + "; expected a positive size");
        if (Files.exists(out) && !Files.isDirectory(out)) throw option("--out", out + " is a file; expected a folder");
        Network net = ModelFiles.load(model);
        int[] in = net.inputShape();
        if (in.length != 3 || in[0] != 3)
            throw InputError.at(model, "the model takes input " + Layer.show(in) + "; attacking photos needs a classifier of [3, H, W] pictures");
        int classes = net.numClasses();
        Labels labels = labelsFile == null ? Labels.numbered(classes) : Labels.read(labelsFile, classes);
        int target = -1;
        if (targetText != null) {
            target = labels.find(targetText);
            if (target < 0)
                throw option("--target", "unknown class '" + targetText + "'; expected a class number below " + classes
                        + (labelsFile == null ? " (give --labels to use names)" : " or a name from " + labelsFile));
        }
        List<Photo> photos = new ArrayList<>();
        for (Path image : images) photos.add(prepare(image, in));

        Map<Path, BufferedImage> pictures = new LinkedHashMap<>();
        ImageAttack.Settings settings = new ImageAttack.Settings(norm, eps, steps, step, lr, target, 5);
        try (NDManager m = NDManager.newBaseManager(); TorchNet t = new TorchNet(net, m, DataType.FLOAT32)) {
            for (int i = 0; i < photos.size(); i++) pictures.putAll(attack(t, images.get(i), photos.get(i), labels, settings));
        }
        Files.createDirectories(out);
        for (Map.Entry<Path, BufferedImage> e : pictures.entrySet()) Photo.writePng(e.getValue(), e.getKey());
        System.out.println("written: " + pictures.keySet().stream().map(p -> p.getFileName().toString()).toList() + " in " + out);
        return 0;
    }

    private Photo prepare(Path image, int[] in) {
        Photo p = Photo.read(image);
        if (resize != null) p = p.resizeShorter(resize);
        if (crop != null) {
            if (crop > p.height() || crop > p.width())
                throw InputError.at(image, 0, "--crop", crop + " is larger than the " + p.height() + "x" + p.width() + " picture");
            p = p.centerCrop(crop, crop);
        }
        if (p.height() != in[1] || p.width() != in[2])
            throw InputError.at(image, "the picture is " + p.height() + "x" + p.width() + (resize != null || crop != null ? " after --resize/--crop" : "")
                    + " but the model takes 3x" + in[1] + "x" + in[2] + "; choose --resize and --crop to match");
        return p.quantized();
    }

    private Map<Path, BufferedImage> attack(TorchNet t, Path image, Photo clean, Labels labels, ImageAttack.Settings s) {
        String stem = image.getFileName().toString().replaceAll("\\.[^.]*$", "");
        double[] x = clean.chw();
        double[] p0 = probabilities(t, x);
        int label = argmax(p0);
        System.out.printf("%s: %dx%d, clean top-5:%n", image, clean.height(), clean.width());
        top5(p0, labels);
        System.out.printf("attack: %s, %s eps %s (%.6f), %d steps%s%s%n", s.step().name().toLowerCase(Locale.ROOT), s.norm().key(), epsText, s.eps(),
                s.steps(), s.step() == ImageAttack.Step.SGD ? ", lr " + s.lr() : "",
                s.target() < 0 ? ", away from " + labels.name(label) : ", target " + labels.name(s.target()) + " (" + s.target() + ")");
        ImageAttack.Result r = ImageAttack.run(t, x, label, s, System.out);
        double[] adv = new double[x.length];
        for (int i = 0; i < x.length; i++) adv[i] = x[i] + r.delta()[i];
        double[] p1 = probabilities(t, adv);
        System.out.printf("after %d steps (%.3f s per step), top-5:%n", s.steps(), r.secondsPerStep());
        top5(p1, labels);
        double[] q = ImageAttack.quantize(x, r.delta(), s.eps());
        double[] pq = probabilities(t, q);
        double maxDelta = 0;
        for (int i = 0; i < x.length; i++) maxDelta = Math.max(maxDelta, Math.abs(q[i] - x[i]));
        System.out.printf("saved 8-bit PNG re-classified: %s (%.4f); max |delta| %.0f/255%n", labels.name(argmax(pq)), pq[argmax(pq)], maxDelta * 255);
        Photo advPhoto = new Photo(clean.height(), clean.width(), q);
        double[] magnified = new double[x.length];
        for (int i = 0; i < x.length; i++) magnified[i] = Math.min(1, Math.max(0, 50 * (q[i] - x[i]) + 0.5));
        Photo pert = new Photo(clean.height(), clean.width(), magnified);
        Map<Path, BufferedImage> files = new LinkedHashMap<>();
        files.put(out.resolve(stem + "-clean.png"), clean.image());
        files.put(out.resolve(stem + "-adversarial.png"), advPhoto.image());
        files.put(out.resolve(stem + "-perturbation.png"), pert.image());
        files.put(out.resolve(stem + "-panel.png"), Panel.of(List.of(
                new Panel.Tile(clean, String.format("clean: %s%np = %.4f", labels.name(label), p0[label])),
                new Panel.Tile(pert, String.format("50·δ + 0.5%n‖δ‖∞ = %.0f/255", maxDelta * 255)),
                new Panel.Tile(advPhoto, String.format("adversarial: %s%np = %.4f", labels.name(argmax(pq)), pq[argmax(pq)])))));
        return files;
    }

    static double[] probabilities(TorchNet t, double[] x) {
        double[] z = t.logits(new double[][] {x})[0];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) sum += p[i] = Math.exp(z[i] - max);
        for (int i = 0; i < z.length; i++) p[i] /= sum;
        return p;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static void top5(double[] p, Labels labels) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        for (int k = 0; k < Math.min(5, idx.length); k++) System.out.printf("  %.4f  %s (%d)%n", p[idx[k]], labels.name(idx[k]), idx[k]);
    }
}
