package dev.presign.openload;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-model, fixed-rate HTTP/1.1 load generator for bench.sh's latency and soak runs, built by this module into one
 * jar ({@code mvn -f load-tests/openload/pom.xml package}):
 *
 * <pre>
 *   java -jar load-tests/openload/target/openload.jar [options] http://127.0.0.1:8080 presign tokens.txt   # POST /api/s3/presign
 *   java -jar load-tests/openload/target/openload.jar [options] http://127.0.0.1:9090 live                 # GET /health/live
 *
 *   --rate R            requests per second (default 1000)
 *   --warmup S          seconds at the same rate first, not measured (default 5)
 *   --duration S        seconds measured (default 10)
 *   --connections N     keep-alive connections opened before the clock starts (default 8)
 *   --max-connections N bound of the pool; past it, requests wait for a free connection (default 256)
 *   --timeout-ms MS     a request unanswered this long after its intended send time is an error (default 10000)
 *   --late-us US        a request sent more than this after its intended time counts as late (default 1000)
 *   --interval S        also print an INTERVAL line every S seconds of the measured phase (default 0: none)
 *   --tick-us US        send what falls due, and read what arrived, every US microseconds instead of waking for
 *                       each (default 0). Fewer wake-ups for a generator that shares the cores with the server;
 *                       every request is still timed from its intended send time, so a tick can only add latency
 *   --pool N            distinct prebuilt requests (default 4096)
 * </pre>
 *
 * <p>Arrivals follow a fixed schedule, request k at start + k / rate, whatever the answers do (open model), and
 * every latency is measured from the request's <em>intended</em> send time, so a stall of the server (or of this
 * generator) is charged to every request that should have gone out during it: no coordinated omission. Requests
 * go over keep-alive connections, one request in flight per connection, idle ones taken in turn (first in, first
 * out: a last-in-first-out pool would keep a few hot connections, which may all sit on one of the server's event
 * loops); when all are busy a new one is opened, up to {@code --max-connections}, past which requests wait, in
 * order, for the next free one. Latencies land in an HdrHistogram ({@link Latencies}): exact to the microsecond
 * below 2,048 µs, within 0.1 % above. Answers are read by {@link ResponseParser}.
 *
 * <p>Requests are built once, before the clock starts, like wrk.lua's pool: presign bodies
 * {@code {"filename":"Quarterly Report N.ext","contentType":…,"size":…}} with random N, type and size, tokens from
 * the file round-robin. Two threads, no allocation per request: the sender sleeps until each intended send time
 * and writes the request on an idle connection (Java's selector only times out in whole milliseconds, too coarse
 * to pace requests); the receiver waits on one NIO selector, reads and parses the answers, timestamps them and
 * hands the connection back.
 *
 * <p>Prints one line, parsed by BenchReport:
 * {@code RESULT requests=… ok=… non2xx=… errors=… timeouts=… unsent=… late=… waited=… … p50_us=… p90_us=… p95_us=… p99_us=…
 * p999_us=… max_us=… cpu_us_per_req=…}, counts over the measured phase ({@code warmup_non2xx}, {@code
 * warmup_errors} for the warm-up), and a {@code STATUS} line with the count of each non-2xx status seen.
 * {@code cpu_us_per_req} is this process's CPU time (all threads, kernel included) over the measured phase per
 * scheduled request.
 */
public final class OpenLoad {
  private final PrintStream out;

  private static final String[][] TYPES = {{"image/png", "png"}, {"text/plain", "txt"}, {"application/pdf", "pdf"},
      {"image/jpeg", "jpg"}, {"text/csv", "csv"}, {"application/json", "json"}};

  // Settings
  private double rate = 1000;
  private double warmup = 5;
  private double duration = 10;
  private int initialConnections = 8;
  private int maxConnections = 256;
  private long timeoutNs = 10_000_000_000L;
  private long lateNs = 1_000_000L;
  private double interval = 0;
  private int poolSize = 4096;
  private String target;
  private InetSocketAddress address;

  // Schedule
  private long t0;
  private double intervalNs;
  private long warmupCount;
  private long total;

  // Shared between the two threads
  private byte[][] pool;
  private int maxRequest;
  private Selector selector;
  private Thread sender;
  private final List<Conn> conns = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile int backlogSize;
  private volatile boolean sendDone;
  private volatile boolean stop;

  // Sender's own
  private long[] backlog = new long[1 << 12]; // request numbers waiting for a connection (a ring)
  private int backlogHead;
  /** 0: each thread wakes for each send and each answer; else it sleeps this long between batches. */
  private long tickNs;
  private long late;
  private long waited;
  private long unsent;
  private long warmupUnsent;
  private long maxLagNs;
  private int maxOpen;
  private long cpuAtMeasure = -1;
  private long sendErrors;
  private final Latencies lag = new Latencies();
  private long warmupSendErrors;

  // Receiver's own
  private final Latencies measured = new Latencies();
  private final Latencies window = new Latencies();
  private final Latencies service = new Latencies();
  private final long[] statuses = new long[600];
  private long ok;
  private long non2xx;
  private long errors;
  private long timeouts;
  private long warmupNon2xx;
  private long warmupErrors;
  private long windowOk;
  private long windowBad;

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  OpenLoad(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    OpenLoad load = new OpenLoad(System.out);
    load.parse(args);
    load.run();
  }

  void parse(String[] args) throws IOException {
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        positional.add(a);
        continue;
      }
      String v = args[++i];
      switch (a) {
        case "--rate" -> rate = Double.parseDouble(v);
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--duration" -> duration = Double.parseDouble(v);
        case "--connections" -> initialConnections = Integer.parseInt(v);
        case "--max-connections" -> maxConnections = Integer.parseInt(v);
        case "--timeout-ms" -> timeoutNs = Long.parseLong(v) * 1_000_000L;
        case "--late-us" -> lateNs = Long.parseLong(v) * 1_000L;
        case "--interval" -> interval = Double.parseDouble(v);
        case "--pool" -> poolSize = Integer.parseInt(v);
        case "--tick-us" -> tickNs = Long.parseLong(v) * 1_000L;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (positional.size() < 2 || rate <= 0 || duration <= 0 || warmup < 0 || maxConnections < 1) {
      throw new IllegalArgumentException("usage: OpenLoad [options] http://127.0.0.1:PORT (presign TOKENS_FILE | live)");
    }
    URI uri = URI.create(positional.get(0));
    address = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    String host = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    target = positional.get(1);
    pool = new byte[poolSize][];
    Random random = new Random();
    if (target.equals("presign")) {
      if (positional.size() < 3) {
        throw new IllegalArgumentException("presign needs a tokens file");
      }
      List<String> tokens = Files.readAllLines(Path.of(positional.get(2))).stream().filter(s -> !s.isBlank()).toList();
      if (tokens.isEmpty()) {
        throw new IllegalArgumentException("no token in " + positional.get(2));
      }
      int first = random.nextInt(tokens.size());
      for (int k = 0; k < poolSize; k++) {
        String[] type = TYPES[random.nextInt(TYPES.length)];
        String body = "{\"filename\":\"Quarterly Report " + (1 + random.nextInt(999_999)) + "." + type[1]
            + "\",\"contentType\":\"" + type[0] + "\",\"size\":" + (1 + random.nextInt(10_485_760)) + "}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        pool[k] = ("POST /api/s3/presign HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
            + tokens.get((first + k) % tokens.size()) + "\r\nContent-Type: application/json\r\nContent-Length: "
            + b.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
      }
    } else if (target.equals("live")) {
      Arrays.fill(pool, ("GET /health/live HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    } else {
      throw new IllegalArgumentException("target must be presign or live, not " + target);
    }
    for (byte[] r : pool) {
      maxRequest = Math.max(maxRequest, r.length);
    }
  }

  /** Runs the load and prints its RESULT and STATUS lines (and INTERVAL lines on the way). */
  void run() throws Exception {
    selector = Selector.open();
    for (int i = 0; i < Math.min(initialConnections, maxConnections); i++) {
      idle.addLast(connect());
    }
    intervalNs = 1e9 / rate;
    warmupCount = Math.round(warmup * rate);
    total = warmupCount + Math.round(duration * rate);
    t0 = System.nanoTime() + 50_000_000L;
    sender = new Thread(this::sendLoop, "openload-send");
    sender.start();
    receiveLoop();
    stop = true;
    LockSupport.unpark(sender);
    sender.join();
    long cpuAtEnd = os.getProcessCpuTime();
    // Whatever is still in flight never got an answer in time.
    for (Conn c : conns) {
      long r = c.request.getAndSet(-1);
      if (r >= 0) {
        fail(r, true);
      }
    }
    errors += sendErrors;
    warmupErrors += warmupSendErrors;
    long scheduled = total - warmupCount;
    double cpuPerReq = cpuAtMeasure >= 0 ? (cpuAtEnd - cpuAtMeasure) / 1e3 / scheduled : 0;
    long answered = ok + non2xx;
    out.printf(Locale.ROOT,
        "RESULT target=%s rate=%.1f warmup_s=%.1f duration_s=%.1f scheduled=%d requests=%d ok=%d non2xx=%d errors=%d"
            + " timeouts=%d unsent=%d late=%d waited=%d max_lag_us=%d connections=%d achieved_rps=%.1f"
            + " p50_us=%d p90_us=%d p95_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f warmup_non2xx=%d"
            + " warmup_errors=%d send_lag_p50_us=%d send_lag_p99_us=%d svc_p50_us=%d svc_p99_us=%d svc_p999_us=%d"
            + " cpu_us_per_req=%.2f%n",
        target, rate, warmup, duration, scheduled, answered, ok, non2xx, errors, timeouts, unsent, late, waited,
        maxLagNs / 1000, maxOpen, answered / duration, measured.percentile(50), measured.percentile(90),
        measured.percentile(95), measured.percentile(99), measured.percentile(99.9), measured.max(), measured.mean(), warmupNon2xx,
        warmupErrors + warmupUnsent, lag.percentile(50), lag.percentile(99), service.percentile(50),
        service.percentile(99), service.percentile(99.9), cpuPerReq);
    StringBuilder s = new StringBuilder("STATUS");
    for (int i = 0; i < statuses.length; i++) {
      if (statuses[i] > 0 && (i < 200 || i > 299)) {
        s.append(' ').append(i).append('=').append(statuses[i]);
      }
    }
    out.println(s);
    out.flush();
    for (Conn c : conns) {
      c.channel.close();
    }
    selector.close();
  }

  private long intended(long k) {
    return t0 + (long) (k * intervalNs);
  }

  // ---- sender thread ------------------------------------------------------------------------------------------

  /** Sleeps until each intended send time, sends what is due; serves waiting requests when woken early. */
  private void sendLoop() {
    long next = 0;
    while (!stop) {
      long now = System.nanoTime();
      serveBacklog();
      if (next < total) {
        while (next < total && intended(next) <= now) {
          if (next == warmupCount) {
            cpuAtMeasure = os.getProcessCpuTime();
          }
          dispatch(next++, now);
        }
        if (next < total) {
          long wait = intended(next) - System.nanoTime();
          if (wait > 0) {
            // Unparked early when a connection frees up for a waiting request. With a tick, what falls due within
            // it is sent together (late, and counted so: latency runs from each intended time).
            LockSupport.parkNanos(Math.max(wait, tickNs));
          }
          continue;
        }
      }
      if (backlogSize == 0) {
        sendDone = true;
        selector.wakeup();
        return;
      }
      LockSupport.parkNanos(10_000_000L);
    }
    // Stopped (the drain deadline passed) with requests still waiting.
    while (backlogSize > 0) {
      long r = pollBacklog();
      if (r >= warmupCount) {
        unsent++;
      } else {
        warmupUnsent++;
      }
    }
  }

  private void dispatch(long r, long now) {
    long lag = now - intended(r);
    if (r >= warmupCount && lag > maxLagNs) {
      maxLagNs = lag;
    }
    if (backlogSize == 0) {
      Conn c = idle.pollFirst();
      if (c == null && open.get() < maxConnections) {
        c = tryConnect();
      }
      if (c != null) {
        send(c, r);
        return;
      }
    }
    if (r >= warmupCount) {
      waited++;
    }
    addBacklog(r);
    serveBacklog(); // a connection may have come back meanwhile (the receiver saw an empty backlog)
  }

  private void serveBacklog() {
    while (backlogSize > 0) {
      Conn c = idle.pollFirst();
      if (c == null && open.get() < maxConnections) {
        c = tryConnect();
      }
      if (c == null) {
        return;
      }
      send(c, pollBacklog());
    }
  }

  private void addBacklog(long r) {
    if (backlogSize == backlog.length) {
      long[] bigger = new long[backlog.length * 2];
      for (int i = 0; i < backlogSize; i++) {
        bigger[i] = backlog[(backlogHead + i) & (backlog.length - 1)];
      }
      backlog = bigger;
      backlogHead = 0;
    }
    backlog[(backlogHead + backlogSize) & (backlog.length - 1)] = r;
    backlogSize++; // volatile: published before the receiver can look
  }

  private long pollBacklog() {
    long r = backlog[backlogHead];
    backlogHead = (backlogHead + 1) & (backlog.length - 1);
    backlogSize--;
    return r;
  }

  private Conn tryConnect() {
    try {
      return connect();
    } catch (IOException e) {
      return null; // counted when the request finally fails or is not sent
    }
  }

  /** A blocking connect (loopback: immediate), then non-blocking and watched by the receiver's selector. */
  private Conn connect() throws IOException {
    SocketChannel ch = SocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(address);
      ch.configureBlocking(false);
      Conn c = new Conn(ch, maxRequest);
      c.key = ch.register(selector, SelectionKey.OP_READ, c); // takes effect at the receiver's next select
      conns.add(c);
      maxOpen = Math.max(maxOpen, open.incrementAndGet());
      selector.wakeup();
      return c;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  private void send(Conn c, long r) {
    long now = System.nanoTime();
    if (r >= warmupCount) {
      lag.record((now - intended(r)) / 1000);
      if (now - intended(r) > lateNs) {
        late++;
      }
    }
    c.parser.reset();
    c.sentAt = now;
    ByteBuffer out = c.out;
    out.clear();
    out.put(pool[(int) (r % pool.length)]);
    out.flip();
    inFlight.incrementAndGet();
    c.request.set(r); // publishes the reset above to the receiver, which reads it first
    try {
      while (out.hasRemaining()) {
        if (c.channel.write(out) == 0) {
          Thread.onSpinWait(); // a full socket buffer: never seen with one small request in flight
        }
      }
    } catch (IOException e) {
      if (c.request.compareAndSet(r, -1)) { // else the receiver already counted it
        if (r >= warmupCount) {
          sendErrors++;
        } else {
          warmupSendErrors++;
        }
        inFlight.decrementAndGet();
      }
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      if (conns.remove(c)) {
        open.decrementAndGet();
      }
    }
  }

  // ---- receiver thread ----------------------------------------------------------------------------------------

  private void receiveLoop() throws IOException {
    long measureStart = t0 + (long) (warmupCount * intervalNs);
    long nextWindow = interval > 0 ? measureStart + (long) (interval * 1e9) : Long.MAX_VALUE;
    long lastSweep = System.nanoTime();
    long drainDeadline = intended(total - 1) + timeoutNs;
    while (true) {
      if (tickNs > 0) {
        LockSupport.parkNanos(tickNs); // answers gather; each is timed when seen, so later, never earlier
      }
      selector.select(100);
      long now = System.nanoTime();
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        handle((Conn) key.attachment(), key, now);
      }
      if (now >= nextWindow) {
        printWindow((now - measureStart) / 1e9);
        nextWindow += (long) (interval * 1e9);
      }
      if (now - lastSweep > 100_000_000L) {
        sweep(now);
        lastSweep = now;
      }
      if (sendDone && inFlight.get() == 0 || now > drainDeadline) {
        long measureEnd = measureStart + (long) (duration * 1e9);
        if (interval > 0 && windowOk + windowBad > 0 && nextWindow - (long) (interval * 1e9) < measureEnd) {
          printWindow(duration); // the last, shorter window of the measured phase (answers drained after it too)
        }
        return;
      }
    }
  }

  private void handle(Conn c, SelectionKey key, long now) {
    try {
      if (!key.isValid() || !key.isReadable()) {
        return;
      }
      long r = c.request.get(); // first: the sender's reset of the parser happened before it set this
      int n = c.channel.read(c.parser.buffer());
      if (n < 0) {
        throw new IOException("closed by the server");
      }
      if (r < 0) {
        return; // bytes on an idle connection: ignore (none expected)
      }
      int status = c.parser.parse();
      if (status == 0) {
        return; // more to read
      }
      if (status < 0) {
        throw new IOException("not an HTTP/1.x answer");
      }
      if (!c.request.compareAndSet(r, -1)) {
        return; // the sender already counted it as failed
      }
      complete(c, r, status, now);
      inFlight.decrementAndGet();
      if (c.parser.closeAfter()) {
        close(c);
      } else {
        idle.addLast(c); // FIFO: every open connection takes its turn, so the load spreads over the server's event loops
      }
      if (backlogSize > 0) {
        LockSupport.unpark(sender);
      }
    } catch (IOException e) {
      long r = c.request.getAndSet(-1);
      close(c);
      if (r >= 0) {
        fail(r, false);
        inFlight.decrementAndGet();
      }
      if (backlogSize > 0) {
        LockSupport.unpark(sender);
      }
    }
  }

  private void complete(Conn c, long r, int status, long now) {
    boolean good = status >= 200 && status <= 299;
    if (status < statuses.length) {
      statuses[status]++;
    }
    if (r < warmupCount) {
      if (!good) {
        warmupNon2xx++;
      }
      return;
    }
    long us = (now - intended(r)) / 1000;
    measured.record(us);
    service.record((now - c.sentAt) / 1000);
    window.record(us);
    if (good) {
      ok++;
      windowOk++;
    } else {
      non2xx++;
      windowBad++;
    }
  }

  private void fail(long r, boolean timeout) {
    if (r < warmupCount) {
      warmupErrors++;
    } else if (timeout) {
      timeouts++;
      windowBad++;
    } else {
      errors++;
      windowBad++;
    }
  }

  /** Requests unanswered timeoutNs after their intended time: errors, and their connections closed. */
  private void sweep(long now) {
    for (Conn c : conns) {
      long r = c.request.get();
      if (r >= 0 && now - intended(r) > timeoutNs && c.request.compareAndSet(r, -1)) {
        close(c);
        fail(r, true);
        inFlight.decrementAndGet();
      }
    }
    if (backlogSize > 0) {
      LockSupport.unpark(sender);
    }
  }

  private void close(Conn c) {
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    if (conns.remove(c)) {
      open.decrementAndGet();
    }
    idle.remove(c);
  }

  private void printWindow(double t) {
    out.printf(Locale.ROOT, "INTERVAL t_s=%.0f ok=%d bad=%d p50_us=%d p99_us=%d max_us=%d connections=%d%n", t,
        windowOk, windowBad, window.percentile(50), window.percentile(99), window.max(), open.get());
    out.flush();
    window.clear();
    windowOk = 0;
    windowBad = 0;
  }

  /** One keep-alive connection with at most one request in flight, and its response parser. */
  private static final class Conn {
    final SocketChannel channel;
    final ByteBuffer out;
    final ResponseParser parser = new ResponseParser();
    SelectionKey key;

    /** The request in flight, -1 when none; whichever thread takes it back (answer, failure) counts it. */
    final AtomicLong request = new AtomicLong(-1);
    long sentAt; // written by the sender before it sets request

    Conn(SocketChannel channel, int maxRequest) {
      this.channel = channel;
      this.out = ByteBuffer.allocateDirect(Math.max(256, maxRequest));
    }
  }
}
