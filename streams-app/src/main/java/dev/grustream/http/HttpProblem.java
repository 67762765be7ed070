package dev.grustream.http;

/**
 * A request that cannot be answered as asked: carries the HTTP status, a stable machine-readable error code and a
 * message for people, which the server turns into a JSON error body.
 *
 * <p>Messages never contain request input (keys, parameters): the server must not echo what it was sent.
 * Immutable.
 */
public final class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final int retryAfterSeconds;

    private HttpProblem(int status, String error, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request itself is wrong. */
    public static HttpProblem badRequest(String error, String message) {
        return new HttpProblem(400, error, message, 0);
    }

    /** A 502: another instance the query was forwarded to gave an answer this one cannot pass on. */
    public static HttpProblem badGateway(String error, String message) {
        return new HttpProblem(502, error, message, 0);
    }

    /** A 401: the request lacks the credentials the endpoint asks for. */
    public static HttpProblem unauthorized(String error, String message) {
        return new HttpProblem(401, error, message, 0);
    }

    /** 404: nothing is known under what was asked for. */
    public static HttpProblem notFound(String error, String message) {
        return new HttpProblem(404, error, message, 0);
    }

    /** 503 with {@code Retry-After}: the answer exists but cannot be reached right now (rebalancing, starting). */
    public static HttpProblem unavailable(String error, String message, int retryAfterSeconds) {
        return new HttpProblem(503, error, message, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** Seconds for the {@code Retry-After} header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
