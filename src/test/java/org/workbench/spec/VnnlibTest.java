package org.workbench.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.config.InputError;

class VnnlibTest {
    @TempDir
    Path dir;

    private Path write(String text) {
        try {
            Path f = Files.createTempFile(dir, "spec", ".vnnlib");
            Files.writeString(f, text);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String decls(int nx, int ny) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nx; i++) sb.append("(declare-const X_").append(i).append(" Real)\n");
        for (int j = 0; j < ny; j++) sb.append("(declare-const Y_").append(j).append(" Real)\n");
        return sb.toString();
    }

    /** Bounds 0 <= X_i <= 1 for every input, one assert each. */
    static String unitBox(int nx) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nx; i++) sb.append("(assert (>= X_").append(i).append(" 0))(assert (<= X_").append(i).append(" 1))\n");
        return sb.toString();
    }

    private Property parse(String text, int nx, int ny) {
        return Vnnlib.parse(write(text), nx, ny);
    }

    /** Parsing fails with one line "file:line: ..." containing every fragment. */
    private void fails(String text, int nx, int ny, int line, String... fragments) {
        Path f = write(text);
        InputError e = assertThrows(InputError.class, () -> Vnnlib.parse(f, nx, ny));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + ":" + line + ": "), () -> "expected " + f + ":" + line + ": ..., got " + m);
        assertFalse(m.contains("\n"), m);
        for (String s : fragments) assertTrue(m.contains(s), () -> "expected '" + s + "' in: " + m);
    }

    static double[] vec(double... v) {
        return v;
    }

    static LinearConstraint lc(double rhs, double... coef) {
        return new LinearConstraint(coef, rhs);
    }

    // ---- constructs -----------------------------------------------------------------------------------------

    @Test
    void singleCaseLikeAcasProp1() {
        Property p = parse("; prop\n" + decls(2, 3) + "(assert (<= X_0 0.68))\n(assert (>= X_0 0.6))\n"
                + "(assert (<= X_1 -0.45)) (assert (>= X_1 -0.5))\n(assert (>= Y_0 3.991125645861615))\n", 2, 3);
        assertEquals(1, p.cases().size());
        Property.Case c = p.cases().get(0);
        assertArrayEquals(vec(0.6, -0.5), c.lo());
        assertArrayEquals(vec(0.68, -0.45), c.hi());
        assertEquals(List.of(lc(-3.991125645861615, -1, 0, 0)), c.unsafe());
        assertEquals(2, p.numInputs());
        assertEquals(3, p.numOutputs());
    }

    @Test
    void tokenisesWithoutSpacesAndSkipsComments() {
        Property p = parse("(declare-const X_0 Real)(declare-const Y_0 Real);comment (assert (<= X_0 99))\n"
                + "(declare-const Y_1 Real)\n(assert(and(>= X_0 -1e-3)(<= X_0 2.5E+1)));; ) unbalanced in a comment (\n"
                + "\t(assert(<= Y_0 Y_1)) ; trailing", 1, 2);
        Property.Case c = p.cases().get(0);
        assertArrayEquals(vec(-1e-3), c.lo());
        assertArrayEquals(vec(25), c.hi());
        assertEquals(List.of(lc(0, 1, -1)), c.unsafe());
    }

    @Test
    void comparisonsBecomeCoefTimesYAtMostRhs() {
        Property p = parse(decls(1, 3) + unitBox(1) + "(assert (<= Y_0 Y_1))(assert (>= Y_0 3.5))(assert (<= 2 Y_2))"
                + "(assert (>= 1e-3 Y_1))(assert (<= Y_2 (- 0.5)))(assert (>= Y_2 Y_0))(assert (>= Y_1 0))", 1, 3);
        assertEquals(List.of(lc(0, 1, -1, 0), lc(-3.5, -1, 0, 0), lc(-2, 0, 0, -1), lc(1e-3, 0, 1, 0),
                lc(-0.5, 0, 0, 1), lc(0, 1, 0, -1), lc(0, 0, -1, 0)), p.cases().get(0).unsafe());
        assertEquals(0.0, p.cases().get(0).unsafe().get(6).rhs()); // not -0.0
    }

    @Test
    void inputBoundsMayBeWrittenEitherWayAndTheTightestWins() {
        Property p = parse(decls(2, 1) + "(assert (<= -0.5 X_0))(assert (>= 0.5 X_0))(assert (>= X_0 -2))(assert (<= X_0 +7))"
                + "(assert (>= X_1 (- 1.5)))(assert (<= X_1 .25))(assert (<= X_1 0.25))(assert (>= Y_0 0))", 2, 1);
        assertArrayEquals(vec(-0.5, -1.5), p.cases().get(0).lo());
        assertArrayEquals(vec(0.5, 0.25), p.cases().get(0).hi());
    }

    @Test
    void disjunctionOfBoxesTimesDisjunctionOfOutputsLikeAcasProp6() {
        Property p = parse(decls(1, 3) + "(assert (or\n (and (<= X_0 1) (>= X_0 0))\n (and (<= X_0 -1) (>= X_0 -2))))\n"
                + "(assert (or (and (<= Y_1 Y_0)) (and (<= Y_2 Y_0) (<= Y_2 Y_1))))", 1, 3);
        assertEquals(4, p.cases().size());
        // earlier disjunctions vary slowest
        assertArrayEquals(vec(0), p.cases().get(0).lo());
        assertArrayEquals(vec(0), p.cases().get(1).lo());
        assertArrayEquals(vec(-2), p.cases().get(2).lo());
        assertEquals(List.of(lc(0, -1, 1, 0)), p.cases().get(0).unsafe());
        assertEquals(List.of(lc(0, -1, 0, 1), lc(0, 0, -1, 1)), p.cases().get(3).unsafe());
        assertEquals(2, p.inputBoxes().size());
        assertTrue(p.sharedUnsafe());
        assertEquals(List.of(List.of(lc(0, -1, 1, 0)), List.of(lc(0, -1, 0, 1), lc(0, 0, -1, 1))), p.unsafe());
        assertEquals(2, p.regions().get(1).unsafe().size());
    }

    @Test
    void mixedDisjunctsTieOutputsToTheirBoxes() {
        Property p = parse(decls(1, 2) + "(assert (or (and (>= X_0 0) (<= X_0 1) (>= Y_0 5))\n"
                + "            (and (>= X_0 1) (<= X_0 2) (or (>= Y_1 5) (and (<= Y_0 1) (<= Y_1 1))))))", 1, 2);
        assertEquals(3, p.cases().size());
        assertEquals(new Property.Case(vec(0), vec(1), List.of(lc(-5, -1, 0))), p.cases().get(0));
        assertEquals(new Property.Case(vec(1), vec(2), List.of(lc(-5, 0, -1))), p.cases().get(1));
        assertEquals(new Property.Case(vec(1), vec(2), List.of(lc(1, 1, 0), lc(1, 0, 1))), p.cases().get(2));
        assertFalse(p.sharedUnsafe());
        assertThrows(IllegalStateException.class, p::unsafe);
        assertEquals(2, p.regions().size());
        assertEquals(2, p.regions().get(1).unsafe().size());
        assertTrue(p.violatedBy(vec(1.5), vec(0, 6), 0));
        assertFalse(p.violatedBy(vec(0.5), vec(0, 6), 0)); // Y_1 >= 5 is unsafe only on [1, 2]
    }

    @Test
    void emptyDisjunctsAreDroppedWhenOthersRemain() {
        Property p = parse(decls(1, 1) + "(assert (>= X_0 0))(assert (<= X_0 1))(assert (or (>= X_0 2) (<= X_0 0.5)))(assert (>= Y_0 0))", 1, 1);
        assertEquals(1, p.cases().size());
        assertArrayEquals(vec(0.5), p.cases().get(0).hi());
    }

    @Test
    void readsGzippedFiles() throws IOException {
        Path f = dir.resolve("p.vnnlib.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write((decls(1, 1) + unitBox(1) + "(assert (>= Y_0 1))").getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(1, Vnnlib.parse(f, 1, 1).cases().size());
    }

    @Test
    void violatedByChecksBoxAndConstraintsWithinTolerance() {
        Property p = parse(decls(2, 2) + unitBox(2) + "(assert (or (>= Y_0 Y_1) (>= Y_1 3)))", 2, 2);
        assertTrue(p.violatedBy(vec(0.5, 1), vec(2, 1), 0));
        assertEquals(0, p.violatedCase(vec(0.5, 1), vec(2, 1), 0));
        assertEquals(1, p.violatedCase(vec(0.5, 1), vec(0, 3), 0));
        assertFalse(p.violatedBy(vec(0.5, 1.1), vec(2, 1), 0)); // outside the box
        assertTrue(p.violatedBy(vec(0.5, 1 + 5e-5), vec(2, 1), 1e-4));
        assertFalse(p.violatedBy(vec(0.5, 0.5), vec(1, 2), 1e-4));
        assertTrue(p.violatedBy(vec(0.5, 0.5), vec(1, 1 + 5e-5), 1e-4));
        assertFalse(p.violatedBy(vec(Double.NaN, 0.5), vec(2, 1), 1e-4));
        assertThrows(IllegalArgumentException.class, () -> p.violatedBy(vec(0.5), vec(2, 1), 0));
        assertThrows(IllegalArgumentException.class, () -> p.violatedBy(vec(0.5, 0.5), vec(2), 0));
    }

    @Test
    void counterexampleInCompetitionFormat() {
        double third = 1.0 / 3;
        String s = Vnnlib.counterexample(vec(0.123, -1e-7), vec(third, 2));
        assertEquals("sat\n((X_0 0.123)\n (X_1 -1.0E-7)\n (Y_0 " + third + ")\n (Y_1 2.0))\n", s);
        assertEquals(third, Double.parseDouble(s.split("\n")[3].replaceAll(".*Y_0 (.*)\\)", "$1")));
        assertThrows(IllegalArgumentException.class, () -> Vnnlib.counterexample(vec(Double.NaN), vec(1)));
        // what the writer prints, the parser's number syntax reads back
        Property p = parse(decls(1, 1) + "(assert (>= X_0 -1.0E-7))(assert (<= X_0 0.123))(assert (<= Y_0 " + third + "))", 1, 1);
        assertEquals(third, p.cases().get(0).unsafe().get(0).rhs());
    }

    // ---- errors ---------------------------------------------------------------------------------------------

    @Test
    void unknownCommands() {
        String ok = decls(1, 1) + unitBox(1) + "(assert (>= Y_0 0))\n";
        fails(ok + "(check-sat)\n", 1, 1, 5, "unknown command 'check-sat'", "declare-const", "assert");
        fails("(declare-fun X_0 () Real)\n", 1, 1, 1, "unknown command 'declare-fun'");
        fails(ok + "\n  stray\n", 1, 1, 6, "expected a command", "'stray'");
        fails("((assert (>= Y_0 0)))", 1, 1, 1, "unknown command '((assert");
        fails(decls(1, 1) + "(assert (>= Y_0 0) (<= Y_0 1))", 1, 1, 3, "one formula");
    }

    @Test
    void unbalancedParentheses() {
        fails(decls(1, 1) + "(assert (>= X_0 0))\n(assert (<= X_0 1)\n(assert (>= Y_0 0))\n", 1, 1, 4,
                "unbalanced parentheses", "opened on line 4 is never closed");
        fails(decls(1, 1) + "(assert (>= X_0 0)))\n", 1, 1, 3, "unbalanced parentheses", "')' without a matching '('");
        fails("(declare-const X_0 Real", 1, 1, 1, "opened on line 1");
    }

    @Test
    void declarations() {
        fails("(declare-const X_0 Real)\n(declare-const Y_0 Int)\n", 1, 1, 2, "Y_0 is declared as Int", "only Real");
        fails("(declare-const X_0 (_ BitVec 8))", 1, 1, 1, "X_0 is declared as (_ BitVec 8)");
        fails("(declare-const x0 Real)", 1, 1, 1, "'x0' is not a VNNLIB variable name", "X_<i>", "Y_<j>");
        fails("(declare-const X_01 Real)", 2, 1, 1, "'X_01' is not a VNNLIB variable name");
        fails("(declare-const Z_0 Real)", 2, 1, 1, "'Z_0'");
        fails("(declare-const X_0)", 1, 1, 1, "expected (declare-const X_<i> Real)");
        fails("(declare-const X_0 Real)\n\n(declare-const X_0 Real)", 1, 1, 3, "X_0 is declared twice (first on line 1)");
        fails("(declare-const X_784 Real)", 784, 10, 1, "X_784 is out of range: the network has 784 inputs");
        fails("(declare-const Y_1 Real)", 1, 1, 1, "Y_1 is out of range: the network has 1 output");
        fails("(declare-const X_99999999999999999999 Real)", 5, 5, 1, "is out of range: the network has 5 inputs");
    }

    @Test
    void shapeMustMatchTheNetwork() {
        fails(decls(4, 5) + unitBox(4) + "(assert (>= Y_0 0))", 5, 5, 4, "shape does not match the network",
                "declares 4 of the network's 5 inputs", "X_4 is not declared");
        fails(decls(5, 3) + unitBox(5) + "(assert (>= Y_0 0))", 5, 5, 8, "shape does not match", "3 of the network's 5 outputs", "Y_3");
        fails("(declare-const X_0 Real)\n(declare-const X_2 Real)\n(declare-const Y_0 Real)", 3, 1, 2, "X_1 is not declared");
    }

    @Test
    void variablesMustBeDeclaredAndInRange() {
        fails(decls(2, 1) + unitBox(1) + "\n(assert (<= X_1 Y_3))", 2, 1, 6, "Y_3 is out of range: the network has 1 output");
        fails("(declare-const X_0 Real)\n(assert (<= X_0 1))\n(assert (>= Y_0 1))\n(declare-const Y_0 Real)", 1, 1, 3,
                "Y_0 is used but never declared", "(declare-const Y_0 Real)");
        fails(decls(1, 1) + "(assert (>= foo 1))", 1, 1, 3, "'foo' is neither a number nor a variable");
    }

    @Test
    void literalsMustBeNumbers() {
        String pre = decls(1, 1) + "(assert (>= X_0 0))\n";
        fails(pre + "(assert (<= X_0 abc))", 1, 1, 4, "'abc' is neither a number nor a variable", "expected a number");
        fails(pre + "(assert (<= X_0 0.5.5))", 1, 1, 4, "'0.5.5'");
        fails(pre + "(assert (<= X_0 NaN))", 1, 1, 4, "'NaN'");
        fails(pre + "(assert (<= X_0 Infinity))", 1, 1, 4, "'Infinity'");
        fails(pre + "(assert (<= X_0 1f))", 1, 1, 4, "'1f'");
        fails(pre + "(assert (<= X_0 0x10))", 1, 1, 4, "'0x10'");
        fails(pre + "(assert (<= X_0 1e999))", 1, 1, 4, "'1e999' is out of the range of a double");
        fails(pre + "(assert (<= X_0 (- X_0)))", 1, 1, 4, "'(- X_0)' is not an operand");
        fails(pre + "(assert (<= X_0 (+ 1 2)))", 1, 1, 4, "is not an operand");
    }

    @Test
    void formulasOutsideTheSubset() {
        String pre = decls(2, 2) + unitBox(2);
        fails(pre + "(assert (< Y_0 Y_1))", 2, 2, 7, "unsupported operator '<'", "<=, >=, and, or");
        fails(pre + "(assert (= Y_0 1))", 2, 2, 7, "unsupported operator '='");
        fails(pre + "(assert (not (>= Y_0 1)))", 2, 2, 7, "unsupported operator 'not'");
        fails(pre + "(assert\n (or (>= Y_0 1)\n  (<= Y_0 1 2)))", 2, 2, 9, "takes exactly two operands");
        fails(pre + "(assert (or))", 2, 2, 7, "(or) needs at least one operand");
        fails(pre + "(assert true)", 2, 2, 7, "expected a formula", "got true");
        fails(pre + "(assert (<= 1 2))", 2, 2, 7, "compares two numbers");
        fails(pre + "(assert (<= X_0 X_1))", 2, 2, 7, "an input may only be bounded by a constant");
        fails(pre + "(assert (>= Y_0 X_1))", 2, 2, 7, "an input may only be bounded by a constant");
    }

    @Test
    void everyInputNeedsBothBoundsInEveryCase() {
        fails(decls(2, 1) + "(assert (>= X_0 0))(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (>= Y_0 0))", 2, 1, 5,
                "X_1 has no upper bound", "(<= X_1 hi)");
        fails(decls(1, 1) + "(assert (>= Y_0 0))", 1, 1, 3, "X_0 has no lower bound");
        fails(decls(1, 1) + "(assert (or (and (>= X_0 0) (<= X_0 1))\n (<= X_0 3)))\n(assert (>= Y_0 0))", 1, 1, 4,
                "X_0 has no lower bound in disjunct 2 of 2");
        fails(decls(1, 1) + unitBox(1) + "\n(assert (or (>= Y_0 0) (>= X_0 0.5)))", 1, 1, 5, "no output constraint in disjunct 2 of 2");
        fails(decls(1, 1) + "(assert (>= X_0 1))\n(assert (<= X_0 0))(assert (>= Y_0 0))", 1, 1, 4,
                "the input region is empty", "X_0 has lower bound 1.0 above its upper bound 0.0");
    }

    @Test
    void dnfBlowUpIsRefused() {
        StringBuilder sb = new StringBuilder(decls(1, 2) + unitBox(1));
        for (int i = 0; i < 14; i++) sb.append("(assert (or (>= Y_0 ").append(i).append(") (>= Y_1 ").append(i).append(")))\n");
        fails(sb.toString(), 1, 2, 18, "more than 10000 cases in disjunctive normal form");
    }

    @Test
    void missingOrUnreadableFile() {
        Path f = dir.resolve("nope.vnnlib");
        InputError e = assertThrows(InputError.class, () -> Vnnlib.parse(f, 1, 1));
        assertEquals(f + ": no such VNNLIB file", e.getMessage());
        InputError d = assertThrows(InputError.class, () -> Vnnlib.parse(dir, 1, 1));
        assertTrue(d.getMessage().startsWith(dir + ": cannot read"), d.getMessage());
        Path bin = dir.resolve("bin.vnnlib");
        try {
            Files.write(bin, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        assertEquals(bin + ": not a VNNLIB text file (not UTF-8 text)",
                assertThrows(InputError.class, () -> Vnnlib.parse(bin, 1, 1)).getMessage());
    }
}
