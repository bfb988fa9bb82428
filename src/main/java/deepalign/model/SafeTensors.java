package deepalign.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import deepalign.DeepalignException;
import deepalign.model.RawTensor.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the data.
 *
 * <p>{@link #open} reads and validates only the header; tensors are memory-mapped on demand. Every
 * size claimed by the file is checked against the real file size before anything is allocated, so a
 * corrupt or hostile file fails with a one-sentence error instead of an OutOfMemoryError.
 */
public final class SafeTensors {

    /** The reference implementation's limit on header size. */
    static final long MAX_HEADER_BYTES = 100L * 1000 * 1000;

    /** Strict JSON: duplicate keys are an error, not "last one wins". */
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Pretty printing like Python's {@code json.dumps(indent=2)}, which Hugging Face uses for its JSON files. */
    static final ObjectWriter PRETTY = JSON.writer(new PythonStylePrinter());

    /** Jackson's default printer writes {@code "key" : value}; Python writes {@code "key": value}. */
    private static final class PythonStylePrinter extends DefaultPrettyPrinter {
        PythonStylePrinter() {
            _objectIndenter = new DefaultIndenter("  ", "\n");
            _arrayIndenter = new DefaultIndenter("  ", "\n");
        }

        PythonStylePrinter(PythonStylePrinter base) {
            super(base);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new PythonStylePrinter(this);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }
    }

    /** Where one tensor lives; offsets are relative to the start of the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long[] shape() {
            return shape.clone();
        }
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries; // sorted by name
    private final Map<String, String> metadata;

    private SafeTensors(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    public Path file() {
        return file;
    }

    /** Tensor names to entries, sorted by name. */
    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Reads and validates the header of {@code file}; tensor bytes are not touched. */
    public static SafeTensors open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw error(file, "is truncated: it has " + fileSize + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.flip().getLong();
            // unsigned comparisons: a length with the top bit set is simply "too large"
            if (Long.compareUnsigned(n, fileSize - 8) > 0) {
                throw error(file, "declares a header length " + Long.toUnsignedString(n)
                        + " that exceeds the file size of " + fileSize + " bytes");
            }
            if (n > MAX_HEADER_BYTES) {
                throw error(file, "declares a header of " + n + " bytes, more than the 100 MB safetensors limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            return parseHeader(file, header.array(), 8 + n, fileSize);
        } catch (NoSuchFileException e) {
            throw new DeepalignException(file + " does not exist.", e);
        } catch (IOException e) {
            throw new DeepalignException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Convenience: open and read every tensor (memory-mapped, so this costs address space, not heap). */
    public static Map<String, RawTensor> readAll(Path file) {
        SafeTensors st = open(file);
        Map<String, RawTensor> out = new LinkedHashMap<>();
        for (String name : st.entries.keySet()) {
            out.put(name, st.tensor(name));
        }
        return out;
    }

    /** Maps one tensor's bytes read-only. */
    public RawTensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new DeepalignException(file + " has no tensor named " + name + ".");
        }
        long size = e.end() - e.begin();
        if (size > Integer.MAX_VALUE) {
            throw error(file, "holds tensor " + name + " of " + size
                    + " bytes; deepalign maps at most 2 GiB per tensor");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // the mapping stays valid after the channel is closed
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), size);
            return new RawTensor(name, e.dtype(), e.shape, buf);
        } catch (IOException ex) {
            throw new DeepalignException("cannot read tensor " + name + " from " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static SafeTensors parseHeader(Path file, byte[] header, long dataStart, long fileSize) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw error(file, "has a header that is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) {
            throw error(file, "has a header that is not a JSON object");
        }
        long dataSize = fileSize - dataStart;
        Map<String, Entry> entries = new TreeMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode v = field.getValue();
            if (name.equals("__metadata__")) {
                readMetadata(file, v, metadata);
                continue;
            }
            if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray()
                    || !v.path("data_offsets").isArray() || v.path("data_offsets").size() != 2) {
                throw error(file, "has a malformed header entry for tensor " + name
                        + " (needs dtype, shape and two data_offsets)");
            }
            DType dtype = DType.fromSafetensors(v.get("dtype").asText(), name, file);
            long[] shape = new long[v.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = nonNegativeLong(file, name, "shape", v.get("shape").get(i));
            }
            long begin = nonNegativeLong(file, name, "data_offsets", v.get("data_offsets").get(0));
            long end = nonNegativeLong(file, name, "data_offsets", v.get("data_offsets").get(1));
            long expected = expectedBytes(file, name, shape, dtype);
            if (end < begin) {
                throw error(file, "has tensor " + name + " with data_offsets [" + begin + ", " + end
                        + "] that end before they begin");
            }
            if (end - begin != expected) {
                throw error(file, "has tensor " + name + " of dtype " + dtype + " and shape " + Arrays.toString(shape)
                        + " which needs " + expected + " bytes, but its data_offsets span " + (end - begin));
            }
            if (end > dataSize) {
                throw error(file, "is truncated: tensor " + name + " ends at byte " + (dataStart + end)
                        + " but the file has " + fileSize + " bytes");
            }
            entries.put(name, new Entry(name, dtype, shape, begin, end));
        }
        checkNoOverlap(file, entries);
        return new SafeTensors(file, dataStart, entries, metadata);
    }

    private static void readMetadata(Path file, JsonNode v, Map<String, String> into) {
        if (!v.isObject()) {
            throw error(file, "has __metadata__ that is not a JSON object");
        }
        for (Map.Entry<String, JsonNode> m : v.properties()) {
            if (!m.getValue().isTextual()) {
                throw error(file, "has __metadata__ value for " + m.getKey() + " that is not a string");
            }
            into.put(m.getKey(), m.getValue().asText());
        }
    }

    private static long nonNegativeLong(Path file, String tensor, String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw error(file, "has tensor " + tensor + " whose " + field + " contains " + n
                    + ", not a non-negative integer");
        }
        return n.asLong();
    }

    private static long expectedBytes(Path file, String tensor, long[] shape, DType dtype) {
        try {
            return Math.multiplyExact(RawTensor.numel(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw error(file, "has tensor " + tensor + " with shape " + Arrays.toString(shape)
                    + " whose byte size overflows");
        }
    }

    private static void checkNoOverlap(Path file, Map<String, Entry> entries) {
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry prev = null;
        for (Entry e : byOffset) {
            // empty tensors occupy no bytes and cannot overlap anything
            if (e.begin() == e.end()) {
                continue;
            }
            if (prev != null && e.begin() < prev.end()) {
                throw error(file, "has overlapping tensors " + prev.name() + " [" + prev.begin() + ", " + prev.end()
                        + ") and " + e.name() + " [" + e.begin() + ", " + e.end() + ")");
            }
            prev = e;
        }
    }

    /**
     * Writes {@code tensors} (by element width, then by name) to {@code file} via a temp file in the same directory and an
     * atomic rename. Metadata defaults to {@code {"format": "pt"}}, which transformers expects.
     */
    public static void write(Path file, List<RawTensor> tensors, Map<String, String> metadata) {
        // like the reference writer: wider dtypes first, then by name, so every tensor is aligned to its element size
        List<RawTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingInt((RawTensor t) -> -t.dtype().bytes()).thenComparing(RawTensor::name));
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        if (metadata != null) {
            metadata.forEach(meta::put);
        }
        long offset = 0;
        Set<String> names = new HashSet<>();
        for (RawTensor t : sorted) {
            if (!names.add(t.name()) || t.name().equals("__metadata__")) {
                throw new DeepalignException("cannot write " + file + ": tensor name " + t.name()
                        + " is duplicated or reserved.");
            }
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().safetensorsName());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // pad with spaces so the data section starts 8-byte aligned, as the reference writer does
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        deepalign.AtomicFiles.write(file, ch -> {
            writeFully(ch, head);
            for (RawTensor t : sorted) {
                writeFully(ch, t.data());
            }
        });
    }

    // --- small file helpers shared by this package ---

    static void writeString(Path target, String text) {
        deepalign.AtomicFiles.write(target, text);
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            position += n;
        }
    }

    private static DeepalignException error(Path file, String problem) {
        return new DeepalignException(file + " " + problem + ".");
    }
}
