package org.deqsweep.sweep.spec;

import org.deqsweep.core.config.ConfigException;

/**
 * A sweep spec the user got wrong: names the offending path (for example {@code grid.step_size[3]},
 * {@code zip[0].n} or {@code job.wave_size}), what was found there and what is allowed. Thrown by
 * {@link SpecParser} before any work starts; the message is meant for the user as it is, never a
 * stack trace. A {@link ConfigException} whose path is a spec path.
 */
public final class SpecException extends ConfigException {
    private static final long serialVersionUID = 1L;

    public SpecException(String path, String found, String allowed) {
        super(path, found, allowed);
    }

    /** The same problem as a core {@link ConfigException}, whose path is already the spec path. */
    static SpecException of(ConfigException e) {
        return e instanceof SpecException s ? s : new SpecException(e.path(), e.found(), e.allowed());
    }
}
