package io.completionring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The multi-producer publication's tail moves, step by step: each test plays one order in which producers mark their
 * positions ({@link MultiProducerRing#mark}) and readers of the tail move it ({@link
 * MultiProducerRing#publishedTail}), on one thread, and checks where the tail is.
 */
class MultiProducerPublicationTest {

    private final MultiProducerRing ring = (MultiProducerRing) CompletionRing.builder()
            .capacity(4).multiProducer(true).build();

    private long tail() {
        return PaddedLongs.getVolatile(ring.counters, CompletionRing.TAIL);
    }

    @Test
    void aPositionWrittenAheadOfAnUnwrittenOneWaitsAndIsTakenAlongOnceTheGapIsWritten() {
        assertEquals(0, ring.publishedTail(), "nothing marked: the tail stays");

        ring.mark(1, 1);                                    // B wrote position 1; A has not written position 0
        assertEquals(0, ring.publishedTail(), "position 0 is not written: nothing can be read yet");
        assertEquals(0, tail());

        ring.mark(0, 1);                                    // A writes position 0
        assertEquals(2, ring.publishedTail(), "the next read of the tail takes A's and B's events");
        assertEquals(2, tail());
        assertEquals(2, ring.publishedTail(), "nothing new: the tail stays");
    }

    @Test
    void aBatchIsPublishedWholeAndAMarkOfAnEarlierLapIsNotTakenForTheNextOne() {
        ring.mark(0, 4);                                    // a completeAll of the whole ring (capacity 4)
        assertEquals(4, ring.publishedTail());

        // Position 5 lands in slot 1, which still holds nothing newer than position 1; slot 0 holds position 0's mark,
        // which must not pass for position 4's.
        ring.mark(5, 1);
        assertEquals(4, ring.publishedTail(), "slot 0's mark is position 0's, a lap old: position 4 is not written");

        ring.mark(4, 1);
        assertEquals(6, ring.publishedTail());
        assertEquals(6, tail());
    }

    @Test
    void aReadThatFindsTheTailMovedByAnotherReaderScansOnFromThere() {
        ring.mark(0, 2);
        PaddedLongs.setVolatile(ring.counters, CompletionRing.TAIL, 1); // another reader moved the tail over position 0 meanwhile
        assertEquals(2, ring.publishedTail());
        ring.mark(2, 1);
        assertEquals(3, ring.publishedTail());
    }
}
