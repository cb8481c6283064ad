package io.barco.junit.report;

import io.barco.spec.Size;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A run's usage as one self-contained HTML page (no script, no network, no font to fetch): bars of
 * the peak memory and CPU time of each test and container, the tests closest to their memory limit,
 * OOM kills and timeouts marked, a timeline of the run's containers, and the whole table. Charts are
 * inline SVG, so any browser, and a CI artifact viewer, shows them as they are.
 */
final class UsageHtml {
    /** How many bars a chart shows: the largest. */
    static final int BARS = 30;

    /** One row: a test or container, what measured it, when it ended (ms since the run's first), what it used. */
    record Row(
            String name,
            String measuredBy,
            long endMillis,
            long wallMillis,
            long peakMemoryBytes,
            long cpuMillis,
            long peakTasks,
            long oomKills,
            long memoryLimitBytes) {
        boolean oom() {
            return oomKills > 0;
        }
    }

    private UsageHtml() {}

    static String page(String title, List<Row> rows) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title))
                .append("</title>\n<style>body{font:14px/1.4 sans-serif;margin:24px;color:#222}h1{font-size:20px}"
                        + "h2{font-size:16px;margin-top:28px}table{border-collapse:collapse}td,th{padding:2px 8px;"
                        + "border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}"
                        + ".oom{background:#fdd}.figure{font-variant-numeric:tabular-nums}</style></head><body>\n");
        html.append("<h1>").append(escape(title)).append("</h1>\n");
        long ooms = rows.stream().mapToLong(Row::oomKills).sum();
        html.append("<p id=\"summary\">")
                .append(rows.size())
                .append(" measured: ")
                .append(rows.stream()
                        .filter(r -> r.measuredBy().equals("cgroup"))
                        .count())
                .append(" containers of their own, ")
                .append(rows.stream()
                        .filter(r -> r.measuredBy().equals("batch-jvm"))
                        .count())
                .append(" tests in shared JVMs; ")
                .append("<span class=\"")
                .append(ooms > 0 ? "oom" : "")
                .append("\">")
                .append(ooms)
                .append(" OOM kills</span></p>\n");

        html.append("<h2>Peak memory</h2>\n");
        html.append(bars(
                "memory",
                rows.stream()
                        .filter(r -> r.peakMemoryBytes() >= 0)
                        .sorted(Comparator.comparingLong(Row::peakMemoryBytes).reversed())
                        .limit(BARS)
                        .toList(),
                Row::peakMemoryBytes,
                Size::human));
        html.append("<h2>CPU time</h2>\n");
        html.append(bars(
                "cpu",
                rows.stream()
                        .filter(r -> r.cpuMillis() >= 0)
                        .sorted(Comparator.comparingLong(Row::cpuMillis).reversed())
                        .limit(BARS)
                        .toList(),
                Row::cpuMillis,
                ms -> ms + " ms"));

        List<Row> nearLimit = rows.stream()
                .filter(r -> r.memoryLimitBytes() > 0 && r.peakMemoryBytes() >= 0)
                .sorted(Comparator.comparingDouble((Row r) -> (double) r.peakMemoryBytes() / r.memoryLimitBytes())
                        .reversed())
                .limit(10)
                .toList();
        if (!nearLimit.isEmpty()) {
            html.append(
                    "<h2>Closest to their memory limit</h2>\n<table id=\"near-limit\"><tr><th>test</th><th>peak</th><th>limit</th>"
                            + "<th>share</th></tr>\n");
            for (Row r : nearLimit) {
                html.append("<tr class=\"")
                        .append(r.oom() ? "oom" : "")
                        .append("\"><td>")
                        .append(escape(r.name()))
                        .append("</td><td>")
                        .append(Size.human(r.peakMemoryBytes()))
                        .append("</td><td>")
                        .append(Size.human(r.memoryLimitBytes()))
                        .append("</td><td>")
                        .append(String.format(
                                Locale.ROOT, "%.0f%%", 100.0 * r.peakMemoryBytes() / r.memoryLimitBytes()))
                        .append("</td></tr>\n");
            }
            html.append("</table>\n");
        }

        html.append("<h2>Timeline</h2>\n")
                .append(timeline(rows.stream()
                        .filter(r -> !r.measuredBy().equals("batch-jvm"))
                        .toList()));

        html.append(
                "<h2>Every measure</h2>\n<table id=\"all\"><tr><th>test</th><th>measured by</th><th>peak memory</th><th>CPU</th>"
                        + "<th>peak tasks</th><th>OOM kills</th><th>wall</th></tr>\n");
        for (Row r : rows) {
            html.append("<tr class=\"")
                    .append(r.oom() ? "oom" : "")
                    .append("\"><td>")
                    .append(escape(r.name()))
                    .append("</td><td>")
                    .append(escape(r.measuredBy()))
                    .append("</td><td class=\"figure\">")
                    .append(r.peakMemoryBytes() >= 0 ? Size.human(r.peakMemoryBytes()) : "")
                    .append("</td><td class=\"figure\">")
                    .append(r.cpuMillis() >= 0 ? r.cpuMillis() + " ms" : "")
                    .append("</td><td class=\"figure\">")
                    .append(r.peakTasks() >= 0 ? Long.toString(r.peakTasks()) : "")
                    .append("</td><td class=\"figure\">")
                    .append(r.oomKills())
                    .append("</td><td class=\"figure\">")
                    .append(r.wallMillis())
                    .append(" ms</td></tr>\n");
        }
        html.append("</table>\n</body></html>\n");
        return html.toString();
    }

    /** Horizontal bars, one per row, labelled with the test and the figure. */
    private static String bars(
            String id,
            List<Row> rows,
            java.util.function.ToLongFunction<Row> value,
            java.util.function.LongFunction<String> label) {
        if (rows.isEmpty()) {
            return "<p>none measured</p>\n";
        }
        long max = Math.max(1, rows.stream().mapToLong(value).max().orElse(1));
        int rowHeight = 18;
        int labelWidth = 420;
        int barWidth = 360;
        StringBuilder svg = new StringBuilder("<svg id=\"" + id + "\" width=\"" + (labelWidth + barWidth + 120)
                + "\" height=\"" + rows.size() * rowHeight + "\" role=\"img\">\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            long v = value.applyAsLong(r);
            int y = i * rowHeight;
            int w = (int) Math.max(1, barWidth * v / max);
            svg.append("<text x=\"")
                    .append(labelWidth - 6)
                    .append("\" y=\"")
                    .append(y + 13)
                    .append("\" text-anchor=\"end\" font-size=\"12\">")
                    .append(escape(shorten(r.name())))
                    .append("</text>")
                    .append("<rect x=\"")
                    .append(labelWidth)
                    .append("\" y=\"")
                    .append(y + 3)
                    .append("\" width=\"")
                    .append(w)
                    .append("\" height=\"")
                    .append(rowHeight - 5)
                    .append("\" fill=\"")
                    .append(r.oom() ? "#d33" : "#4a7ab8")
                    .append("\"/>")
                    .append("<text class=\"figure\" x=\"")
                    .append(labelWidth + w + 6)
                    .append("\" y=\"")
                    .append(y + 13)
                    .append("\" font-size=\"12\">")
                    .append(escape(label.apply(v)))
                    .append("</text>\n");
        }
        return svg.append("</svg>\n").toString();
    }

    /** When each container or JVM ran, from its end and its wall time, on one time axis. */
    private static String timeline(List<Row> rows) {
        if (rows.isEmpty()) {
            return "<p>none measured</p>\n";
        }
        long start = rows.stream()
                .mapToLong(r -> r.endMillis() - r.wallMillis())
                .min()
                .orElse(0);
        long end = Math.max(
                start + 1, rows.stream().mapToLong(Row::endMillis).max().orElse(1));
        int rowHeight = 14;
        int width = 780;
        List<Row> ordered = rows.stream()
                .sorted(Comparator.comparingLong(r -> r.endMillis() - r.wallMillis()))
                .toList();
        StringBuilder svg = new StringBuilder("<svg id=\"timeline\" width=\"" + (width + 20) + "\" height=\""
                + (ordered.size() * rowHeight + 20) + "\" role=\"img\">\n");
        for (int i = 0; i < ordered.size(); i++) {
            Row r = ordered.get(i);
            double x = width * (double) (r.endMillis() - r.wallMillis() - start) / (end - start);
            double w = Math.max(1, width * (double) r.wallMillis() / (end - start));
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %d ms</title></rect>%n",
                    x,
                    i * rowHeight,
                    w,
                    rowHeight - 3,
                    r.oom() ? "#d33" : "#6a9f58",
                    escape(r.name()),
                    r.wallMillis()));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"0\" y=\"%d\" font-size=\"11\">0 s</text><text x=\"%d\" y=\"%d\" font-size=\"11\" "
                        + "text-anchor=\"end\">%.1f s</text>%n",
                ordered.size() * rowHeight + 14,
                width,
                ordered.size() * rowHeight + 14,
                (end - start) / 1000.0));
        return svg.append("</svg>\n").toString();
    }

    private static String shorten(String name) {
        return name.length() <= 60 ? name : "…" + name.substring(name.length() - 59);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
