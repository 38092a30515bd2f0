package io.completionring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's example, as written there, with handle() counting what it is given. */
class ReadmeExampleTest {

    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong wrongResults = new AtomicLong();

    private void handle(long userData, long result) {
        handled.incrementAndGet();
        if (result != userData * 2) {
            wrongResults.incrementAndGet();
        }
    }

    @Test
    @Timeout(60)
    void readmeExampleDeliversEveryEventOnceAndReapersSeeMinusOneAfterClose() throws InterruptedException {
        // ---- from README.md, "Use it" ----
        try (CompletionRing ring = CompletionRing.create(1024)) {
            Thread[] reapers = new Thread[4];
            for (int r = 0; r < reapers.length; r++) {
                reapers[r] = new Thread(() -> {
                    CompletionEvent[] events = CompletionEvent.newArray(64);
                    try {
                        int n;
                        while ((n = ring.getEvents(1, events.length, events)) != -1) {   // -1: closed and drained
                            for (int i = 0; i < n; i++) {
                                handle(events[i].userData(), events[i].result());
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                reapers[r].start();
            }
            for (long request = 0; request < 1_000_000; request++) {
                ring.submit();                       // reserve the completion slot (waits if 1024 are outstanding)
                ring.complete(request, request * 2); // on the I/O thread, when the request finishes
            }
            ring.close();                            // reapers drain what is left, then get -1
            for (Thread t : reapers) {
                t.join();
            }
        }
        // ---- end of the README's example ----
        assertEquals(1_000_000, handled.get(), "events handled");
        assertEquals(0, wrongResults.get(), "events whose result was not the one completed with them");
    }
}
