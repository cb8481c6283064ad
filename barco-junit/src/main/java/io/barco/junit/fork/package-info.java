/**
 * Internal: forked JVMs. {@code Forks} is what a run starts them with (its runtime and caches) and
 * the JVMs it has not closed; {@code ForkedJvm} starts a test JVM in its own container, which runs
 * {@code ForkedTestRunner} (its main class, named on its command line); {@code ForkedTest} runs one
 * test or a batch in one and turns the outcomes back into the host's; {@code WarmJvms}
 * is the run's one pool of JVMs started ahead, {@code StandbyForks} a class's share of it, and
 * {@code BatchSelection} what a JVM shared by a class or the whole run discovers; {@code ClassDataArchive} dumps, in a
 * container, and verifies the class data archive forks start from; {@code ResultDirectory} is a fork's own
 * writable directory. Public only for the other packages of barco-junit.
 */
package io.barco.junit.fork;
