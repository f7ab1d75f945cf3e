package org.deqsweep.core.data;

/**
 * Input a run cannot use (a missing or malformed data file, data of the wrong shape): the run ends with
 * status INVALID and this message, not with ERROR.
 */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
