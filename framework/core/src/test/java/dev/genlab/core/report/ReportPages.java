package dev.genlab.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.htmlunit.BrowserVersion;
import org.htmlunit.WebClient;
import org.htmlunit.cssparser.parser.CSSErrorHandler;
import org.htmlunit.cssparser.parser.CSSParseException;
import org.htmlunit.html.HtmlImage;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.html.parser.HTMLParserListener;
import org.htmlunit.platform.geom.IntDimension2D;
import org.htmlunit.platform.image.ImageData;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks a report page the way a reader's browser will see it: well formed, opened without a parser, CSS or
 * script complaint by a headless browser (HtmlUnit), and every image embedded and decoded by the browser.
 */
public final class ReportPages {

    private ReportPages() {}

    /**
     * Parses the page as XML (so it must be well formed), decodes every image, then opens it in a headless
     * browser; returns the images.
     */
    public static List<BufferedImage> assertValidPage(Path html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        String text = Files.readString(html, StandardCharsets.UTF_8);
        // Void elements are written HTML5-style, without "/>": HtmlUnit's parser reports a spurious "Missing
        // attribute name" for a "/>" that falls on one of its buffer boundaries (found when a report's image
        // data put one there; a sweep over data lengths showed 6 failing lengths in 3,000, none for ">").
        assertFalse(text.contains("/>"), "a void element written with '/>'");
        // For the XML well-formedness check, close the void elements as XML wants.
        String xml = text.replaceAll("<(img|meta)\\b([^>]*)>", "<$1$2/>");
        Document doc = builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
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
        List<String> tables = new ArrayList<>();
        NodeList tableNodes = doc.getElementsByTagName("table");
        for (int i = 0; i < tableNodes.getLength(); i++) {
            tables.add(((Element) tableNodes.item(i)).getAttribute("id"));
        }
        assertTrue(tables.contains("headline") && tables.contains("runs"), "headline and runs tables: " + tables);
        assertOpensInBrowser(html, images.size());
        return images;
    }

    /**
     * Opens the page from its file URL in a headless browser that reports every HTML parser error and
     * warning, CSS problem and script error, and asks the browser for each image's decoded size.
     *
     * @param html the page
     * @param expectedImages how many images the page must show
     */
    public static void assertOpensInBrowser(Path html, int expectedImages) throws Exception {
        List<String> complaints = new ArrayList<>();
        try (WebClient browser = new WebClient(BrowserVersion.FIREFOX)) {
            browser.getOptions().setCssEnabled(true);
            browser.getOptions().setJavaScriptEnabled(true);
            browser.getOptions().setThrowExceptionOnScriptError(true);
            browser.getOptions().setDownloadImages(true);
            browser.setHTMLParserListener(new HTMLParserListener() {
                @Override
                public void error(String message, java.net.URL url, String source, int line, int column,
                        String key) {
                    complaints.add("HTML error " + line + ":" + column + " " + message);
                }

                @Override
                public void warning(String message, java.net.URL url, String source, int line, int column,
                        String key) {
                    complaints.add("HTML warning " + line + ":" + column + " " + message);
                }
            });
            browser.setCssErrorHandler(new CSSErrorHandler() {
                @Override
                public void warning(CSSParseException e) {
                    complaints.add("CSS warning " + e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
                }

                @Override
                public void error(CSSParseException e) {
                    complaints.add("CSS error " + e.getLineNumber() + ":" + e.getColumnNumber() + " " + e.getMessage());
                }

                @Override
                public void fatalError(CSSParseException e) {
                    error(e);
                }
            });
            HtmlPage page = browser.getPage(html.toUri().toURL());
            assertTrue(complaints.isEmpty(), "the browser complained: " + complaints);
            assertTrue(page.getTitleText().startsWith("Sweep report"), "title: " + page.getTitleText());
            List<HtmlImage> shown = page.getByXPath("//img");
            assertEquals(expectedImages, shown.size(), "images in the browser's DOM");
            for (HtmlImage img : shown) {
                String alt = img.getAltAttribute();
                assertTrue(!alt.isBlank(), "every image has alt text");
                IntDimension2D size;
                try (ImageData data = img.getImageData()) {
                    assertNotNull(data, "the browser could not load image '" + alt + "'");
                    size = data.getWidthHeight();
                } catch (IOException e) {
                    throw new AssertionError("the browser could not decode image '" + alt + "': " + e.getMessage(), e);
                }
                assertTrue(size.getWidth() > 0 && size.getHeight() > 0,
                        "the browser decoded image '" + alt + "' as " + size.getWidth() + "x" + size.getHeight());
            }
        }
    }
}
