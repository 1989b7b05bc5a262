package org.workbench.relax;

import org.ojalgo.optimisation.Expression;
import org.ojalgo.optimisation.ExpressionsBasedModel;
import org.ojalgo.optimisation.Optimisation;
import org.ojalgo.optimisation.Variable;

/**
 * The pure-Java second opinion: ojAlgo's ExpressionsBasedModel holding a recorded program. Slower than GLOP
 * (see TOOLCHAIN.md), so it serves to cross-check the OR-Tools answers.
 */
final class OjAlgoProgram implements LpRelaxation.Backend {
    private final ExpressionsBasedModel model = new ExpressionsBasedModel();
    private final Variable[] vars;
    private double[] last;

    OjAlgoProgram(LpRelaxation.Program p) {
        // The dual simplex was the faster of the two on this LP (TOOLCHAIN.md: 170-190 ms against 220-490 ms).
        model.options.linear().dual();
        int n = p.numVariables();
        vars = new Variable[n];
        for (int j = 0; j < n; j++) {
            Variable v = model.newVariable("x" + j);
            if (p.integer[j]) v.binary();
            if (p.colLo[j] > Double.NEGATIVE_INFINITY) v.lower(p.colLo[j]);
            if (p.colHi[j] < Double.POSITIVE_INFINITY) v.upper(p.colHi[j]);
            vars[j] = v;
        }
        for (int i = 0; i < p.numConstraints(); i++) {
            Expression e = model.addExpression("c" + i);
            for (int k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) e.set(vars[p.cols[k]], p.vals[k]);
            if (p.rowLo[i] > Double.NEGATIVE_INFINITY) e.lower(p.rowLo[i]);
            if (p.rowHi[i] < Double.POSITIVE_INFINITY) e.upper(p.rowHi[i]);
        }
    }

    @Override
    public LpRelaxation.Outcome maximize(double[] c) {
        for (int j = 0; j < c.length; j++) {
            double old = last == null ? 0 : last[j];
            // Variable weights, not an objective Expression: ojAlgo 55.2 keeps the first objective expression it
            // solved with, so later edits to it went unseen (measured), while weight changes are picked up.
            if (c[j] != old) vars[j].weight(c[j]);
        }
        last = c.clone();
        Optimisation.Result r = model.maximise();
        // ojAlgo's multipliers are not matched to our rows here, so the primal value is what it can give.
        return new LpRelaxation.Outcome(r.getState().isOptimal(), r.getValue(), null);
    }

    @Override
    public void close() {}
}
