package dev.grustream.serde.internals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An HTTP body read as UTF-8 text, failing the exchange with an {@link IOException} once it grows past a limit.
 * Written by hand: the JDK's body handlers buffer whatever a server sends, so a registry or proxy answering with an
 * endless body would exhaust the heap.
 *
 * <p>One per exchange; the HTTP client calls it from one thread at a time.
 */
final class BoundedText implements HttpResponse.BodySubscriber<String> {
    private final int maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<String> text = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedText(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A handler giving every answer a subscriber of at most {@code maxBytes}. */
    static HttpResponse.BodyHandler<String> handler(int maxBytes) {
        return answer -> new BoundedText(maxBytes);
    }

    @Override
    public CompletionStage<String> getBody() {
        return text;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            if (text.isDone()) {
                return;
            }
            if ((long) bytes.size() + buffer.remaining() > maxBytes) {
                subscription.cancel();
                text.completeExceptionally(new IOException("the answer is longer than " + maxBytes + " bytes"));
                return;
            }
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            bytes.writeBytes(chunk);
        }
    }

    @Override
    public void onError(Throwable error) {
        text.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        text.complete(bytes.toString(StandardCharsets.UTF_8));
    }
}
