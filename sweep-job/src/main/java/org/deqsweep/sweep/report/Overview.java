package org.deqsweep.sweep.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import org.deqsweep.sweep.store.OutputDir;
import org.deqsweep.sweep.store.SweepSource;

/**
 * The top of the page: the banner of an incomplete sweep, and the overview table of which sweep was read
 * from where, what its _sweep.json says, how many runs were read and which keys vary.
 */
final class Overview {
    private Overview() {
    }

    /** The source's notes (an incomplete sweep) as banner lines, and on the console. */
    static void notes(SweepSource src, HtmlPage page, PrintWriter console) {
        for (String n : src.notes()) {
            page.banner(n);
            console.println("report: note: " + n);
        }
    }

    /** The overview table. */
    static void facts(SweepSource src, SweepColumns sweep, HtmlPage page) {
        page.fact("sweep", src.name());
        page.fact("directory", src.dir().toString());
        page.fact("read from", src.kind() == SweepSource.Kind.TABLES ? "the runs and curves tables"
                : "the committed waves under " + OutputDir.WAVES + "/ (the tables are rebuilt when the sweep ends)");
        JsonNode m = src.manifest();
        if (m != null) {
            page.fact("status in _sweep.json", m.path("status").asText("?")
                    + (m.hasNonNull("started") ? ", started " + m.get("started").asText() : "")
                    + (m.hasNonNull("finished") ? ", finished " + m.get("finished").asText() : ", no end time"));
            if (m.hasNonNull("included_points")) {
                page.fact("grid points", m.path("included_points").asText() + " planned (grid size " + m.path("grid_size").asText("?") + ")");
            }
        }
        page.fact("runs read", Long.toString(sweep.runCount()));
        page.fact("varying keys", sweep.varying().isEmpty() ? "none" : String.join(", ", sweep.varying()));
    }
}
