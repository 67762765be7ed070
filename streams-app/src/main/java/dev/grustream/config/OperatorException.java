package dev.grustream.config;

/**
 * Something the operator controls stands in the way: a setting, a file, a topic, the cluster, the disk. Its message
 * says what was expected, what was found and what to do; the command line prints it on one line and exits with 2,
 * where an unexpected exception (a bug) is printed with its stack trace and exits with 1.
 */
public class OperatorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OperatorException(String message) {
        super(message);
    }

    public OperatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
