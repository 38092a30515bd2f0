package io.completionring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiting threads of one kind, reapers or submitters, each waiting until a supply (events ready, or slots free)
 * reaches its need; and the targeted wake-up that chooses among them.
 *
 * <p>A ring has two queues: reapers wait for {@code tail - head} events, submitters for
 * {@code head + capacity - submitted} slots. The side that adds to the supply (the producer for reapers, a reaper for
 * submitters, {@code close} for both) calls {@link #signalWaiters()} after a full fence.
 */
final class WaitQueue {

    /*
     * Implementation overview.
     *
     * The queue is a FIFO doubly linked list of Waiter nodes, one node per thread (reused: nothing is allocated per
     * wait), guarded by a small spin lock that only waiting threads ever wait for. The thread that signals (the
     * producer, above all) never waits for the lock: it raises scanRequested and tries the lock once; if the lock is
     * held, the holder sees the request when it unlocks and scans on its behalf (unlock() loops until no request is
     * left). The kernel's wake_up() likewise walks its wait list under the list's lock.
     *
     * The waiter protocol (await), the mirror image of the signaller's "publish, full fence, check waiters":
     *   1. publish: link the node and raise the waiter count, under the lock;
     *   2. a full fence (Fence.heavy for the reapers' queue)   -- seed 000: without it the re-check can be
     *                                  satisfied from before the signaller's publication while the signaller misses
     *                                  this waiter: both sleep
     *   3. re-check the supply; if it meets the need, unlink and return;
     *   4. park until a scan has chosen this node (signalled), the deadline passes or the thread is interrupted;
     *      a node that leaves unchosen unlinks itself under the lock; if a scan chose it in the meantime, the caller
     *      learns so (CHOSEN) and passes the wake-up on if it leaves without using it.
     *
     * No step throws, so a node is never left linked. If step 2's membarrier fails (Fence: the process then leaves the
     * asymmetric fence), the waiter cannot rely on the producer having seen it: step 4 parks at most
     * UNSIGNALLED_PARK_NANOS at a time and re-checks the supply after each park, until it is met or the waiter is
     * chosen. An active thread whose barrier fails as it passes the supply on wakes every parked waiter to re-check.
     *
     * A scan (choose(), under the lock) reads the supply once as a budget and walks the list from the oldest waiter,
     * choosing every waiter whose need fits in what is left of the budget: it unlinks the node, marks it and unparks
     * its thread, the first chosen one only after the lock is released (as the kernel's wake_q defers its wake-ups):
     * an unpark is a system call of several microseconds here, and a reaper that wants to queue up meanwhile would
     * spin and yield on the lock. So k new events wake at most as many waiters as k events can satisfy, and a waiter
     * whose need is larger than the supply stays parked without keeping smaller needs behind it waiting. Because a
     * chosen node is unlinked before it is marked signalled, its thread may reuse it the moment it sees the mark.
     *
     * Active threads absorb wake-ups (the rule of Go's scheduler for its spinning threads): while any thread of this
     * queue spins or yields (WaitPolicy), signalWaiters() leaves the parked ones alone, since the active thread will
     * see the supply first. In exchange a thread that stops being active passes on what it will not take: all of it
     * if it is going to park, or, if its need was met, the supply beyond what it is about to take. Its stopActive() is
     * a volatile read-modify-write, so a signaller that saw it active (after the signaller's own full fence) published
     * before the active thread's re-read.
     */

    /** The status bits returned by {@link #await}; 0 means the thread saw its need met without being chosen. */
    static final int CHOSEN = 1;
    static final int TIMED_OUT = 2;
    static final int INTERRUPTED = 4;

    /**
     * The longest park of a waiter that may not rely on being signalled (its {@link Fence#heavy()} barrier failed):
     * it re-checks the supply at least this often until its need is met.
     */
    static final long UNSIGNALLED_PARK_NANOS = 1_000_000;

    /** The per-thread waiter node. A thread waits on at most one queue at a time, and is unlinked when it returns. */
    static final class Waiter {
        private static final ThreadLocal<Waiter> CURRENT = ThreadLocal.withInitial(Waiter::new);

        final Thread thread = Thread.currentThread();
        /** Set by the scan that chose this waiter, after it unlinked it; cleared by the owner. See SIGNALLED. */
        boolean signalled;
        /** Guarded by the queue lock: the supply this waiter needs. */
        long need;
        /** Guarded by the queue lock. */
        Waiter prev;
        Waiter next;

        static Waiter current() {
            return CURRENT.get();
        }
    }

    private static final VarHandle SIGNALLED;
    private static final VarHandle LOCK;
    private static final VarHandle SCAN_REQUESTED;
    private static final VarHandle PARKS;
    private static final VarHandle UNPARKS;
    private static final VarHandle TIMEOUTS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SIGNALLED = l.findVarHandle(Waiter.class, "signalled", boolean.class);
            LOCK = l.findVarHandle(WaitQueue.class, "lock", int.class);
            SCAN_REQUESTED = l.findVarHandle(WaitQueue.class, "scanRequested", int.class);
            PARKS = l.findVarHandle(WaitQueue.class, "parks", long.class);
            UNPARKS = l.findVarHandle(WaitQueue.class, "unparks", long.class);
            TIMEOUTS = l.findVarHandle(WaitQueue.class, "timeouts", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** How much the waiters' need is measured against: events ready, or slots free. Long.MAX_VALUE wakes everyone. */
    private final LongSupplier supply;
    private final WaitPolicy policy;
    /** What parked threads show as their blocker in thread dumps. */
    private final Object blocker;
    /**
     * True if a signaller of this queue may publish with only the light half of {@link Fence} (the producer, for the
     * reapers' queue): a waiter then fences with the heavy half before it re-reads the supply, and so does the last
     * active thread before it passes the supply on. False: every signaller publishes with a full fence (a reaper's
     * head CAS, for the submitters' queue), and so does a waiter.
     */
    private final boolean lightSignallers;

    /**
     * The waiter word, at words[waitersIndex]: the number of linked waiters. Written under the lock; read without it
     * by the signalling side after its fence, on every publication, so it sits on cache lines of its own, in the
     * ring's padded array of hot counters (which reads it there directly on its fast paths).
     */
    private final long[] words;
    private final int waitersIndex;

    /** 1 while a thread holds the list; only waiting threads and scanners take it. */
    private int lock;
    /** 1 when a signaller asked for a scan that the lock holder has not yet run. */
    private int scanRequested;
    /** Guarded by the lock: the oldest and the newest waiter. */
    private Waiter first;
    private Waiter last;

    /** Slow-path counters for RingStats, updated atomically. */
    private long parks;
    private long unparks;
    private long timeouts;

    WaitQueue(LongSupplier supply, WaitPolicy policy, Object blocker, long[] words, int waitersIndex,
              boolean lightSignallers) {
        this.supply = supply;
        this.words = words;
        this.waitersIndex = waitersIndex;
        this.policy = policy;
        this.blocker = blocker;
        this.lightSignallers = lightSignallers;
    }

    /**
     * The number of linked waiters. A volatile read: after the caller's full fence (or volatile write such as a CAS)
     * it cannot be satisfied from before the caller's publication.
     */
    int waiting() {
        return (int) PaddedLongs.getVolatile(words, waitersIndex);
    }

    /**
     * Wakes the waiters whose need the supply now meets, oldest first, unless a thread of this queue is active
     * (it will see the supply and pass on what it does not take). Never waits: if another thread holds the list, the
     * scan is left to it. Call after adding to the supply and a full fence (or a volatile read-modify-write).
     */
    void signalWaiters() {
        if (waiting() != 0 && policy.active() == 0) {
            requestScan();
        }
    }

    /**
     * After being active: wakes the waiters the supply beyond {@code willTake} (what the caller takes) can serve. If
     * the heavy fence's barrier failed, a publication left to this thread may not be visible to it yet, and the parked
     * waiters may have missed it too: every one of them is woken to re-check (each then waits again, with a timeout
     * if its own barrier fails: {@link #await}).
     */
    private void passOn(long willTake) {
        if (waiting() != 0 && policy.active() == 0) {
            // stopActive was the full fence; see lightSignallers
            if (lightSignallers && !Fence.heavyAfterFullFence()) {
                wakeAll();
            } else if (supply.getAsLong() > willTake) {
                requestScan();
            }
        }
    }

    private void requestScan() {
        SCAN_REQUESTED.setVolatile(this, 1);        // seen by the lock holder after its unlocking store, or by us
        if (LOCK.compareAndSet(this, 0, 1)) {       // acquires the list (and, being volatile, orders the store above)
            unlock();
        }
    }

    /** Chooses every waiter, whatever its need; each re-checks the supply and waits again if it is not met. */
    private void wakeAll() {
        lock();
        final Thread firstChosen = choose(Long.MAX_VALUE);
        unlock();
        if (firstChosen != null) {
            LockSupport.unpark(firstChosen);
        }
    }

    /**
     * Waits until the supply reaches {@code need}: spins if the policy allows, then parks (protocol in the
     * implementation overview). On return the thread is not linked in the queue. Never throws.
     *
     * @param need     the supply to wait for, at least 1
     * @param willTake the most the caller will take once the need is met: a spinner passes on the supply beyond it
     * @return 0 if this thread saw the need met itself, else a combination of {@link #CHOSEN} (a scan chose this
     *         thread: it must pass the wake-up on, with {@link #signalWaiters()}, if it leaves without using it),
     *         {@link #TIMED_OUT} and {@link #INTERRUPTED} (the interrupt status has been cleared)
     */
    int await(long need, long willTake, boolean timed, long deadline) {
        if (stayActive(need, timed, deadline, willTake)) {
            return 0;
        }
        final LongSupplier supply = this.supply;
        final Waiter w = Waiter.current();
        enqueue(w, need);                                   // 1. publish
        final boolean signalled;                            // 2. seed 000: publication before the re-check
        if (lightSignallers) {
            signalled = Fence.heavy();                      //    also against a producer whose fence was light
        } else {
            VarHandle.fullFence();
            signalled = true;
        }
        if (supply.getAsLong() >= need) {                   // 3. re-check
            return leave(w, 0);
        }
        final boolean learn = policy.learnsFromParks();
        final long parkedAt = learn ? System.nanoTime() : 0L;
        for (;;) {                                          // 4. park until chosen
            if ((boolean) SIGNALLED.getAcquire(w)) {        // the scan unlinked w before marking it
                SIGNALLED.set(w, false);                    // plain: w is ours again
                if (learn) {
                    policy.parkEnded(System.nanoTime() - parkedAt);
                }
                return CHOSEN;
            }
            if (Thread.interrupted()) {
                return leave(w, INTERRUPTED);
            }
            long parkNanos = Long.MAX_VALUE;
            if (timed) {
                parkNanos = deadline - System.nanoTime();
                if (parkNanos <= 0) {
                    return leave(w, TIMED_OUT);
                }
            }
            if (!signalled) {
                // The barrier failed: a producer may have missed this waiter, and its publication may have reached
                // this thread only since the re-check. Look again after a bounded park.
                if (supply.getAsLong() >= need) {
                    return leave(w, 0);
                }
                parkNanos = Math.min(parkNanos, UNSIGNALLED_PARK_NANOS);
            }
            PARKS.getAndAdd(this, 1L);
            if (parkNanos == Long.MAX_VALUE) {
                LockSupport.park(blocker);
            } else {
                LockSupport.parkNanos(blocker, parkNanos);
            }
        }
    }

    /**
     * The active phases of {@link #await}: spins, then yields, as far as the policy allows; returns true if the need
     * was met. Before it returns it passes on what signallers left to it while it was active: the supply beyond what
     * the caller will take if the need was met, all of it if not.
     */
    private boolean stayActive(long need, boolean timed, long deadline, long willTake) {
        final WaitPolicy policy = this.policy;
        int phase = policy.tryStartActive();
        if (phase == WaitPolicy.NONE) {
            return false;
        }
        final LongSupplier supply = this.supply;
        boolean met = false;
        boolean stopped = false;                            // by the deadline or an interrupt: no lesson for a budget
        try {
            if (phase == WaitPolicy.SPIN) {
                final int spins = policy.spins();
                for (int spun = 0, pause = 1; spun < spins; spun += pause, pause = WaitPolicy.nextPause(pause)) {
                    if (supply.getAsLong() >= need) {
                        met = true;
                        break;
                    }
                    if (timed && deadline - System.nanoTime() <= 0) {
                        stopped = true;
                        break;
                    }
                    WaitPolicy.pause(pause);
                }
                if (!stopped) {
                    policy.spinEnded(met);
                }
                if (met || stopped) {
                    return met;
                }
                policy.spinToYield();
                phase = WaitPolicy.YIELD;
            }
            final long yieldNanos = policy.yieldNanos();
            if (yieldNanos > 0) {
                final long end = System.nanoTime() + yieldNanos;
                for (;;) {
                    if (supply.getAsLong() >= need) {
                        met = true;
                        break;
                    }
                    final long now = System.nanoTime();
                    if ((timed && deadline - now <= 0) || Thread.currentThread().isInterrupted()) {
                        stopped = true;
                        break;
                    }
                    if (now - end >= 0) {
                        break;
                    }
                    Thread.yield();
                }
                if (!stopped) {
                    policy.yieldEnded(met);
                }
            }
            return met;
        } finally {
            policy.stopActive(phase);
            passOn(met ? willTake : 0);                     // what signallers left to us while we were active
        }
    }

    /** Counts a call that returned because its timeout expired. */
    void countTimeout() {
        TIMEOUTS.getAndAdd(this, 1L);
    }

    long parks() {
        return (long) PARKS.getOpaque(this);
    }

    long unparks() {
        return (long) UNPARKS.getOpaque(this);
    }

    long timeouts() {
        return (long) TIMEOUTS.getOpaque(this);
    }

    private void enqueue(Waiter w, long need) {
        w.need = need;
        lock();
        w.prev = last;
        w.next = null;
        if (last == null) {
            first = w;
        } else {
            last.next = w;
        }
        last = w;
        PaddedLongs.setVolatile(words, waitersIndex, words[waitersIndex] + 1); // step 1's publication, under the lock
        unlock();
    }

    /** Unlinks w unless a scan chose it first; returns status, with CHOSEN added in that case. */
    private int leave(Waiter w, int status) {
        lock();
        final boolean chosen = (boolean) SIGNALLED.get(w);  // plain: scans write it under the lock
        if (!chosen) {
            unlink(w);
        }
        SIGNALLED.set(w, false);
        unlock();
        return chosen ? status | CHOSEN : status;
    }

    /** Guarded by the lock. */
    private void unlink(Waiter w) {
        final Waiter prev = w.prev;
        final Waiter next = w.next;
        if (prev == null) {
            first = next;
        } else {
            prev.next = next;
        }
        if (next == null) {
            last = prev;
        } else {
            next.prev = prev;
        }
        w.prev = null;
        w.next = null;
        PaddedLongs.setVolatile(words, waitersIndex, words[waitersIndex] - 1);
    }

    /**
     * Guarded by the lock: chooses, oldest first, every waiter whose need fits in {@code budget}, and unparks all but
     * the first chosen; returns the first chosen waiter's thread (null if none), for the caller to unpark once it has
     * released the lock. The common wake-up (one event, one waiter) so makes its unpark system call outside the lock,
     * where it does not hold up threads queueing to wait. A thread reference is safe to use after the unlock: it is
     * final, unlike the node, which its owner may reuse the moment it sees itself signalled.
     */
    private Thread choose(long budget) {
        Thread firstChosen = null;
        for (Waiter w = first; w != null && budget > 0; ) {
            final Waiter next = w.next;
            if (w.need <= budget) {
                budget -= w.need;
                unlink(w);
                SIGNALLED.setRelease(w, true);              // after the unlink: the owner may reuse w at once
                UNPARKS.getAndAdd(this, 1L);
                if (firstChosen == null) {
                    firstChosen = w.thread;
                } else {
                    LockSupport.unpark(w.thread);
                }
            }
            w = next;
        }
        return firstChosen;
    }

    private void lock() {
        for (int spins = 0; !LOCK.compareAndSet(this, 0, 1); spins++) { // acquires the list
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();                             // held only for a list walk: let the holder finish
            }
        }
    }

    /**
     * Releases the list, first running any scan a signaller asked for while it was held. The release is a volatile
     * store followed by a volatile read of scanRequested: a signaller whose tryLock failed had raised its request
     * before, so either we see the request here or the signaller's CAS succeeds after our release.
     */
    private void unlock() {
        do {
            Thread chosen = null;
            if ((int) SCAN_REQUESTED.getVolatile(this) != 0) {
                SCAN_REQUESTED.setVolatile(this, 0);        // cleared before the scan, which reads the supply afresh
                chosen = choose(supply.getAsLong());
            }
            LOCK.setVolatile(this, 0);
            if (chosen != null) {
                LockSupport.unpark(chosen);                 // after the release: see choose()
            }
        } while ((int) SCAN_REQUESTED.getVolatile(this) != 0 && LOCK.compareAndSet(this, 0, 1));
    }
}
