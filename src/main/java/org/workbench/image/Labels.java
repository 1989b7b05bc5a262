package org.workbench.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.workbench.config.InputError;

/**
 * Class names of a classifier's outputs, from a JSON file: torchvision's imagenet_class_index.json
 * ({"0": ["n01440764", "tench"], ...}: the last string is the name), {"0": "tench", ...} or ["tench", ...].
 * Without a file the names are the class numbers.
 */
public record Labels(List<String> names) {

    public static Labels numbered(int classes) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < classes; i++) n.add(Integer.toString(i));
        return new Labels(n);
    }

    /** All the names the file holds (class 0 up to the largest number it names). */
    public static Labels read(Path file) {
        JsonElement root = parse(file);
        int n = root.isJsonArray() ? root.getAsJsonArray().size() : 0;
        if (root.isJsonObject())
            for (String k : root.getAsJsonObject().keySet())
                if (k.matches("\\d{1,7}")) n = Math.max(n, Integer.parseInt(k) + 1);
        return read(file, n);
    }

    private static JsonElement parse(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file));
        } catch (IOException e) {
            throw InputError.at(file, "cannot read the class names: " + e.getMessage());
        } catch (RuntimeException e) {
            throw InputError.at(file, "not JSON: " + e.getMessage());
        }
    }

    public static Labels read(Path file, int classes) {
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(file));
        } catch (IOException e) {
            throw InputError.at(file, "cannot read the class names: " + e.getMessage());
        } catch (RuntimeException e) {
            throw InputError.at(file, "not JSON: " + e.getMessage());
        }
        String[] names = new String[classes];
        if (root.isJsonArray()) {
            JsonArray a = root.getAsJsonArray();
            for (int i = 0; i < Math.min(classes, a.size()); i++) names[i] = name(a.get(i), file, Integer.toString(i));
        } else if (root.isJsonObject()) {
            JsonObject o = root.getAsJsonObject();
            for (String k : o.keySet()) {
                int i;
                try {
                    i = Integer.parseInt(k);
                } catch (NumberFormatException e) {
                    throw InputError.at(file, 0, k, "expected class numbers as keys");
                }
                if (i >= 0 && i < classes) names[i] = name(o.get(k), file, k);
            }
        } else {
            throw InputError.at(file, "expected a JSON object or list of class names");
        }
        for (int i = 0; i < classes; i++)
            if (names[i] == null) throw InputError.at(file, 0, Integer.toString(i), "no name for class " + i + " of the model's " + classes);
        return new Labels(List.of(names));
    }

    private static String name(JsonElement e, Path file, String key) {
        if (e.isJsonPrimitive()) return e.getAsString();
        if (e.isJsonArray() && !e.getAsJsonArray().isEmpty()) return e.getAsJsonArray().get(e.getAsJsonArray().size() - 1).getAsString();
        throw InputError.at(file, 0, key, "expected a name or a list ending in the name");
    }

    public String name(int i) {
        return names.get(i);
    }

    /** A class given as a number or a name (case and '_' versus ' ' ignored); -1 for an unknown name. */
    public int find(String s) {
        String t = s.trim();
        if (t.matches("\\d+")) {
            int i = Integer.parseInt(t);
            return i < names.size() ? i : -1;
        }
        String key = canonical(t);
        for (int i = 0; i < names.size(); i++) if (canonical(names.get(i)).equals(key)) return i;
        return -1;
    }

    private static String canonical(String s) {
        return s.toLowerCase(Locale.ROOT).replace('_', ' ').trim();
    }
}
