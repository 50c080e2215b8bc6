package io.snapshotter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of a dependency (DynamoDB, a registry), whose faults a test
 * switches at will: closer to a real outage than stopping the server, which a client sees as a
 * clean "connection refused" at once.
 * <ul>
 *   <li>{@link #pass()}: bytes go through;</li>
 *   <li>{@link #refuse()}: the port stops listening, open connections are closed (a host down);</li>
 *   <li>{@link #blackhole()}: connections are accepted and requests swallowed; nothing ever comes
 *       back (a network partition: the client's timeouts decide);</li>
 *   <li>{@link #slow(long)}: every chunk either way is delayed (a congested link);</li>
 *   <li>{@link #cutResponsesAfter(int)}: a response is cut after that many bytes and the connection
 *       closed (a server dying mid-answer);</li>
 *   <li>{@link #holdResponsesTo(String)}: the response to a request holding a marker is held back
 *       until {@link #pass()} (the server has done the work; the client waits for its answer).</li>
 * </ul>
 * A fault applies to connections opened after the switch and to the bytes that still flow on the
 * open ones. The proxy counts the requests in flight (sent on, their response not begun yet), for
 * HTTP/1.1 without pipelining: a client sends its next request on a connection only once it has
 * read the previous response.
 */
public final class FaultProxy implements AutoCloseable {

    private enum Mode { PASS, REFUSE, BLACKHOLE }

    private final int port;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMs;
    private volatile int cutAfter = -1;
    private volatile boolean closed;
    /** Responses to requests holding it are held back; null: none. */
    private volatile String holdMarker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    /** Held responses wait on it until the marker is cleared. */
    private final Object release = new Object();
    private ServerSocket listening;
    private Thread acceptor;

    private FaultProxy(int port, InetSocketAddress target) {
        this.port = port;
        this.target = target;
    }

    /** A proxy on a free loopback port forwarding to {@code targetPort} on loopback, passing bytes. */
    public static FaultProxy start(int targetPort) throws IOException {
        ServerSocket socket = bind(0);
        FaultProxy proxy = new FaultProxy(socket.getLocalPort(),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        proxy.serve(socket);
        return proxy;
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void serve(ServerSocket socket) {
        listening = socket;
        acceptor = new Thread(() -> acceptLoop(socket), "fault-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String httpEndpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /** Requests sent on whose response has not begun to come back (or is held). */
    public int requestsInFlight() {
        return inFlight.get();
    }

    /** The most requests in flight at once so far. */
    public int maxRequestsInFlight() {
        return maxInFlight.get();
    }

    /** Responses held back now ({@link #holdResponsesTo(String)}). */
    public int heldResponses() {
        return held.get();
    }

    /** Lets bytes through again, listening again if it was refusing; releases the held responses. */
    public synchronized FaultProxy pass() throws IOException {
        delayMs = 0;
        cutAfter = -1;
        synchronized (release) {
            holdMarker = null;
            release.notifyAll();
        }
        Mode before = mode;
        mode = Mode.PASS;
        if (before == Mode.REFUSE) {
            serve(bind(port));
        }
        return this;
    }

    /** Stops listening and closes every open connection: connects are refused. */
    public synchronized FaultProxy refuse() throws IOException {
        mode = Mode.REFUSE;
        listening.close();
        closeOpenConnections();
        return this;
    }

    /** Accepts connections and swallows their bytes; closes the open ones so that they see it too. */
    public synchronized FaultProxy blackhole() {
        mode = Mode.BLACKHOLE;
        closeOpenConnections();
        return this;
    }

    /** Delays every chunk forwarded either way by {@code millis}. */
    public FaultProxy slow(long millis) {
        delayMs = millis;
        return this;
    }

    /** Cuts each response after {@code bytes} bytes and closes its connection. */
    public FaultProxy cutResponsesAfter(int bytes) {
        cutAfter = bytes;
        return this;
    }

    /**
     * Holds back the response to each request whose bytes hold {@code marker} (ASCII, as in an HTTP
     * request's JSON body) until {@link #pass()}; other requests pass.
     */
    public FaultProxy holdResponsesTo(String marker) {
        holdMarker = marker;
        return this;
    }

    private void acceptLoop(ServerSocket socket) {
        while (!closed && !socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return;
            }
            connections.incrementAndGet();
            open.add(client);
            Thread handler = new Thread(() -> handle(client), "fault-proxy-" + port + "-conn");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void handle(Socket client) {
        if (mode == Mode.BLACKHOLE) {
            drain(client);
            return;
        }
        try (Socket server = new Socket()) {
            server.connect(target, 5_000);
            open.add(server);
            Exchange exchange = new Exchange();
            Thread upstream = new Thread(() -> pump(client, server, exchange, false), "fault-proxy-" + port + "-up");
            upstream.setDaemon(true);
            upstream.start();
            try {
                pump(server, client, exchange, true);
            } finally {
                exchange.responding();
            }
        } catch (IOException e) {
            // the target is down or the connection was cut: the client sees its end closed
        } finally {
            close(client);
        }
    }

    /** One connection's request in flight, if any, and whether its response is to be held. */
    private final class Exchange {
        private boolean requesting;
        private boolean hold;
        /** The end of the request's bytes so far, so that a marker split over two reads is seen. */
        private String tail = "";

        synchronized void requested(byte[] buffer, int read) {
            if (!requesting) {
                requesting = true;
                hold = false;
                tail = "";
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            }
            String marker = holdMarker;
            if (marker != null && !hold) {
                String seen = tail + new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                hold = seen.contains(marker);
                tail = seen.substring(Math.max(0, seen.length() - marker.length()));
            }
        }

        synchronized boolean held() {
            return requesting && hold;
        }

        synchronized void responding() {
            if (requesting) {
                requesting = false;
                inFlight.decrementAndGet();
            }
        }
    }

    /** Waits while the response is to be held: until {@link #pass()} or {@link #close()}. */
    private void holdWhile(Exchange exchange) throws InterruptedException {
        if (!exchange.held()) {
            return;
        }
        held.incrementAndGet();
        try {
            synchronized (release) {
                while (holdMarker != null && !closed) {
                    release.wait();
                }
            }
        } finally {
            held.decrementAndGet();
        }
    }

    /** Reads and discards until the client gives up. */
    private void drain(Socket client) {
        byte[] buffer = new byte[8192];
        try (InputStream in = client.getInputStream()) {
            while (!closed && in.read(buffer) >= 0) {
                // swallowed
            }
        } catch (IOException e) {
            // closed
        } finally {
            close(client);
        }
    }

    private void pump(Socket from, Socket to, Exchange exchange, boolean response) {
        byte[] buffer = new byte[8192];
        long forwarded = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (mode != Mode.PASS) {
                    break;
                }
                if (response) {
                    holdWhile(exchange);
                    exchange.responding();
                } else {
                    exchange.requested(buffer, read);
                }
                if (closed) {
                    break;
                }
                long delay = delayMs;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                int cut = cutAfter;
                if (response && cut >= 0 && forwarded + read > cut) {
                    out.write(buffer, 0, (int) Math.max(0, cut - forwarded));
                    out.flush();
                    break;
                }
                out.write(buffer, 0, read);
                out.flush();
                forwarded += read;
            }
        } catch (SocketException e) {
            // the other side closed
        } catch (IOException e) {
            // cut
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(from);
            close(to);
        }
    }

    private void closeOpenConnections() {
        open.forEach(FaultProxy::close);
        open.clear();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        synchronized (release) {
            release.notifyAll();
        }
        listening.close();
        closeOpenConnections();
    }
}
