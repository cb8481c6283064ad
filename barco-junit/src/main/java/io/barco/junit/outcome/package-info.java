/**
 * Internal: what a forked JVM reports, as data, never as Java serialization. {@code OutcomeFile}
 * is the record format the fork writes and the host reads back (bounded, untrusted), with
 * {@code ThrowableData} for a failure and {@code JvmUsage} for a test's share of the JVM's time and
 * its peak memory; {@code OutcomeTail} follows the file while the fork runs, into {@code Outcomes}:
 * what the host keeps of it, bounded, and believes, checked. Public only for the other packages of
 * barco-junit.
 */
package io.barco.junit.outcome;
