package org.workbench.spec;

import java.util.Arrays;

/**
 * {@code coef · Y <= rhs} over the network's outputs. The coefficient array is copied in and shared out: do not
 * modify what {@link #coef()} returns.
 */
public record LinearConstraint(double[] coef, double rhs) {

    public LinearConstraint {
        coef = coef.clone();
        rhs += 0.0; // -0.0 and 0.0 are the same bound; keep equals() from telling them apart
    }

    public double lhs(double[] y) {
        if (y.length != coef.length) {
            throw new IllegalArgumentException("expected " + coef.length + " outputs, got " + y.length);
        }
        double s = 0;
        for (int j = 0; j < coef.length; j++) s += coef[j] * y[j];
        return s;
    }

    /** How far y is past the bound: positive when violated, &lt;= 0 when satisfied. */
    public double excess(double[] y) {
        return lhs(y) - rhs;
    }

    public boolean satisfiedBy(double[] y, double tol) {
        return excess(y) <= tol;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearConstraint c && Arrays.equals(coef, c.coef)
                && Double.compare(rhs, c.rhs) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(coef) + Double.hashCode(rhs);
    }

    /** Readable form, e.g. "Y_0 - Y_3 <= 0.0". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < coef.length; j++) {
            double a = coef[j];
            if (a == 0) continue;
            if (sb.length() > 0) sb.append(a < 0 ? " - " : " + ");
            else if (a < 0) sb.append('-');
            double m = Math.abs(a);
            if (m != 1) sb.append(m).append('*');
            sb.append("Y_").append(j);
        }
        if (sb.length() == 0) sb.append('0');
        return sb.append(" <= ").append(rhs).toString();
    }
}
