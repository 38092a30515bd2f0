package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random reads, aligned and not, of random lengths, from several submitting threads, into a single- and a
 * multi-producer ring (where another producer completes events of its own meanwhile): every byte is checked against
 * the file and every read completes exactly once. The ring (64) and the queue depth (16) are small, so submitters
 * wait for ring slots and reads wait in the reader's queue for the kernel.
 *
 * <p>With {@code asyncWorkers}, every read carries IOSQE_ASYNC: io-wq worker threads perform the reads and post the
 * CQEs while the driver reaps, so CQE writes and the driver's reads of the CQ race on different cores; this is where
 * a broken CQ ordering (tail read without acquire, head released before the fields are read) could show.
 */
@Timeout(120)
class ConcurrentReadTest {

    static final long SIZE = 4 << 20;
    static final int SUBMITTERS = 4;
    static final int READS_PER_SUBMITTER = 5_000;
    static final int READS = SUBMITTERS * READS_PER_SUBMITTER;
    static final int SLOTS = 128;
    static final int SLOT_BYTES = 20_000;
    static final int FOREIGN_EVENTS = 5_000;
    static final long FOREIGN = 1L << 40;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "multiProducer={0}, asyncWorkers={1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void randomReadsFromSeveralThreadsCompleteExactlyOnceWithTheFilesBytes(boolean multiProducer,
                                                                           boolean asyncWorkers) throws Exception {
        final Path path = TestFiles.patternFile(dir, "pattern", SIZE);
        final CompletionRing ring = CompletionRing.builder().capacity(64).multiProducer(multiProducer).build();
        final UringReader reader = UringReader.open(ring, 16,
                Options.DEFAULT.withForceAsync(asyncWorkers));
        final UringFile file = reader.openFile(path);

        final ByteBuffer[] slots = new ByteBuffer[SLOTS];
        final BlockingQueue<Integer> free = new ArrayBlockingQueue<>(SLOTS);
        for (int s = 0; s < SLOTS; s++) {
            slots[s] = ByteBuffer.allocateDirect(SLOT_BYTES);
            free.add(s);
        }
        // Per read id: its slot, offset in the slot, file position and length; written before the read is issued,
        // read by the reaper after getEvents returns it (the ring's happens-before).
        final int[] slotOf = new int[READS];
        final int[] offsetOf = new int[READS];
        final long[] positionOf = new long[READS];
        final int[] lengthOf = new int[READS];
        final AtomicIntegerArray seen = new AtomicIntegerArray(READS);
        final AtomicLong reads = new AtomicLong();
        final CountDownLatch allRead = new CountDownLatch(READS);
        final AtomicLong foreign = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        final List<Thread> reapers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            reapers.add(Thread.ofPlatform().name("reaper-" + r).start(() -> {
                final CompletionEvent[] events = CompletionEvent.newArray(32);
                try {
                    int n;
                    while ((n = ring.getEvents(1, events.length, events)) != -1) {
                        for (int i = 0; i < n; i++) {
                            final long userData = events[i].userData();
                            if (userData >= FOREIGN) {
                                foreign.incrementAndGet();
                                continue;
                            }
                            final int id = (int) userData;
                            if (!seen.compareAndSet(id, 0, 1)) {
                                throw new AssertionError("read " + id + " completed twice");
                            }
                            final long expected = Math.max(0, Math.min(lengthOf[id], SIZE - positionOf[id]));
                            if (events[i].result() != expected) {
                                throw new AssertionError("read " + id + " at " + positionOf[id] + " of "
                                        + lengthOf[id] + " bytes returned " + events[i].result() + ", not "
                                        + expected);
                            }
                            TestFiles.checkBytes(slots[slotOf[id]], offsetOf[id], positionOf[id], (int) expected);
                            reads.incrementAndGet();
                            allRead.countDown();
                            free.add(slotOf[id]);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        final List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
            final int me = t;
            submitters.add(Thread.ofPlatform().name("submitter-" + t).start(() -> {
                final SplittableRandom random = new SplittableRandom(1234 + me);
                try {
                    for (int i = 0; i < READS_PER_SUBMITTER; i++) {
                        final int id = me * READS_PER_SUBMITTER + i;
                        final int slot = free.take();
                        final boolean aligned = random.nextBoolean();
                        final long position = aligned ? 4096L * random.nextInt((int) (SIZE / 4096) + 2)
                                : random.nextLong(SIZE + 1000);
                        final int length = aligned ? 4096 : random.nextInt(SLOT_BYTES + 1);
                        final int offset = aligned ? 0 : random.nextInt(SLOT_BYTES - length + 1);
                        slotOf[id] = slot;
                        offsetOf[id] = offset;
                        positionOf[id] = position;
                        lengthOf[id] = length;
                        final ByteBuffer dst = slots[slot].duplicate().position(offset).limit(offset + length);
                        if (random.nextInt(4) == 0) {
                            while (!reader.tryRead(file, position, dst, id)) {
                                Thread.onSpinWait();
                            }
                        } else {
                            reader.read(file, position, dst, id);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        if (multiProducer) {
            submitters.add(Thread.ofPlatform().name("foreign-producer").start(() -> {
                try {
                    for (int i = 0; i < FOREIGN_EVENTS; i++) {
                        ring.submit();
                        ring.complete(FOREIGN + i, 0);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        while (failure.get() == null && !allRead.await(10, TimeUnit.MILLISECONDS)) {
            Thread.onSpinWait();                            // every read back (or a failure) before the close
        }
        reader.close();
        ring.close();
        for (Thread t : reapers) {
            t.join();
        }
        file.close();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(READS, reads.get(), "reads completed");
        assertEquals(multiProducer ? FOREIGN_EVENTS : 0, foreign.get(), "foreign events");
        for (int id = 0; id < READS; id++) {
            assertEquals(1, seen.get(id), "read " + id + " completions");
        }
        assertEquals(0, reader.driver().stats().overflows, "CQ overflows");
        assertEquals(0, reader.driver().stats().droppedCqes, "CQEs dropped by the kernel");
    }
}
