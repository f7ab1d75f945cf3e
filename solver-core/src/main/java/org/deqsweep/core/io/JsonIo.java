package org.deqsweep.core.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqsweep.core.data.Dataset;
import org.deqsweep.core.model.Params;
import org.deqsweep.core.train.CurvePoint;
import org.deqsweep.core.train.ResultFields;
import org.deqsweep.core.train.RunResult;
import org.ejml.data.DMatrixRMaj;

/**
 * JSON and YAML for configs, results and dumps. Doubles are written in Java's shortest round-trip
 * form, so NumPy or pandas read back the same bits; NaN and infinities are written as null.
 */
public final class JsonIo {
    /** Shared JSON mapper (thread-safe once configured). */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());

    private JsonIo() {
    }

    /** Reads a YAML or JSON file (by extension; .json is JSON, anything else YAML) as a map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory; expected a YAML or JSON file");
        }
        ObjectMapper mapper = file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? JSON : YAML;
        Object v = mapper.readValue(file.toFile(), Object.class);
        if (!(v instanceof Map<?, ?>)) {
            throw new IOException(file + " does not hold a map of keys to values (found "
                    + (v == null ? "nothing" : v.getClass().getSimpleName()) + ")");
        }
        return (Map<String, Object>) v;
    }

    /** A double for JSON: null when NaN or infinite. */
    /** A field's value as JSON writes it: a non-finite double is null. */
    private static <T> Object json(ResultFields.Field<T> f, T t) {
        Object v = f.get().apply(t);
        return f.kind() == ResultFields.Kind.DOUBLE ? num((Double) v) : v;
    }

    public static Double num(double v) {
        return Double.isFinite(v) ? v : null;
    }

    public static List<List<Double>> rows(DMatrixRMaj m) {
        List<List<Double>> out = new ArrayList<>(m.numRows);
        for (int i = 0; i < m.numRows; i++) {
            List<Double> row = new ArrayList<>(m.numCols);
            for (int j = 0; j < m.numCols; j++) {
                row.add(num(m.get(i, j)));
            }
            out.add(row);
        }
        return out;
    }

    public static List<Double> vector(DMatrixRMaj m) {
        List<Double> out = new ArrayList<>(m.getNumElements());
        for (int i = 0; i < m.getNumElements(); i++) {
            out.add(num(m.data[i]));
        }
        return out;
    }

    /** {A, W, b, v} with A and W as nested row arrays, b and v as flat arrays. */
    public static Map<String, Object> params(Params p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("A", rows(p.A));
        m.put("W", rows(p.W));
        m.put("b", vector(p.b));
        m.put("v", vector(p.v));
        return m;
    }

    /** The run result as a JSON object with snake_case keys (the sweep's runs columns) and its curve. */
    public static Map<String, Object> result(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", r.runId());
        for (ResultFields.Field<RunResult> f : ResultFields.RUN) {
            m.put(f.name(), json(f, r));
        }
        List<Map<String, Object>> curve = new ArrayList<>();
        for (CurvePoint c : r.curve()) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (ResultFields.Field<CurvePoint> f : ResultFields.CURVE) {
                row.put(f.name(), json(f, c));
            }
            curve.add(row);
        }
        m.put("curve", curve);
        return m;
    }

    /** Reads {x: rows, y: values} (or a dump's {data: {x, y}}) into a Dataset. */
    public static Dataset dataset(Map<String, Object> json, String source) {
        Map<String, Object> d = json.containsKey("data") && json.get("data") instanceof Map<?, ?> ? map(json.get("data"), source + ".data") : json;
        DMatrixRMaj x = matrix(d.get("x"), source + ".x");
        DMatrixRMaj y = column(d.get("y"), source + ".y");
        if (x.numRows != y.numRows) {
            throw new IllegalArgumentException(source + ": x has " + x.numRows + " rows but y has " + y.numRows + " values");
        }
        return new Dataset(x, y);
    }

    /** Reads {A, W, b, v} (or a dump's {init: {...}}) into Params, checking the shapes against m and d. */
    public static Params params(Map<String, Object> json, String source, int m, int d) {
        Map<String, Object> p = json.containsKey("init") && json.get("init") instanceof Map<?, ?> ? map(json.get("init"), source + ".init") : json;
        DMatrixRMaj a = matrix(p.get("A"), source + ".A");
        DMatrixRMaj w = matrix(p.get("W"), source + ".W");
        DMatrixRMaj b = p.containsKey("b") ? column(p.get("b"), source + ".b") : new DMatrixRMaj(m, 1);
        DMatrixRMaj v = column(p.get("v"), source + ".v");
        if (a.numRows != m || a.numCols != m || w.numRows != m || w.numCols != d || b.numRows != m || v.numRows != m) {
            throw new IllegalArgumentException(source + ": parameter shapes A " + a.numRows + "x" + a.numCols + ", W " + w.numRows
                    + "x" + w.numCols + ", b " + b.numRows + ", v " + v.numRows + " do not match width " + m + " and d " + d
                    + " (expected A " + m + "x" + m + ", W " + m + "x" + d + ", b and v of length " + m + ")");
        }
        return new Params(a, w, b, v);
    }

    /** Reads CSV rows of numbers, the target in the last column; a first line that is not numeric is a header. */
    public static Dataset csv(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        int lineNo = 0;
        int cols = -1;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split("\\s*,\\s*");
            double[] row = new double[parts.length];
            try {
                for (int j = 0; j < parts.length; j++) {
                    row[j] = Double.parseDouble(parts[j]);
                }
            } catch (NumberFormatException e) {
                if (rows.isEmpty() && cols < 0) {
                    cols = parts.length;
                    continue;
                }
                throw new IOException(file + " line " + lineNo + ": not a number in '" + t + "'; expected comma-separated numbers, target last");
            }
            if (cols >= 0 && parts.length != cols || !rows.isEmpty() && rows.get(0).length != parts.length) {
                throw new IOException(file + " line " + lineNo + ": " + parts.length + " columns, expected " + (cols >= 0 ? cols : rows.get(0).length));
            }
            if (parts.length < 2) {
                throw new IOException(file + " line " + lineNo + ": need at least one input column and the target");
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new IOException(file + " holds no data rows");
        }
        int n = rows.size();
        int d = rows.get(0).length - 1;
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        DMatrixRMaj y = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            double[] r = rows.get(i);
            System.arraycopy(r, 0, x.data, i * d, d);
            y.data[i] = r[d];
        }
        return new Dataset(x, y);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String path) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(path + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    private static DMatrixRMaj matrix(Object o, String path) {
        if (!(o instanceof List<?> rows) || rows.isEmpty()) {
            throw new IllegalArgumentException(path + ": expected a non-empty array of rows");
        }
        int cols = -1;
        DMatrixRMaj out = null;
        for (int i = 0; i < rows.size(); i++) {
            if (!(rows.get(i) instanceof List<?> row)) {
                throw new IllegalArgumentException(path + "[" + i + "]: expected an array of numbers");
            }
            if (cols < 0) {
                cols = row.size();
                out = new DMatrixRMaj(rows.size(), cols);
            } else if (row.size() != cols) {
                throw new IllegalArgumentException(path + "[" + i + "]: " + row.size() + " values, expected " + cols + " like row 0");
            }
            for (int j = 0; j < cols; j++) {
                out.set(i, j, number(row.get(j), path + "[" + i + "][" + j + "]"));
            }
        }
        return out;
    }

    private static DMatrixRMaj column(Object o, String path) {
        if (!(o instanceof List<?> vals)) {
            throw new IllegalArgumentException(path + ": expected an array of numbers");
        }
        DMatrixRMaj out = new DMatrixRMaj(vals.size(), 1);
        for (int i = 0; i < vals.size(); i++) {
            Object x = vals.get(i);
            if (x instanceof List<?> one && one.size() == 1) {
                x = one.get(0);
            }
            out.data[i] = number(x, path + "[" + i + "]");
        }
        return out;
    }

    private static double number(Object o, String path) {
        if (o instanceof Number num) {
            return num.doubleValue();
        }
        throw new IllegalArgumentException(path + ": expected a number, found " + (o == null ? "null" : o.toString()));
    }
}
