package io.snapshotter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *       closed (a server dying mid-answer).</li>
 * </ul>
 * A fault applies to connections opened after the switch and to the bytes that still flow on the
 * open ones.
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

    /** Lets bytes through again, listening again if it was refusing. */
    public synchronized FaultProxy pass() throws IOException {
        delayMs = 0;
        cutAfter = -1;
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
            Thread upstream = new Thread(() -> pump(client, server, false), "fault-proxy-" + port + "-up");
            upstream.setDaemon(true);
            upstream.start();
            pump(server, client, true);
        } catch (IOException e) {
            // the target is down or the connection was cut: the client sees its end closed
        } finally {
            close(client);
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

    private void pump(Socket from, Socket to, boolean response) {
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
        listening.close();
        closeOpenConnections();
    }
}
