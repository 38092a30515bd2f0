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
import static io.completionring.stress.Publication.code;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Seed 000 for every producer of a multi-producer ring: a producer whose CAS moved the tail reads the reapers' waiter
 * word after it (a volatile write, then a volatile read); a producer whose events another producer's CAS published
 * relies on that producer's check; a reaper publishes itself, fences, re-checks the tail, parks. Two producers complete
 * one event each, at random points of the reaper's park, so either may publish last, publish both, or publish the
 * other's event; the reaper parked for what it still needs must wake. Run with {@code -af NONE} and many rounds per
 * sample, as the {@link LostWakeup} tests (see {@link Rounds}). A wrong answer is thrown, which jcstress records as
 * ERROR.
 *
 * <p>Results on this machine ({@code -m sanity -time 2000 -af NONE}, the quick pass's options, 2026-12-02 04:25 UTC,
 * JDK 17, 2 cores, ring of commit 259be2e):
 * <pre>
 *   MultiProducerWakeup_01_ManyRoundsEitherProducerWakesTheReaper: 8 configs, 499 samples (127,744 rounds), 0 forbidden -- OK
 *       STALE                           0  FORBIDDEN
 *       TERMINATED                    499  acceptable
 * </pre>
 * Shown failing on the real ring broken in a scratch edit (same options, 2026-12-02): with the waiter check skipped,
 * STALE in 8 of 8 configurations (8 samples); with the waiter word read before the publication instead of after the
 * tail CAS (seed 000 reversed), STALE in 8 of 8 (55 samples). Not caught: a producer whose CAS moved the tail only
 * over other producers' positions skipping the check (671 samples, 0 STALE); with two producers the case needs one
 * of them to complete twice and the other to publish the second completion between its own claim and scan.
 */
public final class MultiProducerWakeup {

    private MultiProducerWakeup() {
    }

    /**
     * 256 rounds per sample, each on its own multi-producer ring (capacity 2, spin 0, two requests submitted). The
     * actor is the reaper, and starts the second producer; the signal is the first. Even rounds wait in getEvents(2,
     * 2): whichever event comes last must wake the reaper. Odd rounds wait in getEvents(1, 2), then take what is left
     * the same way: the first publication must wake it.
     */
    @JCStressTest(Mode.Termination)
    @Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "In every round the reaper got both producers' events and returned")
    @Outcome(id = "STALE", expect = FORBIDDEN, desc = "In some round the reaper stayed parked with events it needed in the ring: lost wake-up (seed 000)")
    @State
    public static class MultiProducerWakeup_01_ManyRoundsEitherProducerWakesTheReaper {
        private final CompletionRing[] rings = new CompletionRing[Rounds.ROUNDS];
        private final Rounds rounds = new Rounds();
        private final CompletionEvent[] events = CompletionEvent.newArray(2);
        private volatile String secondProducerFailure;

        public MultiProducerWakeup_01_ManyRoundsEitherProducerWakesTheReaper() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rings[i] = CompletionRing.builder().capacity(2).spinBudget(0).multiProducer(true).build();
                require(rings[i].trySubmit(2), "could not reserve 2");
            }
        }

        @Actor
        public void reaper() throws InterruptedException {
            final Thread secondProducer = new Thread(() -> {
                try {
                    for (int i = 0; i < Rounds.ROUNDS; i++) {
                        rounds.awaitAnnouncedYielding(i);
                        rings[i].complete(2, 22);
                    }
                } catch (RuntimeException e) {
                    secondProducerFailure = e.toString();
                }
            });
            secondProducer.setDaemon(true);
            secondProducer.start();
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.announce(i);
                long sum;
                if ((i & 1) == 0) {
                    require(rings[i].getEvents(2, 2, events) == 2, "round " + i + ": getEvents(2, 2) returned early");
                    sum = code(events[0]) + code(events[1]);
                } else {
                    final int n = rings[i].getEvents(1, 2, events);
                    require(n == 1 || n == 2, "round " + i + ": getEvents(1, 2) returned " + n);
                    sum = code(events[0]) + (n == 2 ? code(events[1]) : 0);
                    if (n == 1) {
                        require(rings[i].getEvents(1, 1, events) == 1, "round " + i + ": no second event");
                        sum += code(events[0]);
                    }
                }
                require(sum == 1011 + 2022, "round " + i + ": the two events were not 1011 and 2022 but sum " + sum);
            }
            secondProducer.join();
            require(secondProducerFailure == null, "the second producer failed: " + secondProducerFailure);
        }

        @Signal
        public void firstProducer() {
            for (int i = 0; i < Rounds.ROUNDS; i++) {
                rounds.awaitAnnouncedYielding(i);
                rings[i].complete(1, 11);
            }
        }
    }
}
