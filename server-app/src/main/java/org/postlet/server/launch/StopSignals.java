package org.postlet.server.launch;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a request to stop, SIGHUP as a request to reload. Handling them ourselves, instead of letting
 * the JVM run its shutdown hooks, lets the server stop in order and exit with 0 as docs/commands.md
 * says. {@code sun.misc.Signal} lives in the supported-but-unofficial {@code jdk.unsupported}
 * module; this class is the one place that uses it.
 */
final class StopSignals {

    private StopSignals() {
    }

    static void onStop(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }

    /** SIGHUP, as daemons use it: re-read the configuration ({@code bin/postlet reload} sends it). */
    static void onReload(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
