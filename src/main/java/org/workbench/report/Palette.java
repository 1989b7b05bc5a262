package org.workbench.report;

import java.awt.Color;

/**
 * Okabe and Ito's colour-blind-safe palette (Color Universal Design, 2008), in the order series take them; black
 * first is for the reference curve (clean accuracy). {@link #GREY} and {@link #BAND} are for guides and shading.
 */
public final class Palette {
    public static final int BLACK = 0, ORANGE = 1, SKY_BLUE = 2, GREEN = 3, BLUE = 4, VERMILLION = 5, PURPLE = 6, YELLOW = 7;
    public static final int GREY = 8, BAND = 9;

    private static final int[] RGB = {0x000000, 0xE69F00, 0x56B4E9, 0x009E73, 0x0072B2, 0xD55E00, 0xCC79A7, 0xF0E442,
        0x999999, 0xDDDDDD};
    private static final String[] NAMES = {"oiBlack", "oiOrange", "oiSkyBlue", "oiGreen", "oiBlue", "oiVermillion",
        "oiPurple", "oiYellow", "oiGrey", "oiBand"};

    /** Series colours after black, yellow last (it is faint on white). */
    private static final int[] CYCLE = {ORANGE, BLUE, GREEN, VERMILLION, SKY_BLUE, PURPLE, YELLOW};

    private Palette() {}

    public static Color color(int i) {
        return new Color(RGB[i]);
    }

    /** The i-th series colour (i from 0), cycling. */
    public static int series(int i) {
        return CYCLE[Math.floorMod(i, CYCLE.length)];
    }

    public static String texName(int i) {
        return NAMES[i];
    }

    /** {@code \definecolor} lines for every colour, for the PGFPlots file. */
    public static String texDefinitions() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < RGB.length; i++) sb.append(String.format("\\definecolor{%s}{HTML}{%06X}%n", NAMES[i], RGB[i]));
        return sb.toString();
    }
}
