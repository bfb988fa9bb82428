package deepalign.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a report page (table + embedded plot) in headless Chromium and checks the screenshot shows both:
 * dark table text and the plot's coloured line. Skipped where Debian's chromium is not installed.
 */
class HtmlScreenshotTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path tmp;

    @Test
    void reportRendersTableAndPlotInChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not installed (apt-get install chromium); screenshot check skipped");
        double[] x = {1, 2, 3, 4, 5};
        byte[] png = Plots.pngBytes(Plots.linePlotChart("KL by position", "position", "KL",
                List.of(new Plots.Series("aligned", x, new double[] {1.8, 1.0, 0.6, 0.5, 0.4})), false));
        Path html = tmp.resolve("report.html");
        new HtmlReport().title("deepalign screenshot check")
                .table(List.of("method", "direct", "prefill_10"), List.of(List.of("aligned", "0.0%", "97.9%"), List.of("completion", "0.0%", "1.0%")))
                .image("plot", png)
                .write(html);
        Path shot = tmp.resolve("shot.png");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1000,1400", "--screenshot=" + shot, html.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("chromium.log").toFile())
                .start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(shot).exists();
        BufferedImage img = ImageIO.read(shot.toFile());
        int dark = 0;
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int xx = 0; xx < img.getWidth(); xx++) {
                int rgb = img.getRGB(xx, y);
                int r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
                if (r < 80 && g < 80 && b < 80) dark++;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) coloured++;
            }
        }
        assertThat(dark).as("table text pixels").isGreaterThan(500);
        assertThat(coloured).as("plot line pixels").isGreaterThan(200);
    }
}
