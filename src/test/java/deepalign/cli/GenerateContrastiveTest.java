package deepalign.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `generate --contrast-base`: against itself contrastive decoding is the plain model; against another model it differs. */
class GenerateContrastiveTest {
    @TempDir
    Path tmp;

    private Path init(String name, String seed) {
        Path dir = tmp.resolve(name);
        Cli.Result r = Cli.run("model", "init", "--arch", "llama", "--hidden", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2",
                "--intermediate", "64", "--vocab", "64", "--seed", seed, "--out", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        return dir;
    }

    @Test
    void contrastAgainstItselfIsPlainGenerationAndAgainstAnotherModelDiffers() {
        Path a = init("a", "1");
        Path b = init("b", "2");
        String[] common = {"generate", "--model", a.toString(), "--prompt", "w1 w2 w3", "--max-new-tokens", "12"};
        Cli.Result plain = Cli.run(common);
        Cli.Result self = Cli.run(concat(common, "--contrast-base", a.toString(), "--alpha", "3"));
        Cli.Result other = Cli.run(concat(common, "--contrast-base", b.toString(), "--alpha", "3"));
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(self.exit()).as(self.err()).isZero();
        assertThat(other.exit()).as(other.err()).isZero();
        assertThat(self.out()).isEqualTo(plain.out());
        assertThat(other.out()).isNotEqualTo(plain.out());
        // a gate at 0 contrasts everywhere (Eq. 7 up to rounding); a gate alone, without a base, is bad input
        Cli.Result open = Cli.run(concat(common, "--contrast-base", b.toString(), "--alpha", "3", "--gate", "0"));
        assertThat(open.exit()).as(open.err()).isZero();
        assertThat(open.out()).isEqualTo(other.out());
        ModelCommandsTest.assertBadInput(Cli.run(concat(common, "--gate", "0.3")), "--gate only applies with --contrast-base");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
