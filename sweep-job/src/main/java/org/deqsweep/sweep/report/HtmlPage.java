package org.deqsweep.sweep.report;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The report page: one self-contained HTML file, its images embedded as base64 PNG (the same bytes as
 * the PNG files written beside it), sections in the order they were added, skip lines where a plot does
 * not apply.
 */
public final class HtmlPage {
    /** One image with its caption. */
    public record Figure(String file, String caption, byte[] png) {
    }

    /** One section: heading, text, figures and skip lines. */
    public static final class Section {
        final String title;
        final List<String> text = new ArrayList<>();
        final List<Figure> figures = new ArrayList<>();
        final List<String> skips = new ArrayList<>();

        Section(String title) {
            this.title = title;
        }

        public Section text(String t) {
            text.add(t);
            return this;
        }

        public Section figure(Figure f) {
            figures.add(f);
            return this;
        }

        public Section skip(String why) {
            skips.add(why);
            return this;
        }
    }

    private final String title;
    private final List<String> banner = new ArrayList<>();
    private final List<String[]> facts = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();

    public HtmlPage(String title) {
        this.title = title;
    }

    /** A warning shown at the top (an incomplete sweep). */
    public void banner(String line) {
        banner.add(line);
    }

    /** A key/value line of the overview table. */
    public void fact(String key, String value) {
        facts.add(new String[] {key, value});
    }

    public Section section(String heading) {
        Section s = new Section(heading);
        sections.add(s);
        return s;
    }

    public String render() {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1600px;color:#222}\n")
                .append("h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\n")
                .append(".banner{background:#fff3cd;border:1px solid #e0c060;padding:.6em 1em;margin:.5em 0}\n")
                .append(".skip{color:#8a4b00;font-style:italic}\n")
                .append("table.facts td{padding:2px 12px 2px 0;vertical-align:top}\n")
                .append(".figs{display:flex;flex-wrap:wrap;gap:12px}\n")
                .append("figure{margin:0}figcaption{font-size:.85em;color:#555;max-width:760px}\n")
                .append("</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n");
        for (String s : banner) {
            b.append("<p class=\"banner\">").append(esc(s)).append("</p>\n");
        }
        if (!facts.isEmpty()) {
            b.append("<table class=\"facts\">\n");
            for (String[] f : facts) {
                b.append("<tr><td><b>").append(esc(f[0])).append("</b></td><td>").append(esc(f[1])).append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        for (Section s : sections) {
            b.append("<h2>").append(esc(s.title)).append("</h2>\n");
            for (String t : s.text) {
                b.append("<p>").append(esc(t)).append("</p>\n");
            }
            for (String k : s.skips) {
                b.append("<p class=\"skip\">Skipped: ").append(esc(k)).append("</p>\n");
            }
            if (!s.figures.isEmpty()) {
                b.append("<div class=\"figs\">\n");
                for (Figure f : s.figures) {
                    b.append("<figure><img alt=\"").append(esc(f.caption())).append("\" title=\"").append(esc(f.file()))
                            .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(f.png()))
                            .append("\"><figcaption>").append(esc(f.caption())).append(" (").append(esc(f.file()))
                            .append(")</figcaption></figure>\n");
                }
                b.append("</div>\n");
            }
        }
        return b.append("</body></html>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
