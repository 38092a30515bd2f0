// Ad-hoc check behind docs/benchmarks.md "Allocation": bytes each thread allocates per ring round trip with
// spinBudget(0) (every wait parks), from ThreadMXBean.getCurrentThreadAllocatedBytes. Run with
// java -cp benchmarks/target/benchmarks.jar benchmarks/reference/AllocCheck.java 100000 true
import io.completionring.*;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
public class AllocCheck {
    public static void main(String[] a) throws Exception {
        int rounds = Integer.parseInt(a[0]); boolean timed = Boolean.parseBoolean(a[1]);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < 3; rep++) {
            CompletionRing ping = CompletionRing.builder().capacity(1024).spinBudget(0).build();
            CompletionRing pong = CompletionRing.builder().capacity(1024).spinBudget(0).build();
            long[] echoAlloc = new long[1];
            Thread echo = new Thread(() -> {
                CompletionEvent[] got = CompletionEvent.newArray(1);
                try {
                    ping.getEvents(1, 1, got); pong.trySubmit(); pong.complete(0, 0);
                    long before = mx.getCurrentThreadAllocatedBytes();
                    while (ping.getEvents(1, 1, got) == 1) { pong.trySubmit(); pong.complete(got[0].userData(), got[0].result()); }
                    echoAlloc[0] = mx.getCurrentThreadAllocatedBytes() - before;
                } catch (InterruptedException e) {}
            });
            echo.start();
            CompletionEvent[] reply = CompletionEvent.newArray(1);
            ping.trySubmit(); ping.complete(0, 0); pong.getEvents(1, 1, reply);
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++) {
                ping.trySubmit(); ping.complete(i, i);
                if (timed) pong.getEvents(1, 1, reply, 1000, TimeUnit.MILLISECONDS); else pong.getEvents(1, 1, reply);
            }
            long mine = mx.getCurrentThreadAllocatedBytes() - before;
            ping.close(); echo.join();
            System.out.printf("rounds %d timed=%s: pinger %.2f B/round, echo %.2f B/round; parks ping %d pong %d%n", rounds, timed, (double) mine / rounds, (double) echoAlloc[0] / rounds, ping.stats().parks(), pong.stats().parks());
        }
    }
}
