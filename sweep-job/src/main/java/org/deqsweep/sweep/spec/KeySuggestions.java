package org.deqsweep.sweep.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.deqsweep.core.config.ConfigSchema;
import org.deqsweep.core.config.RunConfig;

/**
 * The "did you mean" of a refusal: the known key nearest to a mistyped one, by edit distance ignoring
 * case, {@code _}, {@code -} and {@code .}, and the "allowed" text that names it.
 */
final class KeySuggestions {

    private KeySuggestions() {
    }

    /** Every way a run key may be written: flat keys, dotted group keys, group names. */
    static List<String> runKeyCandidates() {
        List<String> c = new ArrayList<>();
        for (ConfigSchema.Field f : ConfigSchema.fields()) {
            c.add(f.key());
            String dotted = RunConfig.pathOf(f.key());
            if (!dotted.equals(f.key())) {
                c.add(dotted);
            }
        }
        return c;
    }

    static String runKeyAllowed(String given) {
        String hint = closest(given, runKeyCandidates());
        return hint != null ? "a run key; did you mean " + hint + "?" : "a run key, one of: " + RunConfig.keyList();
    }

    static String withHint(String allowed, String given, Collection<String> candidates) {
        String hint = closest(given, candidates);
        return hint == null ? allowed : allowed + "; did you mean " + hint + "?";
    }

    /** The candidate nearest to {@code given} by edit distance (ignoring case, '_' and '-'), when close enough. */
    static String closest(String given, Collection<String> candidates) {
        String g = normal(given);
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(g, normal(c));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        int limit = g.length() <= 3 ? 1 : g.length() <= 6 ? 2 : 3;
        return bestD <= limit ? best : null;
    }

    private static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
