package dev.genlab.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Checks a report page the way a browser would need it: well formed, every image embedded and decodable. */
public final class ReportPages {

    private ReportPages() {}

    /** Parses the page as XML (so it must be well formed) and decodes every image; returns the images. */
    public static List<BufferedImage> assertValidPage(Path html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        Document doc = builder.parse(new ByteArrayInputStream(Files.readAllBytes(html)));
        assertEquals("html", doc.getDocumentElement().getTagName());
        assertTrue(Files.readString(html, StandardCharsets.UTF_8).startsWith("<!DOCTYPE html>"));
        NodeList imgs = doc.getElementsByTagName("img");
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < imgs.getLength(); i++) {
            String src = ((Element) imgs.item(i)).getAttribute("src");
            String prefix = "data:image/png;base64,";
            assertTrue(src.startsWith(prefix), "image " + i + " is not embedded: " + src.substring(0, 40));
            byte[] png = Base64.getDecoder().decode(src.substring(prefix.length()));
            assertTrue(SweepReport.isPng(png), "image " + i + " is not a PNG");
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(img, "image " + i + " does not decode");
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
            images.add(img);
        }
        assertEquals(2, doc.getElementsByTagName("table").getLength(), "the metrics table and the runs table");
        return images;
    }
}
