package org.workbench.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random properties written out as VNNLIB text in varied but equivalent spellings (operand order, number
 * formats, spacing, comments, product or paired disjunctions) parse back to exactly the cases they came from.
 */
class VnnlibRoundTripTest {
    @TempDir
    Path dir;

    /** Writes tokens with random spacing: none or some around parentheses, at least one space between atoms. */
    static final class Out {
        final StringBuilder sb = new StringBuilder();
        final Random rnd;
        boolean afterAtom;

        Out(Random rnd) {
            this.rnd = rnd;
        }

        String space(boolean needed) {
            int r = rnd.nextInt(8);
            String s = r < 3 ? "" : r < 5 ? " " : r == 5 ? "\n  " : r == 6 ? "\t" : " ; note (\n";
            return needed && s.isEmpty() ? " " : s;
        }

        Out open() {
            sb.append(space(false)).append('(');
            afterAtom = false;
            return this;
        }

        Out close() {
            sb.append(space(false)).append(')');
            afterAtom = false;
            return this;
        }

        Out atom(String a) {
            sb.append(space(afterAtom)).append(a);
            afterAtom = true;
            return this;
        }

        Out number(double v) {
            int r = rnd.nextInt(3);
            if (r == 0) return atom(Double.toString(v));
            if (v < 0 && r == 1) return open().atom("-").atom(Double.toString(-v)).close();
            return atom(new BigDecimal(v).toPlainString()); // exact decimal expansion, reads back to v
        }
    }

    static double constant(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0.0;
            case 1 -> rnd.nextInt(21) - 10;
            case 2 -> rnd.nextGaussian() * 1e-6;
            default -> rnd.nextGaussian() * 10;
        };
    }

    /** Writes a random output comparison and returns what it must parse to. */
    static LinearConstraint yAtom(Out o, Random rnd, int ny) {
        double[] coef = new double[ny];
        int i = rnd.nextInt(ny);
        boolean swap = rnd.nextBoolean(); // write (>= b a) for a <= b
        o.open().atom(swap ? ">=" : "<=");
        if (ny > 1 && rnd.nextBoolean()) {
            int j = (i + 1 + rnd.nextInt(ny - 1)) % ny; // Y_i <= Y_j
            coef[i] = 1;
            coef[j] = -1;
            o.atom("Y_" + (swap ? j : i)).atom("Y_" + (swap ? i : j)).close();
            return new LinearConstraint(coef, 0);
        }
        double c = constant(rnd);
        boolean upper = rnd.nextBoolean(); // Y_i <= c, else c <= Y_i
        coef[i] = upper ? 1 : -1;
        String y = "Y_" + i;
        if (upper != swap) o.atom(y).number(c);
        else o.number(c).atom(y);
        o.close();
        return new LinearConstraint(coef, upper ? c : -c);
    }

    static double[][] randomBox(Random rnd, int nx) {
        double[] lo = new double[nx], hi = new double[nx];
        for (int i = 0; i < nx; i++) {
            lo[i] = constant(rnd);
            hi[i] = rnd.nextInt(5) == 0 ? lo[i] : lo[i] + Math.abs(rnd.nextGaussian());
        }
        return new double[][] {lo, hi};
    }

    static void writeBox(Out o, Random rnd, double[][] box) {
        for (int i = 0; i < box[0].length; i++) {
            boolean upperFirst = rnd.nextBoolean();
            for (int side = 0; side < 2; side++) {
                boolean upper = (side == 0) == upperFirst;
                double v = upper ? box[1][i] : box[0][i];
                boolean xFirst = rnd.nextBoolean();
                o.open().atom(upper == xFirst ? "<=" : ">=");
                if (xFirst) o.atom("X_" + i).number(v);
                else o.number(v).atom("X_" + i);
                o.close();
            }
            if (rnd.nextInt(4) == 0) o.open().atom(">=").atom("X_" + i).number(box[0][i] - 1).close(); // looser, no effect
        }
    }

    static List<LinearConstraint> writeConjunction(Out o, Random rnd, int ny) {
        List<LinearConstraint> out = new ArrayList<>();
        o.open().atom("and");
        for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) out.add(yAtom(o, rnd, ny));
        o.close();
        return out;
    }

    @Test
    void randomPropertiesReadBackEqual() throws IOException {
        Random rnd = new Random(20210715);
        for (int trial = 0; trial < 300; trial++) {
            int nx = 1 + rnd.nextInt(6), ny = 1 + rnd.nextInt(5);
            Out o = new Out(rnd);
            for (int i = 0; i < nx; i++) o.open().atom("declare-const").atom("X_" + i).atom("Real").close();
            for (int j = ny - 1; j >= 0; j--) o.open().atom("declare-const").atom("Y_" + j).atom("Real").close();
            List<Property.Case> expected = new ArrayList<>();
            int nBoxes = 1 + rnd.nextInt(3), nConj = 1 + rnd.nextInt(4);
            if (rnd.nextBoolean()) { // paired: (or (and box_k conj_k) ...)
                o.open().atom("assert").open().atom("or");
                for (int k = 0; k < nBoxes * nConj; k++) {
                    double[][] box = randomBox(rnd, nx);
                    o.open().atom("and");
                    writeBox(o, rnd, box);
                    expected.add(new Property.Case(box[0], box[1], writeConjunction(o, rnd, ny)));
                    o.close();
                }
                o.close().close();
            } else { // product: (assert (or boxes...)) then (assert (or conjunctions...))
                List<double[][]> boxes = new ArrayList<>();
                o.open().atom("assert").open().atom("or");
                for (int k = 0; k < nBoxes; k++) {
                    boxes.add(randomBox(rnd, nx));
                    o.open().atom("and");
                    writeBox(o, rnd, boxes.get(k));
                    o.close();
                }
                o.close().close();
                List<List<LinearConstraint>> dnf = new ArrayList<>();
                o.open().atom("assert").open().atom("or");
                for (int k = 0; k < nConj; k++) dnf.add(writeConjunction(o, rnd, ny));
                o.close().close();
                for (double[][] b : boxes) for (List<LinearConstraint> d : dnf) expected.add(new Property.Case(b[0], b[1], d));
            }
            Path f = dir.resolve("random" + trial + ".vnnlib");
            Files.writeString(f, o.sb.toString());
            Property p = Vnnlib.parse(f, nx, ny);
            assertEquals(expected, p.cases(), () -> "trial with text:\n" + o.sb);
        }
    }
}
