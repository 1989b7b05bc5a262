package org.workbench.report;

import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import org.apache.batik.dom.GenericDOMImplementation;
import org.apache.batik.svggen.ImageHandlerBase64Encoder;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.batik.svggen.SVGGraphics2DIOException;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes one figure as SVG (Batik), one-page PDF (pdfbox-graphics2d), PNG preview (ImageIO) and any text files
 * beside it (CSV, PGFPlots). Everything is rendered in memory first, then each file goes to a temporary name and
 * is moved into place, so a failure leaves no partial figure behind.
 */
public final class FigureFiles {
    /** A single column of a two-column paper: 3.3 in, in PostScript points. */
    public static final int COLUMN_PT = 238;
    /** The PNG preview's resolution. */
    public static final int PNG_DPI = 300;

    private FigureFiles() {}

    /** The PNG preview's pixel size for a figure of the given size in points. */
    public static int pixels(int points) {
        return (int) Math.round(points * PNG_DPI / 72.0);
    }

    /**
     * Writes {@code dir/name.svg}, {@code .pdf}, {@code .png} and each {@code texts} entry (file suffix to content,
     * e.g. {@code ".csv"}). Returns the files written.
     */
    public static List<Path> write(Path dir, String name, Drawing drawing, int widthPt, int heightPt, Map<String, String> texts) {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        files.put(dir.resolve(name + ".svg"), svg(drawing, widthPt, heightPt));
        files.put(dir.resolve(name + ".pdf"), pdf(drawing, widthPt, heightPt));
        files.put(dir.resolve(name + ".png"), png(drawing, widthPt, heightPt));
        for (Map.Entry<String, String> t : texts.entrySet())
            files.put(dir.resolve(name + t.getKey()), t.getValue().getBytes(StandardCharsets.UTF_8));
        return writeAll(files);
    }

    /** Writes every file through a temporary name; on failure removes what this call wrote. */
    public static List<Path> writeAll(Map<Path, byte[]> files) {
        List<Path> written = new ArrayList<>();
        try {
            for (Map.Entry<Path, byte[]> f : files.entrySet()) {
                Path target = f.getKey();
                if (target.toAbsolutePath().getParent() != null) Files.createDirectories(target.toAbsolutePath().getParent());
                Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
                Files.write(tmp, f.getValue());
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                written.add(target);
            }
            return written;
        } catch (IOException e) {
            for (Path p : written) p.toFile().delete();
            throw new UncheckedIOException("cannot write " + files.keySet().iterator().next(), e);
        }
    }

    static byte[] svg(Drawing drawing, int w, int h) {
        Document doc = GenericDOMImplementation.getDOMImplementation().createDocument("http://www.w3.org/2000/svg", "svg", null);
        SVGGeneratorContext ctx = SVGGeneratorContext.createDefault(doc);
        ctx.setComment("workbench figure");
        ctx.setImageHandler(new PngImages());
        SVGGraphics2D g = new SVGGraphics2D(ctx, false);
        g.setSVGCanvasSize(new Dimension(w, h));
        drawing.paint(g, w, h);
        Element root = g.getRoot();
        // Sized in points so that a viewer shows it at the column width it was laid out for.
        root.setAttributeNS(null, "width", w + "pt");
        root.setAttributeNS(null, "height", h + "pt");
        root.setAttributeNS(null, "viewBox", "0 0 " + w + " " + h);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Writer wr = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            g.stream(root, wr, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Batik writes the SVG 1.0 DOCTYPE, whose DTD a strict XML reader would try to fetch; SVG needs none.
        String text = out.toString(StandardCharsets.UTF_8).replaceFirst("<!DOCTYPE[^>]*>\\s*", "");
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Images embedded as base64 PNG through ImageIO (Batik's own PNG writer lives in batik-codec, not needed else). */
    private static final class PngImages extends ImageHandlerBase64Encoder {
        @Override
        public void encodeImage(java.awt.image.RenderedImage image, java.io.OutputStream out) throws SVGGraphics2DIOException {
            try {
                ImageIO.write(image, "png", out);
            } catch (IOException e) {
                throw new SVGGraphics2DIOException(e);
            }
        }
    }

    static byte[] pdf(Drawing drawing, int w, int h) {
        try (PDDocument doc = new PDDocument()) {
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, w, h);
            drawing.paint(g, w, h);
            g.dispose();
            PDPage page = new PDPage(new PDRectangle(w, h));
            doc.addPage(page);
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawForm(g.getXFormObject());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] png(Drawing drawing, int w, int h) {
        BufferedImage img = new BufferedImage(pixels(w), pixels(h), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.scale(PNG_DPI / 72.0, PNG_DPI / 72.0);
        drawing.paint(g, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
