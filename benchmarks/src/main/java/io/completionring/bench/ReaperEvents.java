package io.completionring.bench;

import io.completionring.CompletionEvent;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A ring reaper's event holders, enough for any {@code nr} of the benchmarks; one array per reaper thread. */
@State(Scope.Thread)
public class ReaperEvents {
    final CompletionEvent[] events = CompletionEvent.newArray(64);
}
