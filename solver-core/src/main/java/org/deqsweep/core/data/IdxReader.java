package org.deqsweep.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.ejml.data.DMatrixRMaj;

/**
 * Reads IDX files (the MNIST format: big-endian magic 0x0000 08 nd, nd int32 sizes, unsigned bytes),
 * plain or gzipped. Images become rows of X scaled to [0, 1]; labels become classes and one-hot Y.
 */
public final class IdxReader {
    private IdxReader() {
    }

    /**
     * Reads the first {@code n} samples.
     *
     * @throws InvalidInputException naming the file and what is wrong with it
     */
    public static Dataset read(Path images, Path labels, int n, int d, int classes) {
        float[][] img = readImages(images, n, d);
        int[] lab = readLabels(labels, n, classes);
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x.data[i * d + j] = img[i][j];
            }
        }
        return new Dataset(x, Dataset.oneHot(lab, classes), lab);
    }

    private static InputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in), 1 << 16) : in;
    }

    private static int[] header(DataInputStream in, Path p, int expectDims) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08) {
            throw new InvalidInputException(p + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic)
                    + "; expected 0x00000801 for labels or 0x00000803 for images)");
        }
        if (dims != expectDims) {
            throw new InvalidInputException(p + ": IDX file with " + dims + " dimensions; expected " + expectDims);
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] < 0) {
                throw new InvalidInputException(p + ": negative size " + sizes[i] + " in the IDX header");
            }
        }
        return sizes;
    }

    private static float[][] readImages(Path p, int n, int d) {
        try (DataInputStream in = new DataInputStream(open(p))) {
            int[] s = header(in, p, 3);
            if (s[1] * s[2] != d) {
                throw new InvalidInputException(p + ": images are " + s[1] + "x" + s[2] + " = " + (s[1] * s[2])
                        + " pixels but the config says d = " + d + "; set d: " + (s[1] * s[2]));
            }
            if (s[0] < n) {
                throw new InvalidInputException(p + ": holds " + s[0] + " images but the config asks n = " + n);
            }
            float[][] out = new float[n][d];
            byte[] buf = new byte[d];
            for (int i = 0; i < n; i++) {
                in.readFully(buf);
                for (int j = 0; j < d; j++) {
                    out[i][j] = (buf[j] & 0xff) / 255.0f;
                }
            }
            return out;
        } catch (EOFException e) {
            throw new InvalidInputException(p + ": ends before its header's image count", e);
        } catch (IOException e) {
            throw new InvalidInputException(p + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static int[] readLabels(Path p, int n, int classes) {
        try (DataInputStream in = new DataInputStream(open(p))) {
            int[] s = header(in, p, 1);
            if (s[0] < n) {
                throw new InvalidInputException(p + ": holds " + s[0] + " labels but the config asks n = " + n);
            }
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = in.readUnsignedByte();
                if (out[i] >= classes) {
                    throw new InvalidInputException(p + ": label " + out[i] + " at sample " + i + " but outputs = " + classes
                            + "; set outputs to at least " + (out[i] + 1));
                }
            }
            return out;
        } catch (EOFException e) {
            throw new InvalidInputException(p + ": ends before its header's label count", e);
        } catch (IOException e) {
            throw new InvalidInputException(p + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
