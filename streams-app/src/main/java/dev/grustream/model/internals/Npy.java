package dev.grustream.model.internals;

import dev.grustream.model.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and writes NumPy {@code .npy} arrays of little-endian float32 or float64 values in C order.
 *
 * <p>Written by hand rather than using ND4J's reader because that one, measured with ND4J 1.0.0-M2.1, reads a
 * Fortran-ordered file as if it were C-ordered without a word (a transposed weight matrix would load silently)
 * and aborts the whole JVM with a native assertion on a big-endian file. Loading a model must instead refuse
 * such files with a message, and must not need native code when the pure-Java backend runs it. The format is
 * small: a magic string, a version, and a header that is a Python dict literal with three keys.
 *
 * <p>Stateless; thread-safe.
 */
public final class Npy {

    /** The element types this reader accepts, by their NumPy {@code descr}. */
    public enum DType {
        FLOAT32("<f4", 4),
        FLOAT64("<f8", 8);

        private final String descr;
        private final int bytes;

        DType(String descr, int bytes) {
            this.descr = descr;
            this.bytes = bytes;
        }

        /** The NumPy type string, for example {@code <f4}. */
        public String descr() {
            return descr;
        }
    }

    /**
     * A parsed array: its element type, its shape, and its values read from the file's bytes when asked for, so that
     * a float32 array costs one float[] besides those bytes (a model can hold 16 million parameters). It keeps a view
     * of the bytes given to {@link #read}, which must not change afterwards.
     */
    public static final class Array {
        private final DType dtype;
        private final int[] shape;
        private final ByteBuffer data;
        private final int count;

        private Array(DType dtype, int[] shape, ByteBuffer data, int count) {
            this.dtype = dtype;
            this.shape = shape;
            this.data = data;
            this.count = count;
        }

        public DType dtype() {
            return dtype;
        }

        public int[] shape() {
            return shape.clone();
        }

        /** The values as float32; exact for a FLOAT32 array. */
        public float[] floats() {
            float[] out = new float[count];
            ByteBuffer values = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                out[i] = dtype == DType.FLOAT32 ? values.getFloat() : (float) values.getDouble();
            }
            return out;
        }

        /** The values widened to double (float32 values widen exactly). */
        public double[] values() {
            double[] out = new double[count];
            ByteBuffer values = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                out[i] = dtype == DType.FLOAT32 ? values.getFloat() : values.getDouble();
            }
            return out;
        }
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern KEY = Pattern.compile("'([^']*)'\\s*:");

    private Npy() {
    }

    /**
     * Parses the bytes of a {@code .npy} file.
     *
     * @param file the file name used in error messages
     * @throws ModelFormatException if the bytes are not a C-ordered little-endian float32/float64 array
     */
    public static Array read(String file, byte[] bytes) throws ModelFormatException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new ModelFormatException(file + ": not a NumPy .npy file (expected the magic bytes \\x93NUMPY)");
        }
        int major = bytes[6] & 0xff;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = buffer.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new ModelFormatException(file + ": truncated .npy header");
            }
            headerLength = buffer.getInt(8);
            headerStart = 12;
        } else {
            throw new ModelFormatException(file + ": .npy format version expected 1, 2 or 3, found " + major);
        }
        if (headerLength < 0 || (long) headerStart + headerLength > bytes.length) {
            throw new ModelFormatException(file + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        DType dtype = parseDType(file, header);
        int[] shape = parseShape(file, header);
        checkKeys(file, header);
        int dataStart = headerStart + headerLength;
        int count = checkedCount(file, buffer, dataStart, dtype, shape);
        return new Array(dtype, shape, buffer.position(dataStart).slice(), count);
    }

    /** Encodes a float32 array of the given shape as a version 1.0 {@code .npy} file. */
    public static byte[] writeFloat32(int[] shape, float[] values) {
        if (elementCount(shape) != values.length) {
            throw new IllegalArgumentException("values: expected " + elementCount(shape) + " for shape "
                    + Arrays.toString(shape) + ", found " + values.length);
        }
        String dims = Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + (shape.length == 1 ? ",)" : ")")
                + ", }";
        // The header, newline included, is padded with spaces so the data starts at a multiple of 64 bytes.
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer out = ByteBuffer.allocate(padded + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float value : values) {
            out.putFloat(value);
        }
        return out.array();
    }

    private static DType parseDType(String file, String header) throws ModelFormatException {
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) {
            throw new ModelFormatException(file + ": .npy header has no 'descr': " + header.strip());
        }
        String found = descr.group(1);
        for (DType dtype : DType.values()) {
            // NumPy always writes an explicit byte order for multi-byte types, so only the exact strings match.
            if (dtype.descr.equals(found)) {
                return dtype;
            }
        }
        throw new ModelFormatException(file + ": dtype expected '<f4' (little-endian float32)"
                + " or '<f8', found '" + found + "'");
    }

    private static int[] parseShape(String file, String header) throws ModelFormatException {
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find()) {
            throw new ModelFormatException(file + ": .npy header has no 'fortran_order': " + header.strip());
        }
        if (fortran.group(1).equals("True")) {
            throw new ModelFormatException(file + ": fortran_order expected False (C order), found True;"
                    + " save with np.save(path, np.ascontiguousarray(array))");
        }
        Matcher shape = SHAPE.matcher(header);
        if (!shape.find()) {
            throw new ModelFormatException(file + ": .npy header has no 'shape': " + header.strip());
        }
        List<Integer> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int dim = parseDimension(trimmed);
            if (dim < 0) {
                throw new ModelFormatException(file + ": .npy shape has an invalid dimension '" + trimmed + "'");
            }
            dims.add(dim);
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Returns the dimension, or -1 when the text is not a non-negative int (Python 2 wrote longs as 3L). */
    private static int parseDimension(String text) {
        String digits = text.endsWith("L") ? text.substring(0, text.length() - 1) : text;
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(digits);
    }

    private static void checkKeys(String file, String header) throws ModelFormatException {
        Matcher key = KEY.matcher(header);
        Set<String> seen = new HashSet<>();
        while (key.find()) {
            String name = key.group(1);
            if (!name.equals("descr") && !name.equals("fortran_order") && !name.equals("shape")) {
                throw new ModelFormatException(file + ": unknown key '" + name + "' in .npy header");
            }
            if (!seen.add(name)) {
                // NumPy takes the last of a key given twice, the parsing here the first: refused rather than read
                // otherwise than NumPy reads it.
                throw new ModelFormatException(file + ": key '" + name + "' given twice in .npy header");
            }
        }
    }

    /** The number of values, after checking that the data holds exactly that many. */
    private static int checkedCount(String file, ByteBuffer buffer, int dataStart, DType dtype, int[] shape)
            throws ModelFormatException {
        long count = elementCount(shape);
        long expectedBytes = count * dtype.bytes;
        long foundBytes = buffer.capacity() - (long) dataStart;
        if (count > Integer.MAX_VALUE || expectedBytes != foundBytes) {
            throw new ModelFormatException(file + ": data length expected " + expectedBytes + " bytes for shape "
                    + Arrays.toString(shape) + ", found " + foundBytes);
        }
        return (int) count;
    }

    private static long elementCount(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            count *= dim;
        }
        return count;
    }
}
