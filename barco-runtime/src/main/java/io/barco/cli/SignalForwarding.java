package io.barco.cli;

import io.barco.launch.Container;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;

/**
 * Passes SIGINT, SIGTERM and SIGHUP sent to barco on to the container's first process, instead of
 * letting them end the JVM and orphan the container. Installed before the launch: a signal that
 * arrives while the container is being started is delivered as soon as it runs. On a terminal,
 * Ctrl-C reaches the container directly (it is the foreground process group), so then SIGINT is only
 * kept from the JVM.
 */
final class SignalForwarding {
    private final List<Integer> pending = new ArrayList<>();
    private Container container;

    private SignalForwarding() {}

    static SignalForwarding install(boolean onTerminal) {
        SignalForwarding forwarding = new SignalForwarding();
        for (String name : new String[] {"TERM", "HUP"}) {
            Signal.handle(new Signal(name), s -> forwarding.deliver(s.getNumber()));
        }
        Signal.handle(new Signal("INT"), onTerminal ? s -> {} : s -> forwarding.deliver(s.getNumber()));
        return forwarding;
    }

    private synchronized void deliver(int signal) {
        if (container == null) {
            pending.add(signal);
        } else {
            container.signal(signal);
        }
    }

    synchronized void to(Container started) {
        this.container = started;
        pending.forEach(started::signal);
        pending.clear();
    }
}
