package org.deqsweep.sweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart and encoded as PNG. Inputs are aggregated series only (a few
 * hundred points at most); nothing here reads tables. Every chart has a title, axis titles with units or
 * scale, and a legend.
 */
public final class Charts {
    public static final int LOSS_W = 640;
    public static final int LOSS_H = 420;
    public static final int WIDE_W = 760;
    public static final int WIDE_H = 480;
    /** Line charts with one legend entry per series below the plot. */
    public static final int TALL_H = 620;

    /** Distinct, colour-blind-friendly series colours (Okabe-Ito, then Tableau). */
    static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0), new Color(140, 86, 75),
        new Color(127, 127, 127), new Color(188, 189, 34)};

    /** How a line is drawn: solid with circles, dashed with diamonds, dotted with triangles, or a grey guide. */
    public enum Style { SOLID, DASHED, DOTTED, GUIDE }

    /**
     * A named series of points.
     *
     * @param colour index into {@link #PALETTE} (ignored for {@link Style#GUIDE}, drawn grey)
     */
    public record Line(String name, double[] x, double[] y, int colour, Style style) {
        public Line(String name, double[] x, double[] y) {
            this(name, x, y, 0, Style.SOLID);
        }

        /** A line through {@code points}, each {x, y}. */
        public static Line of(String name, List<double[]> points, int colour, Style style) {
            return new Line(name, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray(), colour, style);
        }
    }

    private Charts() {
    }

    /** PNG bytes of a chart. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void common(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setAntiAlias(true);
        s.setSeriesColors(PALETTE);
    }

    private static void axes(AxesChartStyler s) {
        common(s);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setPlotBorderColor(new Color(160, 160, 160));
    }

    /**
     * Loss curves of one group: each seed thin, the median over the group's seeds thick.
     *
     * @param seeds per seed, positive losses at recorded steps
     * @param median the median loss over seeds at each recorded step
     * @param seedsLabel legend entry of the thin lines
     */
    public static XYChart lossCurves(String title, List<Line> seeds, Line median, String seedsLabel, String medianLabel) {
        XYChart c = new XYChartBuilder().width(LOSS_W).height(LOSS_H).title(title)
                .xAxisTitle("gradient-descent step").yAxisTitle("training loss (log scale)").build();
        AxesChartStyler s = c.getStyler();
        axes(s);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        s.setYAxisLogarithmic(true);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setMarkerSize(0);
        s.setXAxisDecimalPattern("#,##0");
        Color thin = new Color(0, 114, 178, 110);
        boolean first = true;
        for (Line l : seeds) {
            XYSeries x = c.addSeries(l.name(), l.x(), l.y());
            x.setMarker(SeriesMarkers.NONE);
            x.setLineColor(thin);
            x.setLineWidth(1f);
            x.setShowInLegend(first);
            if (first) {
                x.setLabel(seedsLabel);
            }
            first = false;
        }
        if (median != null && median.x().length > 0) {
            XYSeries m = c.addSeries(medianLabel, median.x(), median.y());
            m.setMarker(SeriesMarkers.NONE);
            m.setLineColor(new Color(213, 94, 0));
            m.setLineWidth(3f);
        }
        return c;
    }

    /**
     * A heatmap over step size (columns) and model size (rows), with the value printed in each cell.
     *
     * @param cells {column index, row index, value}; a missing cell is left blank
     */
    public static HeatMapChart heatmap(String title, String xTitle, String yTitle, List<String> xLabels, List<String> yLabels,
                                       List<Number[]> cells, String seriesName, double min, double max, boolean fraction) {
        HeatMapChart c = new HeatMapChartBuilder().width(WIDE_W).height(WIDE_H).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var s = c.getStyler();
        common(s);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setShowValue(true);
        s.setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
        s.setValueFontColor(Color.BLACK);
        // cells use the pattern, the colour legend the formatter
        double big = Math.max(Math.abs(min), Math.abs(max));
        s.setHeatMapValueDecimalPattern(fraction ? "0.00" : big >= 0.01 && big < 1000 ? "0.###" : "0.##E0");
        s.setHeatMapDecimalValueFormatter(v -> fraction ? String.format(Locale.ROOT, "%.2f", v) : fmt(v));
        // the colour legend prints min and max as given: round them outwards to 3 significant digits
        s.setMin(fraction ? min : round3(min, true));
        s.setMax(fraction ? max : round3(max, false));
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        // light to dark: the printed value stays readable on every cell
        s.setRangeColors(fraction
                ? new Color[] {new Color(255, 255, 255), new Color(253, 208, 162), new Color(241, 105, 19), new Color(166, 54, 3)}
                : new Color[] {new Color(247, 251, 255), new Color(158, 202, 225), new Color(66, 146, 198), new Color(8, 69, 148)});
        s.setValueFontColor(Color.BLACK);
        c.addSeries(seriesName, xLabels, yLabels, cells);
        return c;
    }

    /** Lines on optional log axes: solid with markers, or dashed without (guides and theory). */
    public static XYChart lines(String title, String xTitle, String yTitle, List<Line> lines, boolean logX, boolean logY) {
        XYChart c = new XYChartBuilder().width(WIDE_W).height(TALL_H).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        AxesChartStyler s = c.getStyler();
        axes(s);
        s.setXAxisLogarithmic(logX);
        s.setYAxisLogarithmic(logY);
        // label the 2x and 5x ticks too: a boundary between 0.04 and 3 would otherwise show only "1"
        s.setXAxisLogarithmicDecadeOnly(false);
        s.setYAxisLogarithmicDecadeOnly(false);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setMarkerSize(8);
        for (Line l : lines) {
            XYSeries x = c.addSeries(l.name(), l.x(), l.y());
            Color col = l.style() == Style.GUIDE ? Color.GRAY : PALETTE[l.colour() % PALETTE.length];
            x.setLineColor(col);
            x.setMarkerColor(col);
            switch (l.style()) {
                case SOLID:
                    x.setMarker(SeriesMarkers.CIRCLE);
                    x.setLineWidth(2f);
                    break;
                case DASHED:
                    x.setMarker(SeriesMarkers.DIAMOND);
                    x.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f));
                    break;
                case DOTTED:
                    x.setMarker(SeriesMarkers.TRIANGLE_UP);
                    x.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {1f, 4f}, 0f));
                    break;
                default:
                    x.setMarker(SeriesMarkers.NONE);
                    x.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f));
            }
        }
        return c;
    }

    /** Grouped bars: one category per family, one series per status, in the given colours. */
    public static CategoryChart bars(String title, String xTitle, String yTitle, List<String> categories,
                                     Map<String, List<Number>> seriesByName, Map<String, Color> colours) {
        CategoryChart c = new CategoryChartBuilder().width(WIDE_W).height(WIDE_H).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        var s = c.getStyler();
        axes(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLabelsVisible(true);
        s.setYAxisDecimalPattern("#,##0");
        s.setYAxisMin(0.0);
        for (Map.Entry<String, List<Number>> e : seriesByName.entrySet()) {
            CategorySeries x = c.addSeries(e.getKey(), new ArrayList<>(categories), e.getValue());
            Color col = colours.get(e.getKey());
            if (col != null) {
                x.setFillColor(col);
            }
        }
        return c;
    }

    static double round3(double v, boolean down) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, 2 - Math.floor(Math.log10(Math.abs(v))));
        return (down ? Math.floor(v * scale) : Math.ceil(v * scale)) / scale;
    }

    /** A number for a label: 3 significant digits, no trailing zeros, exponent form when small or large. */
    public static String fmt(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.3g", v);
            if (s.contains(".") && !s.contains("e")) {
                s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            return s;
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }
}
