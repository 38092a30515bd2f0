package io.completionring.uring;

import io.completionring.CompletionEvent;
import io.completionring.CompletionRing;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The program UnsupportedTest runs in a child JVM: prints what {@link UringReader#isSupported()} and {@link
 * UringReader#unsupportedReason()} say, then what {@code open} does, and, if it opens, the result of reading the
 * first bytes of the file named by its argument.
 */
public final class SupportProbe {

    private SupportProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("supported=" + UringReader.isSupported());
        System.out.println("reason=" + UringReader.unsupportedReason());
        try (CompletionRing ring = CompletionRing.create(4)) {
            try (UringReader reader = UringReader.open(ring, 1);
                 UringFile file = reader.openFile(Path.of(args[0]))) {
                reader.read(file, 0, ByteBuffer.allocateDirect(16), 7);
                final CompletionEvent[] events = CompletionEvent.newArray(1);
                ring.getEvents(1, 1, events);
                System.out.println("open=ok read=" + events[0].result());
            } catch (UnsupportedOperationException e) {
                System.out.println("open=UnsupportedOperationException: " + e.getMessage());
            }
        }
    }
}
