package dev.grustream.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.TimeZone;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

class ForecastChartTest {

    @Test
    void pointsInTheHourRepeatedWhenTheMachinesClocksGoBackAreAllDrawnOnAUtcAxis() {
        // Paris goes back from 03:00 to 02:00 at 01:00 UTC: 00:30 and 01:30 UTC are both 02:30 there.
        long first = Instant.parse("2026-10-25T00:30:00Z").toEpochMilli();
        long second = Instant.parse("2026-10-25T01:30:00Z").toEpochMilli();
        PlotData data = new PlotData(1);
        data.add("speed", new PlotData.Point(first, 1.0, Double.NaN, Double.NaN, Double.NaN, false));
        data.add("speed", new PlotData.Point(second, 2.0, Double.NaN, Double.NaN, Double.NaN, false));
        TimeZone machines = TimeZone.getDefault();
        CombinedDomainXYPlot plot;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Europe/Paris"));
            plot = ForecastChart.plot(data);
        } finally {
            TimeZone.setDefault(machines);
        }

        XYDataset actual = plot.getSubplots().get(0).getDataset(0);
        assertThat(actual.getItemCount(0)).isEqualTo(2);
        assertThat(actual.getXValue(0, 0)).isEqualTo((double) first);
        assertThat(actual.getXValue(0, 1)).isEqualTo((double) second);
        assertThat(((DateAxis) plot.getDomainAxis()).getTimeZone().getID()).isEqualTo("UTC");
    }
}
