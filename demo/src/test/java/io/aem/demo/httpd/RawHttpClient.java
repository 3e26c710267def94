package io.aem.demo.httpd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A blocking test client on a raw socket: writes exact bytes, reads responses by their content-length. */
final class RawHttpClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    record Response(String statusLine, Map<String, String> headers, byte[] body, byte[] raw) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    RawHttpClient(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    RawHttpClient(InetSocketAddress server, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(20_000);
        socket.connect(server, 10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawHttpClient send(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Reads one response; HEAD responses have no body whatever their content-length. */
    Response read(boolean head) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String statusLine = line(raw);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(raw); !line.isEmpty(); line = line(raw)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("EOF after " + body.length + " of " + length + " body bytes");
        }
        raw.write(body);
        return new Response(statusLine, headers, body, raw.toByteArray());
    }

    Response read() throws IOException {
        return read(false);
    }

    Response exchange(String request) throws IOException {
        return send(request).read();
    }

    /** Whether the server closed: the next read is EOF. */
    boolean atEof() throws IOException {
        return in.read() == -1;
    }

    private String line(ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in a response head after '" + line + "'");
            }
            raw.write(b);
            if (b == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            line.append((char) b);
        }
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
