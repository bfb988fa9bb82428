package deepalign.report;

import deepalign.DeepalignException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvTest {

    @Test
    void formatsHeaderRowsAndQuotesOnlyWhenNeeded() {
        String csv = Csv.format(List.of("position", "asr", "note"), List.of(
                List.of(0, 0.5, "plain"),
                Arrays.asList(1, 1.0E-5, null),
                List.of(2, 0.25, "has, comma"),
                List.of(3, 0.0, "say \"hi\"\nnext line")));
        assertThat(csv).isEqualTo("position,asr,note\n"
                + "0,0.5,plain\n"
                + "1,1.0E-5,\n"
                + "2,0.25,\"has, comma\"\n"
                + "3,0.0,\"say \"\"hi\"\"\nnext line\"\n");
    }

    @Test
    void refusesNonFiniteNumbersAndRaggedRows() {
        assertThatThrownBy(() -> Csv.format(List.of("p", "asr"), List.of(List.of(0, 0.1), List.of(1, Double.NaN))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1").hasMessageContaining("'asr'").hasMessageContaining("finite");
        assertThatThrownBy(() -> Csv.format(List.of("p", "asr"), List.of(List.of(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 cells");
    }

    @Test
    void writesAtomicallyReplacingOldContentAndLeavingNoTempFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub").resolve("per_position.csv");
        Csv.write(file, List.of("a"), List.of(List.of(1), List.of(2)));
        Csv.write(file, List.of("a"), List.of(List.of(3)));
        assertThat(Files.readString(file)).isEqualTo("a\n3\n");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writtenFilesGetTheUsualPermissionsNotTempFileOnes(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions are not supported here");
        Path reference = Files.createFile(dir.resolve("reference"));
        Path file = dir.resolve("t.csv");
        Csv.write(file, List.of("a"), List.of());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(reference));
    }

    @Test
    void failedWriteNamesTheFileAndCleansUp(@TempDir Path dir) throws IOException {
        // A non-empty directory cannot be replaced by a file, so the final rename fails.
        Path target = dir.resolve("blocked.csv");
        Files.createDirectories(target.resolve("inside"));
        assertThatThrownBy(() -> Csv.write(target, List.of("a"), List.of(List.of(1))))
                .isInstanceOf(DeepalignException.class).hasMessageContaining("blocked.csv");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }
}
