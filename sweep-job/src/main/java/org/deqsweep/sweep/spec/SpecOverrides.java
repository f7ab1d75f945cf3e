package org.deqsweep.sweep.spec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.config.ConfigSchema;

/**
 * Applies {@code --set path=value} overrides to a spec's raw map, before it is validated. The value is
 * parsed as YAML flow ({@code grid.d=[8,16]}, {@code fixed.n=100}, {@code job.wave_size=50},
 * {@code refine.rounds=8}, {@code refine=null} (no refinement), {@code name=foo}); {@code grid.KEY} and
 * {@code fixed.KEY} move the key there, removing it from the other sections and the zip groups, and a
 * bare run key ({@code step_size=0.1} or {@code forward.tol=1e-8}) replaces it wherever it lives, in the
 * grid, a zip group or fixed, and otherwise goes to fixed. A path that names nothing is refused, with the nearest key when one is close.
 */
final class SpecOverrides {

    private SpecOverrides() {
    }

    /** Applies one {@code path=value} override to the raw spec map. */
    static void apply(Map<String, Object> root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new SpecException("--set " + override, "no path=value", "path=value, for example grid.d=[8,16] or fixed.n=100");
        }
        String pathText = override.substring(0, eq).trim();
        String valueText = override.substring(eq + 1);
        String[] seg = pathText.split("\\.", -1);
        for (String s : seg) {
            if (s.isEmpty()) {
                throw new SpecException("--set " + pathText, "an empty path segment", "a dotted path such as grid.d or job.wave_size");
            }
        }
        Object value = valueText.isBlank() ? "" : SpecYaml.read(valueText, "--set " + pathText, pathText);
        String top = seg[0];
        switch (top) {
            case "name":
            case "description":
            case "zip":
            case "exclude":
                if (seg.length != 1) {
                    throw unknownSetPath(pathText, top + " as a whole (zip and exclude take a list; a bare run key changes it inside its zip group)");
                }
                root.put(top, value);
                return;
            case "job":
                if (seg.length == 1) {
                    root.put(top, value);
                    return;
                }
                if (seg.length != 2 || !SpecValidator.JOB_KEYS.contains(seg[1])) {
                    throw new SpecException(pathText, "an unknown key (from --set)",
                            KeySuggestions.withHint("one of job." + String.join(", job.", SpecValidator.JOB_KEYS),
                                    seg.length == 2 ? seg[1] : pathText, SpecValidator.JOB_KEYS));
                }
                section(root, "job").put(seg[1], value);
                return;
            case "refine":
                if (seg.length == 1) {
                    root.put(top, value);
                    return;
                }
                if (seg.length != 2 || !SpecValidator.REFINE_KEYS.contains(seg[1])) {
                    throw new SpecException(pathText, "an unknown key (from --set)",
                            KeySuggestions.withHint("one of refine." + String.join(", refine.", SpecValidator.REFINE_KEYS),
                                    seg.length == 2 ? seg[1] : pathText, SpecValidator.REFINE_KEYS));
                }
                section(root, "refine").put(seg[1], value);
                return;
            case "grid":
            case "fixed": {
                if (seg.length == 1) {
                    root.put(top, value);
                    return;
                }
                String flat = flatKey(seg, 1);
                if (flat == null) {
                    String given = pathText.substring(top.length() + 1);
                    throw new SpecException(pathText, "an unknown key (from --set)", KeySuggestions.runKeyAllowed(given));
                }
                for (String other : List.of("grid", "fixed")) {
                    if (!other.equals(top) && root.get(other) instanceof Map<?, ?> m) {
                        removeRunKey(SpecYaml.cast(m), flat);
                    }
                }
                if (root.get("zip") instanceof List<?> zl) {
                    for (Iterator<?> it = zl.iterator(); it.hasNext();) {
                        Object g = it.next();
                        if (g instanceof Map<?, ?> gm) {
                            removeRunKey(SpecYaml.cast(gm), flat);
                            if (gm.isEmpty()) {
                                it.remove();
                            }
                        }
                    }
                }
                if (flat.equals("family")) {
                    root.remove("family");
                }
                Map<String, Object> sec = section(root, top);
                if (!replaceInSection(sec, flat, value)) {
                    sec.put(flat, value);
                }
                return;
            }
            default: {
                String flat = flatKey(seg, 0);
                if (flat == null) {
                    List<String> cands = new ArrayList<>(SweepSpec.TOP_LEVEL_KEYS);
                    cands.addAll(KeySuggestions.runKeyCandidates());
                    throw new SpecException(pathText, "an unknown path (from --set)",
                            KeySuggestions.withHint(
                                    "name, description, family, grid, zip, exclude, fixed, job, refine, grid.KEY, fixed.KEY,"
                                    + " job.KEY, refine.KEY or a run key",
                                    pathText, cands));
                }
                if (!replaceEverywhere(root, flat, value)) {
                    if (flat.equals("family")) {
                        root.put("family", value);
                    } else {
                        section(root, "fixed").put(flat, value);
                    }
                }
            }
        }
    }

    private static SpecException unknownSetPath(String pathText, String allowed) {
        return new SpecException(pathText, "an unknown path (from --set)", allowed);
    }

    private static Map<String, Object> section(Map<String, Object> root, String name) {
        Object s = root.get(name);
        if (s == null) {
            Map<String, Object> m = new LinkedHashMap<>();
            root.put(name, m);
            return m;
        }
        if (!(s instanceof Map<?, ?> m)) {
            throw new SpecException(name, ConfigSchema.describe(s), "a map");
        }
        return SpecYaml.cast(m);
    }

    /** The flat run key named by {@code seg[from..]}: {@code [d]} or {@code [forward, tol]}; null when none. */
    private static String flatKey(String[] seg, int from) {
        int n = seg.length - from;
        if (n == 1 && ConfigSchema.isKey(seg[from])) {
            return seg[from];
        }
        if (n == 2 && ConfigSchema.GROUPS.contains(seg[from]) && ConfigSchema.isKey(seg[from] + "_" + seg[from + 1])) {
            return seg[from] + "_" + seg[from + 1];
        }
        return null;
    }

    /** Replaces a run key's value in a section, in whichever form (flat or nested) it is written; false when absent. */
    private static boolean replaceInSection(Map<String, Object> sec, String flat, Object value) {
        boolean done = false;
        if (sec.containsKey(flat)) {
            sec.put(flat, value);
            done = true;
        }
        for (String g : ConfigSchema.GROUPS) {
            if (flat.startsWith(g + "_") && sec.get(g) instanceof Map<?, ?> gm && gm.containsKey(flat.substring(g.length() + 1))) {
                SpecYaml.cast(gm).put(flat.substring(g.length() + 1), value);
                done = true;
            }
        }
        return done;
    }

    private static void removeRunKey(Map<String, Object> sec, String flat) {
        sec.remove(flat);
        for (String g : ConfigSchema.GROUPS) {
            if (flat.startsWith(g + "_") && sec.get(g) instanceof Map<?, ?> gm) {
                gm.remove(flat.substring(g.length() + 1));
                if (gm.isEmpty()) {
                    sec.remove(g);
                }
            }
        }
    }

    private static boolean replaceEverywhere(Map<String, Object> root, String flat, Object value) {
        boolean done = false;
        if (root.get("grid") instanceof Map<?, ?> m) {
            done |= replaceInSection(SpecYaml.cast(m), flat, value);
        }
        if (root.get("zip") instanceof List<?> zl) {
            for (Object g : zl) {
                if (g instanceof Map<?, ?> gm) {
                    done |= replaceInSection(SpecYaml.cast(gm), flat, value);
                }
            }
        }
        if (root.get("fixed") instanceof Map<?, ?> m) {
            done |= replaceInSection(SpecYaml.cast(m), flat, value);
        }
        if (flat.equals("family") && root.containsKey("family")) {
            root.put("family", value);
            done = true;
        }
        return done;
    }
}
