package dev.inflight.lab.bench;

import dev.inflight.engine.MigrationPhase;
import dev.inflight.lab.bench.BenchResult.MethodResult;
import dev.inflight.workload.StatementLog;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The benchmark's PNG charts. */
final class Charts {
  private static final Color[] PHASE_COLORS = {
    new Color(255, 224, 178, 110),
    new Color(200, 230, 201, 110),
    new Color(187, 222, 251, 110),
    new Color(225, 190, 231, 110),
    new Color(255, 171, 145, 160),
    new Color(207, 216, 220, 110)
  };

  private final Path dir;

  Charts(Path dir) {
    this.dir = dir;
  }

  /**
   * {@code <file>.png} ({@code timeline-<rows>} for the default run): every application statement's
   * latency over the migration, on bands that show the phases, from the warm-up to the end of the
   * run.
   */
  void timeline(
      String file,
      String method,
      long rows,
      StatementLog log,
      InflightRun.Outcome o,
      long warmupMillis)
      throws IOException {
    long zero = o.startNanos();
    long from = zero - warmupMillis * 1_000_000;
    List<StatementLog.Entry> shown =
        log.all().stream().filter(e -> e.startNanos() >= from).toList();
    double top = 1;
    List<Double> wx = new ArrayList<>();
    List<Double> wy = new ArrayList<>();
    List<Double> rx = new ArrayList<>();
    List<Double> ry = new ArrayList<>();
    for (StatementLog.Entry e : shown) {
      double y = logScale(e.millis());
      top = Math.max(top, y);
      (e.kind().write() ? wx : rx).add(seconds(e.startNanos(), zero));
      (e.kind().write() ? wy : ry).add(y);
    }
    top = Math.ceil(top * 2) / 2 + 0.25;
    XYChart chart =
        new XYChartBuilder()
            .width(1400)
            .height(650)
            .title(
                String.format(
                    "%s on %,d rows: application statement latency through the migration",
                    Bench.INFLIGHT.equals(method) ? "Inflight" : method, rows))
            .xAxisTitle("seconds since inflight apply started")
            .yAxisTitle("statement latency (ms, log scale)")
            .build();
    style(chart);
    // A logarithmic axis cannot carry full-height phase bands, so the values are drawn as their
    // logarithm on a linear axis and the tick labels say milliseconds.
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(top);
    chart.getStyler().setyAxisTickLabelsFormattingFunction(Charts::millisLabel);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
    int i = 0;
    for (Map.Entry<MigrationPhase, long[]> p : o.phases().entrySet()) {
      double a = seconds(p.getValue()[0], zero);
      double b = Math.max(a + 0.02, seconds(p.getValue()[1], zero));
      XYSeries band =
          chart.addSeries(
              String.format("%s (%.2f s)", p.getKey(), (p.getValue()[1] - p.getValue()[0]) / 1e9),
              new double[] {a, b},
              new double[] {top, top});
      band.setXYSeriesRenderStyle(XYSeriesRenderStyle.Area);
      Color fill = PHASE_COLORS[i++ % PHASE_COLORS.length];
      band.setFillColor(fill);
      band.setLineColor(new Color(fill.getRed(), fill.getGreen(), fill.getBlue()));
      band.setMarker(SeriesMarkers.NONE);
    }
    if (!rx.isEmpty()) {
      XYSeries reads = chart.addSeries("reads", rx, ry);
      reads.setMarker(SeriesMarkers.CIRCLE);
      reads.setMarkerColor(new Color(120, 120, 120, 120));
    }
    if (!wx.isEmpty()) {
      XYSeries writes = chart.addSeries("writes", wx, wy);
      writes.setMarker(SeriesMarkers.CIRCLE);
      writes.setMarkerColor(new Color(21, 101, 192, 160));
    }
    p99Line(chart, shown, zero);
    chart.getStyler().setMarkerSize(3);
    BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The p99 of all statements in each half second, as a line over the points. */
  private static void p99Line(XYChart chart, List<StatementLog.Entry> shown, long zero) {
    if (shown.isEmpty()) {
      return;
    }
    long bin = 500_000_000L;
    long first = shown.get(0).startNanos();
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    List<StatementLog.Entry> current = new ArrayList<>();
    long binStart = first;
    for (StatementLog.Entry e : shown) {
      while (e.startNanos() >= binStart + bin) {
        if (!current.isEmpty()) {
          x.add(seconds(binStart + bin / 2, zero));
          y.add(logScale(StatementLog.latency(current).p99()));
        }
        current.clear();
        binStart += bin;
      }
      current.add(e);
    }
    if (x.size() > 1) {
      XYSeries line = chart.addSeries("p99 per 0.5 s", x, y);
      line.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
      line.setMarker(SeriesMarkers.NONE);
      line.setLineColor(new Color(198, 40, 40));
      line.setLineStyle(new BasicStroke(1.5f));
    }
  }

  private static final double FLOOR_MS = 0.01;

  private static double logScale(double ms) {
    return Math.log10(Math.max(FLOOR_MS, ms) / FLOOR_MS);
  }

  private static String millisLabel(double v) {
    double ms = FLOOR_MS * Math.pow(10, v);
    if (ms >= 10) {
      return String.format("%.0f", ms);
    }
    return new java.math.BigDecimal(ms)
        .round(new java.math.MathContext(1))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static double seconds(long nanos, long zero) {
    return (nanos - zero) / 1e9;
  }

  /**
   * {@code scaling.png}: each method's total time and longest application write wait against the
   * table size, from every result in the directory.
   */
  void scaling(List<BenchResult> results) throws IOException {
    if (results.isEmpty()) {
      return;
    }
    XYChart time =
        lines(
            "Total time by table size",
            "seconds (log scale)",
            results,
            m -> m.totalMillis() / 1000.0,
            List.of(
                Bench.INFLIGHT,
                Bench.INFLIGHT_REBUILD,
                Bench.PG_REPACK,
                Bench.PHYSICAL,
                Bench.ALTER));
    BitmapEncoder.saveBitmap(
        time, dir.resolve("scaling-time").toString(), BitmapEncoder.BitmapFormat.PNG);
    XYChart wait =
        lines(
            "Longest application write wait by table size",
            "milliseconds (log scale)",
            results,
            m ->
                m.inflight() != null
                    ? Math.max(0.1, m.inflight().cutover().max())
                    : Math.max(0.1, m.duringWrites().max()),
            List.of(Bench.INFLIGHT, Bench.INFLIGHT_REBUILD, Bench.PG_REPACK, Bench.ALTER));
    BitmapEncoder.saveBitmap(
        wait, dir.resolve("scaling-wait").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart lines(
      String title,
      String yTitle,
      List<BenchResult> results,
      ToDoubleFunction<MethodResult> value,
      List<String> methods) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(550)
            .title(title)
            .xAxisTitle("rows (log scale)")
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
    chart.getStyler().setMarkerSize(8);
    for (String method : methods) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (BenchResult r : results) {
        MethodResult m = r.method(method);
        if (m != null && m.ran()) {
          x.add((double) r.rows());
          y.add(value.applyAsDouble(m));
        }
      }
      if (!x.isEmpty()) {
        String label =
            method.startsWith(Bench.INFLIGHT) && title.contains("wait")
                ? method + " (during cut-over)"
                : method;
        chart.addSeries(label, x, y).setLineStyle(new BasicStroke(2f));
      }
    }
    return chart;
  }

  private static void style(XYChart chart) {
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
  }
}
