package org.deqsweep.core.config;

/**
 * A configuration a caller got wrong: names the key's path, what was found and what is allowed.
 * Thrown before any work starts (the spec parser's {@code SpecException} is one, for a spec path); numerical trouble during a run is the run's status, never this.
 */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String found;
    private final String allowed;

    public ConfigException(String path, String found, String allowed) {
        super(path + ": found " + found + "; allowed: " + allowed);
        this.path = path;
        this.found = found;
        this.allowed = allowed;
    }

    /** The key's path, for example {@code grid.step_size[2]} or {@code forward.solver}. */
    public String path() {
        return path;
    }

    public String found() {
        return found;
    }

    public String allowed() {
        return allowed;
    }

    /** The same problem, with {@code prefix} put in front of the path (for example the spec section). */
    public ConfigException under(String prefix) {
        return new ConfigException(prefix + path, found, allowed);
    }
}
