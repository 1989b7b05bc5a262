package org.workbench.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Pictures side by side with a caption under each (small pictures are enlarged, pixel by pixel, to stay visible). */
public final class Panel {
    private Panel() {}

    public record Tile(Photo photo, String caption) {}

    public static BufferedImage of(List<Tile> tiles) {
        System.setProperty("java.awt.headless", "true");
        int h = tiles.get(0).photo().height(), w = tiles.get(0).photo().width();
        int zoom = Math.max(1, (int) Math.ceil(192.0 / Math.max(h, w)));
        int gap = 10, text = 22, lines = 2;
        int tileW = Math.max(w * zoom, 180);
        BufferedImage out = new BufferedImage(tiles.size() * (tileW + gap) + gap, h * zoom + 2 * gap + lines * text, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < tiles.size(); i++) {
            int x = gap + i * (tileW + gap);
            Photo p = tiles.get(i).photo();
            g.drawImage(p.image(), x + (tileW - w * zoom) / 2, gap, w * zoom, h * zoom, null);
            String[] caption = tiles.get(i).caption().split("\n");
            for (int l = 0; l < Math.min(lines, caption.length); l++) {
                String s = fit(caption[l], fm, tileW);
                g.drawString(s, x + (tileW - fm.stringWidth(s)) / 2, gap + h * zoom + text * (l + 1) - 4);
            }
        }
        g.dispose();
        return out;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        while (s.length() > 1 && fm.stringWidth(s + "…") > width) s = s.substring(0, s.length() - 1);
        return s + "…";
    }
}
