package org.workbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.w3c.dom.Element;

/** What every figure must be: SVG that parses as XML, a one-page PDF, a PNG of the stated size, CSV and .tex. */
public final class FigureChecks {
    private FigureChecks() {}

    /** Checks the figure's files and returns its CSV rows (header dropped), each split on commas. */
    public static List<String[]> check(Path dir, String name) throws Exception {
        checkDrawing(dir, name);
        String tex = Files.readString(dir.resolve(name + ".tex"));
        assertTrue(tex.contains("\\begin{axis}") && tex.contains("\\end{tikzpicture}"), tex);
        List<String> lines = Files.readAllLines(dir.resolve(name + ".csv"));
        assertEquals("series,x,y,y_high,tag", lines.get(0));
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) rows.add(l.split(",", -1));
        return rows;
    }

    /** The SVG parses as XML at column width, the PDF has one page of the same size, the PNG is that size at 300 dpi. */
    public static void checkDrawing(Path dir, String name) throws Exception {
        Path svg = dir.resolve(name + ".svg");
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Element root = f.newDocumentBuilder().parse(svg.toFile()).getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertFalse(Files.readString(svg).contains("<!DOCTYPE"), "no DOCTYPE that a reader would fetch from the network");
        String w = root.getAttribute("width"), h = root.getAttribute("height");
        assertTrue(w.endsWith("pt") && h.endsWith("pt"), w + " " + h);
        int wPt = Integer.parseInt(w.replace("pt", "")), hPt = Integer.parseInt(h.replace("pt", ""));
        assertEquals(FigureFiles.COLUMN_PT, wPt, "single-column width");
        assertTrue(root.getElementsByTagNameNS("*", "text").getLength() > 0, "the SVG keeps its text (axis labels) as text");

        try (PDDocument pdf = Loader.loadPDF(dir.resolve(name + ".pdf").toFile())) {
            assertEquals(1, pdf.getNumberOfPages());
            assertEquals(wPt, pdf.getPage(0).getMediaBox().getWidth(), 0.01);
            assertEquals(hPt, pdf.getPage(0).getMediaBox().getHeight(), 0.01);
        }
        BufferedImage png = ImageIO.read(dir.resolve(name + ".png").toFile());
        assertEquals(FigureFiles.pixels(wPt), png.getWidth());
        assertEquals(FigureFiles.pixels(hPt), png.getHeight());
        assertEquals(990, png.getWidth(), 2, "3.3 in at 300 dpi");
    }

    public static long count(List<String[]> rows, String seriesPrefix) {
        return rows.stream().filter(r -> r[0].startsWith(seriesPrefix)).count();
    }
}
