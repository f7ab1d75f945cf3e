package org.deqsweep.sweep.store;

/**
 * A mistake of the caller (bad spec, bad option, an output directory in the way, bad SQL): the command
 * prints the message as one paragraph, without a stack trace, and exits with status 2.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    /**
     * A message's first line that is not blank (a Spark syntax error's message starts with a newline), or ""
     * for none: how one-line messages quote another error.
     */
    public static String firstLine(String message) {
        return message == null ? "" : message.strip().lines().findFirst().orElse("").strip();
    }
}
