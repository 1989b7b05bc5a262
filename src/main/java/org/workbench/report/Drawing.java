package org.workbench.report;

import java.awt.Graphics2D;

/** Something that paints itself into a Graphics2D of the given size in points (XChart's charts do). */
@FunctionalInterface
public interface Drawing {
    void paint(Graphics2D g, int width, int height);
}
