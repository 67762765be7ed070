package dev.grustream.topology;

import dev.grustream.model.GruModel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model every task of this instance currently serves. Tasks read it once per batch, so a swap takes effect
 * between two batches: at a record boundary, never inside a batch.
 *
 * <p>Thread-safe.
 */
public final class ActiveModel {
    private final AtomicReference<GruModel> current;

    public ActiveModel(GruModel initial) {
        this.current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
    }

    public GruModel current() {
        return current.get();
    }

    /** Makes {@code next} the model of every later batch and returns the one it replaces. */
    public GruModel swap(GruModel next) {
        return current.getAndSet(Objects.requireNonNull(next, "next"));
    }
}
