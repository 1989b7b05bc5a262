package org.workbench.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.workbench.config.InputError;

/**
 * Expands the conjunction of a file's asserts into disjunctive normal form, each conjunction split into an input
 * box and output constraints, and checks that every box is bounded and every case says something about outputs.
 */
final class Dnf {
    sealed interface Formula permits Leaf, Junction {}

    /** An input bound (x >= 0, upper or lower, with value) or an output constraint y (x = -1). */
    record Leaf(int x, boolean upper, double value, LinearConstraint y, int line) implements Formula {}

    record Junction(boolean and, List<Formula> parts, int line) implements Formula {}

    /** Builds the error for a line of the file (0 = no particular line). */
    interface Errors {
        InputError at(int line, String message);
    }

    private final int numInputs;
    private final Errors err;

    Dnf(int numInputs, Errors err) {
        this.numInputs = numInputs;
        this.err = err;
    }

    /** One conjunction of the DNF: an input box (with the lines of its bounds) and output constraints. */
    private final class Conj {
        final double[] lo, hi;
        final int[] loLine, hiLine;
        final List<LinearConstraint> ys = new ArrayList<>();
        int line; // last atom in it, which points into the disjunct that has a problem; 0 = none yet

        Conj() {
            int n = numInputs;
            lo = new double[n];
            hi = new double[n];
            Arrays.fill(lo, Double.NEGATIVE_INFINITY);
            Arrays.fill(hi, Double.POSITIVE_INFINITY);
            loLine = new int[n];
            hiLine = new int[n];
        }

        void apply(Leaf f) {
            line = Math.max(line, f.line);
            if (f.y != null) {
                ys.add(f.y);
            } else if (f.upper && f.value < hi[f.x]) {
                hi[f.x] = f.value;
                hiLine[f.x] = f.line;
            } else if (!f.upper && f.value > lo[f.x]) {
                lo[f.x] = f.value;
                loLine[f.x] = f.line;
            }
        }

        Conj and(Conj o) {
            Conj c = new Conj();
            for (Conj src : List.of(this, o)) {
                for (int i = 0; i < lo.length; i++) {
                    if (src.lo[i] > c.lo[i]) { c.lo[i] = src.lo[i]; c.loLine[i] = src.loLine[i]; }
                    if (src.hi[i] < c.hi[i]) { c.hi[i] = src.hi[i]; c.hiLine[i] = src.hiLine[i]; }
                }
                c.ys.addAll(src.ys);
                c.line = Math.max(c.line, src.line);
            }
            return c;
        }
    }

    private List<Conj> dnf(Formula f) {
        List<Conj> out = new ArrayList<>();
        if (f instanceof Leaf leaf) {
            Conj c = new Conj();
            c.apply(leaf);
            out.add(c);
        } else if (f instanceof Junction j && !j.and) {
            for (Formula p : j.parts) {
                out.addAll(dnf(p));
                if (out.size() > Vnnlib.MAX_CASES) throw tooMany(j.line);
            }
        } else if (f instanceof Junction j) {
            out.add(new Conj());
            for (Formula p : j.parts) {
                if (p instanceof Leaf leaf) { // bounds apply in place: no copies for the thousands of MNIST bounds
                    for (Conj c : out) c.apply(leaf);
                    continue;
                }
                List<Conj> d = dnf(p);
                if ((long) out.size() * d.size() > Vnnlib.MAX_CASES) throw tooMany(((Junction) p).line);
                List<Conj> product = new ArrayList<>();
                for (Conj a : out) for (Conj b : d) product.add(a.and(b));
                out = product;
            }
        }
        return out;
    }

    private InputError tooMany(int line) {
        return err.at(line, "the assertions expand to more than " + Vnnlib.MAX_CASES
                + " cases in disjunctive normal form: split the property into several files");
    }

    List<Property.Case> cases(Junction all) {
        List<Conj> dnf = dnf(all);
        List<Property.Case> cases = new ArrayList<>();
        InputError firstEmpty = null;
        for (int c = 0; c < dnf.size(); c++) {
            Conj k = dnf.get(c);
            String where = dnf.size() == 1 ? "" : " in disjunct " + (c + 1) + " of " + dnf.size();
            for (int i = 0; i < numInputs; i++) {
                if (k.lo[i] == Double.NEGATIVE_INFINITY || k.hi[i] == Double.POSITIVE_INFINITY) {
                    String side = k.lo[i] == Double.NEGATIVE_INFINITY ? "lower" : "upper";
                    int line = Math.max(k.loLine[i], k.hiLine[i]);
                    throw err.at(line > 0 ? line : k.line, "X_" + i + " has no " + side + " bound" + where
                            + ": every input needs (>= X_" + i + " lo) and (<= X_" + i + " hi)");
                }
            }
            if (k.ys.isEmpty()) {
                throw err.at(k.line, "no output constraint" + where + ": every input in its box would be a counterexample;"
                        + " expected at least one (<= ...) or (>= ...) on Y_<j>");
            }
            int bad = 0;
            while (bad < numInputs && k.lo[bad] <= k.hi[bad]) bad++;
            if (bad < numInputs) { // an empty box adds nothing to the disjunction, unless every box is empty
                if (firstEmpty == null) {
                    firstEmpty = err.at(Math.max(k.loLine[bad], k.hiLine[bad]), "the input region is empty: X_" + bad
                            + " has lower bound " + k.lo[bad] + " above its upper bound " + k.hi[bad] + where);
                }
                continue;
            }
            cases.add(new Property.Case(k.lo, k.hi, k.ys));
        }
        if (cases.isEmpty()) throw firstEmpty;
        return cases;
    }
}
