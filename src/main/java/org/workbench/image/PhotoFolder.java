package org.workbench.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.workbench.config.InputError;
import org.workbench.data.Dataset;

/**
 * A folder of photos as a data set, in torchvision's ImageFolder layout: one subfolder per class, named by the class
 * number or by its name in a class names file (imagenet_class_index.json), holding JPEG/PNG files. Each photo is
 * resized and cropped as `workbench attack` does and kept on the 8-bit grid, channels first: the data set's "rows"
 * are 3·H and its "cols" W, so that a sample is the [3, H, W] input of a picture classifier.
 */
public final class PhotoFolder {
    private PhotoFolder() {}

    /** How photos are prepared: shorter side to {@code resize} and the centre {@code crop} square (each 0 for none). */
    public record Preparation(int resize, int crop, Path labels) {}

    public static Dataset load(Path dir, Preparation prep) {
        Labels names = prep.labels() == null ? null : Labels.read(prep.labels());
        List<Path> classDirs = list(dir, Files::isDirectory);
        if (classDirs.isEmpty()) throw InputError.at(dir, "no class folders (expected DIR/<class>/<photo>.jpg, as torchvision's ImageFolder)");
        List<Photo> photos = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Path c : classDirs) {
            String name = c.getFileName().toString();
            int label = names != null ? names.find(name) : name.matches("\\d+") ? Integer.parseInt(name) : -1;
            if (label < 0)
                throw InputError.at(c, "the folder name is not a class " + (names == null ? "number (give data.images.labels to use names)"
                        : "number or a name in " + prep.labels()));
            for (Path f : list(c, p -> Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))) {
                Photo p = Photo.read(f);
                if (prep.resize() > 0) p = p.resizeShorter(prep.resize());
                if (prep.crop() > 0) {
                    if (prep.crop() > p.height() || prep.crop() > p.width())
                        throw InputError.at(f, "crop " + prep.crop() + " is larger than the " + p.height() + "x" + p.width() + " picture");
                    p = p.centerCrop(prep.crop(), prep.crop());
                }
                photos.add(p);
                labels.add(label);
                files.add(f);
            }
        }
        if (photos.isEmpty()) throw InputError.at(dir, "no JPEG or PNG photos in the class folders");
        int h = photos.get(0).height(), w = photos.get(0).width(), px = 3 * h * w;
        byte[] pixels = new byte[photos.size() * px];
        for (int i = 0; i < photos.size(); i++) {
            Photo p = photos.get(i);
            if (p.height() != h || p.width() != w)
                throw InputError.at(files.get(i), "is " + p.height() + "x" + p.width() + " after resize/crop, " + files.get(0).getFileName()
                        + " is " + h + "x" + w + "; set data.images.crop so that all photos have one size");
            for (int k = 0; k < px; k++) pixels[i * px + k] = (byte) Photo.level(p.chw()[k]);
        }
        return new Dataset(dir + " (" + photos.size() + " photos, 3x" + h + "x" + w + ")", 3 * h, w, pixels,
                labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).sorted().toList();
        } catch (IOException e) {
            throw InputError.at(dir, "cannot list the folder: " + e.getMessage());
        }
    }
}
