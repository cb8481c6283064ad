package io.barco.cli;

import io.barco.launch.Container;
import sun.misc.Signal;

/**
 * Passes SIGINT, SIGTERM and SIGHUP sent to barco on to the container's first process, instead of
 * letting them end the JVM and orphan the container. On a terminal, Ctrl-C already reaches the
 * container, which shares barco's foreground process group: then SIGINT is only kept from the JVM,
 * not sent twice.
 */
final class SignalForwarding {
    private SignalForwarding() {
    }

    static void forward(Container container, boolean onTerminal) {
        for (String name : new String[] {"TERM", "HUP"}) {
            Signal.handle(new Signal(name), s -> container.signal(s.getNumber()));
        }
        Signal.handle(new Signal("INT"), onTerminal ? s -> { } : s -> container.signal(s.getNumber()));
    }
}
