package deepalign.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlotsTest {
    private static final double[] X = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final double[] Y = {0.9, 0.8, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.3, 0.28};
    private static final double[] ERR = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};

    @Test
    void bandPlotWritesPngAndSvg(@TempDir Path dir) throws IOException {
        List<Path> written = Plots.linePlotWithBands("ASR by prefill length", "prefilled tokens", "ASR",
                List.of(new Plots.Series("base", X, Y, ERR), new Plots.Series("repaired", X, half(Y), null)),
                dir.resolve("asr"), true);

        assertThat(written).containsExactly(dir.resolve("asr.png"), dir.resolve("asr.svg"));
        BufferedImage image = ImageIO.read(written.get(0).toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT);
        assertThat(countPixels(image, false)).isGreaterThan(1000);
        assertThat(Files.readString(written.get(1))).contains("<svg");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(written.toArray(Path[]::new));
        }
    }

    @Test
    void bandIsAShadedArea() {
        // The band is the first palette colour at low opacity over white: many pixels of that light tint
        // appear only when err is given.
        BufferedImage withBand = decode(Plots.pngBytes(Plots.linePlotWithBandsChart("t", "x", "y",
                List.of(new Plots.Series("s", X, Y, ERR)))));
        BufferedImage without = decode(Plots.pngBytes(Plots.linePlotWithBandsChart("t", "x", "y",
                List.of(new Plots.Series("s", X, Y, null)))));
        assertThat(countPixels(withBand, true)).isGreaterThan(20_000);
        assertThat(countPixels(without, true)).isLessThan(500);
    }

    @Test
    void lossCurvesOnLogAxis(@TempDir Path dir) throws IOException {
        double[] steps = {1, 2, 3, 4, 5};
        List<Path> written = Plots.linePlot("Training loss", "step", "loss",
                List.of(new Plots.Series("train", steps, new double[] {3, 1, 0.3, 0.1, 0.03}),
                        new Plots.Series("eval", steps, new double[] {3.2, 1.5, 0.6, 0.4, 0.35})),
                true, dir.resolve("loss"), false);
        assertThat(written).containsExactly(dir.resolve("loss.png"));
        BufferedImage image = ImageIO.read(written.get(0).toFile());
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH);
        assertThat(countPixels(image, false)).isGreaterThan(1000);

        assertThatThrownBy(() -> Plots.linePlotChart("t", "x", "y",
                List.of(new Plots.Series("bad", steps, new double[] {1, 0, 1, 1, 1})), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad'").hasMessageContaining("y[1]");
    }

    @Test
    void groupedBars(@TempDir Path dir) throws IOException {
        Map<String, double[]> asr = new LinkedHashMap<>();
        asr.put("base", new double[] {0.42, 0.61, 0.3});
        asr.put("repaired", new double[] {0.05, 0.08, 0.02});
        List<Path> written = Plots.barChart("ASR by attack", "attack", "ASR",
                List.of("prefill", "GCG", "decoding"), asr, dir.resolve("bars"), false);
        BufferedImage image = ImageIO.read(written.get(0).toFile());
        assertThat(image.getWidth()).isEqualTo(Plots.WIDTH);
        assertThat(image.getHeight()).isEqualTo(Plots.HEIGHT);
        assertThat(countPixels(image, false)).isGreaterThan(1000);

        assertThatThrownBy(() -> Plots.barChartChart("t", "x", "y", List.of("a", "b"), Map.of("m", new double[] {1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'m'");
    }

    @Test
    void seriesValidatesItsArrays() {
        assertThatThrownBy(() -> new Plots.Series("s", new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x values but 1 y");
        assertThatThrownBy(() -> new Plots.Series("s", new double[] {1}, new double[] {1}, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("err");
        assertThatThrownBy(() -> new Plots.Series("s", new double[] {1}, new double[] {Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("y[0]");
    }

    private static double[] half(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] / 2;
        return out;
    }

    private static BufferedImage decode(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Non-white pixels, or (bandTint) pixels close to tab10 blue at alpha 60 over white. */
    private static int countPixels(BufferedImage image, boolean bandTint) {
        int count = 0;
        for (int yy = 0; yy < image.getHeight(); yy++) {
            for (int xx = 0; xx < image.getWidth(); xx++) {
                int rgb = image.getRGB(xx, yy);
                int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (bandTint) {
                    if (Math.abs(r - 202) <= 6 && Math.abs(g - 223) <= 6 && Math.abs(b - 237) <= 6) count++;
                } else if (r < 250 || g < 250 || b < 250) {
                    count++;
                }
            }
        }
        return count;
    }
}
