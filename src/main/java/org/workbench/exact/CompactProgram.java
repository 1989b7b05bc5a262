package org.workbench.exact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A MIP backend that keeps every affine layer output as an expression over the real variables (inputs, unstable
 * ReLU outputs, binaries) instead of a variable tied by an equality, so that a network whose ReLUs are mostly
 * stable over a small box becomes a program with a few dozen variables. On ACAS Xu boxes with 7-20 unstable ReLUs
 * SCIP spent 20-30 ms per solve on the full program of 300 neurons, most of it before branching.
 *
 * <p>Substituting composes the weights of consecutive layers in float64, which moves each coefficient by a few
 * units in the last place: far below the 1e-6 feasibility tolerance the callers already allow for. Only worth it
 * for few inputs: an expression is dense over the inputs, so on a 784-pixel image it multiplies the nonzeros.
 */
final class CompactProgram implements MipBackend {
    /** A variable as the callers see it: a sum of backend variables with coefficients, plus a constant. */
    private record Expr(int[] vars, double[] coefs, double constant) {}

    private final MipBackend inner;
    private final List<Expr> exprs = new ArrayList<>();
    /** For each backend variable, the caller's id of it. */
    private final List<Integer> callerId = new ArrayList<>();
    private double[] scratch = new double[64];

    CompactProgram(MipBackend inner) {
        this.inner = inner;
    }

    private int real(int backendId) {
        if (backendId != callerId.size()) throw new IllegalStateException("backend numbered variable " + backendId + ", expected " + callerId.size());
        callerId.add(exprs.size());
        exprs.add(new Expr(new int[] {backendId}, new double[] {1}, 0));
        return exprs.size() - 1;
    }

    @Override
    public int variable(double lo, double hi) {
        return real(inner.variable(lo, hi));
    }

    @Override
    public int binary() {
        return real(inner.binary());
    }

    /** The affine output as an expression; its interval bounds are implied by the inputs' and are dropped. */
    @Override
    public int affine(int[] in, int[] pos, double[] w, int n, double bias, double[] inLo, double[] inHi) {
        int[] vars = new int[n];
        double[] coefs = new double[n];
        for (int k = 0; k < n; k++) {
            vars[k] = in[pos[k]];
            coefs[k] = w[k];
        }
        exprs.add(expand(vars, coefs, bias));
        return exprs.size() - 1;
    }

    /** sum_k coefs[k] * caller variable vars[k] + constant, over backend variables. */
    private Expr expand(int[] vars, double[] coefs, double constant) {
        int reals = callerId.size();
        if (scratch.length < reals) scratch = new double[Math.max(reals, 2 * scratch.length)];
        double[] acc = scratch;
        Arrays.fill(acc, 0, reals, 0);
        boolean[] used = new boolean[reals];
        double c = constant;
        for (int k = 0; k < vars.length; k++) {
            double a = coefs[k];
            if (a == 0) continue;
            Expr e = exprs.get(vars[k]);
            c += a * e.constant();
            for (int j = 0; j < e.vars().length; j++) {
                acc[e.vars()[j]] += a * e.coefs()[j];
                used[e.vars()[j]] = true;
            }
        }
        int m = 0;
        for (int j = 0; j < reals; j++) if (used[j] && acc[j] != 0) m++;
        int[] v = new int[m];
        double[] a = new double[m];
        m = 0;
        for (int j = 0; j < reals; j++)
            if (used[j] && acc[j] != 0) {
                v[m] = j;
                a[m++] = acc[j];
            }
        return new Expr(v, a, c);
    }

    @Override
    public void constraint(int[] vars, double[] coefs, double lo, double hi) {
        Expr e = expand(vars, coefs, 0);
        if (e.vars().length == 0) {
            // A constant row: a fixed variable carries it, so that an impossible one still makes the program infeasible.
            int z = inner.variable(0, 0);
            if (z != callerId.size()) throw new IllegalStateException("backend numbered variable " + z + ", expected " + callerId.size());
            callerId.add(-1);
            inner.constraint(new int[] {z}, new double[] {1}, lo - e.constant(), hi - e.constant());
            return;
        }
        inner.constraint(e.vars(), e.coefs(), lo - e.constant(), hi - e.constant());
    }

    @Override
    public Outcome optimize(int[] vars, double[] coefs, boolean maximize, double seconds, double stopAt, double decidedAt,
                            int[] read) {
        Expr obj = expand(vars, coefs, 0);
        double c = obj.constant();
        int reals = callerId.size();
        int[] all = new int[reals];
        for (int j = 0; j < reals; j++) all[j] = j;
        Outcome o = inner.optimize(obj.vars(), obj.coefs(), maximize, seconds, stopAt - c, decidedAt - c, all);
        double[] x = null;
        if (o.x() != null) {
            x = new double[read.length];
            for (int k = 0; k < read.length; k++) {
                Expr e = exprs.get(read[k]);
                double s = e.constant();
                for (int j = 0; j < e.vars().length; j++) s += e.coefs()[j] * o.x()[e.vars()[j]];
                x[k] = s;
            }
        }
        return new Outcome(o.status(), o.bound() + c, o.value() + c, x);
    }

    /** Hints the real variables among those given; an expression's value follows from theirs. */
    @Override
    public void hint(int[] vars, double[] values) {
        double[] byReal = new double[callerId.size()];
        boolean[] set = new boolean[byReal.length];
        for (int k = 0; k < vars.length; k++) {
            Expr e = exprs.get(vars[k]);
            if (e.vars().length == 1 && e.coefs()[0] == 1 && e.constant() == 0 && callerId.get(e.vars()[0]) == vars[k]) {
                byReal[e.vars()[0]] = values[k];
                set[e.vars()[0]] = true;
            }
        }
        int m = 0;
        for (boolean b : set) if (b) m++;
        int[] v = new int[m];
        double[] val = new double[m];
        m = 0;
        for (int j = 0; j < set.length; j++)
            if (set[j]) {
                v[m] = j;
                val[m++] = byReal[j];
            }
        inner.hint(v, val);
    }

    @Override
    public int binaries() {
        return inner.binaries();
    }

    @Override
    public void close() {
        inner.close();
    }
}
