package org.workbench.problem;

/** The norm of the perturbation ball. */
public enum Norm {
    LINF("linf"), L2("l2");

    private final String key;

    Norm(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Norm of(String s) {
        for (Norm n : values()) if (n.key.equals(s)) return n;
        throw new IllegalArgumentException(s);
    }
}
