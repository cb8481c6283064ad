/**
 * Internal: what the host keeps of a run. {@code UsageReport} records each test's resource usage
 * and writes the usage summary, {@code OutputDirectory} is where reports and spilled output go
 * ({@code target/barco}), and {@code OutputPump} copies a container's output as it comes. Public
 * only for the other packages of barco-junit.
 */
package io.barco.junit.report;
