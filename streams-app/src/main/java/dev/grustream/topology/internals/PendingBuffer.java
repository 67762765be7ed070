package dev.grustream.topology.internals;

import dev.grustream.avro.PendingObservation;
import dev.grustream.avro.SourceHeader;
import dev.grustream.avro.history.AvroBinaryWriter;
import dev.grustream.avro.history.VersionedRecordCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task's buffer of accepted observations waiting to be advanced in one batch, made crash-safe by a changelogged
 * store.
 *
 * <p>Kafka Streams commits the input offset of every record handed to the processor, so an in-memory buffer alone
 * would lose the observations it holds at a commit if the instance then died. This buffer writes each observation
 * into a ring of {@code capacity} slots of the store ({@code slot = sequence % capacity}) and, after each batch, a
 * watermark: the highest sequence processed. The store's changelog is written at every commit together with the
 * offsets (in the same transaction under exactly-once), so after a crash the restored slots above the watermark are
 * exactly the observations whose offsets were committed but whose batch had not run; a processed observation's slot is
 * deleted. With the record cache on, repeated writes to a slot between two commits reach the changelog once, so the
 * buffer costs at most {@code capacity + 1} changelog records per commit, whatever the input rate.
 *
 * <p>Lifecycle: created by the processor in {@code init}, {@link #recover() recovered} once, then filled with
 * {@link #add} and emptied with {@link #markProcessed()}. Not thread-safe: owned by one task.
 */
public final class PendingBuffer {
    private static final Logger LOG = LoggerFactory.getLogger(PendingBuffer.class);
    static final int WATERMARK_SLOT = -1;
    private static final VersionedRecordCodec<PendingObservation> CODEC =
            VersionedRecordCodec.forClass(PendingObservation.class);

    private final KeyValueStore<Integer, byte[]> store;
    private final int capacity;
    private final List<PendingObservation> events = new ArrayList<>();
    /**
     * The slots the first of {@link #events}, those {@link #recover()} found, lie in: where an earlier capacity may
     * have put them. An observation added since lies in its sequence's.
     */
    private final List<Integer> recoveredSlots = new ArrayList<>();
    private final List<UnreadableSlot> unreadable = new ArrayList<>();
    private long nextSequence;
    /**
     * Whether a recovered observation sits in another slot than its sequence takes at this capacity (the capacity
     * changed since it was written): a new one could then overwrite it, so the buffer counts as full until processed.
     */
    private boolean recoveredOutOfPlace;

    /** A slot of the store that this release cannot read: its bytes and why. */
    public record UnreadableSlot(int slot, byte[] bytes, String reason) {
    }

    public PendingBuffer(KeyValueStore<Integer, byte[]> store, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, found " + capacity);
        }
        this.store = store;
        this.capacity = capacity;
    }

    /**
     * Loads the observations a previous run left unprocessed, in arrival order, and returns how many there were.
     * Slots that lie outside the ring (after the capacity was lowered) and hold nothing pending are deleted.
     */
    public int recover() {
        long watermark = -1;
        List<KeyValue<Integer, PendingObservation>> stored = new ArrayList<>();
        List<Integer> outsideRing = new ArrayList<>();
        try (KeyValueIterator<Integer, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Integer, byte[]> entry = all.next();
                if (entry.key == WATERMARK_SLOT) {
                    watermark = watermark(entry.value);
                } else {
                    PendingObservation event;
                    try {
                        event = CODEC.decode(entry.value);
                    } catch (IllegalArgumentException e) {
                        unreadable.add(new UnreadableSlot(entry.key, entry.value, e.getMessage()));
                        continue;
                    }
                    if (event.getSequence() < 0 || event.getSequence() > Long.MAX_VALUE - capacity) {
                        // Sequences count from 0 and cannot come near the end of a long: this one is damaged, and
                        // continuing from it would wrap the ring onto the watermark's slot.
                        unreadable.add(new UnreadableSlot(entry.key, entry.value, "sequence " + event.getSequence()
                                + " out of range"));
                        continue;
                    }
                    stored.add(KeyValue.pair(entry.key, event));
                    if (entry.key >= capacity) {
                        outsideRing.add(entry.key);
                    }
                }
            }
        }
        long processedThrough = watermark;
        long highest = watermark;
        events.clear();
        recoveredSlots.clear();
        recoveredOutOfPlace = false;
        stored.sort(Comparator.comparingLong(slotAndEvent -> slotAndEvent.value.getSequence()));
        for (KeyValue<Integer, PendingObservation> slotAndEvent : stored) {
            PendingObservation event = slotAndEvent.value;
            highest = Math.max(highest, event.getSequence());
            if (event.getSequence() > processedThrough) {
                events.add(event);
                recoveredSlots.add(slotAndEvent.key);
                recoveredOutOfPlace |= slotAndEvent.key != slot(event);
            }
        }
        nextSequence = highest + 1;
        if (events.isEmpty()) {
            outsideRing.forEach(store::delete);
        }
        return events.size();
    }

    /**
     * The sequence a stored watermark names, or -1 for a damaged one: every restored observation is then taken as
     * pending, so that none is lost; processed ones, which only a release before 2026-12-07 left in their slots, are
     * refused by their keys as duplicates or late.
     */
    private long watermark(byte[] bytes) {
        if (bytes == null || bytes.length != Long.BYTES) {
            LOG.warn("The pending buffer's watermark holds {} bytes instead of {}: every buffered observation is taken"
                    + " as pending", bytes == null ? 0 : bytes.length, Long.BYTES);
            return -1;
        }
        long watermark = ByteBuffer.wrap(bytes).getLong();
        if (watermark < -1 || watermark > Long.MAX_VALUE - capacity) {
            // Out of the range sequences take: continuing from it would wrap the ring onto the watermark's slot.
            LOG.warn("The pending buffer's watermark {} is out of range: every buffered observation is taken as"
                    + " pending", watermark);
            return -1;
        }
        return watermark;
    }

    /**
     * The slots {@link #recover()} could not read (written by a newer release's format, or damaged), for the caller to
     * dead-letter and then {@link #dropUnreadable() drop}, before it {@link #add adds} anything. Each holds an
     * observation not yet processed, or, written by a release before 2026-12-07, one processed before.
     */
    public List<UnreadableSlot> unreadable() {
        return Collections.unmodifiableList(unreadable);
    }

    /** Deletes the slots {@link #unreadable()} lists, so that they cannot fail the task at its next start. */
    public void dropUnreadable() {
        unreadable.forEach(slot -> store.delete(slot.slot()));
        unreadable.clear();
    }

    /** Appends an observation, giving it the next sequence number, and writes it to its slot. */
    public void add(PendingObservation.Builder event) {
        PendingObservation observation = event.setSequence(nextSequence++).build();
        store.put(slot(observation), encode(observation));
        events.add(observation);
    }

    private int slot(PendingObservation observation) {
        return (int) (observation.getSequence() % capacity);
    }

    /**
     * The bytes {@link VersionedRecordCodec#encode} gives for {@code observation}, written field by field (the
     * buffer writes one per event; see {@link AvroBinaryWriter}).
     */
    static byte[] encode(PendingObservation observation) {
        AvroBinaryWriter out = AvroBinaryWriter.ofThisThread(128 + observation.getRawValue().remaining()
                + 24 * observation.getFeatures().size());
        out.writeByte(CODEC.currentVersion());
        out.writeLong(observation.getSequence());
        out.writeString(observation.getKey());
        out.writeLong(observation.getEventTime().toEpochMilli());
        out.writeDoubleMap(observation.getFeatures());
        out.writeBytes(observation.getRawValue());
        out.writeLong(observation.getRecordTimestamp());
        out.writeString(observation.getSourceTopic());
        out.writeLong(observation.getSourcePartition());
        out.writeLong(observation.getSourceOffset());
        out.writeLong(observation.getStreamTime());
        List<SourceHeader> headers = observation.getHeaders();
        if (!headers.isEmpty()) {
            out.writeLong(headers.size());
            for (SourceHeader header : headers) {
                out.writeString(header.getKey());
                out.writePresence(header.getValue() != null);
                if (header.getValue() != null) {
                    out.writeBytes(header.getValue());
                }
            }
        }
        out.writeLong(0);
        out.writePresence(observation.getRecordKey() != null);
        if (observation.getRecordKey() != null) {
            out.writeBytes(observation.getRecordKey());
        }
        return out.toByteArray();
    }

    /**
     * Whether the buffer must be processed before another observation is added: it holds {@code capacity}
     * observations or more, or {@link #recover()} found some in slots that the next ones could take (both possible
     * only after a restart with another capacity).
     */
    public boolean isFull() {
        return recoveredOutOfPlace || events.size() >= capacity;
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** The buffered observations in arrival order; a read-only view. */
    public List<PendingObservation> events() {
        return Collections.unmodifiableList(events);
    }

    /** The keys that have buffered observations. */
    public Set<String> keys() {
        Set<String> keys = new HashSet<>();
        events.forEach(event -> keys.add(event.getKey()));
        return keys;
    }

    /**
     * Records that every buffered observation has been processed, and empties the buffer, deleting their slots: a
     * processed observation would otherwise stay on the heap until its slot is reused, and in every standby's copy,
     * {@code capacity} of them per task, each up to {@code input.max.value.bytes} and more.
     */
    public void markProcessed() {
        if (events.isEmpty()) {
            return;
        }
        long processedThrough = events.get(events.size() - 1).getSequence();
        store.put(WATERMARK_SLOT, ByteBuffer.allocate(Long.BYTES).putLong(processedThrough).array());
        for (int i = 0; i < events.size(); i++) {
            store.delete(i < recoveredSlots.size() ? recoveredSlots.get(i) : slot(events.get(i)));
        }
        events.clear();
        recoveredSlots.clear();
        recoveredOutOfPlace = false;
    }
}
