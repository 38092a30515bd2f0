package io.completionring.stress.controls;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A copy of the ring's waiter protocol ({@code WaitQueue}) cut down to what the chosen waiter's pass-on needs: the
 * FIFO list of waiter nodes under a small spin lock, the waiter word, the scan that chooses (unlinks and marks
 * SIGNALLED) every waiter whose need fits in the supply, oldest first, the signaller that never waits for the lock
 * (it raises scanRequested; the lock holder scans on its behalf when it unlocks), and the way an interrupted waiter
 * leaves: unless it already sees itself chosen, it takes the lock and unlinks itself, and learns that it was chosen
 * (CHOSEN) if a scan got there first. What the waiter does next is the caller's: the ring passes the wake-up on
 * ({@link #signalWaiters()}) when a chosen waiter leaves without using it; the controls in {@link ChosenWaiterPassOn}
 * leave that step out.
 *
 * <p>The nodes stand for parked threads: nobody parks or unparks here, and a chosen node counts as woken. The
 * supply (events ready, or slots free) is a counter that the signalling side raises with a volatile read-modify-write
 * (the ring's head CAS, or its tail store and full fence) and a waiter that uses its wake-up lowers.
 */
final class MiniWaitQueue {

    /** The status bits of {@link #leaveInterrupted}, as the ring's {@code WaitQueue.await} returns them. */
    static final int CHOSEN = 1;
    static final int INTERRUPTED = 4;

    /** A waiter: one parked thread and its need. */
    static final class Node {
        static final int WAITING = 1;
        static final int SIGNALLED = 2;

        /** WAITING, or SIGNALLED once a scan chose it; see STATE. */
        int state;
        /** Guarded by the queue lock. */
        long need;
        Node prev;
        Node next;
    }

    private static final VarHandle STATE;
    private static final VarHandle SUPPLY;
    private static final VarHandle COUNT;
    private static final VarHandle LOCK;
    private static final VarHandle SCAN_REQUESTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Node.class, "state", int.class);
            SUPPLY = l.findVarHandle(MiniWaitQueue.class, "supply", long.class);
            COUNT = l.findVarHandle(MiniWaitQueue.class, "count", int.class);
            LOCK = l.findVarHandle(MiniWaitQueue.class, "lock", int.class);
            SCAN_REQUESTED = l.findVarHandle(MiniWaitQueue.class, "scanRequested", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Events ready, or slots free. */
    private long supply;
    /** The waiter word: the number of linked nodes. Written under the lock. */
    private int count;
    private int lock;
    private int scanRequested;
    /** Guarded by the lock. */
    private Node first;
    private Node last;

    /** Links a node that needs {@code need} (a thread that published itself and parked). */
    Node enqueue(long need) {
        final Node w = new Node();
        w.need = need;
        STATE.set(w, Node.WAITING);                         // plain: published to scanners by the lock
        lock();
        w.prev = last;
        if (last == null) {
            first = w;
        } else {
            last.next = w;
        }
        last = w;
        COUNT.setVolatile(this, count + 1);                 // the waiter word
        unlock();
        return w;
    }

    /** The signalling side: adds to the supply (a volatile read-modify-write), then wakes who it now serves. */
    void add(long n) {
        SUPPLY.getAndAdd(this, n);
        signalWaiters();
    }

    /** A waiter that uses its wake-up: takes one from the supply if there is one. */
    boolean tryTake() {
        for (;;) {
            final long s = (long) SUPPLY.getVolatile(this);
            if (s <= 0) {
                return false;
            }
            if (SUPPLY.compareAndSet(this, s, s - 1)) {
                return true;
            }
        }
    }

    long supply() {
        return (long) SUPPLY.getVolatile(this);
    }

    static boolean chosen(Node w) {
        return (int) STATE.getAcquire(w) == Node.SIGNALLED;
    }

    /** As the ring's signalWaiters(): asks for a scan if anyone waits. Never waits for the lock. */
    void signalWaiters() {
        if ((int) COUNT.getVolatile(this) != 0) {           // volatile: after the caller's read-modify-write
            SCAN_REQUESTED.setVolatile(this, 1);            // seen by the lock holder after its unlock, or by us
            if (LOCK.compareAndSet(this, 0, 1)) {
                unlock();
            }
        }
    }

    /**
     * The park loop of {@code WaitQueue.await} after the thread's interrupt woke it: if a scan already chose it, it
     * returns CHOSEN (and, not having seen the interrupt yet, will use the wake-up); else it leaves, under the lock,
     * and learns whether a scan chose it in the meantime (INTERRUPTED | CHOSEN) or not (INTERRUPTED: it unlinked
     * itself).
     */
    int leaveInterrupted(Node w) {
        if ((int) STATE.getAcquire(w) == Node.SIGNALLED) { // the scan unlinked w before marking it
            return CHOSEN;
        }
        lock();
        final boolean chosen = (int) STATE.get(w) == Node.SIGNALLED; // plain: scans write it under the lock
        if (!chosen) {
            unlink(w);
        }
        unlock();
        return chosen ? INTERRUPTED | CHOSEN : INTERRUPTED;
    }

    /** Guarded by the lock. */
    private void unlink(Node w) {
        final Node prev = w.prev;
        final Node next = w.next;
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
        COUNT.setVolatile(this, count - 1);
    }

    /** Guarded by the lock: chooses, oldest first, every waiter whose need fits in the supply read now. */
    private void scan() {
        long budget = (long) SUPPLY.getVolatile(this);
        for (Node w = first; w != null && budget > 0; ) {
            final Node next = w.next;
            if (w.need <= budget) {
                budget -= w.need;
                unlink(w);
                STATE.setRelease(w, Node.SIGNALLED);        // after the unlink, as in the ring (the unpark is left out)
            }
            w = next;
        }
    }

    private void lock() {
        while (!LOCK.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
    }

    /** Releases the lock, first running any scan a signaller asked for while it was held (as the ring's unlock()). */
    private void unlock() {
        do {
            if ((int) SCAN_REQUESTED.getVolatile(this) != 0) {
                SCAN_REQUESTED.setVolatile(this, 0);
                scan();
            }
            LOCK.setVolatile(this, 0);
        } while ((int) SCAN_REQUESTED.getVolatile(this) != 0 && LOCK.compareAndSet(this, 0, 1));
    }
}
