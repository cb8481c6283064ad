package io.barco.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UsageHtmlTest {
    private static final List<UsageHtml.Row> ROWS = List.of(
            new UsageHtml.Row("ServerTest#starts", "cgroup", 1_200, 1_000, 300L << 20, 420, 12, 0, 512L << 20),
            new UsageHtml.Row("HogTest#eats", "cgroup", 2_500, 900, 64L << 20, 80, 2, 1, 64L << 20),
            new UsageHtml.Row("ParserTest#parses", "batch-jvm", 2_600, 50, 90L << 20, 30, -1, 0, -1),
            new UsageHtml.Row("<script>alert(1)</script>", "cgroup", 3_000, 100, 1L << 20, 5, 1, 0, -1));

    @Test
    void chartsEveryMeasureAndMarksTheOomKill() {
        String page = UsageHtml.page("barco usage", ROWS);
        assertThat(page)
                .startsWith("<!DOCTYPE html>")
                .contains(
                        "<svg id=\"memory\"",
                        "<svg id=\"cpu\"",
                        "<svg id=\"timeline\"",
                        "<table id=\"all\"",
                        "<table id=\"near-limit\"");
        assertThat(page)
                .contains("300.0M", "420 ms", "3 containers of their own", "1 tests in shared JVMs", "1 OOM kills");
        // the OOM-killed test's bar is red, and its row marked
        assertThat(page).contains("fill=\"#d33\"").contains("<tr class=\"oom\"><td>HogTest#eats</td>");
        // the test nearest to its limit first: 64M of 64M, then 300M of 512M
        assertThat(page.indexOf("<td>HogTest#eats</td><td>64.0M</td>"))
                .isLessThan(page.indexOf("<td>ServerTest#starts</td><td>300.0M</td>"));
        // no network, no script: a page to open anywhere
        assertThat(page).doesNotContain("http://", "https://").doesNotContain("<script");
    }

    @Test
    void aTestsNameIsTextWhateverItHolds() {
        String page = UsageHtml.page("barco usage", ROWS);
        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(UsageHtml.escape("a\"b'c&d\u0001")).isEqualTo("a&quot;b&#39;c&amp;d ");
    }
}
