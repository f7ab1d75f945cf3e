package org.deqsweep.sweep.spec;

import static org.deqsweep.sweep.spec.SpecParser.MAX_ALIASES;
import static org.deqsweep.sweep.spec.SpecParser.MAX_CODE_POINTS;
import static org.deqsweep.sweep.spec.SpecParser.MAX_DEPTH;
import static org.deqsweep.sweep.spec.SpecParser.MAX_NODES;
import static org.deqsweep.sweep.spec.SpecParser.MAX_SPEC_BYTES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deqsweep.core.config.ConfigSchema;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Loads spec text into plain values: maps (LinkedHashMap, in document order), lists (ArrayList) and
 * scalars, with the path of each value tracked for messages. Hostile input is refused quickly, within
 * {@link SpecParser}'s limits: a file of more than {@value SpecParser#MAX_SPEC_BYTES} bytes or not
 * strict UTF-8, text past {@value SpecParser#MAX_CODE_POINTS} code points, nesting deeper than
 * {@value SpecParser#MAX_DEPTH} levels, and aliases beyond {@value SpecParser#MAX_ALIASES} uses or
 * {@value SpecParser#MAX_NODES} values once expanded. The aliases are expanded here because Jackson's
 * streaming parser reports each as its anchor's name, so a "billion laughs" document stops at once.
 * Duplicate keys, a second document and YAML's .nan and .inf are refused too.
 */
final class SpecYaml {

    private static final YAMLFactory YAML = yamlFactory();
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) '(.*)'", Pattern.DOTALL);

    private SpecYaml() {
    }

    private static YAMLFactory yamlFactory() {
        LoaderOptions lo = new LoaderOptions();
        lo.setMaxAliasesForCollections(MAX_ALIASES);
        lo.setCodePointLimit(MAX_CODE_POINTS);
        lo.setAllowDuplicateKeys(false);
        lo.setNestingDepthLimit(MAX_DEPTH + 2);
        return YAMLFactory.builder().loaderOptions(lo).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
    }

    /**
     * The text of a spec file: at most {@value SpecParser#MAX_SPEC_BYTES} bytes of strict UTF-8.
     *
     * @throws SpecException when the file is missing, a directory, too large, unreadable or not UTF-8
     */
    static String readFile(Path file) {
        String where = file.toString();
        if (Files.isDirectory(file)) {
            throw new SpecException(where, "a directory", "the path of a YAML spec file");
        }
        if (!Files.exists(file)) {
            throw new SpecException(where, "no such file", "the path of an existing YAML spec file");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_SPEC_BYTES) {
                throw new SpecException(where, "a file of " + size + " bytes", "a spec of at most " + MAX_SPEC_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SpecException(where, "a file that cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                    "a readable YAML spec file");
        }
        if (bytes.length > MAX_SPEC_BYTES) {
            throw new SpecException(where, "a file of " + bytes.length + " bytes", "a spec of at most " + MAX_SPEC_BYTES + " bytes");
        }
        return decodeUtf8(bytes, where);
    }

    /**
     * The spec text as its top-level map, refused unless it is one YAML document holding a map.
     *
     * @param yamlText   the spec; a leading byte order mark is ignored
     * @param sourceName where it came from, for messages
     */
    static Map<String, Object> load(String yamlText, String sourceName) {
        if (yamlText.length() > MAX_CODE_POINTS) {
            throw new SpecException(sourceName, "a spec of " + yamlText.length() + " characters",
                    "a spec of at most " + MAX_CODE_POINTS + " characters");
        }
        String text = yamlText.startsWith("\uFEFF") ? yamlText.substring(1) : yamlText;
        Object root = read(text, sourceName, "");
        if (!(root instanceof Map<?, ?> map)) {
            throw new SpecException(sourceName, root == null ? "an empty document" : ConfigSchema.describe(root),
                    "a YAML map with the keys " + String.join(", ", SweepSpec.TOP_LEVEL_KEYS));
        }
        return cast(map);
    }

    /** A map of the loaded tree, typed: every map read here (and every map added to it) has String keys. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Strict UTF-8: the first malformed byte is refused with its offset and line. */
    static String decodeUtf8(byte[] bytes, String where) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) {
            r = dec.flush(out);
        }
        if (r.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new SpecException(where, String.format(Locale.ROOT, "bytes that are not UTF-8 at byte offset %d (0x%02x, line %d)",
                    offset, bytes[offset] & 0xff, line), "a UTF-8 text file");
        }
        out.flip();
        return out.toString();
    }

    /**
     * Parses one YAML document into maps (LinkedHashMap), lists (ArrayList) and scalars.
     *
     * @param source   where the text came from, the path of a refusal at the document's root
     * @param rootPath the spec path of the document's value: empty for a whole spec, the path of an override
     */
    static Object read(String text, String source, String rootPath) {
        YamlReader r = new YamlReader(source, rootPath);
        try (YAMLParser p = (YAMLParser) YAML.createParser(text)) {
            r.p = p;
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Object v = r.value(t, rootPath, 0);
            r.path = rootPath;
            if (p.nextToken() != null) {
                throw new SpecException(rootPath.isEmpty() ? source : rootPath, "a second YAML document (---)", "a single YAML document");
            }
            return v;
        } catch (JsonProcessingException e) {
            throw r.translate(e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof SpecException s) {
                throw s;
            }
            throw new SpecException(r.where(), "malformed YAML (" + oneLine(e.getMessage()) + ")", "well-formed YAML");
        }
    }

    /** Walks Jackson's YAML tokens, tracking the path for messages and expanding aliases within limits. */
    private static final class YamlReader {
        final String source;
        final String rootPath;
        YAMLParser p;
        String path;
        int aliases;
        long nodes;
        final Map<String, Object> anchors = new HashMap<>();
        final Map<String, Long> anchorNodes = new HashMap<>();

        YamlReader(String source, String rootPath) {
            this.source = source;
            this.rootPath = rootPath;
            this.path = rootPath;
        }

        String where() {
            return path.isEmpty() ? source : path;
        }

        Object value(JsonToken t, String at, int depth) throws IOException {
            path = at;
            if (depth > MAX_DEPTH) {
                throw new SpecException(where(), "maps or lists nested deeper than " + MAX_DEPTH, "at most " + MAX_DEPTH + " levels");
            }
            String anchor = p.getObjectId();
            long before = nodes;
            Object v;
            switch (t) {
                case START_OBJECT: {
                    Map<String, Object> m = new LinkedHashMap<>();
                    while (true) {
                        path = at;
                        JsonToken k = p.nextToken();
                        if (k == JsonToken.END_OBJECT) {
                            break;
                        }
                        String key = p.currentName();
                        String child = at.isEmpty() ? key : at + "." + key;
                        Object x = value(p.nextToken(), child, depth + 1);
                        if (m.containsKey(key)) {
                            throw duplicate(child);
                        }
                        m.put(key, x);
                    }
                    v = m;
                    break;
                }
                case START_ARRAY: {
                    List<Object> l = new ArrayList<>();
                    while (true) {
                        path = at;
                        JsonToken e = p.nextToken();
                        if (e == JsonToken.END_ARRAY) {
                            break;
                        }
                        l.add(value(e, at + "[" + l.size() + "]", depth + 1));
                    }
                    v = l;
                    break;
                }
                case VALUE_STRING:
                    v = p.isCurrentAlias() ? alias(p.getText()) : p.getText();
                    break;
                case VALUE_NUMBER_INT:
                    v = p.getNumberValue();
                    break;
                case VALUE_NUMBER_FLOAT:
                    try {
                        double d = p.getDoubleValue();
                        if (!Double.isFinite(d)) {
                            throw nonFinite(p.getText());
                        }
                        v = d;
                    } catch (JsonProcessingException e) {
                        throw nonFinite(p.getText());
                    }
                    break;
                case VALUE_TRUE:
                    v = Boolean.TRUE;
                    break;
                case VALUE_FALSE:
                    v = Boolean.FALSE;
                    break;
                case VALUE_NULL:
                    v = null;
                    break;
                default:
                    throw new SpecException(where(), "an unsupported YAML value (" + t + ")", "maps, lists, strings, numbers, booleans");
            }
            nodes++;
            checkBudget();
            if (anchor != null) {
                anchors.put(anchor, v);
                anchorNodes.put(anchor, nodes - before);
            }
            return v;
        }

        private Object alias(String name) {
            if (!anchors.containsKey(name)) {
                throw new SpecException(where(), "the alias *" + name + " with no anchor &" + name + " before it", "aliases to earlier anchors");
            }
            if (++aliases > MAX_ALIASES) {
                throw new SpecException(where(), "more than " + MAX_ALIASES + " aliases (*" + name + ")",
                        "at most " + MAX_ALIASES + " aliases in a spec");
            }
            nodes += anchorNodes.get(name) - 1;
            checkBudget();
            return deepCopy(anchors.get(name));
        }

        private void checkBudget() {
            if (nodes > MAX_NODES) {
                throw new SpecException(where(), "a document of more than " + MAX_NODES + " values once its aliases are expanded",
                        "at most " + MAX_NODES + " values");
            }
        }

        private SpecException nonFinite(String literal) {
            return new SpecException(where(), "'" + literal + "' (not a finite number)", "a finite number (YAML .nan and .inf are refused)");
        }

        private SpecException duplicate(String at) {
            return new SpecException(at, "the key given twice", "each key once in a map");
        }

        SpecException translate(JsonProcessingException e) {
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            Matcher m = DUPLICATE.matcher(msg);
            if (m.find()) {
                return duplicate(path.isEmpty() ? m.group(1) : path + "." + m.group(1));
            }
            String loc = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            if (msg.contains("exceeds the limit")) {
                return new SpecException(source, "a document over the limit of " + MAX_CODE_POINTS + " code points",
                        "a spec of at most " + MAX_CODE_POINTS + " characters");
            }
            return new SpecException(where(), "malformed YAML" + loc + " (" + oneLine(msg) + ")", "well-formed YAML");
        }
    }

    private static Object deepCopy(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                c.put((String) e.getKey(), deepCopy(e.getValue()));
            }
            return c;
        }
        if (v instanceof List<?> l) {
            List<Object> c = new ArrayList<>(l.size());
            for (Object x : l) {
                c.add(deepCopy(x));
            }
            return c;
        }
        return v;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "no detail";
        }
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() > 200 ? t.substring(0, 197) + "..." : t;
    }
}
