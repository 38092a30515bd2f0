package io.completionring.bench;

/**
 * What a producer of a queue contender keeps: its sequence, and the event that a refused or timed-out offer left over,
 * which its next call offers again (so no sequence number is skipped). A queue of references carries the two longs
 * in an object, so every new event is a new {@link Completion}, as for the queues' users. Written only by its
 * producer thread.
 */
class QueueProducer {
    long sequence;
    Completion pending;

    /** The event to offer: the one left over, else a new one. */
    final Completion next() {
        final Completion e = pending;
        if (e != null) {
            return e;
        }
        final long seq = sequence++;
        return new Completion(seq, ~seq);
    }

    /** How the offer of e went: a refused event is kept for the next call and counted as a full offer. */
    final void offered(Completion e, boolean accepted, OfferCounters c) {
        if (accepted) {
            pending = null;
        } else {
            pending = e;
            c.fullOffers++;
        }
    }
}
