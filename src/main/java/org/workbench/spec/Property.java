package org.workbench.spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VNNLIB property in disjunctive normal form: it is violated iff for some {@link Case} there is an input x in
 * the case's box whose output y = f(x) satisfies all of the case's constraints. The asserted formula describes
 * the unsafe set, so "violated" means a counterexample exists ({@code sat}).
 *
 * @param source the file it was read from (for messages), may be null
 * @param cases  at least one; every box is finite and non-empty, every case has at least one output constraint
 */
public record Property(Path source, int numInputs, int numOutputs, List<Case> cases) {

    public Property {
        cases = List.copyOf(cases);
        for (Case c : cases) {
            if (c.lo.length != numInputs || c.unsafe.stream().anyMatch(k -> k.coef().length != numOutputs)) {
                throw new IllegalArgumentException("case does not match " + numInputs + " inputs, " + numOutputs + " outputs");
            }
        }
    }

    /**
     * One disjunct: input box [lo, hi] and the conjunction of output constraints that is unsafe on it. Arrays are
     * copied in and shared out: do not modify them.
     */
    public record Case(double[] lo, double[] hi, List<LinearConstraint> unsafe) {
        public Case {
            if (lo.length != hi.length) throw new IllegalArgumentException("lo and hi differ in length");
            lo = lo.clone();
            hi = hi.clone();
            unsafe = List.copyOf(unsafe);
        }

        public boolean contains(double[] x, double tol) {
            if (x.length != lo.length) throw new IllegalArgumentException("expected " + lo.length + " inputs, got " + x.length);
            for (int i = 0; i < lo.length; i++) {
                if (!(x[i] >= lo[i] - tol && x[i] <= hi[i] + tol)) return false; // NaN is outside
            }
            return true;
        }

        public boolean unsafeOutput(double[] y, double tol) {
            for (LinearConstraint k : unsafe) if (!(k.excess(y) <= tol)) return false;
            return true;
        }

        public double[][] box() {
            return new double[][] {lo, hi};
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Case c && Arrays.equals(lo, c.lo) && Arrays.equals(hi, c.hi) && unsafe.equals(c.unsafe);
        }

        @Override
        public int hashCode() {
            return (31 * Arrays.hashCode(lo) + Arrays.hashCode(hi)) * 31 + unsafe.hashCode();
        }

        @Override
        public String toString() {
            return "Case[lo=" + Arrays.toString(lo) + ", hi=" + Arrays.toString(hi) + ", unsafe=" + unsafe + "]";
        }
    }

    /** A distinct input box with the disjunction (list of conjunctions) of output constraints unsafe on it. */
    public record Region(double[] lo, double[] hi, List<List<LinearConstraint>> unsafe) {
        public double[][] box() {
            return new double[][] {lo, hi};
        }
    }

    /**
     * Cases grouped by identical box, in order of first appearance: what a verifier needs, one input region at a
     * time with everything unsafe on it.
     */
    public List<Region> regions() {
        Map<BoxKey, List<List<LinearConstraint>>> byBox = new LinkedHashMap<>();
        Map<BoxKey, Case> first = new LinkedHashMap<>();
        for (Case c : cases) {
            BoxKey k = new BoxKey(c);
            byBox.computeIfAbsent(k, x -> new ArrayList<>()).add(c.unsafe);
            first.putIfAbsent(k, c);
        }
        List<Region> out = new ArrayList<>();
        byBox.forEach((k, dnf) -> out.add(new Region(first.get(k).lo, first.get(k).hi, List.copyOf(dnf))));
        return out;
    }

    /** The distinct input boxes, each {lo, hi}, in order of first appearance. */
    public List<double[][]> inputBoxes() {
        return regions().stream().map(Region::box).toList();
    }

    /** Whether every input box has the same output disjunction, so that {@link #unsafe()} describes them all. */
    public boolean sharedUnsafe() {
        List<Region> rs = regions();
        return rs.stream().allMatch(r -> r.unsafe.equals(rs.get(0).unsafe));
    }

    /**
     * The unsafe output set in DNF when it is the same on every input box (all VNN-COMP 2021 files); otherwise
     * the property ties outputs to particular boxes and callers must go through {@link #regions()}.
     */
    public List<List<LinearConstraint>> unsafe() {
        if (!sharedUnsafe()) {
            throw new IllegalStateException("the unsafe outputs differ between input boxes; use regions()");
        }
        return regions().get(0).unsafe;
    }

    /** The index of the first case that (x, y) violates within tol, or -1. */
    public int violatedCase(double[] x, double[] y, double tol) {
        if (x.length != numInputs) throw new IllegalArgumentException("expected " + numInputs + " inputs, got " + x.length);
        if (y.length != numOutputs) throw new IllegalArgumentException("expected " + numOutputs + " outputs, got " + y.length);
        for (int c = 0; c < cases.size(); c++) {
            if (cases.get(c).contains(x, tol) && cases.get(c).unsafeOutput(y, tol)) return c;
        }
        return -1;
    }

    /**
     * Whether (x, y) is a counterexample: x in some case's box and y satisfying all of that case's constraints,
     * both within tol (VNN-COMP checks with 1e-4). Does not check that y = f(x).
     */
    public boolean violatedBy(double[] x, double[] y, double tol) {
        return violatedCase(x, y, tol) >= 0;
    }

    private record BoxKey(List<Double> lo, List<Double> hi) {
        BoxKey(Case c) {
            this(Arrays.stream(c.lo).boxed().toList(), Arrays.stream(c.hi).boxed().toList());
        }
    }
}
