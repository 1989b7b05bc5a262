package org.workbench.spec;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.workbench.config.InputError;

/**
 * An S-expression with the line it starts on: an atom (a symbol or number as written) or a list. Only the
 * SMT-LIB lexical subset VNNLIB files use is read: parentheses split tokens even without spaces, {@code ;}
 * comments run to the end of the line.
 */
record Sexp(String atom, List<Sexp> items, int line) {

    static Sexp atom(String text, int line) {
        return new Sexp(text, null, line);
    }

    boolean isAtom() {
        return atom != null;
    }

    /** The head symbol of a list, or null when it is an atom, empty, or starts with a list. */
    String head() {
        return isAtom() || items.isEmpty() || !items.get(0).isAtom() ? null : items.get(0).atom;
    }

    int size() {
        return isAtom() ? 0 : items.size();
    }

    Sexp get(int i) {
        return items.get(i);
    }

    /** As written, shortened so that an error message stays one readable line. */
    @Override
    public String toString() {
        String s = isAtom() ? atom : "(" + String.join(" ", items.stream().map(Sexp::toString).toList()) + ")";
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** Every top-level expression of the text; unbalanced parentheses are reported at the line that causes them. */
    static List<Sexp> readAll(Path file, String text) {
        List<Sexp> top = new ArrayList<>();
        Deque<List<Sexp>> open = new ArrayDeque<>();
        Deque<Integer> openLine = new ArrayDeque<>();
        int line = 1;
        int i = 0, n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == ';') {
                while (i < n && text.charAt(i) != '\n') i++;
            } else if (c == '(') {
                open.push(new ArrayList<>());
                openLine.push(line);
                i++;
            } else if (c == ')') {
                if (open.isEmpty()) {
                    throw InputError.at(file, line, null, "unbalanced parentheses: ')' without a matching '('");
                }
                Sexp list = new Sexp(null, List.copyOf(open.pop()), openLine.pop());
                (open.isEmpty() ? top : open.peek()).add(list);
                i++;
            } else {
                int start = i;
                while (i < n && !isDelimiter(text.charAt(i))) i++;
                Sexp a = atom(text.substring(start, i), line);
                (open.isEmpty() ? top : open.peek()).add(a);
            }
        }
        if (!open.isEmpty()) {
            // The outermost unclosed '(' is where the damage starts: everything after it was swallowed into it.
            int first = openLine.peekLast();
            throw InputError.at(file, first, null, "unbalanced parentheses: the '(' opened on line " + first
                    + " is never closed (" + open.size() + " ')' missing at the end of the file)");
        }
        return top;
    }

    private static boolean isDelimiter(char c) {
        return c == '(' || c == ')' || c == ';' || Character.isWhitespace(c);
    }
}
