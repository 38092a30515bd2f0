package io.completionring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of a multi-producer ring, checked by Lincheck against {@link Spec}: the sequential model of {@link
 * CompletionRingLincheckTest} with a completeAll of two events added, and with complete and completeAll free to run
 * in every thread at once (no non-parallel group). Capacity 2.
 *
 * <p>The reaping operations wait, before they reap, until no complete or completeAll of this test is running (a
 * counter of this test, not of the ring). Without that wait the ring is not linearizable, by design: a producer that
 * has claimed its position and not yet published it holds back the events claimed after it (semantics (4) of the
 * issue; {@link MultiProducerTest#producerSlowBetweenClaimAndPublishHoldsBackLaterEventsAndLosesNone}), so a
 * completion can return while a poll that starts after it sees nothing; no sequential order explains that. With the
 * wait, a reap sees every event whose completion returned before the reap began, and Lincheck checks the rest: the
 * order of claims (one completeAll's two events consecutive, one thread's calls in its order), exactly the
 * completions beyond the reservations failing, each event reaped once, intact, in order, by any number of reapers,
 * and slot reuse at capacity 2. Lincheck's model checker runs under sequential consistency: the orderings of the
 * memory model are jcstress's ({@code MultiProducer}, {@code MultiProducerWakeup}).
 */
@Param(name = "userData", gen = IntGen.class, conf = "1:3")
public class MultiProducerLincheckTest {

    private final CompletionRing ring = CompletionRing.builder()
            .capacity(CompletionRingLincheckTest.CAPACITY).multiProducer(true).build();
    /** complete / completeAll calls of this test in progress. */
    private final AtomicInteger producing = new AtomicInteger();

    @Operation
    public boolean trySubmit() {
        return ring.trySubmit();
    }

    @Operation
    public boolean trySubmitTwo() {
        return ring.trySubmit(2);
    }

    /** Returns false where the ring throws IllegalStateException (no reservation to complete). */
    @Operation
    public boolean complete(@Param(name = "userData") int userData) {
        producing.incrementAndGet();
        try {
            ring.complete(userData, 10L * userData + 1);
            return true;
        } catch (IllegalStateException noReservation) {
            return false;
        } finally {
            producing.decrementAndGet();
        }
    }

    /** completeAll of (userData, userData + 4); false where the ring throws IllegalStateException. */
    @Operation
    public boolean completeTwo(@Param(name = "userData") int userData) {
        producing.incrementAndGet();
        try {
            ring.completeAll(new long[] {userData, userData + 4},
                    new long[] {10L * userData + 1, 10L * (userData + 4) + 1}, 0, 2);
            return true;
        } catch (IllegalStateException noReservation) {
            return false;
        } finally {
            producing.decrementAndGet();
        }
    }

    @Operation
    public List<Long> pollEvents() {
        awaitNoProducer();
        CompletionEvent[] events = CompletionEvent.newArray(1);
        return pairs(events, ring.pollEvents(1, events));
    }

    @Operation
    public List<Long> getEventsNoWait() throws InterruptedException {
        awaitNoProducer();
        CompletionEvent[] events = CompletionEvent.newArray(1);
        return pairs(events, ring.getEvents(0, 1, events));
    }

    private void awaitNoProducer() {
        while (producing.get() != 0) {
            Thread.onSpinWait();
        }
    }

    private static List<Long> pairs(CompletionEvent[] events, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(events[i].userData());
            out.add(events[i].result());
        }
        return out;
    }

    @Test
    @Timeout(120)
    void linearizableUnderStress() {
        // The single-producer test's options (sizes, threads, actors), against this test's Spec.
        CompletionRingLincheckTest.stressOptions()
                .sequentialSpecification(Spec.class)
                .check(MultiProducerLincheckTest.class);
    }

    @Test
    @Timeout(120)
    void linearizableUnderModelChecking() {
        CompletionRingLincheckTest.modelCheckingOptions()
                .sequentialSpecification(Spec.class)
                .check(MultiProducerLincheckTest.class);
    }

    /** The sequential specification: counters and a FIFO of completed events. */
    public static class Spec {
        private long submitted;
        private long completed;
        private long reaped;
        private final ArrayDeque<long[]> ready = new ArrayDeque<>();

        public boolean trySubmit() {
            return reserve(1);
        }

        public boolean trySubmitTwo() {
            return reserve(2);
        }

        private boolean reserve(int n) {
            if (submitted - reaped + n > CompletionRingLincheckTest.CAPACITY) {
                return false;
            }
            submitted += n;
            return true;
        }

        public boolean complete(int userData) {
            if (completed + 1 > submitted) {
                return false;
            }
            completed++;
            ready.add(new long[] {userData, 10L * userData + 1});
            return true;
        }

        public boolean completeTwo(int userData) {
            if (completed + 2 > submitted) {
                return false;
            }
            completed += 2;
            ready.add(new long[] {userData, 10L * userData + 1});
            ready.add(new long[] {userData + 4, 10L * (userData + 4) + 1});
            return true;
        }

        public List<Long> pollEvents() {
            List<Long> out = new ArrayList<>();
            if (!ready.isEmpty()) {
                long[] e = ready.poll();
                reaped++;
                out.add(e[0]);
                out.add(e[1]);
            }
            return out;
        }

        public List<Long> getEventsNoWait() {
            return pollEvents();
        }
    }
}
