package org.deqsweep.sweep.spec;

import org.deqsweep.core.config.ConfigException;

/**
 * A sweep spec the user got wrong: names the offending path (for example {@code grid.step_size[3]},
 * {@code zip[0].n} or {@code job.wave_size}), what was found there and what is allowed. Thrown by
 * {@link SpecParser} before any work starts; the message is meant for the user as it is, never a
 * stack trace.
 */
public final class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String found;
    private final String allowed;

    public SpecException(String path, String found, String allowed) {
        super(path + ": found " + found + "; allowed: " + allowed);
        this.path = path;
        this.found = found;
        this.allowed = allowed;
    }

    /** The same problem as a core {@link ConfigException}, whose path is already the spec path. */
    static SpecException of(ConfigException e) {
        return new SpecException(e.path(), e.found(), e.allowed());
    }

    /** Where in the spec (or on the command line) the problem is. */
    public String path() {
        return path;
    }

    public String found() {
        return found;
    }

    public String allowed() {
        return allowed;
    }
}
