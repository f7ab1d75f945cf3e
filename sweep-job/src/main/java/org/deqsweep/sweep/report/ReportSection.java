package org.deqsweep.sweep.report;

import java.util.Optional;

/**
 * One section of the report page (DESIGN 6): its heading, its name (of its progress stage and its skip
 * line), whether it applies to this sweep, and how it draws itself.
 */
abstract class ReportSection {
    private final String heading;
    private final String name;

    ReportSection(String heading, String name) {
        this.heading = heading;
        this.name = name;
    }

    /** The heading on the page. */
    final String heading() {
        return heading;
    }

    /** The name in the progress line and in the skip line, e.g. "heatmaps". */
    final String name() {
        return name;
    }

    /** Why the section does not apply to this sweep, as its skip line says it; empty when it applies. */
    abstract Optional<String> whyNot(ReportContext c);

    /** Draws the section into {@code s}; a plot whose data turn out empty is still skipped with a line saying why. */
    abstract void render(ReportContext c, HtmlPage.Section s);
}
