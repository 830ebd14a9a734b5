// SPDX-License-Identifier: Apache-2.0
package gpio.vhostuser.internal;

import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.FileDescriptorCast;

import com.sun.jna.LastErrorException;

/**
 * The vhost-user message stream of one frontend: reads one message at a time
 * (header, payload and the file descriptors that came with it), checks its
 * framing and sizes, and writes replies. Owns the connected socket, and every fd
 * of the current message until {@link #takeFd} hands it on; the fds nobody took
 * are closed by {@link #endMessage}. Endpoint thread only, except
 * {@link #shutdown}.
 */
final class MessageChannel implements AutoCloseable {

    private static final Logger LOG = System.getLogger(MessageChannel.class.getName());
    /** How long a message may take to arrive in full once its first byte is there. */
    private static final int MESSAGE_TIMEOUT_MILLIS = 5000;
    private static final int U64_SIZE = 8;

    private final AFUNIXSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int socketFd;
    /** See {@link #socketLost()}. */
    private boolean socketLost;
    private final String name;
    private final ByteBuffer header = ByteBuffer.allocate(Protocol.HEADER_SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer payload = ByteBuffer.allocate(Protocol.MAX_PAYLOAD).order(ByteOrder.nativeOrder());
    private final ByteBuffer reply =
            ByteBuffer.allocate(Protocol.HEADER_SIZE + Protocol.MAX_PAYLOAD).order(ByteOrder.nativeOrder());
    /**
     * The fds of the current message. Room for more than any valid message
     * carries (at most {@link Protocol#MAX_FDS}), so that one with too many is
     * refused by count; fds beyond the room are closed as they arrive.
     */
    private final int[] fds = new int[Protocol.MAX_FDS * 4];
    private int fdCount;

    /** Takes over {@code socket}; the caller still closes it if this constructor fails. */
    MessageChannel(AFUNIXSocket socket, String name) throws IOException {
        this.socket = socket;
        this.name = name;
        socket.setAncillaryReceiveBufferSize(1024);
        socket.setSoTimeout(MESSAGE_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.socketFd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
    }

    /** The socket's fd, to poll for the next message. */
    int socketFd() {
        return socketFd;
    }

    /**
     * Shuts the socket down from another thread, so that the endpoint thread leaves
     * whatever it is doing with it, even a write blocked by a frontend that stopped
     * reading. The endpoint thread still closes everything itself.
     */
    void shutdown() {
        try {
            socket.shutdownInput();
            socket.shutdownOutput();
        } catch (IOException e) {
            // Already shut down or closed: nothing left to interrupt.
        }
    }

    /**
     * Reads the next message; {@link #endMessage} must follow once it is handled.
     *
     * @return false when the connection is over (the reason is logged); the fds
     *         that came with what was read are closed then
     */
    boolean read() {
        boolean complete = readMessage();
        if (!complete) {
            endMessage();
        }
        return complete;
    }

    private boolean readMessage() {
        int request = 0;
        try {
            header.clear();
            payload.clear().limit(0);
            if (!readFully(header.array(), Protocol.HEADER_SIZE, true)) {
                LOG.log(Level.INFO, "{0}: frontend disconnected", name);
                return false;
            }
            collectFds();
            request = header.getInt(0);
            int flags = header.getInt(4);
            int size = header.getInt(8);
            if ((flags & Protocol.FLAG_VERSION_MASK) != Protocol.VERSION
                    || (flags & ~(Protocol.FLAG_VERSION_MASK | Protocol.FLAG_NEED_REPLY)) != 0) {
                LOG.log(Level.WARNING, "{0}: {1} with header flags 0x{2} (version 1 expected, no reply flag);"
                        + " dropping the frontend", name, Protocol.name(request), Integer.toHexString(flags));
                return false;
            }
            if (size < 0 || size > Protocol.MAX_PAYLOAD) {
                LOG.log(Level.WARNING, "{0}: {1} with a payload of {2} bytes (at most {3}); dropping the frontend",
                        name, Protocol.name(request), Integer.toUnsignedString(size), Protocol.MAX_PAYLOAD);
                return false;
            }
            payload.limit(size);
            readFully(payload.array(), size, false);
            collectFds();
            return true;
        } catch (SocketTimeoutException e) {
            LOG.log(Level.WARNING, "{0}: {1} cut short (nothing more for {2} ms); dropping the frontend", name,
                    Protocol.name(request), MESSAGE_TIMEOUT_MILLIS);
            return false;
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost: {1}", name, e.toString());
            return false;
        }
    }

    /** The request code of the current message. */
    int request() {
        return header.getInt(0);
    }

    /** Whether the current message asks for a reply (NEED_REPLY). */
    boolean needsReply() {
        return (header.getInt(4) & Protocol.FLAG_NEED_REPLY) != 0;
    }

    /** The payload of the current message, from index 0 to its limit. Do not move its position. */
    ByteBuffer payload() {
        return payload;
    }

    /** How many fds came with the current message. */
    int fdCount() {
        return fdCount;
    }

    /** Fd {@code index} of the current message, lent: the channel closes it after the message. */
    int fd(int index) {
        return fds[index];
    }

    /** Fd {@code index} of the current message, given away: the caller closes it. */
    int takeFd(int index) {
        int fd = fds[index];
        fds[index] = -1;
        return fd;
    }

    /** Closes the fds of the current message that nobody took. */
    void endMessage() {
        for (int i = 0; i < fdCount; i++) {
            LibC.closeQuietly(fds[i]);
        }
        fdCount = 0;
    }

    /** The payload as one u64, the only thing in it, with no fds. */
    long u64(int request) throws ProtocolException {
        expectSize(request, U64_SIZE, 0);
        return payload.getLong(0);
    }

    void expectNoPayload(int request) throws ProtocolException {
        expectSize(request, 0, 0);
    }

    void expectSize(int request, int size, int fdsExpected) throws ProtocolException {
        expectPayload(request, size);
        expectFds(fdsExpected);
    }

    void expectPayload(int request, int size) throws ProtocolException {
        if (payload.limit() != size) {
            throw new ProtocolException("payload of " + payload.limit() + " bytes (" + size + " expected for "
                    + Protocol.name(request) + ")");
        }
    }

    void expectFds(int expected) throws ProtocolException {
        if (fdCount != expected) {
            throw new ProtocolException(fdCount + " file descriptors (" + expected + " expected)");
        }
    }

    /** An empty reply payload to fill from its position; {@link #sendReply} sends what was put. */
    ByteBuffer startReply() {
        reply.clear();
        reply.position(Protocol.HEADER_SIZE);
        return reply;
    }

    /** Sends the reply payload put since {@link #startReply}, as the reply to {@code request}. */
    void sendReply(int request) throws IOException {
        int size = reply.position() - Protocol.HEADER_SIZE;
        reply.putInt(0, request).putInt(4, Protocol.VERSION | Protocol.FLAG_REPLY).putInt(8, size);
        out.write(reply.array(), 0, reply.position());
        out.flush();
    }

    /**
     * Sends the REPLY_ACK reply {@code value} (0 success, else failure) to {@code request}.
     *
     * @return false when the connection is lost (logged)
     */
    boolean sendAck(int request, long value) {
        startReply().putLong(value);
        try {
            sendReply(request);
            return true;
        } catch (IOException e) {
            LOG.log(Level.INFO, "{0}: connection lost while replying: {1}", name, e.toString());
            return false;
        }
    }

    /**
     * Takes the fds that came with the bytes read so far. junixsocket keeps the
     * received fds on a list of its own and closes whatever is still on it when the
     * socket closes, so each fd is duplicated for the transport to own and the
     * original is closed the way junixsocket notices (through its FileDescriptor);
     * closing it behind junixsocket's back would make it close a reused fd number
     * later.
     */
    private void collectFds() throws IOException {
        FileDescriptor[] received = socket.getReceivedFileDescriptors();
        if (received == null) {
            return;
        }
        for (FileDescriptor descriptor : received) {
            int fd = FileDescriptorCast.using(descriptor).as(Integer.class);
            if (fdCount < fds.length) {
                try {
                    fds[fdCount] = LibC.duplicate(fd);
                    fdCount++;
                } catch (LastErrorException e) {
                    LOG.log(Level.WARNING, "{0}: cannot keep a received fd, errno {1}", name, e.getErrorCode());
                }
            }
            new FileInputStream(descriptor).close();
        }
    }

    private boolean readFully(byte[] into, int length, boolean eofAllowedAtStart) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, done, length - done);
            if (n < 0) {
                if (done == 0 && eofAllowedAtStart) {
                    return false;
                }
                throw new EOFException("message cut short after " + done + " of " + length + " bytes");
            }
            done += n;
        }
        return true;
    }

    /** Closes the fds of the current message and the socket. Never fails. */
    @Override
    public void close() {
        try {
            endMessage();
        } finally {
            if (!socketLost) {
                ListeningSocket.closeAccepted(socket);
            }
        }
    }

    /**
     * The socket's fd was closed by someone else: {@link #close} leaves it alone,
     * since its number may already belong to another file.
     */
    void socketLost() {
        socketLost = true;
    }
}
