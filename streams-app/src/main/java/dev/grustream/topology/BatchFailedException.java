package dev.grustream.topology;

import org.apache.kafka.streams.errors.StreamsException;

/**
 * Advancing a batch of buffered observations failed. Never dead-lettered record by record: the task fails and the
 * batch is retried from the last commit.
 */
public final class BatchFailedException extends StreamsException {
    private static final long serialVersionUID = 1L;

    public BatchFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
