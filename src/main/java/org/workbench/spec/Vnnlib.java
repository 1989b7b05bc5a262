package org.workbench.spec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.workbench.config.InputError;
import org.workbench.spec.Dnf.Formula;
import org.workbench.spec.Dnf.Junction;
import org.workbench.spec.Dnf.Leaf;

/**
 * Reads the VNNLIB subset of VNN-COMP 2021 ({@code declare-const} of Real X_i / Y_j, {@code assert} of
 * {@code <=}, {@code >=}, {@code and}, {@code or}) into a {@link Property}, and writes counterexamples in the
 * competition's format. Anything outside the subset is rejected with file and line rather than guessed at: a
 * silently mis-read disjunction turns into a wrong verdict.
 */
public final class Vnnlib {
    /** Most cases the DNF of a file may expand to; beyond this the property should be split into files. */
    public static final int MAX_CASES = 10_000;

    private static final Pattern NAME = Pattern.compile("([XY])_(0|[1-9][0-9]*)");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
    private static final String TERM_FORM = "expected a number (e.g. 0.5, -1e-3, (- 0.5)) or a variable X_<i> / Y_<j>";

    private final Path file;
    private final int[] size = new int[2]; // [inputs, outputs] of the network
    private final int[][] declLine = new int[2][]; // line of each variable's declare-const, 0 = undeclared
    private final int[] lastDeclLine = new int[2];
    private int lastLine = 1;

    private Vnnlib(Path file, int numInputs, int numOutputs) {
        this.file = file;
        size[0] = numInputs;
        size[1] = numOutputs;
        declLine[0] = new int[numInputs];
        declLine[1] = new int[numOutputs];
    }

    /**
     * The property in {@code file} (plain or gzipped text) for a network with the given numbers of inputs and
     * outputs. Cases come in the order of the DNF expansion of the top-level asserts taken as one conjunction:
     * disjunctions asserted earlier vary slowest.
     *
     * @throws InputError naming file and line for anything outside the subset or not matching the network
     */
    public static Property parse(Path file, int numInputs, int numOutputs) {
        if (numInputs < 1 || numOutputs < 1) {
            throw new IllegalArgumentException("a network has at least one input and one output");
        }
        return new Vnnlib(file, numInputs, numOutputs).read(text(file));
    }

    /**
     * A counterexample as VNN-COMP results files hold it: {@code sat}, then every input and output as
     * {@code (X_i value)} / {@code (Y_j value)} inside one pair of parentheses. Values are printed so that they
     * read back to the same double.
     */
    public static String counterexample(double[] x, double[] y) {
        if (x.length == 0 || y.length == 0) throw new IllegalArgumentException("x and y must not be empty");
        StringBuilder sb = new StringBuilder("sat\n(");
        for (int i = 0; i < x.length + y.length; i++) {
            boolean in = i < x.length;
            double v = in ? x[i] : y[i - x.length];
            if (!Double.isFinite(v)) throw new IllegalArgumentException((in ? "X_" + i : "Y_" + (i - x.length)) + " is " + v);
            if (i > 0) sb.append("\n ");
            sb.append(in ? "(X_" + i : "(Y_" + (i - x.length)).append(' ').append(v).append(')');
        }
        return sb.append(")\n").toString();
    }

    private static String text(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
            if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                    bytes = in.readAllBytes();
                }
            }
        } catch (NoSuchFileException e) {
            throw InputError.at(file, "no such VNNLIB file");
        } catch (IOException e) {
            throw InputError.at(file, "cannot read the VNNLIB file: " + e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw InputError.at(file, "not a VNNLIB text file (not UTF-8 text)");
        }
    }

    private InputError error(int line, String message) {
        return InputError.at(file, line > 0 ? line : lastLine, null, message);
    }

    private Property read(String text) {
        lastLine = 1 + (int) text.chars().filter(c -> c == '\n').count();
        List<Formula> asserts = new ArrayList<>();
        for (Sexp cmd : Sexp.readAll(file, text)) {
            String head = cmd.head();
            if (cmd.isAtom()) {
                throw error(cmd.line(), "expected a command (declare-const ...) or (assert ...), got '" + cmd.atom() + "'");
            } else if ("declare-const".equals(head)) {
                declare(cmd);
            } else if ("assert".equals(head)) {
                if (cmd.size() != 2) throw error(cmd.line(), "expected (assert <formula>) with one formula, got " + cmd);
                asserts.add(formula(cmd.get(1)));
            } else {
                throw error(cmd.line(), "unknown command '" + (head != null ? head : cmd.toString())
                        + "': a VNNLIB file holds only (declare-const ...) and (assert ...)");
            }
        }
        for (int k = 0; k < 2; k++) {
            int declared = (int) Arrays.stream(declLine[k]).filter(l -> l > 0).count();
            if (declared != size[k]) {
                int missing = 0;
                while (declLine[k][missing] > 0) missing++;
                throw error(lastDeclLine[k], "shape does not match the network: the file declares " + declared + " of the network's "
                        + plural(size[k], k == 0 ? "input" : "output") + " (" + (k == 0 ? "X_" : "Y_") + missing + " is not declared)");
            }
        }
        return new Property(file, size[0], size[1], new Dnf(size[0], this::error).cases(new Junction(true, asserts, 0)));
    }

    private static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private void declare(Sexp cmd) {
        if (cmd.size() != 3 || !cmd.get(1).isAtom()) {
            throw error(cmd.line(), "expected (declare-const X_<i> Real) or (declare-const Y_<j> Real), got " + cmd);
        }
        String name = cmd.get(1).atom();
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw error(cmd.line(), "'" + name + "' is not a VNNLIB variable name: expected X_<i> for inputs or Y_<j> for outputs");
        }
        if (!(cmd.get(2).isAtom() && cmd.get(2).atom().equals("Real"))) {
            throw error(cmd.line(), name + " is declared as " + cmd.get(2) + ": only Real is supported");
        }
        int k = m.group(1).equals("X") ? 0 : 1;
        int index = index(m, cmd.line());
        if (declLine[k][index] > 0) throw error(cmd.line(), name + " is declared twice (first on line " + declLine[k][index] + ")");
        declLine[k][index] = cmd.line();
        lastDeclLine[k] = cmd.line();
    }

    private int index(Matcher m, int line) {
        int k = m.group(1).equals("X") ? 0 : 1;
        long i = m.group(2).length() > 12 ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        if (i >= size[k]) {
            throw error(line, m.group() + " is out of range: the network has " + plural(size[k], k == 0 ? "input" : "output"));
        }
        return (int) i;
    }

    // ---- formulas -------------------------------------------------------------------------------------------

    /** A comparison operand: kind 0 = X_index, 1 = Y_index, 2 = the constant value. */
    private record Term(int kind, int index, double value) {}

    private Formula formula(Sexp s) {
        String op = s.head();
        if (op == null) {
            throw error(s.line(), "expected a formula (<= a b), (>= a b), (and ...) or (or ...), got " + s);
        }
        if (op.equals("and") || op.equals("or")) {
            if (s.size() < 2) throw error(s.line(), "(" + op + ") needs at least one operand");
            List<Formula> parts = new ArrayList<>();
            for (int i = 1; i < s.size(); i++) parts.add(formula(s.get(i)));
            return new Junction(op.equals("and"), parts, s.line());
        }
        if (!op.equals("<=") && !op.equals(">=")) {
            throw error(s.line(), "unsupported operator '" + op + "': expected <=, >=, and, or");
        }
        if (s.size() != 3) throw error(s.line(), "(" + op + " a b) takes exactly two operands, got " + s);
        boolean le = op.equals("<=");
        Term l = term(s.get(le ? 1 : 2)), r = term(s.get(le ? 2 : 1)); // now l <= r
        if (l.kind == 2 && r.kind == 2) throw error(s.line(), s + " compares two numbers: expected a variable on one side");
        if (l.kind == 0 || r.kind == 0) {
            if (l.kind != 2 && r.kind != 2) {
                throw error(s.line(), s + ": an input may only be bounded by a constant, e.g. (<= X_0 0.5)");
            }
            return l.kind == 0 ? new Leaf(l.index, true, r.value, null, s.line()) : new Leaf(r.index, false, l.value, null, s.line());
        }
        double[] coef = new double[size[1]];
        if (l.kind == 1) coef[l.index] += 1;
        if (r.kind == 1) coef[r.index] -= 1;
        double rhs = (r.kind == 2 ? r.value : 0) - (l.kind == 2 ? l.value : 0);
        return new Leaf(-1, false, 0, new LinearConstraint(coef, rhs), s.line());
    }

    private Term term(Sexp s) {
        if (!s.isAtom()) {
            if (s.size() == 2 && "-".equals(s.head()) && s.get(1).isAtom() && NUMBER.matcher(s.get(1).atom()).matches()) {
                return new Term(2, -1, -number(s.get(1)));
            }
            throw error(s.line(), "'" + s + "' is not an operand: " + TERM_FORM);
        }
        Matcher m = NAME.matcher(s.atom());
        if (m.matches()) {
            int k = m.group(1).equals("X") ? 0 : 1;
            int i = index(m, s.line());
            if (declLine[k][i] == 0) throw error(s.line(), s.atom() + " is used but never declared: add (declare-const " + s.atom() + " Real)");
            return new Term(k, i, 0);
        }
        if (!NUMBER.matcher(s.atom()).matches()) throw error(s.line(), "'" + s.atom() + "' is neither a number nor a variable: " + TERM_FORM);
        return new Term(2, -1, number(s));
    }

    private double number(Sexp s) {
        double v = Double.parseDouble(s.atom());
        if (!Double.isFinite(v)) throw error(s.line(), "'" + s.atom() + "' is out of the range of a double");
        return v;
    }
}
