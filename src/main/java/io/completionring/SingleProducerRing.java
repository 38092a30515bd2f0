package io.completionring;

import static io.completionring.PaddedLongs.getAcquire;
import static io.completionring.PaddedLongs.getVolatile;
import static io.completionring.PaddedLongs.setRelease;

/**
 * A ring whose producer calls are externally serialized: the producer owns the tail and publishes with one release
 * store, the form Linux AIO's {@code aio_complete} has. Built by {@link CompletionRing.Builder#build()} unless {@code
 * multiProducer(true)}.
 *
 * <p>Publication: plain slot writes, then {@code setRelease(tail)} ("event before tail"), then {@link
 * CompletionRing#wakeReapers()} ("waiter check after publish"). The producer reads submitted only when its cached
 * copy ({@code CACHED_SUBMITTED}, on the tail's line, which only it writes) says the reservation check might fail.
 */
final class SingleProducerRing extends CompletionRing {

    /** A new ring, typed as the base class: see {@link CompletionRing.Builder#build()}. */
    static CompletionRing create(int capacity, int spins, long yieldNanos) {
        return new SingleProducerRing(capacity, spins, yieldNanos);
    }

    private SingleProducerRing(int capacity, int spins, long yieldNanos) {
        super(capacity, spins, yieldNanos);
    }

    @Override
    public boolean isMultiProducer() {
        return false;
    }

    @Override
    public void complete(long userData, long result) {
        final long t = counters[TAIL];                      // plain: only the producer writes the tail
        checkReserved(t, 1);
        writeSlot(t, userData, result);
        publish(t + 1);
    }

    @Override
    void completeRange(long[] userData, long[] results, int offset, int count) {
        final long t = counters[TAIL];                      // plain: only the producer writes the tail
        checkReserved(t, count);
        writeSlots(t, userData, results, offset, count);
        publish(t + count);
    }

    /** Throws unless requests [t, t + n) have been submitted; reads submitted only when the cached copy falls short. */
    private void checkReserved(long t, int n) {
        final long[] counters = this.counters;
        if (t + n > counters[CACHED_SUBMITTED]) {           // plain: only the producer writes it
            final long s = submittedAcquire();              // acquire: the reservation before our rewrite of the slot
            if (t + n > s) {
                throw notSubmitted(n, t + n, s);
            }
            if (t + n < s) {                                // worth keeping only if it covers a later call
                counters[CACHED_SUBMITTED] = s;
            }
        }
    }

    private void publish(long newTail) {
        setRelease(counters, TAIL, newTail);                // event before tail: the slot writes are visible first
        wakeReapers();                                      // waiter check after publish
    }

    @Override
    long publishedTail() {
        return getAcquire(counters, TAIL);                  // event before tail: pairs with publish's release
    }

    @Override
    long snapshotTail() {
        return getVolatile(counters, TAIL);
    }
}
