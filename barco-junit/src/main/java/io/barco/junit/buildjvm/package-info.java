/**
 * Internal: the build's test JVM, replicated inside a container. {@code BuildJvm} reads what the
 * build gave the running JVM (options, properties, environment, working directory);
 * {@code ForkedClasspath} and {@code ClasspathOverlap} make its classpath visible inside,
 * {@code BuildJUnit} the JUnit launcher and engine it runs with, {@code JavaAgents} its agents, {@code WorkingDirectory} its working directory (an overlay whose
 * upper layer is the fork's); {@code BarcoCache} is where derived files (class data archives)
 * are kept between runs. Public only for the other packages of barco-junit.
 */
package io.barco.junit.buildjvm;
