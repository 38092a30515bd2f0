package io.completionring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Linearizability of the non-blocking operations, checked by Lincheck against {@link Spec}, a plain sequential model
 * of the ring: trySubmit / trySubmit(2) and the reapers' pollEvents(1) and getEvents(0, 1) from any thread, complete
 * from one producer at a time (the "producer" non-parallel group puts every complete in one thread). Capacity 2, so
 * full-ring refusals and slot reuse happen within a few operations.
 *
 * <p>Takes of one event: there the contract is deterministic (a take returns the oldest ready event, or nothing when
 * none is ready), so the ring is strictly linearizable against Spec. A take of up to nr &gt; 1 events may return any
 * 1 &lt;= k &lt;= min(nr, ready) of them, which a deterministic Spec cannot express; {@link RunsLinearizabilityTest}
 * checks those.
 */
@Param(name = "userData", gen = IntGen.class, conf = "1:3")
public class CompletionRingLincheckTest {

    static final int CAPACITY = 2;

    private final CompletionRing ring = CompletionRing.create(CAPACITY);

    @Operation
    public boolean trySubmit() {
        return ring.trySubmit();
    }

    @Operation
    public boolean trySubmitTwo() {
        return ring.trySubmit(2);
    }

    /** Returns false where the ring throws IllegalStateException (no reservation to complete). */
    @Operation(nonParallelGroup = "producer")
    public boolean complete(@Param(name = "userData") int userData) {
        try {
            ring.complete(userData, 10L * userData + 1);
            return true;
        } catch (IllegalStateException noReservation) {
            return false;
        }
    }

    @Operation
    public List<Long> pollEvents() {
        CompletionEvent[] events = CompletionEvent.newArray(1);
        return pairs(events, ring.pollEvents(1, events));
    }

    @Operation
    public List<Long> getEventsNoWait() throws InterruptedException {
        CompletionEvent[] events = CompletionEvent.newArray(1);
        return pairs(events, ring.getEvents(0, 1, events));
    }

    /** The events as [userData, result, userData, result, ...]; the count is the list's size / 2. */
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
        stressOptions().check(CompletionRingLincheckTest.class);
    }

    @Test
    @Timeout(120)
    void linearizableUnderModelChecking() {
        modelCheckingOptions().check(CompletionRingLincheckTest.class);
    }

    /** The stress-mode options, against {@link Spec}; {@link LincheckControlTest} runs a broken ring with them. */
    static StressOptions stressOptions() {
        return new StressOptions()
                .iterations(20)
                .invocationsPerIteration(1_000)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(Spec.class);
    }

    /** The model-checking options, against {@link Spec}; {@link LincheckControlTest} runs a broken ring with them. */
    static ModelCheckingOptions modelCheckingOptions() {
        return new ModelCheckingOptions()
                .iterations(6)
                .invocationsPerIteration(150)
                .threads(3)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(Spec.class);
    }

    /** The sequential specification: counters and a FIFO of completed events, nothing concurrent. */
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
            if (submitted - reaped + n > CAPACITY) {
                return false;
            }
            submitted += n;
            return true;
        }

        public boolean complete(int userData) {
            if (completed == submitted) {
                return false;
            }
            completed++;
            ready.add(new long[] {userData, 10L * userData + 1});
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
