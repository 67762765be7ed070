package dev.grustream.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read whole into a byte array, up to a limit: past it the exchange is cancelled and the body fails
 * with an {@link IOException}, and a body whose declared length is past it fails before a byte is read. Written here
 * because the JDK's own handlers read a body whole however long it is (a peer answering with gigabytes would exhaust
 * the heap) and none of them stops at a size. One instance per response; the HTTP client calls it from one thread at
 * a time.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private static final int FIRST_CAPACITY = 16 * 1024;

    private final int limit;
    private final long declaredLength;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private byte[] bytes;
    private int size;

    private BoundedBody(int limit, long declaredLength) {
        this.limit = limit;
        this.declaredLength = declaredLength;
        // A declared length is read into an array of its size, with no copy; the buffers the client passes are
        // read-only, so each byte is copied once, into it.
        this.bytes = new byte[declaredLength > limit ? 0
                : (int) Math.min(limit, declaredLength >= 0 ? declaredLength : FIRST_CAPACITY)];
    }

    /** A handler whose bodies are read into byte arrays of at most {@code limit} bytes. */
    static HttpResponse.BodyHandler<byte[]> atMost(int limit) {
        return response -> new BoundedBody(limit,
                response.headers().firstValueAsLong("Content-Length").orElse(-1));
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        if (this.subscription != null) {
            subscription.cancel();
            return;
        }
        this.subscription = subscription;
        if (declaredLength > limit) {
            tooLong();
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int length = buffer.remaining();
            if ((long) size + length > limit) {
                tooLong();
                return;
            }
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + length, 2L * bytes.length)));
            }
            buffer.get(bytes, size, length);
            size += length;
        }
    }

    /** Fails the body, then ends the exchange: completed first, so that no error the cancel may raise replaces it. */
    private void tooLong() {
        body.completeExceptionally(new IOException("an answer longer than " + limit + " bytes"));
        subscription.cancel();
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        body.complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }
}
