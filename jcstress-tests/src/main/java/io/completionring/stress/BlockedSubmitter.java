package io.completionring.stress;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static io.completionring.stress.Checks.require;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Submitters waiting for space use the seed-000 protocol against the head: a reaper moves the head (a volatile CAS),
 * then looks for parked submitters; a submitter publishes itself, full fence, re-checks the head, parks. A submitter
 * parked on a full ring must be woken by the reap that frees a slot. Run with {@code -af NONE} (see
 * {@link LostWakeup}), and, on JDK 22+, a second time with the asymmetric fence ({@link FenceForm}).
 *
 * <p>Results on this machine ({@code run.sh quick}, 2026-11-22 05:37 UTC, JDK 17, 2 cores): per scenario the JVM
 * configurations, samples and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   BlockedSubmitter_01_ReapWakesParkedSubmitter: 8 configs, 1,812 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                  1,812  acceptable
 *   BlockedSubmitter_02_ManyRounds: 8 configs, 277 samples, 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    277  acceptable
 * </pre>
 */
public final class BlockedSubmitter {

    private BlockedSubmitter() {
    }

    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The submitter parked on the full ring was woken by the reap and got its slot")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "The submitter stayed parked though the reap freed a slot: lost wake-up")
    @State
    public static class BlockedSubmitter_01_ReapWakesParkedSubmitter {
        private final CompletionRing ring = CompletionRing.builder().capacity(1).spinBudget(0).build();
        private final CompletionEvent[] events = CompletionEvent.newArray(1);

        public BlockedSubmitter_01_ReapWakesParkedSubmitter() {
            FenceForm.requireExpected();
            ring.trySubmit();
            ring.complete(1, 11);
        }

        @Actor
        public void submitter() throws InterruptedException {
            ring.submit();
        }

        @Signal
        public void reaper() {
            require(ring.pollEvents(1, events) == 1, "the full ring had no event to reap");
        }
    }

    /** Many rounds per sample, each on its own full ring, the reap landing at random points of the submitter's park. */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the submitter got the slot the reap freed")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the submitter stayed parked though the reap freed a slot: lost wake-up")
    @State
    public static class BlockedSubmitter_02_ManyRounds {
        private final CompletionRing[] rings = LostWakeup.rings(Rounds.ROUNDS, 1, 0, 1);
        private final CompletionEvent[] events = CompletionEvent.newArray(1);
        private final Rounds rounds = new Rounds();

        public BlockedSubmitter_02_ManyRounds() {
            FenceForm.requireExpected();
            for (CompletionRing ring : rings) {
                ring.complete(1, 11);
            }
        }

        @Actor
        public void submitter() throws InterruptedException {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                rings[i].submit();
            }
        }

        @Signal
        public void reaper() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnounced(i);
                require(rings[i].pollEvents(1, events) == 1, "round " + i + ": the full ring had no event to reap");
            }
        }
    }
}
