package io.completionring.stress.controls;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Negative controls for ordering point 7, the chosen waiter's pass-on. Wake-ups are targeted: one new event (or one
 * freed slot) chooses one parked waiter, the oldest, and leaves the others parked. If the chosen waiter then leaves
 * without using the wake-up, the ring calls {@code signalWaiters()} again as it leaves (in {@code finally} of
 * {@code awaitEvents} and {@code awaitSlot}), so the next waiter is chosen instead. These controls run the ring's
 * waiter protocol ({@link MiniWaitQueue}) with that step removed, and show the second waiter left parked with its
 * need met and nobody left to wake it.
 *
 * <p>Each sample starts with two waiters parked in the queue, W0 (the oldest) and W1, each needing one, and nothing
 * ready. Two actors race: the signalling side adds one to the supply and wakes whom it serves, and W0's thread,
 * woken by an interrupt, leaves the park loop as the ring's does. Then the arbiter looks at the queue. The lost
 * wake-up is a state, not a hang, so it is seen in every sample where the scan chose W0 after W0 had looked at its
 * state and before it took the lock to unlink itself; no 30 s STALE timeout is spent.
 *
 * <p>Results on this machine (the sixth of six reliability runs with {@code run.sh}'s controls-ordering options,
 * {@code -m sanity -time 300}, 2026-12-01 23:15 UTC, JDK 17, 2 cores): per scenario the JVM configurations, samples
 * and forbidden samples, then each outcome's count over all configurations.
 * <pre>
 *   Control_07_ChosenReaperLeavesWithoutPassingOn: 28 configs, 407,048 samples, 42,044 forbidden in 27 of 28 configs -- SHOWN FAILING
 *       0, 0, 1                    42,044  FORBIDDEN
 *       0, 1, 1                   350,909  acceptable
 *       1, 0, 0                    14,095  acceptable
 *   Control_08_ChosenSubmitterLeavesWithoutPassingOn: 28 configs, 420,043 samples, 25,392 forbidden in 28 of 28 configs -- SHOWN FAILING
 *       0, 0, 1                    25,392  FORBIDDEN
 *       0, 1, 1                   381,589  acceptable
 *       1, 0, 0                    13,062  acceptable
 * </pre>
 * With the pass-on put back (a one-off edit, not kept: a chosen waiter that leaves calls {@code signalWaiters()}),
 * the same options gave {@code 0, 0, 1} 0 times in 13,559 and 34,098 samples (2026-12-01 22:43 UTC, a benchmark
 * running beside it), so the forbidden outcome comes from the missing step and not from the copy.
 */
public final class ChosenWaiterPassOn {

    private ChosenWaiterPassOn() {
    }

    /**
     * Reapers. A chosen reaper that is interrupted leaves without taking the event it was chosen for: this copy throws
     * InterruptedException at once, as the ring did before commit babf7ba. (Since then an interrupted reaper looks at
     * the ring once more before it throws, and a timed-out one takes what is ready before it returns, so in the ring
     * a chosen reaper that leaves has taken what it was chosen for unless another reaper took it first; the pass-on
     * stays, as {@code WaitQueue.await}'s contract asks.) Removed: the pass-on in {@code awaitEvents}'s
     * {@code finally}.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Reaper 0 was woken and took the event; reaper 1 still parked, nothing ready")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "Reaper 0 left on its interrupt; reaper 1 was woken for the ready event")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Reaper 0 left without the event it was chosen for; reaper 1 still parked with the event ready: lost wake-up")
    @State
    public static class Control_07_ChosenReaperLeavesWithoutPassingOn {
        private final MiniWaitQueue readyEvents = new MiniWaitQueue();
        private final MiniWaitQueue.Node reaper0 = readyEvents.enqueue(1);
        private final MiniWaitQueue.Node reaper1 = readyEvents.enqueue(1);

        /** complete(): one event ready (the ring: setRelease(tail), full fence), then signalWaiters(). */
        @Actor
        public void producer() {
            readyEvents.add(1);
        }

        /** Reaper 0's getEvents(1, 1) after its interrupt woke it. */
        @Actor
        public void interruptedReaper(III_Result r) {
            final int status = readyEvents.leaveInterrupted(reaper0);
            if ((status & MiniWaitQueue.INTERRUPTED) == 0) {
                r.r1 = readyEvents.tryTake() ? 1 : -1;      // chosen before it saw the interrupt: takes the event
            } else {
                r.r1 = 0;                                   // throws InterruptedException; no pass-on even if CHOSEN
            }
        }

        @Arbiter
        public void queue(III_Result r) {
            r.r2 = MiniWaitQueue.chosen(reaper1) ? 1 : 0;
            r.r3 = (int) readyEvents.supply();
        }
    }

    /**
     * Submitters, exactly as the ring's {@code awaitSlot}: a chosen submitter that sees its interrupt in the same
     * pass (INTERRUPTED | CHOSEN) throws InterruptedException without reserving the slot it was chosen for. Removed:
     * the pass-on in {@code awaitSlot}'s {@code finally}.
     */
    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "Submitter 0 was woken and reserved the slot; submitter 1 still parked, no slot free")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "Submitter 0 left on its interrupt; submitter 1 was woken for the free slot")
    @Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "Submitter 0 left without the slot it was chosen for; submitter 1 still parked with a slot free: lost wake-up")
    @State
    public static class Control_08_ChosenSubmitterLeavesWithoutPassingOn {
        private final MiniWaitQueue freeSlots = new MiniWaitQueue();
        private final MiniWaitQueue.Node submitter0 = freeSlots.enqueue(1);
        private final MiniWaitQueue.Node submitter1 = freeSlots.enqueue(1);

        /** A reap that frees one slot (the ring: compareAndSet(head)), then signalWaiters(). */
        @Actor
        public void reaper() {
            freeSlots.add(1);
        }

        /** Submitter 0's submit() after its interrupt woke it. */
        @Actor
        public void interruptedSubmitter(III_Result r) {
            final int status = freeSlots.leaveInterrupted(submitter0);
            if ((status & MiniWaitQueue.INTERRUPTED) == 0) {
                r.r1 = freeSlots.tryTake() ? 1 : -1;        // chosen before it saw the interrupt: reserves the slot
            } else {
                r.r1 = 0;                                   // throws InterruptedException; no pass-on even if CHOSEN
            }
        }

        @Arbiter
        public void queue(III_Result r) {
            r.r2 = MiniWaitQueue.chosen(submitter1) ? 1 : 0;
            r.r3 = (int) freeSlots.supply();
        }
    }
}
