package deepalign.report;

import deepalign.AtomicFiles;

import deepalign.DeepalignException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Charts for reports, drawn with XChart and written as PNG (and optionally SVG).
 *
 * <p>Every figure exists in two forms: a {@code ...Chart} method that builds the chart (so it can be
 * embedded in an {@link HtmlReport} via {@link #pngBytes}), and a method that builds and writes it,
 * returning the written paths. Nothing here opens a window, so it runs on headless servers.
 */
public final class Plots {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    /** Band fill opacity (0-255): visible, yet the lines of other series show through it. */
    private static final int BAND_ALPHA = 60;

    static {
        // Must be set before AWT first initialises; charts are rendered off-screen only.
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {}

    /**
     * One line. {@code err}, when not null, is the half-width of a band drawn around the line
     * (for example a 95% interval), same length as {@code y}.
     */
    public record Series(String name, double[] x, double[] y, double[] err) {
        public Series {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("A series needs a name");
            if (x.length != y.length) {
                throw new IllegalArgumentException("Series '" + name + "' has " + x.length + " x values but "
                        + y.length + " y values");
            }
            if (err != null && err.length != y.length) {
                throw new IllegalArgumentException("Series '" + name + "' has " + err.length
                        + " err values but " + y.length + " y values");
            }
            if (x.length == 0) throw new IllegalArgumentException("Series '" + name + "' is empty");
            requireFinite(name, "x", x);
            requireFinite(name, "y", y);
            if (err != null) requireFinite(name, "err", err);
        }

        public Series(String name, double[] x, double[] y) {
            this(name, x, y, null);
        }
    }

    // ---------------------------------------------------------------- lines with bands

    /** Lines with shaded bands y +- err; writes {@code out}.png (and .svg) and returns the paths. */
    public static List<Path> linePlotWithBands(String title, String xLabel, String yLabel, List<Series> series,
                                               Path outWithoutExtension, boolean svgToo) {
        return save(linePlotWithBandsChart(title, xLabel, yLabel, series), outWithoutExtension, svgToo);
    }

    public static XYChart linePlotWithBandsChart(String title, String xLabel, String yLabel, List<Series> series) {
        XYChart chart = xyChart(title, xLabel, yLabel);
        Color[] palette = palette();
        // Bands first so every line is painted on top of every band.
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (s.err() != null) addBand(chart, s, withAlpha(palette[i % palette.length], BAND_ALPHA));
        }
        for (int i = 0; i < series.size(); i++) addLine(chart, series.get(i), palette[i % palette.length]);
        return chart;
    }

    // ---------------------------------------------------------------- plain lines (loss curves)

    /** Plain lines (bands in {@code err} are ignored); {@code logY} for losses spanning decades. */
    public static List<Path> linePlot(String title, String xLabel, String yLabel, List<Series> series, boolean logY,
                                      Path outWithoutExtension, boolean svgToo) {
        return save(linePlotChart(title, xLabel, yLabel, series, logY), outWithoutExtension, svgToo);
    }

    public static XYChart linePlotChart(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        XYChart chart = xyChart(title, xLabel, yLabel);
        if (logY) {
            for (Series s : series) {
                for (int i = 0; i < s.y().length; i++) {
                    if (s.y()[i] <= 0) {
                        throw new IllegalArgumentException("Series '" + s.name() + "' has y[" + i + "] = "
                                + s.y()[i] + ", which a logarithmic y axis cannot show");
                    }
                }
            }
            chart.getStyler().setYAxisLogarithmic(true);
        }
        Color[] palette = palette();
        for (int i = 0; i < series.size(); i++) addLine(chart, series.get(i), palette[i % palette.length]);
        return chart;
    }

    // ---------------------------------------------------------------- grouped bars

    /**
     * Grouped bars: one group per category (e.g. attack), one bar per entry of {@code values}
     * (e.g. method -> ASR per attack, in category order). Insertion order of {@code values} is kept.
     */
    public static List<Path> barChart(String title, String xLabel, String yLabel, List<String> categories,
                                      Map<String, double[]> values, Path outWithoutExtension, boolean svgToo) {
        return save(barChartChart(title, xLabel, yLabel, categories, values), outWithoutExtension, svgToo);
    }

    public static CategoryChart barChartChart(String title, String xLabel, String yLabel, List<String> categories,
                                              Map<String, double[]> values) {
        if (categories.isEmpty()) throw new IllegalArgumentException("Bar chart '" + title + "' has no categories");
        if (values.isEmpty()) throw new IllegalArgumentException("Bar chart '" + title + "' has no series");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        style(chart.getStyler());
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setYAxisDecimalPattern("0.###"); // XChart's default prints 0.05 as ".05"
        for (Map.Entry<String, double[]> e : new LinkedHashMap<>(values).entrySet()) {
            double[] v = e.getValue();
            if (v.length != categories.size()) {
                throw new IllegalArgumentException("Bar series '" + e.getKey() + "' has " + v.length
                        + " values but there are " + categories.size() + " categories");
            }
            requireFinite(e.getKey(), "value", v);
            List<Double> boxed = new ArrayList<>(v.length);
            for (double d : v) boxed.add(d);
            chart.addSeries(e.getKey(), categories, boxed);
        }
        return chart;
    }

    // ---------------------------------------------------------------- output

    /** The chart as PNG bytes, for embedding in HTML. */
    public static byte[] pngBytes(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new DeepalignException("Could not render chart '" + chart.getTitle() + "' as PNG: " + e.getMessage(), e);
        }
    }

    /** The chart as SVG text bytes. */
    public static byte[] svgBytes(Chart<?, ?> chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new DeepalignException("Could not render chart '" + chart.getTitle() + "' as SVG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Writes {@code out}.png, and {@code out}.svg when asked, atomically; returns the paths written. */
    public static List<Path> save(Chart<?, ?> chart, Path outWithoutExtension, boolean svgToo) {
        List<Path> written = new ArrayList<>();
        Path png = withExtension(outWithoutExtension, ".png");
        AtomicFiles.write(png, pngBytes(chart));
        written.add(png);
        if (svgToo) {
            Path svg = withExtension(outWithoutExtension, ".svg");
            AtomicFiles.write(svg, svgBytes(chart));
            written.add(svg);
        }
        return List.copyOf(written);
    }

    // ---------------------------------------------------------------- internals

    private static XYChart xyChart(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        style(chart.getStyler());
        return chart;
    }

    private static void style(AxesChartStyler styler) {
        // White plot area: the translucent bands then read as light tints of their line colour.
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setPlotGridLinesColor(new Color(0xe0e0e0));
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setAntiAlias(true);
        styler.setSeriesColors(palette());
    }

    private static void addLine(XYChart chart, Series s, Color color) {
        XYSeries line = chart.addSeries(s.name(), s.x(), s.y());
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setLineColor(color);
        line.setLineWidth(2f);
        line.setMarker(s.x().length <= 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        line.setMarkerColor(color);
    }

    /**
     * XChart has no fill-between, but a PolygonArea series fills the polygon through its points:
     * walk the upper edge left to right, then the lower edge right to left.
     */
    private static void addBand(XYChart chart, Series s, Color fill) {
        int n = s.x().length;
        double[] px = new double[2 * n];
        double[] py = new double[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = s.x()[i];
            py[i] = s.y()[i] + s.err()[i];
            px[2 * n - 1 - i] = s.x()[i];
            py[2 * n - 1 - i] = s.y()[i] - s.err()[i];
        }
        XYSeries band = chart.addSeries(s.name() + " (band)", px, py);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(fill);
        band.setLineColor(fill);
        band.setLineWidth(0.5f);
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
    }

    /** Matplotlib's tab10: distinct hues that most readers know from papers. */
    private static Color[] palette() {
        int[] rgb = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
        Color[] colors = new Color[rgb.length];
        for (int i = 0; i < rgb.length; i++) colors[i] = new Color(rgb[i]);
        return colors;
    }

    private static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static Path withExtension(Path outWithoutExtension, String ext) {
        return outWithoutExtension.resolveSibling(outWithoutExtension.getFileName() + ext);
    }

    private static void requireFinite(String name, String what, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("Series '" + name + "' has non-finite " + what + "[" + i + "] = "
                        + values[i] + "; charts only show finite numbers");
            }
        }
    }
}
