package deepalign.report;

import deepalign.AtomicFiles;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import deepalign.DeepalignException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one Jackson setup for reports: pretty-printed, and strict about numbers. JSON has no NaN or
 * Infinity; Jackson would quietly write them as strings, and a later reader would then see "NaN"
 * where it expects an ASR. We refuse them at the generator instead, naming the JSON path, so every
 * number in a report is finite.
 */
public final class JsonOut {
    private static final ObjectMapper MAPPER = new ObjectMapper(new FiniteJsonFactory())
            .enable(SerializationFeature.INDENT_OUTPUT);

    private JsonOut() {}

    /** The shared mapper; configured once, thread-safe. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Pretty JSON for {@code value}; refuses non-finite numbers. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw describe(e, "JSON");
        }
    }

    /** Writes {@code value} as pretty JSON to {@code file} atomically (temp file + rename). */
    public static void writeAtomic(Path file, Object value) {
        String json;
        try {
            json = MAPPER.writeValueAsString(value) + "\n";
        } catch (IOException e) {
            throw describe(e, file.toString());
        }
        AtomicFiles.write(file, json);
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(Files.readAllBytes(file), type);
        } catch (NoSuchFileException e) {
            throw new DeepalignException("JSON file " + file + " does not exist.", e);
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            String line = where == null ? "" : " line " + where.getLineNr();
            throw new DeepalignException("Could not read " + type.getSimpleName() + " from " + file + line + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DeepalignException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    private static DeepalignException describe(IOException e, String target) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NonFiniteNumber nf) {
                return new DeepalignException("Refusing to write " + target + ": " + nf.getOriginalMessage(), e);
            }
        }
        return new DeepalignException("Could not write " + target + ": " + e.getMessage(), e);
    }

    /** Thrown by the generator; an IOException so Jackson passes it up with its path intact. */
    private static final class NonFiniteNumber extends JsonGenerationException {
        NonFiniteNumber(String message, JsonGenerator g) {
            super(message, g);
        }
    }

    /** Wraps every generator it creates in {@link FiniteGenerator}. */
    private static final class FiniteJsonFactory extends JsonFactory {
        FiniteJsonFactory() {}

        private FiniteJsonFactory(FiniteJsonFactory src) {
            super(src, null);
        }

        @Override
        public JsonFactory copy() {
            return new FiniteJsonFactory(this);
        }

        @Override
        protected JsonGenerator _createGenerator(Writer out, IOContext ctxt) throws IOException {
            return new FiniteGenerator(super._createGenerator(out, ctxt));
        }

        @Override
        protected JsonGenerator _createUTF8Generator(OutputStream out, IOContext ctxt) throws IOException {
            return new FiniteGenerator(super._createUTF8Generator(out, ctxt));
        }
    }

    private static final class FiniteGenerator extends JsonGeneratorDelegate {
        FiniteGenerator(JsonGenerator d) {
            super(d, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            check(v);
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws IOException {
            check(v);
            super.writeNumber(v);
        }

        @Override
        public void writeArray(double[] array, int offset, int length) throws IOException {
            // The base class would bypass writeNumber(double) by writing straight to the delegate.
            writeStartArray(array, length);
            for (int i = offset; i < offset + length; i++) writeNumber(array[i]);
            writeEndArray();
        }

        private void check(double v) throws IOException {
            if (!Double.isFinite(v)) {
                throw new NonFiniteNumber("non-finite number " + v + " at " + pointer()
                        + "; reports must only hold finite numbers", this);
            }
        }

        /** JSON pointer of the value about to be written, e.g. /rows/3/asr. */
        private String pointer() {
            List<String> parts = new ArrayList<>();
            boolean innermost = true;
            for (JsonStreamContext c = getOutputContext(); c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) {
                    // The innermost array has not yet counted the value we are about to write.
                    parts.add(0, String.valueOf(innermost ? c.getEntryCount() : c.getCurrentIndex()));
                } else if (c.inObject()) {
                    parts.add(0, String.valueOf(c.getCurrentName()));
                }
                innermost = false;
            }
            return parts.isEmpty() ? "the top level" : "/" + String.join("/", parts);
        }
    }
}
