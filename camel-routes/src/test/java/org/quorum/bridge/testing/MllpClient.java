package org.quorum.bridge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain MLLP sender (HL7 v2 Minimal Lower Layer Protocol, Release 2: start block 0x0B, message,
 * end block 0x1C 0x0D) that can send anything, including what HAPI's own client would refuse to
 * encode; returns the acknowledgement as text.
 */
public final class MllpClient implements AutoCloseable {

    private static final int START = 0x0B;
    private static final int END = 0x1C;
    private static final int CR = 0x0D;

    private final Socket socket;

    public MllpClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
    }

    /** Sends one message (segments separated by CR) and waits for the acknowledgement. */
    public String send(String message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(START);
        out.write(message.getBytes(StandardCharsets.UTF_8));
        out.write(END);
        out.write(CR);
        out.flush();
        InputStream in = socket.getInputStream();
        int first = in.read();
        if (first != START) {
            throw new IOException("no MLLP start block in the answer (got " + first + ")");
        }
        ByteArrayOutputStream ack = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == END) {
                in.read(); // CR
                return ack.toString(StandardCharsets.UTF_8);
            }
            ack.write(b);
        }
        throw new IOException("connection closed before the end block");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
