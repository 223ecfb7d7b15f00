package dev.lattice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One run's results: every row the driver measured, the ceilings measured in the same run, each
 * figure beside its ceiling, each target as measured / target / met, and where and how it ran.
 * Written as {@code <date>.json} (for tools), {@code <date>.md} (for people) and {@code
 * <date>-latency.png} (latency percentiles against offered load).
 */
final class Report {

  /** One measured row. Latencies in milliseconds; CPU in milliseconds per successful call. */
  record Row(
      String scenario,
      String mode,
      String load,
      double seconds,
      long ok,
      double okPerSecond,
      Map<String, Long> errors,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      Map<String, Double> cpuMsPerCall,
      Map<String, Object> notes) {

    static Row of(String scenario, String mode, String load, Load.Outcome o) {
      Map<String, Double> cpu = new LinkedHashMap<>();
      if (o.ok() > 0) {
        for (ProcessCpu.Group g : ProcessCpu.Group.values()) {
          cpu.put(g.name().toLowerCase(Locale.ROOT), round(o.cpu().of(g) / o.ok(), 3));
        }
        cpu.put("system_under_test", round(o.cpuMillisPerCall(), 3));
      }
      return new Row(
          scenario,
          mode,
          load,
          round(o.seconds(), 1),
          o.ok(),
          round(o.okPerSecond(), 1),
          o.errors(),
          round(o.percentileMillis(50), 2),
          round(o.percentileMillis(90), 2),
          round(o.percentileMillis(99), 2),
          round(o.percentileMillis(99.9), 2),
          round(o.latencyMicros().getMaxValue() / 1000.0, 2),
          cpu,
          new LinkedHashMap<>());
    }

    Row note(String key, Object value) {
      notes.put(key, value instanceof Double d ? round(d, 2) : value);
      return this;
    }
  }

  /** A ceiling measured in the same run. */
  record Ceiling(String name, double perSecond, String unit, String how) {}

  /** A figure beside its ceiling, and their ratio. */
  record Figure(
      String name,
      double measured,
      String unit,
      String ceiling,
      double ceilingValue,
      double ratio) {

    static Figure of(
        String name, double measured, String unit, String ceiling, double ceilingValue) {
      return new Figure(
          name,
          round(measured, 2),
          unit,
          ceiling,
          round(ceilingValue, 2),
          ceilingValue == 0 ? 0 : round(measured / ceilingValue, 3));
    }
  }

  /** A target of the issue: measured, target, met. */
  record Target(
      String name,
      double measured,
      String comparison,
      double target,
      String unit,
      boolean met,
      String note) {

    static Target atLeast(String name, double measured, double target, String unit, String note) {
      return new Target(name, round(measured, 3), ">=", target, unit, measured >= target, note);
    }

    static Target below(String name, double measured, double target, String unit, String note) {
      return new Target(name, round(measured, 3), "<", target, unit, measured < target, note);
    }
  }

  /** A point of the latency curve: offered load and the percentiles it got. */
  record CurvePoint(
      double offeredPerSecond, double achievedPerSecond, double p50Ms, double p90Ms, double p99Ms) {

    /** The point of an open-loop row offered {@code offered} calls per second. */
    static CurvePoint of(double offered, Load.Outcome o) {
      return new CurvePoint(
          offered,
          o.okPerSecond(),
          o.percentileMillis(50),
          o.percentileMillis(90),
          o.percentileMillis(99));
    }
  }

  final Map<String, Object> machine = new LinkedHashMap<>();
  final Map<String, Object> settings = new LinkedHashMap<>();
  final List<Row> rows = new ArrayList<>();
  final List<Ceiling> ceilings = new ArrayList<>();
  final List<Figure> figures = new ArrayList<>();
  final List<Target> targets = new ArrayList<>();
  final Map<String, List<CurvePoint>> curves = new TreeMap<>();
  final Map<String, Object> memory = new LinkedHashMap<>();

  Row add(Row row) {
    rows.add(row);
    System.out.printf(
        "bench: %-28s %-7s %-14s %8.1f/s  p50 %7.1f  p99 %7.1f  max %7.1f ms  cpu %s  errors %s%s%n",
        row.scenario(),
        row.mode(),
        row.load(),
        row.okPerSecond(),
        row.p50Ms(),
        row.p99Ms(),
        row.maxMs(),
        row.cpuMsPerCall().getOrDefault("system_under_test", 0.0),
        row.errors(),
        row.notes().isEmpty() ? "" : "  " + row.notes());
    return row;
  }

  void write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("machine", machine);
    json.put("settings", settings);
    Map<String, Object> targetMap = new LinkedHashMap<>();
    for (Target t : targets) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("measured", t.measured());
      one.put("target", t.target());
      one.put("comparison", t.comparison());
      one.put("unit", t.unit());
      one.put("met", t.met());
      one.put("note", t.note());
      targetMap.put(t.name(), one);
    }
    json.put("targets", targetMap);
    json.put("figures", figures);
    json.put("ceilings", ceilings);
    json.put("rows", rows);
    json.put("curves", curves);
    json.put("memory", memory);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve(name + ".json").toFile(), json);
    Files.writeString(dir.resolve(name + ".md"), markdown(name));
    chart(dir.resolve(name + "-latency.png"));
  }

  /** The targets table, for the results file and the README. */
  String targetsTable() {
    StringBuilder md = new StringBuilder();
    md.append("| target | measured | target | met |\n|---|---:|---:|:---:|\n");
    for (Target t : targets) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s %s | %s %s %s | %s |%n",
              t.name(),
              fmt(t.measured()),
              t.unit(),
              t.comparison(),
              fmt(t.target()),
              t.unit(),
              t.met() ? "yes" : "**no**"));
    }
    return md.toString();
  }

  private String markdown(String name) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results ").append(name).append("\n\n");
    md.append("Written by `./mesh bench`");
    md.append(Boolean.TRUE.equals(settings.get("quick")) ? " `--quick`" : "");
    md.append(". Every figure stands beside a ceiling measured in the same run.\n\n");
    md.append("## Machine and settings\n\n");
    machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    settings.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n## Targets\n\n").append(targetsTable());
    for (Target t : targets) {
      if (t.note() != null && !t.note().isEmpty()) {
        md.append("\n- *").append(t.name()).append("*: ").append(t.note());
      }
    }
    md.append("\n\n## Figures beside their ceilings\n\n");
    md.append(
        "| figure | measured | ceiling | ceiling value | ratio |\n|---|---:|---|---:|---:|\n");
    for (Figure f : figures) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s %s | %s | %s | %.2f |%n",
              f.name(),
              fmt(f.measured()),
              f.unit(),
              f.ceiling(),
              fmt(f.ceilingValue()),
              f.ratio()));
    }
    md.append("\n## Ceilings\n\n| ceiling | value | how |\n|---|---:|---|\n");
    for (Ceiling c : ceilings) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s %s | %s |%n",
              c.name(),
              fmt(c.perSecond()),
              c.unit(),
              c.how()));
    }
    md.append("\n## Rows\n\n");
    md.append(
        "| scenario | mode | load | ok/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | CPU ms/call (JVM+PG+NATS) | errors | notes |\n");
    md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (Row r : rows) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |%n",
              r.scenario(),
              r.mode(),
              r.load(),
              r.okPerSecond(),
              r.p50Ms(),
              r.p90Ms(),
              r.p99Ms(),
              r.p999Ms(),
              r.maxMs(),
              r.cpuMsPerCall().isEmpty()
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.2f (%.2f+%.2f+%.2f)",
                      r.cpuMsPerCall().get("system_under_test"),
                      r.cpuMsPerCall().get("mesh_jvm"),
                      r.cpuMsPerCall().get("postgres"),
                      r.cpuMsPerCall().get("nats")),
              r.errors().isEmpty() ? "" : r.errors().toString(),
              r.notes().isEmpty() ? "" : r.notes().toString()));
    }
    md.append("\n## Memory\n\n");
    memory.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n![latency against offered load](").append(name).append("-latency.png)\n");
    return md.toString();
  }

  private void chart(Path file) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (var curve : curves.entrySet()) {
      XYSeries p50 = new XYSeries(curve.getKey() + " p50");
      XYSeries p90 = new XYSeries(curve.getKey() + " p90");
      XYSeries p99 = new XYSeries(curve.getKey() + " p99");
      for (CurvePoint point : curve.getValue()) {
        p50.add(point.offeredPerSecond(), Math.max(0.1, point.p50Ms()));
        p90.add(point.offeredPerSecond(), Math.max(0.1, point.p90Ms()));
        p99.add(point.offeredPerSecond(), Math.max(0.1, point.p99Ms()));
      }
      data.addSeries(p50);
      data.addSeries(p90);
      data.addSeries(p99);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "Latency against offered load (open loop, from intended send time)",
            "offered load (calls/s)",
            "latency (ms, log scale)",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    LogarithmicAxis logAxis = new LogarithmicAxis("latency (ms, log scale)");
    logAxis.setAllowNegativesFlag(false);
    logAxis.setStrictValuesFlag(false);
    plot.setRangeAxis(logAxis);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 560);
  }

  static double round(double value, int digits) {
    double scale = Math.pow(10, digits);
    return Math.round(value * scale) / scale;
  }

  private static String fmt(double v) {
    return Math.abs(v) >= 100 || v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
