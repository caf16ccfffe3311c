package org.postlet.smtp.session;

/**
 * The user event the server fires into each open connection when it shuts down: sessions idle
 * in command mode answer 421 and close; sessions receiving or committing a message finish it first.
 */
public enum ShutdownRequest { INSTANCE }
