package io.barco.junit.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UsageReportTest {

    private static String name(String uniqueId) {
        return UsageReport.name(new UsageReport.Entry(uniqueId, null));
    }

    @Test
    void namesATestByItsClassMethodAndInvocation() {
        assertThat(name("[engine:junit-jupiter]/[class:io.x.FooTest]/[method:bar()]")).isEqualTo("FooTest#bar");
        assertThat(name("[engine:junit-jupiter]/[class:io.x.ParallelSampleIT]/[test-template:each(java.lang.String)]"
                + "/[test-template-invocation:#4]")).isEqualTo("ParallelSampleIT#each[4]");
        assertThat(name("[engine:junit-jupiter]/[class:io.x.Outer]/[nested-class:Inner]/[method:m(io.y.Z)]")).isEqualTo("Inner#m");
    }
}
