package org.workbench.relax;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.workbench.net.Layer;
import org.workbench.net.LinearProgram;
import org.workbench.net.Network;

/**
 * The LP triangle relaxation, an upper-bound solver: each layer adds its constraint rule ({@link Layer#encode}) to
 * one program per sample, and each objective row (a linear function of the logits) is maximized over it.
 *
 * <p>Soundness does not rest on the solver's primal value, which an LP solver only meets to its feasibility
 * tolerance: when the solver reports OPTIMAL and gives duals (GLOP, PDLP), the returned number is the weak-duality
 * bound {@link #dualBound} computed here in float64 with a rounding-error allowance, which is an upper bound for
 * any dual vector whatsoever. HiGHS and ojAlgo give no usable duals and answer with their primal optimum; SCIP
 * answers with its proven bound. Without OPTIMAL the row gets +Infinity.
 */
public final class LpRelaxation {
    private LpRelaxation() {}

    /** Backend names understood by {@link #maximize}. */
    public static final List<String> BACKENDS = List.of("glop", "pdlp", "highs", "ojalgo", "scip");

    /**
     * Per objective row, an upper bound on max row·logits over the input box, from the triangle LP.
     *
     * @param inLo the input box's lower ends (norm ball intersected with the domain box), flat in input order
     * @param inHi the input box's upper ends
     * @param preLo for each value v of the network below its output (the input, then each layer's output but the
     *     last) its lower bounds (flat): in a chain, the bounds of each layer's input
     * @param preHi the matching upper bounds
     * @param objectives rows of numClasses coefficients over the logits
     * @param backend "glop" (default when null), "pdlp", "highs", "ojalgo" or "scip"
     */
    public static double[] maximize(Network net, double[] inLo, double[] inHi, List<double[]> preLo,
                                    List<double[]> preHi, double[][] objectives, String backend) {
        return maximize(net, inLo, inHi, preLo, preHi, objectives, backend, false);
    }

    /**
     * As above; with {@code exact} the ReLUs are encoded with binaries (big-M) and the backend must be "scip".
     * The MIP answer is SCIP's proven (dual) bound, so it stays an upper bound on the true maximum.
     */
    public static double[] maximize(Network net, double[] inLo, double[] inHi, List<double[]> preLo,
                                    List<double[]> preHi, double[][] objectives, String backend, boolean exact) {
        String name = backend == null ? "glop" : backend.toLowerCase(Locale.ROOT);
        if (!BACKENDS.contains(name))
            throw new IllegalArgumentException("unknown LP backend '" + backend + "'; expected one of " + BACKENDS);
        if (exact && !name.equals("scip"))
            throw new IllegalArgumentException("the exact (MIP) encoding needs backend 'scip', got '" + backend + "'");
        Program p = new Program();
        int[] logits = encode(net, inLo, inHi, preLo, preHi, exact, p);
        return solveRows(p, logits, objectives, name);
    }

    /**
     * Per row, an upper bound on max row·v over the triangle LP of layers 0..layer-1, where v is the input of layer
     * {@code layer} (flat): the per-neuron LP bounds of progressive tightening (rows ±e_k). Only the bounds of
     * layers 0..layer-1 are read from preLo/preHi.
     */
    public static double[] maximizeLayerInput(Network net, double[] inLo, double[] inHi, List<double[]> preLo,
                                              List<double[]> preHi, int layer, double[][] rows, String backend) {
        String name = backend == null ? "glop" : backend.toLowerCase(Locale.ROOT);
        if (!BACKENDS.contains(name))
            throw new IllegalArgumentException("unknown LP backend '" + backend + "'; expected one of " + BACKENDS);
        if (layer < 0 || layer > net.layers().size())
            throw new IllegalArgumentException("layer " + layer + " is outside 0.." + net.layers().size());
        Program p = new Program();
        int[] v = encode(net, inLo, inHi, preLo.subList(0, layer), preHi.subList(0, layer), false, p, layer);
        return solveRows(p, v, rows, name);
    }

    private static double[] solveRows(Program p, int[] vars, double[][] objectives, String name) {
        p.finish();
        double[] out = new double[objectives.length];
        try (Backend b = name.equals("ojalgo") ? new OjAlgoProgram(p) : new OrToolsProgram(p, name)) {
            for (int r = 0; r < objectives.length; r++) {
                double[] row = objectives[r];
                if (row.length != vars.length)
                    throw new IllegalArgumentException("objective row " + r + " has " + row.length
                            + " coefficients, the layer has " + vars.length + " values");
                double[] c = new double[p.numVariables()];
                for (int k = 0; k < vars.length; k++) c[vars[k]] += row[k];
                out[r] = bound(p, c, b.maximize(c));
            }
        }
        return out;
    }

    /** Encodes the whole network into {@code lp}; returns the logit variables. */
    public static int[] encode(Network net, double[] inLo, double[] inHi, List<double[]> preLo, List<double[]> preHi,
                               boolean exact, LinearProgram lp) {
        return encode(net, inLo, inHi, preLo, preHi, exact, lp, net.layers().size());
    }

    /** Encodes layers 0..layers-1 into {@code lp}; returns the variables of their output (the input variables first). */
    private static int[] encode(Network net, double[] inLo, double[] inHi, List<double[]> preLo, List<double[]> preHi,
                                boolean exact, LinearProgram lp, int layers) {
        int n = net.inputSize();
        if (inLo.length != n || inHi.length != n)
            throw new IllegalArgumentException("input box has " + inLo.length + "/" + inHi.length + " values, the network takes " + n);
        if (preLo.size() != layers || preHi.size() != layers)
            throw new IllegalArgumentException("need input bounds for each of the " + layers + " layers, got "
                    + preLo.size() + "/" + preHi.size());
        List<int[]> shapes = net.shapes();
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            if (!(inLo[i] <= inHi[i])) throw new IllegalArgumentException("empty input box at element " + i);
            v[i] = lp.variable(inLo[i], inHi[i]);
        }
        for (int i = 0; i < layers; i++) {
            int size = Layer.size(shapes.get(i));
            if (preLo.get(i).length != size || preHi.get(i).length != size)
                throw new IllegalArgumentException("bounds for value " + i + " have " + preLo.get(i).length
                        + " values, expected " + size);
        }
        List<int[]> values = new ArrayList<>();
        values.add(v);
        for (int i = 0; i < layers; i++) values.add(encodeLayer(net, i, values, shapes, preLo, preHi, exact, lp));
        return values.get(layers);
    }

    /**
     * Layer i's constraints over the variables of the values it reads ({@code values}, bounds {@code preLo/preHi},
     * both indexed by value); returns its output variables.
     */
    public static int[] encodeLayer(Network net, int i, List<int[]> values, List<int[]> shapes, List<double[]> preLo,
                                    List<double[]> preHi, boolean exact, LinearProgram lp) {
        int[] r = net.inputs().get(i);
        Layer layer = net.layers().get(i);
        if (r.length == 1) return layer.encode(lp, values.get(r[0]), shapes.get(r[0]), preLo.get(r[0]), preHi.get(r[0]), exact);
        List<int[]> vars = new ArrayList<>(), inShapes = new ArrayList<>();
        List<double[]> lo = new ArrayList<>(), hi = new ArrayList<>();
        for (int x : r) {
            vars.add(values.get(x));
            inShapes.add(shapes.get(x));
            lo.add(preLo.get(x));
            hi.add(preHi.get(x));
        }
        return layer.encode(lp, vars, inShapes, lo, hi, exact);
    }

    /** The value to report for one solve: +Infinity unless OPTIMAL, else the dual bound (or the MIP bound). */
    static double bound(Program p, double[] c, Outcome o) {
        if (!o.optimal()) return Double.POSITIVE_INFINITY;
        if (o.duals() == null) return o.value();
        // The formula holds for every y, so the solver's sign convention only affects tightness: take the better.
        double a = dualBound(p, c, o.duals(), 1), b = dualBound(p, c, o.duals(), -1);
        double best = Math.min(a, b);
        return Double.isNaN(best) ? Double.POSITIVE_INFINITY : best;
    }

    /**
     * Weak duality for max c·x s.t. rowLo <= A x <= rowHi, colLo <= x <= colHi: for any y, c·x = y·Ax + r·x with
     * r = c - Aᵀy, so c·x <= sum_i max(y_i rowLo_i, y_i rowHi_i) + sum_j max(r_j colLo_j, r_j colHi_j). Components
     * of y that point at an infinite side are set to 0 (still a valid y). The float64 sums get Higham's error bound.
     */
    static double dualBound(Program p, double[] c, double[] duals, double sign) {
        int n = p.numVariables(), m = p.numConstraints();
        double[] r = c.clone(), rAbs = new double[n];
        int[] count = new int[n];
        for (int j = 0; j < n; j++) rAbs[j] = Math.abs(c[j]);
        double total = 0, totalAbs = 0;
        int terms = 0;
        for (int i = 0; i < m; i++) {
            double y = sign * duals[i];
            if (y == 0 || Double.isNaN(y)) continue;
            double side = y > 0 ? p.rowHi[i] : p.rowLo[i];
            if (Double.isInfinite(side)) continue;
            double t = y * side;
            total += t;
            totalAbs += Math.abs(t);
            terms++;
            for (int k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) {
                int j = p.cols[k];
                double d = y * p.vals[k];
                r[j] -= d;
                rAbs[j] += Math.abs(d);
                count[j]++;
            }
        }
        for (int j = 0; j < n; j++) {
            if (rAbs[j] == 0) continue;
            double err = gamma(count[j] + 2) * rAbs[j], lo = p.colLo[j], hi = p.colHi[j];
            double t = (r[j] > 0 ? r[j] * hi : r[j] < 0 ? r[j] * lo : 0) + err * Math.max(Math.abs(lo), Math.abs(hi));
            if (Double.isNaN(t) || t == Double.POSITIVE_INFINITY) return Double.POSITIVE_INFINITY;
            total += t;
            totalAbs += Math.abs(t);
            terms++;
        }
        return total + gamma(terms + 2) * totalAbs;
    }

    /** Higham's gamma_k = k u / (1 - k u), u = 2^-53: the relative error bound of a k-term float64 sum. */
    private static double gamma(int k) {
        double ku = k * 0x1p-53;
        return ku / (1 - ku) * (1 + 0x1p-50);
    }

    /** What a backend reports for one objective. */
    record Outcome(boolean optimal, double value, double[] duals) {}

    /** One solver holding the program; maximize may be called many times with new objectives (warm starts). */
    interface Backend extends AutoCloseable {
        /** Maximizes c·x (c dense over the variables). duals: one per constraint, or null when not available. */
        Outcome maximize(double[] c);

        @Override
        void close();
    }

    /**
     * The program as recorded from the layers' rules, solver-neutral; the backends load it, and the dual bound
     * reads it. Rows are kept in compressed form after {@link #finish}.
     */
    public static final class Program implements LinearProgram {
        double[] colLo = new double[64], colHi = new double[64];
        boolean[] integer = new boolean[64];
        int nCols;
        private final List<int[]> rowVars = new ArrayList<>();
        private final List<double[]> rowCoefs = new ArrayList<>();
        private final List<double[]> rowBounds = new ArrayList<>();
        int[] rowStart, cols;
        double[] vals, rowLo, rowHi;

        @Override
        public int variable(double lo, double hi) {
            org.workbench.net.LinearProgram.requireFinite(new double[0], 0, lo, hi);
            if (nCols == colLo.length) {
                colLo = Arrays.copyOf(colLo, 2 * nCols);
                colHi = Arrays.copyOf(colHi, 2 * nCols);
                integer = Arrays.copyOf(integer, 2 * nCols);
            }
            colLo[nCols] = lo;
            colHi[nCols] = hi;
            return nCols++;
        }

        @Override
        public int binary() {
            int v = variable(0, 1);
            integer[v] = true;
            return v;
        }

        @Override
        public void constraint(int[] vars, double[] coefs, double lo, double hi) {
            org.workbench.net.LinearProgram.requireFinite(coefs, vars.length, lo, hi);
            if (vars.length != coefs.length) throw new IllegalArgumentException("constraint: vars and coefs differ in length");
            // A variable named twice is one term with the summed coefficient: the backends' setters replace rather
            // than add (a max-pooling window's winner read by two outputs, then by one convolution tap, names it twice).
            java.util.LinkedHashMap<Integer, Double> terms = new java.util.LinkedHashMap<>();
            for (int k = 0; k < vars.length; k++) terms.merge(vars[k], coefs[k], Double::sum);
            rowVars.add(terms.keySet().stream().mapToInt(Integer::intValue).toArray());
            rowCoefs.add(terms.values().stream().mapToDouble(Double::doubleValue).toArray());
            rowBounds.add(new double[] {lo, hi});
        }

        public int numVariables() {
            return nCols;
        }

        public int numConstraints() {
            return rowStart == null ? rowVars.size() : rowLo.length;
        }

        /** Compresses the rows; no constraints can be added afterwards. */
        void finish() {
            int m = rowVars.size(), nnz = 0;
            for (int[] v : rowVars) nnz += v.length;
            rowStart = new int[m + 1];
            cols = new int[nnz];
            vals = new double[nnz];
            rowLo = new double[m];
            rowHi = new double[m];
            for (int i = 0, k = 0; i < m; i++) {
                int[] v = rowVars.get(i);
                System.arraycopy(v, 0, cols, k, v.length);
                System.arraycopy(rowCoefs.get(i), 0, vals, k, v.length);
                k += v.length;
                rowStart[i + 1] = k;
                rowLo[i] = rowBounds.get(i)[0];
                rowHi[i] = rowBounds.get(i)[1];
            }
            rowVars.clear();
            rowCoefs.clear();
            rowBounds.clear();
        }
    }
}
