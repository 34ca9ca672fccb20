package io.releasegate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 and a free port that injects faults between a client and a real server (the
 * registry, the git HTTP server): a connection reset half-way through a body, a status of its own (500, 503 or 429,
 * with or without {@code Retry-After}), a response held back past the client's timeout, a body cut short of its
 * {@code Content-Length}, a body altered (a manifest that is not the one its digest names), a redirect to another
 * origin. Each {@link Fault} hits the first {@code times} requests it matches, then they pass. One connection per
 * request ({@code Connection: close}); every request is logged with what was done to it, and whether it carried an
 * {@code Authorization} header.
 */
public final class FaultProxy implements AutoCloseable {

    /** What is done to a matching request. */
    public enum Kind { STATUS, DROP, ACCEPT_THEN_DROP, RESET_MID_BODY, TRUNCATE, DELAY, ALTER_BODY, REDIRECT }

    /**
     * A fault for requests of {@code method} ({@code *}: any) whose target matches {@code path} (found anywhere in it).
     */
    public record Fault(String method, Pattern path, int times, Kind kind, int status, String retryAfter, long delayMillis,
                        String redirectTo, UnaryOperator<byte[]> alter, List<String> dropHeaders) {

        public static Fault status(String method, String pathRegex, int times, int status, String retryAfter) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.STATUS, status, retryAfter, 0, null, null, List.of());
        }

        /** The connection is reset once the request is read: it never reaches the server. */
        public static Fault drop(String method, String pathRegex, int times) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.DROP, 0, null, 0, null, null, List.of());
        }

        /** The server gets the request and answers; the client's connection is reset before the answer. */
        public static Fault acceptThenDrop(String method, String pathRegex, int times) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.ACCEPT_THEN_DROP, 0, null, 0, null, null, List.of());
        }

        /** Half the response body, then a connection reset. */
        public static Fault reset(String method, String pathRegex, int times) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.RESET_MID_BODY, 0, null, 0, null, null, List.of());
        }

        public static Fault truncate(String method, String pathRegex, int times) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.TRUNCATE, 0, null, 0, null, null, List.of());
        }

        /** The server answers; its answer reaches the client {@code millis} later. */
        public static Fault delay(String method, String pathRegex, int times, long millis) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.DELAY, 0, null, millis, null, null, List.of());
        }

        public static Fault alter(String method, String pathRegex, int times, UnaryOperator<byte[]> alter, String... dropHeaders) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.ALTER_BODY, 0, null, 0, null, alter,
                    List.of(dropHeaders));
        }

        /** A 307 to the same path and query at {@code origin} ({@code http://host:port}). */
        public static Fault redirect(String method, String pathRegex, int times, String origin) {
            return new Fault(method, Pattern.compile(pathRegex), times, Kind.REDIRECT, 307, null, 0, origin, null, List.of());
        }

        boolean matches(String m, String target) {
            return (method.equals("*") || method.equalsIgnoreCase(m)) && path.matcher(target).find();
        }
    }

    private record Armed(Fault fault, AtomicInteger left) {
    }

    private final ServerSocket server;
    private final URI upstream;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Armed> faults = new CopyOnWriteArrayList<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
    }

    /** A proxy in front of {@code upstream} ({@code http://127.0.0.1:PORT}). */
    public static FaultProxy start(String upstream) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FaultProxy p = new FaultProxy(s, URI.create(upstream));
        p.pool.execute(p::accept);
        return p;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String origin() {
        return "http://127.0.0.1:" + port();
    }

    public FaultProxy inject(Fault fault) {
        faults.add(new Armed(fault, new AtomicInteger(fault.times())));
        return this;
    }

    /** Drops every fault not yet spent. */
    public void clear() {
        faults.clear();
    }

    /** Each request so far: {@code METHOD target -> what was done}. */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** How many requests a fault of {@code kind} was applied to. */
    public long applied(Kind kind) {
        return log().stream().filter(l -> l.contains("-> " + kind)).count();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                pool.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    log.add("accept failed: " + e);
                }
            }
        }
    }

    private Fault take(String method, String target) {
        for (Armed a : faults) {
            if (a.fault().matches(method, target) && a.left().getAndDecrement() > 0) {
                return a.fault();
            }
        }
        return null;
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(60_000);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            Head request = Head.read(in);
            if (request == null) {
                return;
            }
            String[] line = request.start().split(" ", 3);
            String method = line[0];
            // the log says which requests carried credentials (never what they were)
            String target = line[1] + (request.header("Authorization") != null ? " [authorization]" : "");
            if ("100-continue".equalsIgnoreCase(request.header("Expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = request.body(in, false);
            Fault fault = take(method, line[1]);
            if (fault != null && fault.kind() == Kind.STATUS) {
                log.add(method + " " + target + " -> " + Kind.STATUS);
                byte[] error = ("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected " + fault.status() + "\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
                StringBuilder h = new StringBuilder("HTTP/1.1 " + fault.status() + " Injected\r\n");
                if (fault.retryAfter() != null) {
                    h.append("Retry-After: ").append(fault.retryAfter()).append("\r\n");
                }
                h.append("Content-Type: application/json\r\nContent-Length: ").append(error.length).append("\r\nConnection: close\r\n\r\n");
                out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
                out.write(error);
                out.flush();
                return;
            }
            if (fault != null && fault.kind() == Kind.REDIRECT) {
                log.add(method + " " + target + " -> " + Kind.REDIRECT);
                out.write(("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + fault.redirectTo() + line[1]
                        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            if (fault != null && fault.kind() == Kind.DROP) {
                log.add(method + " " + target + " -> " + Kind.DROP);
                client.setSoLinger(true, 0);
                return;
            }
            Response response = forward(request, method, body);
            if (fault != null && fault.kind() == Kind.ACCEPT_THEN_DROP) {
                log.add(method + " " + target + " -> " + Kind.ACCEPT_THEN_DROP + " (server said " + response.status() + ")");
                client.setSoLinger(true, 0);
                return;
            }
            log.add(method + " " + target + " -> " + (fault == null ? response.status() : fault.kind()));
            byte[] answer = response.body();
            Map<String, String> headers = new LinkedHashMap<>(response.headers());
            if (fault != null && fault.kind() == Kind.ALTER_BODY) {
                answer = fault.alter().apply(answer);
                for (String drop : fault.dropHeaders()) {
                    headers.keySet().removeIf(k -> k.equalsIgnoreCase(drop));
                }
            }
            if (fault != null && fault.kind() == Kind.DELAY) {
                Thread.sleep(fault.delayMillis());
            }
            headers.keySet().removeIf(k -> k.equalsIgnoreCase("Content-Length") || k.equalsIgnoreCase("Transfer-Encoding")
                    || k.equalsIgnoreCase("Connection") || k.equalsIgnoreCase("Keep-Alive"));
            StringBuilder h = new StringBuilder(response.start()).append("\r\n");
            headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            boolean noBody = method.equals("HEAD") || response.status() == 204 || response.status() == 304;
            if (!noBody || response.declaredLength() >= 0) {
                long length = method.equals("HEAD") && response.declaredLength() >= 0 ? response.declaredLength() : answer.length;
                h.append("Content-Length: ").append(length).append("\r\n");
            }
            h.append("Connection: close\r\n\r\n");
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            if (noBody) {
                out.flush();
                return;
            }
            if (fault != null && (fault.kind() == Kind.RESET_MID_BODY || fault.kind() == Kind.TRUNCATE)) {
                out.write(answer, 0, answer.length / 2);
                out.flush();
                if (fault.kind() == Kind.RESET_MID_BODY) {
                    client.setSoLinger(true, 0); // closing now sends a reset, not the end of the stream
                }
                return;
            }
            out.write(answer);
            out.flush();
        } catch (IOException | InterruptedException e) {
            log.add("connection failed: " + e);
        }
    }

    private record Response(String start, int status, Map<String, String> headers, byte[] body, long declaredLength) {
    }

    private Response forward(Head request, String method, byte[] body) throws IOException {
        try (Socket up = new Socket(upstream.getHost(), upstream.getPort())) {
            up.setSoTimeout(60_000);
            StringBuilder h = new StringBuilder(request.start()).append("\r\n");
            request.headers().forEach((k, v) -> {
                String key = k.toLowerCase(Locale.ROOT);
                if (!key.equals("content-length") && !key.equals("transfer-encoding") && !key.equals("connection")
                        && !key.equals("keep-alive") && !key.equals("expect")) {
                    h.append(k).append(": ").append(v).append("\r\n");
                }
            });
            if (body.length > 0 || !method.equals("GET") && !method.equals("HEAD")) {
                h.append("Content-Length: ").append(body.length).append("\r\n");
            }
            h.append("Connection: close\r\n\r\n");
            OutputStream o = up.getOutputStream();
            o.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            o.write(body);
            o.flush();
            InputStream i = up.getInputStream();
            Head response = Head.read(i);
            if (response == null) {
                throw new IOException("the upstream closed without answering");
            }
            int status = Integer.parseInt(response.start().split(" ", 3)[1]);
            String declared = response.header("Content-Length");
            boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
            byte[] answer = noBody ? new byte[0] : response.body(i, true);
            return new Response(response.start(), status, response.headers(), answer,
                    declared == null ? -1 : Long.parseLong(declared.trim()));
        }
    }

    /** A start line and headers, as read off the wire. */
    private record Head(String start, Map<String, String> headers) {

        String header(String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int state = 0;
            for (int b; (b = in.read()) >= 0; ) {
                buf.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
                if (state == 4) {
                    String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (int i = 1; i < lines.length; i++) {
                        int colon = lines[i].indexOf(':');
                        if (colon > 0) {
                            headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
                        }
                    }
                    return new Head(lines[0], headers);
                }
            }
            return null;
        }

        /** The body: by Content-Length, chunked, or (a response only) up to the end of the stream. */
        byte[] body(InputStream in, boolean response) throws IOException {
            String length = header("Content-Length");
            if (length != null) {
                return in.readNBytes(Integer.parseInt(length.trim()));
            }
            if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                while (true) {
                    String size = line(in);
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        while (!line(in).isEmpty()) {
                            // trailers
                        }
                        return out.toByteArray();
                    }
                    out.write(in.readNBytes(n));
                    line(in);
                }
            }
            return response ? in.readAllBytes() : new byte[0];
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        pool.shutdownNow();
    }
}
