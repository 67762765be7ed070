package dev.grustream.backtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Draws actual against forecast values, one panel per key, with the forecasts' intervals shaded and alerts marked,
 * as a PNG (JFreeChart).
 *
 * <p>Stateless and thread-safe.
 */
public final class ForecastChart {
    private static final int WIDTH = 1600;
    private static final int PANEL_HEIGHT = 320;
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    private ForecastChart() {
    }

    /** Writes the chart of {@code data} to {@code png}; {@code title} heads it. */
    public static void write(PlotData data, String title, Path png) throws IOException {
        CombinedDomainXYPlot plot = plot(data);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        int panels = Math.max(1, data.pointsByKey().size());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, 120 + panels * PANEL_HEIGHT);
    }

    /**
     * One panel per key over a time axis in UTC, as the axis says, whatever the machine's zone: in the machine's
     * zone, the hour repeated when clocks go back would put two points on one local time, and one would replace the
     * other.
     */
    static CombinedDomainXYPlot plot(PlotData data) {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new DateAxis("time (UTC)", UTC, Locale.ROOT));
        plot.setGap(12);
        for (Map.Entry<String, List<PlotData.Point>> entry : data.pointsByKey().entrySet()) {
            plot.add(panel(entry.getKey(), entry.getValue()));
        }
        return plot;
    }

    private static XYPlot panel(String key, List<PlotData.Point> points) {
        TimeSeries actual = new TimeSeries("actual");
        TimeSeries forecast = new TimeSeries("forecast");
        TimeSeries alerts = new TimeSeries("alert");
        YIntervalSeries band = new YIntervalSeries("interval");
        for (PlotData.Point point : points) {
            Millisecond time = new Millisecond(new Date(point.time()), UTC, Locale.ROOT);
            actual.addOrUpdate(time, point.actual());
            if (!Double.isNaN(point.forecast())) {
                forecast.addOrUpdate(time, point.forecast());
            }
            if (!Double.isNaN(point.lower()) && !Double.isNaN(point.upper())) {
                band.add(point.time(), point.forecast(), point.lower(), point.upper());
            }
            if (point.alert()) {
                alerts.addOrUpdate(time, point.actual());
            }
        }
        TimeSeriesCollection series = new TimeSeriesCollection(UTC);
        series.addSeries(actual);
        series.addSeries(forecast);
        series.addSeries(alerts);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xff7f0e));
        renderer.setSeriesStroke(1, new BasicStroke(1.0f));
        renderer.setSeriesPaint(2, Color.RED);
        renderer.setSeriesLinesVisible(2, false);
        renderer.setSeriesShapesVisible(2, true);
        renderer.setSeriesShape(2, new java.awt.geom.Ellipse2D.Double(-5, -5, 10, 10));
        NumberAxis values = new NumberAxis(key);
        values.setAutoRangeIncludesZero(false);
        XYPlot panel = new XYPlot(series, null, values, renderer);
        panel.setBackgroundPaint(Color.WHITE);
        panel.setRangeGridlinePaint(Color.LIGHT_GRAY);
        panel.setDomainGridlinePaint(Color.LIGHT_GRAY);
        YIntervalSeriesCollection intervals = new YIntervalSeriesCollection();
        intervals.addSeries(band);
        DeviationRenderer shading = new DeviationRenderer(false, false);
        shading.setSeriesFillPaint(0, new Color(0xff7f0e));
        shading.setAlpha(0.2f);
        panel.setDataset(1, intervals);
        panel.setRenderer(1, shading);
        return panel;
    }
}
